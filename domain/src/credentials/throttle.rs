//! What makes brute force expensive: failed argon2 verifications are
//! counted per client address and per key, and past a limit refused before
//! argon2 runs. Per process; it only saves work. Failures that cost nothing
//! (a token that is no key) are not counted: they would spend the budget of
//! a valid key's first verification behind the same address.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::ops::compute::Op;
use moka::sync::Cache;
use tokio::sync::Notify;
use tokio::sync::futures::Notified;

use crate::error::{Error, Result};

/// Limits on failed argon2 verifications within one window.
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

/// Whom an address counts for: itself (IPv4, also mapped into IPv6), or
/// its IPv6 network of `ipv6_prefix` bits. The failure throttle counts per
/// client so; the server shares connections out so too.
pub fn client_network(address: IpAddr, ipv6_prefix: u8) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u32::from(ipv6_prefix.min(128));
                let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
                IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
            }
        },
        v4 => v4,
    }
}

#[derive(Clone, Hash, PartialEq, Eq)]
enum Subject {
    Address(IpAddr),
    /// The public lookup part of a token.
    Key(String),
}

/// One subject's window: failures, attempts running argon2 right now
/// (counted as failures until they succeed), and when the window began.
#[derive(Clone, Copy)]
struct Tally {
    failures: u32,
    pending: u32,
    since: Instant,
}

/// The tally as it stands: a new window once the old one passed, keeping
/// the attempts still running (they end in the new window).
fn current(tally: Option<Tally>, window: Duration) -> Tally {
    match tally {
        Some(tally) if tally.since.elapsed() < window => tally,
        tally => Tally { failures: 0, pending: tally.map_or(0, |tally| tally.pending), since: Instant::now() },
    }
}

/// Why an attempt may not run argon2 now.
pub(crate) enum Refusal {
    /// Over the limit: refused until the window passes.
    Throttled(Error),
    /// Only attempts still running fill the limit: wait for them, then ask
    /// again (they may verify this very token, or give their count back).
    Busy,
}

/// Counts failures per client address and per key in fixed windows.
#[derive(Clone)]
pub(crate) struct FailureThrottle {
    limits: ThrottleLimits,
    tallies: Cache<Subject, Tally>,
    /// Woken whenever a reservation ends.
    released: Arc<Notify>,
}

impl FailureThrottle {
    pub(crate) fn new(limits: ThrottleLimits) -> Self {
        let tallies = Cache::builder().max_capacity(100_000).time_to_live(limits.window).build();
        Self { limits, tallies, released: Arc::new(Notify::new()) }
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

    /// Counts one failure against `address` alone (a throttle that counts
    /// something other than argon2's failures, e.g. leak reports).
    pub(crate) fn record_failure(&self, address: IpAddr) {
        self.update(self.client(address), |tally| tally.failures = tally.failures.saturating_add(1));
    }

    /// Counts an attempt as failed before it runs argon2, so that no number
    /// of concurrent attempts gets past the limit. [`Reservation::finish`]
    /// settles it.
    pub(crate) fn reserve(&self, address: IpAddr, lookup: &str) -> std::result::Result<Reservation, Refusal> {
        let address = self.client(address);
        let key = Subject::Key(lookup.to_owned());
        self.take(&address, self.limits.per_address)?;
        if let Err(refusal) = self.take(&key, self.limits.per_key) {
            self.update(address, |tally| tally.pending = tally.pending.saturating_sub(1));
            // An attempt may have waited on that short-lived count.
            self.released.notify_waiters();
            return Err(refusal);
        }
        Ok(Reservation { throttle: self.clone(), subjects: [address, key], matched: false })
    }

    /// Waits until some reservation ends. Call [`Notified::enable`] on it
    /// before trying to reserve, so an end in between is not missed.
    pub(crate) fn released(&self) -> Notified<'_> {
        self.released.notified()
    }

    fn take(&self, subject: &Subject, limit: u32) -> std::result::Result<(), Refusal> {
        let window = self.limits.window;
        let mut refusal = None;
        self.tallies.entry(subject.clone()).and_compute_with(|entry| {
            let mut tally = current(entry.map(|entry| entry.into_value()), window);
            if tally.failures >= limit {
                let retry_after = window.saturating_sub(tally.since.elapsed());
                refusal = Some(Refusal::Throttled(Error::Throttled { retry_after }));
                Op::Nop
            } else if tally.failures + tally.pending >= limit {
                refusal = Some(Refusal::Busy);
                Op::Nop
            } else {
                tally.pending += 1;
                Op::Put(tally)
            }
        });
        refusal.map_or(Ok(()), Err)
    }

    /// Changes an existing tally, or starts one.
    fn update(&self, subject: Subject, change: impl FnOnce(&mut Tally)) {
        let window = self.limits.window;
        self.tallies.entry(subject).and_compute_with(|entry| {
            let mut tally = current(entry.map(|entry| entry.into_value()), window);
            change(&mut tally);
            Op::Put(tally)
        });
    }

    fn client(&self, address: IpAddr) -> Subject {
        Subject::Address(self.counted(address))
    }

    /// The client an address is: itself (IPv4), or its IPv6 network.
    pub(crate) fn counted(&self, address: IpAddr) -> IpAddr {
        client_network(address, self.limits.ipv6_prefix)
    }

    fn check_subject(&self, subject: &Subject, limit: u32) -> Result<()> {
        match self.tallies.get(subject) {
            Some(tally) if tally.failures >= limit => {
                let retry_after = self.limits.window.saturating_sub(tally.since.elapsed());
                if retry_after.is_zero() { Ok(()) } else { Err(Error::Throttled { retry_after }) }
            }
            _ => Ok(()),
        }
    }
}

/// An attempt counted in advance ([`FailureThrottle::reserve`]). It ends as
/// a failure unless [`Reservation::finish`] says it matched, also when it is
/// dropped unfinished.
pub(crate) struct Reservation {
    throttle: FailureThrottle,
    subjects: [Subject; 2],
    matched: bool,
}

impl Reservation {
    pub(crate) fn finish(mut self, matched: bool) {
        self.matched = matched;
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        for subject in self.subjects.clone() {
            let matched = self.matched;
            self.throttle.update(subject, |tally| {
                tally.pending = tally.pending.saturating_sub(1);
                if !matched {
                    tally.failures = tally.failures.saturating_add(1);
                }
            });
        }
        self.throttle.released.notify_waiters();
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
            throttle.reserve(address, "lookup").ok().unwrap().finish(false);
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
        throttle.record_failure(address);
        throttle.record_failure(address);
        assert!(matches!(throttle.check(address, "any"), Err(Error::Throttled { .. })));
        throttle.check([10, 0, 0, 2].into(), "any").unwrap();
    }

    #[test]
    fn ipv6_clients_count_per_network() {
        let limits = ThrottleLimits { per_address: 2, per_key: 100, ..Default::default() };
        let throttle = FailureThrottle::new(limits);
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        throttle.record_failure(ip("2001:db8:1:2::1"));
        throttle.record_failure(ip("2001:db8:1:2:ffff::9"));
        assert!(throttle.check_address(ip("2001:db8:1:2:aaaa::7")).is_err(), "the same /64");
        throttle.check_address(ip("2001:db8:1:3::1")).unwrap();
        throttle.record_failure(ip("::ffff:10.0.0.1"));
        throttle.record_failure(ip("10.0.0.1"));
        assert!(throttle.check_address(ip("10.0.0.1")).is_err(), "an IPv4-mapped address is its IPv4 address");
        throttle.check_address(ip("10.0.0.2")).unwrap();
    }

    #[test]
    fn reservations_never_pass_the_limit_and_successes_give_theirs_back() {
        let limits = ThrottleLimits { per_address: 100, per_key: 3, ..Default::default() };
        let throttle = FailureThrottle::new(limits);
        let address: IpAddr = [127, 0, 0, 1].into();
        let mut running: Vec<_> = (0..3).map(|_| throttle.reserve(address, "k").ok().unwrap()).collect();
        assert!(matches!(throttle.reserve(address, "k"), Err(Refusal::Busy)), "the fourth waits for the others");
        running.pop().unwrap().finish(true);
        let fourth = throttle.reserve(address, "k").ok().expect("a match gave its count back");
        for attempt in running.into_iter().chain([fourth]) {
            attempt.finish(false);
        }
        assert!(matches!(throttle.reserve(address, "k"), Err(Refusal::Throttled(_))), "three failures: throttled");
        assert!(throttle.check(address, "other").is_ok());
    }

    #[test]
    fn a_window_passes() {
        let limits =
            ThrottleLimits { per_address: 1, per_key: 1, window: Duration::from_millis(50), ..Default::default() };
        let throttle = FailureThrottle::new(limits);
        let address: IpAddr = [10, 0, 0, 1].into();
        throttle.reserve(address, "k").ok().unwrap().finish(false);
        assert!(throttle.check(address, "k").is_err());
        std::thread::sleep(Duration::from_millis(60));
        throttle.check(address, "k").unwrap();
    }
}
