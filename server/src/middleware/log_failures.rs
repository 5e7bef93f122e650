//! Failures are logged once, here: edges put a failure's details on its
//! response ([`FailureDetails`]) instead of logging where they convert it,
//! and the details never leave the server.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::FailureDetails;

pub async fn log_failures(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let mut response = next.run(request).await;
    if let Some(FailureDetails(details)) = response.extensions_mut().remove::<FailureDetails>() {
        tracing::error!(%method, %path, status = response.status().as_u16(), %details, "request failed");
    }
    response
}
