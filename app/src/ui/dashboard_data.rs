//! The data the dashboard and the rotation wizard show, and the loading
//! and error states they share.

use domain::model::SessionTimeLeft;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::navigator::Navigator;
use super::session_timeout::SessionTimeout;
use crate::i18n::common::Common;
use crate::i18n::{t, tf};
use crate::server_fns::{self, ConsoleError, Dashboard};

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
        self.answer(server_fns::load_dashboard(), |state, dashboard| *state = Some(Ok(dashboard)));
    }

    /// Refreshes a part of the loaded data: `call`'s answer goes in with
    /// `update`. Its failures are reported as [`Self::reload`]'s are.
    pub fn refresh<T: 'static>(
        self,
        call: impl Future<Output = Result<T, ConsoleError>> + 'static,
        update: impl FnOnce(&mut Dashboard, T) + 'static,
    ) {
        self.answer(call, move |state, value| {
            if let Some(Ok(dashboard)) = state {
                update(dashboard, value);
            }
        });
    }

    fn answer<T: 'static>(
        self,
        call: impl Future<Output = Result<T, ConsoleError>> + 'static,
        apply: impl FnOnce(&mut Option<Result<Dashboard, ConsoleError>>, T) + 'static,
    ) {
        spawn_local(async move {
            let result = call.await;
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
                Err(error) => {
                    self.refresh_error.try_set(None);
                    self.state.try_set(Some(Err(error)));
                }
                Ok(value) => {
                    self.refresh_error.try_set(None);
                    self.state.try_update(|state| apply(state, value));
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
