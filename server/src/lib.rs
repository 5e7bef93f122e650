//! The `keyward` server: the REST API, the console's host and the CLI.
//! [`app`] builds the whole router, so tests drive exactly what runs.

pub mod auth;
pub mod cli;
pub mod config;
pub mod console;
pub mod error;
pub mod health;
pub mod rest;
pub mod serve;

use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use axum::{Json, Router};
use domain::KeyService;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::console::ConsoleOptions;
use crate::error::ApiError;

/// Request bodies are small JSON objects; anything larger is refused (413).
pub const BODY_LIMIT_BYTES: usize = 16 * 1024;

/// What every handler can reach. Cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub keys: KeyService,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Keyward", description = "Self-hosted API key management for regions (tenants)."),
    modifiers(&ApiKeyAuth),
    tags((name = "api-keys", description = "A region's API keys, managed with any key of that region"),
         (name = "health", description = "Probes"))
)]
struct ApiDoc;

/// Declares the two ways to present a key.
struct ApiKeyAuth;

impl Modify for ApiKeyAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(auth::API_KEY_HEADER))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The REST routes and the OpenAPI document generated from them.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(rest::me))
        .routes(routes!(rest::list_keys, rest::create_key))
        .routes(routes!(rest::get_key, rest::update_key, rest::delete_key))
        .routes(routes!(rest::audit_events))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .split_for_parts()
}

/// The whole HTTP surface without the console's files (the REST API and
/// the console's server functions), with cookies not marked `Secure`.
pub fn app(state: AppState) -> Router {
    app_with_console(state, &ConsoleOptions::default())
}

/// The whole HTTP surface: the REST API, the console's server functions and
/// the built console.
pub fn app_with_console(state: AppState, console: &ConsoleOptions) -> Router {
    let (api, openapi) = api();
    let routes = api
        .route("/openapi.json", get(move || async move { Json(openapi) }))
        .merge(console::routes(state.keys.clone(), console))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state);
    with_http_layers(routes)
}

/// Headers on every response: no MIME sniffing, no framing by other sites
/// (the console must not be clickjacked), no referrer leaving the console.
const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"),
];

/// What every route gets: the body limit, request logging and the
/// security headers.
pub fn with_http_layers(routes: Router) -> Router {
    let routes = SECURITY_HEADERS.into_iter().fold(routes, |routes, (name, value)| {
        routes.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)))
    });
    routes.layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES)).layer(
        // Method and path only: headers (and so keys) are never logged.
        TraceLayer::new_for_http()
            .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    )
}
