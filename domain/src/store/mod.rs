//! Persistence: connecting and migrating, the sea-orm entities (the tables
//! as the domain sees them), write transactions that serialise on both
//! backends, and the queries more than one use case shares. Depends on
//! `model`, `credentials` and the leaves; knows nothing of use cases.

pub(crate) mod budgets;
pub(crate) mod coherence;
pub(crate) mod database;
pub mod entity;
pub(crate) mod outbox;
pub(crate) mod write_queue;

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};

use crate::error::Result;
use crate::model::{KeyId, RegionId};
use entity::{api_key, region};

/// Takes the region's write lock inside `txn` (a transaction from
/// [`database::begin_write`]): `FOR UPDATE` on the region row on Postgres;
/// on SQLite, `BEGIN IMMEDIATE` already holds the database's write lock.
/// Every change that must see its region's keys as they are (the last-key
/// guard) decides under this lock.
pub(crate) async fn lock_region(txn: &DatabaseTransaction, region_id: &RegionId) -> Result<()> {
    region::Entity::find_by_id(region_id.clone()).lock_exclusive().one(txn).await?;
    Ok(())
}

/// A key of `region_id`; other regions' keys are as absent as unknown ids.
pub(crate) async fn find_key_in_region(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    key_id: &KeyId,
) -> Result<Option<api_key::Model>> {
    Ok(api_key::Entity::find_by_id(key_id.clone())
        .filter(api_key::Column::RegionId.eq(region_id.as_str()))
        .one(db)
        .await?)
}

/// An administrator grant of `region_id`; other regions' are as absent as unknown ids.
pub(crate) async fn find_administrator_in_region(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    administrator_id: &crate::model::AdministratorId,
) -> Result<Option<entity::administrator::Model>> {
    Ok(entity::administrator::Entity::find_by_id(administrator_id.clone())
        .filter(entity::administrator::Column::RegionId.eq(region_id.as_str()))
        .one(db)
        .await?)
}

/// Whether the database reports a unique constraint violation.
pub(crate) fn is_unique_violation(error: &sea_orm::DbErr) -> bool {
    matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}
