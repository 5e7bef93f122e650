//! Headers on every response: no MIME sniffing, no framing by other sites
//! (the console must not be clickjacked), no referrer leaving the console,
//! and a restrictive default Content-Security-Policy (the console's page
//! sets its own).

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"),
];

/// `routes` with the headers added wherever a handler did not set them.
pub fn security_headers(routes: Router) -> Router {
    SECURITY_HEADERS.into_iter().fold(routes, |routes, (name, value)| {
        routes.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)))
    })
}
