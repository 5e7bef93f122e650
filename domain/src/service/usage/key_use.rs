//! A keyed request whose outcome is not known yet: authenticated now,
//! answered later (a REST call, whose handler may still refuse it for a
//! scope).

use crate::caller::Caller;
use crate::clock::now;
use crate::infra::usage_recorder::UseSink;
use crate::model::{UseDetails, UseOutcome};

/// One use of an API key, opened by
/// [`Authenticator::authenticate_use`](crate::Authenticator::authenticate_use)
/// and counted exactly once: with the outcome given to [`Self::finish`],
/// or as accepted when dropped unfinished (its client went away before the
/// answer: the key was still used). Not `Clone`, and only authentication
/// opens one, so a use is counted once and only for a key that was
/// verified for an API call (never a console session's).
#[must_use = "a use is counted when finished, or as accepted when dropped"]
pub struct KeyUse {
    caller: Caller,
    /// Until counted: what the use records, and where.
    open: Option<(UseDetails, UseSink)>,
}

impl KeyUse {
    pub(crate) fn open(caller: Caller, details: UseDetails, sink: UseSink) -> Self {
        Self { caller, open: Some((details, sink)) }
    }

    /// Who is calling.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// Counts the use with `outcome` (`Accepted`, or `InsufficientScope`
    /// when the request was refused for a scope its key lacks), as the
    /// key's last use, now.
    pub fn finish(mut self, outcome: UseOutcome) {
        self.count(outcome);
    }

    fn count(&mut self, outcome: UseOutcome) {
        if let Some((details, sink)) = self.open.take() {
            sink.record_use(&self.caller, outcome, details, now());
        }
    }
}

impl std::fmt::Debug for KeyUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyUse").field("caller", &self.caller).field("counted", &self.open.is_none()).finish()
    }
}

impl Drop for KeyUse {
    fn drop(&mut self) {
        self.count(UseOutcome::Accepted);
    }
}
