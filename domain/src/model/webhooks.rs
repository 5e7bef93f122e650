//! Webhooks (DESIGN.md section 16): where a region's events go, which
//! events, and what each delivery attempt did. A secret travels only in
//! [`CreatedWebhook`], once.

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{KeyId, MessageId, OwnerId, RegionId, WebhookId};
use super::keys::present;
use super::text::{Description, InvalidInput};

/// What happened, in the words receivers branch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventType {
    #[serde(rename = "api_key.created")]
    ApiKeyCreated,
    /// Its description, scopes or policy changed.
    #[serde(rename = "api_key.updated")]
    ApiKeyUpdated,
    #[serde(rename = "api_key.revocation_scheduled")]
    ApiKeyRevocationScheduled,
    #[serde(rename = "api_key.revoked_on_schedule")]
    ApiKeyRevokedOnSchedule,
    #[serde(rename = "api_key.deleted")]
    ApiKeyDeleted,
    #[serde(rename = "api_key.quarantined")]
    ApiKeyQuarantined,
    /// Refused over a rate limit; at most once per key and hour.
    #[serde(rename = "api_key.rate_limited")]
    ApiKeyRateLimited,
    /// Under 10 % of its last refill or set value; at most once per key and hour.
    #[serde(rename = "api_key.credits_low")]
    ApiKeyCreditsLow,
    /// Refused for want of credits; at most once per key and hour.
    #[serde(rename = "api_key.credits_exhausted")]
    ApiKeyCreditsExhausted,
    /// Sent on request, to try an endpoint.
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl EventType {
    pub const ALL: [EventType; 10] = [
        Self::ApiKeyCreated,
        Self::ApiKeyUpdated,
        Self::ApiKeyRevocationScheduled,
        Self::ApiKeyRevokedOnSchedule,
        Self::ApiKeyDeleted,
        Self::ApiKeyQuarantined,
        Self::ApiKeyRateLimited,
        Self::ApiKeyCreditsLow,
        Self::ApiKeyCreditsExhausted,
        Self::WebhookTest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKeyCreated => "api_key.created",
            Self::ApiKeyUpdated => "api_key.updated",
            Self::ApiKeyRevocationScheduled => "api_key.revocation_scheduled",
            Self::ApiKeyRevokedOnSchedule => "api_key.revoked_on_schedule",
            Self::ApiKeyDeleted => "api_key.deleted",
            Self::ApiKeyQuarantined => "api_key.quarantined",
            Self::ApiKeyRateLimited => "api_key.rate_limited",
            Self::ApiKeyCreditsLow => "api_key.credits_low",
            Self::ApiKeyCreditsExhausted => "api_key.credits_exhausted",
            Self::WebhookTest => "webhook.test",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|event| event.as_str() == text)
    }
}

/// Which events an endpoint gets: `["*"]` for all, or a list of types.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
#[cfg_attr(feature = "service", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = Vec<String>, example = json!(["api_key.quarantined", "api_key.credits_low"])))]
pub struct EventSelection(Selected);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Selected {
    All,
    Only(BTreeSet<EventType>),
}

impl EventSelection {
    /// Every event.
    pub fn all() -> Self {
        Self(Selected::All)
    }

    /// Whether an endpoint with this selection gets `event`; every endpoint
    /// gets the test event it asked for.
    pub fn includes(&self, event: EventType) -> bool {
        match &self.0 {
            Selected::All => true,
            Selected::Only(events) => event == EventType::WebhookTest || events.contains(&event),
        }
    }
}

impl TryFrom<Vec<String>> for EventSelection {
    type Error = InvalidInput;

    fn try_from(names: Vec<String>) -> Result<Self, InvalidInput> {
        if names.iter().any(|name| name == "*") {
            return if names.len() == 1 {
                Ok(Self(Selected::All))
            } else {
                Err(InvalidInput("events: \"*\" already holds every event: give it alone".to_owned()))
            };
        }
        if names.is_empty() {
            return Err(InvalidInput("events: name at least one event, or \"*\" for all".to_owned()));
        }
        let events = names
            .iter()
            .map(|name| {
                EventType::parse(name).ok_or_else(|| InvalidInput(format!("events: no event is called {name:?}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self(Selected::Only(events)))
    }
}

impl From<EventSelection> for Vec<String> {
    fn from(selection: EventSelection) -> Self {
        match selection.0 {
            Selected::All => vec!["*".to_owned()],
            Selected::Only(events) => events.into_iter().map(|event| event.as_str().to_owned()).collect(),
        }
    }
}

impl std::fmt::Display for EventSelection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| std::fmt::Error)?)
    }
}

impl std::str::FromStr for EventSelection {
    type Err = serde_json::Error;

    fn from_str(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }
}

/// Where events are sent: an `http(s)://` URL of at most 2048 characters
/// with a host and no credentials. Whether its scheme and addresses are
/// allowed is the operator's choice, checked when it is saved and at every
/// connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "service", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = "uri", example = json!("https://hooks.example.com/keyward")))]
pub struct WebhookUrl(url::Url);

impl WebhookUrl {
    pub const MAX_CHARS: usize = 2048;

    pub fn as_url(&self) -> &url::Url {
        &self.0
    }

    pub fn is_https(&self) -> bool {
        self.0.scheme() == "https"
    }

    /// The host to resolve, and the port.
    pub fn host_and_port(&self) -> (String, u16) {
        let host = self.0.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_owned();
        (host, self.0.port_or_known_default().unwrap_or(443))
    }
}

impl TryFrom<String> for WebhookUrl {
    type Error = InvalidInput;

    fn try_from(text: String) -> Result<Self, InvalidInput> {
        let refused = |why: &str| InvalidInput(format!("url: {why}"));
        if text.chars().count() > Self::MAX_CHARS {
            return Err(refused("at most 2048 characters"));
        }
        let url = url::Url::parse(&text)
            .map_err(|_| refused("not an absolute URL such as https://hooks.example.com/keyward"))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(refused("must start with https://"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(refused("names no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refused("must not carry a user name or password"));
        }
        Ok(Self(url))
    }
}

impl From<WebhookUrl> for String {
    fn from(url: WebhookUrl) -> String {
        url.0.into()
    }
}

impl std::fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl std::str::FromStr for WebhookUrl {
    type Err = InvalidInput;

    fn from_str(text: &str) -> Result<Self, InvalidInput> {
        Self::try_from(text.to_owned())
    }
}

/// Whether `address` is on the public internet: not loopback, private,
/// link-local, shared (CGNAT), unspecified, multicast, documentation or
/// otherwise reserved, in IPv4 or IPv6 (IPv4-mapped IPv6 as its IPv4).
pub fn is_public_address(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
                || first == 0x0064 && v6.segments()[1] == 0xff9b)
        }
    }
}

/// An endpoint as anyone with `keys:read` may see it: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: WebhookId,
    pub url: WebhookUrl,
    pub events: EventSelection,
    pub description: Option<String>,
    /// Disabled endpoints get nothing; `disabled_reason` says why.
    pub enabled: bool,
    /// `failing` when Keyward disabled it after 5 days of failures.
    pub disabled_reason: Option<String>,
    /// Since when every delivery failed; `null` while the last one succeeded.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation signs too.
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An endpoint just made, or its secret just rotated: the only value that
/// ever carries the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_…`: verify signatures with it. Shown exactly once: store it now.
    pub secret: String,
}

impl std::fmt::Debug for CreatedWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedWebhook").field("webhook", &self.webhook).finish_non_exhaustive()
    }
}

/// `POST /auth/region/webhooks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(example = json!({"url": "https://hooks.example.com/keyward",
    "events": ["api_key.quarantined", "api_key.credits_low"], "description": "on-call"})))]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    pub url: WebhookUrl,
    pub events: EventSelection,
    #[serde(default)]
    pub description: Option<Description>,
    /// Default `true`.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// `PATCH /auth/region/webhooks/{id}`: absent fields stay. Enabling an
/// endpoint that was disabled for failing starts it afresh.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(example = json!({"enabled": true})))]
#[serde(deny_unknown_fields)]
pub struct WebhookUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<WebhookUrl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<EventSelection>,
    /// `null` clears it.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<Description>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

impl WebhookUpdate {
    pub fn is_empty(&self) -> bool {
        self.url.is_none() && self.events.is_none() && self.description.is_none() && self.enabled.is_none()
    }
}

/// One attempt to deliver a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryAttempt {
    /// The message's `webhook-id`, the same on every attempt.
    pub message_id: MessageId,
    pub event_type: EventType,
    /// 1 for the first attempt.
    pub attempt: u32,
    pub at: DateTime<Utc>,
    /// The receiver's status, when it answered.
    pub status: Option<u16>,
    /// Why it failed otherwise.
    pub error: Option<String>,
    pub duration_ms: u64,
    /// `pending` (will be tried again), `delivered` or `failed` (given up).
    pub message_state: String,
}

/// The key an event is about, as receivers see it: never its token or hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventKey {
    pub id: KeyId,
    pub preview: String,
    pub description: Option<String>,
    pub owner_id: Option<OwnerId>,
}

/// What every event carries: the region, and the key it is about (none for a test).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventData {
    pub region_id: RegionId,
    pub key: Option<EventKey>,
}

/// The body of every webhook: `{"type", "timestamp", "data"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventBody {
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub timestamp: DateTime<Utc>,
    pub data: EventData,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::",
        ] {
            assert!(!is_public_address(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.216.34"] {
            assert!(is_public_address(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_and_event_selections_are_checked_on_arrival() {
        for bad in ["ftp://x.example/", "https://", "not a url", "https://user:pw@x.example/"] {
            assert!(WebhookUrl::try_from(bad.to_owned()).is_err(), "{bad}");
        }
        let url = WebhookUrl::try_from("https://[::1]:8443/hook".to_owned()).unwrap();
        assert_eq!(url.host_and_port(), ("::1".to_owned(), 8443));
        assert!(serde_json::from_value::<EventSelection>(serde_json::json!(["*", "api_key.created"])).is_err());
        assert!(serde_json::from_value::<EventSelection>(serde_json::json!([])).is_err());
        assert!(serde_json::from_value::<EventSelection>(serde_json::json!(["api_key.nope"])).is_err());
        let only: EventSelection = serde_json::from_value(serde_json::json!(["api_key.deleted"])).unwrap();
        assert!(only.includes(EventType::ApiKeyDeleted) && only.includes(EventType::WebhookTest));
        assert!(!only.includes(EventType::ApiKeyCreated));
    }
}
