use sea_orm::entity::prelude::*;

use crate::credentials::secret_hash::SecretHash;
use crate::model::{AllowedNetworks, ApiKey, KeyId, KeyState, Meta, OwnerId, RateLimits, RegionId, Scopes};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: KeyId,
    pub region_id: RegionId,
    /// The public part of the token; unique and indexed for the hot path.
    #[sea_orm(unique)]
    pub lookup: String,
    /// argon2id PHC string of the token's secret part.
    pub secret_hash: SecretHash,
    pub preview: String,
    pub description: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    pub last_used_at: Option<ChronoDateTimeUtc>,
    pub scopes: Scopes,
    /// From this instant the key is refused; the sweeper deletes it soon after.
    pub revoke_at: Option<ChronoDateTimeUtc>,
    /// A [`crate::model::Quarantine`] as JSON, once the key was found in public.
    pub quarantine: Option<String>,
    /// Where the last use (accepted, or refused for a scope) came from
    /// ([`crate::model::LastUse`]).
    pub last_client_address: Option<String>,
    pub last_user_agent: Option<String>,
    pub last_request_method: Option<String>,
    pub last_request_path: Option<String>,
    /// Whose key this is; the owner's limits and credits bind it too.
    pub owner_id: Option<OwnerId>,
    /// The key whose limits and credits this key spends (a rotation's new
    /// key the old key's); `None`: its own.
    pub budget_key_id: Option<KeyId>,
    pub meta: Meta,
    pub rate_limits: RateLimits,
    pub allowed_networks: AllowedNetworks,
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

impl Model {
    /// Whether the key was found in public: refused for good.
    pub fn is_quarantined(&self) -> bool {
        self.quarantine.is_some()
    }

    /// Whether a scheduled revocation came due by `at` (quarantined or not).
    pub fn is_revoked_at(&self, at: ChronoDateTimeUtc) -> bool {
        crate::model::is_revoked(self.revoke_at, at)
    }

    /// Who holds the key's own limit counts and credits: the key, or the
    /// key it was rotated from.
    pub fn budget_holder(&self) -> &KeyId {
        self.budget_key_id.as_ref().unwrap_or(&self.id)
    }

    /// The key's state at `at` ([`KeyState::at`]).
    pub fn state_at(&self, at: ChronoDateTimeUtc) -> KeyState {
        KeyState::at(self.revoke_at, self.is_quarantined(), at)
    }
}

impl Model {
    /// Where the last use came from, once there was one.
    pub fn last_use(&self) -> Option<crate::model::LastUse> {
        Some(crate::model::LastUse {
            at: self.last_used_at?,
            client_address: self.last_client_address.clone(),
            user_agent: self.last_user_agent.clone(),
            method: self.last_request_method.clone(),
            path: self.last_request_path.clone(),
        })
    }
}

impl From<Model> for ApiKey {
    fn from(row: Model) -> Self {
        Self {
            id: row.id,
            token_preview: row.preview,
            description: row.description,
            created_at: row.created_at,
            updated_at: row.updated_at,
            last_used_at: row.last_used_at,
            scopes: row.scopes,
            revoke_at: row.revoke_at,
            quarantine: row.quarantine.as_deref().and_then(|json| serde_json::from_str(json).ok()),
            owner_id: row.owner_id,
            meta: row.meta,
            rate_limits: row.rate_limits,
            credits: None,
            allowed_networks: row.allowed_networks,
        }
    }
}
