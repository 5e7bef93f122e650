//! Persistence: connecting and migrating, the sea-orm entities (the tables
//! as the domain sees them), write transactions that serialise on both
//! backends, and every query, in a module per aggregate (`keys`,
//! `sessions`, `webhooks`, …), each a function named for what it does.
//! A use case may save a row it built or changed; every other statement is
//! built here (`tests/layers.rs`). Depends on `model`, `credentials` and the
//! leaves; knows nothing of use cases.

pub(crate) mod administrators;
pub(crate) mod audit;
pub(crate) mod budgets;
pub(crate) mod coherence;
pub(crate) mod database;
pub mod entity;
pub(crate) mod keys;
pub(crate) mod outbox;
pub(crate) mod owners;
pub(crate) mod regions;
pub(crate) mod rotations;
pub(crate) mod sessions;
pub(crate) mod sign_ins;
pub(crate) mod usage;
pub(crate) mod webhooks;
pub(crate) mod write_queue;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PrimaryKeyTrait, QueryFilter, QuerySelect,
};

use crate::error::Result;
use crate::model::RegionId;
use entity::region;

/// Takes the region's write lock inside `txn` (a transaction from
/// [`database::begin_write`]): `FOR UPDATE` on the region row on Postgres;
/// on SQLite, `BEGIN IMMEDIATE` already holds the database's write lock.
/// Every change that must see its region's keys as they are (the last-key
/// guard) decides under this lock.
pub(crate) async fn lock_region(txn: &DatabaseTransaction, region_id: &RegionId) -> Result<()> {
    region::Entity::find_by_id(region_id.clone()).lock_exclusive().one(txn).await?;
    Ok(())
}

/// The row of `E` with `id`, if it is `region_id`'s: other regions' rows
/// are as absent as unknown ids. Each aggregate's `find_in_region` is this.
async fn find_in_region<E: EntityTrait>(
    db: &impl ConnectionTrait,
    region_column: E::Column,
    region_id: &RegionId,
    id: impl Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
) -> Result<Option<E::Model>> {
    Ok(E::find_by_id(id).filter(region_column.eq(region_id.as_str())).one(db).await?)
}

/// Whether the database reports a unique constraint violation.
pub(crate) fn is_unique_violation(error: &sea_orm::DbErr) -> bool {
    matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}
