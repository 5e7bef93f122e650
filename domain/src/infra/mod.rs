//! The machinery the use cases share and no caller asks for: the write
//! transaction every change goes through, the coherent verification cache,
//! the hot path's memory (a key's policy, rate limits and credits in steps,
//! usage noted before it is written) and what a region may take of the
//! server. Each holds state in memory over `store`; none checks a caller's
//! right to anything, which is `service`'s, the layer above.

pub(crate) mod change;
pub(crate) mod coherence;
pub(crate) mod metering;
pub(crate) mod policy;
pub(crate) mod region_limits;
pub(crate) mod usage_recorder;
