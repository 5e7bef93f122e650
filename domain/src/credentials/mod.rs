//! What a credential is and how it is checked, without storage: the token
//! format, argon2id at rest, the cache of verified tokens, the failure
//! throttle and the randomness they draw on. Depends only on `model` and
//! the leaf `error`.

pub(crate) mod random;
pub(crate) mod round_robin;
pub(crate) mod secret_hash;
pub(crate) mod throttle;
pub(crate) mod token;
pub(crate) mod verified_cache;
pub(crate) mod webhook_signature;
