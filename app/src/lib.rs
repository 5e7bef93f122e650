//! Keyward's administrator console: Leptos components (feature `csr`, built
//! to wasm by Trunk from `frontend/`) and the server functions they call
//! (feature `ssr`: the bodies run in `keyward serve` and call the domain).

pub mod chart;
pub mod format;
pub mod i18n;
pub mod people;
pub mod policy_form;
pub mod rotation_verdict;
pub mod server_fns;
#[cfg(feature = "csr")]
mod ui;

#[cfg(feature = "csr")]
pub use ui::App;
