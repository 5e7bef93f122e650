//! What each key did over time, with one owner, [`Usage`]: counted in
//! memory on the request path (by `infra::usage_recorder`: the authentication
//! paths note into a [`UseSink`], a REST call through its [`KeyUse`]),
//! written in batches and pruned from here, and read back here as series
//! for the REST API and the console's charts.

mod key_use;

pub use key_use::KeyUse;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};

use crate::caller::Caller;
use crate::clock::now;
use crate::error::{Error, Result};
use crate::infra::usage_recorder::{UsageInsight, UsageRecorder, UseSink};
use crate::model::{
    KeyAccess, KeyId, KeyTraffic, KeyUsage, RegionId, RegionUsage, USAGE_KEPT_DAYS, UsageBucket, UsageCounts,
    UsagePoint, UsageQuery, UsageRange, UsageSeries,
};
use crate::store::database::Db;
use crate::store::entity::key_usage::{self, Resolution};
use crate::store::{self, keys};

/// Usage counting's one home: it holds the only recorder, hands the
/// authentication paths a sink to note into, flushes and prunes, and reads.
pub struct Usage {
    db: Db,
    recorder: UsageRecorder,
}

impl Usage {
    pub(crate) fn new(db: Db, insight: UsageInsight) -> Self {
        Self { db, recorder: UsageRecorder::new(insight) }
    }

    /// Where the authentication paths note each request made with a known
    /// key; nothing else can be done through it.
    pub(crate) fn sink(&self) -> UseSink {
        self.recorder.sink()
    }

    /// Writes the requests counted and the key uses noted since the last
    /// flush ([`crate::Keyward::flush_usage`]). The number of keys written.
    pub(crate) async fn flush(&self) -> Result<usize> {
        self.recorder.flush(&self.db).await
    }

    /// Deletes usage older than it is kept ([`crate::Keyward::prune_usage`]).
    /// The number of rows deleted.
    pub(crate) async fn prune(&self) -> Result<u64> {
        store::usage::prune(&self.db, now()).await
    }

    /// One key of the caller's region, also one deleted within the last
    /// [`USAGE_KEPT_DAYS`] (its usage ages out after as long): its requests
    /// per bucket and its last use.
    pub async fn key(&self, caller: &Caller, key_id: &KeyId, query: UsageQuery) -> Result<KeyUsage> {
        caller.require(KeyAccess::Read)?;
        let range = query.range(now())?;
        let region_id = &caller.region().id;
        let key = keys::find_in_region(&self.db, region_id, key_id).await?;
        if key.is_none() && !self.was_key(region_id, key_id).await? {
            return Err(Error::KeyNotFound);
        }
        let rows = self.rows(region_id, &range, Some(key_id)).await?;
        Ok(KeyUsage {
            key_id: key_id.clone(),
            deleted: key.is_none(),
            usage: series(&range, rows.iter().map(|row| (row.starts_at, row.counts()))),
            last_use: key.and_then(|key| key.last_use()),
        })
    }

    /// The caller's region: its total per bucket, and each key with traffic
    /// in the range, most requests first.
    pub async fn region(&self, caller: &Caller, query: UsageQuery) -> Result<RegionUsage> {
        caller.require(KeyAccess::Read)?;
        let range = query.range(now())?;
        let region_id = &caller.region().id;
        let rows = self.rows(region_id, &range, None).await?;
        let descriptions: HashMap<KeyId, Option<String>> =
            keys::descriptions_in_region(&self.db, region_id).await?.into_iter().collect();
        let mut keys: BTreeMap<&KeyId, KeyTraffic> = BTreeMap::new();
        for row in &rows {
            let Some(index) = range.index_of(row.starts_at) else { continue };
            let traffic = keys.entry(&row.key_id).or_insert_with(|| KeyTraffic {
                key_id: row.key_id.clone(),
                description: descriptions.get(&row.key_id).cloned().flatten(),
                deleted: !descriptions.contains_key(&row.key_id),
                total: UsageCounts::default(),
                accepted: vec![0; range.points()],
                refused: vec![0; range.points()],
            });
            let counts = row.counts();
            traffic.total.add(&counts);
            traffic.accepted[index] += counts.accepted;
            traffic.refused[index] += counts.refused();
        }
        let mut keys: Vec<KeyTraffic> = keys.into_values().collect();
        keys.sort_by(|a, b| b.total.total().cmp(&a.total.total()).then_with(|| a.key_id.cmp(&b.key_id)));
        Ok(RegionUsage { usage: series(&range, rows.iter().map(|row| (row.starts_at, row.counts()))), keys })
    }

    /// The region's rows (or one key's) of the resolution `range` is drawn from.
    async fn rows(
        &self,
        region_id: &RegionId,
        range: &UsageRange,
        key_id: Option<&KeyId>,
    ) -> Result<Vec<key_usage::Model>> {
        let resolution = match range.bucket {
            UsageBucket::Minute => Resolution::Minute,
            UsageBucket::Hour | UsageBucket::Day => Resolution::Hour,
        };
        store::usage::rows(&self.db, region_id, key_id, resolution, (range.from, range.to)).await
    }

    /// Whether `key_id` was a key of the region, deleted recently enough to
    /// have usage left.
    async fn was_key(&self, region_id: &RegionId, key_id: &KeyId) -> Result<bool> {
        keys::retired_since(&self.db, region_id, key_id, now() - TimeDelta::days(USAGE_KEPT_DAYS)).await
    }
}

/// Every bucket of `range`, with the counts of the rows in it added up.
fn series(range: &UsageRange, rows: impl Iterator<Item = (DateTime<Utc>, UsageCounts)>) -> UsageSeries {
    let mut points: Vec<UsagePoint> =
        range.starts().map(|start| UsagePoint { start, counts: UsageCounts::default() }).collect();
    let mut total = UsageCounts::default();
    for (starts_at, counts) in rows {
        if let Some(index) = range.index_of(starts_at) {
            points[index].counts.add(&counts);
            total.add(&counts);
        }
    }
    UsageSeries { from: range.from, to: range.to, bucket: range.bucket, points, total }
}
