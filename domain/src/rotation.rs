//! Key rotation: create a new key, let the administrator move integrations
//! to it, then delete the old one. The rotation row makes the process
//! resumable from any browser; the keys themselves are made and deleted by
//! the same code as every other key, so the last-key guard still holds.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::rotation;
use crate::error::{Error, Result};
use crate::rotation_types::{Rotation, StartedRotation};
use crate::service::{Caller, KeyService, find_own_key, insert_key, new_key_row, now};
use crate::token::random_base62;
use crate::types::{self, CreatedApiKey};

impl KeyService {
    /// Starts replacing `old_key_id` with a new key described by
    /// `description`. One rotation per region at a time.
    pub async fn start_rotation(
        &self,
        caller: &Caller,
        old_key_id: &str,
        description: Option<String>,
    ) -> Result<StartedRotation> {
        let description = types::normalize_description(description).map_err(Error::Invalid)?;
        // Hash before taking the write lock: argon2 is slow by design.
        let (new_key, token) = new_key_row(&caller.region, description).await?;

        let txn = self.begin_change(caller).await?;
        find_own_key(&txn, &caller.region.id, old_key_id).await?;
        if let Some(open) = unfinished(&txn, &caller.region.id).await? {
            if open.new_key_id.is_some() {
                return Err(Error::RotationInProgress);
            }
            // Its new key is gone: nothing left to resume.
            close(&txn, open).await?;
        }
        let new_key = insert_key(&txn, new_key, Some(caller)).await?;
        let row = rotation::ActiveModel {
            id: Set(format!("rot_{}", random_base62(16))),
            region_id: Set(caller.region.id.clone()),
            old_key_id: Set(Some(old_key_id.to_owned())),
            new_key_id: Set(Some(new_key.id.clone())),
            started_at: Set(now()),
            finished_at: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        let rotation = Rotation {
            id: row.id,
            old_key_id: row.old_key_id,
            new_key_id: new_key.id.clone(),
            started_at: row.started_at,
        };
        Ok(StartedRotation { rotation, new_key: CreatedApiKey { key: new_key.into(), token: token.into_string() } })
    }

    /// The region's unfinished rotation, if any. A rotation whose new key
    /// was deleted meanwhile cannot go on, so it is closed here.
    pub async fn current_rotation(&self, caller: &Caller) -> Result<Option<Rotation>> {
        let Some(row) = unfinished(self.db(), &caller.region.id).await? else { return Ok(None) };
        match row.new_key_id.clone() {
            Some(new_key_id) => {
                Ok(Some(Rotation { id: row.id, old_key_id: row.old_key_id, new_key_id, started_at: row.started_at }))
            }
            None => {
                close(self.db(), row).await?;
                Ok(None)
            }
        }
    }

    /// Ends a rotation by deleting its old key (if it still exists).
    pub async fn finish_rotation(&self, caller: &Caller, rotation_id: &str) -> Result<()> {
        let row = self.unfinished_by_id(caller, rotation_id).await?;
        if let Some(old_key_id) = &row.old_key_id {
            self.delete_key_if_present(caller, old_key_id).await?;
        }
        close(self.db(), row).await
    }

    /// Abandons a rotation by deleting its new key; the old key stays.
    pub async fn cancel_rotation(&self, caller: &Caller, rotation_id: &str) -> Result<()> {
        let row = self.unfinished_by_id(caller, rotation_id).await?;
        if let Some(new_key_id) = &row.new_key_id {
            self.delete_key_if_present(caller, new_key_id).await?;
        }
        close(self.db(), row).await
    }

    async fn unfinished_by_id(&self, caller: &Caller, rotation_id: &str) -> Result<rotation::Model> {
        unfinished(self.db(), &caller.region.id)
            .await?
            .filter(|row| row.id == rotation_id)
            .ok_or(Error::RotationNotFound)
    }

    /// Deletes through [`KeyService::delete_key`] (so the last-key guard
    /// holds); a key someone else deleted first is fine.
    async fn delete_key_if_present(&self, caller: &Caller, key_id: &str) -> Result<()> {
        match self.delete_key(caller, key_id, None).await {
            Ok(()) | Err(Error::KeyNotFound) => Ok(()),
            Err(error) => Err(error),
        }
    }
}

async fn unfinished(db: &impl ConnectionTrait, region_id: &str) -> Result<Option<rotation::Model>> {
    Ok(rotation::Entity::find()
        .filter(rotation::Column::RegionId.eq(region_id))
        .filter(rotation::Column::FinishedAt.is_null())
        .order_by_desc(rotation::Column::StartedAt)
        .one(db)
        .await?)
}

async fn close(db: &impl ConnectionTrait, row: rotation::Model) -> Result<()> {
    let mut row: rotation::ActiveModel = row.into();
    row.finished_at = Set(Some(now()));
    row.update(db).await?;
    Ok(())
}
