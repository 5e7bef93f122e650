//! A key's or an owner's policy (DESIGN.md section 15) as the console's
//! forms take it and as it shows it. The forms' texts go through the
//! model's own types (their serde `try_from` checks), so the console
//! refuses exactly what the server would, before asking it. Pure
//! functions, tested natively.

use domain::model::{AllowedNetworks, Credits, ExternalId, LimitName, Meta, RateLimit, RateLimits, RefillInterval};
use leptos::serde_json::{self, json};

use crate::i18n::policy::Policy;
use crate::i18n::{english_or, number, t, tf};

/// The limits a person understands, offered before "custom": what each
/// is called, and its name, limit and period.
pub const LIMIT_PRESETS: [(&str, u64, u32); 3] =
    [("per-minute", 100, 60), ("per-hour", 1_000, 3_600), ("per-day", 10_000, 86_400)];

/// One rate limit as typed: its name, requests and period in seconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LimitText {
    pub name: String,
    pub limit: String,
    pub period_s: String,
}

impl LimitText {
    pub fn of(limit: &RateLimit) -> Self {
        Self {
            name: limit.name.as_str().to_owned(),
            limit: limit.limit.to_string(),
            period_s: limit.period_s.to_string(),
        }
    }
}

/// A whole number typed in `field` ("10000", "10,000" or "10.000"), or
/// the refusal naming the field.
fn whole(text: &str, field: &str) -> Result<i64, String> {
    let text = text.trim();
    let (sign, digits) = text.strip_prefix('-').map_or(("", text), |rest| ("-", rest));
    let groups: Vec<&str> = digits.split([',', '.', '_', ' ']).collect();
    let grouped = groups.len() == 1
        || (groups[0].len() <= 3 && !groups[0].is_empty() && groups[1..].iter().all(|group| group.len() == 3));
    let plain = format!("{sign}{}", groups.concat());
    match plain.parse::<i64>() {
        Ok(number) if grouped => Ok(number),
        _ => Err(tf(Policy::NotANumber, &[field])),
    }
}

/// The rate limits typed, checked by the model: at most 5, distinct
/// names, each limit and period in range.
pub fn rate_limits(rows: &[LimitText]) -> Result<RateLimits, String> {
    let limits = rows
        .iter()
        .map(|row| {
            let name = LimitName::try_from(row.name.trim().to_owned())
                .map_err(|error| english_or(error.to_string(), Policy::LimitsRefused))?;
            let limit = whole(&row.limit, t(Policy::Requests))?;
            let period_s = whole(&row.period_s, t(Policy::PeriodSeconds))?;
            Ok(json!({"name": name, "limit": limit, "period_s": period_s}))
        })
        .collect::<Result<Vec<_>, String>>()?;
    serde_json::from_value(limits.into()).map_err(|error| english_or(error.to_string(), Policy::LimitsRefused))
}

/// The credits typed: none (unlimited) when `remaining` is empty; a
/// refill when `refill_amount` is given.
pub fn credits(remaining: &str, refill_amount: &str, interval: RefillInterval) -> Result<Option<Credits>, String> {
    let refill = match refill_amount.trim() {
        "" => None,
        amount => Some(json!({"amount": whole(amount, t(Policy::RefillAmount))?, "interval": interval})),
    };
    if remaining.trim().is_empty() {
        return match refill {
            None => Ok(None),
            Some(_) => Err(t(Policy::RefillWithoutCredits).to_owned()),
        };
    }
    let remaining = whole(remaining, t(Policy::CreditsRemaining))?;
    serde_json::from_value(json!({"remaining": remaining, "refill": refill}))
        .map(Some)
        .map_err(|error| english_or(error.to_string(), Policy::CreditsRefused))
}

/// The networks typed, one per line (blank lines skipped).
pub fn networks(text: &str) -> Result<AllowedNetworks, String> {
    let lines: Vec<String> = text.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect();
    AllowedNetworks::try_from(lines).map_err(|error| english_or(error.to_string(), Policy::NetworksRefused))
}

/// The meta typed: a JSON object, or nothing.
pub fn meta(text: &str) -> Result<Meta, String> {
    if text.trim().is_empty() {
        return Ok(Meta::default());
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|error| tf(Policy::MetaNotJson, &[&error.to_string()]))?;
    Meta::try_from(value).map_err(|error| english_or(error.to_string(), Policy::MetaRefused))
}

/// An owner's external id as typed.
pub fn external_id(text: &str) -> Result<ExternalId, String> {
    ExternalId::try_from(text.trim().to_owned())
        .map_err(|error| english_or(error.to_string(), Policy::ExternalIdRefused))
}

/// Networks as the form shows them: one per line.
pub fn networks_text(networks: &AllowedNetworks) -> String {
    Vec::<String>::from(networks.clone()).join("\n")
}

/// Meta as the form shows it: indented JSON, or nothing.
pub fn meta_text(meta: &Meta) -> String {
    if meta.is_empty() {
        return String::new();
    }
    serde_json::to_string_pretty(meta).unwrap_or_default()
}

/// "100 per minute", "1,000 per hour", "5 per 90 s".
pub fn rate_limit(limit: &RateLimit) -> String {
    per_period(limit.limit, limit.period_s)
}

/// `limit` requests per `period_s` seconds in words.
pub fn per_period(limit: u64, period_s: u32) -> String {
    let count = number(limit);
    match period_s {
        1 => tf(Policy::PerSecond, &[&count]),
        60 => tf(Policy::PerMinute, &[&count]),
        3_600 => tf(Policy::PerHour, &[&count]),
        86_400 => tf(Policy::PerDay, &[&count]),
        period => tf(Policy::PerSeconds, &[&count, &number(u64::from(period))]),
    }
}

/// Every limit, "100 per minute (per-minute), 10,000 per day (daily)".
pub fn rate_limits_words(limits: &RateLimits) -> String {
    limits.iter().map(|limit| format!("{} ({})", rate_limit(limit), limit.name.as_str())).collect::<Vec<_>>().join(", ")
}

/// "500 credits left", with its refill: "…, refilled to 1,000 each day";
/// "unlimited" without credits.
pub fn credits_words(credits: Option<&Credits>) -> String {
    let Some(credits) = credits else { return t(Policy::Unlimited).to_owned() };
    let left = tf(Policy::CreditsLeft, &[&number(credits.remaining)]);
    match credits.refill {
        None => left,
        Some(refill) => {
            let words = match refill.interval {
                RefillInterval::Day => Policy::RefilledDaily,
                RefillInterval::Month => Policy::RefilledMonthly,
            };
            tf(words, &[&left, &number(refill.amount)])
        }
    }
}

/// A key's policy in a line for the keys table: its owner, limits,
/// credits and networks, "—" when none binds it.
pub fn key_summary(
    owner: Option<&str>,
    limits: &RateLimits,
    credits: Option<&Credits>,
    networks: &AllowedNetworks,
) -> String {
    let mut parts = Vec::new();
    if let Some(owner) = owner {
        parts.push(tf(Policy::OwnedBy, &[owner]));
    }
    parts.extend(limits.iter().map(rate_limit));
    if credits.is_some() {
        parts.push(credits_words(credits));
    }
    let count = Vec::<String>::from(networks.clone()).len();
    match count {
        0 => {}
        1 => parts.push(t(Policy::OneNetwork).to_owned()),
        count => parts.push(tf(Policy::NetworksCount, &[&count.to_string()])),
    }
    if parts.is_empty() { "—".to_owned() } else { parts.join(" · ") }
}

#[cfg(test)]
mod tests {
    use domain::model::Refill;

    use super::*;
    use crate::i18n::{Lang, set_current};

    fn row(name: &str, limit: &str, period_s: &str) -> LimitText {
        LimitText { name: name.to_owned(), limit: limit.to_owned(), period_s: period_s.to_owned() }
    }

    #[test]
    fn limits_are_checked_by_the_model_and_worded_as_a_person_reads_them() {
        let limits = rate_limits(&[row("per-minute", "100", "60"), row("daily", "10,000", "86400")]).unwrap();
        assert_eq!(rate_limits_words(&limits), "100 per minute (per-minute), 10,000 per day (daily)");
        assert!(rate_limits(&[row("a", "0", "60")]).unwrap_err().contains("limit must be 1 to"));
        assert!(rate_limits(&[row("a", "1", "86401")]).unwrap_err().contains("period_s must be 1 to 86400"));
        assert!(rate_limits(&[row("A b", "1", "1")]).unwrap_err().contains("rate limit name"));
        assert!(rate_limits(&[row("a", "1", "1"), row("a", "2", "2")]).unwrap_err().contains("given twice"));
        assert!(rate_limits(&vec![row("a", "1", "1"); 6]).unwrap_err().contains("at most 5"));
        assert_eq!(rate_limits(&[row("a", "lots", "1")]).unwrap_err(), "Requests must be a whole number");
        assert_eq!(rate_limits(&[row("a", "1.5", "1")]).unwrap_err(), "Requests must be a whole number");
        assert_eq!(whole("10.000", "x"), Ok(10_000));
        assert_eq!(whole("-1", "x"), Ok(-1));
        let odd = rate_limits(&[row("a", "5", "90")]).unwrap();
        assert_eq!(rate_limits_words(&odd), "5 per 90 s (a)");
    }

    #[test]
    fn credits_networks_and_meta_are_checked_by_the_model() {
        assert_eq!(credits("", "", RefillInterval::Day), Ok(None));
        let daily = credits("500", "1000", RefillInterval::Day).unwrap();
        assert_eq!(
            daily,
            Some(Credits { remaining: 500, refill: Some(Refill { amount: 1000, interval: RefillInterval::Day }) })
        );
        assert_eq!(credits_words(daily.as_ref()), "500 credits left, refilled to 1,000 each day");
        assert!(credits("-1", "", RefillInterval::Day).unwrap_err().contains("credits.remaining"));
        assert!(credits("5", "0", RefillInterval::Month).unwrap_err().contains("refill.amount"));
        assert!(credits("", "10", RefillInterval::Month).unwrap_err().contains("needs credits"));

        let allowed = networks("10.0.0.0/8\n\n 2001:db8::/32 \n192.0.2.7").unwrap();
        assert_eq!(networks_text(&allowed), "10.0.0.0/8\n2001:db8::/32\n192.0.2.7/32");
        assert!(networks("10.0.0.0/33").unwrap_err().contains("\"10.0.0.0/33\" is not a network"));

        assert_eq!(meta(" "), Ok(Meta::default()));
        let plan = meta(r#"{"plan": "pro"}"#).unwrap();
        assert_eq!(meta_text(&plan), "{\n  \"plan\": \"pro\"\n}");
        assert!(meta("[1]").unwrap_err().contains("meta must be a JSON object"));
        assert!(meta("{").unwrap_err().starts_with("meta is not valid JSON"));
        assert!(external_id("").unwrap_err().contains("external_id must be 1 to 128"));
        assert_eq!(key_summary(None, &RateLimits::default(), None, &AllowedNetworks::default()), "—");
        let limits = rate_limits(&[row("per-minute", "100", "60")]).unwrap();
        assert_eq!(
            key_summary(Some("acme"), &limits, daily.as_ref(), &allowed),
            "owner acme · 100 per minute · 500 credits left, refilled to 1,000 each day · 3 networks"
        );
    }

    #[test]
    fn dutch_refusals_explain_the_rule() {
        set_current(Lang::Nl);
        assert!(rate_limits(&[row("a", "0", "60")]).unwrap_err().starts_with("deze limieten zijn ongeldig"));
        assert_eq!(rate_limits(&[row("a", "x", "60")]).unwrap_err(), "Verzoeken moet een geheel getal zijn");
        let limits = rate_limits(&[row("a", "1000", "3600")]).unwrap();
        assert_eq!(rate_limits_words(&limits), "1.000 per uur (a)");
        set_current(Lang::En);
    }
}
