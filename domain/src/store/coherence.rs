//! The tables behind the coherent verification cache: the serving
//! processes' leases and acknowledgements, the key-change clock and the
//! log of which keys each change touched. Plain SQL, because the
//! database's own clock must decide leases (processes on several hosts need
//! not agree on the time) and Postgres's NOTIFY carries each change's
//! number to the listeners.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use sea_orm::sqlx::{self, AssertSqlSafe};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};

/// The channel on which every key change is announced (Postgres).
pub(crate) const CHANNEL: &str = "keyward_key_changes";

/// The database's clock in milliseconds since the Unix epoch.
fn now_ms(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => "(extract(epoch from clock_timestamp()) * 1000)::bigint",
        _ => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
    }
}

/// What a change did to one key, as its log says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyChange {
    /// A new key: its lookup exists from now on.
    Added,
    /// Re-scoped, scheduled or quarantined: what the key may do changed.
    Changed,
    /// Deleted: its lookup no longer exists.
    Removed,
}

impl KeyChange {
    fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Changed => "changed",
            Self::Removed => "removed",
        }
    }

    fn parse(text: &str) -> Result<Self, DbErr> {
        match text {
            "added" => Ok(Self::Added),
            "changed" => Ok(Self::Changed),
            "removed" => Ok(Self::Removed),
            other => Err(DbErr::Type(format!("unknown key change {other:?}"))),
        }
    }

    /// Two things done to one key in one transaction, as one.
    pub(crate) fn then(self, next: Self) -> Self {
        match (self, next) {
            // Added and gone again: it never existed for anyone else.
            (Self::Added, Self::Removed) => Self::Changed,
            (Self::Added, _) => Self::Added,
            (_, Self::Removed) | (Self::Removed, _) => Self::Removed,
            (Self::Changed, _) => next,
        }
    }
}

/// Rows per INSERT into the log: well within SQLite's bound on parameters.
const LOG_ROWS_PER_INSERT: usize = 200;

/// Numbers a key change inside `txn`, which holds the clock's row lock until
/// it commits, so numbers follow commit order and have no gaps; logs which
/// keys it touched under that number. On Postgres the number is announced,
/// delivered to every listener at commit (the keys are read from the log:
/// however many there are, the announcement stays a few bytes).
pub(crate) async fn number_change(
    txn: &impl ConnectionTrait,
    changes: &BTreeMap<String, KeyChange>,
) -> Result<i64, DbErr> {
    let backend = txn.get_database_backend();
    let row = txn
        .query_one_raw(Statement::from_string(
            backend,
            "UPDATE key_change_clock SET seq = seq + 1 WHERE id = 1 RETURNING seq",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the key change clock".to_owned()))?;
    let seq: i64 = row.try_get("", "seq")?;
    // One time for every row of the change, so pruning keeps or drops it whole.
    let at: i64 = txn
        .query_one_raw(Statement::from_string(backend, format!("SELECT {} AS at", now_ms(backend))))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the database's clock".to_owned()))?
        .try_get("", "at")?;
    let changes: Vec<_> = changes.iter().collect();
    for batch in changes.chunks(LOG_ROWS_PER_INSERT) {
        let mut values: Vec<Value> = Vec::with_capacity(batch.len() * 2 + 2);
        values.push(seq.into());
        values.push(at.into());
        let rows: Vec<String> = batch
            .iter()
            .map(|(lookup, change)| {
                values.push((*lookup).clone().into());
                values.push(change.as_str().into());
                format!("($1, ${}, ${}, $2)", values.len() - 1, values.len())
            })
            .collect();
        let sql = format!("INSERT INTO key_changes (seq, lookup, kind, changed_at_ms) VALUES {}", rows.join(", "));
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    }
    if backend == DatabaseBackend::Postgres {
        let notify = format!("SELECT pg_notify('{CHANNEL}', '{seq}')");
        txn.execute_raw(Statement::from_string(backend, notify)).await?;
    }
    Ok(seq)
}

/// The number of the latest committed key change.
pub(crate) async fn latest(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let row =
        db.query_one_raw(Statement::from_string(backend, "SELECT seq FROM key_change_clock WHERE id = 1")).await?;
    row.ok_or_else(|| DbErr::RecordNotFound("the key change clock".to_owned()))?.try_get("", "seq")
}

/// How many processes hold a live lease but have not applied change `seq`.
pub(crate) async fn lagging(db: &impl ConnectionTrait, seq: i64) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT COUNT(*) AS lagging FROM serving_processes WHERE lease_expires_ms > {} AND acked_seq < $1",
        now_ms(backend)
    );
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [seq.into()])).await?;
    row.map_or(Ok(0), |row| row.try_get("", "lagging"))
}

/// Runs a sqlx query on whichever connection `link` holds: the same
/// query text and binds, typed for each backend. The texts are put
/// together from this file's constants only (`AssertSqlSafe`).
macro_rules! on_link {
    ($link:expr, $query:expr, execute) => {
        match $link {
            Link::Postgres(listener) => $query.execute(&mut **listener).await.map(|done| done.rows_affected()),
            Link::Sqlite(pool) => $query.execute(*pool).await.map(|done| done.rows_affected()),
        }
        .map_err(|error| DbErr::Custom(error.to_string()))
    };
    ($link:expr, $query:expr, $fetch:ident) => {
        match $link {
            Link::Postgres(listener) => $query.$fetch(&mut **listener).await,
            Link::Sqlite(pool) => $query.$fetch(*pool).await,
        }
        .map_err(|error| DbErr::Custom(error.to_string()))
    };
}

/// Gives `process`'s lease up (a clean stop), so no change waits for it.
pub(crate) async fn withdraw(db: &impl ConnectionTrait, process: &str) -> Result<(), DbErr> {
    let sql = "DELETE FROM serving_processes WHERE id = $1";
    db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, [process.into()])).await.map(drop)
}

/// A connection of the serving process's own: on Postgres the listening
/// one, so that renewing the lease proves the link that carries the
/// announcements is alive.
pub(crate) enum Link<'a> {
    Postgres(&'a mut sqlx::postgres::PgListener),
    Sqlite(&'a sqlx::SqlitePool),
}

impl Link<'_> {
    fn backend(&self) -> DatabaseBackend {
        match self {
            Self::Postgres(_) => DatabaseBackend::Postgres,
            Self::Sqlite(_) => DatabaseBackend::Sqlite,
        }
    }

    /// Takes (or retakes) a lease of `lease_ms` for `process`, as having
    /// applied every change up to `applied`. Leases dead for an hour are
    /// cleared away.
    pub(crate) async fn register(&mut self, process: &str, lease_ms: i64, applied: i64) -> Result<(), DbErr> {
        let now = now_ms(self.backend());
        let prune = format!("DELETE FROM serving_processes WHERE lease_expires_ms < {now} - 3600000");
        on_link!(self, sqlx::query(AssertSqlSafe(prune.as_str())), execute)?;
        let sql = format!(
            "INSERT INTO serving_processes (id, lease_expires_ms, acked_seq) VALUES ($1, {now} + $2, $3) \
             ON CONFLICT (id) DO UPDATE SET lease_expires_ms = excluded.lease_expires_ms, \
             acked_seq = excluded.acked_seq"
        );
        on_link!(self, sqlx::query(AssertSqlSafe(sql.as_str())).bind(process).bind(lease_ms).bind(applied), execute)
            .map(drop)
    }

    /// Extends the lease; `false` when it already ran out (changes may have
    /// been settled without this process) or was cleared as dead.
    pub(crate) async fn renew(&mut self, process: &str, lease_ms: i64) -> Result<bool, DbErr> {
        let now = now_ms(self.backend());
        let sql = format!(
            "UPDATE serving_processes SET lease_expires_ms = {now} + $2 WHERE id = $1 AND lease_expires_ms > {now}"
        );
        let renewed = on_link!(self, sqlx::query(AssertSqlSafe(sql.as_str())).bind(process).bind(lease_ms), execute)?;
        Ok(renewed == 1)
    }

    /// Records that `process` applied every change up to `seq`.
    pub(crate) async fn acknowledge(&mut self, process: &str, seq: i64) -> Result<(), DbErr> {
        let sql = "UPDATE serving_processes SET acked_seq = $2 WHERE id = $1 AND acked_seq < $2";
        on_link!(self, sqlx::query(sql).bind(process).bind(seq), execute).map(drop)
    }

    /// Which server connection this is (Postgres's backend pid): sqlx
    /// reconnects a listener silently when it is used to run a query, and a
    /// new connection may have missed announcements.
    pub(crate) async fn connection(&mut self) -> Result<i64, DbErr> {
        match self {
            Self::Postgres(listener) => sqlx::query_scalar("SELECT pg_backend_pid()::bigint")
                .fetch_one(&mut **listener)
                .await
                .map_err(|error| DbErr::Custom(error.to_string())),
            Self::Sqlite(_) => Ok(0),
        }
    }

    /// The number of the latest committed change.
    pub(crate) async fn latest_change(&mut self) -> Result<i64, DbErr> {
        on_link!(self, sqlx::query_scalar("SELECT seq FROM key_change_clock WHERE id = 1"), fetch_one)
    }

    /// The log of the changes after `applied` up to `latest`, in order of
    /// their numbers.
    pub(crate) async fn changes_since(
        &mut self,
        applied: i64,
        latest: i64,
    ) -> Result<Vec<(i64, String, KeyChange)>, DbErr> {
        let sql = "SELECT seq, lookup, kind FROM key_changes WHERE seq > $1 AND seq <= $2 ORDER BY seq";
        let rows: Vec<(i64, String, String)> =
            on_link!(self, sqlx::query_as(sql).bind(applied).bind(latest), fetch_all)?;
        rows.into_iter().map(|(seq, lookup, kind)| Ok((seq, lookup, KeyChange::parse(&kind)?))).collect()
    }

    /// Every existing lookup, each as `digest` makes it, with the number of
    /// the latest change they reflect: one consistent snapshot (a
    /// repeatable-read transaction on Postgres, a read transaction on
    /// SQLite), streamed so that ten million keys never sit in memory as
    /// strings.
    pub(crate) async fn snapshot(&mut self, digest: impl Fn(&str) -> u64) -> Result<(i64, Vec<u64>), DbErr> {
        let to_db = |error: sqlx::Error| DbErr::Custom(error.to_string());
        const SEQ: &str = "SELECT seq FROM key_change_clock WHERE id = 1";
        const LOOKUPS: &str = "SELECT lookup FROM api_keys";
        let mut digests = Vec::new();
        let seq = match self {
            Self::Postgres(listener) => {
                sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut **listener)
                    .await
                    .map_err(to_db)?;
                let seq: i64 = sqlx::query_scalar(SEQ).fetch_one(&mut **listener).await.map_err(to_db)?;
                let mut rows = sqlx::query_scalar::<_, String>(LOOKUPS).fetch(&mut **listener);
                while let Some(lookup) = rows.try_next().await.map_err(to_db)? {
                    digests.push(digest(&lookup));
                }
                drop(rows);
                sqlx::query("COMMIT").execute(&mut **listener).await.map_err(to_db)?;
                seq
            }
            Self::Sqlite(pool) => {
                let mut txn = pool.begin().await.map_err(to_db)?;
                let seq: i64 = sqlx::query_scalar(SEQ).fetch_one(&mut *txn).await.map_err(to_db)?;
                let mut rows = sqlx::query_scalar::<_, String>(LOOKUPS).fetch(&mut *txn);
                while let Some(lookup) = rows.try_next().await.map_err(to_db)? {
                    digests.push(digest(&lookup));
                }
                drop(rows);
                txn.commit().await.map_err(to_db)?;
                seq
            }
        };
        Ok((seq, digests))
    }

    /// Deletes the log's rows that every live process applied and that are
    /// older than [`LOG_KEPT_MS`], which is long enough for a process that
    /// loads a snapshot of every key to catch up from the log after it.
    pub(crate) async fn prune_log(&mut self) -> Result<(), DbErr> {
        let now = now_ms(self.backend());
        let sql = format!(
            "DELETE FROM key_changes WHERE changed_at_ms < {now} - {LOG_KEPT_MS} AND seq <= COALESCE(\
             (SELECT MIN(acked_seq) FROM serving_processes WHERE lease_expires_ms > {now}), \
             (SELECT seq FROM key_change_clock WHERE id = 1))"
        );
        on_link!(self, sqlx::query(AssertSqlSafe(sql.as_str())), execute).map(drop)
    }
}

/// How long the key-change log keeps a change every live process applied.
const LOG_KEPT_MS: i64 = 15 * 60 * 1000;
