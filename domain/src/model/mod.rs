//! Plain types that leave the domain: ids, checked text, keys, regions,
//! rotations, audit entries, usage, the error taxonomy and the problem codes. Compiled everywhere,
//! also to wasm for the console, and depending on nothing else in the
//! crate.

mod administrators;
mod audit;
mod error_kind;
mod ids;
mod key_state;
mod keys;
mod leaks;
mod owners;
mod policy;
mod problem;
mod regions;
mod rotation;
mod scope;
mod session;
mod text;
mod usage;
mod verdict;
mod webhooks;

pub use administrators::{Administrator, Email, NewAdministrator, Person, SignedInPerson, check_administrator_scopes};
pub use audit::{
    AUDIT_EVENTS_MAX, AuditAction, AuditActor, AuditChange, AuditEvent, AuditPage, AuditQuery, EventId, SignInRefusal,
};
pub use error_kind::ErrorKind;
pub use ids::{
    AdministratorId, ID_RANDOM_LEN, IdKind, InvalidId, KeyId, MessageId, OwnerId, RegionId, RotationId, RowId,
    WebhookId,
};
pub use key_state::{KeyState, is_revoked, last_manager};
pub use keys::{ApiKey, CreatedApiKey, KeyUpdate, NewKey, REVOKE_AT_MAX_DAYS, present};
pub use leaks::{LEAK_BATCH_MAX, LeakChannel, LeakLabel, LeakedToken, Quarantine};
pub use owners::{ExternalId, NewOwner, Owner, OwnerIdentity, OwnerUpdate};
pub use policy::{
    AllowedNetworks, Bounds, Budget, CREDITS_MAX, Credits, KeyPolicy, LimitName, LimitStatus, META_MAX_BYTES, Meta,
    NETWORKS_MAX, RATE_LIMIT_MAX, RATE_LIMITS_MAX, RATE_PERIOD_MAX_S, RateLimit, RateLimits, Refill, RefillInterval,
    whole,
};
pub use problem::ProblemCode;
pub use regions::{CreatedRegion, Environment, PersonRegion, Region, RegionOverview, RegionSummary};
pub use rotation::{OldKeyRevocation, Rotation, SessionAfterRotation, StartedRotation};
pub use scope::{KeyAccess, Scope, Scopes};
pub use session::SessionTimeLeft;
pub use text::{Description, InvalidInput, RegionName};
pub use usage::{
    KeyTraffic, KeyUsage, LastUse, MINUTES_KEPT_HOURS, RegionUsage, USAGE_KEPT_DAYS, USAGE_POINTS_MAX, UsageBucket,
    UsageCounts, UsagePoint, UsageQuery, UsageRange, UsageSeries, UseDetails, UseOutcome,
};
pub use verdict::{Grant, ImpossibleVerdict, Refusal, Verdict, VerdictBody, VerdictCode};
pub use webhooks::{
    CreatedWebhook, DeliveryAttempt, EventBody, EventData, EventKey, EventSelection, EventType, NewWebhook, Webhook,
    WebhookUpdate, WebhookUrl, is_public_address,
};
