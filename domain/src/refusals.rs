//! The words of refusals that the REST API and the console both show.
//! Always compiled (also to wasm), so the console's errors use these
//! instead of copies.

/// Deleting the region's last key.
pub const LAST_KEY: &str = "this is the region's only API key; create another before deleting it";

/// A wait in the whole seconds every refusal states (`Retry-After`, the
/// REST detail, the console): rounded up, never 0, so a client that waits
/// what it was told is heard.
pub fn whole_seconds(wait: std::time::Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// Too many failed attempts; the next one is heard after `retry_after_secs`.
pub fn throttled(retry_after_secs: u64) -> String {
    format!("too many failed attempts; try again in {retry_after_secs} s")
}

/// Starting a rotation while the region has one unfinished.
pub const ROTATION_IN_PROGRESS: &str = "a rotation is already in progress in this region; finish or cancel it first";

/// Finishing or cancelling a rotation that is not in progress.
pub const ROTATION_NOT_FOUND: &str =
    "this rotation is not in progress: it was finished or cancelled, or its new key was deleted";

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn waits_round_up_to_whole_seconds_never_zero() {
        assert_eq!(whole_seconds(Duration::ZERO), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::from_secs(59)), 59);
        assert_eq!(whole_seconds(Duration::from_millis(59_001)), 60);
    }
}
