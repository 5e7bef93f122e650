//! `last_used_at` without a write on the request path: requests note the use
//! in memory, and a background task writes each key at most once per flush.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};

use crate::entity::api_key;
use crate::error::Result;

/// Ordered by key id, so every process writes rows in the same order and
/// concurrent flushes cannot deadlock on Postgres's row locks.
type Uses = BTreeMap<String, DateTime<Utc>>;

#[derive(Clone, Default)]
pub struct UsageRecorder {
    pending: Arc<Mutex<Uses>>,
}

impl UsageRecorder {
    /// Notes that `key_id` was used now. Later uses before the next flush
    /// overwrite earlier ones, so one write per key per flush.
    pub fn record(&self, key_id: &str) {
        let now = crate::service::now();
        let mut pending = self.pending();
        match pending.get_mut(key_id) {
            Some(at) => *at = now,
            None => {
                pending.insert(key_id.to_owned(), now);
            }
        }
    }

    /// Writes everything noted since the last flush, in one transaction. If
    /// that fails, the uses go back to be written by the next flush.
    pub async fn flush(&self, db: &DatabaseConnection) -> Result<usize> {
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
async fn write(db: &DatabaseConnection, batch: &Uses) -> Result<()> {
    let txn = crate::db::begin_write(db).await?;
    for (key_id, at) in batch {
        api_key::Entity::update_many()
            .set(api_key::ActiveModel { last_used_at: Set(Some(*at)), ..Default::default() })
            .filter(api_key::Column::Id.eq(key_id))
            .filter(
                Condition::any().add(api_key::Column::LastUsedAt.is_null()).add(api_key::Column::LastUsedAt.lt(*at)),
            )
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use sea_orm::ActiveModelTrait;

    use super::*;
    use crate::{KeyService, ThrottleLimits};

    async fn database(dir: &tempfile::TempDir, name: &str, migrated: bool) -> DatabaseConnection {
        let url = format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
        let db = crate::db::connect(&url).await.expect("connect");
        if migrated {
            crate::db::migrate(&db).await.expect("migrate");
        }
        db
    }

    /// A migrated database in `dir` with one region, and its key's id.
    async fn database_with_a_key(dir: &tempfile::TempDir) -> (DatabaseConnection, String) {
        let db = database(dir, "keyward.db", true).await;
        let keys = KeyService::new(db.clone(), ThrottleLimits::default());
        let key_id = keys.create_region("acme", false, None).await.unwrap().api_key.key.id;
        (db, key_id)
    }

    async fn last_used_at(db: &DatabaseConnection, key_id: &str) -> Option<DateTime<Utc>> {
        api_key::Entity::find_by_id(key_id).one(db).await.unwrap().unwrap().last_used_at
    }

    #[tokio::test]
    async fn a_failed_flush_keeps_its_uses_for_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let (db, key_id) = database_with_a_key(&dir).await;
        let usage = UsageRecorder::default();
        usage.record(&key_id);

        let without_tables = database(&dir, "empty.db", false).await;
        assert!(usage.flush(&without_tables).await.is_err());
        assert_eq!(last_used_at(&db, &key_id).await, None);
        assert_eq!(usage.flush(&db).await.unwrap(), 1);
        assert!(last_used_at(&db, &key_id).await.is_some());
        assert_eq!(usage.flush(&db).await.unwrap(), 0, "written once");
    }

    #[tokio::test]
    async fn an_earlier_use_never_overwrites_a_later_one() {
        let dir = tempfile::tempdir().unwrap();
        let (db, key_id) = database_with_a_key(&dir).await;
        // Another process flushed a later use first.
        let later = crate::service::now() + TimeDelta::minutes(5);
        let row = api_key::Entity::find_by_id(&key_id).one(&db).await.unwrap().unwrap();
        let mut row: api_key::ActiveModel = row.into();
        row.last_used_at = Set(Some(later));
        row.update(&db).await.unwrap();

        let usage = UsageRecorder::default();
        usage.record(&key_id);
        usage.flush(&db).await.unwrap();
        assert_eq!(last_used_at(&db, &key_id).await, Some(later));
    }
}
