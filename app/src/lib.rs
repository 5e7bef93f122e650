//! Keyward's administrator console: Leptos components (feature `csr`, built
//! to wasm by Trunk from `frontend/`) and the server functions they call
//! (feature `ssr`: the bodies run in `keyward serve` and call the domain).

pub mod api;
pub mod format;
#[cfg(feature = "csr")]
mod ui;

pub use domain::types;
#[cfg(feature = "csr")]
pub use ui::App;
