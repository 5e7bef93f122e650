//! sea-orm entities: the tables as the domain sees them.

pub mod api_key;
pub mod region;
