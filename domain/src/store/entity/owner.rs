use sea_orm::entity::prelude::*;

use crate::model::{ExternalId, Meta, OwnerId, RateLimits, RegionId};

/// Who keys belong to in the protected API's world. Its credits are a
/// [`super::credit_balance`] row held by its id.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "owners")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OwnerId,
    pub region_id: RegionId,
    /// Unique per region.
    pub external_id: ExternalId,
    pub meta: Meta,
    pub rate_limits: RateLimits,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
