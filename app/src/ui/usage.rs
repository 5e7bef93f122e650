//! Usage drawn by the console itself as SVG (no chart library to ship):
//! a sparkline per key, a chart per key, for the region and for a
//! rotation's cut-over. Every chart says what it shows in words, and its
//! numbers are one click away as a table.

use domain::model::{ApiKey, KeyId, KeyUsage, RegionUsage, UsageBucket, UsageCounts, UsageSeries};
use leptos::callback::{Callable, UnsyncCallback};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::dialog::Modal;
use super::{Clock, DashboardData};
use crate::i18n::common::Common;
use crate::i18n::usage::Usage;
use crate::i18n::{number, t, tf};
use crate::server_fns::{self, ConsoleError, CutOver, KeyBudget};
use crate::{chart, format, policy_form};

/// Requests per bucket as bars, accepted below refused. Each bar shows its
/// counts on hover; the caption sums it up and a table lists every bucket
/// with requests.
#[component]
pub fn UsageChart(
    /// Unique on the page: names the caption and the table.
    #[prop(into)]
    id: String,
    /// What the chart shows, e.g. "Requests per hour, last 7 days".
    #[prop(into)]
    caption: String,
    series: UsageSeries,
    /// The count of a full-height bar, to compare charts side by side;
    /// by default the busiest bucket's.
    #[prop(optional)]
    scale: Option<u64>,
) -> impl IntoView {
    let busiest = series.points.iter().map(|point| point.counts.total()).max().unwrap_or(0);
    let scale = scale.unwrap_or(busiest).max(1);
    let bucket = series.bucket;
    // Refusals by a key's policy get their own part of the legend and
    // their own column, when there are any.
    let limited = format::limited(&series.total) > 0;
    let rows = series
        .points
        .iter()
        .filter(|point| point.counts.total() > 0)
        .map(|point| {
            view! {
                <tr>
                    <th scope="row">{format::bucket_start(point.start, bucket)}</th>
                    <td>{number(point.counts.accepted)}</td>
                    <td>{number(point.counts.refused())}</td>
                    {limited.then(|| view! { <td>{number(format::limited(&point.counts))}</td> })}
                </tr>
            }
        })
        .collect_view();
    let caption_id = format!("{id}-caption");
    let (view_box, bars) = (chart::chart_view_box(&series), chart::bars(&series, scale, &id));
    let summary = format!("{caption}: {}.", format::requests(&series.total));
    let first = series.points.first().map(|point| format::bucket_start(point.start, bucket)).unwrap_or_default();
    let empty = series.total.total() == 0;
    view! {
        <figure class="usage-chart" id=id>
            <figcaption id=caption_id.clone()>{summary}</figcaption>
            <svg
                viewBox=view_box
                preserveAspectRatio="none"
                role="img"
                aria-labelledby=caption_id
                inner_html=bars
            ></svg>
            <div class="chart-axis" aria-hidden="true">
                <span>{first}</span>
                <span class="legend">
                    <span class="swatch accepted"></span>{t(Usage::LegendAccepted)}" "
                    <span class="swatch refused"></span>{t(Usage::LegendRefused)}
                    {limited.then(|| view! { " " <span class="swatch limited"></span>{t(Usage::LegendLimited)} })}
                </span>
                <span>{tf(Usage::UpTo, &[&number(scale)])}</span>
            </div>
            {(!empty).then(|| view! {
                <details>
                    <summary>{t(Usage::ShowNumbers)}</summary>
                    <div class="table-scroll">
                        <table class="usage-numbers">
                            <thead>
                                <tr>
                                    <th scope="col">{t(Usage::From)}</th>
                                    <th scope="col">{t(Usage::Accepted)}</th>
                                    <th scope="col">{t(Usage::Refused)}</th>
                                    {limited.then(|| view! { <th scope="col">{t(Usage::Limited)}</th> })}
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </details>
            })}
        </figure>
    }
}

/// A key's last 7 days in a line, for the keys table.
#[component]
pub fn Sparkline(accepted: Vec<u64>, refused: Vec<u64>, #[prop(into)] label: String) -> impl IntoView {
    view! {
        <svg
            class="sparkline"
            viewBox=chart::sparkline_view_box(accepted.len())
            preserveAspectRatio="none"
            role="img"
            aria-label=label
            inner_html=chart::sparkline(&accepted, &refused)
        ></svg>
    }
}

/// The sparkline of `key_id` from the region's usage: flat when it had no
/// traffic.
pub fn key_sparkline(usage: &RegionUsage, key_id: &KeyId) -> impl IntoView + use<> {
    let points = usage.usage.points.len();
    let (accepted, refused, total) = match usage.keys.iter().find(|traffic| traffic.key_id == *key_id) {
        Some(traffic) => (traffic.accepted.clone(), traffic.refused.clone(), traffic.total),
        None => (vec![0; points], vec![0; points], Default::default()),
    };
    let label = tf(Usage::SparklineLabel, &[&format::requests(&total)]);
    view! { <Sparkline accepted=accepted refused=refused label=label/> }
}

/// The sentences of a key's last use: when and from where it was last
/// used (`{0}` and `{1}`), that it was deleted, that it was never used.
const KEY_LAST_USE: [Usage; 3] = [Usage::LastUsed, Usage::KeyDeleted, Usage::NeverUsed];
const OLD_KEY_LAST_USE: [Usage; 3] = [Usage::OldKeyLastUsed, Usage::OldKeyDeleted, Usage::OldKeyNeverUsed];

/// When and from where a key was last used, in one of `sentences`.
fn last_use_sentence(usage: &KeyUsage, [used, deleted, never]: [Usage; 3]) -> String {
    match &usage.last_use {
        Some(last) => tf(used, &[&format::relative(last.at, Clock::now()), &format::last_use_origin(last)]),
        None if usage.deleted => t(deleted).to_owned(),
        None => t(never).to_owned(),
    }
}

/// Each period: its bucket, its choice's id, label and the chart's caption.
const PERIODS: [(UsageBucket, &str, Usage, Usage); 3] = [
    (UsageBucket::Minute, "period-last-hour", Usage::LastHour, Usage::PerMinuteLastHour),
    (UsageBucket::Hour, "period-last-7-days", Usage::Last7Days, Usage::PerHourLast7Days),
    (UsageBucket::Day, "period-last-30-days", Usage::Last30Days, Usage::PerDayLast30Days),
];

fn caption_of(bucket: UsageBucket) -> &'static str {
    PERIODS.iter().find(|(each, ..)| *each == bucket).map_or("", |(.., caption)| t(*caption))
}

/// One key's traffic over a period the administrator picks, and its last use.
#[component]
pub fn KeyUsageDialog(key: ApiKey, on_close: UnsyncCallback<()>) -> impl IntoView {
    let bucket = RwSignal::new(UsageBucket::Hour);
    let usage = RwSignal::new(None::<Result<KeyUsage, ConsoleError>>);
    let budget = RwSignal::new(None::<KeyBudget>);
    let key_id = key.id.clone();
    spawn_local(async move {
        // The budget is extra: without it the usage still shows.
        if let Ok(loaded) = server_fns::load_key_budget(key_id).await {
            budget.try_set(Some(loaded));
        }
    });
    let key_id = key.id.clone();
    Effect::new(move |_| {
        let (key_id, asked) = (key_id.clone(), bucket.get());
        spawn_local(async move {
            let loaded = server_fns::load_key_usage(key_id, asked).await;
            // An answer for a period no longer chosen is dropped.
            if bucket.try_get_untracked() == Some(asked) {
                usage.try_set(Some(loaded));
            }
        });
    });
    view! {
        <Modal title=tf(Common::UsageOf, &[&format::key_label(&key)]) on_escape=on_close>
            <fieldset class="period-choice">
                <legend>{t(Usage::Period)}</legend>
                {PERIODS
                    .into_iter()
                    .map(|(each, id, label, _)| {
                        view! {
                            <input
                                type="radio"
                                name="usage-period"
                                id=id
                                checked=move || bucket.get() == each
                                on:change=move |_| bucket.set(each)
                            />
                            <label for=id>{t(label)}</label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            // The summary is announced when a period loads; the chart itself
            // is not read out again.
            <p class="visually-hidden" role="status">
                {move || usage.with(|usage| match usage {
                    Some(Ok(usage)) => format!("{}: {}.", caption_of(usage.usage.bucket), format::requests(&usage.usage.total)),
                    _ => String::new(),
                })}
            </p>
            <div>
                {move || match usage.get() {
                    None => view! { <p class="loading">{t(Common::Loading)}</p> }.into_any(),
                    Some(Err(error)) => view! {
                        <p class="error" role="alert">{format::sentence(error.localized())}</p>
                    }
                    .into_any(),
                    Some(Ok(usage)) => view! {
                        <p id="key-last-use">{last_use_sentence(&usage, KEY_LAST_USE)}</p>
                        <LimitHits total=usage.usage.total budget=budget/>
                        <UsageChart id="key-usage" caption=caption_of(usage.usage.bucket) series=usage.usage/>
                    }
                    .into_any(),
                }}
            </div>
            <KeyBudgetSection budget=budget/>
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| on_close.run(())>{t(Common::Close)}</button>
            </div>
        </Modal>
    }
}

/// What binds a key: its own credits left and rate limits, and its
/// owner's, which all of the owner's keys share.
#[component]
fn KeyBudgetSection(budget: RwSignal<Option<KeyBudget>>) -> impl IntoView {
    move || {
        budget.get().map(|KeyBudget { key, owner }| {
            let own = (key.credits.is_some() || !key.rate_limits.is_empty()).then(|| {
                view! {
                    <p id="key-credits">{tf(Usage::KeyCredits, &[&policy_form::credits_words(key.credits.as_ref())])}</p>
                    {(!key.rate_limits.is_empty()).then(|| view! {
                        <p>{tf(Usage::KeyLimits, &[&policy_form::rate_limits_words(&key.rate_limits)])}</p>
                    })}
                }
            });
            let owned = owner.as_ref().map(|owner| {
                let name = owner.external_id.as_str();
                view! {
                    <p id="owner-credits">
                        {tf(Usage::OwnerCredits, &[name, &policy_form::credits_words(owner.credits.as_ref())])}
                    </p>
                    {(!owner.rate_limits.is_empty()).then(|| view! {
                        <p>{tf(Usage::OwnerLimits, &[name, &policy_form::rate_limits_words(&owner.rate_limits)])}</p>
                    })}
                }
            });
            let unbound = own.is_none() && owned.is_none();
            view! {
                <section class="key-budget" aria-labelledby="key-budget-heading">
                    <h3 id="key-budget-heading">{t(Usage::KeyBudget)}</h3>
                    {own}
                    {owned}
                    {unbound.then(|| view! { <p>{t(Usage::Unbounded)}</p> })}
                </section>
            }
        })
    }
}

/// How many of the period's requests the key's policy refused, by why;
/// said when the key has a policy or anything was refused by one.
#[component]
fn LimitHits(total: UsageCounts, budget: RwSignal<Option<KeyBudget>>) -> impl IntoView {
    let bound = move || {
        budget.with(|budget| {
            budget.as_ref().is_some_and(|KeyBudget { key, owner }| {
                key.credits.is_some()
                    || !key.rate_limits.is_empty()
                    || !key.allowed_networks.is_empty()
                    || owner.is_some()
            })
        })
    };
    let hits = tf(
        Usage::LimitHits,
        &[&number(total.rate_limited), &number(total.credits_exhausted), &number(total.network_not_allowed)],
    );
    let any = format::limited(&total) > 0;
    move || (any || bound()).then(|| view! { <p id="key-limit-hits">{hits.clone()}</p> })
}

/// The dashboard's chart of the region's last 7 days, and its busiest keys.
#[component]
pub fn RegionTraffic(data: DashboardData) -> impl IntoView {
    const BUSIEST: usize = 5;
    let traffic = data.select(|d| {
        let busiest = d
            .usage
            .keys
            .iter()
            .take(BUSIEST)
            .map(|traffic| {
                let key = d.overview.api_keys.iter().find(|key| key.id == traffic.key_id);
                let label = match key {
                    Some(key) => format::key_label(key),
                    None => t(Common::ADeletedKey).to_owned(),
                };
                (traffic.key_id.clone(), label, format::requests(&traffic.total))
            })
            .collect::<Vec<_>>();
        (d.usage.usage.clone(), busiest)
    });
    move || {
        traffic.get().map(|(series, busiest)| {
            view! {
                <section class="panel" aria-labelledby="traffic-heading">
                    <h2 id="traffic-heading">{t(Usage::Traffic)}</h2>
                    <UsageChart id="region-usage" caption=t(Usage::AllKeysPerHour) series=series/>
                    {(!busiest.is_empty()).then(|| view! {
                        <h3>{t(Usage::BusiestKeys)}</h3>
                        <ol class="busiest">
                            {busiest
                                .into_iter()
                                .map(|(_, label, requests)| view! { <li>{label} ": " {requests}</li> })
                                .collect_view()}
                        </ol>
                    })}
                </section>
            }
        })
    }
}

/// The verify step's cut-over: both keys over the last hour per minute and
/// the last 7 days per hour, on one scale per period, and where the old
/// key was last used from.
#[component]
pub fn CutOverCharts(cut_over: CutOver) -> impl IntoView {
    let old_use = cut_over
        .old_hours
        .as_ref()
        .map_or_else(|| t(Usage::OldKeyGone).to_owned(), |usage| last_use_sentence(usage, OLD_KEY_LAST_USE));
    let periods = [
        ("minutes", Usage::OldKeyPerMinute, Usage::NewKeyPerMinute, cut_over.old_minutes, cut_over.new_minutes),
        ("hours", Usage::OldKeyPerHour, Usage::NewKeyPerHour, cut_over.old_hours, cut_over.new_hours),
    ];
    view! {
        <p id="old-key-last-use">{old_use}</p>
        {periods
            .into_iter()
            .map(|(period, old_caption, new_caption, old, new)| {
                let busiest = |usage: &KeyUsage| usage.usage.points.iter().map(|point| point.counts.total()).max();
                let scale = old.as_ref().and_then(busiest).into_iter().chain(busiest(&new)).max().unwrap_or(0);
                view! {
                    <div class="cut-over">
                        {old.map(|old| view! {
                            <UsageChart id=format!("old-key-{period}") caption=t(old_caption) series=old.usage scale=scale/>
                        })}
                        <UsageChart id=format!("new-key-{period}") caption=t(new_caption) series=new.usage scale=scale/>
                    </div>
                }
            })
            .collect_view()}
    }
}
