//! Everything a domain operation can refuse or fail with. Each variant has
//! a [`ErrorKind`] (what the edges map to their own terms) and a stable
//! [`ProblemCode`] ([`Error::code`]); its `Display` text is what people are shown.

use std::time::Duration;

use crate::model::{ErrorKind, IdKind, InvalidId, InvalidInput, KeyAccess, LimitStatus, ProblemCode};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No key, a malformed key, an unknown key or a wrong secret. One
    /// message for all, so a caller learns nothing about which it was.
    #[error("a valid API key is required")]
    Unauthenticated,

    /// The right key, but its scheduled revocation came due (it is deleted
    /// shortly after; then it is as unknown as any other).
    #[error("this API key was revoked")]
    Revoked,

    /// The right key, but it was found in public and is quarantined.
    #[error("this API key was found in public and is quarantined; it no longer works")]
    Quarantined,

    /// A quarantined key can only be deleted (or rotated away).
    #[error("this API key is quarantined for good: it can only be deleted, or replaced with the rotation wizard")]
    QuarantineIsFinal,

    /// Too many failed attempts for this key or from this address; argon2
    /// does not run until the window passes.
    #[error("too many failed attempts; try again in {} s", whole_seconds(*retry_after))]
    Throttled { retry_after: Duration },

    /// Too much of something in too short a time (new keys in a region,
    /// leak reports from an address); `what` says which.
    #[error("{what}; try again in {} s", whole_seconds(*retry_after))]
    Paced { retry_after: Duration, what: &'static str },

    /// Too much work of this kind is waiting (public leak reports); nothing
    /// was taken, the same request may succeed after `retry_after`.
    #[error("{what}; try again in {} s", whole_seconds(*retry_after))]
    Busy { retry_after: Duration, what: &'static str },

    /// Over one of the key's or its owner's rate limits; `limit` says
    /// which and when its period ends.
    #[error("this API key is over its rate limit {:?}; try again in {} s", .limit.name.as_str(), .limit.reset_s.max(1))]
    RateLimited { limit: LimitStatus },

    /// The key's or its owner's credits are spent; `retry_after` is the
    /// next refill, when there is one.
    #[error("this API key has no credits left")]
    CreditsExhausted { retry_after: Option<Duration> },

    /// The key may not be used from the client's address.
    #[error("this API key may not be used from this network")]
    NetworkNotAllowed,

    /// A key bound by a policy tried to give a looser one.
    #[error(
        "an API key can only give a policy as tight as its own: its owner, rate limits at least as strict, no more credits, networks within its own"
    )]
    PolicyEscalation,

    /// A key tried to change its own policy: it could lock itself (and a
    /// region whose last managing key it is) out.
    #[error(
        "an API key cannot change its own owner, rate limits, credits or networks; change them with another key that holds keys:write"
    )]
    OwnPolicy,

    /// No such owner in the caller's region.
    #[error("no owner with this id in your region")]
    OwnerNotFound,

    /// No such webhook endpoint (or message of it) in the caller's region.
    #[error("no webhook endpoint or message with this id in your region")]
    WebhookNotFound,

    /// A webhook URL whose scheme or addresses the operator does not allow.
    #[error("{0}")]
    WebhookUrlNotAllowed(String),

    /// An owner with keys cannot be deleted.
    #[error("this owner still has {keys} API keys; delete them or move them to another owner first")]
    OwnerHasKeys { keys: u64 },

    /// External ids are unique in a region.
    #[error("an owner with the external_id {0:?} already exists in this region")]
    ExternalIdTaken(String),

    /// The caller's key lacks the scope this needs.
    #[error("this API key lacks the scope {}", .0.scope())]
    InsufficientScope(KeyAccess),

    /// A key tried to give a scope it does not hold itself.
    #[error("an API key can only grant scopes it holds itself")]
    ScopeEscalation,

    /// The caller's key was re-scoped while its request was in flight.
    #[error("this API key's scopes changed while the request ran; nothing was changed, try again")]
    ScopesChanged,

    /// The caller named a region that is not its own.
    #[error("this API key belongs to another region")]
    ForeignRegion,

    /// No such key in the caller's region (also for other regions' keys).
    #[error("no API key with this id in your region")]
    KeyNotFound,

    /// The change would leave the region without a key that can manage
    /// its keys (`keys:write`, neither scheduled for revocation nor quarantined).
    #[error(
        "this is the region's last key that can manage keys (keys:write, neither scheduled for revocation nor quarantined); create another first"
    )]
    LastKey,

    /// The region holds as many keys as it may.
    #[error("this region holds its maximum of {max} API keys; delete one before creating another")]
    KeyLimit { max: u64 },

    /// The region already has an unfinished rotation.
    #[error("a rotation is already in progress in this region; finish or cancel it first")]
    RotationInProgress,

    /// No rotation in progress with this id in the caller's region (also
    /// for finished ones and other regions' ids).
    #[error("this rotation is not in progress: it was finished or cancelled, or its new key was deleted")]
    RotationNotFound,

    /// No such administrator grant in the caller's region (also for other regions' ids).
    #[error("no administrator with this id in your region")]
    AdministratorNotFound,

    /// One grant per email and region.
    #[error("{0} is already an administrator of this region")]
    AdministratorExists(String),

    /// The identity provider vouched for the person, but no region grants them the console.
    #[error("you signed in as {0}, but no region lets this account into the console; ask an administrator to grant it")]
    NotAnAdministrator(String),

    /// An OpenID Connect sign-in that did not hold; the text says why, in words for people.
    #[error("sign-in failed: {0}")]
    SignInRefused(String),

    /// The input broke a rule; the text says which.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),

    /// The operator named a region by an id or name that no region has.
    #[error("no region with the id or name {0:?}")]
    RegionNotFound(String),

    /// Region names are unique.
    #[error("a region named {0:?} already exists")]
    RegionNameTaken(String),

    /// The database cannot be reached (down, restarting, cut off): nothing
    /// was changed, and the same request may succeed shortly.
    #[error("the database does not answer; try again shortly")]
    Unavailable(#[source] sea_orm::DbErr),

    /// The database failed. Logged, never shown to clients.
    #[error("database error")]
    Database(#[source] sea_orm::DbErr),

    /// Hashing or the blocking pool failed. Logged, never shown to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Unauthenticated | Self::Revoked | Self::Quarantined | Self::SignInRefused(_) => {
                ErrorKind::Unauthenticated
            }
            Self::Throttled { .. } | Self::Paced { .. } | Self::RateLimited { .. } | Self::CreditsExhausted { .. } => {
                ErrorKind::Throttled
            }
            Self::ForeignRegion
            | Self::InsufficientScope(_)
            | Self::ScopeEscalation
            | Self::PolicyEscalation
            | Self::OwnPolicy
            | Self::NotAnAdministrator(_)
            | Self::NetworkNotAllowed => ErrorKind::Forbidden,
            Self::KeyNotFound
            | Self::RotationNotFound
            | Self::RegionNotFound(_)
            | Self::OwnerNotFound
            | Self::AdministratorNotFound
            | Self::WebhookNotFound => ErrorKind::NotFound,
            Self::LastKey
            | Self::RotationInProgress
            | Self::RegionNameTaken(_)
            | Self::ScopesChanged
            | Self::QuarantineIsFinal
            | Self::KeyLimit { .. }
            | Self::OwnerHasKeys { .. }
            | Self::AdministratorExists(_)
            | Self::ExternalIdTaken(_) => ErrorKind::Conflict,
            Self::Invalid(_) | Self::WebhookUrlNotAllowed(_) => ErrorKind::Invalid,
            Self::Unavailable(_) | Self::Busy { .. } => ErrorKind::Unavailable,
            Self::Database(_) | Self::Internal(_) => ErrorKind::Internal,
        }
    }

    /// Stable and machine-readable, e.g. [`ProblemCode::LastApiKey`]: the
    /// REST API's problem type ends with its slug.
    pub fn code(&self) -> ProblemCode {
        match self {
            Self::Unauthenticated => ProblemCode::Unauthenticated,
            Self::Revoked => ProblemCode::ApiKeyRevoked,
            Self::Quarantined => ProblemCode::ApiKeyQuarantined,
            Self::QuarantineIsFinal => ProblemCode::QuarantineIsFinal,
            Self::Throttled { .. } | Self::Paced { .. } => ProblemCode::Throttled,
            Self::RateLimited { .. } => ProblemCode::RateLimited,
            Self::CreditsExhausted { .. } => ProblemCode::CreditsExhausted,
            Self::NetworkNotAllowed => ProblemCode::NetworkNotAllowed,
            Self::PolicyEscalation => ProblemCode::PolicyEscalation,
            Self::OwnPolicy => ProblemCode::OwnPolicy,
            Self::OwnerNotFound => ProblemCode::OwnerNotFound,
            Self::AdministratorNotFound => ProblemCode::AdministratorNotFound,
            Self::AdministratorExists(_) => ProblemCode::AdministratorExists,
            Self::NotAnAdministrator(_) => ProblemCode::NotAnAdministrator,
            Self::SignInRefused(_) => ProblemCode::SignInRefused,
            Self::WebhookNotFound => ProblemCode::WebhookNotFound,
            Self::WebhookUrlNotAllowed(_) => ProblemCode::WebhookUrlNotAllowed,
            Self::OwnerHasKeys { .. } => ProblemCode::OwnerHasKeys,
            Self::ExternalIdTaken(_) => ProblemCode::ExternalIdTaken,
            Self::InsufficientScope(_) => ProblemCode::InsufficientScope,
            Self::ScopeEscalation => ProblemCode::ScopeEscalation,
            Self::ScopesChanged => ProblemCode::ApiKeyScopesChanged,
            Self::ForeignRegion => ProblemCode::ForeignRegion,
            Self::KeyNotFound => ProblemCode::ApiKeyNotFound,
            Self::LastKey => ProblemCode::LastApiKey,
            Self::KeyLimit { .. } => ProblemCode::KeyLimitReached,
            Self::RotationInProgress => ProblemCode::RotationInProgress,
            Self::RotationNotFound => ProblemCode::RotationNotFound,
            Self::Invalid(_) => ProblemCode::InvalidInput,
            Self::RegionNameTaken(_) => ProblemCode::RegionNameTaken,
            Self::RegionNotFound(_) => ProblemCode::RegionNotFound,
            Self::Unavailable(_) => ProblemCode::DatabaseUnavailable,
            Self::Busy { .. } => ProblemCode::Busy,
            Self::Database(_) | Self::Internal(_) => ProblemCode::InternalError,
        }
    }

    /// How long a throttled client should wait, in the whole seconds every
    /// refusal states.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::Throttled { retry_after } | Self::Paced { retry_after, .. } | Self::Busy { retry_after, .. } => {
                Some(whole_seconds(*retry_after))
            }
            Self::RateLimited { limit } => Some(limit.reset_s.max(1)),
            Self::CreditsExhausted { retry_after } => retry_after.map(whole_seconds),
            Self::Unavailable(_) => Some(1),
            _ => None,
        }
    }

    /// What a key's use counts as when this answers it: refused for a scope
    /// the key lacks, or accepted (any other answer, a 404 or 409 too,
    /// still used the key). See [`crate::KeyUse`].
    pub fn use_outcome(&self) -> crate::model::UseOutcome {
        match self {
            Self::InsufficientScope(_) => crate::model::UseOutcome::InsufficientScope,
            _ => crate::model::UseOutcome::Accepted,
        }
    }
}

/// A database error that means the database cannot be reached is
/// [`Error::Unavailable`]; any other is a failure.
impl From<sea_orm::DbErr> for Error {
    fn from(error: sea_orm::DbErr) -> Self {
        if is_unreachable(&error) { Self::Unavailable(error) } else { Self::Database(error) }
    }
}

fn is_unreachable(error: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};
    let sqlx = match error {
        // No connection could be had or made at all.
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => error,
        _ => return false,
    };
    match &**sqlx {
        Sqlx::Io(_) | Sqlx::Tls(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
        // Postgres: connection exceptions (08) and operator intervention (57P: shutdown, restart).
        Sqlx::Database(error) => error.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

/// A malformed id names no row: answered as the "not found" of its kind (a
/// region that cannot be the caller's is another region).
impl From<InvalidId> for Error {
    fn from(invalid: InvalidId) -> Self {
        match invalid.kind {
            IdKind::ApiKey => Self::KeyNotFound,
            IdKind::Rotation => Self::RotationNotFound,
            IdKind::Region => Self::ForeignRegion,
            IdKind::Owner => Self::OwnerNotFound,
            IdKind::Webhook | IdKind::Message => Self::WebhookNotFound,
            IdKind::Administrator => Self::AdministratorNotFound,
        }
    }
}

/// Rounded up, never 0, so a client that waits what it was told is heard.
pub(crate) fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_round_up_to_whole_seconds_never_zero() {
        assert_eq!(whole_seconds(Duration::ZERO), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::from_secs(59)), 59);
        assert_eq!(whole_seconds(Duration::from_millis(59_001)), 60);
    }

    #[test]
    fn an_unreachable_database_is_unavailable_and_other_failures_are_not() {
        let unreachable = Error::from(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::Internal("refused".to_owned())));
        assert_eq!((unreachable.kind(), unreachable.retry_after_secs()), (ErrorKind::Unavailable, Some(1)));
        let failed = Error::from(sea_orm::DbErr::Custom("constraint".to_owned()));
        assert_eq!(failed.kind(), ErrorKind::Internal);
    }

    #[test]
    fn throttling_states_the_wait_it_reports() {
        let throttled = Error::Throttled { retry_after: Duration::from_millis(1500) };
        assert_eq!(throttled.retry_after_secs(), Some(2));
        assert_eq!(throttled.to_string(), "too many failed attempts; try again in 2 s");
    }
}
