//! What wraps every route, one concern per file.

mod key_uses;
mod log_failures;
mod security_headers;

pub use key_uses::{OpenUse, count_key_uses};
pub use log_failures::{log_failures, logged};
pub use security_headers::security_headers;
