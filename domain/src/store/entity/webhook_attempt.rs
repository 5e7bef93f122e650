use sea_orm::entity::prelude::*;

use crate::model::{MessageId, WebhookId};

/// One attempt to deliver a message.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub message_id: MessageId,
    pub endpoint_id: WebhookId,
    pub attempt: i32,
    pub at: ChronoDateTimeUtc,
    pub status: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
