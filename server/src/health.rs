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
    /// Readiness only: where this process answers warm keys from right now,
    /// `memory` (its coherent cache) or `database` (a read per request,
    /// while the cache cannot prove it is current, or when it is off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warm_keys_from: Option<&'static str>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok", warm_keys_from: None })
}

/// The process can serve: its database answers.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Problem)))]
pub async fn readyz(State(keyward): State<Keyward>) -> Result<Json<Health>, ApiError> {
    match tokio::time::timeout(READINESS_TIMEOUT, keyward.ping()).await {
        Ok(Ok(())) => {
            let warm_keys_from = if keyward.is_cache_trusted() { "memory" } else { "database" };
            Ok(Json(Health { status: "ready", warm_keys_from: Some(warm_keys_from) }))
        }
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
