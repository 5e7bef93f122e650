//! A key rotation as it leaves the domain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{KeyId, RotationId};
use super::keys::CreatedApiKey;

/// An unfinished key rotation: a new key was created to replace an old one,
/// and the old one is still to be deleted. At most one per region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    pub id: RotationId,
    /// `None` when the old key was already deleted (e.g. through the REST API).
    pub old_key_id: Option<KeyId>,
    pub new_key_id: KeyId,
    pub started_at: DateTime<Utc>,
}

/// A rotation just started, with the new key's token (shown this once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartedRotation {
    pub rotation: Rotation,
    pub new_key: CreatedApiKey,
}

/// When a finished rotation's old key stops working: at once, or after a
/// grace period counted by the server's clock from the moment it finishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OldKeyRevocation {
    Now,
    AfterHours(u16),
}

/// What becomes of the console session that finishes a rotation: asked
/// for by the administrator, answered with what happened. It matters only
/// when the session signed in with the old key, which finishing deletes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionAfterRotation {
    /// Still signed in (moved to the new key if it used the old one).
    SignedIn,
    /// The session used the old key and ended with it.
    SignedOut,
}
