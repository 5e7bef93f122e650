//! Words and times as the console shows them. Pure functions, so they are
//! tested natively.

use chrono::{DateTime, Utc};
use domain::model::{
    ApiKey, AuditAction, AuditChange, AuditEvent, KeyId, LastUse, LeakChannel, Quarantine, Scopes, UsageBucket,
    UsageCounts, UsagePoint,
};

/// "just now", "45 s ago", "3 min ago", "2 h ago", "5 days ago".
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds().max(0);
    match seconds {
        0..10 => "just now".to_owned(),
        10..60 => format!("{seconds} s ago"),
        60..3_600 => format!("{} min ago", seconds / 60),
        3_600..86_400 => format!("{} h ago", seconds / 3_600),
        86_400..172_800 => "1 day ago".to_owned(),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

/// The exact time, for the hover text next to a relative time.
pub fn exact(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// When a key was last used, relatively: "never" if it never was.
pub fn last_used(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    at.map_or_else(|| "never".to_owned(), |at| relative(at, now))
}

/// How the console names a key: its description and preview, or the
/// preview alone.
pub fn key_label(key: &ApiKey) -> String {
    match &key.description {
        Some(description) => format!("{description} ({})", key.token_preview),
        None => key.token_preview.clone(),
    }
}

/// Error texts are sentence fragments ("this API key is not valid"); on
/// their own line they start with a capital.
pub fn sentence(text: String) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A scheduled revocation's countdown: "Revoked in 6 days 23 h",
/// "Revoked in 23 h 59 min", "Revoked in 4 min", "Revoked in 45 s"; once
/// due, "Revoked".
pub fn stops(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (at - now).num_seconds();
    let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3_600, seconds % 3_600 / 60);
    let left = match seconds {
        ..=0 => return "Revoked".to_owned(),
        1..60 => format!("{seconds} s"),
        60..3_600 => format!("{minutes} min"),
        3_600..86_400 => format!("{hours} h {minutes} min"),
        86_400..172_800 => format!("1 day {hours} h"),
        _ => format!("{days} days {hours} h"),
    };
    format!("Revoked in {left}")
}

/// "found by GitHub secret scanning at <url> (commit)", as far as the
/// report said.
pub fn where_found(found: &Quarantine) -> String {
    let by = match found.reported_via {
        LeakChannel::Github => "found by GitHub secret scanning",
        LeakChannel::Gitlab => "found by GitLab secret detection",
        LeakChannel::Public => "reported as found in public",
    };
    match (&found.url, &found.source) {
        (Some(url), Some(source)) => format!("{by} at {url} ({source})"),
        (Some(url), None) => format!("{by} at {url}"),
        _ => by.to_owned(),
    }
}

/// Scopes as the console shows them: "full access" for `*`, "none" for
/// none, otherwise the scopes themselves.
pub fn scopes(scopes: &Scopes) -> String {
    if scopes.is_all() {
        "full access".to_owned()
    } else if scopes.is_empty() {
        "none (verification only)".to_owned()
    } else {
        scopes.to_string()
    }
}

/// ": keys:read → keys:read orders:read" for a change of scopes.
fn change_text(event: &AuditEvent) -> String {
    match &event.change {
        Some(AuditChange::Scopes { before, after }) => format!(": {} → {}", scopes(before), scopes(after)),
        _ => String::new(),
    }
}

/// An audit event as the dashboard lists it: what happened, and by whom.
/// `keys` are the region's current keys, which name the acting key.
pub fn audit_entry(event: &AuditEvent, keys: &[ApiKey], current_key_id: &KeyId) -> (String, String) {
    let subject = event.api_key_preview.as_deref().unwrap_or("a key");
    let what = match event.action {
        AuditAction::RegionCreated => "Region created".to_owned(),
        AuditAction::ApiKeyCreated => format!("Key {subject} created"),
        AuditAction::ApiKeyUpdated => format!("Description of {subject} changed"),
        AuditAction::ApiKeyDeleted => format!("Key {subject} deleted"),
        AuditAction::ConsoleSignedIn => "Signed in to the console".to_owned(),
        AuditAction::ApiKeyScopesChanged => format!("Scopes of {subject} changed{}", change_text(event)),
        AuditAction::ApiKeyRevocationScheduled => match &event.change {
            Some(AuditChange::RevokeAt { after: None, .. }) => format!("Scheduled revocation of {subject} cancelled"),
            Some(AuditChange::RevokeAt { after: Some(at), .. }) => {
                format!("Key {subject} scheduled to stop at {}", exact(*at))
            }
            _ => format!("Revocation of {subject} scheduled"),
        },
        AuditAction::ApiKeyRevokedOnSchedule => format!("Key {subject} revoked on schedule"),
        AuditAction::ApiKeyQuarantined => match &event.change {
            Some(AuditChange::Found { url: Some(url), .. }) => {
                format!("Key {subject} found in public at {url}: quarantined")
            }
            _ => format!("Key {subject} reported as leaked: quarantined"),
        },
    };
    let who = match (&event.actor_api_key_id, &event.change) {
        (None, Some(AuditChange::Found { reported_via, .. })) => match reported_via {
            LeakChannel::Github => "GitHub secret scanning".to_owned(),
            LeakChannel::Gitlab => "GitLab secret detection".to_owned(),
            LeakChannel::Public => "a public report".to_owned(),
        },
        (None, _) if event.action == AuditAction::ApiKeyRevokedOnSchedule => "Keyward, on schedule".to_owned(),
        (None, _) => "the operator (CLI)".to_owned(),
        (Some(actor), _) if actor == current_key_id => "this session's key".to_owned(),
        (Some(actor), _) => keys
            .iter()
            .find(|key| key.id == *actor)
            .map_or_else(|| "a deleted key".to_owned(), |key| key.token_preview.clone()),
    };
    (what, who)
}

/// "12 requests, 1 refused", or "no requests".
pub fn requests(counts: &UsageCounts) -> String {
    match (counts.total(), counts.refused()) {
        (0, _) => "no requests".to_owned(),
        (1, 0) => "1 request".to_owned(),
        (total, 0) => format!("{total} requests"),
        (total, refused) => format!("{total} requests, {refused} refused"),
    }
}

/// A bucket's start as its chart labels it: "27 Nov 14:05 UTC" for
/// minutes and hours, "27 Nov" for days.
pub fn bucket_start(at: DateTime<Utc>, bucket: UsageBucket) -> String {
    match bucket {
        UsageBucket::Minute | UsageBucket::Hour => at.format("%-d %b %H:%M UTC").to_string(),
        UsageBucket::Day => at.format("%-d %b").to_string(),
    }
}

/// One bucket in words: when, and what it holds by outcome.
pub fn usage_point(point: &UsagePoint, bucket: UsageBucket) -> String {
    let counts = &point.counts;
    let mut text = format!("{}: {} accepted", bucket_start(point.start, bucket), counts.accepted);
    for (count, reason) in [
        (counts.invalid, "wrong secret, revoked or quarantined"),
        (counts.insufficient_scope, "lacking a scope"),
        (counts.throttled, "throttled"),
    ] {
        if count > 0 {
            text.push_str(&format!(", {count} refused ({reason})"));
        }
    }
    text
}

/// Where a key's last use came from: "from 203.0.113.7, billing-sync/2.4,
/// GET /orders/7"; empty without details.
pub fn last_use_origin(last: &LastUse) -> String {
    let request = match (&last.method, &last.path) {
        (Some(method), Some(path)) => Some(format!("{method} {path}")),
        (method, path) => method.clone().or_else(|| path.clone()),
    };
    let parts: Vec<String> =
        [last.client_address.clone(), last.user_agent.clone(), request].into_iter().flatten().collect();
    if parts.is_empty() { String::new() } else { format!(" from {}", parts.join(", ")) }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeDelta;

    use super::*;

    /// `seconds_ago` before [`now`].
    pub(crate) fn at(seconds_ago: i64) -> DateTime<Utc> {
        now() - TimeDelta::seconds(seconds_ago)
    }

    /// A fixed "now" for tests.
    pub(crate) fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp")
    }

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative(at(3), now()), "just now");
        assert_eq!(relative(at(-30), now()), "just now", "clock skew is not the future");
        assert_eq!(relative(at(45), now()), "45 s ago");
        assert_eq!(relative(at(14 * 60 + 5), now()), "14 min ago");
        assert_eq!(relative(at(2 * 3_600), now()), "2 h ago");
        assert_eq!(relative(at(86_400 + 5), now()), "1 day ago");
        assert_eq!(relative(at(5 * 86_400), now()), "5 days ago");
        assert_eq!(last_used(None, now()), "never");
        assert_eq!(exact(now()), "2027-01-15 08:00:00 UTC");
        assert_eq!(sentence("this API key is not valid".into()), "This API key is not valid");
        let ahead = |seconds: i64| now() + chrono::TimeDelta::seconds(seconds);
        assert_eq!(stops(ahead(45), now()), "Revoked in 45 s");
        assert_eq!(stops(ahead(3_599), now()), "Revoked in 59 min");
        assert_eq!(stops(ahead(86_399), now()), "Revoked in 23 h 59 min");
        assert_eq!(stops(ahead(86_400 + 3_600), now()), "Revoked in 1 day 1 h");
        assert_eq!(stops(ahead(7 * 86_400), now()), "Revoked in 7 days 0 h");
        assert_eq!(stops(ahead(0), now()), "Revoked");
    }

    #[test]
    fn audit_entries_name_the_key_and_who_acted() {
        let id = |text: &str| KeyId::parse(text).unwrap();
        let key = |key_id: &str, preview: &str| ApiKey {
            id: id(key_id),
            token_preview: preview.to_owned(),
            description: None,
            created_at: at(100),
            updated_at: at(100),
            last_used_at: None,
            scopes: Scopes::all(),
            revoke_at: None,
            quarantine: None,
        };
        let (a, b, gone, other) =
            ("key_aaaaaaaaaaaaaaaa", "key_bbbbbbbbbbbbbbbb", "key_gggggggggggggggg", "key_zzzzzzzzzzzzzzzz");
        let keys = [key(a, "kw_live_AAAA…aaaa"), key(b, "kw_live_BBBB…bbbb")];
        let event = |action, actor: Option<&str>| AuditEvent {
            id: domain::model::EventId::new(1),
            action,
            api_key_id: Some(id(gone)),
            api_key_preview: Some("kw_live_GONE…gone".to_owned()),
            actor_api_key_id: actor.map(id),
            client_address: Some("127.0.0.1".to_owned()),
            at: at(5),
            change: None,
        };
        let entry = |action, actor| audit_entry(&event(action, actor), &keys, &id(a));
        assert_eq!(
            entry(AuditAction::ApiKeyDeleted, Some(a)),
            ("Key kw_live_GONE…gone deleted".to_owned(), "this session's key".to_owned())
        );
        assert_eq!(entry(AuditAction::ApiKeyCreated, Some(b)).1, "kw_live_BBBB…bbbb");
        assert_eq!(entry(AuditAction::ApiKeyUpdated, Some(other)).1, "a deleted key");
        assert_eq!(
            entry(AuditAction::RegionCreated, None),
            ("Region created".to_owned(), "the operator (CLI)".to_owned())
        );
        let rescoped = AuditEvent {
            change: Some(AuditChange::Scopes { before: Scopes::all(), after: "keys:read".parse().unwrap() }),
            ..event(AuditAction::ApiKeyScopesChanged, Some(a))
        };
        assert_eq!(
            audit_entry(&rescoped, &keys, &id(a)).0,
            "Scopes of kw_live_GONE…gone changed: full access → keys:read"
        );
        let cancelled = AuditEvent {
            change: Some(AuditChange::RevokeAt { before: Some(at(9)), after: None }),
            ..event(AuditAction::ApiKeyRevocationScheduled, Some(a))
        };
        assert_eq!(audit_entry(&cancelled, &keys, &id(a)).0, "Scheduled revocation of kw_live_GONE…gone cancelled");
    }

    #[test]
    fn usage_reads_as_counts_and_origins() {
        let counts = |accepted, insufficient_scope| UsageCounts { accepted, insufficient_scope, ..Default::default() };
        assert_eq!(requests(&counts(0, 0)), "no requests");
        assert_eq!(requests(&counts(1, 0)), "1 request");
        assert_eq!(requests(&counts(11, 1)), "12 requests, 1 refused");
        let point = UsagePoint { start: now(), counts: counts(11, 1) };
        assert_eq!(
            usage_point(&point, UsageBucket::Hour),
            "15 Jan 08:00 UTC: 11 accepted, 1 refused (lacking a scope)"
        );
        assert_eq!(bucket_start(now(), UsageBucket::Day), "15 Jan");
        let last = LastUse {
            at: now(),
            client_address: Some("203.0.113.7".to_owned()),
            user_agent: Some("billing-sync/2.4".to_owned()),
            method: Some("GET".to_owned()),
            path: Some("/orders/7".to_owned()),
        };
        assert_eq!(last_use_origin(&last), " from 203.0.113.7, billing-sync/2.4, GET /orders/7");
        let bare = LastUse { client_address: None, user_agent: None, method: None, path: None, ..last };
        assert_eq!(last_use_origin(&bare), "");
    }
}
