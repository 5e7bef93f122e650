//! Runs the server function a path names, with the domain and this call's
//! context, then answers with the status the outcome's kind maps to and
//! hands a failure's details to the logging middleware.

use app::server_fns::ConsoleError;
use app::server_fns::ssr::{CallContext, Ended, Outcome};
use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Keyward;
use domain::model::{ErrorKind, ProblemCode};
use http_body_util::LengthLimitError;
use leptos::prelude::provide_context;

use crate::error::{FailureDetails, status_of};
use crate::extract::ClientAddress;
use crate::{AppState, BODY_LIMIT_BYTES};

/// Console calls are small forms: a larger body is refused (413) in the
/// console's own error format, whether its length was declared or not.
pub async fn refuse_large_bodies(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let error = match axum::body::to_bytes(body, BODY_LIMIT_BYTES).await {
        Ok(bytes) => return next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(error) => error.into_inner(),
    };
    if error.downcast_ref::<LengthLimitError>().is_some() {
        let refused = ConsoleError::Refused {
            kind: ErrorKind::Invalid,
            code: ProblemCode::PayloadTooLarge,
            message: format!("the request is larger than {BODY_LIMIT_BYTES} bytes"),
        };
        return (StatusCode::PAYLOAD_TOO_LARGE, Json(refused)).into_response();
    }
    // Cut off, timed out or badly encoded: the request never arrived whole.
    let unread = ConsoleError::Transport("the request's body could not be read".to_owned());
    (StatusCode::BAD_REQUEST, Json(unread)).into_response()
}

pub async fn call(State(state): State<AppState>, ClientAddress(client): ClientAddress, request: Request) -> Response {
    let call = CallContext { client, secure_cookies: state.console.secure_cookies };
    let keyward: Keyward = state.keyward.clone();
    let options = state.sign_in.offered();
    let outcome = Outcome::default();
    let context = outcome.clone();
    let mut response = leptos_axum::handle_server_fns_with_context(
        move || {
            provide_context(keyward.clone());
            provide_context(call);
            provide_context(options.clone());
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
