//! A region's API keys as they leave the domain: REST bodies, server
//! function results and CLI output all use these, so a token can only ever
//! travel in [`CreatedApiKey`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::KeyId;

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
}

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
