//! A region's keys: list, read, create, describe and delete them, and the
//! last-key guard every deletion passes.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};

use super::audit;
use super::change::Change;
use super::coherence::Coherence;
use crate::caller::Caller;
use crate::clock::now;
use crate::credentials::random;
use crate::credentials::secret_hash;
use crate::credentials::token::Token;
use crate::error::{Error, Result};
use crate::model::{ApiKey, AuditAction, CreatedApiKey, Description, KeyId, Region, RegionId, RegionOverview};
use crate::store::entity::api_key;
use crate::store::find_key_in_region;

#[derive(Clone)]
pub struct Keys {
    db: DatabaseConnection,
    coherence: Coherence,
}

impl Keys {
    pub(crate) fn new(db: DatabaseConnection, coherence: Coherence) -> Self {
        Self { db, coherence }
    }

    /// The caller's region with all its keys (`GET /auth/regions/me`).
    pub async fn overview(&self, caller: &Caller) -> Result<RegionOverview> {
        Ok(RegionOverview {
            region: caller.region().clone(),
            api_keys: self.list(caller).await?,
            current_api_key_id: caller.key_id().clone(),
        })
    }

    /// The caller's keys, oldest first.
    pub async fn list(&self, caller: &Caller) -> Result<Vec<ApiKey>> {
        let rows = api_key::Entity::find()
            .filter(api_key::Column::RegionId.eq(caller.region().id.as_str()))
            .order_by_asc(api_key::Column::CreatedAt)
            .order_by_asc(api_key::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(ApiKey::from).collect())
    }

    pub async fn get(&self, caller: &Caller, key_id: &KeyId) -> Result<ApiKey> {
        Ok(find_own_key(&self.db, caller, key_id).await?.into())
    }

    /// Creates a key in the caller's region (or in `region_id`, which must be
    /// the caller's own). The returned value is the only one that ever
    /// carries the token.
    pub async fn create(
        &self,
        caller: &Caller,
        description: Option<Description>,
        region_id: Option<&RegionId>,
    ) -> Result<CreatedApiKey> {
        ensure_own_region(caller, region_id)?;
        let (row, token) = new_key_row(caller.region(), description).await?;
        let mut txn = Change::by(&self.db, &self.coherence, caller).await?;
        let row = insert_key(&mut txn, row, Some(caller)).await?;
        txn.commit().await?;
        Ok(CreatedApiKey { key: row.into(), token: token.into_string() })
    }

    /// Sets or clears a key's description; `updated_at` moves.
    pub async fn describe(&self, caller: &Caller, key_id: &KeyId, description: Option<Description>) -> Result<ApiKey> {
        let txn = Change::by(&self.db, &self.coherence, caller).await?;
        let row = find_own_key(&*txn, caller, key_id).await?;
        let mut row: api_key::ActiveModel = row.into();
        row.description = Set(description.map(String::from));
        row.updated_at = Set(now());
        let row = row.update(&*txn).await?;
        audit::record(&*txn, &caller.region().id, AuditAction::ApiKeyUpdated, Some(&row), Some(caller)).await?;
        txn.commit().await?;
        Ok(row.into())
    }

    /// Revokes a key of the caller's region, unless it is the region's last.
    pub async fn delete(&self, caller: &Caller, key_id: &KeyId, region_id: Option<&RegionId>) -> Result<()> {
        ensure_own_region(caller, region_id)?;
        let mut txn = Change::by(&self.db, &self.coherence, caller).await?;
        match delete_unless_last(&mut txn, caller, key_id).await {
            // Perhaps a concurrent request deleted it and still waits for every
            // process to apply that: "no such key" must not be heard before.
            Err(Error::KeyNotFound) => {
                drop(txn);
                self.coherence.settle_all().await?;
                Err(Error::KeyNotFound)
            }
            Err(error) => Err(error),
            Ok(()) => txn.commit().await,
        }
    }
}

fn ensure_own_region(caller: &Caller, region_id: Option<&RegionId>) -> Result<()> {
    match region_id {
        Some(id) if *id != caller.region().id => Err(Error::ForeignRegion),
        _ => Ok(()),
    }
}

/// A key of the caller's region; other regions' keys are as absent as
/// unknown ids.
pub(crate) async fn find_own_key(db: &impl ConnectionTrait, caller: &Caller, key_id: &KeyId) -> Result<api_key::Model> {
    find_key_in_region(db, &caller.region().id, key_id).await?.ok_or(Error::KeyNotFound)
}

/// Deletes a key of the caller's region, with its audit event, unless it is
/// the region's last: the guard of every key deletion. `change` must come
/// from [`Change::by`], whose region lock keeps concurrent deletes from all
/// counting "two left".
pub(crate) async fn delete_unless_last(change: &mut Change, caller: &Caller, key_id: &KeyId) -> Result<()> {
    let key = find_own_key(&**change, caller, key_id).await?;
    let region_id = &caller.region().id;
    let keys =
        api_key::Entity::find().filter(api_key::Column::RegionId.eq(region_id.as_str())).count(&**change).await?;
    if keys <= 1 {
        return Err(Error::LastKey);
    }
    api_key::Entity::delete_by_id(key_id.clone()).exec(&**change).await?;
    audit::record(&**change, region_id, AuditAction::ApiKeyDeleted, Some(&key), Some(caller)).await?;
    change.keys_changed().await
}

/// Stores a new key and its audit event; `actor` is `None` for the CLI.
pub(crate) async fn insert_key(
    change: &mut Change,
    row: api_key::ActiveModel,
    actor: Option<&Caller>,
) -> Result<api_key::Model> {
    let key = row.insert(&**change).await?;
    audit::record(&**change, &key.region_id, AuditAction::ApiKeyCreated, Some(&key), actor).await?;
    change.keys_changed().await?;
    Ok(key)
}

/// A fresh token and the row that stores only its hash. Hashes before any
/// lock is taken: argon2 is slow by design.
pub(crate) async fn new_key_row(
    region: &Region,
    description: Option<Description>,
) -> Result<(api_key::ActiveModel, Token)> {
    let token = Token::generate(region.environment());
    let secret_hash = secret_hash::hash_in_turn(token.secret().to_owned()).await?;
    let at = now();
    let row = api_key::ActiveModel {
        id: Set(random::id::<KeyId>()),
        region_id: Set(region.id.clone()),
        lookup: Set(token.lookup().to_owned()),
        secret_hash: Set(secret_hash),
        preview: Set(token.preview()),
        description: Set(description.map(String::from)),
        created_at: Set(at),
        updated_at: Set(at),
        last_used_at: Set(None),
    };
    Ok((row, token))
}
