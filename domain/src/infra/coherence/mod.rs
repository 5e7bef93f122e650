//! The coherent verification cache: a process answers a warm key from
//! memory, with no database read, only while it can prove it would have
//! heard of every key change committed since.
//!
//! The proof has two parts, both renewed by one background task
//! ([`Coherence::maintain`]):
//! - **a current lease**: the process renews its row in `serving_processes`
//!   every [`RENEW_EVERY`], by the database's clock, and trusts its cache
//!   only until [`LEASE`] minus a margin after the renewal was sent;
//! - **every change applied**: each change that adds, removes, re-scopes,
//!   schedules or quarantines keys takes the next number from
//!   `key_change_clock` in its own transaction (so numbers follow commit
//!   order, without gaps) and logs which keys it touched in `key_changes`.
//!   The number is announced by NOTIFY on Postgres, which this process
//!   LISTENs to on the very connection that renews its lease; on SQLite the
//!   task reads the clock every [`SQLITE_POLL`]; every renewal reads it too,
//!   so a lost announcement costs at most one renewal's wait. The process
//!   reads the log since the last number it applied, evicts exactly those
//!   keys, updates its set of existing lookups in place, and acknowledges.
//!   A change costs each process work in proportion to what changed, never
//!   to how many keys exist.
//!
//! The request that made the change answers only when every process with a
//! live lease acknowledged it, or its lease ran out ([`Coherence::settle`]).
//! A process that cannot renew, whose lease ran out, whose listening
//! connection drops or was replaced, or that finds a number missing from
//! the log (pruned past it), stops trusting at once and starts again: it
//! loads a snapshot of every lookup before it takes a lease (so no change
//! waits for that, however many keys there are), then catches up from the
//! log and only then trusts.

mod lookups;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use lookups::{Digests, Lookups};
use moka::sync::Cache;
use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
use sea_orm::sqlx::{self, SqlitePool};
use sea_orm::{DatabaseBackend, DbErr};

use crate::credentials::random;
use crate::credentials::secret_hash::SecretHash;
use crate::model::{KeyId, Region, Scopes};
use crate::store::coherence::{CHANNEL, KeyChange, Link, lagging, latest, withdraw};
use crate::store::database::Db;

/// How long a lease lasts: the longest a change waits for a process that
/// stopped answering (frozen, cut off, killed).
pub const LEASE: Duration = Duration::from_secs(3);
const RENEW_EVERY: Duration = Duration::from_millis(500);
/// Trust ends this long before the lease does, for the renewal's own time
/// on the wire and the two clocks' drift over one lease.
const MARGIN: Duration = Duration::from_millis(500);
const SQLITE_POLL: Duration = Duration::from_millis(25);
/// How often a change looks whether every process applied it.
const SETTLE_POLL: Duration = Duration::from_millis(5);
/// How long a change waits for the database to confirm it was applied
/// everywhere before it fails instead.
const SETTLE_LIMIT: Duration = Duration::from_secs(30);
const WARM_CAPACITY: u64 = 100_000;
/// The listening connection's `application_name`, which operators (and the
/// tests) see in `pg_stat_activity`.
const LISTENER_NAME: &str = "keyward-cache";
/// The log is pruned once every so many renewals (about every 30 s).
const PRUNE_EVERY_RENEWALS: u32 = 60;

/// What the cache knows about a key: enough to authenticate it. A
/// scheduled revocation is held too and compared with the clock on every
/// request, so the key is refused from that instant without any change
/// being announced.
#[derive(Clone)]
pub(crate) struct WarmKey {
    pub key_id: KeyId,
    pub secret_hash: SecretHash,
    pub region: Region,
    pub scopes: Scopes,
    pub revoke_at: Option<DateTime<Utc>>,
    pub quarantined: bool,
    /// Its owner, limits, credits, networks and meta.
    pub policy: Arc<super::policy::Policy>,
    /// What it may give others at most, from `policy`.
    pub bounds: Arc<crate::model::Bounds>,
}

/// What the cache says about a lookup.
pub(crate) enum Known {
    /// The key, current as of this moment.
    Key(WarmKey),
    /// No key has this lookup.
    Absent,
    /// Read the database; remember the answer if `Some(generation)` still holds.
    Unsure(Option<u64>),
}

/// Why the cache stopped being trusted.
#[derive(Debug, thiserror::Error)]
enum Lost {
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error("the listening connection closed")]
    ConnectionClosed,
    #[error("the listening connection was replaced")]
    ConnectionReplaced,
    #[error("the lease lapsed")]
    LeaseLapsed,
    #[error("changes {from} to {to} are missing from the key-change log")]
    Gap { from: i64, to: i64 },
}

impl From<sqlx::Error> for Lost {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(DbErr::Custom(error.to_string()))
    }
}

#[derive(Clone)]
pub struct Coherence(Arc<Inner>);

struct Inner {
    db: Db,
    /// This process's lease.
    process: String,
    enabled: bool,
    started: Instant,
    /// Nanoseconds after `started` until which the cache may be trusted; 0: not.
    trusted_until: AtomicU64,
    /// Moves with every change applied and every emptying: a key read
    /// before cannot be remembered after, nor an answer given across it.
    generation: AtomicU64,
    /// Failed attempts since the cache was last trusted, and whether that was said.
    attempts: AtomicU32,
    degraded: AtomicBool,
    /// Held to change the cache or to remember an answer, so neither slips between.
    writing: Mutex<()>,
    warm: Cache<String, WarmKey>,
    digests: Digests,
    /// Every lookup that exists, or `None` while not known exactly.
    lookups: RwLock<Option<Lookups>>,
}

impl Coherence {
    /// `enabled: false` keeps the cache off: every request reads the database.
    pub(crate) fn new(db: Db, enabled: bool) -> Self {
        Self(Arc::new(Inner {
            db,
            process: format!("proc_{}", random::base62(16)),
            enabled,
            started: Instant::now(),
            trusted_until: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            attempts: AtomicU32::new(0),
            degraded: AtomicBool::new(false),
            writing: Mutex::new(()),
            warm: Cache::new(WARM_CAPACITY),
            digests: Digests::default(),
            lookups: RwLock::new(None),
        }))
    }

    /// What the cache knows about `lookup`, if it may be trusted now.
    pub(crate) fn known(&self, lookup: &str) -> Known {
        let generation = self.0.generation.load(Ordering::Acquire);
        if !self.is_trusted() {
            return Known::Unsure(None);
        }
        let answer = match self.0.warm.get(lookup) {
            Some(key) => Known::Key(key),
            None => match &*self.0.lookups.read().unwrap_or_else(PoisonError::into_inner) {
                Some(lookups) if !lookups.may_exist(lookup) => Known::Absent,
                _ => Known::Unsure(Some(generation)),
            },
        };
        // Still trusted, and nothing changed the cache while it was read.
        if matches!(answer, Known::Unsure(_))
            || (self.is_trusted() && self.0.generation.load(Ordering::Acquire) == generation)
        {
            answer
        } else {
            Known::Unsure(None)
        }
    }

    /// Remembers a key read from the database at `generation`, unless a
    /// change was applied since (it may have come after the read).
    pub(crate) fn remember(&self, lookup: &str, key: WarmKey, generation: u64) {
        let _writing = self.0.writing.lock().unwrap_or_else(PoisonError::into_inner);
        if self.0.generation.load(Ordering::Acquire) == generation && self.is_trusted() {
            self.0.warm.insert(lookup.to_owned(), key);
        }
    }

    /// How many keys the cache holds (approximately, between evictions).
    pub fn cached_keys(&self) -> u64 {
        self.0.warm.entry_count()
    }

    /// Whether the cache may answer now: trusted by a current lease and
    /// every change applied.
    pub fn is_trusted(&self) -> bool {
        let until = self.0.trusted_until.load(Ordering::Acquire);
        until != 0 && (self.0.started.elapsed().as_nanos() as u64) < until
    }

    /// Waits until every process with a live lease applied change `seq`
    /// (a process that stopped answering holds it up until its lease runs
    /// out, at most [`LEASE`]). Never answers without that proof: while the
    /// database cannot be asked, it asks again, and after [`SETTLE_LIMIT`]
    /// it fails, so the change is reported as not confirmed rather than done.
    pub(crate) async fn settle(&self, seq: i64) -> Result<(), DbErr> {
        let committed = Instant::now();
        loop {
            match lagging(&self.0.db, seq).await {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(error) if committed.elapsed() >= SETTLE_LIMIT => return Err(error),
                Err(_) => {}
            }
            tokio::time::sleep(SETTLE_POLL).await;
        }
    }

    /// [`Self::settle`] for every change committed so far.
    pub(crate) async fn settle_all(&self) -> Result<(), DbErr> {
        self.settle(latest(&self.0.db).await?).await
    }

    /// Keeps the cache coherent until `stop` completes, then gives the lease
    /// up. Run by `keyward serve` for as long as it serves.
    pub async fn maintain(self, stop: impl Future<Output = ()>) {
        if !self.0.enabled {
            return stop.await;
        }
        let mut stop = std::pin::pin!(stop);
        loop {
            let outcome = tokio::select! {
                outcome = self.serve_once() => outcome,
                () = &mut stop => break,
            };
            self.distrust();
            let attempts = self.0.attempts.fetch_add(1, Ordering::AcqRel) + 1;
            let Err(lost) = outcome;
            if !self.0.degraded.swap(true, Ordering::AcqRel) {
                tracing::warn!(error = %lost, "verification cache off: keys are read from the database until it is back");
            }
            let backoff = Duration::from_millis(50 * u64::from(attempts.min(20)));
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                () = &mut stop => break,
            }
        }
        self.distrust();
        self.withdraw().await;
    }

    /// One life of the link: listen (Postgres), load every lookup, take a
    /// lease, catch up, trust, then apply changes and renew until the
    /// proof is lost.
    async fn serve_once(&self) -> Result<std::convert::Infallible, Lost> {
        let mut listener = match self.0.db.get_database_backend() {
            DatabaseBackend::Postgres => Some(self.listen().await?),
            _ => None,
        };
        let sqlite = listener.is_none().then(|| self.0.db.get_sqlite_connection_pool().clone());
        let (mut applied, lookups) = link(&mut listener, &sqlite).snapshot(|lookup| self.0.digests.of(lookup)).await?;
        metrics::counter!("keyward_cache_full_loads_total").increment(1);
        self.install(Lookups::new(self.0.digests.clone(), lookups));
        let sent = Instant::now();
        link(&mut listener, &sqlite).register(&self.0.process, lease_ms(), applied).await?;
        link(&mut listener, &sqlite).prune_log().await?;
        let connection = link(&mut listener, &sqlite).connection().await?;
        let latest = link(&mut listener, &sqlite).latest_change().await?;
        self.catch_up(&mut link(&mut listener, &sqlite), &mut applied, latest).await?;
        self.trust_from(sent);
        let mut renewals = tokio::time::interval(RENEW_EVERY);
        renewals.reset();
        let mut renewed: u32 = 0;
        let mut polls = tokio::time::interval(SQLITE_POLL);
        loop {
            let announced = match &mut listener {
                Some(listener) => tokio::select! {
                    biased;
                    notification = listener.try_recv() => match notification? {
                        // A payload that is no number still says something changed.
                        Some(notification) => Some(notification.payload().parse::<i64>().unwrap_or(i64::MAX)),
                        None => return Err(Lost::ConnectionClosed),
                    },
                    _ = renewals.tick() => None,
                },
                None => tokio::select! {
                    biased;
                    _ = polls.tick() => Some(Link::Sqlite(sqlite.as_ref().expect("SQLite")).latest_change().await?),
                    _ = renewals.tick() => None,
                },
            };
            let link = &mut link(&mut listener, &sqlite);
            match announced {
                Some(seq) if seq > applied => {
                    let latest = link.latest_change().await?;
                    self.catch_up(link, &mut applied, latest).await?;
                }
                Some(_) => {}
                None => {
                    let sent = Instant::now();
                    if !self.is_trusted() {
                        // The lease lapsed (a freeze, a slow database): changes may have
                        // been settled without this process. Start again from nothing.
                        return Err(Lost::LeaseLapsed);
                    }
                    if !link.renew(&self.0.process, lease_ms()).await? {
                        return Err(Lost::LeaseLapsed);
                    }
                    if link.connection().await? != connection {
                        return Err(Lost::ConnectionReplaced);
                    }
                    // Still trusted now means the lease never ran out in between:
                    // trust ends before the database's lease does.
                    if !self.is_trusted() {
                        return Err(Lost::LeaseLapsed);
                    }
                    self.trust_from(sent);
                    // An announcement that never came is caught here, within a renewal.
                    let latest = link.latest_change().await?;
                    self.catch_up(link, &mut applied, latest).await?;
                    renewed = renewed.wrapping_add(1);
                    if renewed.is_multiple_of(PRUNE_EVERY_RENEWALS) {
                        link.prune_log().await?;
                    }
                    self.fold();
                }
            }
        }
    }

    /// Listens for announcements on a connection of the cache's own, outside
    /// the pool: a burst of writes that takes every pooled connection must
    /// not cut the cache off.
    async fn listen(&self) -> Result<PgListener, Lost> {
        let pool = self.0.db.get_postgres_connection_pool();
        let own = PgPoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with((*pool.connect_options()).clone().application_name(LISTENER_NAME))
            .await?;
        let mut listener = PgListener::connect_with(&own).await?;
        // A lost connection must end this life, not be replaced behind its back.
        listener.eager_reconnect(false);
        listener.listen(CHANNEL).await?;
        Ok(listener)
    }

    /// Applies the log's changes after `applied` up to `latest`: evicts
    /// exactly the keys they touched and updates the set of lookups in
    /// place, then acknowledges `latest`. A missing number ends the proof.
    async fn catch_up(&self, link: &mut Link<'_>, applied: &mut i64, latest: i64) -> Result<(), Lost> {
        if latest <= *applied {
            return Ok(());
        }
        let changes = link.changes_since(*applied, latest).await?;
        let numbers: HashSet<i64> = changes.iter().map(|(seq, _, _)| *seq).collect();
        if numbers.len() as i64 != latest - *applied {
            return Err(Lost::Gap { from: *applied + 1, to: latest });
        }
        {
            let _writing = self.0.writing.lock().unwrap_or_else(PoisonError::into_inner);
            self.0.generation.fetch_add(1, Ordering::AcqRel);
            let mut lookups = self.0.lookups.write().unwrap_or_else(PoisonError::into_inner);
            for (_, lookup, change) in &changes {
                self.0.warm.invalidate(lookup);
                if let Some(lookups) = lookups.as_mut() {
                    match change {
                        KeyChange::Added => lookups.add(lookup),
                        KeyChange::Removed => lookups.remove(lookup),
                        KeyChange::Changed => {}
                    }
                }
            }
        }
        link.acknowledge(&self.0.process, latest).await?;
        *applied = latest;
        Ok(())
    }

    /// Folds the set's recent changes into its sorted array, when due:
    /// built beside the set while requests go on reading it.
    fn fold(&self) {
        let folded = {
            let lookups = self.0.lookups.read().unwrap_or_else(PoisonError::into_inner);
            match lookups.as_ref() {
                Some(lookups) if lookups.wants_folding() => lookups.folded(),
                _ => return,
            }
        };
        // Only this task changes the set, so nothing changed it meanwhile.
        self.install(folded);
    }

    /// Puts `lookups` in place of the set of existing lookups.
    fn install(&self, lookups: Lookups) {
        metrics::gauge!("keyward_cache_lookups").set(lookups.len() as f64);
        metrics::gauge!("keyward_cache_lookups_bytes").set(lookups.heap_bytes() as f64);
        let _writing = self.0.writing.lock().unwrap_or_else(PoisonError::into_inner);
        *self.0.lookups.write().unwrap_or_else(PoisonError::into_inner) = Some(lookups);
    }

    /// Empties the cache: nothing read before now will be remembered.
    fn forget(&self) {
        let _writing = self.0.writing.lock().unwrap_or_else(PoisonError::into_inner);
        self.0.generation.fetch_add(1, Ordering::AcqRel);
        self.0.warm.invalidate_all();
        *self.0.lookups.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    fn trust_from(&self, sent: Instant) {
        let until = (sent + LEASE - MARGIN).saturating_duration_since(self.0.started).as_nanos() as u64;
        self.0.trusted_until.store(until.max(1), Ordering::Release);
        self.0.attempts.store(0, Ordering::Release);
        if self.0.degraded.swap(false, Ordering::AcqRel) {
            tracing::info!("verification cache back on");
        }
    }

    fn distrust(&self) {
        self.0.trusted_until.store(0, Ordering::Release);
        self.forget();
    }

    async fn withdraw(&self) {
        if let Err(error) = withdraw(&self.0.db, &self.0.process).await {
            tracing::warn!(%error, "could not give up the verification cache's lease; it runs out by itself");
        }
    }
}

/// The connection of this process's link: the listener, or SQLite's pool.
fn link<'a>(listener: &'a mut Option<PgListener>, sqlite: &'a Option<SqlitePool>) -> Link<'a> {
    match (listener, sqlite) {
        (Some(listener), _) => Link::Postgres(listener),
        (None, Some(pool)) => Link::Sqlite(pool),
        (None, None) => unreachable!("the link is Postgres or SQLite"),
    }
}

fn lease_ms() -> i64 {
    LEASE.as_millis() as i64
}
