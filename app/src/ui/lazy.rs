//! The pages that load when they are needed. Each `#[wasm_split]` function
//! below marks a split point: the build (`scripts/split-console.sh`, Trunk's
//! post-build hook) moves the code only the functions of one module name
//! reach into a module of that name, which the browser fetches the first
//! time such a page opens. The sign-in page, the frame and the router stay
//! in the main module, so the first load of `/sign-in` carries none of the
//! dashboard, the usage charts, the rotation wizard or the accessibility
//! statement. The wizard and the owners and webhooks pages share the
//! `dashboard` module: they use most of the dashboard's code, and one module
//! is 25 KB smaller on the wire than two (docs/src/benchmarks.md).
//!
//! A split function returns the page's constructor rather than the page:
//! a plain `fn` pointer, which the resource can keep and hand out again.
//! A module that fails to load (offline, blocked) shows a readable
//! message with a retry; a retry fetches it afresh.

use leptos::prelude::*;
use leptos::wasm_split::{SplitLoaderError, wasm_split};

use crate::i18n::common::Common;
use crate::i18n::t;

type Page = fn() -> AnyView;

#[wasm_split(dashboard, fallible, wasm_split_path = ::leptos::wasm_split, preload(preload_dashboard))]
fn dashboard_page() -> Result<Page, SplitLoaderError> {
    Ok(|| super::dashboard::DashboardPage().into_any())
}

#[wasm_split(dashboard, fallible, wasm_split_path = ::leptos::wasm_split)]
fn rotation_page() -> Result<Page, SplitLoaderError> {
    Ok(|| super::rotation::RotationPage().into_any())
}

#[wasm_split(dashboard, fallible, wasm_split_path = ::leptos::wasm_split)]
fn owners_page() -> Result<Page, SplitLoaderError> {
    Ok(|| super::owners::OwnersPage().into_any())
}

#[wasm_split(dashboard, fallible, wasm_split_path = ::leptos::wasm_split)]
fn webhooks_page() -> Result<Page, SplitLoaderError> {
    Ok(|| super::webhooks::WebhooksPage().into_any())
}

// A person's region choice and the Administrators page ride with the
// dashboard, where both lead and whose tables and forms they share.
#[wasm_split(dashboard, fallible, wasm_split_path = ::leptos::wasm_split)]
fn choose_region_page() -> Result<Page, SplitLoaderError> {
    Ok(|| super::people::ChooseRegionPage().into_any())
}

#[wasm_split(dashboard, fallible, wasm_split_path = ::leptos::wasm_split)]
fn administrators_page() -> Result<Page, SplitLoaderError> {
    Ok(|| super::people::AdministratorsPage().into_any())
}

#[wasm_split(statement, fallible, wasm_split_path = ::leptos::wasm_split)]
fn statement_page() -> Result<Page, SplitLoaderError> {
    Ok(|| super::statement::StatementPage().into_any())
}

pub(super) fn dashboard() -> impl IntoView {
    on_demand(dashboard_page)
}

pub(super) fn rotation() -> impl IntoView {
    on_demand(rotation_page)
}

pub(super) fn owners() -> impl IntoView {
    on_demand(owners_page)
}

pub(super) fn webhooks() -> impl IntoView {
    on_demand(webhooks_page)
}

pub(super) fn choose_region() -> impl IntoView {
    on_demand(choose_region_page)
}

pub(super) fn administrators() -> impl IntoView {
    on_demand(administrators_page)
}

pub(super) fn statement() -> impl IntoView {
    on_demand(statement_page)
}

/// The page `load` gives, "Loading…" until then, and a retry if its
/// module could not be fetched.
fn on_demand<Load>(load: fn() -> Load) -> impl IntoView
where
    Load: Future<Output = Result<Page, SplitLoaderError>> + 'static,
{
    let page = LocalResource::new(load);
    move || match page.get() {
        None => view! { <p class="loading" role="status">{t(Common::Loading)}</p> }.into_any(),
        Some(Ok(page)) => untrack(page),
        Some(Err(_)) => view! {
            <div class="error-state" role="alert">
                <p>{t(Common::PartNotLoaded)}</p>
                <button type="button" on:click=move |_| page.refetch()>{t(Common::TryAgain)}</button>
            </div>
        }
        .into_any(),
    }
}

/// Starts fetching the dashboard's module (signing in leads there), so it
/// arrives while the server checks the key. A failure shows on the page.
pub(super) fn prefetch_dashboard() {
    leptos::task::spawn_local(async {
        let _ = preload_dashboard().await;
    });
}
