//! Rate limits and credits on the hot path, decided in memory and shared
//! between processes through the database in steps, never per request.
//!
//! Both are budgets that processes draw from in **steps**, each taken by one
//! atomic statement that never takes more than is there:
//! - a rate limit's period (aligned to the Unix epoch, so every process
//!   agrees on it) is a `rate_windows` row counting what all processes took
//!   of the limit; a process takes `limit / STEP_DIVISOR` (at least 1) at a
//!   time, the next one when half of the last is left (so requests rarely
//!   wait for it), and accepts only what it took. Together the processes
//!   never accept more than the limit; they accept less only by what each
//!   took and did not use before the period ended, under one and a half
//!   steps each (3 processes: 7 %). One process alone is exact.
//! - credits are a `credit_balances` row; a process takes a step of about a
//!   tenth of a second of its recent spending (at least the request's
//!   cost, at most a sixteenth of what remains) and spends only what it
//!   took, so credits are never over-spent, whatever the number of
//!   processes. A clean stop gives back what it took and did not spend
//!   ([`Metering::give_back`]); a killed process loses at most the rest of
//!   its current step per balance, counted as spent: the one way to lose
//!   nothing even then is a write before every answer.
//!
//! While the database is away, what a process already took is spent as
//! usual; a rate limit it cannot take a step of allows this process a
//! quarter of the limit in that period (`OFFLINE_SHARE_DIVISOR`: up to four
//! processes stay within it), and credits it cannot take refuse as
//! unavailable (503), never as spent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::clock::now;
use crate::error::{Error, Result};
use crate::model::{Credits, LimitName, LimitStatus, RateLimit, Refill};
use crate::store::budgets::{Step, give_back, prune_windows, take_credits, take_window};
use crate::store::database::Db;

/// A process takes this fraction of a rate limit per step.
pub(crate) const STEP_DIVISOR: u64 = 64;
/// While the database is away, a process allows itself this fraction of a
/// rate limit per period: up to this many processes stay within it.
pub(crate) const OFFLINE_SHARE_DIVISOR: u64 = 4;
/// How long a balance found empty is believed empty before it is asked again
/// (a `PATCH` or a refill may have filled it).
const EMPTY_RECHECK: Duration = Duration::from_secs(1);
/// A credits step is about this much of the recent spending.
const STEP_SPENDING: Duration = Duration::from_millis(100);

/// One request's charge: every limit it must pass, every balance it spends from.
pub(crate) struct Charge<'a> {
    /// `(holder, limit)`: a key's or an owner's id, and its limit.
    pub limits: Vec<(&'a str, &'a RateLimit)>,
    /// `(holder, refill)`: a key's or an owner's id, and its refill.
    pub balances: Vec<(&'a str, Option<Refill>)>,
    pub cost: u64,
}

/// What an accepted charge left.
pub(crate) struct Charged {
    pub rate_limits: Vec<LimitStatus>,
    /// The tightest balance after this request.
    pub credits: Option<Credits>,
    /// A balance fell under a tenth of its last refill or set value.
    pub credits_low: bool,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Account {
    Window { holder: String, name: LimitName },
    Balance { holder: String },
}

/// This process's share of one rate limit's current period.
#[derive(Default)]
struct Share {
    starts_at: i64,
    ends_at: i64,
    /// Taken from the period's row by this process.
    taken: u64,
    used: u64,
    /// What all processes had taken after this process's last step.
    taken_by_all: u64,
    /// Nothing is left in this period.
    spent: bool,
    /// A step is being taken ahead of need.
    ahead: bool,
}

/// This process's part of one balance.
#[derive(Default)]
struct Purse {
    /// The refill interval the taken credits belong to; they lapse with it.
    interval: Option<DateTime<Utc>>,
    refilled_at: Option<DateTime<Utc>>,
    taken: u64,
    spent: u64,
    /// What the row held after this process's last step.
    remaining: u64,
    /// Its last refill or set value.
    baseline: u64,
    empty_until: Option<Instant>,
    /// Spending in the current second, and in the one before.
    second: Option<Instant>,
    this_second: u64,
    last_second: u64,
}

impl Purse {
    fn step(&self, cost: u64) -> u64 {
        let recent = self.this_second.max(self.last_second);
        let by_spending = recent * STEP_SPENDING.as_millis() as u64 / 1000;
        by_spending.min(self.remaining / 16).max(cost).max(1)
    }

    fn note(&mut self, cost: u64, now: Instant) {
        match self.second {
            Some(start) if now.duration_since(start) < Duration::from_secs(1) => self.this_second += cost,
            _ => {
                self.last_second = self.this_second;
                self.this_second = cost;
                self.second = Some(now);
            }
        }
        self.spent += cost;
    }
}

#[derive(Default)]
struct State {
    shares: HashMap<Account, Share>,
    purses: HashMap<Account, Purse>,
    /// One step at a time per account, so concurrent requests wait for it
    /// instead of each taking one.
    taking: HashMap<Account, Arc<tokio::sync::Mutex<()>>>,
}

#[derive(Clone)]
pub(crate) struct Metering(Arc<Inner>);

struct Inner {
    db: Db,
    state: Mutex<State>,
}

/// What a request lacks before it can be decided.
enum Lack {
    Step(Taking),
    Refused(Error),
}

/// A step to take of one account.
enum Taking {
    /// Of a limit's current period; `ahead`: before the share runs out,
    /// so that no request waits for it.
    Window {
        holder: String,
        limit: RateLimit,
        ahead: bool,
    },
    Balance {
        holder: String,
        refill: Option<Refill>,
        cost: u64,
    },
}

impl Taking {
    fn account(&self) -> Account {
        match self {
            Self::Window { holder, limit, .. } => Account::Window { holder: holder.clone(), name: limit.name.clone() },
            Self::Balance { holder, .. } => Account::Balance { holder: holder.clone() },
        }
    }
}

impl Metering {
    pub(crate) fn new(db: Db) -> Self {
        Self(Arc::new(Inner { db, state: Mutex::new(State::default()) }))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Charges one request: passes every limit and spends `cost` from every
    /// balance, or changes nothing and refuses with the first that stops it.
    pub(crate) async fn charge(&self, charge: &Charge<'_>, at: DateTime<Utc>) -> Result<Charged> {
        loop {
            let taking = match self.try_charge(charge, at) {
                Ok((charged, ahead)) => {
                    for taking in ahead {
                        let metering = self.clone();
                        tokio::spawn(async move {
                            if let Err(error) = metering.take_step(&taking, at).await {
                                tracing::debug!(%error, "a rate limit's step ahead of need failed; the next request takes it");
                            }
                        });
                    }
                    return Ok(charged);
                }
                Err(Lack::Refused(refused)) => return Err(refused),
                Err(Lack::Step(taking)) => taking,
            };
            self.take_step(&taking, at).await?;
        }
    }

    /// Decides from memory: accepted (with the steps worth taking ahead),
    /// refused, or which account needs a step first.
    fn try_charge(&self, charge: &Charge<'_>, at: DateTime<Utc>) -> Result<(Charged, Vec<Taking>), Lack> {
        let now = Instant::now();
        let mut state = self.state();
        let second = at.timestamp();
        for &(holder, limit) in &charge.limits {
            let account = Account::Window { holder: holder.to_owned(), name: limit.name.clone() };
            let share = state.shares.entry(account.clone()).or_default();
            let (starts_at, ends_at) = limit.window(at);
            // Only forward: a request timed just before a newer one counts in the current period.
            if starts_at > share.starts_at {
                *share = Share { starts_at, ends_at, ..Share::default() };
            }
            if share.used < share.taken {
                continue;
            }
            if share.spent {
                metrics::counter!("keyward_rate_limited_total").increment(1);
                return Err(Lack::Refused(Error::RateLimited { limit: status(limit, share, second) }));
            }
            return Err(Lack::Step(Taking::Window { holder: holder.to_owned(), limit: limit.clone(), ahead: false }));
        }
        for &(holder, refill) in &charge.balances {
            let account = Account::Balance { holder: holder.to_owned() };
            let purse = state.purses.entry(account.clone()).or_default();
            let interval = refill.map(|refill| refill.interval.start(at));
            // Credits taken in an earlier refill interval lapsed with it; only forward.
            if interval > purse.interval || (interval.is_none() && purse.interval.is_some()) {
                *purse = Purse { interval, ..Purse::default() };
            }
            let held = purse.taken - purse.spent;
            // Known to hold too little for this cost (a cost of 0 only
            // looks, and is refused only by a balance known to be empty).
            let short =
                purse.empty_until.is_some_and(|until| now < until) && held + purse.remaining < charge.cost.max(1);
            if held >= charge.cost && !short {
                continue;
            }
            if short {
                metrics::counter!("keyward_credits_exhausted_total").increment(1);
                let retry_after = refill.map(|refill| to_wait(refill.interval.next_start(at) - at));
                return Err(Lack::Refused(Error::CreditsExhausted { retry_after }));
            }
            return Err(Lack::Step(Taking::Balance { holder: holder.to_owned(), refill, cost: charge.cost }));
        }
        let mut rate_limits = Vec::with_capacity(charge.limits.len());
        let mut ahead = Vec::new();
        for &(holder, limit) in &charge.limits {
            let account = Account::Window { holder: holder.to_owned(), name: limit.name.clone() };
            if let Some(share) = state.shares.get_mut(&account) {
                share.used += 1;
                rate_limits.push(status(limit, share, second));
                // Half a step left: the next one is taken now, not when a request needs it.
                if !share.spent && !share.ahead && (share.taken - share.used) * 2 <= step_of(limit) {
                    share.ahead = true;
                    ahead.push(Taking::Window { holder: holder.to_owned(), limit: limit.clone(), ahead: true });
                }
            }
        }
        let (mut credits, mut credits_low): (Option<Credits>, bool) = (None, false);
        for &(holder, refill) in &charge.balances {
            if let Some(purse) = state.purses.get_mut(&Account::Balance { holder: holder.to_owned() }) {
                purse.note(charge.cost, now);
                let remaining = purse.remaining + (purse.taken - purse.spent);
                credits_low |= remaining.saturating_mul(10) < purse.baseline;
                if credits.is_none_or(|tightest| remaining < tightest.remaining) {
                    credits = Some(Credits { remaining, refill });
                }
            }
        }
        Ok((Charged { rate_limits, credits, credits_low }, ahead))
    }

    /// Takes a step from the database, one at a time per account, unless
    /// another request's step already made room.
    async fn take_step(&self, taking: &Taking, at: DateTime<Utc>) -> Result<()> {
        let account = taking.account();
        let turn = self.state().taking.entry(account.clone()).or_default().clone();
        let _turn = turn.lock().await;
        match taking {
            Taking::Window { holder, limit, ahead } => {
                let (starts_at, held) = {
                    let mut state = self.state();
                    match state.shares.get_mut(&account) {
                        Some(share) if share.spent || (!ahead && share.used < share.taken) => {
                            share.ahead &= !ahead;
                            return Ok(());
                        }
                        Some(share) => (share.starts_at, share.taken),
                        None => return Ok(()),
                    }
                };
                let want = step_of(limit);
                let taken = match take_window(&self.0.db, holder, limit, starts_at, want).await.map_err(Error::from) {
                    Ok(taken) => taken,
                    // The database is away: this process allows itself its
                    // share of the period, and no more.
                    Err(Error::Unavailable(error)) => {
                        tracing::warn!(%error, "a rate limit is decided by this process alone while the database is away");
                        let share = (limit.limit / OFFLINE_SHARE_DIVISOR).max(1);
                        Step { got: share.saturating_sub(held), total: 0, whole: false }
                    }
                    Err(error) => {
                        if let Some(share) = self.state().shares.get_mut(&account) {
                            share.ahead &= !ahead;
                        }
                        return Err(error);
                    }
                };
                let mut state = self.state();
                if let Some(share) = state.shares.get_mut(&account).filter(|share| share.starts_at == starts_at) {
                    share.taken += taken.got;
                    share.taken_by_all = share.taken_by_all.max(taken.total);
                    share.spent |= !taken.whole;
                    share.ahead &= !ahead;
                }
            }
            Taking::Balance { holder, refill, cost } => {
                let (interval, want) = {
                    let state = self.state();
                    match state.purses.get(&account) {
                        Some(purse) if purse.spent + cost <= purse.taken => return Ok(()),
                        Some(purse) => (purse.interval, purse.step(*cost)),
                        None => return Ok(()),
                    }
                };
                let taken = take_credits(&self.0.db, holder, *refill, at, want, *cost).await?;
                let mut state = self.state();
                if let Some(purse) = state.purses.get_mut(&account).filter(|purse| purse.interval == interval) {
                    match taken {
                        Some((got, row)) => {
                            purse.taken += got;
                            purse.remaining = u64::try_from(row.remaining).unwrap_or_default();
                            purse.baseline = u64::try_from(row.baseline).unwrap_or_default();
                            purse.refilled_at = Some(row.refilled_at);
                            purse.empty_until = (got == 0).then(|| Instant::now() + EMPTY_RECHECK);
                        }
                        // The balance was removed: nothing to spend until the
                        // key is read again without it.
                        None => {
                            purse.remaining = 0;
                            purse.empty_until = Some(Instant::now() + EMPTY_RECHECK);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Gives every credit this process took and did not spend back to its
    /// balance (unless its refill interval ended meanwhile): `keyward serve`
    /// calls it as it stops. The number of credits given back.
    pub(crate) async fn give_back(&self) -> Result<u64> {
        let unspent: Vec<(String, u64, DateTime<Utc>)> = {
            let mut state = self.state();
            state
                .purses
                .iter_mut()
                .filter_map(|(account, purse)| {
                    let Account::Balance { holder } = account else { return None };
                    let unspent = purse.taken - purse.spent;
                    purse.taken = purse.spent;
                    Some((holder.clone(), unspent, purse.refilled_at?)).filter(|(_, unspent, _)| *unspent > 0)
                })
                .collect()
        };
        let mut given = 0;
        for (holder, unspent, refilled_at) in unspent {
            give_back(&self.0.db, &holder, unspent, refilled_at).await?;
            given += unspent;
        }
        Ok(given)
    }

    /// Deletes the counts of rate-limit periods that ended an hour ago or
    /// more; `keyward serve` calls it hourly. How many.
    pub(crate) async fn prune(&self) -> Result<u64> {
        prune_windows(&self.0.db, now() - chrono::TimeDelta::hours(1)).await
    }

    /// Forgets what this process knows of `holder`'s balance (its credits
    /// were set), keeping the steps it took.
    pub(crate) fn balance_set(&self, holder: &str) {
        if let Some(purse) = self.state().purses.get_mut(&Account::Balance { holder: holder.to_owned() }) {
            purse.empty_until = None;
        }
    }
}

/// How much of `limit` a process takes at once.
fn step_of(limit: &RateLimit) -> u64 {
    (limit.limit / STEP_DIVISOR).max(1)
}

fn status(limit: &RateLimit, share: &Share, second: i64) -> LimitStatus {
    let unused = share.taken - share.used.min(share.taken);
    let others = share.taken_by_all.saturating_sub(share.taken);
    LimitStatus {
        name: limit.name.clone(),
        limit: limit.limit,
        period_s: limit.period_s,
        remaining: if share.spent && unused == 0 {
            0
        } else {
            limit.limit.saturating_sub(others + share.used).max(unused)
        },
        reset_s: u64::try_from(share.ends_at - second).unwrap_or(0).max(1),
    }
}

fn to_wait(delta: chrono::TimeDelta) -> Duration {
    delta.to_std().unwrap_or_default().max(Duration::from_secs(1))
}
