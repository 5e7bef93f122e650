//! Regions (tenants) as they leave the domain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{KeyId, RegionId};
use super::keys::{ApiKey, CreatedApiKey};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Region {
    pub id: RegionId,
    pub name: String,
    /// Sandbox regions get `kw_test_` keys.
    pub sandbox: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Region {
    pub fn environment(&self) -> Environment {
        if self.sandbox { Environment::Sandbox } else { Environment::Live }
    }
}

/// Whether a region serves real traffic or tests; its keys say so in
/// their prefix (`kw_live_` or `kw_test_`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Environment {
    Live,
    Sandbox,
}

/// `GET /auth/regions/me`: the caller's region, all its keys and which key
/// made the call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionOverview {
    #[serde(flatten)]
    pub region: Region,
    pub api_keys: Vec<ApiKey>,
    /// The id of the key that authenticated this request; `null` for a
    /// person signed in to the console.
    pub current_api_key_id: Option<KeyId>,
    /// The person signed in to the console, if a person is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_in_as: Option<super::administrators::SignedInPerson>,
}

/// A region with the count of its keys, for operators (`keyward region list`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionSummary {
    #[serde(flatten)]
    pub region: Region,
    pub api_key_count: u64,
}

/// A new region and its first key (`keyward region create`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedRegion {
    pub region: Region,
    pub api_key: CreatedApiKey,
}

impl Environment {
    pub fn is_sandbox(self) -> bool {
        self == Self::Sandbox
    }
}

/// A region a signed-in person may choose, with what they may do there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRegion {
    pub region: Region,
    pub scopes: super::scope::Scopes,
}
