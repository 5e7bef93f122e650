//! What makes warm authentication cheap: a per-process cache of
//! successful argon2 verifications. It only saves work; correctness never
//! depends on it, since the key row is read on every request and the cache
//! holds the hash it verified against.

use std::sync::Arc;

use moka::sync::Cache;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::secret_hash::SecretHash;
use super::token::Token;

/// Remembers "this token verified against this secret hash".
#[derive(Clone)]
pub(crate) struct VerifiedCache {
    entries: Cache<[u8; 32], Arc<str>>,
}

impl VerifiedCache {
    pub(crate) fn new(capacity: u64) -> Self {
        Self { entries: Cache::new(capacity) }
    }

    /// The SHA-256 of the whole token: the cache never holds the token itself.
    pub(crate) fn digest(token: &Token) -> [u8; 32] {
        Sha256::digest(token.as_str().as_bytes()).into()
    }

    /// Whether this token already verified against exactly this hash.
    pub(crate) fn contains(&self, digest: &[u8; 32], secret_hash: &SecretHash) -> bool {
        self.entries
            .get(digest)
            .is_some_and(|known| bool::from(known.as_bytes().ct_eq(secret_hash.as_str().as_bytes())))
    }

    /// Whether this token verified against some hash: it may be a working
    /// integration's, which failures of others must not lock out.
    pub(crate) fn knows(&self, digest: &[u8; 32]) -> bool {
        self.entries.contains_key(digest)
    }

    pub(crate) fn insert(&self, digest: [u8; 32], secret_hash: &SecretHash) {
        self.entries.insert(digest, Arc::from(secret_hash.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verified_cache_requires_the_same_hash() {
        let cache = VerifiedCache::new(10);
        let token = Token::generate(crate::model::Environment::Live);
        let digest = VerifiedCache::digest(&token);
        let (first, second) = (SecretHash::from_phc("$argon2id$a"), SecretHash::from_phc("$argon2id$b"));
        assert!(!cache.contains(&digest, &first));
        cache.insert(digest, &first);
        assert!(cache.contains(&digest, &first));
        assert!(!cache.contains(&digest, &second));
    }
}
