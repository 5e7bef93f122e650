//! The domain's clock.

use chrono::{DateTime, SubsecRound, Utc};

/// Now, at the precision every backend stores (microseconds), so what a
/// write returns equals what a later read returns.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
