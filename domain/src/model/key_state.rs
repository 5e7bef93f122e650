//! Where a key stands at an instant, and whether it keeps its region
//! managed: the one rule that authentication, a change's re-check under the
//! region lock, console sessions, the last-key guard and the console's
//! buttons all apply.

use chrono::{DateTime, Utc};

use super::keys::ApiKey;
use super::scope::{KeyAccess, Scopes};

/// A key's state at an instant. A quarantine outranks a schedule: a key
/// found in public is refused as quarantined whether or not it came due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// It works, and nothing ends it.
    Usable,
    /// It works until its scheduled revocation.
    Scheduled,
    /// Its scheduled revocation came due: refused, only not yet swept away.
    Due,
    /// It was found in public: refused for good.
    Quarantined,
}

impl KeyState {
    /// The state of a key scheduled for revocation at `revoke_at` (if at
    /// all) and `quarantined` or not, at `now`.
    pub fn at(revoke_at: Option<DateTime<Utc>>, quarantined: bool, now: DateTime<Utc>) -> Self {
        match revoke_at {
            _ if quarantined => Self::Quarantined,
            Some(_) if is_revoked(revoke_at, now) => Self::Due,
            Some(_) => Self::Scheduled,
            None => Self::Usable,
        }
    }

    /// Whether a key in this state with `scopes` keeps its region managed:
    /// it holds `keys:write` and is usable with no revocation scheduled
    /// (neither scheduled, come due nor quarantined). A region always keeps
    /// one such key (409 `last-api-key`).
    pub fn manages_region(self, scopes: &Scopes) -> bool {
        self == Self::Usable && scopes.allow(KeyAccess::Write)
    }
}

/// Whether a key scheduled for revocation at `revoke_at` came due by `at`
/// (whatever else it is: the sweeper removes quarantined keys that come
/// due too).
pub fn is_revoked(revoke_at: Option<DateTime<Utc>>, at: DateTime<Utc>) -> bool {
    revoke_at.is_some_and(|revoke_at| revoke_at <= at)
}

impl ApiKey {
    /// This key's state at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> KeyState {
        KeyState::at(self.revoke_at, self.quarantine.is_some(), now)
    }

    /// Whether this key keeps its region managed ([`KeyState::manages_region`]).
    pub fn manages_region(&self, now: DateTime<Utc>) -> bool {
        self.state(now).manages_region(&self.scopes)
    }
}

/// The key a region cannot lose: the one among `keys` (all of a region's)
/// that manages it, when exactly one does.
pub fn last_manager(keys: &[ApiKey], now: DateTime<Utc>) -> Option<&ApiKey> {
    let mut managers = keys.iter().filter(|key| key.manages_region(now));
    match (managers.next(), managers.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    #[test]
    fn a_quarantine_outranks_a_schedule_and_a_schedule_comes_due_at_its_instant() {
        let now = Utc::now();
        let (past, future) = (Some(now - TimeDelta::seconds(1)), Some(now + TimeDelta::seconds(1)));
        for ((revoke_at, quarantined), expected) in [
            ((None, false), KeyState::Usable),
            ((future, false), KeyState::Scheduled),
            ((Some(now), false), KeyState::Due),
            ((past, false), KeyState::Due),
            ((None, true), KeyState::Quarantined),
            ((future, true), KeyState::Quarantined),
            ((past, true), KeyState::Quarantined),
        ] {
            assert_eq!(KeyState::at(revoke_at, quarantined, now), expected, "{revoke_at:?} {quarantined}");
        }
    }

    #[test]
    fn only_a_usable_key_that_may_write_keys_manages() {
        let (all, write, read) = (Scopes::all(), "keys:write".parse().unwrap(), "keys:read".parse().unwrap());
        for state in [KeyState::Usable, KeyState::Scheduled, KeyState::Due, KeyState::Quarantined] {
            assert_eq!(state.manages_region(&all), state == KeyState::Usable);
            assert_eq!(state.manages_region(&write), state == KeyState::Usable);
            assert!(!state.manages_region(&read));
        }
    }
}
