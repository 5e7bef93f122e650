//! Each keyed REST call counts for its key's usage once its answer is
//! known: refused for a scope when the domain refused it so, accepted
//! otherwise (a 404 or 422 is still the key's use).

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use domain::model::{UseDetails, UseOutcome};
use domain::{Caller, Keyward};

/// Where [`crate::extract::Authenticated`] leaves the caller for counting.
#[derive(Clone, Default)]
pub struct KeyUseSlot(Arc<Mutex<Option<(Caller, UseDetails)>>>);

impl KeyUseSlot {
    pub fn fill(&self, caller: Caller, details: UseDetails) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some((caller, details));
    }

    fn take(&self) -> Option<(Caller, UseDetails)> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Marks a response refused because the key lacks a scope.
#[derive(Clone, Copy, Debug)]
pub struct RefusedForScope;

pub async fn count_key_uses(State(keyward): State<Keyward>, mut request: Request, next: Next) -> Response {
    let slot = KeyUseSlot::default();
    request.extensions_mut().insert(slot.clone());
    let response = next.run(request).await;
    if let Some((caller, details)) = slot.take() {
        let outcome = match response.extensions().get::<RefusedForScope>() {
            Some(RefusedForScope) => UseOutcome::InsufficientScope,
            None => UseOutcome::Accepted,
        };
        keyward.authenticator().record_use(&caller, outcome, details);
    }
    response
}
