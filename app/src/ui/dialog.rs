//! Modal dialogs on the native `<dialog>` element: the browser makes the
//! rest of the page inert and moves focus into the dialog; we move focus
//! back to the control that opened it.

use leptos::callback::{Callable, UnsyncCallback};
use leptos::html;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

/// A modal dialog titled `title`. Escape calls `on_escape`; a dialog that
/// must not be dismissed that way passes `None`. On closing, focus returns
/// to the element with id `return_focus_to`, by default the one that had
/// focus when the dialog opened.
#[component]
pub fn Modal(
    #[prop(into)] title: String,
    #[prop(optional)] on_escape: Option<UnsyncCallback<()>>,
    #[prop(optional, into)] return_focus_to: Option<String>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    // Remembered by id, since the opener may be re-rendered meanwhile.
    let opener =
        return_focus_to.or_else(|| document().active_element().map(|element| element.id())).filter(|id| !id.is_empty());
    Effect::new(move |_| {
        if let Some(dialog) = dialog.get()
            && !dialog.open()
        {
            // Fails only if the element left the document already.
            let _ = dialog.show_modal();
        }
    });
    on_cleanup(move || {
        // After the dialog has left the document: until then the rest of
        // the page is inert and refuses focus.
        request_animation_frame(move || {
            let target = opener
                .and_then(|id| document().get_element_by_id(&id))
                .or_else(|| document().get_element_by_id("content"));
            if let Some(target) = target.and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = target.focus();
            }
        });
    });
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Escape" {
            // Never let the browser close it behind our back.
            event.prevent_default();
            if let Some(on_escape) = on_escape {
                on_escape.run(());
            }
        } else if event.key() == "Tab"
            && let Some(dialog) = dialog.get_untracked()
        {
            keep_focus_inside(&dialog, &event);
        }
    };
    view! {
        <dialog node_ref=dialog class="modal" aria-labelledby="modal-title" on:keydown=on_keydown>
            <h2 id="modal-title">{title}</h2>
            {children()}
        </dialog>
    }
}

/// What Tab can reach in a dialog.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), \
    textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// Tab from the dialog's last control goes to its first, Shift+Tab from
/// the first to the last: a modal dialog keeps focus inside (the browser
/// alone would move it on to its own toolbar).
fn keep_focus_inside(dialog: &web_sys::HtmlDialogElement, event: &leptos::ev::KeyboardEvent) {
    let Ok(found) = dialog.query_selector_all(FOCUSABLE) else { return };
    let controls: Vec<web_sys::HtmlElement> =
        (0..found.length()).filter_map(|i| found.item(i)).filter_map(|node| node.dyn_into().ok()).collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else { return };
    let active = document().active_element();
    let at = |control: &web_sys::HtmlElement| active.as_ref().is_some_and(|active| *active == **control);
    let wrap_to = if event.shift_key() { at(first).then_some(last) } else { at(last).then_some(first) };
    if let Some(target) = wrap_to {
        event.prevent_default();
        let _ = target.focus();
    }
}
