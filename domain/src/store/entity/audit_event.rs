use sea_orm::entity::prelude::*;

use crate::model::{KeyId, RegionId};

/// One change to a region's keys or console sessions: what, to which key,
/// by which key, from where, when.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    /// Insertion order.
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub region_id: RegionId,
    /// An [`crate::model::AuditAction`] in its wire form, e.g. `api_key.deleted`.
    pub action: String,
    /// The key acted on; kept after the key is deleted.
    pub api_key_id: Option<KeyId>,
    /// Its preview, so the record still says which key after it is gone.
    pub api_key_preview: Option<String>,
    /// The key that made the change; `None` for the operator's CLI.
    pub actor_api_key_id: Option<KeyId>,
    /// A [`crate::model::Person`] as JSON, when a person made the change.
    pub actor_person: Option<String>,
    pub client_address: Option<String>,
    pub at: ChronoDateTimeUtc,
    /// A [`crate::model::AuditChange`] as JSON.
    pub change: Option<String>,
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
