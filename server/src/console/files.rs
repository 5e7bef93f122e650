//! The built console's files: any path that is not a file name gets
//! `index.html` (never cached, with the page's Content-Security-Policy),
//! while Trunk's content-hashed assets are cached for a year. Each is sent
//! brotli- or gzip-compressed when the build made `<file>.br` or
//! `<file>.gz` next to it (`scripts/lib.sh` `build_console`) and the client
//! accepts it.

use std::path::PathBuf;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use super::csp::PagePolicy;
use crate::error::ApiError;

pub const INDEX: &str = "index.html";
/// Trunk names built assets `<name>-<content hash>.<ext>`: their content never changes.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// A file of the built console, or `index.html` for the console's routes.
pub async fn serve(dir: Option<PathBuf>, policy: PagePolicy, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let Some(dir) = dir.filter(|_| is_console_path(&path) && matches!(*request.method(), Method::GET | Method::HEAD))
    else {
        return ApiError::NoRoute.into_response();
    };
    let file_name = path.rsplit('/').next().unwrap_or_default().to_owned();
    let is_route = !file_name.contains('.');
    let response = if is_route {
        ServeFile::new(dir.join(INDEX)).precompressed_br().precompressed_gzip().oneshot(request).await
    } else {
        ServeDir::new(&dir).precompressed_br().precompressed_gzip().oneshot(request).await
    };
    let Ok(response) = response;
    if response.status() == StatusCode::NOT_FOUND {
        return ApiError::NoRoute.into_response();
    }
    let mut response = response.map(Body::new);
    let cache = if is_content_hashed(&file_name) { IMMUTABLE } else { REVALIDATE };
    response.headers_mut().insert(header::CACHE_CONTROL, cache);
    // The body depends on what the client accepts: caches must keep one per encoding.
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    // Decided by what is served, not by how the path was spelled
    // (`/%69ndex.html` is the page too).
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if is_html {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy.of(&dir.join(INDEX)).await);
    }
    response
}

/// The REST API's and the server functions' paths never fall back to the
/// console, so their unknown paths stay a problem+json 404.
fn is_console_path(path: &str) -> bool {
    !["/auth", "/api"].iter().any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

/// Trunk writes its 64-bit content hash in hex without leading zeros, so
/// the hash part is up to 16 digits (fewer for one build in sixteen).
fn is_content_hashed(file_name: &str) -> bool {
    let Some((_, hashed)) = file_name.rsplit_once('-') else { return false };
    let hash = hashed.split(['.', '_']).next().unwrap_or_default();
    (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_console_paths_fall_back_to_the_console() {
        assert!(is_console_path("/"));
        assert!(is_console_path("/rotation"));
        assert!(is_console_path("/authors"));
        assert!(!is_console_path("/auth/nope"));
        assert!(!is_console_path("/api/unknown"));
    }

    #[test]
    fn trunk_hashed_assets_are_recognised() {
        assert!(is_content_hashed("frontend-3f2b8c1d9e0a7b6c_bg.wasm"));
        assert!(is_content_hashed("console-0123456789abcdef.css"));
        assert!(is_content_hashed("frontend-49c636b76d9be53.js"), "a hash with a leading zero dropped");
        assert!(!is_content_hashed("index.html"));
        assert!(!is_content_hashed("my-logo.svg"));
        assert!(!is_content_hashed("favicon.ico"));
    }
}
