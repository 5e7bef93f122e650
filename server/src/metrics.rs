//! `GET /metrics` in the Prometheus text format, with `--metrics`: what to
//! watch Keyward with. Counters and histograms are recorded where things
//! happen (the `metrics` facade, also in the domain); gauges of state
//! (the pool, live sessions, the cache's trust) are read at each scrape.

use std::sync::OnceLock;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::AppState;
use crate::error::ApiError;

/// The process-wide recorder, installed on first use.
pub fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Only this function installs one, once.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Counts every routed request by route template, method and status.
pub async fn count_requests(request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "other".to_owned(), |path| path.as_str().to_owned());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("keyward_http_requests_total", "route" => route, "method" => method, "status" => status)
        .increment(1);
    response
}

/// The method as a label: one of the standard methods, else `other`. A
/// client may send any method (`/auth/check` accepts them all), and each
/// distinct label is a series kept for the life of the process.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"];
    KNOWN.into_iter().find(|known| *known == method.as_str()).unwrap_or("other")
}

/// The metrics, when turned on; otherwise no such route.
pub async fn render(State(state): State<AppState>) -> Response {
    let Some(handle) = &state.metrics else { return ApiError::NoRoute.into_response() };
    let keyward = &state.keyward;
    metrics::gauge!("keyward_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    metrics::gauge!("keyward_verification_cache_trusted").set(f64::from(u8::from(keyward.is_cache_trusted())));
    metrics::gauge!("keyward_verification_cache_keys").set(keyward.cached_keys() as f64);
    let (open, idle) = keyward.database_connections();
    metrics::gauge!("keyward_database_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("keyward_database_connections", "state" => "in_use").set(f64::from(open) - idle as f64);
    match keyward.sessions().live().await {
        Ok(live) => metrics::gauge!("keyward_console_sessions").set(live as f64),
        Err(error) => tracing::warn!(%error, "cannot count live console sessions for /metrics"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render()).into_response()
}
