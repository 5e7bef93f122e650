//! The console's pages and components (browser only).

mod clipboard;
mod dashboard;
mod dialog;
mod keys;
mod reveal;
mod rotation;
mod sign_in;
mod statement;
mod usage;

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::model::SessionTimeLeft;
use leptos::callback::{Callable, UnsyncCallback};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_navigate;
use leptos_router::{NavigateOptions, path};

use crate::format;
use crate::i18n::common::Common;
use crate::i18n::statement::Statement;
use crate::i18n::{self, Lang, t, tf};
use crate::server_fns::{self, ConsoleError, Dashboard};
use dialog::Modal;

/// How often relative times ("3 min ago") are recomputed.
const CLOCK_TICK: Duration = Duration::from_secs(10);

#[component]
pub fn App() -> impl IntoView {
    let lang = stored_language()
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

/// Everything inside the router, so pages can navigate.
#[component]
fn Shell() -> impl IntoView {
    let notice = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let go = UnsyncCallback::new(move |path: String| navigate(&path, NavigateOptions::default()));
    provide_context(Navigator { go, notice });
    view! {
        <a class="skip-link" href="#content">{t(Common::SkipToContent)}</a>
        <header class="top-bar">
            <span class="brand">"Keyward"</span>
            <span class="brand-sub">{t(Common::BrandSubtitle)}</span>
            <LanguageSwitch/>
        </header>
        <main id="content" tabindex="-1">
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=dashboard::DashboardPage/>
                <Route path=path!("/sign-in") view=sign_in::SignInPage/>
                <Route path=path!("/rotation") view=rotation::RotationPage/>
                <Route path=path!("/accessibility") view=statement::StatementPage/>
            </Routes>
        </main>
        <footer class="page-foot">
            <a href="/accessibility">{t(Statement::Link)}</a>
        </footer>
    }
}

/// Where the administrator's choice of language is kept (not a secret).
const LANGUAGE_KEY: &str = "keyward.language";

fn stored_language() -> Option<Lang> {
    let stored = window().local_storage().ok()??.get_item(LANGUAGE_KEY).ok()??;
    Lang::from_tag(&stored)
}

/// Switches to the other language: remembered in this browser, applied by
/// reloading the page (which asks first while a new key is unstored).
#[component]
fn LanguageSwitch() -> impl IntoView {
    let other = match i18n::current() {
        Lang::En => Lang::Nl,
        Lang::Nl => Lang::En,
    };
    let switch = move |_| {
        if let Ok(Some(storage)) = window().local_storage() {
            let _ = storage.set_item(LANGUAGE_KEY, other.tag());
        }
        let _ = window().location().reload();
    };
    view! {
        <button type="button" id="language" class="secondary language" lang=other.tag() on:click=switch>
            {other.name()}
        </button>
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

/// Now, ticking, so relative times stay true without reloading.
#[derive(Clone, Copy)]
pub(crate) struct Clock(pub RwSignal<DateTime<Utc>>);

impl Clock {
    pub fn now() -> DateTime<Utc> {
        expect_context::<Clock>().0.get()
    }
}

/// Moves between pages, carrying a one-line notice to the next page
/// (e.g. why the session ended).
#[derive(Clone, Copy)]
pub(crate) struct Navigator {
    go: UnsyncCallback<String>,
    notice: RwSignal<Option<String>>,
}

impl Navigator {
    pub fn get() -> Self {
        expect_context()
    }

    pub fn go(self, path: impl Into<String>, notice: Option<String>) {
        self.notice.set(notice);
        self.go.run(path.into());
    }

    /// Signs out and goes to sign-in, saying so. Signed out either way: a
    /// failure here leaves at most a session that times out, and the
    /// cookie is `HttpOnly`.
    pub fn sign_out(self) {
        spawn_local(async move {
            let _ = server_fns::sign_out().await;
            self.go("/sign-in", Some(t(Common::SignedOut).to_owned()));
        });
    }

    /// The notice left for this page, taken once.
    pub fn take_notice(self) -> Option<String> {
        self.notice.try_update(Option::take).flatten()
    }

    /// Sends the administrator to sign in when `error` means there is no
    /// session; `true` if it did, so the caller shows nothing else.
    pub fn signed_out(self, error: &ConsoleError) -> bool {
        match error {
            ConsoleError::NotSignedIn => self.go("/sign-in", None),
            ConsoleError::SignedOut => self.go("/sign-in", Some(t(Common::SessionEnded).to_owned())),
            _ => return false,
        }
        true
    }
}

/// The region, its keys and an unfinished rotation, loaded from the server
/// and reloaded after every change. An ended session goes to sign-in. Once
/// loaded, a failed reload keeps what is shown (an open one-time reveal
/// must never vanish with it) and only reports the failure.
#[derive(Clone, Copy)]
pub(crate) struct DashboardData {
    state: RwSignal<Option<Result<Dashboard, ConsoleError>>>,
    refresh_error: RwSignal<Option<ConsoleError>>,
    navigator: Navigator,
}

impl DashboardData {
    pub fn load() -> Self {
        let data = Self { state: RwSignal::new(None), refresh_error: RwSignal::new(None), navigator: Navigator::get() };
        data.reload();
        data
    }

    pub fn reload(self) {
        spawn_local(async move {
            let result = server_fns::load_dashboard().await;
            if let Err(error) = &result
                && self.navigator.signed_out(error)
            {
                return;
            }
            // The page may be gone by the time the answer arrives.
            let loaded_before = self.state.try_with_untracked(|state| matches!(state, Some(Ok(_)))).unwrap_or(false);
            match result {
                Err(error) if loaded_before => {
                    self.refresh_error.try_set(Some(error));
                }
                result => {
                    self.refresh_error.try_set(None);
                    self.state.try_set(Some(result));
                }
            }
        });
    }

    /// `None` while loading.
    pub fn status(self) -> Memo<Option<Result<(), ConsoleError>>> {
        Memo::new(move |_| {
            self.state.with(|state| state.as_ref().map(|result| result.as_ref().map(|_| ()).map_err(Clone::clone)))
        })
    }

    /// A piece of the loaded data that re-renders only when it changes.
    /// The session's time left as of the latest load; tracked, it changes
    /// with every load.
    pub fn session_time_left(self) -> Option<SessionTimeLeft> {
        self.state.with(|state| Some(state.as_ref()?.as_ref().ok()?.session))
    }

    pub fn select<T: Clone + PartialEq + Send + Sync + 'static>(
        self,
        pick: impl Fn(&Dashboard) -> T + Send + Sync + 'static,
    ) -> Memo<Option<T>> {
        Memo::new(move |_| self.state.with(|state| state.as_ref().and_then(|result| result.as_ref().ok()).map(&pick)))
    }
}

/// The loading and error states every data-driven page shares.
#[component]
pub(crate) fn LoadStatus(data: DashboardData, children: ChildrenFn) -> impl IntoView {
    let status = data.status();
    move || match status.get() {
        None => view! { <p class="loading" role="status">{t(Common::Loading)}</p> }.into_any(),
        Some(Err(error)) => view! {
            <div class="error-state" role="alert">
                <p>{tf(Common::CouldNotLoad, &[&error.localized()])}</p>
                <button type="button" on:click=move |_| data.reload()>{t(Common::TryAgain)}</button>
            </div>
        }
        .into_any(),
        Some(Ok(())) => view! {
            {move || data.refresh_error.get().map(|error| view! {
                <div class="error-state" role="alert">
                    <p>{tf(Common::CouldNotRefresh, &[&error.localized()])}</p>
                    <button type="button" on:click=move |_| data.reload()>{t(Common::TryAgain)}</button>
                </div>
            })}
            <SessionTimeout data=data/>
            {children()}
        }
        .into_any(),
    }
}

/// How long before a session ends its holder is warned: WCAG 2.2.1 asks
/// for at least 20 seconds to respond.
const SESSION_WARNING_LEAD_SECS: i64 = 120;

/// Warns before the session ends: one button keeps it (any call uses it),
/// or says when it reaches its absolute limit, which nothing extends.
#[component]
fn SessionTimeout(data: DashboardData) -> impl IntoView {
    let warning = RwSignal::new(None::<SessionTimeLeft>);
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let clear = move || {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    Effect::new(move |_| {
        clear();
        warning.set(None);
        // Every load restarts the count, also one that found the same time
        // left (the server records a use at most once a minute).
        let Some(left) = data.session_time_left() else { return };
        let wait = (left.ends_in_secs() - SESSION_WARNING_LEAD_SECS).max(0);
        let shown = move || warning.set(Some(left));
        timer.set_value(set_timeout_with_handle(shown, Duration::from_secs(wait.unsigned_abs())).ok());
    });
    on_cleanup(clear);
    let navigator = Navigator::get();
    move || {
        warning.get().map(|left| {
            let minutes = (left.ends_in_secs().min(SESSION_WARNING_LEAD_SECS) / 60).max(1).to_string();
            let close = UnsyncCallback::new(move |()| warning.set(None));
            if left.can_be_extended() {
                view! {
                    <Modal title=t(Common::SessionEnding) on_escape=close>
                        <p>{tf(Common::SessionIdleWarning, &[&minutes])}</p>
                        <div class="actions">
                            <button type="button" class="primary" on:click=move |_| {
                                warning.set(None);
                                data.reload();
                            }>{t(Common::StaySignedIn)}</button>
                            <button type="button" class="secondary" on:click=move |_| navigator.sign_out()>{t(Common::SignOut)}</button>
                        </div>
                    </Modal>
                }
                .into_any()
            } else {
                view! {
                    <Modal title=t(Common::SessionEnding) on_escape=close>
                        <p>{tf(Common::SessionLimitWarning, &[&minutes])}</p>
                        <div class="actions">
                            <button type="button" class="primary" on:click=move |_| close.run(())>{t(Common::Understood)}</button>
                        </div>
                    </Modal>
                }
                .into_any()
            }
        })
    }
}

/// A time as "3 min ago", with the exact time on hover; "never" for `None`.
#[component]
pub(crate) fn RelativeTime(#[prop(into)] at: Signal<Option<DateTime<Utc>>>) -> impl IntoView {
    view! {
        <time
            datetime=move || at.get().map(format::machine_time)
            title=move || at.get().map(format::exact)
        >
            {move || format::last_used(at.get(), Clock::now())}
        </time>
    }
}

/// One server call started from a form: pending while it runs, its
/// refusal kept for the form to show; an ended session goes to sign-in.
#[derive(Clone, Copy)]
pub(crate) struct Submission {
    pub pending: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    navigator: Navigator,
}

impl Submission {
    pub fn new() -> Self {
        Self { pending: RwSignal::new(false), error: RwSignal::new(None), navigator: Navigator::get() }
    }

    /// Moves focus to `field` whenever a refusal appears, so it can be
    /// corrected at once (the submit button is disabled meanwhile).
    pub fn focus_on_refusal(self, field: NodeRef<leptos::html::Input>) -> Self {
        Effect::new(move |_| {
            if self.error.with(Option::is_some)
                && let Some(field) = field.get_untracked()
            {
                let _ = field.focus();
            }
        });
        self
    }

    /// Shows a refusal found before calling the server.
    pub fn refuse(self, message: String) {
        self.error.set(Some(format::sentence(message)));
    }

    pub fn run<T: 'static>(
        self,
        call: impl Future<Output = Result<T, ConsoleError>> + 'static,
        on_success: impl FnOnce(T) + 'static,
    ) {
        self.pending.set(true);
        self.error.set(None);
        spawn_local(async move {
            let result = call.await;
            self.pending.try_set(false);
            match result {
                Ok(value) => on_success(value),
                Err(error) if self.navigator.signed_out(&error) => {}
                Err(error) => {
                    self.error.try_set(Some(format::sentence(error.localized())));
                }
            }
        });
    }
}

/// A form's submit and cancel buttons; submit waits while the call runs.
#[component]
pub(crate) fn FormActions(
    submission: Submission,
    submit_label: &'static str,
    on_close: UnsyncCallback<()>,
    /// The submit button deletes something.
    #[prop(optional)]
    destructive: bool,
    #[prop(optional)] cancel_label: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="actions">
            <button type="submit" class=if destructive { "danger" } else { "primary" } disabled=move || submission.pending.get()>
                {submit_label}
            </button>
            <button type="button" class="secondary" on:click=move |_| on_close.run(())>{cancel_label.unwrap_or(t(Common::Cancel))}</button>
        </div>
    }
}

/// Where a form shows its refusal; announced when it appears.
#[component]
pub(crate) fn FormError(#[prop(into)] id: String, submission: Submission) -> impl IntoView {
    view! { <p id=id class="field-error" role="alert">{move || submission.error.get()}</p> }
}
