use std::time::Duration;

use crate::refusals;

/// Everything a domain operation can refuse or fail with. Each variant names
/// the HTTP status the REST layer gives it; the console and the CLI show the
/// same `Display` text.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 401: no key, a malformed key, an unknown key or a wrong secret. One
    /// message for all, so a caller learns nothing about which it was.
    #[error("a valid API key is required")]
    Unauthenticated,

    /// 429 with `Retry-After`: too many failed attempts for this key or from
    /// this address; argon2 does not run until the window passes.
    #[error("{}", refusals::throttled(refusals::whole_seconds(*retry_after)))]
    Throttled { retry_after: Duration },

    /// 403: the caller named a region that is not its own.
    #[error("this API key belongs to another region")]
    ForeignRegion,

    /// 404: no such key in the caller's region (also for other regions' keys,
    /// so ids leak nothing).
    #[error("no API key with this id in your region")]
    KeyNotFound,

    /// 409: deleting this key would leave the region without one.
    #[error("{}", refusals::LAST_KEY)]
    LastKey,

    /// 409: the region already has an unfinished rotation.
    #[error("{}", refusals::ROTATION_IN_PROGRESS)]
    RotationInProgress,

    /// 404: no rotation in progress with this id in the caller's region
    /// (also for finished ones and other regions' ids).
    #[error("{}", refusals::ROTATION_NOT_FOUND)]
    RotationNotFound,

    /// 422: the input broke a rule; the text says which.
    #[error("{0}")]
    Invalid(String),

    /// 409: region names are unique.
    #[error("a region named {0:?} already exists")]
    RegionNameTaken(String),

    /// 500: the database failed. Logged, never shown.
    #[error("database error")]
    Database(#[from] sea_orm::DbErr),

    /// 500: hashing or the blocking pool failed. Logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
