//! The webhook outbox: the messages a change writes, in its own
//! transaction, one per enabled endpoint of its region that takes the
//! event. Delivery is `service::webhooks`'.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::clock::now;
use crate::credentials::random;
use crate::error::{Error, Result};
use crate::model::{AuditAction, EventBody, EventData, EventKey, EventType, MessageId, RegionId};
use crate::store::entity::webhook_message::PENDING;
use crate::store::entity::{api_key, webhook_endpoint, webhook_message};

/// Writes the messages of an audited change, in its transaction: one per
/// enabled endpoint of the region that takes the event.
pub(crate) async fn enqueue_audited(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    action: AuditAction,
    key: Option<&api_key::Model>,
) -> Result<()> {
    if let Some(event) = action.event() {
        enqueue(db, region_id, event, key).await?;
    }
    Ok(())
}

/// One message of `event` for each enabled endpoint of `region_id` that
/// takes it. How many.
pub(crate) async fn enqueue(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    event: EventType,
    key: Option<&api_key::Model>,
) -> Result<usize> {
    let endpoints = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::RegionId.eq(region_id.as_str()))
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .all(db)
        .await?;
    let mut written = 0;
    let at = now();
    for endpoint in endpoints.iter().filter(|endpoint| endpoint.events.includes(event)) {
        write_message(db, endpoint, event, key, at).await?;
        written += 1;
    }
    Ok(written)
}

pub(crate) async fn write_message(
    db: &impl ConnectionTrait,
    endpoint: &webhook_endpoint::Model,
    event: EventType,
    key: Option<&api_key::Model>,
    at: DateTime<Utc>,
) -> Result<MessageId> {
    let body = EventBody {
        event_type: event,
        timestamp: at,
        data: EventData {
            region_id: endpoint.region_id.clone(),
            key: key.map(|key| EventKey {
                id: key.id.clone(),
                preview: key.preview.clone(),
                description: key.description.clone(),
                owner_id: key.owner_id.clone(),
            }),
        },
    };
    let body = serde_json::to_string(&body).map_err(|error| Error::Internal(format!("an event body: {error}")))?;
    let id = random::id::<MessageId>();
    webhook_message::ActiveModel {
        id: Set(id.clone()),
        endpoint_id: Set(endpoint.id.clone()),
        region_id: Set(endpoint.region_id.clone()),
        event_type: Set(event.as_str().to_owned()),
        subject_key_id: Set(key.map(|key| key.id.clone())),
        body: Set(body),
        created_at: Set(at),
        state: Set(PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(at),
        claimed_by: Set(None),
        claimed_until: Set(None),
    }
    .insert(db)
    .await?;
    Ok(id)
}
