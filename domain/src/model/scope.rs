//! Scopes: what a key may do. Keyward's own are `keys:read` and
//! `keys:write`; any other is the protected API's business, which Keyward
//! stores and passes on. `*` holds every scope, present and future.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::text::InvalidInput;

/// One scope: `[a-z][a-z0-9_.:-]{0,63}`, or `*` for all.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "orders:read", pattern = r"^(\*|[a-z][a-z0-9_.:-]{0,63})$"))]
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

/// What Keyward itself lets a key do with its region's keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAccess {
    /// `keys:read`: the region's keys, usage and audit log.
    Read,
    /// `keys:write`: create, describe, re-scope, schedule and delete keys
    /// (and everything `keys:read` allows).
    Write,
}

impl KeyAccess {
    pub fn scope(self) -> &'static str {
        match self {
            Self::Read => "keys:read",
            Self::Write => "keys:write",
        }
    }
}

/// The scopes a key holds: at most [`Scopes::MAX`] distinct scopes, or `*`
/// alone. Empty is allowed: such a key can only be verified.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<Scope>", into = "Vec<Scope>")]
#[cfg_attr(feature = "service", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = Vec<String>, example = json!(["keys:read", "orders:read"])))]
pub struct Scopes(BTreeSet<Scope>);

impl Scopes {
    /// The most scopes one key holds.
    pub const MAX: usize = 32;

    /// `*`: every scope, Keyward's and the protected API's.
    pub fn all() -> Self {
        Self(BTreeSet::from([Scope(Scope::ALL.to_owned())]))
    }

    /// Checks the set's rules; duplicates count once.
    pub fn new(scopes: impl IntoIterator<Item = Scope>) -> Result<Self, InvalidInput> {
        let scopes: BTreeSet<Scope> = scopes.into_iter().collect();
        if scopes.len() > Self::MAX {
            return Err(InvalidInput(format!("a key holds at most {} scopes", Self::MAX)));
        }
        if scopes.len() > 1 && scopes.iter().any(Scope::is_all) {
            return Err(InvalidInput("\"*\" already holds every scope: give it alone".to_owned()));
        }
        Ok(Self(scopes))
    }

    /// Each text a scope ([`Scope::parse`]), then [`Scopes::new`].
    pub fn parse<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<Self, InvalidInput> {
        Self::new(texts.into_iter().map(Scope::parse).collect::<Result<Vec<_>, _>>()?)
    }

    /// Whether these scopes grant `scope`: `*` grants every scope, and
    /// `keys:write` also `keys:read`.
    pub fn grants(&self, scope: &Scope) -> bool {
        self.0.iter().any(|held| {
            held.is_all() || held == scope || (held.0 == KeyAccess::Write.scope() && scope.0 == KeyAccess::Read.scope())
        })
    }

    /// Whether these scopes allow `access` to the region's keys.
    pub fn allow(&self, access: KeyAccess) -> bool {
        self.grants(&Scope(access.scope().to_owned()))
    }

    /// The rule against escalation: a key holding these scopes may give
    /// `granted` to a key that holds `held` now (nothing, for a new key)
    /// only if every scope it gives is its own or one the key already has.
    /// So no key ever gains a scope that no key in its creator chain held.
    pub fn may_grant(&self, granted: &Scopes, held: &Scopes) -> bool {
        granted.0.iter().all(|scope| self.grants(scope) || held.grants(scope))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Scope> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether this is `*`.
    pub fn is_all(&self) -> bool {
        self.0.iter().any(Scope::is_all)
    }
}

impl TryFrom<Vec<Scope>> for Scopes {
    type Error = InvalidInput;

    fn try_from(scopes: Vec<Scope>) -> Result<Self, InvalidInput> {
        Self::new(scopes)
    }
}

impl From<Scopes> for Vec<Scope> {
    fn from(scopes: Scopes) -> Self {
        scopes.0.into_iter().collect()
    }
}

/// Space-separated, as proxies pass them on (`X-Keyward-Scopes`) and the
/// database stores them.
impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, scope) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(scope.as_str())?;
        }
        Ok(())
    }
}

impl FromStr for Scopes {
    type Err = InvalidInput;

    fn from_str(text: &str) -> Result<Self, InvalidInput> {
        Self::parse(text.split_ascii_whitespace())
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(&self.0).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(text: &str) -> Scopes {
        text.parse().unwrap()
    }

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
    fn a_set_is_at_most_32_distinct_scopes_or_all_alone() {
        assert_eq!(scopes("b a b").to_string(), "a b");
        assert!(scopes("").is_empty());
        let many: Vec<String> = (0..33).map(|i| format!("s{i}")).collect();
        assert!(Scopes::parse(many.iter().map(String::as_str)).is_err());
        assert!(Scopes::parse(many[..32].iter().map(String::as_str)).is_ok());
        assert!("* keys:read".parse::<Scopes>().is_err());
        assert!(serde_json::from_str::<Scopes>(r#"["*", "a"]"#).is_err());
        assert_eq!(serde_json::from_str::<Scopes>(r#"["b", "a", "a"]"#).unwrap(), scopes("a b"));
    }

    #[test]
    fn all_grants_every_scope_and_write_implies_read() {
        let all = Scopes::all();
        assert!(all.grants(&Scope::parse("orders:read").unwrap()));
        assert!(all.grants(&Scope::parse("*").unwrap()));
        assert_eq!(all.to_string(), "*");
        let write = scopes("keys:write");
        assert!(write.allow(KeyAccess::Read) && write.allow(KeyAccess::Write));
        let read = scopes("keys:read orders:read");
        assert!(read.allow(KeyAccess::Read) && !read.allow(KeyAccess::Write));
        assert!(!read.grants(&Scope::parse("*").unwrap()));
    }

    #[test]
    fn only_held_scopes_can_be_granted() {
        let none = Scopes::default();
        assert!(scopes("keys:write orders:read").may_grant(&scopes("orders:read keys:read"), &none));
        assert!(!scopes("keys:write").may_grant(&scopes("orders:read"), &none));
        assert!(!scopes("keys:write orders:read").may_grant(&Scopes::all(), &none));
        assert!(Scopes::all().may_grant(&Scopes::all(), &none));
        // Narrowing a key keeps what it already had.
        assert!(scopes("keys:write").may_grant(&scopes("orders:read"), &scopes("orders:read orders:write")));
        assert!(scopes("keys:write").may_grant(&scopes("orders:read"), &Scopes::all()));
        assert!(!scopes("keys:write").may_grant(&Scopes::all(), &scopes("orders:read")));
    }
}
