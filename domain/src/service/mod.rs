//! The use cases, one capability per file, all reached through one cheap
//! handle, [`Keyward`]. The REST API, the console's server functions and
//! the CLI call these same functions, so every invariant lives here once.
//!
//! What they share without being a use case (a `Change`, the cache, the
//! hot path's memory) is `infra`'s, the layer below. Inside this layer the
//! arrows run one way too: `keys`, `regions`, `sessions` and `rotations`
//! build on `audit` and `authentication`; nothing imports back.

pub(crate) mod administrators;
pub(crate) mod audit;
pub(crate) mod authentication;
pub(crate) mod keys;
pub(crate) mod leaks;
pub(crate) mod owners;
pub(crate) mod person_sign_ins;
pub(crate) mod regions;
pub(crate) mod rotations;
pub(crate) mod sessions;
pub(crate) mod usage;
pub(crate) mod webhooks;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::credentials::throttle::ThrottleLimits;
use crate::error::Result;
use crate::infra::coherence::Coherence;
use crate::infra::metering::Metering;
use crate::infra::region_limits::{NewKeys, RegionLimits};
use crate::infra::usage_recorder::UsageInsight;
use crate::store::database::Db;
use administrators::Administrators;
use audit::AuditLog;
use authentication::Authenticator;
use keys::Keys;
use leaks::Leaks;
use owners::Owners;
use person_sign_ins::PersonSignIns;
use regions::Regions;
use rotations::Rotations;
use sessions::{SessionLimits, Sessions};
use usage::Usage;
use webhooks::{WebhookSettings, Webhooks};

/// How one process behaves; the defaults suit most deployments.
#[derive(Clone, Copy, Debug, Default)]
pub struct Settings {
    pub throttle: ThrottleLimits,
    pub sessions: SessionLimits,
    pub warm_cache: WarmCache,
    pub regions: RegionLimits,
    pub usage: UsageInsight,
    pub webhooks: WebhookSettings,
}

/// Whether warm keys may be answered from memory ([`Keyward::maintain_coherence`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WarmCache {
    #[default]
    On,
    /// Every request reads its key from the database (for comparison).
    Off,
}

/// Every capability of the domain over one database. One shared handle:
/// a clone is one reference count (the web layer clones it per request), and
/// clones share the caches, the throttle and the usage counts.
#[derive(Clone)]
pub struct Keyward(Arc<Capabilities>);

struct Capabilities {
    db: Db,
    coherence: Coherence,
    authenticator: Authenticator,
    keys: Keys,
    regions: Regions,
    sessions: Sessions,
    rotations: Rotations,
    audit: AuditLog,
    leaks: Leaks,
    usage: Usage,
    owners: Owners,
    metering: Metering,
    webhooks: Webhooks,
    administrators: Administrators,
    person_sign_ins: PersonSignIns,
}

impl Keyward {
    /// Over a connected and migrated database ([`crate::connect`],
    /// [`crate::migrate`]).
    pub fn new(db: DatabaseConnection, settings: Settings) -> Self {
        let db = Db::new(db);
        let coherence = Coherence::new(db.clone(), settings.warm_cache == WarmCache::On);
        let usage = Usage::new(db.clone(), settings.usage);
        let metering = Metering::new(db.clone());
        let webhooks = Webhooks::new(db.clone(), coherence.clone(), settings.webhooks);
        let authenticator = Authenticator::new(
            db.clone(),
            coherence.clone(),
            settings.throttle,
            usage.sink(),
            metering.clone(),
            webhooks.clone(),
        );
        let new_keys = NewKeys::new(settings.regions);
        let sessions = Sessions::new(db.clone(), coherence.clone(), authenticator.clone(), settings.sessions);
        let administrators = Administrators::new(db.clone(), coherence.clone());
        Self(Arc::new(Capabilities {
            person_sign_ins: PersonSignIns::new(
                db.clone(),
                sessions.clone(),
                administrators.clone(),
                settings.throttle,
            ),
            administrators,
            keys: Keys::new(db.clone(), coherence.clone(), new_keys.clone(), metering.clone()),
            regions: Regions::new(db.clone(), coherence.clone()),
            sessions,
            rotations: Rotations::new(db.clone(), coherence.clone(), new_keys),
            audit: AuditLog::new(db.clone()),
            leaks: Leaks::new(db.clone(), coherence.clone(), settings.throttle),
            owners: Owners::new(db.clone(), coherence.clone(), metering.clone()),
            metering,
            webhooks,
            usage,
            authenticator,
            coherence,
            db,
        }))
    }

    /// Keeps this process's verification cache coherent with every other
    /// process's key changes until `stop` completes; without it running,
    /// every key is read from the database. `keyward serve` runs it.
    pub async fn maintain_coherence(&self, stop: impl Future<Output = ()>) {
        self.0.coherence.clone().maintain(stop).await
    }

    /// How many keys this process's verification cache holds.
    pub fn cached_keys(&self) -> u64 {
        self.0.coherence.cached_keys()
    }

    /// The database pool's connections: (open, idle).
    pub fn database_connections(&self) -> (u32, usize) {
        crate::store::database::pool_connections(&self.0.db)
    }

    /// Whether warm keys are answered from memory right now.
    pub fn is_cache_trusted(&self) -> bool {
        self.0.coherence.is_trusted()
    }

    /// People granted a region's console: grant, revoke, list.
    pub fn administrators(&self) -> &Administrators {
        &self.0.administrators
    }

    /// What an OpenID Connect sign-in keeps between its steps.
    pub fn person_sign_ins(&self) -> &PersonSignIns {
        &self.0.person_sign_ins
    }

    /// API keys in, callers out: the verification hot path.
    pub fn authenticator(&self) -> &Authenticator {
        &self.0.authenticator
    }

    /// A region's keys: list, read, create, describe, delete.
    pub fn keys(&self) -> &Keys {
        &self.0.keys
    }

    /// Regions for operators: create (with a first key), list, bootstrap.
    pub fn regions(&self) -> &Regions {
        &self.0.regions
    }

    /// Console sessions: sign in with a key, use, sign out.
    pub fn sessions(&self) -> &Sessions {
        &self.0.sessions
    }

    /// Key rotations: start, resume, finish, cancel.
    pub fn rotations(&self) -> &Rotations {
        &self.0.rotations
    }

    /// Reports of leaked tokens, and the quarantine of the keys among them.
    pub fn leaks(&self) -> &Leaks {
        &self.0.leaks
    }

    /// A region's owners: who its keys belong to, with shared limits and credits.
    pub fn owners(&self) -> &Owners {
        &self.0.owners
    }

    /// Deletes rate-limit counts of periods that ended an hour ago or more;
    /// `keyward serve` calls it hourly. How many.
    pub async fn prune_rate_limits(&self) -> Result<u64> {
        self.0.metering.prune().await
    }

    /// Gives the credits this process took and did not spend back to their
    /// balances; `keyward serve` calls it as it stops. How many it gave back.
    pub async fn give_back_credits(&self) -> Result<u64> {
        self.0.metering.give_back().await
    }

    /// A region's webhook endpoints, and the delivery of their messages.
    pub fn webhooks(&self) -> &Webhooks {
        &self.0.webhooks
    }

    /// A region's audit log.
    pub fn audit(&self) -> &AuditLog {
        &self.0.audit
    }

    /// Each key's requests over time, and its last use.
    pub fn usage(&self) -> &Usage {
        &self.0.usage
    }

    /// Writes the requests counted and the key uses noted since the last
    /// flush; `keyward serve` calls it every few seconds and once at
    /// shutdown. The number of keys written.
    pub async fn flush_usage(&self) -> Result<usize> {
        self.0.usage.flush().await
    }

    /// Deletes usage older than it is kept ([`crate::model::USAGE_KEPT_DAYS`],
    /// minutes after [`crate::model::MINUTES_KEPT_HOURS`]); `keyward serve`
    /// calls it hourly. The number of rows deleted.
    pub async fn prune_usage(&self) -> Result<u64> {
        self.0.usage.prune().await
    }

    /// Whether the database answers (readiness).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.0.db.ping().await?)
    }
}
