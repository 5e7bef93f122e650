//! What makes brute force expensive: failed authentications are counted
//! per client address and per key, and past a limit refused before argon2
//! runs. Per process; it only saves work.

use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

use moka::sync::Cache;

use crate::error::{Error, Result};

/// Limits on failed authentications within one window.
#[derive(Clone, Copy, Debug)]
pub struct ThrottleLimits {
    pub per_address: u32,
    pub per_key: u32,
    pub window: Duration,
    /// IPv6 clients are counted per network of this prefix length: a client
    /// picks any address of its /64 at will.
    pub ipv6_prefix: u8,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self { per_address: 30, per_key: 10, window: Duration::from_secs(60), ipv6_prefix: 64 }
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
        self.check_address(address)?;
        self.check_subject(&Subject::Key(lookup.to_owned()), self.limits.per_key)
    }

    /// Refuses an address that failed too often, before any work at all.
    pub(crate) fn check_address(&self, address: IpAddr) -> Result<()> {
        self.check_subject(&self.client(address), self.limits.per_address)
    }

    pub(crate) fn record_failure(&self, address: IpAddr, lookup: Option<&str>) {
        self.bump(self.client(address));
        if let Some(lookup) = lookup {
            self.bump(Subject::Key(lookup.to_owned()));
        }
    }

    /// Whom an address counts for: itself (IPv4), or its IPv6 network.
    fn client(&self, address: IpAddr) -> Subject {
        match address {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
                let prefix = u32::from(self.limits.ipv6_prefix.min(128));
                let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
                Subject::Address(IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask)))
            }
            IpAddr::V6(v6) => Subject::Address(IpAddr::V4(v6.to_ipv4_mapped().expect("checked above"))),
            v4 => Subject::Address(v4),
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
        let limits =
            ThrottleLimits { per_address: 100, per_key: 3, window: Duration::from_secs(60), ..Default::default() };
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
        let limits =
            ThrottleLimits { per_address: 2, per_key: 100, window: Duration::from_secs(60), ..Default::default() };
        let throttle = FailureThrottle::new(limits);
        let address: IpAddr = [10, 0, 0, 1].into();
        throttle.record_failure(address, None);
        throttle.record_failure(address, None);
        assert!(matches!(throttle.check(address, "any"), Err(Error::Throttled { .. })));
        throttle.check([10, 0, 0, 2].into(), "any").unwrap();
    }

    #[test]
    fn ipv6_clients_count_per_network() {
        let limits = ThrottleLimits { per_address: 2, per_key: 100, ..Default::default() };
        let throttle = FailureThrottle::new(limits);
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        throttle.record_failure(ip("2001:db8:1:2::1"), None);
        throttle.record_failure(ip("2001:db8:1:2:ffff::9"), None);
        assert!(throttle.check_address(ip("2001:db8:1:2:aaaa::7")).is_err(), "the same /64");
        throttle.check_address(ip("2001:db8:1:3::1")).unwrap();
        throttle.record_failure(ip("::ffff:10.0.0.1"), None);
        throttle.record_failure(ip("10.0.0.1"), None);
        assert!(throttle.check_address(ip("10.0.0.1")).is_err(), "an IPv4-mapped address is its IPv4 address");
        throttle.check_address(ip("10.0.0.2")).unwrap();
    }

    #[test]
    fn a_window_passes() {
        let limits =
            ThrottleLimits { per_address: 1, per_key: 1, window: Duration::from_millis(50), ..Default::default() };
        let throttle = FailureThrottle::new(limits);
        let address: IpAddr = [10, 0, 0, 1].into();
        throttle.record_failure(address, Some("k"));
        assert!(throttle.check(address, "k").is_err());
        std::thread::sleep(Duration::from_millis(60));
        throttle.check(address, "k").unwrap();
    }
}
