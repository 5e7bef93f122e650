//! The audit log's events. They are written by `AuditEntry::record`, in
//! the transaction of the change each records.

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::Result;
use crate::model::{AuditQuery, RegionId};
use crate::store::entity::audit_event;

/// Up to `limit` of the region's events that `query` selects, newest first
/// (its `limit` is the caller's to apply).
pub(crate) async fn events(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    query: &AuditQuery,
    limit: u64,
) -> Result<Vec<audit_event::Model>> {
    use audit_event::Column;
    let mut select = audit_event::Entity::find().filter(Column::RegionId.eq(region_id.as_str()));
    if let Some(before) = query.before {
        select = select.filter(Column::Seq.lt(before.seq()));
    }
    if let Some(action) = query.action {
        select = select.filter(Column::Action.eq(action.as_str()));
    }
    if let Some(key_id) = &query.api_key_id {
        select = select.filter(
            Condition::any().add(Column::ApiKeyId.eq(key_id.as_str())).add(Column::ActorApiKeyId.eq(key_id.as_str())),
        );
    }
    if let Some(from) = query.from {
        select = select.filter(Column::At.gte(from));
    }
    if let Some(to) = query.to {
        select = select.filter(Column::At.lt(to));
    }
    Ok(select.order_by_desc(Column::Seq).limit(limit).all(db).await?)
}
