//! Plain types that leave the domain: ids, checked text, keys, regions,
//! rotations, audit entries, usage, the error taxonomy and the problem codes. Compiled everywhere,
//! also to wasm for the console, and depending on nothing else in the
//! crate.

mod audit;
mod error_kind;
mod ids;
mod key_state;
mod keys;
mod leaks;
mod problem;
mod regions;
mod rotation;
mod scope;
mod session;
mod text;
mod usage;
mod verdict;

pub use audit::{AUDIT_EVENTS_MAX, AuditAction, AuditChange, AuditEvent, AuditPage, AuditQuery, EventId};
pub use error_kind::ErrorKind;
pub use ids::{ID_RANDOM_LEN, IdKind, InvalidId, KeyId, RegionId, RotationId, RowId};
pub use key_state::{KeyState, is_revoked, last_manager};
pub use keys::{ApiKey, CreatedApiKey, KeyUpdate, REVOKE_AT_MAX_DAYS, present};
pub use leaks::{LEAK_BATCH_MAX, LeakChannel, LeakLabel, LeakedToken, Quarantine};
pub use problem::ProblemCode;
pub use regions::{CreatedRegion, Environment, Region, RegionOverview, RegionSummary};
pub use rotation::{OldKeyRevocation, Rotation, SessionAfterRotation, StartedRotation};
pub use scope::{KeyAccess, Scope, Scopes};
pub use session::SessionTimeLeft;
pub use text::{Description, InvalidInput, RegionName};
pub use usage::{
    KeyTraffic, KeyUsage, LastUse, MINUTES_KEPT_HOURS, RegionUsage, USAGE_KEPT_DAYS, USAGE_POINTS_MAX, UsageBucket,
    UsageCounts, UsagePoint, UsageQuery, UsageRange, UsageSeries, UseDetails, UseOutcome,
};
pub use verdict::{Grant, ImpossibleVerdict, Refusal, Verdict, VerdictBody, VerdictCode};
