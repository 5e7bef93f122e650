use sea_orm::entity::prelude::*;

use crate::model::{KeyId, RegionId, RotationId};

/// A key rotation started in the console: a new key created to replace an
/// old one. Unfinished while `finished_at` is null.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rotations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RotationId,
    pub region_id: RegionId,
    /// Null once the old key is deleted.
    pub old_key_id: Option<KeyId>,
    /// Null once the new key is deleted.
    pub new_key_id: Option<KeyId>,
    pub started_at: ChronoDateTimeUtc,
    pub finished_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::region::Entity",
        from = "Column::RegionId",
        to = "super::region::Column::Id",
        on_delete = "Cascade"
    )]
    Region,
}

impl Related<super::region::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Region.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
