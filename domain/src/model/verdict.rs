//! The answer to "may this key do this?", as `/auth/check` and
//! `/auth/verify` give it.

use serde::{Deserialize, Serialize};

use super::ids::{KeyId, RegionId};
use super::scope::Scopes;

/// Why a key was accepted or refused, in the stable words proxies and
/// services branch on (`X-Keyward-Code`, `code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VerdictCode {
    Valid,
    /// No key was presented.
    Missing,
    /// Malformed, unknown, or a wrong secret (also a deleted key's token).
    Invalid,
    /// The right secret of a key whose scheduled revocation came due.
    Revoked,
    /// The right secret of a key that was found in public.
    Quarantined,
    /// A valid key without a required scope.
    InsufficientScope,
    /// Too many failed attempts; `retry_after` says when to try again.
    Throttled,
}

impl VerdictCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Missing => "missing",
            Self::Invalid => "invalid",
            Self::Revoked => "revoked",
            Self::Quarantined => "quarantined",
            Self::InsufficientScope => "insufficient_scope",
            Self::Throttled => "throttled",
        }
    }
}

/// The verdict on a presented key. The key's details are present only when
/// it was accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verdict {
    pub valid: bool,
    pub code: VerdictCode,
    pub region_id: Option<RegionId>,
    pub key_id: Option<KeyId>,
    pub sandbox: Option<bool>,
    pub scopes: Option<Scopes>,
    /// Seconds to wait before trying again, when throttled.
    pub retry_after: Option<u64>,
}

impl Verdict {
    /// A refusal with `code`, and the wait when throttled.
    pub fn refused(code: VerdictCode, retry_after: Option<u64>) -> Self {
        Self { valid: false, code, region_id: None, key_id: None, sandbox: None, scopes: None, retry_after }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_travel_in_their_wire_form() {
        for code in [VerdictCode::Valid, VerdictCode::Revoked, VerdictCode::InsufficientScope, VerdictCode::Throttled] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
