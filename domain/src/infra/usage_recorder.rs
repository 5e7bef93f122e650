//! Usage without a write on the request path: requests are noted in
//! memory through a [`UseSink`], and `Usage` (the use case), the recorder's only
//! holder, flushes the counts and each key's last use in one transaction
//! and prunes what has aged out.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};

use crate::caller::Caller;
use crate::error::Result;
use crate::model::{KeyId, RegionId, UsageBucket, UsageCounts, UseDetails, UseOutcome};
use crate::store::database::Db;
use crate::store::entity::key_usage::Resolution;
use crate::store::usage::{self, Counted, LastUse};

/// Ordered by key id, and each key's buckets by time, so every process
/// writes rows in the same order and concurrent flushes cannot deadlock on
/// Postgres's row locks.
type Pending = BTreeMap<KeyId, PendingKey>;

/// What one key did since the last flush.
#[derive(Debug)]
struct PendingKey {
    region_id: RegionId,
    last_use: Option<LastUse>,
    counts: BTreeMap<(Resolution, DateTime<Utc>), UsageCounts>,
}

/// Whether requests are counted and where each key's last use came from is
/// kept. `last_used_at` is kept either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UsageInsight {
    #[default]
    On,
    /// No counts, no client addresses or user agents (for deployments that
    /// must not keep them, and for comparison).
    Off,
}

/// What was noted since the last flush. Only `Usage` holds one:
/// it hands out [`UseSink`]s to note into, and flushes.
pub(crate) struct UsageRecorder {
    sink: UseSink,
}

/// Where the authentication paths note what became of each request made
/// with a known key: a cheap handle onto the recorder's memory, which can
/// note and do nothing else (no flush, no read, no database).
#[derive(Clone)]
pub(crate) struct UseSink {
    pending: Arc<Mutex<Pending>>,
    insight: UsageInsight,
}

impl UsageRecorder {
    pub(crate) fn new(insight: UsageInsight) -> Self {
        Self { sink: UseSink { pending: Arc::default(), insight } }
    }

    /// A handle that notes into this recorder.
    pub(crate) fn sink(&self) -> UseSink {
        self.sink.clone()
    }

    /// Writes everything noted since the last flush, in one transaction.
    /// If that fails, it all goes back to be written by the next flush.
    /// The number of keys written.
    pub(crate) async fn flush(&self, db: &Db) -> Result<usize> {
        let batch = std::mem::take(&mut *self.sink.pending());
        if batch.is_empty() {
            return Ok(0);
        }
        match write(db, &batch).await {
            Ok(()) => Ok(batch.len()),
            Err(error) => {
                let mut pending = self.sink.pending();
                for (key_id, unwritten) in batch {
                    match pending.get_mut(&key_id) {
                        Some(key) => key.absorb(unwritten),
                        None => {
                            pending.insert(key_id, unwritten);
                        }
                    }
                }
                Err(error)
            }
        }
    }
}

impl UseSink {
    /// A request the caller's key made with its right secret: accepted, or
    /// refused for a scope. Either is the key's last use.
    pub(crate) fn record_use(&self, caller: &Caller, outcome: UseOutcome, details: UseDetails, at: DateTime<Utc>) {
        let last_use = match self.insight {
            UsageInsight::On => LastUse { at, client: Some(caller.client()), details },
            UsageInsight::Off => LastUse { at, client: None, details: UseDetails::default() },
        };
        // Only a key makes requests to count; a person's console is no use of one.
        if let Some(key_id) = caller.key_id() {
            self.note(key_id, &caller.region().id, outcome, at, Some(last_use));
        }
    }

    /// A request a key refused before its holder was known (a wrong secret,
    /// a revoked or quarantined key, a throttle): counted, not a use.
    pub(crate) fn record_refusal(&self, key_id: &KeyId, region_id: &RegionId, outcome: UseOutcome, at: DateTime<Utc>) {
        self.note(key_id, region_id, outcome, at, None);
    }

    fn note(
        &self,
        key_id: &KeyId,
        region_id: &RegionId,
        outcome: UseOutcome,
        at: DateTime<Utc>,
        last_use: Option<LastUse>,
    ) {
        let counted = self.insight == UsageInsight::On;
        if !counted && last_use.is_none() {
            return;
        }
        let mut pending = self.pending();
        let key = match pending.get_mut(key_id) {
            Some(key) => key,
            None => pending.entry(key_id.clone()).or_insert_with(|| PendingKey {
                region_id: region_id.clone(),
                last_use: None,
                counts: BTreeMap::new(),
            }),
        };
        if counted {
            let one = UsageCounts::one(outcome);
            for (resolution, bucket) in
                [(Resolution::Minute, UsageBucket::Minute), (Resolution::Hour, UsageBucket::Hour)]
            {
                key.counts.entry((resolution, bucket.start_of(at))).or_default().add(&one);
            }
        }
        if let Some(noted) = last_use {
            key.note_use(noted);
        }
    }

    /// The map holds plain values, so one a panicking thread left behind is
    /// still sound.
    fn pending(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl PendingKey {
    fn note_use(&mut self, noted: LastUse) {
        if self.last_use.as_ref().is_none_or(|last| last.at <= noted.at) {
            self.last_use = Some(noted);
        }
    }

    /// Adds what an earlier, failed flush could not write.
    fn absorb(&mut self, earlier: PendingKey) {
        for (bucket, counts) in earlier.counts {
            self.counts.entry(bucket).or_default().add(&counts);
        }
        if let Some(noted) = earlier.last_use {
            self.note_use(noted);
        }
    }
}

/// Writes a batch in key order, and each key's buckets in time order.
async fn write(db: &Db, batch: &Pending) -> Result<()> {
    let uses: Vec<(&KeyId, &LastUse)> =
        batch.iter().filter_map(|(key_id, key)| Some((key_id, key.last_use.as_ref()?))).collect();
    let counted: Vec<Counted> = batch
        .iter()
        .flat_map(|(key_id, key)| {
            key.counts.iter().map(move |((resolution, starts_at), counts)| Counted {
                key_id,
                region_id: &key.region_id,
                resolution: *resolution,
                starts_at: *starts_at,
                counts,
            })
        })
        .collect();
    usage::write(db, &uses, &counted).await
}
