//! What one region may take of the shared server: how many keys it holds,
//! and how fast it may make new ones (each costs an argon2 hash), so that
//! one region cannot slow down the others.

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sea_orm::ConnectionTrait;

use crate::error::{Error, Result};
use crate::model::RegionId;
use crate::store::keys;

/// Per-region limits; the defaults suit most deployments.
#[derive(Clone, Copy, Debug)]
pub struct RegionLimits {
    /// The most keys a region holds; creating one more is refused (409).
    pub keys: u64,
    /// New keys (created or started rotations) per region and minute;
    /// more are refused (429) until the minute allows again.
    pub new_keys_per_minute: NonZeroU32,
}

impl Default for RegionLimits {
    fn default() -> Self {
        Self { keys: 500, new_keys_per_minute: NonZeroU32::new(60).expect("not zero") }
    }
}

/// Admits a region's new keys within its [`RegionLimits`].
#[derive(Clone)]
pub(crate) struct NewKeys {
    limits: RegionLimits,
    pace: Arc<DefaultKeyedRateLimiter<RegionId>>,
}

impl NewKeys {
    pub(crate) fn new(limits: RegionLimits) -> Self {
        Self { limits, pace: Arc::new(RateLimiter::keyed(Quota::per_minute(limits.new_keys_per_minute))) }
    }

    /// Before any argon2 work: room for one more key, and within the
    /// region's pace (which this counts).
    pub(crate) async fn admit(&self, db: &impl ConnectionTrait, region_id: &RegionId) -> Result<()> {
        self.ensure_room(db, region_id).await?;
        self.pace.check_key(region_id).map_err(|not_until| Error::Paced {
            retry_after: not_until.wait_time_from(self.pace.clock().now()),
            what: "too many new keys in this region",
        })
    }

    /// `KeyLimit` when the region holds its maximum of keys; checked again
    /// under the region's lock, so racing creations cannot pass it.
    pub(crate) async fn ensure_room(&self, db: &impl ConnectionTrait, region_id: &RegionId) -> Result<()> {
        let held = keys::count_in_region(db, region_id).await?;
        if held >= self.limits.keys { Err(Error::KeyLimit { max: self.limits.keys }) } else { Ok(()) }
    }
}
