//! argon2id at rest. Hashing and verifying cost ~tens of milliseconds of CPU
//! and 19 MiB by design, so they run on the blocking pool in turns ([`Slot`]):
//! one per core at a time, each in a block array of its own that is made
//! once and kept, and shared out fairly when more wait than there are turns.

use std::collections::VecDeque;
use std::fmt;
use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::{LazyLock, Mutex, PoisonError};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use sea_orm::DeriveValueType;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use super::round_robin::RoundRobin;
use crate::error::{Error, Result};
use crate::model::RegionId;

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
const OUTPUT_BYTES: usize = 32;

fn params() -> Params {
    Params::new(MEMORY_KIB, PASSES, LANES, Some(OUTPUT_BYTES)).expect("constant argon2 parameters are valid")
}

/// argon2's working memory for one turn. The argon2 crate would allocate
/// (and free) 19 MiB per run; on the blocking pool's many threads glibc
/// then keeps a freed array in each thread's arena, and a process grew by
/// hundreds of MiB under wrong secrets. So each turn owns one array, made
/// on its first use and kept for the life of the process: at most one per
/// turn, one turn per core.
#[derive(Default)]
pub(crate) struct Memory(Vec<Block>);

impl Memory {
    /// Runs `work` in the blocks `params` need. A hash made under larger
    /// parameters than ours gets a larger array for this run only.
    fn run<T>(&mut self, params: &Params, work: impl FnOnce(&mut [Block]) -> T) -> T {
        let ours = params_blocks();
        let needed = params.block_count();
        if needed > ours {
            return work(&mut vec![Block::default(); needed]);
        }
        if self.0.len() < ours {
            self.0 = vec![Block::default(); ours];
        }
        work(&mut self.0[..needed])
    }
}

fn params_blocks() -> usize {
    params().block_count()
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `secret`,
/// computed in `memory`.
pub(crate) fn hash_in(secret: &str, memory: &mut Memory) -> Result<SecretHash> {
    let internal = |what: &'static str| move |e: argon2::password_hash::Error| Error::Internal(format!("{what}: {e}"));
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Internal(format!("no randomness for a salt: {e}")))?;
    let params = params();
    let mut out = [0u8; OUTPUT_BYTES];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    memory
        .run(&params, |blocks| argon2.hash_password_into_with_memory(secret.as_bytes(), &salt, &mut out, blocks))
        .map_err(|e| Error::Internal(format!("argon2 hashing: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(internal("salt encoding"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(internal("argon2 parameters"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(internal("argon2 output"))?),
    };
    Ok(SecretHash(phc.to_string()))
}

/// Whether `secret` matches `phc`, computed in `memory`. The algorithm and
/// parameters come from the PHC string, so keys hashed under older
/// parameters still verify.
pub(crate) fn verify_in(secret: &str, phc: &SecretHash, memory: &mut Memory) -> bool {
    let Ok(parsed) = PasswordHash::new(phc.as_str()) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        parsed.version.map_or(Ok(Version::V0x13), Version::try_from),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut out = [0u8; Output::MAX_LENGTH];
    let out = &mut out[..expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    memory.run(&params, |blocks| argon2.hash_password_into_with_memory(secret.as_bytes(), salt, out, blocks)).is_ok()
        // `Output`'s comparison takes constant time.
        && Output::new(out).is_ok_and(|computed| computed == expected)
}

/// [`hash_in`] in memory of its own (tests and benchmarks).
#[cfg(any(test, feature = "testing"))]
pub(crate) fn hash(secret: &str) -> Result<SecretHash> {
    hash_in(secret, &mut Memory::default())
}

/// [`verify_in`] in memory of its own (tests and benchmarks).
#[cfg(any(test, feature = "testing"))]
pub(crate) fn verify(secret: &str, phc: &SecretHash) -> bool {
    verify_in(secret, phc, &mut Memory::default())
}

/// Whom an argon2 turn is for. While more wait than there are turns, turns
/// go round region by region, and within a region client by client: a
/// flood of wrong secrets waits behind itself, and another region's (or
/// client's) first use waits for at most one turn of each other claimant.
#[derive(Clone, Debug)]
pub(crate) struct Claimant {
    pub region: RegionId,
    /// `None` for work no client asked for (new keys, partners' reports).
    pub client: Option<IpAddr>,
}

/// Who waits for a turn, fairly ordered: regions, then clients.
type Waiting = RoundRobin<RegionId, RoundRobin<Option<IpAddr>, VecDeque<oneshot::Sender<Slot>>>>;

/// The turns of this process: one per core. Process-wide, because what
/// they bound is the process's: its cores and its memory (one block array
/// per turn).
struct Turns {
    state: Mutex<TurnState>,
}

struct TurnState {
    /// Turns nobody holds, with the memory each keeps.
    free: Vec<Memory>,
    waiting: Waiting,
}

static TURNS: LazyLock<Turns> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let free = std::iter::repeat_with(Memory::default).take(cores).collect();
    Turns { state: Mutex::new(TurnState { free, waiting: Waiting::default() }) }
});

impl Turns {
    fn lock(&self) -> std::sync::MutexGuard<'_, TurnState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A free turn at once, or a place in the fair queue.
    fn claim(&'static self, claimant: &Claimant) -> std::result::Result<Slot, oneshot::Receiver<Slot>> {
        let mut state = self.lock();
        if state.waiting.is_empty()
            && let Some(memory) = state.free.pop()
        {
            return Ok(Slot { memory: Some(memory) });
        }
        let (sender, receiver) = oneshot::channel();
        state.waiting.push_for(claimant.region.clone(), (claimant.client, sender));
        Err(receiver)
    }

    /// Hands a turn's memory to the next claimant still waiting, or frees it.
    fn pass_on(&self, mut memory: Memory) {
        loop {
            let mut state = self.lock();
            let Some((_, (_, next))) = state.waiting.pop_next() else {
                state.free.push(memory);
                return;
            };
            drop(state);
            // A claimant that stopped waiting (its request went away) gives it back.
            match next.send(Slot { memory: Some(memory) }) {
                Ok(()) => return,
                Err(mut unclaimed) => memory = unclaimed.memory.take().expect("a slot holds its memory"),
            }
        }
    }
}

/// How many argon2 turns are free right now.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn free_turns() -> usize {
    let state = TURNS.lock();
    state.free.len()
}

/// A turn to run argon2, with its memory; it passes on when dropped.
pub(crate) struct Slot {
    memory: Option<Memory>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(memory) = self.memory.take() {
            TURNS.pass_on(memory);
        }
    }
}

/// Waits for a turn to run argon2, in `claimant`'s place in the fair queue.
pub(crate) async fn slot(claimant: &Claimant) -> Result<Slot> {
    let receiver = match TURNS.claim(claimant) {
        Ok(slot) => return Ok(slot),
        Err(receiver) => receiver,
    };
    let waiting = metrics::gauge!("keyward_argon2_waiting");
    waiting.increment(1.0);
    let slot = receiver.await;
    waiting.decrement(1.0);
    slot.map_err(|e| Error::Internal(format!("argon2 turns: {e}")))
}

impl Slot {
    /// Runs `work` in this turn's memory on the blocking pool, holding the
    /// turn until `work` ends, even when the request that asked for it has
    /// gone away.
    pub(crate) async fn run<T: Send + 'static>(
        mut self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T> {
        tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let done = work(self.memory.as_mut().expect("a slot holds its memory"));
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
static NEW_HASHES: LazyLock<std::sync::Arc<Semaphore>> = LazyLock::new(|| std::sync::Arc::new(Semaphore::new(1)));

/// [`hash`] on the blocking pool, in turn, one new key at a time.
pub(crate) async fn hash_in_turn(secret: String, region: &RegionId) -> Result<SecretHash> {
    let _one_at_a_time = new_hash_turn().await?;
    let claimant = Claimant { region: region.clone(), client: None };
    slot(&claimant).await?.run(move |memory| hash_in(&secret, memory)).await?
}

/// The turn of the one new key that may hash now.
pub(crate) async fn new_hash_turn() -> Result<OwnedSemaphorePermit> {
    NEW_HASHES.clone().acquire_owned().await.map_err(|e| Error::Internal(format!("argon2 turns for new keys: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHasher;

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
    fn hashes_made_by_the_argon2_crate_itself_still_verify_in_our_memory() {
        let salt = SaltString::encode_b64(b"sixteen byte salt").unwrap();
        let mut memory = Memory::default();
        for params in
            [params(), Params::new(8 * 1024, 3, 1, None).unwrap(), Params::new(24 * 1024, 1, 2, None).unwrap()]
        {
            let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
            let phc = SecretHash(argon2.hash_password(b"correct horse", &salt).unwrap().to_string());
            assert!(verify_in("correct horse", &phc, &mut memory), "{}", phc.as_str());
            assert!(!verify_in("correct horsf", &phc, &mut memory));
        }
        assert_eq!(memory.0.len(), params_blocks(), "a larger hash did not grow the kept memory");
        let ours = hash_in("correct horse", &mut memory).unwrap();
        let parsed = PasswordHash::new(ours.as_str()).unwrap();
        assert!(
            argon2::password_hash::PasswordVerifier::verify_password(&Argon2::default(), b"correct horse", &parsed)
                .is_ok()
        );
    }

    #[test]
    fn a_hash_never_shows_in_debug_output() {
        let hash = hash("correct horse").unwrap();
        assert_eq!(format!("{hash:?}"), "SecretHash(…)");
    }
}
