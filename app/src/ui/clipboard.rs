//! Copying to the clipboard, with a fallback that selects the text.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::common::Common;
use crate::i18n::t;

/// Copies the value of `source`. Uses the Clipboard API when the page may
/// (a secure context, and the browser agrees); otherwise selects the text
/// and asks the administrator to press Ctrl+C.
#[component]
pub fn CopyButton(
    source: NodeRef<html::Input>,
    /// The button's accessible name, e.g. "Copy API key".
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let outcome = RwSignal::new(None::<&'static str>);
    let copy = move |_| {
        let Some(input) = source.get() else { return };
        spawn_local(async move {
            let copied = write_clipboard(&input.value()).await;
            if !copied {
                input.select();
            }
            outcome.try_set(Some(t(if copied { Common::Copied } else { Common::SelectedToCopy })));
        });
    };
    view! {
        <button type="button" class="secondary" on:click=copy>{label}</button>
        <span class="copy-outcome" role="status">{move || outcome.get()}</span>
    }
}

async fn write_clipboard(text: &str) -> bool {
    let window = window();
    // `navigator.clipboard` only exists in secure contexts (HTTPS, localhost).
    if !window.is_secure_context() {
        return false;
    }
    JsFuture::from(window.navigator().clipboard().write_text(text)).await.is_ok()
}
