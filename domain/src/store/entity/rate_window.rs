use sea_orm::entity::prelude::*;

/// How much of one rate limit's current period the processes took between
/// them; never more than the limit.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rate_windows")]
pub struct Model {
    /// The id of the key or owner the limit belongs to.
    #[sea_orm(primary_key, auto_increment = false)]
    pub holder_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// The period's start, in seconds since the Unix epoch.
    #[sea_orm(primary_key, auto_increment = false)]
    pub starts_at: i64,
    pub ends_at: i64,
    pub taken: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
