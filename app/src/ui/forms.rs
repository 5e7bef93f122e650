//! What every form shares: its server call, its buttons, its refusal.

use leptos::callback::{Callable, UnsyncCallback};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::navigator::Navigator;
use crate::format;
use crate::i18n::common::Common;
use crate::i18n::t;
use crate::server_fns::ConsoleError;

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
