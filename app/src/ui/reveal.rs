//! The one-time reveal of a secret: a new key's token, a webhook's
//! signing secret.

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
    let CreatedApiKey { key, token } = created;
    let label = format!("{} {}", t(Common::ApiKey), key.description.map(|d| format!("“{d}”")).unwrap_or_default());
    let words = RevealWords {
        store_now: t(Keys::StoreNow),
        why: t(Keys::OnlyHashKept),
        copy: t(Keys::CopyApiKey),
        stored: t(Keys::Stored),
        leave_warning: t(Keys::LeaveWarning),
    };
    view! { <RevealSecret secret=token field_id="revealed-token" label=label.trim_end().to_owned() words=words on_stored=on_stored/> }
}

/// What a reveal says about its secret.
#[derive(Clone, Copy)]
pub struct RevealWords {
    /// "Store this … now: you will not see it again."
    pub store_now: &'static str,
    /// Why nobody can show it again.
    pub why: &'static str,
    pub copy: &'static str,
    /// "I have stored this …", the only way to close it.
    pub stored: &'static str,
    /// Asked before leaving the page with it unstored.
    pub leave_warning: &'static str,
}

/// Shows `secret` once in a read-only field labelled `label`, with a Copy
/// button. Only the `stored` button closes it; until then, leaving the page
/// or going back asks first. The secret lives only in this component's
/// props: the parent drops it on `on_stored`.
#[component]
pub fn RevealSecret(
    secret: String,
    field_id: &'static str,
    label: String,
    words: RevealWords,
    on_stored: UnsyncCallback<()>,
) -> impl IntoView {
    let field = NodeRef::<html::Input>::new();
    guard_leaving(words.leave_warning);
    view! {
        <div class="reveal">
            <p class="reveal-notice" role="alert">
                <strong>{words.store_now}</strong>
                " "
                {words.why}
            </p>
            <label for=field_id>{label}</label>
            <div class="reveal-field">
                <input
                    id=field_id
                    class="token"
                    node_ref=field
                    readonly
                    autocomplete="off"
                    spellcheck="false"
                    value=secret
                    on:focus:target=|event| event.target().select()
                />
                <CopyButton source=field label=words.copy/>
            </div>
            <div class="actions">
                <button type="button" class="primary" on:click=move |_| on_stored.run(())>{words.stored}</button>
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
fn guard_leaving(warning: &'static str) {
    let confirmed = StoredValue::new(false);
    let unloading = window_event_listener(ev::beforeunload, move |event| {
        if !confirmed.get_value() {
            event.prevent_default();
            // Older browsers prompt only when the return value is not empty.
            event.set_return_value(warning);
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
            if window().confirm_with_message(warning).unwrap_or(true) {
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
