//! Connecting to SQLite or Postgres, and write transactions that serialise
//! on both.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};

use super::write_queue::{TooManyWrites, Turn, WriteQueue};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, RuntimeErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

/// Opens a pool for `url` (`sqlite://path?mode=rwc` or `postgres://...`).
/// For SQLite it creates the file's directory, turns on WAL (readers never
/// wait for the writer), full sync (an acknowledged write survives a crash)
/// and a busy timeout, so concurrent writers queue instead of failing with
/// "database is locked".
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_waiting(url, DEFAULT_ACQUIRE_TIMEOUT).await
}

/// The pool's size.
const MAX_CONNECTIONS: u32 = 16;

/// How long a request waits for a database connection by default before it
/// is told the database is unavailable: an outage is answered quickly, not
/// after a long wait.
const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(500);

/// [`connect`], with requests waiting at most `acquire_timeout` for a
/// connection.
pub async fn connect_waiting(url: &str, acquire_timeout: Duration) -> Result<DatabaseConnection, DbErr> {
    if let Some(dir) = sqlite_file(url).and_then(Path::parent).filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create the database directory {}: {e}", dir.display())))?;
    }
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(MAX_CONNECTIONS)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(acquire_timeout)
        // A ping before every query would double the hot path's database
        // round trips; only connections idle for a while are checked.
        .test_before_acquire_if_idle_for(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    let mut attempts = 0;
    loop {
        match Database::connect(options.clone()).await {
            // Switching a new SQLite file to WAL takes an exclusive lock that
            // the busy handler does not wait for, so processes creating the
            // same file at the same moment can see SQLITE_BUSY. It passes.
            Err(error) if is_sqlite_busy(&error) && attempts < 50 => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            result => return result,
        }
    }
}

fn is_sqlite_busy(error: &DbErr) -> bool {
    match error {
        DbErr::Conn(RuntimeErr::SqlxError(error)) => {
            error.as_database_error().and_then(|e| e.code()).is_some_and(|code| code == "5")
        }
        _ => false,
    }
}

/// "keyward" in ASCII, shared by every Keyward process: the key of the Postgres
/// advisory lock that serialises migrations.
const MIGRATION_LOCK_KEY: i64 = 0x006b_6579_7761_7264;

/// Applies every pending migration in one write transaction, so processes
/// starting at once on one database migrate one after the other: the
/// second finds nothing left to do. SQLite serialises on `BEGIN IMMEDIATE`,
/// Postgres on an advisory lock (a transaction alone would let both create
/// the same table).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let txn = begin_write(&Db::new(db.clone())).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")).await?;
    }
    Migrator::up(&txn, None).await?;
    txn.commit().await
}

/// The pool as the domain uses it: a statement that fails because its
/// pooled connection was lost while idle (closed by a restart, a failover,
/// a proxy's idle time-out, `pg_terminate_backend`) runs once more on
/// another connection. Pooled connections are not pinged before use (that
/// would double the round trips), so the first use is what finds a dead one.
/// Safe because everything Keyward runs on the pool outside a transaction is
/// a read or an idempotent write (setting a time, deleting by id); a
/// transaction is retried only at its `BEGIN`, before anything of it ran.
#[derive(Clone)]
pub(crate) struct Db(DatabaseConnection, Arc<WriteQueue>);

impl Db {
    pub(crate) fn new(db: DatabaseConnection) -> Self {
        let one_line = db.get_database_backend() == DbBackend::Sqlite;
        Self(db, Arc::new(WriteQueue::new(MAX_CONNECTIONS, one_line)))
    }

    /// Waits for this process's turn to write to `region` ([`WriteQueue`]).
    pub(crate) async fn write_turn(&self, region: Option<&str>) -> Result<Turn, TooManyWrites> {
        self.1.turn(region).await
    }

    /// Runs `attempt` again while its connection turns out lost, once per
    /// connection the pool can hold (after a restart every idle one is
    /// dead, and each is found once); any other failure is final.
    async fn retrying<T, F: Future<Output = Result<T, DbErr>>>(&self, attempt: impl Fn() -> F) -> Result<T, DbErr> {
        let mut lost = 0;
        loop {
            match attempt().await {
                Err(error) if is_lost_connection(&error) && lost < MAX_CONNECTIONS => {
                    lost += 1;
                    metrics::counter!("keyward_database_retries_total").increment(1);
                }
                done => return done,
            }
        }
    }
}

impl std::ops::Deref for Db {
    type Target = DatabaseConnection;

    fn deref(&self) -> &DatabaseConnection {
        &self.0
    }
}

#[sea_orm::prelude::async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DbBackend {
        self.0.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.retrying(|| self.0.execute_raw(stmt.clone())).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.retrying(|| self.0.execute_unprepared(sql)).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.retrying(|| self.0.query_one_raw(stmt.clone())).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.retrying(|| self.0.query_all_raw(stmt.clone())).await
    }
}

/// Whether the connection a statement ran on was gone: the socket closed,
/// or Postgres ended the session (57P01 terminated by an administrator,
/// 57P02 crash, 08 connection exceptions). Not a pool time-out: the
/// database as a whole does not answer, and waiting twice would not help.
fn is_lost_connection(error: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    let (DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error))) = error else {
        return false;
    };
    match &**error {
        Sqlx::Io(_) => true,
        Sqlx::Database(error) => {
            error.code().is_some_and(|code| matches!(&*code, "57P01" | "57P02") || code.starts_with("08"))
        }
        _ => false,
    }
}

/// The pool's connections: (open, idle).
pub(crate) fn pool_connections(db: &DatabaseConnection) -> (u32, usize) {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
    }
}

/// The file behind a `sqlite:` URL, if it names one.
fn sqlite_file(url: &str) -> Option<&Path> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| Path::new(path))
}

/// A transaction that takes the write lock up front. On SQLite this is
/// `BEGIN IMMEDIATE` (sea-orm emits no row locks there), so two writers never
/// both read "two keys left"; on Postgres the caller also locks the rows it
/// decides on with `SELECT ... FOR UPDATE`.
/// Retried like a statement when its connection was lost: nothing of the
/// transaction ran yet.
pub(crate) async fn begin_write(db: &Db) -> Result<DatabaseTransaction, DbErr> {
    let options =
        || TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
    db.retrying(|| db.0.begin_with_options(options())).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_file_of_sqlite_urls() {
        assert_eq!(sqlite_file("sqlite://./data/keyward.db?mode=rwc"), Some(Path::new("./data/keyward.db")));
        assert_eq!(sqlite_file("sqlite:/tmp/k.db"), Some(Path::new("/tmp/k.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/keyward"), None);
    }
}
