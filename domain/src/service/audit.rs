//! The audit log: every change to a region's keys, written in the same
//! transaction as the change, so the log never claims what did not happen
//! nor misses what did.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::caller::Caller;
use crate::clock::now;
use crate::error::Result;
use crate::model::{AUDIT_EVENTS_MAX, AuditAction, AuditChange, AuditEvent, KeyAccess, RegionId};
use crate::store::entity::{api_key, audit_event};

/// Records `action` on `subject` (a key) in `region_id`, made by `actor`
/// (`None`: the operator's CLI or the server itself), with what it changed.
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    action: AuditAction,
    subject: Option<&api_key::Model>,
    actor: Option<&Caller>,
    change: Option<AuditChange>,
) -> Result<()> {
    let change = change
        .map(|change| serde_json::to_string(&change))
        .transpose()
        .map_err(|error| crate::error::Error::Internal(format!("could not write an audit change: {error}")))?;
    audit_event::ActiveModel {
        region_id: Set(region_id.clone()),
        action: Set(action.as_str().to_owned()),
        api_key_id: Set(subject.map(|key| key.id.clone())),
        api_key_preview: Set(subject.map(|key| key.preview.clone())),
        actor_api_key_id: Set(actor.map(|caller| caller.key_id().clone())),
        client_address: Set(actor.map(|caller| caller.client().to_string())),
        at: Set(now()),
        change: Set(change),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

#[derive(Clone)]
pub struct AuditLog {
    db: DatabaseConnection,
}

impl AuditLog {
    pub(crate) fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The caller's region's most recent events, newest first, at most
    /// `limit` (capped at [`AUDIT_EVENTS_MAX`]).
    pub async fn recent(&self, caller: &Caller, limit: u64) -> Result<Vec<AuditEvent>> {
        caller.require(KeyAccess::Read)?;
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::RegionId.eq(caller.region().id.as_str()))
            .order_by_desc(audit_event::Column::Seq)
            .limit(limit.min(AUDIT_EVENTS_MAX))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().filter_map(into_event).collect())
    }
}

/// Rows with an action this version does not know (written by a newer one)
/// are left out rather than failing the whole log; so is a change it cannot read.
fn into_event(row: audit_event::Model) -> Option<AuditEvent> {
    Some(AuditEvent {
        change: row.change.as_deref().and_then(|change| serde_json::from_str(change).ok()),
        action: AuditAction::parse(&row.action)?,
        id: format!("evt_{}", row.seq),
        api_key_id: row.api_key_id,
        api_key_preview: row.api_key_preview,
        actor_api_key_id: row.actor_api_key_id,
        client_address: row.client_address,
        at: row.at,
    })
}
