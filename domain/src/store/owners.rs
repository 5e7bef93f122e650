//! Owners: who a region's keys belong to. Their credits are `budgets`'.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::Result;
use crate::model::{OwnerId, RegionId};
use crate::store::entity::owner;

/// An owner of any region: for a key already known to be of its region.
pub(crate) async fn find(db: &impl ConnectionTrait, owner_id: &OwnerId) -> Result<Option<owner::Model>> {
    Ok(owner::Entity::find_by_id(owner_id.clone()).one(db).await?)
}

/// An owner of `region_id`; other regions' owners are as absent as unknown ids.
pub(crate) async fn find_in_region(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    owner_id: &OwnerId,
) -> Result<Option<owner::Model>> {
    super::find_in_region::<owner::Entity>(db, owner::Column::RegionId, region_id, owner_id.clone()).await
}

/// A region's owners, by external id.
pub(crate) async fn in_region(db: &impl ConnectionTrait, region_id: &RegionId) -> Result<Vec<owner::Model>> {
    Ok(owner::Entity::find()
        .filter(owner::Column::RegionId.eq(region_id.as_str()))
        .order_by_asc(owner::Column::ExternalId)
        .all(db)
        .await?)
}

pub(crate) async fn delete(db: &impl ConnectionTrait, owner_id: &OwnerId) -> Result<()> {
    owner::Entity::delete_by_id(owner_id.clone()).exec(db).await?;
    Ok(())
}
