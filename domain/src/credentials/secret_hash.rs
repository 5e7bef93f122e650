//! argon2id at rest. Hashing and verifying cost ~tens of milliseconds of CPU
//! and 19 MiB by design, so they run on the blocking pool, one per core at a
//! time ([`Slot`]).

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::{Arc, LazyLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sea_orm::DeriveValueType;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{Error, Result};

/// A stored argon2id PHC string. `Debug` is redacted, so a hash cannot reach
/// a log even through a `{:?}` of the row that holds it.
#[derive(Clone, PartialEq, Eq, DeriveValueType)]
pub struct SecretHash(String);

impl SecretHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[cfg(test)]
    pub(crate) fn from_phc(phc: &str) -> Self {
        Self(phc.to_owned())
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHash(…)")
    }
}

/// OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn argon2id() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// One argon2 run per core at a time, process-wide: a burst of cold
/// authentications or new keys queues here instead of exhausting memory or
/// starving the runtime's threads.
static SLOTS: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(1, NonZeroUsize::get))));

/// How many argon2 turns are free right now.
pub(crate) fn free_turns() -> usize {
    SLOTS.available_permits()
}

/// A turn to run argon2; it ends when this is dropped.
pub(crate) struct Slot {
    _permit: OwnedSemaphorePermit,
}

/// Waits for a turn to run argon2.
pub(crate) async fn slot() -> Result<Slot> {
    let waiting = metrics::gauge!("keyward_argon2_waiting");
    waiting.increment(1.0);
    let permit = SLOTS.clone().acquire_owned().await;
    waiting.decrement(1.0);
    permit.map(|permit| Slot { _permit: permit }).map_err(|e| Error::Internal(format!("argon2 slots: {e}")))
}

impl Slot {
    /// Runs `work` on the blocking pool, holding the turn until `work` ends,
    /// even when the request that asked for it has gone away.
    pub(crate) async fn run<T: Send + 'static>(self, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        tokio::task::spawn_blocking(move || {
            let _turn = self;
            let started = std::time::Instant::now();
            let done = work();
            metrics::histogram!("keyward_argon2_seconds").record(started.elapsed().as_secs_f64());
            done
        })
        .await
        .map_err(|e| Error::Internal(format!("argon2 task: {e}")))
    }
}

/// New keys hash one at a time, process-wide, so that however many are
/// made at once, every other argon2 turn stays free for verifications:
/// a burst of new keys never delays a client's first request by more than
/// one turn.
static NEW_HASHES: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(1)));

/// [`hash`] on the blocking pool, in turn, one new key at a time.
pub(crate) async fn hash_in_turn(secret: String) -> Result<SecretHash> {
    let _one_at_a_time = new_hash_turn().await?;
    slot().await?.run(move || hash(&secret)).await?
}

/// The turn of the one new key that may hash now.
pub(crate) async fn new_hash_turn() -> Result<OwnedSemaphorePermit> {
    NEW_HASHES.clone().acquire_owned().await.map_err(|e| Error::Internal(format!("argon2 turns for new keys: {e}")))
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `secret`.
pub(crate) fn hash(secret: &str) -> Result<SecretHash> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Internal(format!("no randomness for a salt: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Internal(format!("salt encoding: {e}")))?;
    argon2id()
        .hash_password(secret.as_bytes(), &salt)
        .map(|hash| SecretHash(hash.to_string()))
        .map_err(|e| Error::Internal(format!("argon2 hashing: {e}")))
}

/// Whether `secret` matches `phc`. The parameters come from the PHC string,
/// so keys hashed under older parameters still verify.
pub(crate) fn verify(secret: &str, phc: &SecretHash) -> bool {
    PasswordHash::new(phc.as_str()).is_ok_and(|parsed| argon2id().verify_password(secret.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_salted() {
        let first = hash("correct horse").unwrap();
        let second = hash("correct horse").unwrap();
        assert!(first.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", first.as_str());
        assert_ne!(first, second, "every hash has its own salt");
        assert!(verify("correct horse", &first));
        assert!(!verify("correct horsf", &first));
        assert!(!verify("correct horse", &SecretHash("not a phc string".to_owned())));
    }

    #[test]
    fn a_hash_never_shows_in_debug_output() {
        let hash = hash("correct horse").unwrap();
        assert_eq!(format!("{hash:?}"), "SecretHash(…)");
    }
}
