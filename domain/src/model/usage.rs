//! What each key did over time: requests per bucket, accepted and refused,
//! and where its last use came from. Shared with the console, which draws
//! it.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::ids::KeyId;
use super::text::InvalidInput;

/// What became of one request made with a known key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UseOutcome {
    Accepted,
    /// The key's lookup with a wrong secret, or a revoked or quarantined key.
    Invalid,
    /// The key lacks a scope the request requires.
    InsufficientScope,
    /// Refused unchecked after too many failures.
    Throttled,
    /// Over one of its rate limits.
    RateLimited,
    /// Out of credits.
    CreditsExhausted,
    /// From a network the key may not be used from.
    NetworkNotAllowed,
}

/// Requests of one key or region in one bucket, by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageCounts {
    pub accepted: u64,
    /// Refused: a wrong secret, or a revoked or quarantined key.
    pub invalid: u64,
    /// Refused: the key lacks a scope the request requires.
    pub insufficient_scope: u64,
    /// Refused unchecked after too many failures.
    pub throttled: u64,
    /// Refused: over one of the key's or its owner's rate limits.
    #[serde(default)]
    pub rate_limited: u64,
    /// Refused: no credits left.
    #[serde(default)]
    pub credits_exhausted: u64,
    /// Refused: from a network the key may not be used from.
    #[serde(default)]
    pub network_not_allowed: u64,
}

impl UsageCounts {
    /// One request with `outcome`.
    pub fn one(outcome: UseOutcome) -> Self {
        let mut counts = Self::default();
        match outcome {
            UseOutcome::Accepted => counts.accepted = 1,
            UseOutcome::Invalid => counts.invalid = 1,
            UseOutcome::InsufficientScope => counts.insufficient_scope = 1,
            UseOutcome::Throttled => counts.throttled = 1,
            UseOutcome::RateLimited => counts.rate_limited = 1,
            UseOutcome::CreditsExhausted => counts.credits_exhausted = 1,
            UseOutcome::NetworkNotAllowed => counts.network_not_allowed = 1,
        }
        counts
    }

    pub fn add(&mut self, other: &Self) {
        self.accepted += other.accepted;
        self.invalid += other.invalid;
        self.insufficient_scope += other.insufficient_scope;
        self.throttled += other.throttled;
        self.rate_limited += other.rate_limited;
        self.credits_exhausted += other.credits_exhausted;
        self.network_not_allowed += other.network_not_allowed;
    }

    pub fn refused(&self) -> u64 {
        self.invalid
            + self.insufficient_scope
            + self.throttled
            + self.rate_limited
            + self.credits_exhausted
            + self.network_not_allowed
    }

    pub fn total(&self) -> u64 {
        self.accepted + self.refused()
    }
}

/// How long one point of a usage series is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum UsageBucket {
    /// Kept for the last [`MINUTES_KEPT_HOURS`] hours.
    Minute,
    #[default]
    Hour,
    /// UTC days.
    Day,
}

/// How long minute buckets are kept: enough for a rotation's cut-over.
pub const MINUTES_KEPT_HOURS: i64 = 24;
/// How long hour buckets are kept.
pub const USAGE_KEPT_DAYS: i64 = 90;
/// The most points one series may have.
pub const USAGE_POINTS_MAX: i64 = 1440;

impl UsageBucket {
    pub fn length(self) -> TimeDelta {
        match self {
            Self::Minute => TimeDelta::minutes(1),
            Self::Hour => TimeDelta::hours(1),
            Self::Day => TimeDelta::days(1),
        }
    }

    /// The start of the bucket that holds `at`.
    pub fn start_of(self, at: DateTime<Utc>) -> DateTime<Utc> {
        let seconds = self.length().num_seconds();
        let start = at.timestamp().div_euclid(seconds) * seconds;
        Utc.timestamp_opt(start, 0).single().unwrap_or(at)
    }

    /// How much a series of this bucket spans when the query names no start.
    fn default_span(self) -> TimeDelta {
        match self {
            Self::Minute => TimeDelta::hours(1),
            Self::Hour => TimeDelta::days(7),
            Self::Day => TimeDelta::days(30),
        }
    }
}

/// `?from=&to=&bucket=`: a time range cut into buckets. Without `to`, up to
/// now; without `from`, the bucket's usual span before `to` (an hour of
/// minutes, 7 days of hours, 30 days of days).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// RFC 3339; rounded down to its bucket's start.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339, exclusive; rounded up to a bucket's end.
    pub to: Option<DateTime<Utc>>,
    /// `minute`, `hour` (the default) or `day`.
    pub bucket: Option<UsageBucket>,
}

/// A checked [`UsageQuery`]: whole buckets, `from` before `to`, at most
/// [`USAGE_POINTS_MAX`] of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsageRange {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub bucket: UsageBucket,
}

impl UsageQuery {
    /// The range this query asks for, at `now`.
    pub fn range(&self, now: DateTime<Utc>) -> Result<UsageRange, InvalidInput> {
        let bucket = self.bucket.unwrap_or_default();
        let (earliest, latest) = usage_era();
        let in_era = |at: DateTime<Utc>| {
            (earliest..=latest)
                .contains(&at)
                .then_some(at)
                .ok_or_else(|| InvalidInput("`from` and `to` must lie between the years 2000 and 9999".to_owned()))
        };
        let to = in_era(self.to.unwrap_or(now))?;
        let from = in_era(self.from.unwrap_or(to - bucket.default_span()))?;
        if from >= to {
            return Err(InvalidInput("`from` must be before `to`".to_owned()));
        }
        let (from, last) = (bucket.start_of(from), bucket.start_of(to - TimeDelta::microseconds(1)));
        let range = UsageRange { from, to: last + bucket.length(), bucket };
        if range.points() > USAGE_POINTS_MAX as usize {
            return Err(InvalidInput(format!(
                "a usage series has at most {USAGE_POINTS_MAX} points: shorten the range or use a longer bucket"
            )));
        }
        Ok(range)
    }
}

/// The instants a range may name: every database stores them, and no
/// arithmetic on them overflows.
fn usage_era() -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |year, month, day| Utc.with_ymd_and_hms(year, month, day, 0, 0, 0).single().unwrap_or_default();
    (at(2000, 1, 1), at(9999, 12, 1))
}

impl UsageRange {
    pub fn points(&self) -> usize {
        ((self.to - self.from).num_seconds() / self.bucket.length().num_seconds()) as usize
    }

    /// Which point holds `at`, if the range does.
    pub fn index_of(&self, at: DateTime<Utc>) -> Option<usize> {
        (self.from <= at && at < self.to)
            .then(|| ((at - self.from).num_seconds() / self.bucket.length().num_seconds()) as usize)
    }

    /// Every point's start, in order.
    pub fn starts(&self) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        (0..self.points()).map(|index| self.from + self.bucket.length() * index as i32)
    }
}

/// One bucket of a series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsagePoint {
    pub start: DateTime<Utc>,
    pub counts: UsageCounts,
}

/// Requests per bucket over a range, every bucket present (zero when quiet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageSeries {
    pub from: DateTime<Utc>,
    /// Exclusive.
    pub to: DateTime<Utc>,
    pub bucket: UsageBucket,
    pub points: Vec<UsagePoint>,
    pub total: UsageCounts,
}

/// Where a key's last use came from: its last request with the right
/// secret, accepted or refused for a scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LastUse {
    pub at: DateTime<Utc>,
    /// The client's address, as the failure throttle and the audit log see it.
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
    /// The request's method: forwarded by a proxy for `/auth/check`, or the
    /// REST call's own.
    pub method: Option<String>,
    /// The request's path, never its query.
    pub path: Option<String>,
}

/// `GET /auth/region/api-keys/{id}/usage`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyUsage {
    pub key_id: KeyId,
    /// Whether the key was deleted; its usage stays until it ages out.
    pub deleted: bool,
    pub usage: UsageSeries,
    pub last_use: Option<LastUse>,
}

/// One key's part of its region's traffic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyTraffic {
    pub key_id: KeyId,
    pub description: Option<String>,
    pub deleted: bool,
    pub total: UsageCounts,
    /// Accepted requests per point of the region's series.
    pub accepted: Vec<u64>,
    /// Refused requests per point of the region's series.
    pub refused: Vec<u64>,
}

/// `GET /auth/region/usage`: the region's total, and every key that had
/// traffic in the range, most requests first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionUsage {
    pub usage: UsageSeries,
    pub keys: Vec<KeyTraffic>,
}

/// What a keyed request looked like, for its key's last use: never its
/// query or any header but the user agent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UseDetails {
    pub user_agent: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
}

impl UseDetails {
    const USER_AGENT_MAX_CHARS: usize = 200;
    const METHOD_MAX_CHARS: usize = 16;
    const PATH_MAX_CHARS: usize = 300;

    /// Cut to size, without control characters, and the path without its
    /// query: what a client sends is only shown, never trusted.
    pub fn new(user_agent: Option<&str>, method: Option<&str>, path: Option<&str>) -> Self {
        let path = path.map(|path| path.split(['?', '#']).next().unwrap_or_default());
        Self {
            user_agent: clean(user_agent, Self::USER_AGENT_MAX_CHARS),
            method: clean(method, Self::METHOD_MAX_CHARS),
            path: clean(path, Self::PATH_MAX_CHARS),
        }
    }
}

fn clean(text: Option<&str>, max_chars: usize) -> Option<String> {
    let text: String = text?.chars().filter(|c| !c.is_control()).take(max_chars).collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_range_is_whole_buckets() {
        let query = UsageQuery {
            from: Some(at("2026-11-27T10:59:59.999Z")),
            to: Some(at("2026-11-27T12:00:00.001Z")),
            bucket: None,
        };
        let range = query.range(at("2026-11-28T00:00:00Z")).unwrap();
        assert_eq!((range.from, range.to), (at("2026-11-27T10:00:00Z"), at("2026-11-27T13:00:00Z")));
        assert_eq!(range.points(), 3);
        assert_eq!(range.index_of(at("2026-11-27T11:00:00Z")), Some(1));
        assert_eq!(range.index_of(at("2026-11-27T13:00:00Z")), None);
        let exact = UsageQuery { to: Some(at("2026-11-27T12:00:00Z")), ..query };
        assert_eq!(exact.range(at("2026-11-28T00:00:00Z")).unwrap().points(), 2, "`to` is exclusive");
    }

    #[test]
    fn a_range_runs_forward_and_is_not_too_long() {
        let now = at("2026-11-27T10:30:00Z");
        let week = UsageQuery::default().range(now).unwrap();
        assert_eq!((week.points(), week.to), (24 * 7 + 1, at("2026-11-27T11:00:00Z")));
        let backwards = UsageQuery { from: Some(now), to: Some(now - TimeDelta::hours(1)), bucket: None };
        assert!(backwards.range(now).is_err());
        let empty = UsageQuery { from: Some(now), to: Some(now), bucket: None };
        assert!(empty.range(now).is_err());
        let long = UsageQuery { from: Some(now - TimeDelta::days(61)), to: Some(now), bucket: None };
        assert!(long.range(now).is_err());
        let days = UsageQuery { bucket: Some(UsageBucket::Day), ..long };
        assert_eq!(days.range(now).unwrap().points(), 62);
        for far in [DateTime::<Utc>::MIN_UTC, at("1999-12-31T23:59:59Z"), DateTime::<Utc>::MAX_UTC] {
            assert!(UsageQuery { to: Some(far), ..Default::default() }.range(now).is_err(), "{far}");
            assert!(UsageQuery { from: Some(far), ..Default::default() }.range(now).is_err(), "{far}");
        }
    }

    #[test]
    fn details_are_cut_to_size_and_never_keep_a_query() {
        let details = UseDetails::new(Some(" curl/8\u{7}\n "), Some("GET"), Some("/orders/7?token=secret#x"));
        assert_eq!(details.user_agent.as_deref(), Some("curl/8"));
        assert_eq!(details.path.as_deref(), Some("/orders/7"));
        let long = "a".repeat(500);
        assert_eq!(UseDetails::new(Some(&long), None, None).user_agent.unwrap().len(), 200);
        assert_eq!(UseDetails::new(Some(" "), None, Some("?q")), UseDetails::default());
    }
}
