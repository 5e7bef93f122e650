//! sea-orm entities: the tables as the domain sees them.

pub mod administrator;
pub mod api_key;
pub mod audit_event;
pub mod console_session;
pub mod credit_balance;
pub mod key_usage;
pub mod oidc_attempt;
pub mod owner;
pub mod person_session;
pub mod person_sign_in;
pub mod rate_window;
pub mod region;
pub mod retired_api_key;
pub mod rotation;
pub mod webhook_attempt;
pub mod webhook_endpoint;
pub mod webhook_message;
