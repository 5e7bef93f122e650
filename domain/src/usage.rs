//! `last_used_at` without a write on the request path: requests note the use
//! in memory, and a background task writes each key at most once per flush.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::entity::api_key;
use crate::error::Result;

#[derive(Clone, Default)]
pub struct UsageRecorder {
    pending: Arc<Mutex<HashMap<String, DateTime<Utc>>>>,
}

impl UsageRecorder {
    /// Notes that `key_id` was used now. Later uses before the next flush
    /// overwrite earlier ones, so one write per key per flush.
    pub fn record(&self, key_id: &str) {
        let now = crate::service::now();
        let mut pending = self.pending.lock().expect("usage map poisoned");
        match pending.get_mut(key_id) {
            Some(at) => *at = now,
            None => {
                pending.insert(key_id.to_owned(), now);
            }
        }
    }

    /// Writes everything noted since the last flush. A key deleted meanwhile
    /// simply matches no row.
    pub async fn flush(&self, db: &DatabaseConnection) -> Result<usize> {
        let batch = std::mem::take(&mut *self.pending.lock().expect("usage map poisoned"));
        let count = batch.len();
        for (key_id, at) in batch {
            api_key::Entity::update_many()
                .set(api_key::ActiveModel { last_used_at: Set(Some(at)), ..Default::default() })
                .filter(api_key::Column::Id.eq(key_id))
                .exec(db)
                .await?;
        }
        Ok(count)
    }
}
