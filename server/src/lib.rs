//! The `keyward` server: the REST API, the console's host and the CLI.
//! [`app`] builds the whole router, so tests drive exactly what runs.
//!
//! Requests flow one way: an extractor (`extract`) parses the request, a
//! thin handler (`rest`, `health`, `console`) calls the domain, and
//! `error` maps the domain's refusals to HTTP in one place.

pub mod administrators;
pub mod cli;
pub mod commands;
pub mod connections;
pub mod console;
pub mod error;
pub mod extract;
pub mod forward_auth;
pub mod health;
pub mod leaks;
pub mod metrics;
pub mod middleware;
pub mod oidc;
pub mod openapi;
pub mod owners;
pub mod rest;
pub mod serve;
pub mod webhooks;

use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{any, get};
use axum::{Json, Router};
use domain::Keyward;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::{Modify, OpenApi};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::console::ConsoleOptions;
use crate::error::ApiError;
use crate::extract::ClientIpHeader;
use crate::forward_auth::ProxyWarnings;

/// Request bodies are small JSON objects; anything larger is refused (413).
pub const BODY_LIMIT_BYTES: usize = 16 * 1024;

/// The one state every handler and the console's server functions reach.
/// Cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub keyward: Keyward,
    /// Where the client's address comes from behind a reverse proxy.
    pub client_ip_header: ClientIpHeader,
    pub console: ConsoleOptions,
    /// Proxy misconfigurations already reported.
    pub proxy_warnings: ProxyWarnings,
    /// `GET /metrics` serves these, with `--metrics`.
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// The secret scanning partners' signing keys, where configured.
    pub scanning_partners: leaks::ScanningPartners,
    /// How people sign in to the console: a key, the identity provider, or both.
    pub sign_in: oidc::SignInWays,
}

impl AppState {
    /// No console build, the peer as the client, cookies not `Secure`.
    pub fn new(keyward: Keyward) -> Self {
        Self {
            keyward,
            client_ip_header: ClientIpHeader::default(),
            console: ConsoleOptions::default(),
            proxy_warnings: ProxyWarnings::default(),
            metrics: None,
            scanning_partners: leaks::ScanningPartners::default(),
            sign_in: oidc::SignInWays::key_only(),
        }
    }
}

/// The REST routes and the OpenAPI document generated from them.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(
            // The keyed REST calls, each counted for its key's usage.
            OpenApiRouter::new()
                .routes(routes!(rest::me))
                .routes(routes!(rest::list_keys, rest::create_key))
                .routes(routes!(rest::get_key, rest::update_key, rest::delete_key))
                .routes(routes!(rest::audit_events))
                .routes(routes!(rest::key_usage))
                .routes(routes!(rest::region_usage))
                .routes(routes!(owners::list_owners, owners::create_owner))
                .routes(routes!(administrators::list_administrators, administrators::grant_administrator))
                .routes(routes!(administrators::revoke_administrator))
                .routes(routes!(owners::get_owner, owners::update_owner, owners::delete_owner))
                .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
                .routes(routes!(webhooks::get_webhook, webhooks::update_webhook, webhooks::delete_webhook))
                .routes(routes!(webhooks::rotate_secret))
                .routes(routes!(webhooks::send_test))
                .routes(routes!(webhooks::deliveries))
                .routes(routes!(webhooks::retry))
                .route_layer(axum::middleware::from_fn(middleware::count_key_uses)),
        )
        .routes(routes!(forward_auth::verify))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .merge(
            // Signed partner reports carry up to 1000 tokens with their URLs;
            // a public one, up to 1000 bare tokens.
            OpenApiRouter::new()
                .routes(routes!(leaks::github))
                .routes(routes!(leaks::gitlab))
                .layer(DefaultBodyLimit::max(leaks::PARTNER_BODY_LIMIT_BYTES)),
        )
        .merge(
            OpenApiRouter::new()
                .routes(routes!(leaks::report))
                .layer(DefaultBodyLimit::max(leaks::PUBLIC_BODY_LIMIT_BYTES)),
        )
        .split_for_parts();
    openapi::ProblemContentType.modify(&mut document);
    (routes, document)
}

/// The whole HTTP surface: the REST API, the console's server functions and
/// the built console, behind the layers every route gets.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api();
    // Keyed answers describe keys; nothing between client and server may keep them.
    let api = api.layer(SetResponseHeaderLayer::if_not_present(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    ));
    let routes = api
        // Any method: documented in the OpenAPI document with its methods.
        .route("/auth/check", any(forward_auth::check))
        // An empty suffix is no original path: the plain check, query and all.
        .route("/auth/check/", any(forward_auth::check))
        .route("/auth/check/{*rest}", any(forward_auth::check_path))
        .route("/openapi.json", get(move || async move { Json(openapi) }))
        .route("/auth/oidc/login", get(oidc::login))
        .route(oidc::CALLBACK_PATH, get(oidc::callback))
        .route("/metrics", get(metrics::render))
        .route_layer(axum::middleware::from_fn(metrics::count_requests))
        .merge(console::routes(&state.console))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed });
    let routes = if state.console.secure_cookies {
        // Served over TLS: browsers must not come back over plain HTTP.
        routes.layer(SetResponseHeaderLayer::if_not_present(
            axum::http::header::STRICT_TRANSPORT_SECURITY,
            axum::http::HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        routes
    };
    with_http_layers(routes.with_state(state))
}

/// What every route gets: the security headers, the body limit, failures
/// logged once, and request logging.
pub fn with_http_layers(routes: Router) -> Router {
    middleware::security_headers(routes)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn(middleware::log_failures))
        .layer(
            // Method and path only, cut to size: never headers (keys), never
            // the query (a protected API's, behind Envoy, may carry its secrets).
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    let (method, path) = middleware::logged(request.method(), request.uri());
                    tracing::info_span!("request", %method, %path)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}
