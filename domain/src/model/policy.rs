//! What a key may spend and from where, beyond its scopes (DESIGN.md
//! section 15): named rate limits, credits with a refill, allowed networks,
//! and free-form meta for the protected API. Each type checks itself on
//! arrival, so a REST body, a server function's argument and the CLI are
//! refused with the same words, naming the field. Wasm-safe: the console
//! checks its forms with these same rules.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::ids::OwnerId;
use super::text::InvalidInput;

/// How many named rate limits a key or an owner may carry.
pub const RATE_LIMITS_MAX: usize = 5;
/// The largest `limit` of one rate limit.
pub const RATE_LIMIT_MAX: u64 = 1_000_000_000;
/// The longest period of one rate limit: a day.
pub const RATE_PERIOD_MAX_S: u32 = 86_400;
/// How many networks a key may be restricted to.
pub const NETWORKS_MAX: usize = 32;
/// The largest `meta` object, serialized.
pub const META_MAX_BYTES: usize = 4096;
/// The most credits a key or an owner may hold or be refilled with.
pub const CREDITS_MAX: u64 = 1_000_000_000_000;

/// A JSON number that is whole, as JSON Schema's `integer` reads it (`2.0`
/// is one too), for `#[serde(deserialize_with)]`; its range is the field's
/// own check.
pub fn whole<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i128, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    let whole = number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
        .or_else(|| number.as_f64().filter(|n| n.fract() == 0.0 && n.abs() < 1e30).map(|n| n as i128));
    whole.ok_or_else(|| serde::de::Error::custom(format!("{number} is not a whole number")))
}

/// A whole number in `range`, or `field`'s rule in words.
fn within<T: TryFrom<i128>>(
    value: i128,
    range: std::ops::RangeInclusive<i128>,
    field: &str,
) -> Result<T, InvalidInput> {
    let refused = || InvalidInput(format!("{field} must be {} to {}", range.start(), range.end()));
    if !range.contains(&value) {
        return Err(refused());
    }
    T::try_from(value).map_err(|_| refused())
}

/// A rate limit's name: like a scope, 1 to 64 of `a-z 0-9 _ - . :`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = "^[a-z0-9_.:-]{1,64}$", example = json!("requests")))]
pub struct LimitName(String);

impl LimitName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LimitName {
    type Error = InvalidInput;

    fn try_from(name: String) -> Result<Self, InvalidInput> {
        let well_formed = (1..=64).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.:".contains(&b));
        if well_formed {
            Ok(Self(name))
        } else {
            Err(InvalidInput(format!("the rate limit name {name:?} must be 1 to 64 of a-z, 0-9, _ - . :")))
        }
    }
}

impl From<LimitName> for String {
    fn from(name: LimitName) -> String {
        name.0
    }
}

/// At most `limit` requests in each period of `period_s` seconds. Periods
/// are aligned to the Unix epoch, so every process agrees on when one
/// starts and what is left until it ends.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RateLimitFields")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(example = json!({"name": "per-minute", "limit": 100, "period_s": 60})))]
pub struct RateLimit {
    pub name: LimitName,
    /// 1 to 10^9 requests.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000_000))]
    pub limit: u64,
    /// 1 to 86400 seconds.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 86400))]
    pub period_s: u32,
}

#[derive(Deserialize)]
struct RateLimitFields {
    name: LimitName,
    #[serde(deserialize_with = "whole")]
    limit: i128,
    #[serde(deserialize_with = "whole")]
    period_s: i128,
}

impl TryFrom<RateLimitFields> for RateLimit {
    type Error = InvalidInput;

    fn try_from(RateLimitFields { name, limit, period_s }: RateLimitFields) -> Result<Self, InvalidInput> {
        Ok(Self {
            name,
            limit: within(limit, 1..=i128::from(RATE_LIMIT_MAX), "limit")?,
            period_s: within(period_s, 1..=i128::from(RATE_PERIOD_MAX_S), "period_s")?,
        })
    }
}

impl RateLimit {
    /// The period that holds `at`: its start and its end, in whole seconds
    /// since the Unix epoch.
    pub fn window(&self, at: DateTime<Utc>) -> (i64, i64) {
        let period = i64::from(self.period_s);
        let start = at.timestamp().div_euclid(period) * period;
        (start, start + period)
    }

    /// Whether this limit is at least as tight as `other`: no more
    /// requests, over no shorter a period.
    fn within(&self, other: &Self) -> bool {
        self.limit <= other.limit && self.period_s >= other.period_s
    }
}

/// Where one rate limit stands for a key after a request: what
/// `/auth/verify` answers and the RateLimit header fields carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LimitStatus {
    pub name: LimitName,
    pub limit: u64,
    pub period_s: u32,
    /// Requests left in this period (an estimate across processes).
    pub remaining: u64,
    /// Seconds until this period ends and the next begins.
    pub reset_s: u64,
}

impl LimitStatus {
    /// The tightest of `statuses`: the fewest requests left, then the
    /// longest wait; the one the RateLimit header fields describe.
    pub fn tightest(statuses: &[Self]) -> Option<&Self> {
        statuses.iter().min_by_key(|status| (status.remaining, std::cmp::Reverse(status.reset_s)))
    }
}

/// Up to [`RATE_LIMITS_MAX`] limits with distinct names; a request must
/// pass all of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<RateLimit>", into = "Vec<RateLimit>")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = Vec<RateLimit>))]
#[cfg_attr(feature = "service", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
pub struct RateLimits(Vec<RateLimit>);

impl RateLimits {
    pub fn iter(&self) -> impl Iterator<Item = &RateLimit> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every one of `bound`'s limits has one here at least as tight.
    pub fn within(&self, bound: &Self) -> bool {
        bound.iter().all(|outer| self.iter().any(|inner| inner.within(outer)))
    }
}

impl TryFrom<Vec<RateLimit>> for RateLimits {
    type Error = InvalidInput;

    fn try_from(limits: Vec<RateLimit>) -> Result<Self, InvalidInput> {
        if limits.len() > RATE_LIMITS_MAX {
            return Err(InvalidInput(format!("at most {RATE_LIMITS_MAX} rate limits")));
        }
        for (index, limit) in limits.iter().enumerate() {
            if limits[..index].iter().any(|earlier| earlier.name == limit.name) {
                return Err(InvalidInput(format!("the rate limit name {:?} is given twice", limit.name.as_str())));
            }
        }
        Ok(Self(limits))
    }
}

impl From<RateLimits> for Vec<RateLimit> {
    fn from(limits: RateLimits) -> Self {
        limits.0
    }
}

/// When credits are refilled: at the start of each UTC day or month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefillInterval {
    Day,
    Month,
}

impl RefillInterval {
    /// The start of the interval that holds `at`.
    pub fn start(self, at: DateTime<Utc>) -> DateTime<Utc> {
        let date = at.date_naive();
        let first = match self {
            Self::Day => date,
            Self::Month => NaiveDate::from_ymd_opt(date.year(), date.month(), 1).unwrap_or(date),
        };
        Utc.from_utc_datetime(&first.and_time(chrono::NaiveTime::MIN))
    }

    /// The start of the interval after the one that holds `at`.
    pub fn next_start(self, at: DateTime<Utc>) -> DateTime<Utc> {
        let start = self.start(at).date_naive();
        let next = match self {
            Self::Day => start.succ_opt(),
            Self::Month => start.checked_add_months(chrono::Months::new(1)),
        };
        next.map_or(at, |date| Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN)))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Month => "month",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "day" => Some(Self::Day),
            "month" => Some(Self::Month),
            _ => None,
        }
    }
}

/// Credits set back to `amount` at the start of every interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RefillFields")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(example = json!({"amount": 1000, "interval": "month"})))]
pub struct Refill {
    /// 1 to 10^12.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000_000_000_u64))]
    pub amount: u64,
    pub interval: RefillInterval,
}

#[derive(Deserialize)]
struct RefillFields {
    #[serde(deserialize_with = "whole")]
    amount: i128,
    interval: RefillInterval,
}

impl TryFrom<RefillFields> for Refill {
    type Error = InvalidInput;

    fn try_from(RefillFields { amount, interval }: RefillFields) -> Result<Self, InvalidInput> {
        Ok(Self { amount: within(amount, 1..=i128::from(CREDITS_MAX), "refill.amount")?, interval })
    }
}

/// What a key or an owner may still spend, and how it is refilled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "CreditsFields")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(example = json!({"remaining": 1000, "refill": {"amount": 1000, "interval": "month"}})))]
pub struct Credits {
    /// 0 to 10^12; at 0 every request is refused until a refill.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000_000_u64))]
    pub remaining: u64,
    pub refill: Option<Refill>,
}

#[derive(Deserialize)]
struct CreditsFields {
    #[serde(deserialize_with = "whole")]
    remaining: i128,
    #[serde(default)]
    refill: Option<Refill>,
}

impl TryFrom<CreditsFields> for Credits {
    type Error = InvalidInput;

    fn try_from(CreditsFields { remaining, refill }: CreditsFields) -> Result<Self, InvalidInput> {
        Ok(Self { remaining: within(remaining, 0..=i128::from(CREDITS_MAX), "credits.remaining")?, refill })
    }
}

impl Credits {
    /// Whether these credits are no looser than `bound`: no more of them,
    /// and no refill unless `bound` has one at least as generous.
    fn within(&self, bound: &Self) -> bool {
        let refill_within = match (self.refill, bound.refill) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(inner), Some(outer)) => inner.amount <= outer.amount && inner.interval >= outer.interval,
        };
        self.remaining <= bound.remaining && refill_within
    }
}

/// The networks a key may be used from; empty: anywhere.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = Vec<String>, example = json!(["203.0.113.0/24", "2001:db8::/32"])))]
#[cfg_attr(feature = "service", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
pub struct AllowedNetworks(Vec<IpNet>);

impl AllowedNetworks {
    /// Whether `address` may use the key.
    pub fn allow(&self, address: std::net::IpAddr) -> bool {
        let address = canonical(address);
        self.0.is_empty() || self.0.iter().any(|network| network.contains(&address))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every network here lies inside one of `bound`'s (anything
    /// lies inside an empty bound).
    pub fn within(&self, bound: &Self) -> bool {
        bound.is_empty()
            || (!self.is_empty() && self.0.iter().all(|inner| bound.0.iter().any(|outer| outer.contains(inner))))
    }
}

/// An IPv4 client seen through an IPv6 socket is matched as IPv4.
fn canonical(address: std::net::IpAddr) -> std::net::IpAddr {
    match address {
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, std::net::IpAddr::V4),
        v4 => v4,
    }
}

impl TryFrom<Vec<String>> for AllowedNetworks {
    type Error = InvalidInput;

    fn try_from(texts: Vec<String>) -> Result<Self, InvalidInput> {
        if texts.len() > NETWORKS_MAX {
            return Err(InvalidInput(format!("allowed_networks holds at most {NETWORKS_MAX} networks")));
        }
        let networks = texts
            .iter()
            .map(|text| {
                // A bare address is a network of one.
                text.parse::<IpNet>()
                    .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
                    .map(|network| network.trunc())
                    .map_err(|_| {
                        InvalidInput(format!(
                            "allowed_networks: {text:?} is not a network in CIDR notation (such as 203.0.113.0/24 or \
                             2001:db8::/32)"
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(networks))
    }
}

impl From<AllowedNetworks> for Vec<String> {
    fn from(networks: AllowedNetworks) -> Self {
        networks.0.iter().map(ToString::to_string).collect()
    }
}

/// Free-form facts for the protected API: a JSON object of at most
/// [`META_MAX_BYTES`] serialized.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Value", into = "serde_json::Value")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = Object, example = json!({"plan": "pro"})))]
#[cfg_attr(feature = "service", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
pub struct Meta(serde_json::Map<String, serde_json::Value>);

impl Meta {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryFrom<serde_json::Value> for Meta {
    type Error = InvalidInput;

    fn try_from(value: serde_json::Value) -> Result<Self, InvalidInput> {
        let serde_json::Value::Object(object) = value else {
            return Err(InvalidInput("meta must be a JSON object".to_owned()));
        };
        let size = serde_json::Value::Object(object.clone()).to_string().len();
        if size > META_MAX_BYTES {
            return Err(InvalidInput(format!("meta must be at most {META_MAX_BYTES} bytes as JSON, not {size}")));
        }
        Ok(Self(object))
    }
}

impl From<Meta> for serde_json::Value {
    fn from(meta: Meta) -> Self {
        serde_json::Value::Object(meta.0)
    }
}

/// Stored as the JSON it travels as: these columns hold only values that
/// passed the checks above, and are checked again when read.
macro_rules! json_text {
    ($($name:ident),*) => {$(
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&serde_json::to_string(self).map_err(|_| std::fmt::Error)?)
            }
        }

        impl std::str::FromStr for $name {
            type Err = serde_json::Error;

            fn from_str(json: &str) -> Result<Self, serde_json::Error> {
                serde_json::from_str(json)
            }
        }
    )*};
}

json_text!(RateLimits, AllowedNetworks, Meta);

/// A key's policy as given when it is created (and copied to a rotation's
/// new key): whose it is, its own limits, credits and networks, its meta.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyPolicy {
    #[serde(default)]
    pub owner_id: Option<OwnerId>,
    #[serde(default)]
    pub meta: Meta,
    #[serde(default)]
    pub rate_limits: RateLimits,
    #[serde(default)]
    pub credits: Option<Credits>,
    #[serde(default)]
    pub allowed_networks: AllowedNetworks,
}

/// The limits and credits of whoever holds them, a key or an owner.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Budget {
    pub rate_limits: RateLimits,
    pub credits: Option<Credits>,
}

impl Budget {
    /// Whether this budget is no looser than `bound`: every bounding limit
    /// matched by one at least as tight, and no credits beyond the bound's.
    pub fn within(&self, bound: &Self) -> bool {
        let credits_within = match (&self.credits, &bound.credits) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(inner), Some(outer)) => inner.within(outer),
        };
        self.rate_limits.within(&bound.rate_limits) && credits_within
    }

    pub fn is_unbound(&self) -> bool {
        self.rate_limits.is_empty() && self.credits.is_none()
    }
}

/// What binds a caller's key: its own budget, its owner (whose budget every
/// key of that owner shares anyway) and its networks. A caller may give a
/// key or an owner no looser a policy than this, as with scopes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bounds {
    pub owner_id: Option<OwnerId>,
    pub budget: Budget,
    /// The owner's budget, which binds the caller too.
    pub owner_budget: Option<Budget>,
    pub allowed_networks: AllowedNetworks,
}

impl Bounds {
    /// Whether a key with `owner_id`, `budget` and `networks` is no looser.
    pub fn admit_key(&self, owner_id: Option<&OwnerId>, budget: &Budget, networks: &AllowedNetworks) -> bool {
        let same_owner = self.owner_id.is_none() || self.owner_id.as_ref() == owner_id;
        same_owner && budget.within(&self.budget) && networks.within(&self.allowed_networks)
    }

    /// Whether the owner `owner_id` (`None`: a new one) may be changed, and
    /// given `budget` when that changes: a caller bound to an owner touches
    /// only its own, and never loosens it or past its own key's budget.
    pub fn admit_owner(&self, owner_id: Option<&OwnerId>, budget: Option<&Budget>) -> bool {
        let own_owner = self.owner_id.is_none() || self.owner_id.as_ref() == owner_id;
        let within = |budget: &Budget| {
            budget.within(&self.budget) && self.owner_budget.as_ref().is_none_or(|bound| budget.within(bound))
        };
        own_owner && budget.is_none_or(within)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(name: &str, limit: u64, period_s: u32) -> RateLimit {
        serde_json::from_value(serde_json::json!({"name": name, "limit": limit, "period_s": period_s})).unwrap()
    }

    #[test]
    fn bad_policies_are_refused_naming_what_is_wrong() {
        let cases = [
            (serde_json::json!({"name": "a", "limit": 0, "period_s": 1}), "limit must be"),
            (serde_json::json!({"name": "a", "limit": 1, "period_s": 86401}), "period_s must be"),
            (serde_json::json!({"name": "A b", "limit": 1, "period_s": 1}), "rate limit name"),
        ];
        for (json, said) in cases {
            let error = serde_json::from_value::<RateLimit>(json).unwrap_err().to_string();
            assert!(error.contains(said), "{error}");
        }
        let six = vec![serde_json::json!({"name": "a", "limit": 1, "period_s": 1}); 6];
        assert!(serde_json::from_value::<RateLimits>(six.into()).unwrap_err().to_string().contains("at most 5"));
        let twice =
            serde_json::json!([{"name": "a", "limit": 1, "period_s": 1}, {"name": "a", "limit": 2, "period_s": 1}]);
        assert!(serde_json::from_value::<RateLimits>(twice).unwrap_err().to_string().contains("given twice"));
        let negative = serde_json::from_value::<Credits>(serde_json::json!({"remaining": -1})).unwrap_err();
        assert!(negative.to_string().contains("credits.remaining"));
        let cidr = serde_json::from_value::<AllowedNetworks>(serde_json::json!(["10.0.0.0/33"])).unwrap_err();
        assert!(cidr.to_string().contains("10.0.0.0/33"));
        assert!(serde_json::from_value::<Meta>(serde_json::json!([1])).is_err());
        let big = serde_json::json!({"x": "y".repeat(META_MAX_BYTES)});
        assert!(serde_json::from_value::<Meta>(big).unwrap_err().to_string().contains("at most 4096"));
    }

    #[test]
    fn whole_numbers_may_be_spelled_as_decimals() {
        let limit: RateLimit = serde_json::from_str(r#"{"name": "a", "limit": 10.0, "period_s": 60}"#).unwrap();
        assert_eq!((limit.limit, limit.period_s), (10, 60));
        assert!(serde_json::from_str::<RateLimit>(r#"{"name": "a", "limit": 10.5, "period_s": 60}"#).is_err());
        assert!(serde_json::from_str::<RateLimit>(r#"{"name": "a", "limit": 1, "period_s": 1e20}"#).is_err());
    }

    #[test]
    fn networks_match_v4_v6_and_mapped_addresses() {
        let networks: AllowedNetworks =
            serde_json::from_value(serde_json::json!(["10.1.0.0/16", "2001:db8::/32", "192.0.2.7"])).unwrap();
        for allowed in ["10.1.2.3", "2001:db8::1", "::ffff:10.1.9.9", "192.0.2.7"] {
            assert!(networks.allow(allowed.parse().unwrap()), "{allowed}");
        }
        for refused in ["10.2.0.1", "2001:db9::1", "192.0.2.8", "127.0.0.1"] {
            assert!(!networks.allow(refused.parse().unwrap()), "{refused}");
        }
        assert!(AllowedNetworks::default().allow("127.0.0.1".parse().unwrap()));
        // Stored as networks, host bits cleared.
        let wire: Vec<String> = networks.into();
        assert_eq!(wire, ["10.1.0.0/16", "2001:db8::/32", "192.0.2.7/32"]);
    }

    #[test]
    fn windows_are_aligned_to_the_epoch() {
        let at = DateTime::from_timestamp(1_000_000_007, 0).unwrap();
        assert_eq!(limit("a", 1, 10).window(at), (1_000_000_000, 1_000_000_010));
        let month = RefillInterval::Month;
        let mid = Utc.with_ymd_and_hms(2026, 12, 7, 9, 30, 0).unwrap();
        assert_eq!(month.start(mid), Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap());
        assert_eq!(month.next_start(mid), Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(RefillInterval::Day.next_start(mid), Utc.with_ymd_and_hms(2026, 12, 8, 0, 0, 0).unwrap());
    }

    #[test]
    fn a_bound_caller_gives_nothing_looser() {
        let bound = Bounds {
            owner_id: None,
            budget: Budget {
                rate_limits: vec![limit("requests", 100, 60)].try_into().unwrap(),
                credits: Some(Credits { remaining: 1000, refill: None }),
            },
            owner_budget: None,
            allowed_networks: serde_json::from_value(serde_json::json!(["10.0.0.0/8"])).unwrap(),
        };
        let networks: AllowedNetworks = serde_json::from_value(serde_json::json!(["10.1.0.0/16"])).unwrap();
        let tight = Budget {
            rate_limits: vec![limit("other", 10, 120)].try_into().unwrap(),
            credits: Some(Credits { remaining: 10, refill: None }),
        };
        assert!(bound.admit_key(None, &tight, &networks));
        assert!(!bound.admit_key(None, &tight, &AllowedNetworks::default()), "anywhere is looser");
        assert!(!bound.admit_key(None, &Budget { credits: None, ..tight.clone() }, &networks), "unlimited credits");
        let faster = Budget { rate_limits: vec![limit("requests", 100, 30)].try_into().unwrap(), ..tight.clone() };
        assert!(!bound.admit_key(None, &faster, &networks), "a shorter period");
        let refilled = Budget {
            credits: Some(Credits { remaining: 1, refill: Some(Refill { amount: 1, interval: RefillInterval::Day }) }),
            ..tight.clone()
        };
        assert!(!bound.admit_key(None, &refilled, &networks), "a refill the bound lacks");
        assert!(Bounds::default().admit_key(None, &Budget::default(), &AllowedNetworks::default()));
        let own = OwnerId::parse("own_aaaaaaaaaaaaaaaa").unwrap();
        let owned = Bounds {
            owner_id: Some(own.clone()),
            owner_budget: Some(Budget { credits: Some(Credits { remaining: 100, refill: None }), ..Budget::default() }),
            ..Bounds::default()
        };
        assert!(!owned.admit_key(None, &Budget::default(), &AllowedNetworks::default()), "leaving the owner");
        assert!(!owned.admit_owner(Some(&OwnerId::parse("own_bbbbbbbbbbbbbbbb").unwrap()), None), "another owner");
        assert!(!owned.admit_owner(None, None), "a new owner");
        assert!(!owned.admit_owner(Some(&own), Some(&Budget::default())), "its own owner, unlimited");
        let fewer = Budget { credits: Some(Credits { remaining: 50, refill: None }), ..Budget::default() };
        assert!(owned.admit_owner(Some(&own), Some(&fewer)) && owned.admit_owner(Some(&own), None));
    }
}
