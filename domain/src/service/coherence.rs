//! The coherent verification cache: a process answers a warm key from
//! memory, with no database read, only while it can prove it would have
//! heard of every key change committed since.
//!
//! The proof has two parts, both renewed by one background task
//! ([`Coherence::maintain`]):
//! - **a current lease**: the process renews its row in `serving_processes`
//!   every [`RENEW_EVERY`], by the database's clock, and trusts its cache
//!   only until [`LEASE`] minus a margin after the renewal was sent;
//! - **every change applied**: each change that adds, removes, re-scopes
//!   or schedules a key
//!   takes a number from `key_change_clock` in its own transaction (in
//!   commit order) and is announced: by NOTIFY on Postgres, which this
//!   process LISTENs to on the very connection that renews its lease, and
//!   on SQLite by the task reading the clock every [`SQLITE_POLL`]. The
//!   process empties its cache, reloads the set of existing lookups, and
//!   acknowledges the number.
//!
//! The request that made the change answers only when every process with a
//! live lease acknowledged it, or its lease ran out ([`Coherence::settle`]).
//! A process that cannot renew, whose lease ran out, or whose listening
//! connection drops or was replaced, stops trusting at once and starts
//! again with an empty cache.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use moka::sync::Cache;
use sea_orm::sqlx::SqlitePool;
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{DatabaseBackend, DbErr, EntityTrait, QuerySelect};

use crate::credentials::random;
use crate::credentials::secret_hash::SecretHash;
use crate::model::{KeyId, Region, Scopes};
use crate::store::coherence::{CHANNEL, Link, lagging, latest, withdraw};
use crate::store::database::Db;
use crate::store::entity::api_key;

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
}

/// A key as the cache holds it: with the epoch it was read in, so that an
/// entry from before the cache was last emptied is never answered.
#[derive(Clone)]
struct Remembered {
    key: WarmKey,
    epoch: u64,
}

/// What the cache says about a lookup.
pub(crate) enum Known {
    /// The key, current as of this moment.
    Key(WarmKey),
    /// No key has this lookup.
    Absent,
    /// Read the database; remember the answer if `Some(epoch)` still holds.
    Unsure(Option<u64>),
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
    /// Moves whenever the cache is emptied: an answer read before cannot be remembered after.
    epoch: AtomicU64,
    /// Failed attempts since the cache was last trusted, and whether that was said.
    attempts: AtomicU32,
    degraded: AtomicBool,
    /// Held to empty the cache or to remember an answer, so neither slips between.
    writing: Mutex<()>,
    warm: Cache<String, Remembered>,
    /// Every lookup that exists, or `None` while not known exactly.
    lookups: RwLock<Option<Arc<HashSet<String>>>>,
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
            epoch: AtomicU64::new(0),
            attempts: AtomicU32::new(0),
            degraded: AtomicBool::new(false),
            writing: Mutex::new(()),
            warm: Cache::new(WARM_CAPACITY),
            lookups: RwLock::new(None),
        }))
    }

    /// What the cache knows about `lookup`, if it may be trusted now.
    pub(crate) fn known(&self, lookup: &str) -> Known {
        let epoch = self.0.epoch.load(Ordering::Acquire);
        if !self.is_trusted() {
            return Known::Unsure(None);
        }
        let answer = match self.0.warm.get(lookup) {
            Some(remembered) if remembered.epoch == epoch => Known::Key(remembered.key),
            Some(_) => Known::Unsure(Some(epoch)),
            None => match &*self.0.lookups.read().unwrap_or_else(PoisonError::into_inner) {
                Some(lookups) if !lookups.contains(lookup) => Known::Absent,
                _ => Known::Unsure(Some(epoch)),
            },
        };
        // Still trusted, and nothing emptied the cache while it was read.
        if matches!(answer, Known::Unsure(_)) || (self.is_trusted() && self.0.epoch.load(Ordering::Acquire) == epoch) {
            answer
        } else {
            Known::Unsure(None)
        }
    }

    /// Remembers a key read from the database at `epoch`, unless the cache
    /// was emptied since (a change may have come after the read).
    pub(crate) fn remember(&self, lookup: &str, key: WarmKey, epoch: u64) {
        let _writing = self.0.writing.lock().unwrap_or_else(PoisonError::into_inner);
        if self.0.epoch.load(Ordering::Acquire) == epoch && self.is_trusted() {
            self.0.warm.insert(lookup.to_owned(), Remembered { key, epoch });
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
            if let Err(error) = outcome
                && !self.0.degraded.swap(true, Ordering::AcqRel)
            {
                tracing::warn!(%error, "verification cache off: keys are read from the database until it is back");
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

    /// One life of the link: listen (Postgres), take a lease, trust, then
    /// apply changes and renew until something fails.
    async fn serve_once(&self) -> Result<(), DbErr> {
        let to_db = |error: sea_orm::sqlx::Error| DbErr::Custom(error.to_string());
        let mut listener = match self.0.db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let mut listener =
                    PgListener::connect_with(self.0.db.get_postgres_connection_pool()).await.map_err(to_db)?;
                // A lost connection must end this life, not be replaced behind its back.
                listener.eager_reconnect(false);
                listener.listen(CHANNEL).await.map_err(to_db)?;
                Some(listener)
            }
            _ => None,
        };
        let sqlite = listener.is_none().then(|| self.0.db.get_sqlite_connection_pool().clone());
        let sent = Instant::now();
        let mut applied = link(&mut listener, &sqlite).register(&self.0.process, lease_ms()).await?;
        let connection = link(&mut listener, &sqlite).connection().await?;
        self.empty().await?;
        self.trust_from(sent);
        let mut renewals = tokio::time::interval(RENEW_EVERY);
        renewals.reset();
        let mut polls = tokio::time::interval(SQLITE_POLL);
        loop {
            let announced = match &mut listener {
                Some(listener) => tokio::select! {
                    biased;
                    notification = listener.try_recv() => match notification.map_err(to_db)? {
                        Some(notification) => Some(notification.payload().parse::<i64>().unwrap_or(i64::MAX)),
                        None => return Err(DbErr::Custom("the listening connection closed".to_owned())),
                    },
                    _ = renewals.tick() => None,
                },
                None => tokio::select! {
                    biased;
                    _ = polls.tick() => Some(Link::Sqlite(sqlite.as_ref().expect("SQLite")).latest_change().await?),
                    _ = renewals.tick() => None,
                },
            };
            match announced {
                Some(seq) if seq > applied => {
                    // Stop answering from the old cache before anything else can take time.
                    self.forget();
                    // The latest number covers every earlier change, whatever the announcement said.
                    let latest = link(&mut listener, &sqlite).latest_change().await?;
                    self.empty().await?;
                    link(&mut listener, &sqlite).acknowledge(&self.0.process, latest).await?;
                    applied = latest;
                }
                Some(_) => {}
                None => {
                    let sent = Instant::now();
                    if !self.is_trusted() {
                        // The lease lapsed (a freeze, a slow database): changes may have
                        // been settled without this process. Start again from nothing.
                        return Err(DbErr::Custom("the lease lapsed".to_owned()));
                    }
                    if !link(&mut listener, &sqlite).renew(&self.0.process, lease_ms()).await? {
                        return Err(DbErr::Custom("the lease ran out or was cleared".to_owned()));
                    }
                    if link(&mut listener, &sqlite).connection().await? != connection {
                        return Err(DbErr::Custom("the listening connection was replaced".to_owned()));
                    }
                    // Still trusted now means the lease never ran out in between:
                    // trust ends before the database's lease does.
                    if !self.is_trusted() {
                        return Err(DbErr::Custom("the lease lapsed while it was renewed".to_owned()));
                    }
                    self.trust_from(sent);
                }
            }
        }
    }

    /// Empties the cache and reloads the lookups that exist.
    async fn empty(&self) -> Result<(), DbErr> {
        self.forget();
        let lookups: Vec<String> =
            api_key::Entity::find().select_only().column(api_key::Column::Lookup).into_tuple().all(&self.0.db).await?;
        let _writing = self.0.writing.lock().unwrap_or_else(PoisonError::into_inner);
        *self.0.lookups.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(lookups.into_iter().collect()));
        Ok(())
    }

    /// Empties the cache: nothing read before now will be remembered.
    fn forget(&self) {
        let _writing = self.0.writing.lock().unwrap_or_else(PoisonError::into_inner);
        self.0.epoch.fetch_add(1, Ordering::AcqRel);
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
