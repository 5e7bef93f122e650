//! Reports of leaked tokens, and the quarantine they put a key in.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who reported a leak.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LeakChannel {
    /// GitHub's secret scanning partner program.
    Github,
    /// GitLab's secret detection.
    Gitlab,
    /// Anyone, through `POST /auth/leaks/report`.
    Public,
}

impl LeakChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Github => "github",
            Self::Gitlab => "gitlab",
            Self::Public => "public",
        }
    }
}

/// Where and when a key was found in public. A quarantined key is refused
/// everywhere, for good; only deleting it is left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quarantine {
    pub at: DateTime<Utc>,
    /// Where the scanner found it, e.g. a commit's URL.
    pub url: Option<String>,
    /// What kind of place, e.g. `content` or `commit`.
    pub source: Option<String>,
    pub reported_via: LeakChannel,
}

/// One token a scanner or a person found, as reported.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct LeakedToken {
    pub token: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

/// Redacted: the token may be a live key.
impl fmt::Debug for LeakedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeakedToken").field("url", &self.url).field("source", &self.source).finish_non_exhaustive()
    }
}

/// Whether a reported token is, or was, a key of this Keyward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LeakLabel {
    TruePositive,
    FalsePositive,
}

/// The most tokens one report may carry.
pub const LEAK_BATCH_MAX: usize = 1000;
