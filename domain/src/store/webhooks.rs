//! Webhook endpoints, and their messages' delivery: claims, outcomes and
//! attempts. Writing the messages of a change is `outbox`'s.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::error::Result;
use crate::model::{EventType, KeyId, MessageId, RegionId, WebhookId};
use crate::store::entity::webhook_message::{FAILED, PENDING};
use crate::store::entity::{webhook_attempt, webhook_endpoint, webhook_message};

/// A region's endpoints, oldest first.
pub(crate) async fn in_region(db: &impl ConnectionTrait, region_id: &RegionId) -> Result<Vec<webhook_endpoint::Model>> {
    Ok(webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::RegionId.eq(region_id.as_str()))
        .order_by_asc(webhook_endpoint::Column::CreatedAt)
        .all(db)
        .await?)
}

/// An endpoint of `region_id`; other regions' are as absent as unknown ids.
pub(crate) async fn find_in_region(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    id: &WebhookId,
) -> Result<Option<webhook_endpoint::Model>> {
    super::find_in_region::<webhook_endpoint::Entity>(db, webhook_endpoint::Column::RegionId, region_id, id.clone())
        .await
}

/// An endpoint of any region: for delivery, never a caller's.
pub(crate) async fn find(db: &impl ConnectionTrait, id: &WebhookId) -> Result<Option<webhook_endpoint::Model>> {
    Ok(webhook_endpoint::Entity::find_by_id(id.clone()).one(db).await?)
}

/// Deletes an endpoint with its messages and their attempts.
pub(crate) async fn delete(db: &impl ConnectionTrait, id: &WebhookId) -> Result<()> {
    webhook_attempt::Entity::delete_many().filter(webhook_attempt::Column::EndpointId.eq(id.as_str())).exec(db).await?;
    webhook_message::Entity::delete_many().filter(webhook_message::Column::EndpointId.eq(id.as_str())).exec(db).await?;
    webhook_endpoint::Entity::delete_by_id(id.clone()).exec(db).await?;
    Ok(())
}

/// Gives up the endpoint's waiting messages.
pub(crate) async fn give_up_waiting(db: &impl ConnectionTrait, id: &WebhookId) -> Result<()> {
    webhook_message::Entity::update_many()
        .set(webhook_message::ActiveModel { state: Set(FAILED.to_owned()), ..Default::default() })
        .filter(webhook_message::Column::EndpointId.eq(id.as_str()))
        .filter(webhook_message::Column::State.eq(PENDING))
        .exec(db)
        .await?;
    Ok(())
}

/// The endpoint's newest `limit` attempts, newest first, each with its message.
pub(crate) async fn recent_attempts(
    db: &impl ConnectionTrait,
    id: &WebhookId,
    limit: u64,
) -> Result<Vec<(webhook_attempt::Model, webhook_message::Model)>> {
    let attempts = webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::EndpointId.eq(id.as_str()))
        .order_by_desc(webhook_attempt::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let ids: Vec<String> = attempts.iter().map(|attempt| attempt.message_id.to_string()).collect();
    let messages: HashMap<MessageId, webhook_message::Model> = webhook_message::Entity::find()
        .filter(webhook_message::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|message| (message.id.clone(), message))
        .collect();
    Ok(attempts
        .into_iter()
        .filter_map(|attempt| {
            let message = messages.get(&attempt.message_id)?.clone();
            Some((attempt, message))
        })
        .collect())
}

/// Makes a message of the endpoint due at `at`, unclaimed, whatever became
/// of it. Whether the endpoint has that message.
pub(crate) async fn send_again(
    db: &impl ConnectionTrait,
    id: &WebhookId,
    message_id: &MessageId,
    at: DateTime<Utc>,
) -> Result<bool> {
    let retried = webhook_message::Entity::update_many()
        .set(webhook_message::ActiveModel {
            state: Set(PENDING.to_owned()),
            next_attempt_at: Set(at),
            claimed_by: Set(None),
            claimed_until: Set(None),
            ..Default::default()
        })
        .filter(webhook_message::Column::Id.eq(message_id.as_str()))
        .filter(webhook_message::Column::EndpointId.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(retried.rows_affected > 0)
}

/// Claims for `process` until `until` up to `limit` waiting messages due at
/// `at` that no process holds, oldest due first.
pub(crate) async fn claim_due(
    db: &impl ConnectionTrait,
    process: &str,
    at: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<webhook_message::Model>> {
    use webhook_message::Column;
    let unclaimed = || Condition::any().add(Column::ClaimedUntil.is_null()).add(Column::ClaimedUntil.lt(at));
    let due = webhook_message::Entity::find()
        .filter(Column::State.eq(PENDING))
        .filter(Column::NextAttemptAt.lte(at))
        .filter(unclaimed())
        .order_by_asc(Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    // One statement claims every one of them still unclaimed: another
    // process racing for the same ones gets the rest.
    let ids: Vec<String> = due.iter().map(|message| message.id.to_string()).collect();
    Ok(webhook_message::Entity::update_many()
        .set(webhook_message::ActiveModel {
            claimed_by: Set(Some(process.to_owned())),
            claimed_until: Set(Some(until)),
            ..Default::default()
        })
        .filter(Column::Id.is_in(ids))
        .filter(Column::State.eq(PENDING))
        .filter(unclaimed())
        .exec_with_returning(db)
        .await?)
}

/// Sets what became of a message after `attempts` attempts, releasing its
/// claim: only while `process` still holds it, so not after an
/// administrator disabled the endpoint or retried the message meanwhile,
/// nor after another process took it over. Whether it still held it.
pub(crate) async fn settle(
    db: &impl ConnectionTrait,
    message_id: &MessageId,
    process: &str,
    state: &str,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
) -> Result<bool> {
    let settled = webhook_message::Entity::update_many()
        .set(webhook_message::ActiveModel {
            state: Set(state.to_owned()),
            attempts: Set(attempts),
            next_attempt_at: Set(next_attempt_at),
            claimed_by: Set(None),
            claimed_until: Set(None),
            ..Default::default()
        })
        .filter(webhook_message::Column::Id.eq(message_id.as_str()))
        .filter(webhook_message::Column::ClaimedBy.eq(process))
        .filter(webhook_message::Column::State.eq(PENDING))
        .exec(db)
        .await?;
    Ok(settled.rows_affected == 1)
}

/// When the oldest message still waiting was written.
pub(crate) async fn oldest_waiting(db: &impl ConnectionTrait) -> Result<Option<DateTime<Utc>>> {
    let oldest = webhook_message::Entity::find()
        .filter(webhook_message::Column::State.eq(PENDING))
        .order_by_asc(webhook_message::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(oldest.map(|message| message.created_at))
}

/// Whether a message of `event` about `key_id` was written after `since`.
pub(crate) async fn written_since(
    db: &impl ConnectionTrait,
    key_id: &KeyId,
    event: EventType,
    since: DateTime<Utc>,
) -> Result<bool> {
    Ok(webhook_message::Entity::find()
        .filter(webhook_message::Column::SubjectKeyId.eq(key_id.as_str()))
        .filter(webhook_message::Column::EventType.eq(event.as_str()))
        .filter(webhook_message::Column::CreatedAt.gt(since))
        .one(db)
        .await?
        .is_some())
}

/// Deletes attempts, and delivered and given-up messages, from before `before`. How many.
pub(crate) async fn prune(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    let attempts =
        webhook_attempt::Entity::delete_many().filter(webhook_attempt::Column::At.lt(before)).exec(db).await?;
    let messages = webhook_message::Entity::delete_many()
        .filter(webhook_message::Column::State.ne(PENDING))
        .filter(webhook_message::Column::CreatedAt.lt(before))
        .exec(db)
        .await?;
    Ok(attempts.rows_affected + messages.rows_affected)
}
