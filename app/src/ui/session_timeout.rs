//! The warning before a session ends.

use std::time::Duration;

use domain::model::SessionTimeLeft;
use leptos::callback::{Callable, UnsyncCallback};
use leptos::prelude::*;

use super::dashboard_data::DashboardData;
use super::dialog::Modal;
use super::navigator::Navigator;
use crate::i18n::common::Common;
use crate::i18n::{t, tf};

/// How long before a session ends its holder is warned: WCAG 2.2.1 asks
/// for at least 20 seconds to respond.
const SESSION_WARNING_LEAD_SECS: i64 = 120;

/// Warns before the session ends: one button keeps it (any call uses it),
/// or says when it reaches its absolute limit, which nothing extends.
#[component]
pub(super) fn SessionTimeout(data: DashboardData) -> impl IntoView {
    let warning = RwSignal::new(None::<SessionTimeLeft>);
    // "Stay signed in" was pressed and its reload has not arrived yet; once
    // it has (the count restarted), the kept session is announced.
    let staying = StoredValue::new(false);
    let kept = RwSignal::new(false);
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
        if staying.try_update_value(std::mem::take).unwrap_or(false) {
            kept.set(true);
        }
        let wait = (left.ends_in_secs() - SESSION_WARNING_LEAD_SECS).max(0);
        let shown = move || {
            kept.set(false);
            warning.set(Some(left));
        };
        timer.set_value(set_timeout_with_handle(shown, Duration::from_secs(wait.unsigned_abs())).ok());
    });
    on_cleanup(clear);
    let navigator = Navigator::get();
    let dialog = move || {
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
                                kept.set(false);
                                staying.set_value(true);
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
    };
    view! {
        <p class="visually-hidden" role="status">{move || kept.get().then(|| t(Common::SessionKept))}</p>
        {dialog}
    }
}
