//! The audit log: every change to a region's keys, written in the same
//! transaction as the change, so the log never claims what did not happen
//! nor misses what did.

use std::net::IpAddr;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use crate::caller::Caller;
use crate::clock::now;
use crate::error::Result;
use crate::model::{
    AUDIT_EVENTS_MAX, AuditAction, AuditActor, AuditChange, AuditEvent, AuditPage, AuditQuery, EventId, InvalidInput,
    KeyAccess, Person, RegionId,
};
use crate::store::database::Db;
use crate::store::entity::{api_key, audit_event};
use crate::store::{audit, outbox};

/// One event for the audit log, built by name and written in the
/// transaction of the change it records:
/// `AuditEntry::new(region_id, action).key(&key).actor(caller).change(what).record(&change)`.
/// Without `actor` it was the operator's CLI or the server itself.
#[must_use = "an audit entry is written only by `record`"]
pub(crate) struct AuditEntry<'a> {
    region_id: &'a RegionId,
    action: AuditAction,
    key: Option<&'a api_key::Model>,
    actor: Option<&'a Caller>,
    client: Option<IpAddr>,
    change: Option<AuditChange>,
}

impl<'a> AuditEntry<'a> {
    /// `action` in `region_id`, on no key, by no caller, changing nothing named.
    pub(crate) fn new(region_id: &'a RegionId, action: AuditAction) -> Self {
        Self { region_id, action, key: None, actor: None, client: None, change: None }
    }

    /// The key it acted on.
    pub(crate) fn key(self, key: &'a api_key::Model) -> Self {
        Self { key: Some(key), ..self }
    }

    /// Who did it (a caller, or `None`: the operator's CLI or the server itself).
    pub(crate) fn actor(self, actor: impl Into<Option<&'a Caller>>) -> Self {
        Self { actor: actor.into(), ..self }
    }

    /// Where it came from when no caller did it (a refused sign-in).
    pub(crate) fn client(self, client: IpAddr) -> Self {
        Self { client: Some(client), ..self }
    }

    /// What it changed, if anything worth showing.
    pub(crate) fn change(self, change: impl Into<Option<AuditChange>>) -> Self {
        Self { change: change.into(), ..self }
    }

    /// Writes the event through `db` (the change's transaction).
    pub(crate) async fn record(self, db: &impl ConnectionTrait) -> Result<()> {
        let Self { region_id, action, key, actor, client, change } = self;
        let change = change
            .map(|change| serde_json::to_string(&change))
            .transpose()
            .map_err(|error| crate::error::Error::Internal(format!("could not write an audit change: {error}")))?;
        audit_event::ActiveModel {
            region_id: Set(region_id.clone()),
            action: Set(action.as_str().to_owned()),
            api_key_id: Set(key.map(|key| key.id.clone())),
            api_key_preview: Set(key.map(|key| key.preview.clone())),
            actor_api_key_id: Set(actor.and_then(|caller| caller.key_id().cloned())),
            actor_person: Set(actor
                .and_then(Caller::person)
                .map(serde_json::to_string)
                .transpose()
                .map_err(|error| crate::error::Error::Internal(format!("could not write an audit actor: {error}")))?),
            client_address: Set(actor.map(Caller::client).or(client).map(|client| client.to_string())),
            at: Set(now()),
            change: Set(change),
            ..Default::default()
        }
        .insert(db)
        .await?;
        // Receivers hear of it in the same transaction: never of what did not happen.
        outbox::enqueue_audited(db, region_id, action, key).await
    }
}

/// Events per page unless asked otherwise.
const DEFAULT_PAGE: u64 = 50;

#[derive(Clone)]
pub struct AuditLog {
    db: Db,
}

impl AuditLog {
    pub(crate) fn new(db: Db) -> Self {
        Self { db }
    }

    /// A page of the caller's region's events, newest first: all of them
    /// can be reached, page by page, back to the very first.
    pub async fn page(&self, caller: &Caller, query: &AuditQuery) -> Result<AuditPage> {
        caller.require(KeyAccess::Read)?;
        if let (Some(from), Some(to)) = (query.from, query.to)
            && from >= to
        {
            return Err(InvalidInput("`from` must be before `to`".to_owned()).into());
        }
        let limit = query.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=AUDIT_EVENTS_MAX).contains(&limit) {
            return Err(InvalidInput(format!("`limit` must be from 1 to {AUDIT_EVENTS_MAX}")).into());
        }
        // One more than asked says whether there is a next page.
        let mut rows = audit::events(&self.db, &caller.region().id, query, limit + 1).await?;
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next = more.then(|| rows.last().map(|row| EventId::new(row.seq))).flatten();
        Ok(AuditPage { events: rows.into_iter().filter_map(into_event).collect(), next })
    }
}

/// Rows with an action this version does not know (written by a newer one)
/// are left out rather than failing the whole log; so is a change it cannot read.
fn into_event(row: audit_event::Model) -> Option<AuditEvent> {
    let person: Option<Person> = row.actor_person.as_deref().and_then(|person| serde_json::from_str(person).ok());
    let actor = match (person, &row.actor_api_key_id) {
        (Some(person), _) => {
            Some(AuditActor::Person { email: person.email, subject: person.subject, name: person.name })
        }
        (None, Some(key_id)) => Some(AuditActor::Key { api_key_id: key_id.clone() }),
        (None, None) => None,
    };
    Some(AuditEvent {
        actor,
        change: row.change.as_deref().and_then(|change| serde_json::from_str(change).ok()),
        action: AuditAction::parse(&row.action)?,
        id: EventId::new(row.seq),
        api_key_id: row.api_key_id,
        api_key_preview: row.api_key_preview,
        actor_api_key_id: row.actor_api_key_id,
        client_address: row.client_address,
        at: row.at,
    })
}
