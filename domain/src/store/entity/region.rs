use sea_orm::entity::prelude::*;

use crate::model::{Region, RegionId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RegionId,
    #[sea_orm(unique)]
    pub name: String,
    pub sandbox: bool,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::api_key::Entity")]
    ApiKeys,
}

impl Related<super::api_key::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiKeys.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for Region {
    fn from(row: Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            sandbox: row.sandbox,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}
