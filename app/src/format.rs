//! Words and times as the console shows them. Pure functions, so they are
//! tested natively.

use chrono::{DateTime, TimeDelta, Utc};
use domain::{ApiKey, AuditAction, AuditEvent};

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

/// How near a live check's time a use of the new key is taken to be that
/// check. The time comes from the response's `Date` header, which has whole
/// seconds, and the server notes the use just before answering.
const LIVE_CHECK_MARGIN: TimeDelta = TimeDelta::seconds(1);

/// An old key used this recently may still be in some integration: the
/// verdict warns. After that it states when and leaves the call to the
/// administrator (an integration may call only hourly).
const OLD_KEY_RECENT_USE: TimeDelta = TimeDelta::minutes(5);

/// The verify step's plain verdict on the traffic of a rotation's keys.
/// `live_checks` are the server's times of the step's own calls with the new
/// key: a last use at one of them is the console's, not an integration's.
pub fn rotation_verdict(
    new_key_last_used: Option<DateTime<Utc>>,
    old_key_last_used: Option<DateTime<Utc>>,
    live_checks: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> String {
    let old_in_use = old_key_last_used.is_some_and(|at| now - at < OLD_KEY_RECENT_USE);
    let old = match old_key_last_used {
        Some(at) => format!("old key last used {}", relative(at, now)),
        None => "old key never used".to_owned(),
    };
    let by_live_check = |at: DateTime<Utc>| live_checks.iter().any(|check| (at - *check).abs() <= LIVE_CHECK_MARGIN);
    match new_key_last_used {
        None => format!("New key not used yet; {old}."),
        Some(at) if by_live_check(at) => format!("New key not used by an integration since your live check; {old}."),
        Some(_) if old_in_use => {
            format!("New key in use, but the {old}: update every integration before deleting it.")
        }
        Some(_) => format!("New key in use; {old}."),
    }
}

/// An audit event as the dashboard lists it: what happened, and by whom.
/// `keys` are the region's current keys, which name the acting key.
pub fn audit_entry(event: &AuditEvent, keys: &[ApiKey], current_key_id: &str) -> (String, String) {
    let subject = event.api_key_preview.as_deref().unwrap_or("a key");
    let what = match event.action {
        AuditAction::RegionCreated => "Region created".to_owned(),
        AuditAction::ApiKeyCreated => format!("Key {subject} created"),
        AuditAction::ApiKeyUpdated => format!("Description of {subject} changed"),
        AuditAction::ApiKeyDeleted => format!("Key {subject} deleted"),
        AuditAction::ConsoleSignedIn => "Signed in to the console".to_owned(),
    };
    let who = match event.actor_api_key_id.as_deref() {
        None => "the operator (CLI)".to_owned(),
        Some(actor) if actor == current_key_id => "this session's key".to_owned(),
        Some(actor) => keys
            .iter()
            .find(|key| key.id == actor)
            .map_or_else(|| "a deleted key".to_owned(), |key| key.token_preview.clone()),
    };
    (what, who)
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn at(seconds_ago: i64) -> DateTime<Utc> {
        now() - TimeDelta::seconds(seconds_ago)
    }

    fn now() -> DateTime<Utc> {
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
    }

    #[test]
    fn the_verdict_says_which_key_is_in_use() {
        assert_eq!(
            rotation_verdict(None, Some(at(900)), &[], now()),
            "New key not used yet; old key last used 15 min ago."
        );
        assert_eq!(
            rotation_verdict(Some(at(5)), Some(at(840)), &[], now()),
            "New key in use; old key last used 14 min ago."
        );
        assert_eq!(rotation_verdict(Some(at(5)), None, &[], now()), "New key in use; old key never used.");
        assert_eq!(
            rotation_verdict(Some(at(5)), Some(at(20)), &[], now()),
            "New key in use, but the old key last used 20 s ago: update every integration before deleting it."
        );
        // Recent means the last five minutes, whenever the rotation started.
        assert!(rotation_verdict(Some(at(5)), Some(at(299)), &[], now()).contains("but the old key"));
        assert_eq!(
            rotation_verdict(Some(at(5)), Some(at(300)), &[], now()),
            "New key in use; old key last used 5 min ago."
        );
    }

    #[test]
    fn the_live_check_is_not_integration_traffic() {
        let checked = [at(300), at(30)];
        let by_check = "New key not used by an integration since your live check; old key never used.";
        for used in [at(30), at(31), at(29), at(300)] {
            assert_eq!(rotation_verdict(Some(used), None, &checked, now()), by_check);
        }
        for used in [at(28), at(5), at(200)] {
            assert_eq!(
                rotation_verdict(Some(used), None, &checked, now()),
                "New key in use; old key never used.",
                "a use {}s from every check",
                (now() - used).num_seconds()
            );
        }
    }

    #[test]
    fn audit_entries_name_the_key_and_who_acted() {
        let key = |id: &str, preview: &str| ApiKey {
            id: id.to_owned(),
            token_preview: preview.to_owned(),
            description: None,
            created_at: at(100),
            updated_at: at(100),
            last_used_at: None,
        };
        let keys = [key("key_a", "kw_live_AAAA…aaaa"), key("key_b", "kw_live_BBBB…bbbb")];
        let event = |action, actor: Option<&str>| AuditEvent {
            id: "evt_1".to_owned(),
            action,
            api_key_id: Some("key_gone".to_owned()),
            api_key_preview: Some("kw_live_GONE…gone".to_owned()),
            actor_api_key_id: actor.map(str::to_owned),
            client_address: Some("127.0.0.1".to_owned()),
            at: at(5),
        };
        let entry = |action, actor| audit_entry(&event(action, actor), &keys, "key_a");
        assert_eq!(
            entry(AuditAction::ApiKeyDeleted, Some("key_a")),
            ("Key kw_live_GONE…gone deleted".to_owned(), "this session's key".to_owned())
        );
        assert_eq!(entry(AuditAction::ApiKeyCreated, Some("key_b")).1, "kw_live_BBBB…bbbb");
        assert_eq!(entry(AuditAction::ApiKeyUpdated, Some("key_zz")).1, "a deleted key");
        assert_eq!(
            entry(AuditAction::RegionCreated, None),
            ("Region created".to_owned(), "the operator (CLI)".to_owned())
        );
    }
}
