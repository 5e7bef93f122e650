//! `last_used_at` without a write on the request path: requests note the use
//! in memory, and a background task writes each key at most once per flush.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::clock::now;
use crate::error::Result;
use crate::model::KeyId;
use crate::store::database;
use crate::store::database::Db;
use crate::store::entity::api_key;

/// Ordered by key id, so every process writes rows in the same order and
/// concurrent flushes cannot deadlock on Postgres's row locks.
type Uses = BTreeMap<KeyId, DateTime<Utc>>;

#[derive(Clone, Default)]
pub(crate) struct UsageRecorder {
    pending: Arc<Mutex<Uses>>,
}

impl UsageRecorder {
    /// Notes that `key_id` was used now. Later uses before the next flush
    /// overwrite earlier ones, so one write per key per flush.
    pub(crate) fn record(&self, key_id: &KeyId) {
        let now = now();
        let mut pending = self.pending();
        match pending.get_mut(key_id) {
            Some(at) => *at = now,
            None => {
                pending.insert(key_id.clone(), now);
            }
        }
    }

    /// Writes everything noted since the last flush, in one transaction. If
    /// that fails, the uses go back to be written by the next flush.
    pub(crate) async fn flush(&self, db: &Db) -> Result<usize> {
        let batch = std::mem::take(&mut *self.pending());
        if batch.is_empty() {
            return Ok(0);
        }
        match write(db, &batch).await {
            Ok(()) => Ok(batch.len()),
            Err(error) => {
                let mut pending = self.pending();
                for (key_id, at) in batch {
                    let latest = pending.entry(key_id).or_insert(at);
                    *latest = (*latest).max(at);
                }
                Err(error)
            }
        }
    }

    /// The map holds plain values, so one a panicking thread left behind is
    /// still sound.
    fn pending(&self) -> MutexGuard<'_, Uses> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A key deleted meanwhile matches no row, and a later use another process
/// already wrote is kept.
async fn write(db: &Db, batch: &Uses) -> Result<()> {
    let txn = database::begin_write(db).await?;
    for (key_id, at) in batch {
        api_key::Entity::update_many()
            .set(api_key::ActiveModel { last_used_at: Set(Some(*at)), ..Default::default() })
            .filter(api_key::Column::Id.eq(key_id.as_str()))
            .filter(
                Condition::any().add(api_key::Column::LastUsedAt.is_null()).add(api_key::Column::LastUsedAt.lt(*at)),
            )
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}
