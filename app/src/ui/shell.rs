//! Everything around the pages: the top bar, the routes and the footer.

use leptos::callback::UnsyncCallback;
use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::hooks::use_navigate;
use leptos_router::{NavigateOptions, path};

use super::language::LanguageSwitch;
use super::navigator::Navigator;
use super::{lazy, sign_in};
use crate::i18n::common::Common;
use crate::i18n::statement::Statement;
use crate::i18n::t;

/// Everything inside the router, so pages can navigate.
#[component]
pub(super) fn Shell() -> impl IntoView {
    let notice = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let go = UnsyncCallback::new(move |path: String| navigate(&path, NavigateOptions::default()));
    provide_context(Navigator::new(go, notice));
    view! {
        <a class="skip-link" href="#content">{t(Common::SkipToContent)}</a>
        <header class="top-bar">
            <span class="brand">"Keyward"</span>
            <span class="brand-sub">{t(Common::BrandSubtitle)}</span>
            <LanguageSwitch/>
        </header>
        <main id="content" tabindex="-1">
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=lazy::dashboard/>
                <Route path=path!("/sign-in") view=sign_in::SignInPage/>
                <Route path=path!("/rotation") view=lazy::rotation/>
                <Route path=path!("/owners") view=lazy::owners/>
                <Route path=path!("/webhooks") view=lazy::webhooks/>
                <Route path=path!("/accessibility") view=lazy::statement/>
                <Route path=path!("/choose-region") view=lazy::choose_region/>
                <Route path=path!("/administrators") view=lazy::administrators/>
            </Routes>
        </main>
        <footer class="page-foot">
            <a href="/administrators">{t(Common::Administrators)}</a>
            " · "
            <a href="/accessibility">{t(Statement::Link)}</a>
        </footer>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="panel">
            <h1>{t(Common::PageNotFound)}</h1>
            <p><a href="/">{t(Common::GoToDashboard)}</a></p>
        </section>
    }
}
