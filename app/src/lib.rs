//! Keyward's administrator console. The Leptos UI arrives with the console
//! issue; until then this crate only fixes its place in the workspace.

pub use domain::types;
