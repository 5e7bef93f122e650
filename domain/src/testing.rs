//! Test support, only with the `testing` feature (the `testkit` crate turns
//! it on for tests and benchmarks): what tests need to reach below the
//! public surface, kept out of the product's API.

pub use crate::store::entity;

use crate::credentials::{random, secret_hash, token};
use crate::model::Environment;

/// Every argon2 turn of this process, held until dropped: whatever needs
/// argon2 meanwhile waits.
pub struct Argon2Turns {
    _held: Vec<secret_hash::Slot>,
}

/// Takes every argon2 turn, waiting for running ones to end.
pub async fn all_argon2_turns() -> Argon2Turns {
    let turns = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let mut held = Vec::with_capacity(turns);
    let claimant = secret_hash::Claimant { region: random::id(), client: None };
    for _ in 0..turns {
        held.push(secret_hash::slot(&claimant).await.expect("argon2 turns"));
    }
    Argon2Turns { _held: held }
}

/// How many argon2 turns are free right now, and how many there are.
pub fn argon2_turns() -> (usize, usize) {
    (secret_hash::free_turns(), std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

/// A new, well-formed token that belongs to no key.
pub fn unknown_token() -> String {
    token::Token::generate(Environment::Live).into_string()
}

/// `token` with another well-formed secret: its lookup finds the key, its
/// secret fails argon2.
pub fn with_other_secret(token: &str) -> String {
    token::with_checksum(&format!("{}{}", &token[..20], random::base62(24)))
}

/// A well-formed token with `token`'s secret under another lookup (12
/// base62 characters): a key cloned by SQL with the same secret hash
/// answers to it.
pub fn with_lookup(token: &str, lookup: &str) -> String {
    token::with_checksum(&format!("{}{lookup}{}", &token[..8], &token[20..44]))
}

/// `len` random base62 characters (names of test databases and regions).
pub fn random_name(len: usize) -> String {
    random::base62(len)
}

/// argon2id with Keyward's parameters, for benchmarks.
pub fn hash_secret(secret: &str) -> crate::Result<crate::credentials::secret_hash::SecretHash> {
    secret_hash::hash(secret)
}

/// Whether `secret` matches `hash`, for benchmarks.
pub fn verify_secret(secret: &str, hash: &crate::credentials::secret_hash::SecretHash) -> bool {
    secret_hash::verify(secret, hash)
}

/// The same lookup and secret under the sandbox prefix, checksum redone:
/// well-formed, but never the key it was issued as.
pub fn as_sandbox(live: &str) -> String {
    let unsigned = live.strip_prefix("kw_live_").expect("a live token");
    token::with_checksum(&format!("kw_test_{}", &unsigned[..unsigned.len() - 6]))
}

/// Whether `text` is a well-formed token (prefix, length, checksum).
pub fn is_well_formed_token(text: &str) -> bool {
    token::Token::parse(text).is_some()
}

/// Counts a use of `caller`'s key with `outcome` as if it happened `at`
/// (a bucket's edge, say), as the REST API would count it.
pub fn record_use_at(
    keyward: &crate::Keyward,
    caller: &crate::Caller,
    outcome: crate::model::UseOutcome,
    at: chrono::DateTime<chrono::Utc>,
) {
    keyward.usage().sink().record_use(caller, outcome, Default::default(), at);
}

/// `caller` acting through `key_id`, another key of its region, as if it
/// had authenticated with that key: benchmarks note uses of many keys
/// ([`record_use_at`]) without an argon2 verification for each.
pub fn caller_through(caller: &crate::Caller, key_id: crate::model::KeyId) -> crate::Caller {
    caller.through(key_id)
}
