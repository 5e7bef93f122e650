//! The one-time reveal of a new key's token.

use domain::CreatedApiKey;
use leptos::callback::{Callable, UnsyncCallback};
use leptos::ev;
use leptos::html;
use leptos::prelude::*;

use super::clipboard::CopyButton;

/// Shows `created`'s token once, with a Copy button. Only "I have stored
/// this key" closes it; until then, leaving the page asks first. The token
/// lives only in this component's props: the parent drops it on `on_stored`.
#[component]
pub fn OneTimeReveal(created: CreatedApiKey, on_stored: UnsyncCallback<()>) -> impl IntoView {
    let field = NodeRef::<html::Input>::new();
    let leaving = window_event_listener(ev::beforeunload, |event| {
        event.prevent_default();
        // Older browsers show the prompt only when a return value is set.
        event.set_return_value("");
    });
    on_cleanup(move || leaving.remove());
    let CreatedApiKey { key, token } = created;
    view! {
        <div class="reveal">
            <p class="reveal-notice" role="alert">
                <strong>"Store this key now: you will not see it again."</strong>
                " Keyward keeps only a hash of it, so nobody can show it again, not even an administrator."
            </p>
            <label for="revealed-token">"API key " {key.description.map(|d| format!("“{d}”"))}</label>
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
                <CopyButton source=field label="Copy API key"/>
            </div>
            <div class="actions">
                <button type="button" class="primary" on:click=move |_| on_stored.run(())>"I have stored this key"</button>
            </div>
        </div>
    }
}
