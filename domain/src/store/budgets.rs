//! Budgets: credit balances and rate-limit periods, each held by a key or
//! an owner (by its id). Every step taken of one is a single conditional
//! statement that never takes more than is there.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::{Error, Result};
use crate::model::{Credits, RateLimit, Refill, RegionId};
use crate::store::database::Db;
use crate::store::entity::{credit_balance, rate_window};

/// The credits of each of `holders` that has a balance, as of `at`.
pub(crate) async fn credits_of(
    db: &impl ConnectionTrait,
    holders: impl IntoIterator<Item = String>,
    at: DateTime<Utc>,
) -> Result<HashMap<String, Credits>> {
    let rows = credit_balance::Entity::find().filter(credit_balance::Column::HolderId.is_in(holders)).all(db).await?;
    Ok(rows.into_iter().map(|row| (row.holder_id.clone(), row.credits_at(at))).collect())
}

/// Gives `holder` these credits (set, not added: `remaining` is what it
/// may spend from now), or none: unlimited. The next refill is at the start
/// of the next interval.
pub(crate) async fn set_credits(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    holder: &str,
    credits: Option<Credits>,
    at: DateTime<Utc>,
) -> Result<()> {
    credit_balance::Entity::delete_by_id(holder.to_owned()).exec(db).await?;
    let Some(credits) = credits else { return Ok(()) };
    credit_balance::Entity::insert(credit_balance::ActiveModel {
        holder_id: Set(holder.to_owned()),
        region_id: Set(region_id.clone()),
        remaining: Set(credits.remaining as i64),
        baseline: Set(credits.remaining as i64),
        refill_amount: Set(credits.refill.map(|refill| refill.amount as i64)),
        refill_interval: Set(credits.refill.map(|refill| refill.interval.as_str().to_owned())),
        // This very instant, not the interval's start: credits taken and not
        // spent before this was set are never given back onto it (they are
        // given back only to the balance they came from).
        refilled_at: Set(at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A step taken of a period: how much, what all processes took after it,
/// and whether all of what was asked was there.
pub(crate) struct Step {
    pub got: u64,
    pub total: u64,
    pub whole: bool,
}

/// `db` without its retry on a lost connection: these statements are not
/// idempotent (a step taken twice, or credits given back twice, if the
/// first ran before the connection was lost), so a lost connection fails
/// the request instead.
fn once(db: &Db) -> &sea_orm::DatabaseConnection {
    db
}

/// Takes up to `want` of `limit`'s period starting at `starts_at`, never
/// past the limit: a conditional increment, retried with what is left.
pub(crate) async fn take_window(
    db: &Db,
    holder: &str,
    limit: &RateLimit,
    starts_at: i64,
    want: u64,
) -> Result<Step, sea_orm::DbErr> {
    use rate_window::Column;
    let _turn = db.write_turn(None).await.map_err(|_| sea_orm::DbErr::Custom("no write turn".to_owned()))?;
    rate_window::Entity::insert(rate_window::ActiveModel {
        holder_id: Set(holder.to_owned()),
        name: Set(limit.name.as_str().to_owned()),
        starts_at: Set(starts_at),
        ends_at: Set(starts_at + i64::from(limit.period_s)),
        taken: Set(0),
    })
    .on_conflict(OnConflict::columns([Column::HolderId, Column::Name, Column::StartsAt]).do_nothing().to_owned())
    .exec_without_returning(once(db))
    .await?;
    let row = || {
        rate_window::Entity::find()
            .filter(Column::HolderId.eq(holder))
            .filter(Column::Name.eq(limit.name.as_str()))
            .filter(Column::StartsAt.eq(starts_at))
    };
    let max = limit.limit as i64;
    let mut ask = want as i64;
    loop {
        let updated = rate_window::Entity::update_many()
            .col_expr(Column::Taken, Expr::col(Column::Taken).add(ask))
            .filter(Column::HolderId.eq(holder))
            .filter(Column::Name.eq(limit.name.as_str()))
            .filter(Column::StartsAt.eq(starts_at))
            .filter(Column::Taken.lte(max - ask))
            .exec_with_returning(once(db))
            .await?;
        if let Some(row) = updated.first() {
            let total = u64::try_from(row.taken).unwrap_or_default();
            return Ok(Step { got: ask as u64, total, whole: ask as u64 == want || total < limit.limit });
        }
        let taken = row().one(once(db)).await?.map_or(max, |row| row.taken);
        if taken >= max {
            return Ok(Step { got: 0, total: limit.limit, whole: false });
        }
        ask = std::cmp::min(ask, max - taken);
    }
}

/// Takes up to `want` credits (at least `cost`, or none) from `holder`'s
/// balance, refilling it first if a refill interval began since it was
/// last refilled: conditional statements, each atomic. How many it took
/// (0 when the balance holds less than `cost`) and the balance after;
/// `None` when `holder` has no balance.
pub(crate) async fn take_credits(
    db: &Db,
    holder: &str,
    refill: Option<Refill>,
    at: DateTime<Utc>,
    want: u64,
    cost: u64,
) -> Result<Option<(u64, credit_balance::Model)>> {
    use credit_balance::Column;
    let _turn = db.write_turn(None).await.map_err(|_| Error::Internal("no write turn".to_owned()))?;
    if let Some(refill) = refill {
        let start = refill.interval.start(at);
        credit_balance::Entity::update_many()
            .col_expr(Column::Remaining, Expr::col(Column::RefillAmount))
            .col_expr(Column::Baseline, Expr::col(Column::RefillAmount))
            .col_expr(Column::RefilledAt, Expr::value(start))
            .filter(Column::HolderId.eq(holder))
            .filter(Column::RefillInterval.eq(refill.interval.as_str()))
            .filter(Column::RefillAmount.is_not_null())
            .filter(Column::RefilledAt.lt(start))
            .exec(once(db))
            .await?;
    }
    let mut ask = std::cmp::max(want, cost) as i64;
    loop {
        if ask > 0 {
            let updated = credit_balance::Entity::update_many()
                .col_expr(Column::Remaining, Expr::col(Column::Remaining).sub(ask))
                .filter(Column::HolderId.eq(holder))
                .filter(Column::Remaining.gte(ask))
                .exec_with_returning(once(db))
                .await?;
            if let Some(row) = updated.into_iter().next() {
                return Ok(Some((ask as u64, row)));
            }
        }
        let Some(row) = credit_balance::Entity::find_by_id(holder.to_owned()).one(once(db)).await? else {
            return Ok(None);
        };
        if row.remaining < cost as i64 || row.remaining <= 0 {
            return Ok(Some((0, row)));
        }
        // Less than asked (or another process took some meanwhile): ask again.
        ask = std::cmp::min(ask, row.remaining);
    }
}

/// Adds `unspent` credits back to `holder`'s balance, unless it was set or
/// refilled since `refilled_at` (then they lapsed with what they came from).
pub(crate) async fn give_back(db: &Db, holder: &str, unspent: u64, refilled_at: DateTime<Utc>) -> Result<()> {
    let _turn = db.write_turn(None).await.map_err(|_| Error::Internal("no write turn".to_owned()))?;
    credit_balance::Entity::update_many()
        .col_expr(credit_balance::Column::Remaining, Expr::col(credit_balance::Column::Remaining).add(unspent as i64))
        .filter(credit_balance::Column::HolderId.eq(holder))
        .filter(credit_balance::Column::RefilledAt.eq(refilled_at))
        .exec(once(db))
        .await?;
    Ok(())
}

/// Deletes the counts of periods that ended before `before`. How many.
pub(crate) async fn prune_windows(db: &Db, before: DateTime<Utc>) -> Result<u64> {
    let pruned =
        rate_window::Entity::delete_many().filter(rate_window::Column::EndsAt.lt(before.timestamp())).exec(db).await?;
    Ok(pruned.rows_affected)
}
