//! Liveness and readiness probes.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use domain::Keyward;
use serde::Serialize;

use crate::error::{ApiError, Problem};

/// A probe must answer quickly, also while the pool waits for a database
/// that does not answer.
const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The process can serve: its database answers.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Problem)))]
pub async fn readyz(State(keyward): State<Keyward>) -> Result<Json<Health>, ApiError> {
    match tokio::time::timeout(READINESS_TIMEOUT, keyward.ping()).await {
        Ok(Ok(())) => Ok(Json(Health { status: "ready" })),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check failed");
            Err(ApiError::Unavailable)
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            Err(ApiError::Unavailable)
        }
    }
}
