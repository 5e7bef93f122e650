//! The rotation wizard's verdict on whether the old key can go: a rule of
//! the console's, kept apart from how times are worded.

use chrono::{DateTime, TimeDelta, Utc};

use crate::format::relative;
use crate::i18n::rotation::Rotation;
use crate::i18n::{t, tf};

/// How near a live check's time a use of the new key is taken to be that
/// check. The time comes from the response's `Date` header, which has whole
/// seconds, and the server notes the use just before answering.
const LIVE_CHECK_MARGIN: TimeDelta = TimeDelta::seconds(1);

/// An old key used this recently may still be in some integration: the
/// verdict warns. After that it states when and leaves the call to the
/// administrator (an integration may call only hourly).
const OLD_KEY_RECENT_USE: TimeDelta = TimeDelta::minutes(5);

/// The verify step's plain verdict on the traffic of a rotation's keys.
/// `old_key_origin` says where the old key's last use came from ("from
/// 203.0.113.7, billing-sync/2.4"), so the administrator knows which
/// integration still sends it. `live_checks` are the server's times of the
/// step's own calls with the new key: a last use at one of them is the
/// console's, not an integration's.
pub fn verdict(
    new_key_last_used: Option<DateTime<Utc>>,
    old_key_last_used: Option<DateTime<Utc>>,
    old_key_origin: &str,
    live_checks: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> String {
    let old_in_use = old_key_last_used.is_some_and(|at| now - at < OLD_KEY_RECENT_USE);
    let old = match old_key_last_used {
        Some(at) => tf(Rotation::OldKeyLastUsed, &[&relative(at, now), old_key_origin]),
        None => t(Rotation::OldKeyNeverUsed).to_owned(),
    };
    let by_live_check = |at: DateTime<Utc>| live_checks.iter().any(|check| (at - *check).abs() <= LIVE_CHECK_MARGIN);
    let sentence = match new_key_last_used {
        None => Rotation::NewKeyNotUsedYet,
        Some(at) if by_live_check(at) => Rotation::NewKeyOnlyLiveCheck,
        Some(_) if old_in_use => Rotation::NewKeyInUseOldRecent,
        Some(_) => Rotation::NewKeyInUse,
    };
    tf(sentence, &[&old])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::tests::{at, now};
    use crate::i18n::Lang;

    #[test]
    fn the_verdict_says_which_key_is_in_use() {
        assert_eq!(verdict(None, Some(at(900)), "", &[], now()), "New key not used yet; old key last used 15 min ago.");
        assert_eq!(
            verdict(Some(at(5)), Some(at(840)), "", &[], now()),
            "New key in use; old key last used 14 min ago."
        );
        assert_eq!(verdict(Some(at(5)), None, "", &[], now()), "New key in use; old key never used.");
        assert_eq!(
            verdict(Some(at(5)), Some(at(20)), "", &[], now()),
            "New key in use, but the old key last used 20 s ago: update every integration before deleting it."
        );
        // Recent means the last five minutes, whenever the rotation started.
        assert!(verdict(Some(at(5)), Some(at(299)), "", &[], now()).contains("but the old key"));
        assert_eq!(verdict(Some(at(5)), Some(at(300)), "", &[], now()), "New key in use; old key last used 5 min ago.");
    }

    #[test]
    fn the_verdict_says_where_the_old_key_is_still_used() {
        assert_eq!(
            verdict(Some(at(5)), Some(at(180)), " from 203.0.113.7, billing-sync/2.4", &[], now()),
            "New key in use, but the old key last used 3 min ago from 203.0.113.7, billing-sync/2.4: update every \
             integration before deleting it."
        );
    }

    #[test]
    fn the_live_check_is_not_integration_traffic() {
        let checked = [at(300), at(30)];
        let by_check = "New key not used by an integration since your live check; old key never used.";
        for used in [at(30), at(31), at(29), at(300)] {
            assert_eq!(verdict(Some(used), None, "", &checked, now()), by_check);
        }
        for used in [at(28), at(5), at(200)] {
            assert_eq!(
                verdict(Some(used), None, "", &checked, now()),
                "New key in use; old key never used.",
                "a use {}s from every check",
                (now() - used).num_seconds()
            );
        }
    }

    #[test]
    fn the_verdict_speaks_dutch() {
        crate::i18n::set_current(Lang::Nl);
        let dutch = verdict(Some(at(5)), None, "", &[], now());
        crate::i18n::set_current(Lang::En);
        assert_eq!(dutch, "Nieuwe sleutel in gebruik; oude sleutel nooit gebruikt.");
    }
}
