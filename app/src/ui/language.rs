//! The console's language: the administrator's choice, kept in this browser.

use leptos::prelude::*;

use crate::i18n::{self, Lang};

/// Where the administrator's choice of language is kept (not a secret).
const LANGUAGE_KEY: &str = "keyward.language";

pub(super) fn stored_language() -> Option<Lang> {
    let stored = window().local_storage().ok()??.get_item(LANGUAGE_KEY).ok()??;
    Lang::from_tag(&stored)
}

/// Switches to the other language: remembered in this browser, applied by
/// reloading the page (which asks first while a new key is unstored).
#[component]
pub(super) fn LanguageSwitch() -> impl IntoView {
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
