//! The shapes that leave the domain: REST bodies, server-function results and
//! CLI output all use these, so a secret can only ever travel in
//! [`CreatedApiKey`]. Always compiled (also to wasm for the console).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest description a key may carry, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 200;
/// The longest region name, in characters.
pub const REGION_NAME_MAX_CHARS: usize = 100;

/// A key as anyone may see it: never the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKey {
    /// Opaque id, e.g. `key_7QmX0c2LrT9aBf3e`.
    pub id: String,
    /// Prefix, start of the public lookup part and last characters, e.g. `kw_live_3hT9…k9Fq`.
    pub token_preview: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Recorded off the request path; lags real use by a few seconds at most.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A key just created: the only value that ever carries the full token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// The full token. Shown exactly once: store it now.
    pub token: String,
}

impl std::fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedApiKey").field("key", &self.key).finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Region {
    /// Opaque id, e.g. `reg_Ab3dE5gH7jK9mN1p`.
    pub id: String,
    pub name: String,
    /// Sandbox regions get `kw_test_` keys.
    pub sandbox: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /auth/regions/me`: the caller's region, all its keys and which key
/// made the call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionOverview {
    #[serde(flatten)]
    pub region: Region,
    pub api_keys: Vec<ApiKey>,
    /// The id of the key that authenticated this request.
    pub current_api_key_id: String,
}

/// A region with the count of its keys, for operators (`keyward region list`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionSummary {
    #[serde(flatten)]
    pub region: Region,
    pub api_key_count: u64,
}

/// A new region and its first key (`keyward region create`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedRegion {
    pub region: Region,
    pub api_key: CreatedApiKey,
}

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
}

impl AuditAction {
    pub const ALL: [AuditAction; 5] =
        [Self::RegionCreated, Self::ApiKeyCreated, Self::ApiKeyUpdated, Self::ApiKeyDeleted, Self::ConsoleSignedIn];

    /// The wire and database form, e.g. `api_key.deleted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RegionCreated => "region.created",
            Self::ApiKeyCreated => "api_key.created",
            Self::ApiKeyUpdated => "api_key.updated",
            Self::ApiKeyDeleted => "api_key.deleted",
            Self::ConsoleSignedIn => "console.signed_in",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == text)
    }
}

/// One entry of a region's audit log: who changed what, from where, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    /// Opaque; later events have later ids.
    pub id: String,
    pub action: AuditAction,
    /// The key acted on, also after it was deleted.
    pub api_key_id: Option<String>,
    /// That key's preview, so the entry names it after it is gone.
    pub api_key_preview: Option<String>,
    /// The key that made the change; `null` for the operator's CLI.
    pub actor_api_key_id: Option<String>,
    /// The client's address as the server saw it; `null` for the CLI.
    pub client_address: Option<String>,
    pub at: DateTime<Utc>,
}

/// The most events one audit log request returns.
pub const AUDIT_EVENTS_MAX: u64 = 200;

/// Trims a description and checks it; blank means none. Shared by the
/// server and the console, so both refuse the same input with the same words.
pub fn normalize_description(description: Option<String>) -> Result<Option<String>, String> {
    let Some(description) = description else { return Ok(None) };
    let description = description.trim();
    if description.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(format!("the description must be at most {DESCRIPTION_MAX_CHARS} characters"));
    }
    if description.chars().any(is_hidden_character) {
        return Err("the description must not contain control or invisible characters (such as line breaks, tabs or \
                    right-to-left overrides)"
            .to_owned());
    }
    Ok((!description.is_empty()).then(|| description.to_owned()))
}

/// Control characters, line and paragraph separators, and invisible ones
/// that change how the text around them reads (bidirectional overrides,
/// zero-width spaces, tag characters): a description or
/// a name must read as what it is in a delete confirmation or the audit log.
/// The zero-width joiner stays allowed: emoji sequences need it.
fn is_hidden_character(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'
                | '\u{200C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// Trims a region name and checks it.
pub fn validate_region_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("the region name must not be empty".to_owned());
    }
    if name.chars().count() > REGION_NAME_MAX_CHARS {
        return Err(format!("the region name must be at most {REGION_NAME_MAX_CHARS} characters"));
    }
    if name.chars().any(is_hidden_character) {
        return Err("the region name must not contain control or invisible characters".to_owned());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_trimmed_and_blank_means_none() {
        assert_eq!(normalize_description(None), Ok(None));
        assert_eq!(normalize_description(Some("  ".into())), Ok(None));
        assert_eq!(normalize_description(Some(" billing ".into())), Ok(Some("billing".into())));
        assert_eq!(
            normalize_description(Some("é".repeat(DESCRIPTION_MAX_CHARS))).map(|d| d.map(|d| d.chars().count())),
            Ok(Some(DESCRIPTION_MAX_CHARS))
        );
    }

    #[test]
    fn descriptions_refuse_length_and_control_characters() {
        assert!(normalize_description(Some("x".repeat(DESCRIPTION_MAX_CHARS + 1))).is_err());
        assert!(normalize_description(Some("a\nb".into())).is_err());
        assert!(normalize_description(Some("a\u{0}b".into())).is_err());
    }

    #[test]
    fn descriptions_and_names_refuse_invisible_reordering_and_spacing() {
        for hidden in ["\u{202E}", "\u{2066}", "\u{200B}", "\u{FEFF}", "\u{061C}", "\u{2028}", "\u{E0041}"] {
            let text = format!("billing{hidden}gnitset");
            assert!(normalize_description(Some(text.clone())).is_err(), "{hidden:?}");
            assert!(validate_region_name(&text).is_err(), "{hidden:?}");
        }
        let family = "team \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert_eq!(normalize_description(Some(family.into())), Ok(Some(family.into())));
    }

    proptest::proptest! {
        #[test]
        fn accepted_descriptions_are_trimmed_short_and_visible(input in proptest::prelude::any::<String>()) {
            if let Ok(Some(description)) = normalize_description(Some(input)) {
                proptest::prop_assert_eq!(description.trim(), description.as_str());
                proptest::prop_assert!(description.chars().count() <= DESCRIPTION_MAX_CHARS);
                proptest::prop_assert!(!description.chars().any(is_hidden_character));
            }
        }
    }

    #[test]
    fn audit_actions_round_trip_their_wire_form() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert_eq!(serde_json::to_value(action).unwrap(), action.as_str());
        }
        assert_eq!(AuditAction::parse("api_key.stolen"), None);
    }

    #[test]
    fn region_names_are_checked() {
        assert_eq!(validate_region_name(" acme "), Ok("acme".into()));
        assert!(validate_region_name(" ").is_err());
        assert!(validate_region_name(&"x".repeat(REGION_NAME_MAX_CHARS + 1)).is_err());
        assert!(validate_region_name("a\tb").is_err());
    }
}
