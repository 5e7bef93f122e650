//! The dashboard: the region, an unfinished rotation, the keys, their
//! traffic and the latest activity.

use domain::model::{AuditEvent, EventId, KeyAccess, KeyId};
use leptos::html;
use leptos::prelude::*;

use super::clipboard::CopyButton;
use super::keys::KeysSection;
use super::owners::{Page, PageNav};
use super::usage::RegionTraffic;
use super::{DashboardData, FormError, LoadStatus, Navigator, RelativeTime, Submission};
use crate::i18n::common::Common;
use crate::i18n::dashboard::Dashboard;
use crate::i18n::{self, t, tf};
use crate::{format, server_fns};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let notice = Navigator::get().take_notice();
    let data = DashboardData::load();
    view! {
        <PageNav current=Page::Keys/>
        {notice.map(|notice| view! { <p class="notice" role="status">{notice}</p> })}
        <LoadStatus data=data>
            <RegionHeader data=data/>
            <LeakBanner data=data/>
            <RotationBanner data=data/>
            <KeysSection data=data/>
            <RegionTraffic data=data/>
            <ActivitySection data=data/>
        </LoadStatus>
    }
}

#[component]
fn RegionHeader(data: DashboardData) -> impl IntoView {
    let region = data.select(|d| d.overview.region.clone());
    let navigator = Navigator::get();
    let sign_out = move |_| navigator.sign_out();
    move || {
        region.get().map(|region| {
            let id_field = NodeRef::<html::Input>::new();
            view! {
                <section class="region-head">
                    <div>
                        <h1>
                            {region.name}
                            {region.sandbox.then(|| view! { " " <span class="badge sandbox">{t(Dashboard::Sandbox)}</span> })}
                        </h1>
                        <div class="region-id">
                            <label for="region-id">{t(Dashboard::RegionId)}</label>
                            <input id="region-id" class="token" node_ref=id_field readonly value=region.id.to_string() size="24"/>
                            <CopyButton source=id_field label=t(Dashboard::CopyRegionId)/>
                        </div>
                    </div>
                    <button type="button" class="secondary" on:click=sign_out>{t(Common::SignOut)}</button>
                </section>
            }
        })
    }
}

/// Keys found in public: where, when, and the way to replace each.
#[component]
fn LeakBanner(data: DashboardData) -> impl IntoView {
    let leaked = data.select(|d| {
        d.overview
            .api_keys
            .iter()
            .filter_map(|key| key.quarantine.clone().map(|found| (key.id.clone(), format::key_label(key), found)))
            .collect::<Vec<_>>()
    });
    let navigator = Navigator::get();
    move || {
        let leaked = leaked.get().unwrap_or_default();
        (!leaked.is_empty()).then(|| {
            view! {
                <section class="banner leak" aria-labelledby="leak-banner">
                    <h2 id="leak-banner">{t(Dashboard::LeakHeading)}</h2>
                    <ul>
                        {leaked
                            .into_iter()
                            .map(|(id, label, found)| {
                                let replace = format!("/rotation?key={id}");
                                view! {
                                    <li>
                                        <p>
                                            <strong>{label.clone()}</strong>
                                            {tf(Dashboard::LeakWhere, &[&format::where_found(&found)])}
                                            <RelativeTime at=Signal::stored(Some(found.at))/>
                                            {t(Dashboard::LeakConsequence)}
                                        </p>
                                        <button
                                            type="button"
                                            id=format!("replace-{id}")
                                            class="primary"
                                            aria-label=tf(Dashboard::ReplaceKey, &[&label])
                                            on:click=move |_| navigator.go(replace.clone(), None)
                                        >
                                            {t(Dashboard::ReplaceThisKey)}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

#[component]
fn RotationBanner(data: DashboardData) -> impl IntoView {
    let rotation = data.select(|d| {
        d.rotation.as_ref().map(|rotation| {
            let preview =
                |id: &KeyId| d.overview.api_keys.iter().find(|key| key.id == *id).map(|key| key.token_preview.clone());
            let old =
                rotation.old_key_id.as_ref().and_then(preview).unwrap_or_else(|| t(Common::ADeletedKey).to_owned());
            let new = preview(&rotation.new_key_id).unwrap_or_default();
            (old, new, rotation.started_at)
        })
    });
    let may_write = data.select(|d| d.session_scopes().allow(KeyAccess::Write));
    let may_write = move || may_write.get().unwrap_or(false);
    let navigator = Navigator::get();
    move || {
        rotation.get().flatten().map(|(old, new, started_at)| {
            view! {
                <section class="banner" aria-labelledby="rotation-banner">
                    <h2 id="rotation-banner">{t(Dashboard::RotationHeading)}</h2>
                    <p>
                        {t(Dashboard::RotationNewKey)} <code>{new}</code> {t(Dashboard::RotationReplaces)} <code>{old}</code>
                        {t(Dashboard::RotationStarted)} <RelativeTime at=Signal::stored(Some(started_at))/> "."
                    </p>
                    <button
                        type="button"
                        id="resume-rotation"
                        class="primary"
                        disabled=move || !may_write()
                        aria-describedby=move || (!may_write()).then_some("resume-reason")
                        on:click=move |_| navigator.go("/rotation", None)
                    >
                        {t(Dashboard::ResumeRotation)}
                    </button>
                    <Show when=move || !may_write()>
                        <p id="resume-reason" class="hint">{t(Dashboard::ResumeReason)}</p>
                    </Show>
                </section>
            }
        })
    }
}

/// The latest entries of the region's audit log, and older ones a page at
/// a time, back to the first.
#[component]
fn ActivitySection(data: DashboardData) -> impl IntoView {
    let head = data.select(|d| d.activity.clone());
    let named = data.select(|d| (d.overview.api_keys.clone(), d.overview.current_api_key_id.clone()));
    // Older pages, loaded on request; a fresh first page starts them over.
    let older = RwSignal::new(Vec::<AuditEvent>::new());
    let next = RwSignal::new(None::<EventId>);
    Effect::new(move |_| {
        if let Some(head) = head.get() {
            older.set(Vec::new());
            next.set(head.next);
        }
    });
    let entries = Memo::new(move |_| {
        let Some((keys, current)) = named.get() else { return Vec::new() };
        let head = head.get().map(|page| page.events).unwrap_or_default();
        head.iter()
            .chain(older.get().iter())
            .map(|event| {
                let (what, who) = format::audit_entry(event, &keys, current.as_ref());
                (event.id, event.at, what, who, event.client_address.clone())
            })
            .collect::<Vec<_>>()
    });
    let submission = Submission::new();
    let show_older = move |_| {
        let Some(before) = next.get_untracked() else { return };
        submission.run(server_fns::load_activity(before), move |page| {
            // A reload meanwhile started the list over: this page is stale.
            if next.get_untracked() == Some(before) {
                older.update(|older| older.extend(page.events));
                next.set(page.next);
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="activity-heading">
            <h2 id="activity-heading">{t(Dashboard::RecentActivity)}</h2>
            <div class="table-scroll">
                <table aria-labelledby="activity-heading">
                    <thead>
                        <tr>
                            <th scope="col">{t(Dashboard::When)}</th>
                            <th scope="col">{t(Dashboard::What)}</th>
                            <th scope="col">{t(Dashboard::By)}</th>
                            <th scope="col">{t(Dashboard::From)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || entries.get() key=|entry| entry.0 let((_, at, what, who, from))>
                            <tr>
                                <td><RelativeTime at=Signal::stored(Some(at))/></td>
                                <td>{what}</td>
                                <td>{who}</td>
                                <td>{from.unwrap_or_else(|| "—".to_owned())}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
            <Show
                when=move || next.with(Option::is_some)
                fallback=|| view! { <p class="hint">{t(Dashboard::FirstEntry)}</p> }
            >
                <button type="button" id="older-activity" class="secondary" disabled=move || submission.pending.get() on:click=show_older>
                    {t(Dashboard::ShowOlder)}
                </button>
            </Show>
            <FormError id="activity-error" submission=submission/>
            <p class="visually-hidden" role="status">
                {move || tf(Dashboard::EntriesShown, &[&i18n::number(entries.with(Vec::len) as u64)])}
            </p>
        </section>
    }
}
