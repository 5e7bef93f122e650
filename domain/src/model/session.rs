//! How long a console session has left, so the console can warn before it
//! ends (WCAG 2.2.1).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTimeLeft {
    /// Seconds until it ends unless it is used again.
    pub idle_secs: i64,
    /// Seconds until it ends for good, used or not.
    pub absolute_secs: i64,
}

impl SessionTimeLeft {
    /// Seconds until it ends if nothing happens.
    pub fn ends_in_secs(self) -> i64 {
        self.idle_secs.min(self.absolute_secs)
    }

    /// Whether using it again would keep it: its idle limit comes first.
    pub fn can_be_extended(self) -> bool {
        self.idle_secs < self.absolute_secs
    }
}
