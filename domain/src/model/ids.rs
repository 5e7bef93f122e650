//! Row ids as types: a prefix naming the kind of row and 16 base62
//! characters from the OS CSPRNG (about 95 bits). Clients treat them as
//! opaque strings; the edges parse them once, so a function that takes a
//! [`KeyId`] cannot be handed a region's id, and a malformed id never
//! reaches a query (Postgres refuses some strings outright, such as a NUL
//! byte, which would turn a client's typo into a 500).

use std::fmt;

use serde::{Deserialize, Serialize};

/// How many random base62 characters follow an id's prefix.
pub const ID_RANDOM_LEN: usize = 16;

/// What every id type shares: its prefix and how it parses.
pub trait RowId: TryFrom<String, Error = InvalidId> {
    const PREFIX: &'static str;
}

/// Which kind of id failed to parse; the domain answers it as "no such
/// row" of that kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    Region,
    ApiKey,
    Rotation,
    Owner,
    Webhook,
    Message,
    Administrator,
}

/// A string that is no id of the expected kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a well-formed {kind:?} id")]
pub struct InvalidId {
    pub kind: IdKind,
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $pattern:literal, $kind:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[cfg_attr(feature = "service", derive(sea_orm::DeriveValueType))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = $pattern, example = json!(concat!($prefix, "7QmX0c2LrT9aBf3e"))))]
        pub struct $name(String);

        impl RowId for $name {
            const PREFIX: &'static str = $prefix;
        }

        impl $name {
            /// Parses untrusted input: the prefix and 16 base62 characters.
            pub fn parse(text: &str) -> Result<Self, InvalidId> {
                let well_formed = text.strip_prefix($prefix).is_some_and(|rest| {
                    rest.len() == ID_RANDOM_LEN && rest.bytes().all(|b| b.is_ascii_alphanumeric())
                });
                if well_formed { Ok(Self(text.to_owned())) } else { Err(InvalidId { kind: $kind }) }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        /// Ids are drawn at random, never counted by the database.
        #[cfg(feature = "service")]
        impl sea_orm::TryFromU64 for $name {
            fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
                Err(sea_orm::DbErr::ConvertFromU64(stringify!($name)))
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;

            fn try_from(text: String) -> Result<Self, InvalidId> {
                Self::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
    };
}

id_type!(
    /// A region's id, e.g. `reg_Ab3dE5gH7jK9mN1p`.
    RegionId,
    "reg_",
    "^reg_[0-9A-Za-z]{16}$",
    IdKind::Region
);
id_type!(
    /// An API key's id, e.g. `key_7QmX0c2LrT9aBf3e` (not its token).
    KeyId,
    "key_",
    "^key_[0-9A-Za-z]{16}$",
    IdKind::ApiKey
);
id_type!(
    /// A key rotation's id, e.g. `rot_9ZxY8wV7uT6sR5qP`.
    RotationId,
    "rot_",
    "^rot_[0-9A-Za-z]{16}$",
    IdKind::Rotation
);

id_type!(
    /// An owner's id, e.g. `own_3hT9k9FqZxY8wV7u`.
    OwnerId,
    "own_",
    "^own_[0-9A-Za-z]{16}$",
    IdKind::Owner
);

id_type!(
    /// A webhook endpoint's id, e.g. `whk_3hT9k9FqZxY8wV7u`.
    WebhookId,
    "whk_",
    "^whk_[0-9A-Za-z]{16}$",
    IdKind::Webhook
);
id_type!(
    /// An administrator's grant in a region, e.g. `adm_3hT9k9FqZxY8wV7u`.
    AdministratorId,
    "adm_",
    "^adm_[0-9A-Za-z]{16}$",
    IdKind::Administrator
);
id_type!(
    /// A webhook message's id, its `webhook-id` on every attempt, e.g. `msg_3hT9k9FqZxY8wV7u`.
    MessageId,
    "msg_",
    "^msg_[0-9A-Za-z]{16}$",
    IdKind::Message
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_their_own_kind_only() {
        let id = KeyId::parse("key_aaaaaaaaaaaaaaaa").unwrap();
        assert_eq!(id.as_str(), "key_aaaaaaaaaaaaaaaa");
        assert_eq!(RotationId::parse(id.as_str()), Err(InvalidId { kind: IdKind::Rotation }));
        for malformed in
            ["", "key_", "key_\0aaaaaaaaaaaaaaa", "key_aaaaaaaaaaaaaaaaa", "key_aaaaaaaaaaaaaa-a", "nonsense"]
        {
            assert!(KeyId::parse(malformed).is_err(), "{malformed:?}");
        }
    }

    #[test]
    fn ids_travel_as_plain_strings_and_are_checked_on_arrival() {
        let id = RegionId::parse("reg_Ab3dE5gH7jK9mN1p").unwrap();
        assert_eq!(serde_json::to_value(&id).unwrap(), "reg_Ab3dE5gH7jK9mN1p");
        assert_eq!(serde_json::from_value::<RegionId>("reg_Ab3dE5gH7jK9mN1p".into()).unwrap(), id);
        assert!(serde_json::from_value::<RegionId>("key_Ab3dE5gH7jK9mN1p".into()).is_err());
    }
}
