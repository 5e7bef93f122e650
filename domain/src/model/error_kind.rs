//! The one taxonomy of refusals and failures. The domain's errors each
//! have a kind; every edge (REST, the console's server functions, the CLI)
//! maps kinds to its own terms in one place, so they cannot disagree.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorKind {
    /// No valid credential: a missing, malformed, unknown or wrong key, or
    /// an ended session.
    Unauthenticated,
    /// Too many failed attempts; the refusal says when to try again.
    Throttled,
    /// A valid credential that may not do this.
    Forbidden,
    /// No such thing in the caller's region (also for other regions' ids,
    /// so ids leak nothing).
    NotFound,
    /// The request clashes with the current state (the last key, a rotation
    /// in progress, a name in use).
    Conflict,
    /// The input broke a rule; the message says which.
    Invalid,
    /// The database does not answer right now: try again shortly.
    Unavailable,
    /// Something failed on the server side: logged there, never detailed
    /// to the client.
    Internal,
}
