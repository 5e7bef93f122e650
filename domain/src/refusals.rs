//! The words of refusals that the REST API and the console both show.
//! Always compiled (also to wasm), so the console's errors use these
//! instead of copies.

/// Deleting the region's last key.
pub const LAST_KEY: &str = "this is the region's only API key; create another before deleting it";

/// Too many failed attempts; the next one is heard after `retry_after_secs`.
pub fn throttled(retry_after_secs: u64) -> String {
    format!("too many failed attempts; try again in {retry_after_secs} s")
}

/// Starting a rotation while the region has one unfinished.
pub const ROTATION_IN_PROGRESS: &str = "a rotation is already in progress in this region; finish or cancel it first";

/// Finishing or cancelling a rotation that is not in progress.
pub const ROTATION_NOT_FOUND: &str =
    "this rotation is not in progress: it was finished or cancelled, or its new key was deleted";
