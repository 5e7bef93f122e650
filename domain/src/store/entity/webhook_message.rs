use sea_orm::entity::prelude::*;

use crate::model::{KeyId, MessageId, RegionId, WebhookId};

/// One event for one endpoint, written in the transaction of the change it
/// reports; `pending` until delivered or given up.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: MessageId,
    pub endpoint_id: WebhookId,
    pub region_id: RegionId,
    pub event_type: String,
    /// The key the event is about, if any (for at most one alert per hour).
    pub subject_key_id: Option<KeyId>,
    pub body: String,
    pub created_at: ChronoDateTimeUtc,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: ChronoDateTimeUtc,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Waiting for its next attempt.
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
/// Given up after the last retry.
pub const FAILED: &str = "failed";
