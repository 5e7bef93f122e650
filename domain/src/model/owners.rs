//! Owners: who keys belong to in the protected API's world (a customer, a
//! team, a service). Every key of an owner shares its limits and credits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::OwnerId;
use super::keys::present;
use super::policy::{Budget, Credits, Meta, RateLimits};
use super::text::{InvalidInput, is_hidden_character};

/// The protected API's own name for an owner: 1 to 128 printable
/// characters, unique in the region.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "service", derive(sea_orm::DeriveValueType))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = json!("customer-4711")))]
pub struct ExternalId(String);

impl ExternalId {
    pub const MAX_CHARS: usize = 128;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ExternalId {
    type Error = InvalidInput;

    fn try_from(text: String) -> Result<Self, InvalidInput> {
        let count = text.chars().count();
        if count == 0 || count > Self::MAX_CHARS {
            return Err(InvalidInput(format!("external_id must be 1 to {} characters", Self::MAX_CHARS)));
        }
        if text.chars().any(|c| c.is_whitespace() && c != ' ' || is_hidden_character(c)) {
            return Err(InvalidInput("external_id must hold printable characters only".to_owned()));
        }
        Ok(Self(text))
    }
}

impl From<ExternalId> for String {
    fn from(id: ExternalId) -> String {
        id.0
    }
}

/// An owner as anyone with `keys:read` may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Owner {
    pub id: OwnerId,
    pub external_id: ExternalId,
    pub meta: Meta,
    /// Shared by every key of this owner.
    pub rate_limits: RateLimits,
    /// Shared by every key of this owner; `null`: unlimited. `remaining`
    /// leaves out the few credits serving processes took and have not spent
    /// yet (at most a tenth of a second's worth each).
    pub credits: Option<Credits>,
    /// How many keys belong to this owner.
    pub key_count: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /auth/region/owners`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(example = json!({"external_id": "customer-4711",
    "meta": {"plan": "pro"}, "rate_limits": [{"name": "per-minute", "limit": 600, "period_s": 60}],
    "credits": {"remaining": 10000, "refill": {"amount": 10000, "interval": "month"}}})))]
#[serde(deny_unknown_fields)]
pub struct NewOwner {
    pub external_id: ExternalId,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = json!({"plan": "pro"})))]
    pub meta: Meta,
    #[serde(default)]
    pub rate_limits: RateLimits,
    #[serde(default)]
    pub credits: Option<Credits>,
}

impl NewOwner {
    pub fn budget(&self) -> Budget {
        Budget { rate_limits: self.rate_limits.clone(), credits: self.credits }
    }
}

/// `PATCH /auth/region/owners/{id}`: absent fields stay.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(example = json!({"meta": {"plan": "enterprise"},
    "credits": {"remaining": 50000, "refill": null}})))]
#[serde(deny_unknown_fields)]
pub struct OwnerUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<ExternalId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = json!({"plan": "pro"})))]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<RateLimits>,
    /// `null` removes the owner's credits (unlimited); a value sets them,
    /// `remaining` included.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Credits>))]
    pub credits: Option<Option<Credits>>,
}

impl OwnerUpdate {
    pub fn is_empty(&self) -> bool {
        self.external_id.is_none() && self.meta.is_none() && self.rate_limits.is_none() && self.credits.is_none()
    }
}

/// The owner an allowed key belongs to, as `/auth/verify` answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnerIdentity {
    pub id: OwnerId,
    pub external_id: ExternalId,
    pub meta: Meta,
}
