use sea_orm::entity::prelude::*;

use crate::model::{Administrator, AdministratorId, Email, RegionId, Scopes};

/// A person's grant to a region's console, by the email their identity
/// provider verifies. Revoking it (deleting the row) deletes their sessions.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "administrators")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AdministratorId,
    pub region_id: RegionId,
    /// Lower case; unique per region.
    pub email: Email,
    pub scopes: Scopes,
    pub created_at: ChronoDateTimeUtc,
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

impl From<Model> for Administrator {
    fn from(row: Model) -> Self {
        Administrator {
            id: row.id,
            region_id: row.region_id,
            email: row.email,
            scopes: row.scopes,
            created_at: row.created_at,
        }
    }
}
