//! This process's writes take their turn here, in memory, before they take
//! a pooled connection: one at a time per region on Postgres (where each
//! would only wait for the region's row lock while holding a connection)
//! and one at a time in all on SQLite (where a write locks the whole file),
//! and never more than half the pool at once. A burst of writes to one
//! region then waits in line instead of taking every connection, so reads,
//! sessions and the verification cache still find one, and a request is
//! told "the database is unavailable" only when it is.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

/// How long a write waits for its turn before it is refused as too many
/// at once (429): far above a burst's normal wait, far below a client's
/// patience.
pub(crate) const TURN_WAIT: Duration = Duration::from_secs(10);

pub(crate) struct WriteQueue {
    /// Every region with a write in line or in flight; entries of regions
    /// without one are dropped as the map grows.
    regions: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
    in_flight: Arc<Semaphore>,
    /// SQLite: every write waits for the same one.
    one_line: bool,
}

/// A write's turn, held until its transaction ends.
pub(crate) struct Turn {
    _region: Option<OwnedMutexGuard<()>>,
    _in_flight: OwnedSemaphorePermit,
}

/// No turn came within [`TURN_WAIT`].
#[derive(Debug)]
pub(crate) struct TooManyWrites;

impl WriteQueue {
    pub(crate) fn new(pool_size: u32, one_line: bool) -> Self {
        let in_flight = (pool_size as usize / 2).max(1);
        Self { regions: Mutex::default(), in_flight: Arc::new(Semaphore::new(in_flight)), one_line }
    }

    /// Waits for a turn to write to `region` (to no region in particular:
    /// `None`).
    pub(crate) async fn turn(&self, region: Option<&str>) -> Result<Turn, TooManyWrites> {
        let line = match (self.one_line, region) {
            (true, _) => Some(self.line("")),
            (false, Some(region)) => Some(self.line(region)),
            (false, None) => None,
        };
        tokio::time::timeout(TURN_WAIT, async {
            let region = match line {
                Some(line) => Some(line.lock_owned().await),
                None => None,
            };
            let in_flight = self.in_flight.clone().acquire_owned().await.expect("the semaphore is never closed");
            Turn { _region: region, _in_flight: in_flight }
        })
        .await
        .map_err(|_| TooManyWrites)
    }

    fn line(&self, region: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut regions = self.regions.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(line) = regions.get(region).and_then(Weak::upgrade) {
            return line;
        }
        if regions.len() >= 1024 {
            regions.retain(|_, line| line.strong_count() > 0);
        }
        let line = Arc::new(tokio::sync::Mutex::new(()));
        regions.insert(region.to_owned(), Arc::downgrade(&line));
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn one_write_per_region_at_a_time_and_a_bounded_wait() {
        let queue = WriteQueue::new(16, false);
        let first = queue.turn(Some("reg_a")).await.unwrap();
        // Another region goes on; the same region waits, then is refused.
        let _other = queue.turn(Some("reg_b")).await.unwrap();
        assert!(queue.turn(Some("reg_a")).await.is_err());
        drop(first);
        queue.turn(Some("reg_a")).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn sqlite_has_one_line_and_writes_take_at_most_half_the_pool() {
        let sqlite = WriteQueue::new(16, true);
        let _held = sqlite.turn(Some("reg_a")).await.unwrap();
        assert!(sqlite.turn(Some("reg_b")).await.is_err(), "one line for the whole file");

        let postgres = WriteQueue::new(4, false);
        let _turns = [postgres.turn(None).await.unwrap(), postgres.turn(None).await.unwrap()];
        assert!(postgres.turn(None).await.is_err(), "two of four connections at most");
    }
}
