//! Scopes: what a key may do. Keyward's own are `keys:read` and
//! `keys:write`; any other is the protected API's business, which Keyward
//! stores and passes on. `*` holds every scope, present and future.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::text::InvalidInput;

/// One scope: `[a-z][a-z0-9_.:-]{0,63}`, or `*` for all.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "orders:read"))]
pub struct Scope(String);

impl Scope {
    const MAX_LEN: usize = 64;
    const ALL: &'static str = "*";

    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let mut bytes = text.bytes();
        let well_formed = text == Self::ALL
            || (text.len() <= Self::MAX_LEN
                && bytes.next().is_some_and(|first| first.is_ascii_lowercase())
                && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.:-".contains(&b)));
        if well_formed {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidInput(format!(
                "{text:?} is not a scope: a lowercase letter, then at most 63 of a-z, 0-9, _ . : -, or * for all"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn is_all(&self) -> bool {
        self.0 == Self::ALL
    }
}

impl TryFrom<String> for Scope {
    type Error = InvalidInput;

    fn try_from(text: String) -> Result<Self, InvalidInput> {
        Self::parse(&text)
    }
}

impl From<Scope> for String {
    fn from(scope: Scope) -> String {
        scope.0
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The scopes a key holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = Vec<String>))]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// `*`: every scope, Keyward's and the protected API's.
    pub fn all() -> Self {
        Self(vec![Scope(Scope::ALL.to_owned())])
    }

    /// Whether these scopes grant `scope`.
    pub fn grants(&self, scope: &Scope) -> bool {
        self.0.iter().any(|held| held.is_all() || held == scope)
    }

    /// Space-separated, as proxies pass them on (`X-Keyward-Scopes`).
    pub fn to_header(&self) -> String {
        self.0.iter().map(Scope::as_str).collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_have_one_shape() {
        for good in ["keys:read", "orders.write", "a", "x-y_z:1", "*", &"a".repeat(64)] {
            assert_eq!(Scope::parse(good).unwrap().as_str(), good);
        }
        for bad in ["", "Keys", "1abc", "a b", "a*", "**", "é", &"a".repeat(65)] {
            assert!(Scope::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn all_grants_every_scope() {
        let all = Scopes::all();
        assert!(all.grants(&Scope::parse("orders:read").unwrap()));
        assert_eq!(all.to_header(), "*");
    }
}
