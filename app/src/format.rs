//! Words and times as the console shows them. Pure functions, so they are
//! tested natively.

use chrono::{DateTime, Datelike, Timelike, Utc};
use domain::model::{
    ApiKey, AuditAction, AuditActor, AuditChange, AuditEvent, KeyId, LastUse, LeakChannel, Quarantine, Scopes,
    UsageBucket, UsageCounts, UsagePoint,
};

use crate::i18n::common::Common;
use crate::i18n::words::{MONTHS_EN, MONTHS_NL, Words};
use crate::i18n::{Lang, current, number, t, tf};

/// "just now", "45 s ago", "3 min ago", "2 h ago", "5 days ago".
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds().max(0);
    let (text, count) = match seconds {
        0..10 => return t(Words::JustNow).to_owned(),
        10..60 => (Words::SecondsAgo, seconds),
        60..3_600 => (Words::MinutesAgo, seconds / 60),
        3_600..86_400 => (Words::HoursAgo, seconds / 3_600),
        86_400..172_800 => return t(Words::DayAgo).to_owned(),
        _ => (Words::DaysAgo, seconds / 86_400),
    };
    tf(text, &[&count.to_string()])
}

/// The exact time, for the hover text next to a relative time.
pub fn exact(at: DateTime<Utc>) -> String {
    // Written out rather than with chrono's `format`, whose pattern
    // interpreter would only add to the wasm.
    format!("{} {:02}:{:02}:{:02} UTC", iso_date(at), at.hour(), at.minute(), at.second())
}

/// `2026-11-27`.
fn iso_date(at: DateTime<Utc>) -> String {
    format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day())
}

/// A machine-readable instant, as `<time datetime>` takes it:
/// `2026-11-27T18:15:42Z`.
pub fn machine_time(at: DateTime<Utc>) -> String {
    format!("{}T{:02}:{:02}:{:02}Z", iso_date(at), at.hour(), at.minute(), at.second())
}

/// When a key was last used, relatively: "never" if it never was.
pub fn last_used(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    at.map_or_else(|| t(Words::Never).to_owned(), |at| relative(at, now))
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
    let (days, hours, minutes, seconds) = (days.to_string(), hours.to_string(), minutes.to_string(), seconds);
    let left = match seconds {
        ..=0 => return t(Words::Revoked).to_owned(),
        1..60 => tf(Words::LeftSeconds, &[&seconds.to_string()]),
        60..3_600 => tf(Words::LeftMinutes, &[&minutes]),
        3_600..86_400 => tf(Words::LeftHours, &[&hours, &minutes]),
        86_400..172_800 => tf(Words::LeftDay, &[&hours]),
        _ => tf(Words::LeftDays, &[&days, &hours]),
    };
    tf(Words::RevokedIn, &[&left])
}

/// "found by GitHub secret scanning at <url> (commit)", as far as the
/// report said.
pub fn where_found(found: &Quarantine) -> String {
    let by = t(match found.reported_via {
        LeakChannel::Github => Words::FoundByGithub,
        LeakChannel::Gitlab => Words::FoundByGitlab,
        LeakChannel::Public => Words::ReportedInPublic,
    });
    match (&found.url, &found.source) {
        (Some(url), Some(source)) => tf(Words::FoundAtSource, &[by, url, source]),
        (Some(url), None) => tf(Words::FoundAt, &[by, url]),
        _ => by.to_owned(),
    }
}

/// Scopes as the console shows them: "full access" for `*`, "none" for
/// none, otherwise the scopes themselves.
pub fn scopes(scopes: &Scopes) -> String {
    if scopes.is_all() {
        t(Words::FullAccess).to_owned()
    } else if scopes.is_empty() {
        t(Words::NoScopes).to_owned()
    } else {
        scopes.to_string()
    }
}

/// An audit event as the dashboard lists it: what happened, and by whom.
/// `keys` are the region's current keys, which name the acting key.
pub fn audit_entry(event: &AuditEvent, keys: &[ApiKey], current_key_id: Option<&KeyId>) -> (String, String) {
    let subject = event.api_key_preview.as_deref().unwrap_or(t(Words::AKey));
    let about = |text| tf(text, &[subject]);
    let what = match event.action {
        AuditAction::RegionCreated => t(Words::RegionCreated).to_owned(),
        AuditAction::ApiKeyCreated => about(Words::KeyCreated),
        AuditAction::ApiKeyUpdated => about(Words::DescriptionChanged),
        AuditAction::ApiKeyDeleted => about(Words::KeyDeleted),
        AuditAction::ConsoleSignedIn => t(Words::SignedInToConsole).to_owned(),
        AuditAction::ConsoleSignInRefused => t(Words::SignInRefusedUnverified).to_owned(),
        AuditAction::ApiKeyScopesChanged => match &event.change {
            Some(AuditChange::Scopes { before, after }) => {
                tf(Words::ScopesChangedFromTo, &[subject, &scopes(before), &scopes(after)])
            }
            _ => about(Words::ScopesChanged),
        },
        AuditAction::ApiKeyRevocationScheduled => match &event.change {
            Some(AuditChange::RevokeAt { after: None, .. }) => about(Words::RevocationCancelled),
            Some(AuditChange::RevokeAt { after: Some(at), .. }) => tf(Words::ScheduledToStop, &[subject, &exact(*at)]),
            _ => about(Words::RevocationScheduled),
        },
        AuditAction::ApiKeyRevokedOnSchedule => about(Words::RevokedOnSchedule),
        AuditAction::ApiKeyQuarantined => match &event.change {
            Some(AuditChange::Found { url: Some(url), .. }) => tf(Words::FoundInPublicAt, &[subject, url]),
            _ => about(Words::ReportedAsLeaked),
        },
        AuditAction::ApiKeyPolicyChanged => about(Words::PolicyChanged),
        AuditAction::OwnerCreated | AuditAction::OwnerUpdated | AuditAction::OwnerDeleted => {
            let words = match event.action {
                AuditAction::OwnerCreated => Words::OwnerCreated,
                AuditAction::OwnerUpdated => Words::OwnerUpdated,
                _ => Words::OwnerDeleted,
            };
            let owner = match &event.change {
                Some(AuditChange::Owner { before, after, .. }) => {
                    after.as_ref().or(before.as_ref()).map(|owner| owner.external_id.as_str())
                }
                _ => None,
            };
            tf(words, &[owner.unwrap_or("")])
        }
        AuditAction::AdministratorGranted | AuditAction::AdministratorRevoked => match &event.change {
            Some(AuditChange::Administrator { email, after: Some(scopes), .. }) => {
                tf(Words::AdministratorGranted, &[email.as_str(), &scopes.to_string()])
            }
            Some(AuditChange::Administrator { email, .. }) => tf(Words::AdministratorRevoked, &[email.as_str()]),
            _ => tf(Words::AdministratorRevoked, &[""]),
        },
        AuditAction::WebhookCreated
        | AuditAction::WebhookUpdated
        | AuditAction::WebhookSecretRotated
        | AuditAction::WebhookDeleted => {
            let words = match event.action {
                AuditAction::WebhookCreated => Words::WebhookCreated,
                AuditAction::WebhookUpdated => Words::WebhookUpdated,
                AuditAction::WebhookSecretRotated => Words::WebhookSecretRotated,
                _ => Words::WebhookDeleted,
            };
            let url = match &event.change {
                Some(AuditChange::Webhook { before, after, .. }) => {
                    after.as_ref().or(before.as_ref()).map(|webhook| String::from(webhook.url.clone()))
                }
                _ => None,
            };
            tf(words, &[url.as_deref().unwrap_or("")])
        }
    };
    if let Some(AuditActor::Person { email, name, .. }) = &event.actor {
        return (what, name.clone().filter(|name| !name.trim().is_empty()).unwrap_or_else(|| email.to_string()));
    }
    let who = match (&event.actor_api_key_id, &event.change) {
        (None, Some(AuditChange::Found { reported_via, .. })) => t(match reported_via {
            LeakChannel::Github => Words::GithubScanning,
            LeakChannel::Gitlab => Words::GitlabDetection,
            LeakChannel::Public => Words::APublicReport,
        })
        .to_owned(),
        (None, Some(AuditChange::SignInRefused { email, .. })) => email.to_string(),
        (None, _) if event.action == AuditAction::ApiKeyRevokedOnSchedule => t(Words::KeywardOnSchedule).to_owned(),
        (None, _) => t(Words::TheOperator).to_owned(),
        (Some(actor), _) if Some(actor) == current_key_id => t(Words::ThisSessionsKey).to_owned(),
        (Some(actor), _) => keys
            .iter()
            .find(|key| key.id == *actor)
            .map_or_else(|| t(Common::ADeletedKey).to_owned(), |key| key.token_preview.clone()),
    };
    (what, who)
}

/// "12 requests, 1 refused", or "no requests".
pub fn requests(counts: &UsageCounts) -> String {
    match (counts.total(), counts.refused()) {
        (0, _) => t(Words::NoRequests).to_owned(),
        (1, 0) => t(Words::OneRequest).to_owned(),
        (total, 0) => tf(Words::Requests, &[&number(total)]),
        (total, refused) => tf(Words::RequestsRefused, &[&number(total), &number(refused)]),
    }
}

/// A bucket's start as its chart labels it: "27 Nov 14:05 UTC" for
/// minutes and hours, "27 Nov" for days.
pub fn bucket_start(at: DateTime<Utc>, bucket: UsageBucket) -> String {
    let months = match current() {
        Lang::En => MONTHS_EN,
        Lang::Nl => MONTHS_NL,
    };
    let day = format!("{} {}", at.day(), months[at.month0() as usize]);
    match bucket {
        UsageBucket::Minute | UsageBucket::Hour => format!("{day} {:02}:{:02} UTC", at.hour(), at.minute()),
        UsageBucket::Day => day,
    }
}

/// One bucket in words: when, and what it holds by outcome.
pub fn usage_point(point: &UsagePoint, bucket: UsageBucket) -> String {
    let counts = &point.counts;
    let mut text = tf(Words::PointAccepted, &[&bucket_start(point.start, bucket), &number(counts.accepted)]);
    for (count, refusal) in [
        (counts.invalid, Words::RefusedInvalid),
        (counts.insufficient_scope, Words::RefusedScope),
        (counts.throttled, Words::RefusedThrottled),
        (counts.rate_limited, Words::RefusedRateLimited),
        (counts.credits_exhausted, Words::RefusedCredits),
        (counts.network_not_allowed, Words::RefusedNetwork),
    ] {
        if count > 0 {
            text.push_str(&tf(refusal, &[&number(count)]));
        }
    }
    text
}

/// Requests refused by a key's policy: over a rate limit, out of credits
/// or from a network not allowed (a part of [`UsageCounts::refused`]).
pub fn limited(counts: &UsageCounts) -> u64 {
    counts.rate_limited + counts.credits_exhausted + counts.network_not_allowed
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
    if parts.is_empty() { String::new() } else { tf(Words::From, &[&parts.join(", ")]) }
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
        assert_eq!(machine_time(now()), "2027-01-15T08:00:00Z");
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
            owner_id: None,
            meta: Default::default(),
            rate_limits: Default::default(),
            credits: None,
            allowed_networks: Default::default(),
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
            actor: None,
            client_address: Some("127.0.0.1".to_owned()),
            at: at(5),
            change: None,
        };
        let entry = |action, actor| audit_entry(&event(action, actor), &keys, Some(&id(a)));
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
            audit_entry(&rescoped, &keys, Some(&id(a))).0,
            "Scopes of kw_live_GONE…gone changed: full access → keys:read"
        );
        let cancelled = AuditEvent {
            change: Some(AuditChange::RevokeAt { before: Some(at(9)), after: None }),
            ..event(AuditAction::ApiKeyRevocationScheduled, Some(a))
        };
        assert_eq!(
            audit_entry(&cancelled, &keys, Some(&id(a))).0,
            "Scheduled revocation of kw_live_GONE…gone cancelled"
        );
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
        let limited_point = UsagePoint {
            start: now(),
            counts: UsageCounts {
                accepted: 3,
                rate_limited: 2,
                credits_exhausted: 1,
                network_not_allowed: 4,
                ..Default::default()
            },
        };
        assert_eq!(
            usage_point(&limited_point, UsageBucket::Hour),
            "15 Jan 08:00 UTC: 3 accepted, 2 refused (over a rate limit), 1 refused (out of credits), 4 refused (network not allowed)"
        );
        assert_eq!(limited(&limited_point.counts), 7);
        assert_eq!(requests(&limited_point.counts), "10 requests, 7 refused");
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

    #[test]
    fn dutch_has_its_own_words_months_and_digit_groups() {
        crate::i18n::set_current(Lang::Nl);
        assert_eq!(relative(at(14 * 60 + 5), now()), "14 min geleden");
        assert_eq!(last_used(None, now()), "nooit");
        assert_eq!(stops(now() + chrono::TimeDelta::seconds(86_400 + 3_600), now()), "Ingetrokken over 1 dag 1 u");
        let counts = UsageCounts { accepted: 27_000, invalid: 529, ..Default::default() };
        assert_eq!(requests(&counts), "27.529 verzoeken, 529 geweigerd");
        assert_eq!(bucket_start(now(), UsageBucket::Hour), "15 jan 08:00 UTC");
        assert_eq!(scopes(&Scopes::all()), "volledige toegang");
        crate::i18n::set_current(Lang::En);
    }
}
