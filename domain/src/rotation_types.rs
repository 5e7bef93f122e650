//! The shapes of a key rotation, shared with the console (always compiled).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::types::CreatedApiKey;

/// An unfinished key rotation: a new key was created to replace an old one,
/// and the old one is still to be deleted. At most one per region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    pub id: String,
    /// `None` when the old key was already deleted (e.g. through the REST API).
    pub old_key_id: Option<String>,
    pub new_key_id: String,
    pub started_at: DateTime<Utc>,
}

/// A rotation just started, with the new key's token (shown this once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartedRotation {
    pub rotation: Rotation,
    pub new_key: CreatedApiKey,
}

/// How finishing a rotation left the console session that finished it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionAfterRotation {
    /// Still signed in (moved to the new key if it used the old one).
    SignedIn,
    /// The session used the old key and the administrator chose to sign out.
    SignedOut,
}
