//! The answer to "may this key do this?", as `/auth/check` and
//! `/auth/verify` give it: allowed with what the key is, or refused with
//! why. Nothing in between can be built.

use serde::{Deserialize, Serialize};

use super::error_kind::ErrorKind;
use super::ids::{KeyId, RegionId};
use super::owners::OwnerIdentity;
use super::policy::{Credits, LimitStatus, Meta};
use super::problem::ProblemCode;
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
    /// Over a rate limit; `retry_after` says when its period ends.
    RateLimited,
    /// No credits left; `retry_after` is the next refill, if any.
    CreditsExhausted,
    /// Not from a network the key may be used from.
    NetworkNotAllowed,
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
            Self::RateLimited => "rate_limited",
            Self::CreditsExhausted => "credits_exhausted",
            Self::NetworkNotAllowed => "network_not_allowed",
        }
    }
}

/// The verdict on a presented key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "VerdictBody", try_from = "VerdictBody")]
pub enum Verdict {
    /// The key may: here is what it is.
    Allowed(Grant),
    /// The key may not, and why.
    Refused(Refusal),
}

/// What an accepted key is, all of it: a proxy copies these onward, so
/// none may be missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub region_id: RegionId,
    pub key_id: KeyId,
    pub sandbox: bool,
    pub scopes: Scopes,
    /// Whose key it is, if anyone's.
    pub owner: Option<OwnerIdentity>,
    /// The key's own meta.
    pub meta: Meta,
    /// Every limit the key and its owner hold, after this request.
    pub rate_limits: Vec<LimitStatus>,
    /// The tightest credits (the key's or its owner's) after this request;
    /// `None`: unlimited.
    pub credits: Option<Credits>,
}

/// Why a presented key was refused, worded for the problem+json `detail`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No key was presented.
    #[error("an API key is required")]
    Missing,
    /// Malformed, unknown, or a wrong secret (also a deleted key's token).
    #[error("a valid API key is required")]
    Invalid,
    /// The right secret of a key whose scheduled revocation came due.
    #[error("this API key was revoked")]
    Revoked,
    /// The right secret of a key that was found in public.
    #[error("this API key was found in public and is quarantined")]
    Quarantined,
    /// A valid key without a required scope.
    #[error("this API key lacks a scope this request requires")]
    InsufficientScope,
    /// Too many failed attempts: try again in `retry_after` seconds.
    #[error("too many failed attempts; try again later")]
    Throttled { retry_after: u64 },
    /// Over the rate limit `limit`, until its period ends.
    #[error("this API key is over its rate limit; try again later")]
    RateLimited { limit: LimitStatus },
    /// No credits left; `retry_after` is the next refill, if any.
    #[error("this API key has no credits left")]
    CreditsExhausted { retry_after: Option<u64> },
    /// Not from a network the key may be used from.
    #[error("this API key may not be used from this network")]
    NetworkNotAllowed,
}

impl Refusal {
    /// The word `/auth/verify` answers with and `X-Keyward-Code` carries.
    pub fn code(&self) -> VerdictCode {
        match self {
            Self::RateLimited { .. } => VerdictCode::RateLimited,
            Self::CreditsExhausted { .. } => VerdictCode::CreditsExhausted,
            Self::NetworkNotAllowed => VerdictCode::NetworkNotAllowed,
            Self::Missing => VerdictCode::Missing,
            Self::Invalid => VerdictCode::Invalid,
            Self::Revoked => VerdictCode::Revoked,
            Self::Quarantined => VerdictCode::Quarantined,
            Self::InsufficientScope => VerdictCode::InsufficientScope,
            Self::Throttled { .. } => VerdictCode::Throttled,
        }
    }

    /// The problem type of `/auth/check`'s refusal.
    pub fn problem(&self) -> ProblemCode {
        match self {
            Self::RateLimited { .. } => ProblemCode::RateLimited,
            Self::CreditsExhausted { .. } => ProblemCode::CreditsExhausted,
            Self::NetworkNotAllowed => ProblemCode::NetworkNotAllowed,
            Self::Missing => ProblemCode::Missing,
            Self::Invalid => ProblemCode::Invalid,
            Self::Revoked => ProblemCode::Revoked,
            Self::Quarantined => ProblemCode::Quarantined,
            Self::InsufficientScope => ProblemCode::InsufficientScope,
            Self::Throttled { .. } => ProblemCode::Throttled,
        }
    }

    /// The kind of refusal, which fixes its HTTP status as for every other.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Missing | Self::Invalid | Self::Revoked | Self::Quarantined => ErrorKind::Unauthenticated,
            Self::InsufficientScope | Self::NetworkNotAllowed => ErrorKind::Forbidden,
            Self::Throttled { .. } | Self::RateLimited { .. } | Self::CreditsExhausted { .. } => ErrorKind::Throttled,
        }
    }

    /// Seconds to wait before trying again, when throttled.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Throttled { retry_after } => Some(*retry_after),
            Self::RateLimited { limit } => Some(limit.reset_s.max(1)),
            Self::CreditsExhausted { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// The limit a rate-limited refusal is over, in the body's `rate_limits`.
    fn limits(&self) -> Option<Vec<LimitStatus>> {
        match self {
            Self::RateLimited { limit } => Some(vec![limit.clone()]),
            _ => None,
        }
    }

    /// The refusal a verdict with this code is; `None` for `valid`, and for
    /// `throttled` without its wait, or `rate_limited` without its limit.
    fn from_code(code: VerdictCode, retry_after: Option<u64>, limits: Option<Vec<LimitStatus>>) -> Option<Self> {
        Some(match code {
            VerdictCode::Valid => return None,
            VerdictCode::RateLimited => match limits.as_deref() {
                Some([limit]) => Self::RateLimited { limit: limit.clone() },
                _ => return None,
            },
            VerdictCode::CreditsExhausted => Self::CreditsExhausted { retry_after },
            VerdictCode::NetworkNotAllowed => Self::NetworkNotAllowed,
            VerdictCode::Missing => Self::Missing,
            VerdictCode::Invalid => Self::Invalid,
            VerdictCode::Revoked => Self::Revoked,
            VerdictCode::Quarantined => Self::Quarantined,
            VerdictCode::InsufficientScope => Self::InsufficientScope,
            VerdictCode::Throttled => Self::Throttled { retry_after: retry_after? },
        })
    }
}

impl Verdict {
    /// The word `/auth/verify` answers with.
    pub fn code(&self) -> VerdictCode {
        match self {
            Self::Allowed(_) => VerdictCode::Valid,
            Self::Refused(refusal) => refusal.code(),
        }
    }
}

// The verdict as `/auth/verify` sends it (and the OpenAPI document names it
// `Verdict`): one flat object whose absent fields are `null`.
/// The verdict on a presented key. The key's details are present only when
/// it was accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Verdict))]
pub struct VerdictBody {
    pub valid: bool,
    pub code: VerdictCode,
    pub region_id: Option<RegionId>,
    pub key_id: Option<KeyId>,
    pub sandbox: Option<bool>,
    pub scopes: Option<Scopes>,
    /// Whose key it is (`null` also for a key without an owner).
    pub owner: Option<OwnerIdentity>,
    /// The key's meta, when valid.
    pub meta: Option<Meta>,
    /// When valid: every limit of the key and its owner after this request.
    /// When `rate_limited`: the limit it is over.
    pub rate_limits: Option<Vec<LimitStatus>>,
    /// When valid: the tightest credits after this request (`null`:
    /// unlimited).
    pub credits: Option<Credits>,
    /// Seconds to wait before trying again: when throttled or rate limited,
    /// and when out of credits until the next refill.
    pub retry_after: Option<u64>,
}

impl From<Verdict> for VerdictBody {
    fn from(verdict: Verdict) -> Self {
        let code = verdict.code();
        match verdict {
            Verdict::Allowed(Grant { region_id, key_id, sandbox, scopes, owner, meta, rate_limits, credits }) => Self {
                valid: true,
                code,
                region_id: Some(region_id),
                key_id: Some(key_id),
                sandbox: Some(sandbox),
                scopes: Some(scopes),
                owner,
                meta: Some(meta),
                rate_limits: Some(rate_limits),
                credits,
                retry_after: None,
            },
            Verdict::Refused(refusal) => Self {
                valid: false,
                code,
                region_id: None,
                key_id: None,
                sandbox: None,
                scopes: None,
                owner: None,
                meta: None,
                rate_limits: refusal.limits(),
                credits: None,
                retry_after: refusal.retry_after(),
            },
        }
    }
}

/// A body that is not exactly one of the two shapes.
#[derive(Debug, thiserror::Error)]
#[error("a verdict is either valid with all of the key's details, or refused with none of them")]
pub struct ImpossibleVerdict;

impl TryFrom<VerdictBody> for Verdict {
    type Error = ImpossibleVerdict;

    fn try_from(body: VerdictBody) -> Result<Self, ImpossibleVerdict> {
        let VerdictBody {
            valid,
            code,
            region_id,
            key_id,
            sandbox,
            scopes,
            owner,
            meta,
            rate_limits,
            credits,
            retry_after,
        } = body;
        match (valid, code, region_id, key_id, sandbox, scopes, meta, rate_limits, retry_after) {
            (
                true,
                VerdictCode::Valid,
                Some(region_id),
                Some(key_id),
                Some(sandbox),
                Some(scopes),
                Some(meta),
                Some(rate_limits),
                None,
            ) => Ok(Self::Allowed(Grant { region_id, key_id, sandbox, scopes, owner, meta, rate_limits, credits })),
            (false, code, None, None, None, None, None, limits, retry_after)
                if owner.is_none() && credits.is_none() =>
            {
                match Refusal::from_code(code, retry_after, limits.clone()) {
                    Some(refusal) if refusal.retry_after() == retry_after && refusal.limits() == limits => {
                        Ok(Self::Refused(refusal))
                    }
                    _ => Err(ImpossibleVerdict),
                }
            }
            _ => Err(ImpossibleVerdict),
        }
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

    #[test]
    fn a_refusal_travels_with_nulls_and_its_wait_only_when_throttled() {
        let throttled = Verdict::Refused(Refusal::Throttled { retry_after: 3 });
        let json = serde_json::json!({"valid": false, "code": "throttled", "region_id": null, "key_id": null,
            "sandbox": null, "scopes": null, "owner": null, "meta": null, "rate_limits": null, "credits": null,
            "retry_after": 3});
        assert_eq!(serde_json::to_value(&throttled).unwrap(), json);
        assert_eq!(serde_json::from_value::<Verdict>(json).unwrap(), throttled);
        let revoked = serde_json::to_value(Verdict::Refused(Refusal::Revoked)).unwrap();
        assert_eq!((&revoked["code"], &revoked["retry_after"]), (&"revoked".into(), &serde_json::Value::Null));
    }

    #[test]
    fn impossible_verdicts_do_not_decode() {
        let refused = |code: &str, retry_after: Option<u64>| {
            serde_json::json!({"valid": false, "code": code, "region_id": null, "key_id": null, "sandbox": null,
                "scopes": null, "owner": null, "meta": null, "rate_limits": null, "credits": null,
                "retry_after": retry_after})
        };
        for impossible in [
            serde_json::json!({"valid": true, "code": "valid", "region_id": null, "key_id": null, "sandbox": null,
                "scopes": null, "owner": null, "meta": null, "rate_limits": null, "credits": null, "retry_after": null}),
            refused("rate_limited", Some(3)),
            refused("valid", None),
            refused("throttled", None),
            refused("invalid", Some(3)),
        ] {
            assert!(serde_json::from_value::<Verdict>(impossible.clone()).is_err(), "{impossible}");
        }
    }
}
