use sea_orm::entity::prelude::*;

use crate::model::{Credits, Refill, RefillInterval, RegionId};

/// The credits of a key or an owner. Processes take them in steps, each
/// one atomic statement, and spend only what they took.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_balances")]
pub struct Model {
    /// The id of the key or owner that holds the credits.
    #[sea_orm(primary_key, auto_increment = false)]
    pub holder_id: String,
    pub region_id: RegionId,
    pub remaining: i64,
    /// The last refill or set value.
    pub baseline: i64,
    pub refill_amount: Option<i64>,
    /// `day` or `month`.
    pub refill_interval: Option<String>,
    /// The start of the refill interval `remaining` belongs to.
    pub refilled_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn refill(&self) -> Option<Refill> {
        let amount = u64::try_from(self.refill_amount?).ok()?;
        let interval = RefillInterval::parse(self.refill_interval.as_deref()?)?;
        Some(Refill { amount, interval })
    }

    /// The credits as of `at`: refilled if an interval began since.
    pub fn credits_at(&self, at: ChronoDateTimeUtc) -> Credits {
        let refill = self.refill();
        let remaining = match refill {
            Some(refill) if refill.interval.start(at) > self.refilled_at => refill.amount,
            _ => u64::try_from(self.remaining).unwrap_or_default(),
        };
        Credits { remaining, refill }
    }
}
