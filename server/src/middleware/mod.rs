//! What wraps every route, one concern per file.

mod log_failures;
mod security_headers;

pub use log_failures::log_failures;
pub use security_headers::security_headers;
