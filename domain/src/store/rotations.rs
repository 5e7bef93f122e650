//! Key rotations: which key replaces which, until the rotation is finished
//! or cancelled.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::Result;
use crate::model::{RegionId, RotationId};
use crate::store::entity::rotation;

/// The region's newest unfinished rotation.
pub(crate) async fn unfinished(db: &impl ConnectionTrait, region_id: &RegionId) -> Result<Option<rotation::Model>> {
    Ok(rotation::Entity::find()
        .filter(rotation::Column::RegionId.eq(region_id.as_str()))
        .filter(rotation::Column::FinishedAt.is_null())
        .order_by_desc(rotation::Column::StartedAt)
        .one(db)
        .await?)
}

/// The region's unfinished rotation with this id; other regions' rotations
/// are as absent as unknown ids.
pub(crate) async fn unfinished_by_id(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    rotation_id: &RotationId,
) -> Result<Option<rotation::Model>> {
    Ok(rotation::Entity::find_by_id(rotation_id.clone())
        .filter(rotation::Column::RegionId.eq(region_id.as_str()))
        .filter(rotation::Column::FinishedAt.is_null())
        .one(db)
        .await?)
}
