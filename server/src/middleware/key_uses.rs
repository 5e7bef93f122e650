//! How a keyed REST call counts for its key's usage: the whole protocol,
//! here and nowhere else. Its outcome is known only once the handler has
//! answered, so the use is opened going in and finished coming out:
//!
//! 1. [`count_key_uses`] wraps every keyed REST route and gives the request
//!    an empty [`OpenUse`] in its extensions.
//! 2. [`crate::extract::Authenticated`] authenticates through the domain's
//!    `Authenticator::authenticate_use` and leaves the [`KeyUse`] it opens
//!    in that [`OpenUse`] ([`OpenUse::hold`]). On a route without this
//!    middleware it refuses with a 500 instead: a keyed call is never left
//!    uncounted.
//! 3. The handler answers. A domain refusal carries the [`UseOutcome`] the
//!    domain gives it ([`domain::Error::use_outcome`]) in its response's
//!    extensions (`ApiError::into_response`); any other answer, a 404 or
//!    422 too, is the key's accepted use.
//! 4. [`count_key_uses`] finishes the use with that outcome. If the client
//!    goes away first, the handler's future is dropped with the use, and
//!    the domain counts a dropped use as accepted: the key was used.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use domain::KeyUse;
use domain::model::UseOutcome;

/// Where [`crate::extract::Authenticated`] leaves the use it opened, for
/// [`count_key_uses`] to finish (steps 2 and 4 of the protocol above).
#[derive(Clone, Default)]
pub struct OpenUse(Arc<Mutex<Option<KeyUse>>>);

impl OpenUse {
    /// Keeps `key_use` until the request is answered.
    pub fn hold(&self, key_use: KeyUse) {
        *self.lock() = Some(key_use);
    }

    fn take(&self) -> Option<KeyUse> {
        self.lock().take()
    }

    /// The slot holds a plain value, so one a panicking thread left
    /// behind is still sound.
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<KeyUse>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub async fn count_key_uses(mut request: Request, next: Next) -> Response {
    let open = OpenUse::default();
    request.extensions_mut().insert(open.clone());
    let response = next.run(request).await;
    if let Some(key_use) = open.take() {
        key_use.finish(response.extensions().get::<UseOutcome>().copied().unwrap_or(UseOutcome::Accepted));
    }
    response
}
