//! Sign-in with an API key of the region.

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use super::{FormError, Navigator, Submission, lazy, people};
use crate::i18n::common::Common;
use crate::i18n::t;
use crate::server_fns;

#[component]
pub fn SignInPage() -> impl IntoView {
    let navigator = Navigator::get();
    let notice = navigator.take_notice();
    let field = NodeRef::<html::Input>::new();
    let submission = Submission::new().focus_on_refusal(field);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = field.get() else { return };
        lazy::prefetch_dashboard();
        submission.run(server_fns::sign_in(input.value()), move |()| navigator.go("/", None));
    };
    view! {
        <section class="panel narrow">
            <h1>{t(Common::SignIn)}</h1>
            {notice.map(|notice| view! { <p class="notice" role="status">{notice}</p> })}
            <people::SignInWays>
            <p>{t(Common::SignInHelp)}</p>
            <form on:submit=submit>
                <label for="api-key">{t(Common::ApiKey)}</label>
                <input
                    id="api-key"
                    node_ref=field
                    type="password"
                    class="token"
                    autocomplete="off"
                    spellcheck="false"
                    required
                    autofocus
                    aria-describedby="sign-in-error"
                    aria-invalid=move || submission.error.with(Option::is_some).to_string()
                />
                <FormError id="sign-in-error" submission=submission/>
                <button type="submit" class="primary" disabled=move || submission.pending.get()>
                    {move || t(if submission.pending.get() { Common::SigningIn } else { Common::SignIn })}
                </button>
            </form>
            </people::SignInWays>
        </section>
    }
}
