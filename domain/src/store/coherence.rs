//! The tables behind the coherent verification cache: the serving
//! processes' leases and acknowledgements, and the key-change clock. Plain
//! SQL, because the database's own clock must decide leases (processes on
//! several hosts need not agree on the time) and Postgres's NOTIFY carries
//! each change to the listeners.

use sea_orm::sqlx::{self, AssertSqlSafe};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};

/// The channel on which every key change is announced (Postgres).
pub(crate) const CHANNEL: &str = "keyward_key_changes";

/// The database's clock in milliseconds since the Unix epoch.
fn now_ms(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => "(extract(epoch from clock_timestamp()) * 1000)::bigint",
        _ => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
    }
}

/// Numbers a key change inside `txn`, which holds the clock's row lock until
/// it commits, so numbers follow commit order; on Postgres the number is
/// announced, delivered to every listener at commit.
pub(crate) async fn number_change(txn: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let backend = txn.get_database_backend();
    let row = txn
        .query_one_raw(Statement::from_string(
            backend,
            "UPDATE key_change_clock SET seq = seq + 1 WHERE id = 1 RETURNING seq",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the key change clock".to_owned()))?;
    let seq: i64 = row.try_get("", "seq")?;
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
    ($link:expr, $query:expr, fetch_one) => {
        match $link {
            Link::Postgres(listener) => $query.fetch_one(&mut **listener).await,
            Link::Sqlite(pool) => $query.fetch_one(*pool).await,
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
    /// applied every change so far (its cache is empty), and returns that
    /// change's number. Leases dead for an hour are cleared away.
    pub(crate) async fn register(&mut self, process: &str, lease_ms: i64) -> Result<i64, DbErr> {
        let now = now_ms(self.backend());
        let prune = format!("DELETE FROM serving_processes WHERE lease_expires_ms < {now} - 3600000");
        on_link!(self, sqlx::query(AssertSqlSafe(prune.as_str())), execute)?;
        let sql = format!(
            "INSERT INTO serving_processes (id, lease_expires_ms, acked_seq) \
             VALUES ($1, {now} + $2, (SELECT seq FROM key_change_clock WHERE id = 1)) \
             ON CONFLICT (id) DO UPDATE SET lease_expires_ms = excluded.lease_expires_ms, \
             acked_seq = excluded.acked_seq RETURNING acked_seq"
        );
        on_link!(self, sqlx::query_scalar(AssertSqlSafe(sql.as_str())).bind(process).bind(lease_ms), fetch_one)
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
}
