//! Administrators as people: who may open a region's console through the
//! organisation's identity provider, by the email it verified, and with
//! which of Keyward's scopes.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{AdministratorId, RegionId};
use super::scope::{KeyAccess, Scopes};
use super::text::InvalidInput;

/// An email address as the identity provider states it, compared with
/// ASCII letters in lower case (`Ann@Example.org` and `ann@example.org`
/// are one person).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "service", derive(sea_orm::DeriveValueType))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "ann@example.org"))]
pub struct Email(String);

impl Email {
    /// RFC 5321's limit on a path.
    pub const MAX_LEN: usize = 254;

    /// One `@` with text on both sides, no spaces or control characters.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let text = text.trim();
        let well_formed = text.len() <= Self::MAX_LEN
            && text
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'))
            && !text.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control());
        // ASCII case only: Unicode's case tables would weigh on the console's
        // first load, and providers state addresses in one case anyway.
        if well_formed {
            Ok(Self(text.to_ascii_lowercase()))
        } else {
            Err(InvalidInput(format!("{text:?} is not an email address")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidInput;

    fn try_from(text: String) -> Result<Self, InvalidInput> {
        Self::parse(&text)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

/// What a person may be granted: `keys:read`, `keys:write`, or both
/// (which is `keys:write`); never `*` nor the protected API's scopes.
pub fn check_administrator_scopes(scopes: &Scopes) -> Result<(), InvalidInput> {
    let own = |scope: &str| scope == KeyAccess::Read.scope() || scope == KeyAccess::Write.scope();
    if scopes.is_empty() || !scopes.iter().all(|scope| own(scope.as_str())) {
        return Err(InvalidInput("an administrator's scopes are [\"keys:read\"] or [\"keys:write\"]".to_owned()));
    }
    Ok(())
}

/// A grant: this email may open this region's console with these scopes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Administrator {
    pub id: AdministratorId,
    pub region_id: RegionId,
    pub email: Email,
    /// `["keys:read"]` or `["keys:write"]`.
    pub scopes: Scopes,
    pub created_at: DateTime<Utc>,
}

/// `POST /auth/region/administrators`: whom to grant, and what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAdministrator {
    /// The email the identity provider verifies for the person.
    pub email: Email,
    /// `["keys:read"]` or `["keys:write"]`; never more than the granter holds.
    pub scopes: Scopes,
}

/// A person the identity provider vouched for: its stable `sub`, the email
/// it verified, and a name to show if it gave one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub email: Email,
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Person {
    /// The name if the provider gave one, otherwise the email.
    pub fn shown(&self) -> &str {
        self.name.as_deref().filter(|name| !name.trim().is_empty()).unwrap_or(self.email.as_str())
    }
}

/// The person a console session belongs to, and what their grant allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedInPerson {
    #[serde(flatten)]
    pub person: Person,
    pub scopes: Scopes,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_compare_in_lower_case_and_must_look_like_one() {
        assert_eq!(Email::parse(" Ann@Example.ORG ").unwrap().as_str(), "ann@example.org");
        for bad in ["", "ann", "@example.org", "ann@", "a b@example.org", "a@b@c"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_keywards_own_scopes_are_granted_to_people() {
        let parse = |texts: &[&str]| Scopes::parse(texts.iter().copied()).unwrap();
        assert!(check_administrator_scopes(&parse(&["keys:write"])).is_ok());
        assert!(check_administrator_scopes(&parse(&["keys:read"])).is_ok());
        for bad in [&[][..], &["*"], &["orders:read"], &["keys:read", "orders:read"]] {
            assert!(check_administrator_scopes(&parse(bad)).is_err(), "{bad:?}");
        }
    }
}
