//! The one-time reveal of a new key's token.

use domain::model::CreatedApiKey;
use leptos::callback::{Callable, UnsyncCallback};
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsValue;

use super::clipboard::CopyButton;
use crate::i18n::common::Common;
use crate::i18n::keys::Keys;
use crate::i18n::t;

/// Shows `created`'s token once, with a Copy button. Only "I have stored
/// this key" closes it; until then, leaving the page or going back asks
/// first. The token lives only in this component's props: the parent drops
/// it on `on_stored`.
#[component]
pub fn OneTimeReveal(created: CreatedApiKey, on_stored: UnsyncCallback<()>) -> impl IntoView {
    let field = NodeRef::<html::Input>::new();
    guard_leaving();
    let CreatedApiKey { key, token } = created;
    view! {
        <div class="reveal">
            <p class="reveal-notice" role="alert">
                <strong>{t(Keys::StoreNow)}</strong>
                " "
                {t(Keys::OnlyHashKept)}
            </p>
            <label for="revealed-token">{t(Common::ApiKey)} " " {key.description.map(|d| format!("“{d}”"))}</label>
            <div class="reveal-field">
                <input
                    id="revealed-token"
                    class="token"
                    node_ref=field
                    readonly
                    autocomplete="off"
                    spellcheck="false"
                    value=token
                    on:focus:target=|event| event.target().select()
                />
                <CopyButton source=field label=t(Keys::CopyApiKey)/>
            </div>
            <div class="actions">
                <button type="button" class="primary" on:click=move |_| on_stored.run(())>{t(Keys::Stored)}</button>
            </div>
        </div>
    }
}

/// The state of the history entry that stands between a reveal and the
/// browser's Back button.
const BACK_GUARD: &str = "keyward-one-time-reveal";

/// Asks before the page is unloaded, and before Back leaves the reveal.
/// Back within the console unloads nothing, so `beforeunload` cannot see
/// it: an extra history entry at the same URL takes the first Back, and the
/// administrator either confirms (and goes on back) or stays.
fn guard_leaving() {
    let confirmed = StoredValue::new(false);
    let unloading = window_event_listener(ev::beforeunload, move |event| {
        if !confirmed.get_value() {
            event.prevent_default();
            // Older browsers prompt only when the return value is not empty.
            event.set_return_value(t(Keys::LeaveWarning));
        }
    });
    let Ok(history) = window().history() else {
        on_cleanup(move || unloading.remove());
        return;
    };
    let guard = JsValue::from_str(BACK_GUARD);
    let _ = history.push_state(&guard, "");
    let going_back = window_event_listener(ev::popstate, {
        let history = history.clone();
        move |_| {
            if confirmed.get_value() {
                return;
            }
            if window().confirm_with_message(t(Keys::LeaveWarning)).unwrap_or(true) {
                confirmed.set_value(true);
                let _ = history.back();
            } else {
                let _ = history.push_state(&guard, "");
            }
        }
    });
    on_cleanup(move || {
        unloading.remove();
        going_back.remove();
        // Stored: take the guard entry out again, unless Back already did.
        if history.state().ok().and_then(|state| state.as_string()).as_deref() == Some(BACK_GUARD) {
            let _ = history.back();
        }
    });
}
