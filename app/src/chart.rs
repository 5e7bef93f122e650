//! The SVG drawing of usage charts, as markup: pure functions, tested
//! natively, and small in the wasm (one string per chart instead of a
//! component per bar). Coordinates are whole units of each drawing's own
//! `viewBox`, which the page stretches to its width.

use domain::model::UsageSeries;

use crate::format;

/// A chart's height in its own units.
pub const CHART_HEIGHT: u64 = 1000;
/// Each bucket's width; its bar leaves a gap on either side.
const BAR_PITCH: u64 = 10;
const BAR_WIDTH: u64 = 8;
/// A bucket with any request is drawn at least this high, so it shows.
const MIN_BAR: u64 = 20;
const SPARK_HEIGHT: u64 = 200;

/// `0 0 width height` of a chart of `series`.
pub fn chart_view_box(series: &UsageSeries) -> String {
    format!("0 0 {} {CHART_HEIGHT}", series.points.len().max(1) as u64 * BAR_PITCH)
}

/// A baseline, and per bucket with requests a bar of accepted requests
/// below one of refused ones, with the bucket's counts as its hover text.
/// Refused parts are hatched (the pattern `{id}-hatch`), so they differ by
/// more than colour; those refused by the key's policy (a rate limit,
/// credits, a network) are dotted instead (`{id}-dots`), on top.
/// `scale` is the count of a full-height bar; `id` is the chart's, unique
/// on the page.
pub fn bars(series: &UsageSeries, scale: u64, id: &str) -> String {
    let scale = scale.max(1);
    let height = |count: u64| if count == 0 { 0 } else { (count * CHART_HEIGHT / scale).clamp(MIN_BAR, CHART_HEIGHT) };
    let width = series.points.len().max(1) as u64 * BAR_PITCH;
    let mut svg = format!(
        r#"<defs><pattern id="{id}-hatch" class="hatch" width="4" height="20" patternUnits="userSpaceOnUse" patternTransform="rotate(30)"><rect width="4" height="20"/><line x1="0" y1="0" x2="0" y2="20"/></pattern><pattern id="{id}-dots" class="dots" width="4" height="40" patternUnits="userSpaceOnUse"><rect width="4" height="40"/><circle cx="2" cy="20" r="1.5"/></pattern></defs><line class="baseline" x1="0" y1="{CHART_HEIGHT}" x2="{width}" y2="{CHART_HEIGHT}"/>"#
    );
    for (index, point) in (0u64..).zip(&series.points).filter(|(_, point)| point.counts.total() > 0) {
        let accepted = height(point.counts.accepted);
        let all_refused = point.counts.refused();
        let refused = height(all_refused).min(CHART_HEIGHT - accepted);
        // The policy's share of the refused bar, drawn whenever there is one.
        let limited = match format::limited(&point.counts) {
            0 => 0,
            count => (refused * count / all_refused).max(MIN_BAR.min(refused)),
        };
        let other = refused - limited;
        let x = index * BAR_PITCH + (BAR_PITCH - BAR_WIDTH) / 2;
        let top = CHART_HEIGHT - accepted - other;
        let limited_rect = if limited > 0 {
            format!(
                r#"<rect class="limited" fill="url(#{id}-dots)" x="{x}" y="{}" width="{BAR_WIDTH}" height="{limited}"/>"#,
                top - limited
            )
        } else {
            String::new()
        };
        svg.push_str(&format!(
            r#"<g><title>{}</title><rect class="accepted" x="{x}" y="{}" width="{BAR_WIDTH}" height="{accepted}"/><rect class="refused" fill="url(#{id}-hatch)" x="{x}" y="{top}" width="{BAR_WIDTH}" height="{other}"/>{limited_rect}</g>"#,
            escape(&format::usage_point(point, series.bucket)),
            CHART_HEIGHT - accepted,
        ));
    }
    svg
}

/// `0 0 width height` of a sparkline of `points` points.
pub fn sparkline_view_box(points: usize) -> String {
    format!("0 0 {} {SPARK_HEIGHT}", points.saturating_sub(1).max(1) as u64 * BAR_PITCH)
}

/// A line of all requests, and one of refused requests if there were any.
/// The busiest bucket reaches a tenth below the top.
pub fn sparkline(accepted: &[u64], refused: &[u64]) -> String {
    let totals: Vec<u64> = accepted.iter().zip(refused).map(|(accepted, refused)| accepted + refused).collect();
    let scale = totals.iter().copied().max().unwrap_or(0).max(1);
    let line = |class: &str, counts: &[u64]| {
        let points: Vec<String> = (0u64..)
            .zip(counts)
            .map(|(index, count)| {
                format!("{},{}", index * BAR_PITCH, SPARK_HEIGHT - count * SPARK_HEIGHT * 9 / 10 / scale)
            })
            .collect();
        format!(r#"<polyline class="{class}" points="{}" vector-effect="non-scaling-stroke"/>"#, points.join(" "))
    };
    let mut svg = line("total", &totals);
    if refused.iter().any(|count| *count > 0) {
        svg.push_str(&line("refused", refused));
    }
    svg
}

/// Text as SVG markup shows it.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeDelta, Utc};
    use domain::model::{UsageBucket, UsageCounts, UsagePoint};

    use super::*;

    fn series(counts: &[(u64, u64)]) -> UsageSeries {
        let start = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let points: Vec<UsagePoint> = (0..)
            .zip(counts)
            .map(|(index, &(accepted, throttled))| UsagePoint {
                start: start + TimeDelta::hours(index),
                counts: UsageCounts { accepted, throttled, ..Default::default() },
            })
            .collect();
        UsageSeries { from: start, to: start, bucket: UsageBucket::Hour, points, total: UsageCounts::default() }
    }

    #[test]
    fn bars_stand_on_the_baseline_accepted_below_refused() {
        let svg = bars(&series(&[(0, 0), (3, 1), (1000, 0)]), 4, "c");
        assert_eq!(chart_view_box(&series(&[(0, 0), (3, 1), (1000, 0)])), "0 0 30 1000");
        assert_eq!(svg.matches("<g>").count(), 2, "quiet buckets draw nothing: {svg}");
        assert!(svg.contains(r#"<rect class="accepted" x="11" y="250" width="8" height="750"/>"#), "{svg}");
        assert!(
            svg.contains(r#"<rect class="refused" fill="url(#c-hatch)" x="11" y="0" width="8" height="250"/>"#),
            "{svg}"
        );
        assert_eq!(svg.matches(r#"<pattern id="c-hatch""#).count(), 1, "one pattern per chart");
        assert!(svg.contains("<title>15 Jan 09:00 UTC: 3 accepted, 1 refused (throttled)</title>"), "{svg}");
        // Past the scale, a bar stops at the top.
        assert!(svg.contains(r#"<rect class="accepted" x="21" y="0" width="8" height="1000"/>"#), "{svg}");
        let mut limited = series(&[(1, 1)]);
        limited.points[0].counts.rate_limited = 3;
        let svg = bars(&limited, 5, "c");
        assert!(
            svg.contains(r#"<rect class="refused" fill="url(#c-hatch)" x="1" y="600" width="8" height="200"/>"#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<rect class="limited" fill="url(#c-dots)" x="1" y="0" width="8" height="600"/>"#),
            "{svg}"
        );
        assert!(svg.contains("1 refused (throttled), 3 refused (over a rate limit)"), "{svg}");
        let tiny = bars(&series(&[(1, 0)]), 1_000_000, "c");
        assert!(tiny.contains(r#"height="20""#), "a single request still shows: {tiny}");
    }

    #[test]
    fn a_sparkline_draws_refusals_only_when_there_were_some() {
        assert_eq!(
            sparkline(&[0, 5, 10], &[0, 0, 0]),
            r#"<polyline class="total" points="0,200 10,110 20,20" vector-effect="non-scaling-stroke"/>"#
        );
        assert!(sparkline(&[0, 5], &[1, 0]).contains(r#"class="refused""#));
        assert_eq!(sparkline_view_box(168), "0 0 1670 200");
        assert_eq!(escape("a < b & c"), "a &lt; b &amp; c");
    }
}
