//! Webhooks: a region's endpoints, the messages its changes write for them
//! in the same transaction (so none is lost and none claims what did not
//! happen), and their delivery by any serving process, one at a time per
//! message, retried on the schedule of DESIGN section 16. The HTTP itself
//! is the server's (`server/src/webhooks`); this decides what is sent,
//! signs it and records what became of it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use super::audit::AuditEntry;
use crate::caller::Caller;
use crate::clock::now;
use crate::credentials::{random, webhook_signature};
use crate::error::{Error, Result};
use crate::infra::change::Change;
use crate::infra::coherence::Coherence;
use crate::model::{
    AuditAction, AuditChange, CreatedWebhook, DeliveryAttempt, EventType, InvalidInput, KeyAccess, KeyId, MessageId,
    NewWebhook, RegionId, Webhook, WebhookId, WebhookUpdate, WebhookUrl, is_public_address,
};
use crate::store::database::{self, Db};
use crate::store::entity::webhook_message::{DELIVERED, FAILED, PENDING};
use crate::store::entity::{webhook_attempt, webhook_endpoint};
use crate::store::outbox::{enqueue, write_message};
use crate::store::{keys, webhooks};

/// After a failure, the next attempt comes this long after it; after the
/// last, the message is given up.
pub const RETRY_SCHEDULE: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(120),
    Duration::from_secs(600),
    Duration::from_secs(3600),
    Duration::from_secs(6 * 3600),
    Duration::from_secs(24 * 3600),
];
/// An endpoint that failed everything this long is disabled.
const DISABLE_AFTER: TimeDelta = TimeDelta::days(5);
/// The secret before a rotation signs too for this long.
const PREVIOUS_SECRET_SIGNS: TimeDelta = TimeDelta::hours(24);
/// A process may deliver a message it claimed this long (an attempt takes at
/// most 10 s); a process that died holding it loses it after that.
const CLAIM: TimeDelta = TimeDelta::seconds(15);
/// Delivered and given-up messages, and attempts, are kept this long.
const KEPT: TimeDelta = TimeDelta::days(30);
/// A key's rate-limit and credit alerts: at most one each per this long.
const ALERT_EVERY: Duration = Duration::from_secs(3600);

/// What the operator allows endpoints to be (`--webhooks-allow-http`,
/// `--webhooks-allow-private`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WebhookSettings {
    pub allow_http: bool,
    pub allow_private: bool,
}

impl WebhookSettings {
    /// Whether a connection to `address` is allowed.
    pub fn allows(&self, address: std::net::IpAddr) -> bool {
        self.allow_private || is_public_address(address)
    }
}

/// A message claimed for delivery, signed and ready to send.
pub struct Outgoing {
    pub message_id: MessageId,
    pub url: WebhookUrl,
    pub body: String,
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    pub headers: [(&'static str, String); 3],
    attempt: i32,
    endpoint_id: WebhookId,
    region_id: RegionId,
}

/// What the receiver did with an attempt.
pub enum Outcome {
    /// It answered with this status (2xx: delivered).
    Answered(u16),
    /// No answer: refused address, no connection, time-out, …
    Failed(String),
}

#[derive(Clone)]
pub struct Webhooks(Arc<Inner>);

struct Inner {
    db: Db,
    coherence: Coherence,
    settings: WebhookSettings,
    process: String,
    alerts: Mutex<Alerts>,
}

/// A key's alert: which key, what happened to it.
type Alert = (KeyId, EventType);

/// Alerts noted on the hot path, written by [`Webhooks::flush_alerts`], and
/// when each was last noted here.
#[derive(Default)]
struct Alerts {
    pending: Vec<Alert>,
    noted: HashMap<Alert, Instant>,
}

impl Webhooks {
    pub(crate) fn new(db: Db, coherence: Coherence, settings: WebhookSettings) -> Self {
        let process = format!("proc_{}", random::base62(16));
        Self(Arc::new(Inner { db, coherence, settings, process, alerts: Mutex::default() }))
    }

    /// What the operator allows.
    pub fn settings(&self) -> WebhookSettings {
        self.0.settings
    }

    pub async fn list(&self, caller: &Caller) -> Result<Vec<Webhook>> {
        caller.require(KeyAccess::Read)?;
        let rows = webhooks::in_region(&self.0.db, &caller.region().id).await?;
        Ok(rows.iter().map(webhook_endpoint::Model::webhook).collect())
    }

    pub async fn get(&self, caller: &Caller, id: &WebhookId) -> Result<Webhook> {
        caller.require(KeyAccess::Read)?;
        Ok(find_endpoint(&self.0.db, &caller.region().id, id).await?.webhook())
    }

    /// Adds an endpoint, its URL checked against what the operator allows;
    /// the returned value is the only one that carries its secret.
    pub async fn create(&self, caller: &Caller, new: NewWebhook) -> Result<CreatedWebhook> {
        caller.require(KeyAccess::Write)?;
        self.check_url(&new.url).await?;
        let change = Change::by(&self.0.db, &self.0.coherence, caller).await?;
        let (at, secret) = (now(), webhook_signature::new_secret());
        let row = webhook_endpoint::ActiveModel {
            id: Set(random::id::<WebhookId>()),
            region_id: Set(caller.region().id.clone()),
            url: Set(new.url),
            events: Set(new.events),
            description: Set(new.description.map(String::from)),
            enabled: Set(new.enabled.unwrap_or(true)),
            secret: Set(secret.clone()),
            previous_secret: Set(None),
            previous_secret_until: Set(None),
            failing_since: Set(None),
            disabled_reason: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&change)
        .await?;
        let webhook = row.webhook();
        audit(&change, caller, &webhook.id, None, Some(&webhook), AuditAction::WebhookCreated).await?;
        change.commit().await?;
        Ok(CreatedWebhook { webhook, secret })
    }

    /// Changes an endpoint; enabling one that was disabled for failing
    /// starts it afresh. Audited with before and after.
    pub async fn update(&self, caller: &Caller, id: &WebhookId, update: WebhookUpdate) -> Result<Webhook> {
        caller.require(KeyAccess::Write)?;
        if update.is_empty() {
            return Err(InvalidInput("give a url, events, description or enabled to change".to_owned()).into());
        }
        if let Some(url) = &update.url {
            self.check_url(url).await?;
        }
        let change = Change::by(&self.0.db, &self.0.coherence, caller).await?;
        let before = find_endpoint(&change, &caller.region().id, id).await?;
        let mut row: webhook_endpoint::ActiveModel = before.clone().into();
        if let Some(url) = update.url {
            row.url = Set(url);
        }
        if let Some(events) = update.events {
            row.events = Set(events);
        }
        if let Some(description) = update.description {
            row.description = Set(description.map(String::from));
        }
        if let Some(enabled) = update.enabled {
            row.enabled = Set(enabled);
            row.disabled_reason = Set((!enabled).then(|| "disabled by an administrator".to_owned()));
            row.failing_since = Set(None);
        }
        row.updated_at = Set(now());
        let after = row.update(&change).await?.webhook();
        if !after.enabled {
            webhooks::give_up_waiting(&change, id).await?;
        }
        audit(&change, caller, id, Some(&before.webhook()), Some(&after), AuditAction::WebhookUpdated).await?;
        change.commit().await?;
        Ok(after)
    }

    /// Deletes an endpoint with its messages and their attempts.
    pub async fn delete(&self, caller: &Caller, id: &WebhookId) -> Result<()> {
        caller.require(KeyAccess::Write)?;
        let change = Change::by(&self.0.db, &self.0.coherence, caller).await?;
        let before = find_endpoint(&change, &caller.region().id, id).await?;
        webhooks::delete(&change, id).await?;
        audit(&change, caller, id, Some(&before.webhook()), None, AuditAction::WebhookDeleted).await?;
        change.commit().await
    }

    /// A new secret; the old one keeps signing too for 24 hours, as a
    /// second signature. The returned value is the only one that carries it.
    pub async fn rotate_secret(&self, caller: &Caller, id: &WebhookId) -> Result<CreatedWebhook> {
        caller.require(KeyAccess::Write)?;
        let change = Change::by(&self.0.db, &self.0.coherence, caller).await?;
        let before = find_endpoint(&change, &caller.region().id, id).await?;
        let (at, secret) = (now(), webhook_signature::new_secret());
        let mut row: webhook_endpoint::ActiveModel = before.clone().into();
        row.previous_secret = Set(Some(before.secret.clone()));
        row.previous_secret_until = Set(Some(at + PREVIOUS_SECRET_SIGNS));
        row.secret = Set(secret.clone());
        row.updated_at = Set(at);
        let webhook = row.update(&change).await?.webhook();
        audit(&change, caller, id, Some(&before.webhook()), Some(&webhook), AuditAction::WebhookSecretRotated).await?;
        change.commit().await?;
        Ok(CreatedWebhook { webhook, secret })
    }

    /// Sends a `webhook.test` event to the endpoint (also a disabled one).
    pub async fn test(&self, caller: &Caller, id: &WebhookId) -> Result<MessageId> {
        caller.require(KeyAccess::Write)?;
        let change = Change::by(&self.0.db, &self.0.coherence, caller).await?;
        let endpoint = find_endpoint(&change, &caller.region().id, id).await?;
        let message_id = write_message(&change, &endpoint, EventType::WebhookTest, None, now()).await?;
        change.commit().await?;
        Ok(message_id)
    }

    /// The endpoint's delivery attempts of the last 30 days, newest first (at most 200).
    pub async fn deliveries(&self, caller: &Caller, id: &WebhookId) -> Result<Vec<DeliveryAttempt>> {
        caller.require(KeyAccess::Read)?;
        find_endpoint(&self.0.db, &caller.region().id, id).await?;
        Ok(webhooks::recent_attempts(&self.0.db, id, 200)
            .await?
            .into_iter()
            .filter_map(|(attempt, message)| {
                Some(DeliveryAttempt {
                    event_type: EventType::parse(&message.event_type)?,
                    message_state: message.state,
                    message_id: attempt.message_id,
                    attempt: u32::try_from(attempt.attempt).unwrap_or_default(),
                    at: attempt.at,
                    status: attempt.status.and_then(|status| u16::try_from(status).ok()),
                    error: attempt.error,
                    duration_ms: u64::try_from(attempt.duration_ms).unwrap_or_default(),
                })
            })
            .collect())
    }

    /// Sends a message of the endpoint again now, whatever became of it.
    pub async fn retry(&self, caller: &Caller, id: &WebhookId, message_id: &MessageId) -> Result<()> {
        caller.require(KeyAccess::Write)?;
        let change = Change::by(&self.0.db, &self.0.coherence, caller).await?;
        find_endpoint(&change, &caller.region().id, id).await?;
        if !webhooks::send_again(&change, id, message_id, now()).await? {
            return Err(Error::WebhookNotFound);
        }
        change.commit().await
    }

    /// Whether `url` may be an endpoint: its scheme, and every address its
    /// host has now (checked again at every connection).
    async fn check_url(&self, url: &WebhookUrl) -> Result<()> {
        let settings = self.0.settings;
        if !url.is_https() && !settings.allow_http {
            return Err(Error::WebhookUrlNotAllowed(
                "url: only https:// is allowed (the operator can allow http:// with --webhooks-allow-http)".to_owned(),
            ));
        }
        let (host, port) = url.host_and_port();
        let addresses: Vec<std::net::IpAddr> = match tokio::net::lookup_host((host.as_str(), port)).await {
            Ok(addresses) => addresses.map(|address| address.ip()).collect(),
            Err(_) => return Err(Error::WebhookUrlNotAllowed(format!("url: the host {host:?} does not resolve"))),
        };
        if addresses.is_empty() || addresses.iter().any(|address| !settings.allows(*address)) {
            return Err(Error::WebhookUrlNotAllowed(format!(
                "url: {host:?} is not a public address (the operator can allow private ones with --webhooks-allow-private)"
            )));
        }
        Ok(())
    }

    /// Claims up to `limit` messages that are due, for this process alone
    /// for a while, and signs them.
    pub async fn claim_due(&self, limit: u64) -> Result<Vec<Outgoing>> {
        let db = &self.0.db;
        let at = now();
        let claimed = webhooks::claim_due(db, &self.0.process, at, at + CLAIM, limit).await?;
        let mut outgoing = Vec::new();
        let mut endpoints: HashMap<WebhookId, Option<webhook_endpoint::Model>> = HashMap::new();
        for message in claimed {
            if !endpoints.contains_key(&message.endpoint_id) {
                let endpoint = webhooks::find(db, &message.endpoint_id).await?;
                endpoints.insert(message.endpoint_id.clone(), endpoint);
            }
            let Some(endpoint) = endpoints.get(&message.endpoint_id).cloned().flatten() else { continue };
            let timestamp = now().timestamp();
            let secrets = std::iter::once(Some(endpoint.secret.as_str())).chain(std::iter::once(
                endpoint
                    .previous_secret
                    .as_deref()
                    .filter(|_| endpoint.previous_secret_until.is_some_and(|until| until > at)),
            ));
            let signature = secrets
                .flatten()
                .filter_map(|secret| webhook_signature::sign(secret, message.id.as_str(), timestamp, &message.body))
                .collect::<Vec<_>>()
                .join(" ");
            outgoing.push(Outgoing {
                headers: [
                    ("webhook-id", message.id.to_string()),
                    ("webhook-timestamp", timestamp.to_string()),
                    ("webhook-signature", signature),
                ],
                message_id: message.id,
                url: endpoint.url.clone(),
                body: message.body,
                attempt: message.attempts + 1,
                endpoint_id: endpoint.id.clone(),
                region_id: endpoint.region_id.clone(),
            });
        }
        Ok(outgoing)
    }

    /// Records what became of an attempt: delivered on a 2xx, otherwise
    /// retried on the schedule or given up; an endpoint that failed
    /// everything for 5 days is disabled (audited).
    pub async fn finish(&self, sent: &Outgoing, outcome: Outcome, took: Duration) -> Result<()> {
        let txn = database::begin_write(&self.0.db).await?;
        let at = now();
        let (status, error) = match &outcome {
            Outcome::Answered(status) => (Some(i32::from(*status)), None),
            Outcome::Failed(error) => (None, Some(error.chars().take(300).collect::<String>())),
        };
        webhook_attempt::ActiveModel {
            message_id: Set(sent.message_id.clone()),
            endpoint_id: Set(sent.endpoint_id.clone()),
            attempt: Set(sent.attempt),
            at: Set(at),
            status: Set(status),
            error: Set(error),
            duration_ms: Set(i64::try_from(took.as_millis()).unwrap_or(i64::MAX)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let delivered = matches!(outcome, Outcome::Answered(status) if (200..300).contains(&status));
        let retry_in = usize::try_from(sent.attempt - 1).ok().and_then(|index| RETRY_SCHEDULE.get(index));
        let (state, next) = match (delivered, retry_in) {
            (true, _) => (DELIVERED, at),
            (false, Some(wait)) => (PENDING, at + TimeDelta::from_std(*wait).unwrap_or(TimeDelta::zero())),
            (false, None) => (FAILED, at),
        };
        metrics::counter!("keyward_webhook_deliveries_total", "outcome" => if delivered { "delivered" } else if state == PENDING { "retrying" } else { "failed" }).increment(1);
        let settled = webhooks::settle(&txn, &sent.message_id, &self.0.process, state, sent.attempt, next).await?;
        // A late outcome (the claim lapsed: this process was stopped, say,
        // and another one delivered) is logged but says nothing of the
        // endpoint now. A delivery to a healthy endpoint leaves its row
        // alone: concurrent deliveries do not queue behind one another on it.
        let endpoint = if settled { webhooks::find(&txn, &sent.endpoint_id).await? } else { None };
        if let Some(endpoint) = endpoint.filter(|endpoint| !delivered || endpoint.failing_since.is_some()) {
            let before = endpoint.webhook();
            let mut row: webhook_endpoint::ActiveModel = endpoint.clone().into();
            if delivered {
                row.failing_since = Set(None);
            } else {
                let since = endpoint.failing_since.unwrap_or(at);
                row.failing_since = Set(Some(since));
                if at - since >= DISABLE_AFTER && endpoint.enabled {
                    row.enabled = Set(false);
                    row.disabled_reason = Set(Some("failing".to_owned()));
                    row.updated_at = Set(at);
                }
            }
            let after = row.update(&txn).await?.webhook();
            if before.enabled && !after.enabled {
                webhooks::give_up_waiting(&txn, &sent.endpoint_id).await?;
                let audited = AuditChange::Webhook {
                    id: sent.endpoint_id.clone(),
                    before: Some(Box::new(before)),
                    after: Some(Box::new(after)),
                };
                AuditEntry::new(&sent.region_id, AuditAction::WebhookUpdated).change(audited).record(&txn).await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }

    /// How long the oldest message waiting for delivery has waited.
    pub async fn oldest_waiting(&self) -> Result<Duration> {
        let oldest = webhooks::oldest_waiting(&self.0.db).await?;
        Ok(oldest.map_or(Duration::ZERO, |created_at| (now() - created_at).to_std().unwrap_or_default()))
    }

    /// Notes, on the hot path, that `key` was refused or ran low: written
    /// by the next [`Self::flush_alerts`], at most once per key and hour.
    pub(crate) fn note_alert(&self, key: &KeyId, event: EventType) {
        let mut alerts = self.0.alerts.lock().unwrap_or_else(PoisonError::into_inner);
        let at = Instant::now();
        let alert = (key.clone(), event);
        if alerts.noted.get(&alert).is_none_or(|noted| at.duration_since(*noted) >= ALERT_EVERY) {
            alerts.noted.insert(alert.clone(), at);
            alerts.pending.push(alert);
        }
        // Forget alerts older than their hour, so the map stays bounded.
        if alerts.noted.len() > 100_000 {
            alerts.noted.retain(|_, noted| at.duration_since(*noted) < ALERT_EVERY);
        }
    }

    /// Writes the alerts noted since the last flush as messages, unless
    /// another process wrote the same one for the key in the last hour.
    /// `keyward serve` calls it with the usage flush.
    pub async fn flush_alerts(&self) -> Result<usize> {
        let pending = std::mem::take(&mut self.0.alerts.lock().unwrap_or_else(PoisonError::into_inner).pending);
        if pending.is_empty() {
            return Ok(0);
        }
        let txn = database::begin_write(&self.0.db).await?;
        let at = now();
        let mut written = 0;
        for (key_id, event) in pending {
            let since = at - TimeDelta::from_std(ALERT_EVERY).unwrap_or_default();
            if webhooks::written_since(&txn, &key_id, event, since).await? {
                continue;
            }
            let Some(key) = keys::find(&txn, &key_id).await? else { continue };
            written += enqueue(&txn, &key.region_id.clone(), event, Some(&key)).await?;
        }
        txn.commit().await?;
        Ok(written)
    }

    /// Deletes delivered and given-up messages, and attempts, older than 30 days.
    pub async fn prune(&self) -> Result<u64> {
        webhooks::prune(&self.0.db, now() - KEPT).await
    }
}

async fn find_endpoint(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    id: &WebhookId,
) -> Result<webhook_endpoint::Model> {
    webhooks::find_in_region(db, region_id, id).await?.ok_or(Error::WebhookNotFound)
}

async fn audit(
    change: &Change,
    caller: &Caller,
    id: &WebhookId,
    before: Option<&Webhook>,
    after: Option<&Webhook>,
    action: AuditAction,
) -> Result<()> {
    let audited = AuditChange::Webhook {
        id: id.clone(),
        before: before.cloned().map(Box::new),
        after: after.cloned().map(Box::new),
    };
    AuditEntry::new(&caller.region().id, action).actor(caller).change(audited).record(change).await
}
