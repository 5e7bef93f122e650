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
/// more than colour. `scale` is the count of a full-height bar; `id` is
/// the chart's, unique on the page.
pub fn bars(series: &UsageSeries, scale: u64, id: &str) -> String {
    let scale = scale.max(1);
    let height = |count: u64| if count == 0 { 0 } else { (count * CHART_HEIGHT / scale).clamp(MIN_BAR, CHART_HEIGHT) };
    let width = series.points.len().max(1) as u64 * BAR_PITCH;
    let mut svg = format!(
        r#"<defs><pattern id="{id}-hatch" class="hatch" width="4" height="20" patternUnits="userSpaceOnUse" patternTransform="rotate(30)"><rect width="4" height="20"/><line x1="0" y1="0" x2="0" y2="20"/></pattern></defs><line class="baseline" x1="0" y1="{CHART_HEIGHT}" x2="{width}" y2="{CHART_HEIGHT}"/>"#
    );
    for (index, point) in (0u64..).zip(&series.points).filter(|(_, point)| point.counts.total() > 0) {
        let accepted = height(point.counts.accepted);
        let refused = height(point.counts.refused()).min(CHART_HEIGHT - accepted);
        let x = index * BAR_PITCH + (BAR_PITCH - BAR_WIDTH) / 2;
        svg.push_str(&format!(
            r#"<g><title>{}</title><rect class="accepted" x="{x}" y="{}" width="{BAR_WIDTH}" height="{accepted}"/><rect class="refused" fill="url(#{id}-hatch)" x="{x}" y="{}" width="{BAR_WIDTH}" height="{refused}"/></g>"#,
            escape(&format::usage_point(point, series.bucket)),
            CHART_HEIGHT - accepted,
            CHART_HEIGHT - accepted - refused,
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
