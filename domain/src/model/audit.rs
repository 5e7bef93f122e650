//! The audit log's entries as they leave the domain.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::administrators::Email;
use super::ids::{KeyId, OwnerId};
use super::leaks::LeakChannel;
use super::owners::NewOwner;
use super::policy::KeyPolicy;
use super::scope::Scopes;
use super::text::InvalidInput;

/// What an audit event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AuditAction {
    #[serde(rename = "region.created")]
    RegionCreated,
    #[serde(rename = "api_key.created")]
    ApiKeyCreated,
    #[serde(rename = "api_key.updated")]
    ApiKeyUpdated,
    #[serde(rename = "api_key.deleted")]
    ApiKeyDeleted,
    #[serde(rename = "console.signed_in")]
    ConsoleSignedIn,
    #[serde(rename = "api_key.scopes_changed")]
    ApiKeyScopesChanged,
    /// Scheduled, moved or cancelled (`after` is `null`).
    #[serde(rename = "api_key.revocation_scheduled")]
    ApiKeyRevocationScheduled,
    /// A scheduled revocation came due and the key was deleted.
    #[serde(rename = "api_key.revoked_on_schedule")]
    ApiKeyRevokedOnSchedule,
    /// Found in public and reported: refused for good.
    #[serde(rename = "api_key.quarantined")]
    ApiKeyQuarantined,
    /// Its owner, meta, rate limits, credits or networks changed.
    #[serde(rename = "api_key.policy_changed")]
    ApiKeyPolicyChanged,
    #[serde(rename = "owner.created")]
    OwnerCreated,
    #[serde(rename = "owner.updated")]
    OwnerUpdated,
    #[serde(rename = "owner.deleted")]
    OwnerDeleted,
    #[serde(rename = "webhook.created")]
    WebhookCreated,
    /// Its URL, events, description or enabling changed (also when Keyward
    /// disabled it after 5 days of failures: no actor).
    #[serde(rename = "webhook.updated")]
    WebhookUpdated,
    #[serde(rename = "webhook.secret_rotated")]
    WebhookSecretRotated,
    #[serde(rename = "webhook.deleted")]
    WebhookDeleted,
    /// A person was allowed into the region's console.
    #[serde(rename = "administrator.granted")]
    AdministratorGranted,
    /// A person's grant was revoked; their sessions in the region ended.
    #[serde(rename = "administrator.revoked")]
    AdministratorRevoked,
    /// The identity provider named a person with a grant here, and the
    /// sign-in was refused (their email is not verified there): no actor,
    /// the person is in the change.
    #[serde(rename = "console.sign_in_refused")]
    ConsoleSignInRefused,
}

impl AuditAction {
    pub const ALL: [AuditAction; 20] = [
        Self::RegionCreated,
        Self::ApiKeyCreated,
        Self::ApiKeyUpdated,
        Self::ApiKeyDeleted,
        Self::ConsoleSignedIn,
        Self::ApiKeyScopesChanged,
        Self::ApiKeyRevocationScheduled,
        Self::ApiKeyRevokedOnSchedule,
        Self::ApiKeyQuarantined,
        Self::ApiKeyPolicyChanged,
        Self::OwnerCreated,
        Self::OwnerUpdated,
        Self::OwnerDeleted,
        Self::WebhookCreated,
        Self::WebhookUpdated,
        Self::WebhookSecretRotated,
        Self::WebhookDeleted,
        Self::AdministratorGranted,
        Self::AdministratorRevoked,
        Self::ConsoleSignInRefused,
    ];

    /// The wire and database form, e.g. `api_key.deleted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RegionCreated => "region.created",
            Self::ApiKeyCreated => "api_key.created",
            Self::ApiKeyUpdated => "api_key.updated",
            Self::ApiKeyDeleted => "api_key.deleted",
            Self::ConsoleSignedIn => "console.signed_in",
            Self::ApiKeyScopesChanged => "api_key.scopes_changed",
            Self::ApiKeyRevocationScheduled => "api_key.revocation_scheduled",
            Self::ApiKeyRevokedOnSchedule => "api_key.revoked_on_schedule",
            Self::ApiKeyQuarantined => "api_key.quarantined",
            Self::ApiKeyPolicyChanged => "api_key.policy_changed",
            Self::OwnerCreated => "owner.created",
            Self::OwnerUpdated => "owner.updated",
            Self::OwnerDeleted => "owner.deleted",
            Self::WebhookCreated => "webhook.created",
            Self::WebhookUpdated => "webhook.updated",
            Self::WebhookSecretRotated => "webhook.secret_rotated",
            Self::WebhookDeleted => "webhook.deleted",
            Self::AdministratorGranted => "administrator.granted",
            Self::AdministratorRevoked => "administrator.revoked",
            Self::ConsoleSignInRefused => "console.sign_in_refused",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == text)
    }

    /// The webhook event this action is, if receivers hear of it.
    pub fn event(self) -> Option<super::webhooks::EventType> {
        use super::webhooks::EventType;
        Some(match self {
            Self::ApiKeyCreated => EventType::ApiKeyCreated,
            Self::ApiKeyUpdated | Self::ApiKeyScopesChanged | Self::ApiKeyPolicyChanged => EventType::ApiKeyUpdated,
            Self::ApiKeyRevocationScheduled => EventType::ApiKeyRevocationScheduled,
            Self::ApiKeyRevokedOnSchedule => EventType::ApiKeyRevokedOnSchedule,
            Self::ApiKeyDeleted => EventType::ApiKeyDeleted,
            Self::ApiKeyQuarantined => EventType::ApiKeyQuarantined,
            _ => return None,
        })
    }
}

/// One entry of a region's audit log: who changed what, from where, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    /// Later events have later ids; pass one as `before` to page back.
    pub id: EventId,
    pub action: AuditAction,
    /// The key acted on, also after it was deleted.
    pub api_key_id: Option<KeyId>,
    /// That key's preview, so the entry names it after it is gone.
    pub api_key_preview: Option<String>,
    /// The key that made the change; `null` for a person and for the operator's CLI.
    pub actor_api_key_id: Option<KeyId>,
    /// Who made the change: a key or a person; `null` for the operator's
    /// CLI and the server itself.
    #[serde(default)]
    pub actor: Option<AuditActor>,
    /// The client's address as the server saw it; `null` for the CLI.
    pub client_address: Option<String>,
    pub at: DateTime<Utc>,
    /// What the change changed, before and after (scopes and schedules).
    pub change: Option<AuditChange>,
}

/// Who acted: `{"type": "key", "api_key_id"}` or
/// `{"type": "person", "email", "subject"}` (and `name` when the identity
/// provider gave one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AuditActor {
    Key {
        api_key_id: KeyId,
    },
    Person {
        email: Email,
        /// The identity provider's `sub`: stable where an email may change.
        subject: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
}

/// A key's setting before and after a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum AuditChange {
    Scopes {
        before: Scopes,
        after: Scopes,
    },
    RevokeAt {
        before: Option<DateTime<Utc>>,
        after: Option<DateTime<Utc>>,
    },
    /// A key's owner, meta, rate limits, credits and networks.
    Policy {
        before: Box<KeyPolicy>,
        after: Box<KeyPolicy>,
    },
    /// An owner's settings (`null` before it was created, after it was deleted).
    Owner {
        id: OwnerId,
        before: Option<Box<NewOwner>>,
        after: Option<Box<NewOwner>>,
    },
    /// An administrator's grant (`null` before it was granted, after it was revoked).
    Administrator {
        id: super::ids::AdministratorId,
        email: Email,
        before: Option<Scopes>,
        after: Option<Scopes>,
    },
    /// A refused sign-in: who the identity provider named, and why.
    SignInRefused {
        email: Email,
        subject: String,
        reason: SignInRefusal,
    },
    /// A webhook endpoint's settings (`null` before it was created, after
    /// it was deleted); never its secret.
    Webhook {
        id: super::ids::WebhookId,
        before: Option<Box<super::webhooks::Webhook>>,
        after: Option<Box<super::webhooks::Webhook>>,
    },
    /// Where a quarantined key was found.
    Found {
        url: Option<String>,
        source: Option<String>,
        reported_via: LeakChannel,
    },
}

/// The most events one audit log request returns.
pub const AUDIT_EVENTS_MAX: u64 = 200;

/// An audit event's id, `evt_` and its place in the log.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = "^evt_[0-9]{1,18}$", example = "evt_1042"))]
pub struct EventId(i64);

impl EventId {
    const PREFIX: &'static str = "evt_";

    pub fn new(seq: i64) -> Self {
        Self(seq)
    }

    /// Its place in the log.
    pub fn seq(self) -> i64 {
        self.0
    }
}

impl TryFrom<String> for EventId {
    type Error = InvalidInput;

    fn try_from(text: String) -> Result<Self, InvalidInput> {
        text.strip_prefix(Self::PREFIX)
            .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse().ok())
            .map(Self)
            .ok_or_else(|| InvalidInput(format!("{text:?} is not an audit event id (evt_ and digits)")))
    }
}

impl From<EventId> for String {
    fn from(id: EventId) -> String {
        id.to_string()
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", Self::PREFIX, self.0)
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Which events to list: newest first, older than `before`, filtered
/// (`GET /auth/region/audit-events`: every parameter optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Events older than this event id (from the previous page's `Link`).
    pub before: Option<EventId>,
    /// Only this action, e.g. `api_key.deleted`.
    pub action: Option<AuditAction>,
    /// Only events about this key or made with it.
    pub api_key_id: Option<KeyId>,
    /// At or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// How many events, newest first: default 50, 1 to [`AUDIT_EVENTS_MAX`].
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u64>,
}

/// One page of the audit log, and where the next (older) one starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    /// Pass as `before` for the next page; `None` at the log's first event.
    pub next: Option<EventId>,
}

/// Why a person the identity provider vouched for was not let in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignInRefusal {
    /// The provider does not say the email is verified.
    EmailUnverified,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_actions_round_trip_their_wire_form() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert_eq!(serde_json::to_value(action).unwrap(), action.as_str());
        }
        assert_eq!(AuditAction::parse("api_key.stolen"), None);
    }
}
