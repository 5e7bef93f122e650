use sea_orm::entity::prelude::*;

use crate::model::AdministratorId;

/// A person's console session in one region, keyed like a key's session by
/// the SHA-256 of its id. It lives as long as the grant it was opened by.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    /// The grant the person signed in by; revoking it deletes the row.
    pub administrator_id: AdministratorId,
    /// The identity provider's `sub`.
    pub subject: String,
    pub name: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub last_seen_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::administrator::Entity",
        from = "Column::AdministratorId",
        to = "super::administrator::Column::Id",
        on_delete = "Cascade"
    )]
    Administrator,
}

impl Related<super::administrator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Administrator.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
