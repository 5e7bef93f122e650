//! What makes brute force expensive: failed authentications are counted
//! per client address and per key, and past a limit refused before argon2
//! runs. Per process; it only saves work.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use moka::sync::Cache;

use crate::error::{Error, Result};

/// Limits on failed authentications within one window.
#[derive(Clone, Copy, Debug)]
pub struct ThrottleLimits {
    pub per_address: u32,
    pub per_key: u32,
    pub window: Duration,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self { per_address: 30, per_key: 10, window: Duration::from_secs(60) }
    }
}

#[derive(Clone, Hash, PartialEq, Eq)]
enum Subject {
    Address(IpAddr),
    /// The public lookup part of a token.
    Key(String),
}

/// Counts failures per client address and per key in fixed windows.
#[derive(Clone)]
pub(crate) struct FailureThrottle {
    limits: ThrottleLimits,
    failures: Cache<Subject, (u32, Instant)>,
}

impl FailureThrottle {
    pub(crate) fn new(limits: ThrottleLimits) -> Self {
        let failures = Cache::builder().max_capacity(100_000).time_to_live(limits.window).build();
        Self { limits, failures }
    }

    /// Refuses, before argon2 runs, an address or a key that failed too often.
    pub(crate) fn check(&self, address: IpAddr, lookup: &str) -> Result<()> {
        self.check_subject(&Subject::Address(address), self.limits.per_address)?;
        self.check_subject(&Subject::Key(lookup.to_owned()), self.limits.per_key)
    }

    /// Refuses an address that failed too often, before any work at all.
    pub(crate) fn check_address(&self, address: IpAddr) -> Result<()> {
        self.check_subject(&Subject::Address(address), self.limits.per_address)
    }

    pub(crate) fn record_failure(&self, address: IpAddr, lookup: Option<&str>) {
        self.bump(Subject::Address(address));
        if let Some(lookup) = lookup {
            self.bump(Subject::Key(lookup.to_owned()));
        }
    }

    fn check_subject(&self, subject: &Subject, limit: u32) -> Result<()> {
        match self.failures.get(subject) {
            Some((count, since)) if count >= limit => {
                let retry_after = self.limits.window.saturating_sub(since.elapsed());
                if retry_after.is_zero() { Ok(()) } else { Err(Error::Throttled { retry_after }) }
            }
            _ => Ok(()),
        }
    }

    fn bump(&self, subject: Subject) {
        let window = self.limits.window;
        self.failures.entry(subject).and_upsert_with(|entry| match entry {
            Some(entry) if entry.value().1.elapsed() < window => {
                let (count, since) = entry.into_value();
                (count.saturating_add(1), since)
            }
            _ => (1, Instant::now()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_a_key_after_its_limit_and_reports_the_wait() {
        let limits = ThrottleLimits { per_address: 100, per_key: 3, window: Duration::from_secs(60) };
        let throttle = FailureThrottle::new(limits);
        let address: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..3 {
            throttle.check(address, "lookup").unwrap();
            throttle.record_failure(address, Some("lookup"));
        }
        match throttle.check(address, "lookup") {
            Err(Error::Throttled { retry_after }) => assert!(retry_after <= Duration::from_secs(60)),
            other => panic!("expected a throttle, got {other:?}"),
        }
        throttle.check(address, "other").unwrap();
    }

    #[test]
    fn throttles_an_address_after_its_limit() {
        let limits = ThrottleLimits { per_address: 2, per_key: 100, window: Duration::from_secs(60) };
        let throttle = FailureThrottle::new(limits);
        let address: IpAddr = [10, 0, 0, 1].into();
        throttle.record_failure(address, None);
        throttle.record_failure(address, None);
        assert!(matches!(throttle.check(address, "any"), Err(Error::Throttled { .. })));
        throttle.check([10, 0, 0, 2].into(), "any").unwrap();
    }

    #[test]
    fn a_window_passes() {
        let limits = ThrottleLimits { per_address: 1, per_key: 1, window: Duration::from_millis(50) };
        let throttle = FailureThrottle::new(limits);
        let address: IpAddr = [10, 0, 0, 1].into();
        throttle.record_failure(address, Some("k"));
        assert!(throttle.check(address, "k").is_err());
        std::thread::sleep(Duration::from_millis(60));
        throttle.check(address, "k").unwrap();
    }
}
