//! Regions: the tenants every other row belongs to.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::error::{Error, Result};
use crate::model::RegionId;
use crate::store::entity::region;
use crate::store::is_unique_violation;

pub(crate) async fn find(db: &impl ConnectionTrait, region_id: &RegionId) -> Result<Option<region::Model>> {
    Ok(region::Entity::find_by_id(region_id.clone()).one(db).await?)
}

pub(crate) async fn find_by_name(db: &impl ConnectionTrait, name: &str) -> Result<Option<region::Model>> {
    Ok(region::Entity::find().filter(region::Column::Name.eq(name)).one(db).await?)
}

/// Every region, oldest first.
pub(crate) async fn all(db: &impl ConnectionTrait) -> Result<Vec<region::Model>> {
    Ok(region::Entity::find().order_by_asc(region::Column::CreatedAt).order_by_asc(region::Column::Id).all(db).await?)
}

pub(crate) async fn any_exists(db: &impl ConnectionTrait) -> Result<bool> {
    Ok(region::Entity::find().count(db).await? > 0)
}

/// `RegionNameTaken` when another region has its name (names are unique).
pub(crate) async fn insert(db: &impl ConnectionTrait, region: region::Model) -> Result<region::Model> {
    let taken = Error::RegionNameTaken(region.name.clone());
    match region::ActiveModel::from(region).insert(db).await {
        Err(error) if is_unique_violation(&error) => Err(taken),
        other => Ok(other?),
    }
}
