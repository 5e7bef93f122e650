//! Proxy configurations that Keyward can see are wrong, logged once each
//! as a clear warning rather than per request: a check that carries the
//! client's body (the proxy forwards it: wasted and, for large uploads,
//! slow), or a minute of checks none of which carried a key (the proxy does
//! not pass the key header on).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};

/// How long only keyless checks must arrive before it looks like the proxy,
/// and how many: two stray requests a minute apart prove nothing.
const KEYLESS_PERIOD: Duration = Duration::from_secs(60);
const KEYLESS_CHECKS: u32 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misconfiguration {
    BodyForwarded,
    KeyNeverForwarded,
}

#[derive(Clone, Default)]
pub struct ProxyWarnings(Arc<Mutex<Seen>>);

/// What one check carried.
#[derive(Clone, Copy)]
struct Check {
    carries_body: bool,
    carries_key: bool,
}

#[derive(Default)]
struct Seen {
    warned_body: bool,
    warned_keyless: bool,
    keyless_since: Option<Instant>,
    keyless_checks: u32,
}

impl ProxyWarnings {
    /// Notes one check (its headers and the key it presented, if any) and
    /// logs what it reveals for the first time.
    pub fn observe(&self, headers: &HeaderMap, presented: Option<&str>) {
        let carries_body = headers.contains_key(header::TRANSFER_ENCODING)
            || headers
                .get(header::CONTENT_LENGTH)
                .and_then(|length| length.to_str().ok()?.parse::<u64>().ok())
                .is_some_and(|length| length > 0);
        let check = Check { carries_body, carries_key: presented.is_some() };
        for found in self.observe_at(Instant::now(), check) {
            match found {
                Misconfiguration::BodyForwarded => tracing::warn!(
                    "a request to /auth/check carried a body: configure the proxy not to forward it \
                     (nginx: proxy_pass_request_body off; see deploy/); Keyward never reads it"
                ),
                Misconfiguration::KeyNeverForwarded => tracing::warn!(
                    "no request to /auth/check carried an API key for a minute: check that the proxy \
                     passes the x-api-key or Authorization header to Keyward (see deploy/)"
                ),
            }
        }
    }

    fn observe_at(&self, now: Instant, check: Check) -> Vec<Misconfiguration> {
        let mut seen = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let mut found = Vec::new();
        if check.carries_body && !seen.warned_body {
            seen.warned_body = true;
            found.push(Misconfiguration::BodyForwarded);
        }
        if check.carries_key {
            seen.keyless_since = None;
            seen.keyless_checks = 0;
        } else {
            let since = *seen.keyless_since.get_or_insert(now);
            seen.keyless_checks = seen.keyless_checks.saturating_add(1);
            let long_enough = now.duration_since(since) >= KEYLESS_PERIOD && seen.keyless_checks >= KEYLESS_CHECKS;
            if long_enough && !seen.warned_keyless {
                seen.warned_keyless = true;
                found.push(Misconfiguration::KeyNeverForwarded);
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYLESS: Check = Check { carries_body: false, carries_key: false };
    const WITH_KEY: Check = Check { carries_body: false, carries_key: true };
    const WITH_BODY: Check = Check { carries_body: true, carries_key: true };

    #[test]
    fn a_forwarded_body_is_reported_once() {
        let warnings = ProxyWarnings::default();
        let now = Instant::now();
        assert_eq!(warnings.observe_at(now, WITH_BODY), [Misconfiguration::BodyForwarded]);
        assert_eq!(warnings.observe_at(now, WITH_BODY), []);
    }

    /// `count` keyless checks spread over `period` from `start`; what the last one reveals.
    fn keyless(warnings: &ProxyWarnings, start: Instant, period: Duration, count: u32) -> Vec<Misconfiguration> {
        (0..count).fold(Vec::new(), |_, i| warnings.observe_at(start + period * i / (count - 1), KEYLESS))
    }

    #[test]
    fn a_minute_of_checks_without_any_key_is_reported_once() {
        let warnings = ProxyWarnings::default();
        let start = Instant::now();
        assert_eq!(keyless(&warnings, start, Duration::from_secs(59), KEYLESS_CHECKS), []);
        assert_eq!(warnings.observe_at(start + KEYLESS_PERIOD, KEYLESS), [Misconfiguration::KeyNeverForwarded]);
        assert_eq!(warnings.observe_at(start + KEYLESS_PERIOD * 2, KEYLESS), []);
    }

    #[test]
    fn a_few_stray_checks_or_one_with_a_key_report_nothing() {
        let warnings = ProxyWarnings::default();
        let start = Instant::now();
        assert_eq!(keyless(&warnings, start, KEYLESS_PERIOD * 2, 3), [], "three checks in two minutes");
        warnings.observe_at(start + KEYLESS_PERIOD * 2, WITH_KEY);
        let later = start + KEYLESS_PERIOD * 3;
        assert_eq!(keyless(&warnings, later, KEYLESS_PERIOD, KEYLESS_CHECKS), [Misconfiguration::KeyNeverForwarded]);
    }
}
