//! Moving between pages, with a notice for the next one.

use leptos::callback::{Callable, UnsyncCallback};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::common::Common;
use crate::i18n::t;
use crate::server_fns::{self, ConsoleError};

/// Moves between pages, carrying a one-line notice to the next page
/// (e.g. why the session ended).
#[derive(Clone, Copy)]
pub(crate) struct Navigator {
    go: UnsyncCallback<String>,
    notice: RwSignal<Option<String>>,
}

impl Navigator {
    pub(super) fn new(go: UnsyncCallback<String>, notice: RwSignal<Option<String>>) -> Self {
        Self { go, notice }
    }

    pub fn get() -> Self {
        expect_context()
    }

    pub fn go(self, path: impl Into<String>, notice: Option<String>) {
        self.notice.set(notice);
        self.go.run(path.into());
    }

    /// Signs out and goes to sign-in, saying so. Signed out either way: a
    /// failure here leaves at most a session that times out, and the
    /// cookie is `HttpOnly`.
    pub fn sign_out(self) {
        spawn_local(async move {
            let _ = server_fns::sign_out().await;
            self.go("/sign-in", Some(t(Common::SignedOut).to_owned()));
        });
    }

    /// The notice left for this page, taken once.
    pub fn take_notice(self) -> Option<String> {
        self.notice.try_update(Option::take).flatten()
    }

    /// Sends the administrator to sign in when `error` means there is no
    /// session; `true` if it did, so the caller shows nothing else.
    pub fn signed_out(self, error: &ConsoleError) -> bool {
        match error {
            ConsoleError::NotSignedIn => self.go("/sign-in", None),
            ConsoleError::SignedOut => self.go("/sign-in", Some(t(Common::SessionEnded).to_owned())),
            _ => return false,
        }
        true
    }
}
