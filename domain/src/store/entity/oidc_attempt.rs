use sea_orm::entity::prelude::*;

/// An OpenID Connect sign-in on its way through the identity provider:
/// found by the SHA-256 of its `state`, bound to the browser that began it
/// (the SHA-256 of its cookie), taken once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oidc_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    pub browser_hash: String,
    pub pkce_verifier: String,
    pub nonce: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
