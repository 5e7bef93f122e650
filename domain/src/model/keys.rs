//! A region's API keys as they leave the domain: REST bodies, server
//! function results and CLI output all use these, so a token can only ever
//! travel in [`CreatedApiKey`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{KeyId, OwnerId};
use super::leaks::Quarantine;
use super::policy::{AllowedNetworks, Budget, Credits, KeyPolicy, Meta, RateLimits};
use super::scope::Scopes;
use super::text::Description;

/// A key as anyone may see it: never the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKey {
    pub id: KeyId,
    /// Prefix, start of the public lookup part and last characters, e.g. `kw_live_3hT9…k9Fq`.
    pub token_preview: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Recorded off the request path; lags real use by a few seconds at most.
    pub last_used_at: Option<DateTime<Utc>>,
    /// What the key may do; `["*"]` is everything.
    pub scopes: Scopes,
    /// When the key stops working, if that is scheduled; `null`: never.
    pub revoke_at: Option<DateTime<Utc>>,
    /// Set when the key was found in public: it is refused for good.
    pub quarantine: Option<Quarantine>,
    /// Whose key this is; the owner's limits and credits bind it too.
    pub owner_id: Option<OwnerId>,
    /// Free-form facts for the protected API, answered by `/auth/verify`.
    pub meta: Meta,
    /// The key's own limits, besides its owner's.
    pub rate_limits: RateLimits,
    /// The key's own credits, besides its owner's; `null`: unlimited.
    /// `remaining` leaves out the few credits serving processes took and
    /// have not spent yet.
    pub credits: Option<Credits>,
    /// Where the key may be used from; empty: anywhere.
    pub allowed_networks: AllowedNetworks,
}

impl ApiKey {
    /// The key's policy, as a rotation copies it to its new key.
    pub fn policy(&self) -> KeyPolicy {
        KeyPolicy {
            owner_id: self.owner_id.clone(),
            meta: self.meta.clone(),
            rate_limits: self.rate_limits.clone(),
            credits: self.credits,
            allowed_networks: self.allowed_networks.clone(),
        }
    }
}

/// What a new key is given; absent scopes are the creator's own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewKey {
    pub description: Option<Description>,
    pub scopes: Option<Scopes>,
    pub policy: KeyPolicy,
}

impl NewKey {
    /// A key with `description` and `scopes`, and no policy.
    pub fn new(description: Option<Description>, scopes: Option<Scopes>) -> Self {
        Self { description, scopes, policy: KeyPolicy::default() }
    }
}

impl KeyPolicy {
    pub fn budget(&self) -> Budget {
        Budget { rate_limits: self.rate_limits.clone(), credits: self.credits }
    }
}

/// How far ahead a key's revocation can be scheduled.
pub const REVOKE_AT_MAX_DAYS: i64 = 30;

/// A key just created: the only value that ever carries the full token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// The full token. Shown exactly once: store it now.
    pub token: String,
}

impl std::fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedApiKey").field("key", &self.key).finish_non_exhaustive()
    }
}

/// What `PATCH /auth/region/api-keys/{id}` changes; absent fields stay.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyUpdate {
    /// `Some(None)` clears the description.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub description: Option<Option<Description>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Scopes>,
    /// `Some(None)` cancels a scheduled revocation.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub revoke_at: Option<Option<DateTime<Utc>>>,
    /// `Some(None)` takes the key from its owner.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub owner_id: Option<Option<OwnerId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<RateLimits>,
    /// `Some(None)` removes the key's own credits (unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub credits: Option<Option<Credits>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_networks: Option<AllowedNetworks>,
}

/// For a field that may be absent, `null` or a value: present, `null`
/// included, is `Some` (with `#[serde(default)]` for absent).
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl KeyUpdate {
    /// Nothing to change.
    pub fn is_empty(&self) -> bool {
        self.description.is_none() && self.scopes.is_none() && self.revoke_at.is_none() && !self.changes_policy()
    }

    /// Whether this changes whose the key is, its meta, limits, credits or networks.
    pub fn changes_policy(&self) -> bool {
        self.owner_id.is_some()
            || self.meta.is_some()
            || self.rate_limits.is_some()
            || self.credits.is_some()
            || self.allowed_networks.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_keeps_absent_apart_from_null() {
        let cancel = KeyUpdate { revoke_at: Some(None), ..KeyUpdate::default() };
        let wire = serde_json::to_string(&cancel).unwrap();
        assert_eq!(wire, r#"{"revoke_at":null}"#);
        assert_eq!(serde_json::from_str::<KeyUpdate>(&wire).unwrap(), cancel);
        assert!(serde_json::from_str::<KeyUpdate>("{}").unwrap().is_empty());
    }
}
