//! Runs the server function a path names, with the domain and this call's
//! context, then answers with the status the outcome's kind maps to and
//! hands a failure's details to the logging middleware.

use app::server_fns::ssr::{CallContext, Ended, Outcome};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Keyward;
use leptos::prelude::provide_context;

use crate::AppState;
use crate::error::{FailureDetails, status_of};
use crate::extract::ClientAddress;

pub async fn call(State(state): State<AppState>, ClientAddress(client): ClientAddress, request: Request) -> Response {
    let call = CallContext { client, secure_cookies: state.console.secure_cookies };
    let keyward: Keyward = state.keyward.clone();
    let outcome = Outcome::default();
    let context = outcome.clone();
    let mut response = leptos_axum::handle_server_fns_with_context(
        move || {
            provide_context(keyward.clone());
            provide_context(call);
            provide_context(context.clone());
        },
        request,
    )
    .await
    .into_response();
    match outcome.take() {
        Some(Ended::Answered) => {}
        Some(Ended::Refused(kind)) => *response.status_mut() = status_of(kind),
        Some(Ended::Failed(details)) => {
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response.extensions_mut().insert(FailureDetails(details.into()));
        }
        // The body never ran: the call's arguments did not decode.
        None if response.status().is_server_error() => *response.status_mut() = StatusCode::BAD_REQUEST,
        None => {}
    }
    response
}
