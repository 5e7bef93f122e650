//! Each keyed REST call counts for its key's usage once its answer is
//! known: refused for a scope when the domain refused it so, accepted
//! otherwise (a 404 or 422 is still the key's use). A call whose client
//! went away before the answer counts as accepted: its key was used.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use domain::model::{UseDetails, UseOutcome};
use domain::{Caller, Keyward};

/// What [`crate::extract::Authenticated`] leaves for counting: the caller,
/// its request's details, and where to count them.
struct KeyUse {
    keyward: Keyward,
    caller: Caller,
    details: UseDetails,
}

/// Where the extractor leaves the [`KeyUse`]; counted when the middleware's
/// guard is done with it, answered or dropped.
#[derive(Clone, Default)]
pub struct KeyUseSlot(Arc<Mutex<Option<KeyUse>>>);

impl KeyUseSlot {
    pub fn fill(&self, keyward: Keyward, caller: Caller, details: UseDetails) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(KeyUse { keyward, caller, details });
    }

    /// Counts what the slot holds, with `outcome`.
    fn count(&self, outcome: UseOutcome) {
        if let Some(KeyUse { keyward, caller, details }) = self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
        {
            keyward.authenticator().record_use(&caller, outcome, details);
        }
    }
}

/// Counts the slot as accepted if the request ends without an answer (the
/// client went away, so the handler's future was dropped).
struct CountUnanswered(KeyUseSlot);

impl Drop for CountUnanswered {
    fn drop(&mut self) {
        self.0.count(UseOutcome::Accepted);
    }
}

/// Marks a response refused because the key lacks a scope.
#[derive(Clone, Copy, Debug)]
pub struct RefusedForScope;

pub async fn count_key_uses(mut request: Request, next: Next) -> Response {
    let slot = CountUnanswered(KeyUseSlot::default());
    request.extensions_mut().insert(slot.0.clone());
    let response = next.run(request).await;
    let outcome = match response.extensions().get::<RefusedForScope>() {
        Some(RefusedForScope) => UseOutcome::InsufficientScope,
        None => UseOutcome::Accepted,
    };
    slot.0.count(outcome);
    response
}
