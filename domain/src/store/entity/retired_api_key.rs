use sea_orm::entity::prelude::*;

use crate::credentials::secret_hash::SecretHash;
use crate::model::{KeyId, RegionId};

/// A deleted key's lookup and secret hash, kept so a leak report can still
/// tell "this was a key here" (never used to accept the token).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "retired_api_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub lookup: String,
    pub secret_hash: SecretHash,
    pub region_id: RegionId,
    pub api_key_id: KeyId,
    pub retired_at: ChronoDateTimeUtc,
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
