use sea_orm::entity::prelude::*;

use crate::model::{KeyId, RegionId, UsageCounts};

/// Requests of one key in one bucket, by outcome. Flushes add to a row,
/// never overwrite it, so every process's counts add up.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "key_usage")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_id: KeyId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub resolution: Resolution,
    #[sea_orm(primary_key, auto_increment = false)]
    pub starts_at: ChronoDateTimeUtc,
    pub region_id: RegionId,
    pub accepted: i64,
    pub invalid: i64,
    pub insufficient_scope: i64,
    pub throttled: i64,
    pub rate_limited: i64,
    pub credits_exhausted: i64,
    pub network_not_allowed: i64,
}

/// How long a row's bucket is: minutes for the last day, hours for longer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Resolution {
    #[sea_orm(string_value = "minute")]
    Minute,
    #[sea_orm(string_value = "hour")]
    Hour,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn counts(&self) -> UsageCounts {
        let count = |n: i64| u64::try_from(n).unwrap_or_default();
        UsageCounts {
            accepted: count(self.accepted),
            invalid: count(self.invalid),
            insufficient_scope: count(self.insufficient_scope),
            throttled: count(self.throttled),
            rate_limited: count(self.rate_limited),
            credits_exhausted: count(self.credits_exhausted),
            network_not_allowed: count(self.network_not_allowed),
        }
    }
}
