//! Keyward's domain: regions own API keys; any key of a region manages the
//! region's keys, and a region never loses its last key. The REST API, the
//! console's server functions and the CLI all call [`KeyService`], so every
//! invariant lives here once.

pub mod refusals;
pub mod rotation_types;
pub mod types;
pub use rotation_types::*;
pub use types::*;

#[cfg(feature = "service")]
mod audit;
#[cfg(feature = "service")]
mod auth;
#[cfg(feature = "service")]
pub mod db;
#[cfg(feature = "service")]
pub mod entity;
#[cfg(feature = "service")]
mod error;
#[cfg(feature = "service")]
mod id;
#[cfg(feature = "service")]
mod rotation;
#[cfg(feature = "service")]
pub mod secret_hash;
#[cfg(feature = "service")]
mod service;
#[cfg(feature = "service")]
mod session;
#[cfg(feature = "service")]
pub mod token;
#[cfg(feature = "service")]
mod usage;

#[cfg(feature = "service")]
pub use auth::ThrottleLimits;
#[cfg(feature = "service")]
pub use error::{Error, Result};
#[cfg(feature = "service")]
pub use service::{Caller, KeyService};
#[cfg(feature = "service")]
pub use session::{SessionId, SessionLimits};
