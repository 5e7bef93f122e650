//! Usage without a write on the request path: requests are noted in
//! memory through a [`UseSink`], and `Usage` (the use case), the recorder's only
//! holder, flushes the counts and each key's last use in one transaction
//! and prunes what has aged out.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement, Value,
};

use crate::caller::Caller;
use crate::error::Result;
use crate::model::{
    KeyId, MINUTES_KEPT_HOURS, RegionId, USAGE_KEPT_DAYS, UsageBucket, UsageCounts, UseDetails, UseOutcome,
};
use crate::store::database;
use crate::store::database::Db;
use crate::store::entity::api_key;
use crate::store::entity::key_usage::{self, Resolution};

/// Ordered by key id, and each key's buckets by time, so every process
/// writes rows in the same order and concurrent flushes cannot deadlock on
/// Postgres's row locks.
type Pending = BTreeMap<KeyId, PendingKey>;

/// What one key did since the last flush.
#[derive(Debug)]
struct PendingKey {
    region_id: RegionId,
    last_use: Option<NotedUse>,
    counts: BTreeMap<(Resolution, DateTime<Utc>), UsageCounts>,
}

#[derive(Debug)]
struct NotedUse {
    at: DateTime<Utc>,
    client: Option<IpAddr>,
    details: UseDetails,
}

/// Whether requests are counted and where each key's last use came from is
/// kept. `last_used_at` is kept either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UsageInsight {
    #[default]
    On,
    /// No counts, no client addresses or user agents (for deployments that
    /// must not keep them, and for comparison).
    Off,
}

/// Rows per insert statement: well below SQLite's limit on bound values.
const ROWS_PER_STATEMENT: usize = 1000;

/// What was noted since the last flush. Only `Usage` holds one:
/// it hands out [`UseSink`]s to note into, and flushes.
pub(crate) struct UsageRecorder {
    sink: UseSink,
}

/// Where the authentication paths note what became of each request made
/// with a known key: a cheap handle onto the recorder's memory, which can
/// note and do nothing else (no flush, no read, no database).
#[derive(Clone)]
pub(crate) struct UseSink {
    pending: Arc<Mutex<Pending>>,
    insight: UsageInsight,
}

impl UsageRecorder {
    pub(crate) fn new(insight: UsageInsight) -> Self {
        Self { sink: UseSink { pending: Arc::default(), insight } }
    }

    /// A handle that notes into this recorder.
    pub(crate) fn sink(&self) -> UseSink {
        self.sink.clone()
    }

    /// Writes everything noted since the last flush, in one transaction.
    /// If that fails, it all goes back to be written by the next flush.
    /// The number of keys written.
    pub(crate) async fn flush(&self, db: &Db) -> Result<usize> {
        let batch = std::mem::take(&mut *self.sink.pending());
        if batch.is_empty() {
            return Ok(0);
        }
        match write(db, &batch).await {
            Ok(()) => Ok(batch.len()),
            Err(error) => {
                let mut pending = self.sink.pending();
                for (key_id, unwritten) in batch {
                    match pending.get_mut(&key_id) {
                        Some(key) => key.absorb(unwritten),
                        None => {
                            pending.insert(key_id, unwritten);
                        }
                    }
                }
                Err(error)
            }
        }
    }
}

impl UseSink {
    /// A request the caller's key made with its right secret: accepted, or
    /// refused for a scope. Either is the key's last use.
    pub(crate) fn record_use(&self, caller: &Caller, outcome: UseOutcome, details: UseDetails, at: DateTime<Utc>) {
        let last_use = match self.insight {
            UsageInsight::On => NotedUse { at, client: Some(caller.client()), details },
            UsageInsight::Off => NotedUse { at, client: None, details: UseDetails::default() },
        };
        // Only a key makes requests to count; a person's console is no use of one.
        if let Some(key_id) = caller.key_id() {
            self.note(key_id, &caller.region().id, outcome, at, Some(last_use));
        }
    }

    /// A request a key refused before its holder was known (a wrong secret,
    /// a revoked or quarantined key, a throttle): counted, not a use.
    pub(crate) fn record_refusal(&self, key_id: &KeyId, region_id: &RegionId, outcome: UseOutcome, at: DateTime<Utc>) {
        self.note(key_id, region_id, outcome, at, None);
    }

    fn note(
        &self,
        key_id: &KeyId,
        region_id: &RegionId,
        outcome: UseOutcome,
        at: DateTime<Utc>,
        last_use: Option<NotedUse>,
    ) {
        let counted = self.insight == UsageInsight::On;
        if !counted && last_use.is_none() {
            return;
        }
        let mut pending = self.pending();
        let key = match pending.get_mut(key_id) {
            Some(key) => key,
            None => pending.entry(key_id.clone()).or_insert_with(|| PendingKey {
                region_id: region_id.clone(),
                last_use: None,
                counts: BTreeMap::new(),
            }),
        };
        if counted {
            let one = UsageCounts::one(outcome);
            for (resolution, bucket) in
                [(Resolution::Minute, UsageBucket::Minute), (Resolution::Hour, UsageBucket::Hour)]
            {
                key.counts.entry((resolution, bucket.start_of(at))).or_default().add(&one);
            }
        }
        if let Some(noted) = last_use {
            key.note_use(noted);
        }
    }

    /// The map holds plain values, so one a panicking thread left behind is
    /// still sound.
    fn pending(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl PendingKey {
    fn note_use(&mut self, noted: NotedUse) {
        if self.last_use.as_ref().is_none_or(|last| last.at <= noted.at) {
            self.last_use = Some(noted);
        }
    }

    /// Adds what an earlier, failed flush could not write.
    fn absorb(&mut self, earlier: PendingKey) {
        for (bucket, counts) in earlier.counts {
            self.counts.entry(bucket).or_default().add(&counts);
        }
        if let Some(noted) = earlier.last_use {
            self.note_use(noted);
        }
    }
}

/// Each key's last use where it is later than the stored one (another
/// process may have written a later one; a key deleted meanwhile matches
/// no row), then the counts, added to what the rows hold.
async fn write(db: &Db, batch: &Pending) -> Result<()> {
    let txn = database::begin_write(db).await?;
    let uses: Vec<(&KeyId, &NotedUse)> =
        batch.iter().filter_map(|(key_id, key)| Some((key_id, key.last_use.as_ref()?))).collect();
    for statement in uses.chunks(KEYS_PER_UPDATE) {
        write_last_uses(&txn, statement).await?;
    }
    let rows: Vec<key_usage::ActiveModel> = batch
        .iter()
        .flat_map(|(key_id, key)| {
            key.counts.iter().map(move |((resolution, starts_at), counts)| key_usage::ActiveModel {
                key_id: Set(key_id.clone()),
                resolution: Set(*resolution),
                starts_at: Set(*starts_at),
                region_id: Set(key.region_id.clone()),
                accepted: Set(stored(counts.accepted)),
                invalid: Set(stored(counts.invalid)),
                insufficient_scope: Set(stored(counts.insufficient_scope)),
                throttled: Set(stored(counts.throttled)),
                rate_limited: Set(stored(counts.rate_limited)),
                credits_exhausted: Set(stored(counts.credits_exhausted)),
                network_not_allowed: Set(stored(counts.network_not_allowed)),
            })
        })
        .collect();
    for statement in rows.chunks(ROWS_PER_STATEMENT) {
        key_usage::Entity::insert_many(statement.to_vec())
            .on_conflict(adding_counts())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Keys per last-use update: six values each, well below SQLite's limit.
const KEYS_PER_UPDATE: usize = 1000;

/// Each key's last use, in one statement for all of `uses` (one per key
/// was most of a flush's time), where it is later than the stored one.
/// On Postgres the rows are locked in key order first, so concurrent
/// flushes cannot deadlock whatever order the join visits them in.
async fn write_last_uses(txn: &DatabaseTransaction, uses: &[(&KeyId, &NotedUse)]) -> Result<()> {
    let backend = txn.get_database_backend();
    let ids = uses.iter().map(|(key_id, _)| key_id.as_str());
    api_key::Entity::find()
        .select_only()
        .column(api_key::Column::Id)
        .filter(api_key::Column::Id.is_in(ids))
        .order_by_asc(api_key::Column::Id)
        .lock_exclusive()
        .into_tuple::<KeyId>()
        .all(txn)
        .await?;
    let mut values: Vec<Value> = Vec::with_capacity(uses.len() * 6);
    let mut rows = Vec::with_capacity(uses.len());
    for (key_id, noted) in uses {
        let first = values.len();
        values.extend([
            Value::from(key_id.as_str()),
            Value::from(noted.at),
            Value::from(noted.client.map(|client| client.to_string())),
            Value::from(noted.details.user_agent.clone()),
            Value::from(noted.details.method.clone()),
            Value::from(noted.details.path.clone()),
        ]);
        rows.push(match backend {
            DbBackend::Postgres => {
                let [id, at, client, agent, method, path] = std::array::from_fn(|i| first + i + 1);
                format!("(${id}, ${at}::timestamptz, ${client}::text, ${agent}::text, ${method}::text, ${path}::text)")
            }
            _ => "(?, ?, ?, ?, ?, ?)".to_owned(),
        });
    }
    let rows = rows.join(", ");
    // SQLite names a VALUES list's columns column1, column2, …
    let (used, id, at, client, agent, method, path) = match backend {
        DbBackend::Postgres => {
            ("used(id, at, client, agent, method, path)", "id", "at", "client", "agent", "method", "path")
        }
        _ => ("used", "column1", "column2", "column3", "column4", "column5", "column6"),
    };
    let sql = format!(
        "UPDATE api_keys SET last_used_at = used.{at}, last_client_address = used.{client}, \
         last_user_agent = used.{agent}, last_request_method = used.{method}, last_request_path = used.{path} \
         FROM (VALUES {rows}) AS {used} \
         WHERE api_keys.id = used.{id} AND (api_keys.last_used_at IS NULL OR api_keys.last_used_at < used.{at})"
    );
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(())
}

fn stored(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// `ON CONFLICT … DO UPDATE SET accepted = key_usage.accepted +
/// excluded.accepted, …`: processes add to a bucket, never overwrite it.
fn adding_counts() -> OnConflict {
    use key_usage::Column;
    let mut on_conflict = OnConflict::columns([Column::KeyId, Column::Resolution, Column::StartsAt]);
    for column in [
        Column::Accepted,
        Column::Invalid,
        Column::InsufficientScope,
        Column::Throttled,
        Column::RateLimited,
        Column::CreditsExhausted,
        Column::NetworkNotAllowed,
    ] {
        on_conflict
            .value(column, Expr::col((key_usage::Entity, column)).add(Expr::col((Alias::new("excluded"), column))));
    }
    on_conflict
}

/// Deletes minute buckets older than [`MINUTES_KEPT_HOURS`] and hour
/// buckets older than [`USAGE_KEPT_DAYS`]; the number of rows deleted.
pub(crate) async fn prune(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let aged = |resolution: Resolution, kept: TimeDelta| {
        Condition::all()
            .add(key_usage::Column::Resolution.eq(resolution))
            .add(key_usage::Column::StartsAt.lt(now - kept))
    };
    let deleted = key_usage::Entity::delete_many()
        .filter(
            Condition::any()
                .add(aged(Resolution::Minute, TimeDelta::hours(MINUTES_KEPT_HOURS)))
                .add(aged(Resolution::Hour, TimeDelta::days(USAGE_KEPT_DAYS))),
        )
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
