//! Keyward's domain: regions own API keys; a region's keys manage the
//! region's keys, and a region never loses its last key. The REST API, the
//! console's server functions and the CLI all call [`Keyward`], so every
//! invariant lives here once.
//!
//! The modules form layers whose imports run one way only (checked by
//! `tests/layers.rs`):
//!
//! ```text
//! model        plain types shared with the browser (wasm-safe)
//!   ^
//! error, clock, caller      leaves: import only `model` and each other
//!   ^
//! credentials  token format, argon2id, verified cache, throttle
//!   ^
//! store        connection, migrations, entities, queries by aggregate
//!   ^
//! infra        what use cases share: Change, the cache, the hot path's memory
//!   ^
//! service      the use cases behind the `Keyward` handle
//! ```
//!
//! Without the `service` feature (the browser build) only `model` exists.

pub mod model;

#[cfg(feature = "service")]
mod caller;
#[cfg(feature = "service")]
mod clock;
#[cfg(feature = "service")]
mod credentials;
#[cfg(feature = "service")]
mod error;
#[cfg(feature = "service")]
mod infra;
#[cfg(feature = "service")]
mod service;
#[cfg(feature = "service")]
mod store;
#[cfg(feature = "testing")]
pub mod testing;

#[cfg(feature = "service")]
pub use caller::{Actor, Caller};
#[cfg(feature = "service")]
pub use credentials::throttle::{ThrottleLimits, client_network};
#[cfg(feature = "service")]
pub use error::{Error, Result};
#[cfg(feature = "service")]
pub use infra::{region_limits::RegionLimits, usage_recorder::UsageInsight};
#[cfg(feature = "service")]
pub use service::{
    Keyward, Settings, WarmCache,
    administrators::Administrators,
    audit::AuditLog,
    authentication::Authenticator,
    keys::Keys,
    leaks::Leaks,
    owners::Owners,
    person_sign_ins::{OidcAttempt, PersonSignIns, SIGN_IN_TIME},
    regions::{BOOTSTRAP_REGION_NAME, Regions},
    rotations::Rotations,
    sessions::{SessionId, SessionLimits, Sessions},
    usage::{KeyUse, Usage},
    webhooks::{Outcome, Outgoing, RETRY_SCHEDULE, WebhookSettings, Webhooks},
};
#[cfg(feature = "service")]
pub use store::database::{connect, connect_waiting, migrate};
