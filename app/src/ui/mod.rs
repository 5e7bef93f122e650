//! The console's pages and components (browser only), one concern per
//! file: the shell around every page, the shared state pages read (clock,
//! navigator, dashboard data, session timeout) and the form widgets.

mod clipboard;
mod clock;
mod dashboard;
mod dashboard_data;
mod dialog;
mod forms;
mod keys;
mod language;
mod lazy;
mod navigator;
mod owners;
mod people;
mod policy;
mod reveal;
mod rotation;
mod session_timeout;
mod shell;
mod sign_in;
mod statement;
mod usage;
mod webhooks;

use chrono::Utc;
use leptos::prelude::*;
use leptos_router::components::Router;

use crate::i18n::common::Common;
use crate::i18n::{self, Lang, t};
use clock::CLOCK_TICK;
use clock::{Clock, RelativeTime};
use dashboard_data::{DashboardData, LoadStatus};
use forms::{FormActions, FormError, Submission};
use navigator::Navigator;
use shell::Shell;

#[component]
pub fn App() -> impl IntoView {
    let lang = language::stored_language()
        .or_else(|| {
            let preferred = window().navigator().languages();
            Lang::preferred(
                preferred.iter().filter_map(|tag| tag.as_string()).collect::<Vec<_>>().iter().map(String::as_str),
            )
        })
        .unwrap_or_default();
    i18n::set_current(lang);
    let _ = document().document_element().map(|html| html.set_attribute("lang", lang.tag()));
    document().set_title(t(Common::PageTitle));
    let clock = RwSignal::new(Utc::now());
    set_interval(move || clock.set(Utc::now()), CLOCK_TICK);
    provide_context(Clock(clock));
    view! {
        <Router>
            <Shell/>
        </Router>
    }
}
