//! Every write goes through a [`Change`]: a write transaction (under the
//! caller's region lock when a caller makes it) that, when it changes what
//! keys may do (adds, removes, re-scopes, schedules or quarantines them),
//! numbers that, logs which keys it touched and announces it, and on commit
//! waits until every serving process applied it to its verification cache.

use std::collections::BTreeMap;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult, Statement};

use super::coherence::Coherence;
use crate::caller::{Actor, Caller, ensure_usable};
use crate::clock::now;
use crate::error::{Error, Result};
use crate::model::RegionId;
use crate::store::coherence::{self, KeyChange};
use crate::store::database::Db;
use crate::store::write_queue::{TooManyWrites, Turn};
use crate::store::{administrators, database, keys, lock_region};

pub(crate) struct Change {
    txn: DatabaseTransaction,
    /// This process's turn to write, held until the transaction ends.
    _turn: Turn,
    coherence: Coherence,
    /// What this change did to which keys, by lookup.
    keys: BTreeMap<String, KeyChange>,
}

impl Change {
    /// A write transaction (`BEGIN IMMEDIATE` on SQLite), on no region in
    /// particular.
    pub(crate) async fn begin(db: &Db, coherence: &Coherence) -> Result<Self> {
        Self::begin_in(db, coherence, None).await
    }

    /// A write transaction, once it is this process's turn to write to
    /// `region` ([`Db::write_turn`]): a burst waits in memory, not on the pool.
    async fn begin_in(db: &Db, coherence: &Coherence, region: Option<&RegionId>) -> Result<Self> {
        let turn = db.write_turn(region.map(RegionId::as_str)).await.map_err(|TooManyWrites| Error::Paced {
            retry_after: Duration::from_secs(1),
            what: "too many changes at once",
        })?;
        let txn = database::begin_write(db).await?;
        Ok(Self { txn, _turn: turn, coherence: coherence.clone(), keys: BTreeMap::new() })
    }

    /// A change on behalf of `caller`, holding its region's write lock
    /// (`FOR UPDATE` on Postgres). The caller's key is read again under the
    /// lock, so a request whose key was revoked, quarantined, came due or was re-scoped
    /// while it was in flight changes nothing: its scopes were checked
    /// against what the key held when it was verified.
    /// A person's grant is read again the same way: a request whose grant
    /// was revoked or re-scoped while it was in flight changes nothing.
    pub(crate) async fn by(db: &Db, coherence: &Coherence, caller: &Caller) -> Result<Self> {
        let change = Self::in_region(db, coherence, &caller.region().id).await?;
        let held = match caller.actor() {
            Actor::Key(key_id) => {
                let key = keys::find_in_region(&change.txn, &caller.region().id, key_id)
                    .await?
                    .ok_or(Error::Unauthenticated)?;
                ensure_usable(key.state_at(now()))?;
                key.scopes
            }
            Actor::Person { administrator_id, .. } => {
                administrators::find_in_region(&change.txn, &caller.region().id, administrator_id)
                    .await?
                    .ok_or(Error::Unauthenticated)?
                    .scopes
            }
        };
        if held != *caller.scopes() {
            return Err(Error::ScopesChanged);
        }
        Ok(change)
    }

    /// A change holding `region_id`'s write lock, on no one's behalf (the
    /// server's own work, such as revocations coming due).
    pub(crate) async fn in_region(db: &Db, coherence: &Coherence, region_id: &RegionId) -> Result<Self> {
        let change = Self::begin_in(db, coherence, Some(region_id)).await?;
        lock_region(&change.txn, region_id).await?;
        Ok(change)
    }

    /// This change adds the key with `lookup`.
    pub(crate) fn key_added(&mut self, lookup: &str) {
        self.touched(lookup, KeyChange::Added);
    }

    /// This change re-scopes, schedules or quarantines the key with `lookup`.
    pub(crate) fn key_changed(&mut self, lookup: &str) {
        self.touched(lookup, KeyChange::Changed);
    }

    /// This change deletes the key with `lookup`.
    pub(crate) fn key_removed(&mut self, lookup: &str) {
        self.touched(lookup, KeyChange::Removed);
    }

    fn touched(&mut self, lookup: &str, change: KeyChange) {
        let merged = self.keys.get(lookup).map_or(change, |before| before.then(change));
        self.keys.insert(lookup.to_owned(), merged);
    }

    /// Commits; when keys changed, numbers and logs that first (the clock's
    /// row lock is held only from here to the commit), then waits until
    /// every serving process applied it: from then on no process answers
    /// from a cache that predates it.
    pub(crate) async fn commit(self) -> Result<()> {
        let Self { txn, _turn: turn, coherence: cache, keys } = self;
        let announced = match keys.is_empty() {
            true => None,
            false => Some(coherence::number_change(&txn, &keys).await?),
        };
        txn.commit().await?;
        // The next write may begin while this one waits for every process:
        // settling a later number settles this one too.
        drop(turn);
        if let Some(seq) = announced {
            cache.settle(seq).await?;
        }
        Ok(())
    }
}

/// A change is the connection its use case works through: every statement
/// given `&change` runs in its transaction.
#[sea_orm::prelude::async_trait::async_trait]
impl ConnectionTrait for Change {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> std::result::Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> std::result::Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> std::result::Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> std::result::Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}
