//! The built console's files: any path that is not a file name gets the
//! page (`index.html` as [`ConsolePage`] renders it: never cached, with its
//! Content-Security-Policy, compressed as it is sent), while Trunk's
//! content-hashed assets are cached for a year. Each asset is sent brotli-
//! or gzip-compressed when the build made `<file>.br` or `<file>.gz` next
//! to it (`scripts/lib.sh` `build_console`) and the client accepts it.

use std::convert::Infallible;
use std::path::PathBuf;

use app::people::SignInOptions;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::{Layer, ServiceExt, service_fn};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

use super::page::{ConsolePage, Rendered};
use crate::error::ApiError;

pub const INDEX: &str = "index.html";
/// Trunk names built assets `<name>-<content hash>.<ext>`: their content never changes.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// A file of the built console, or the page offering `ways` for the
/// console's routes (and for `index.html` however it is spelled).
pub async fn serve(dir: Option<PathBuf>, page: ConsolePage, ways: SignInOptions, mut request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let Some(dir) = dir.filter(|_| is_console_path(&path) && matches!(*request.method(), Method::GET | Method::HEAD))
    else {
        return ApiError::NoRoute.into_response();
    };
    let file_name = path.rsplit('/').next().unwrap_or_default().to_owned();
    let is_route = !file_name.contains('.');
    let file = if is_route {
        None
    } else {
        // A GET of a file has no body worth keeping: the request is read again below.
        let (parts, _) = request.into_parts();
        let asked = Request::from_parts(parts.clone(), Body::empty());
        request = Request::from_parts(parts, Body::empty());
        let Ok(file) = ServeDir::new(&dir).precompressed_br().precompressed_gzip().oneshot(asked).await;
        if file.status() == StatusCode::NOT_FOUND {
            return ApiError::NoRoute.into_response();
        }
        // Decided by what is served, not by how the path was spelled
        // (`/%69ndex.html` is the page too, never the raw build).
        let is_html = file
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/html"));
        (!is_html).then(|| file.map(Body::new))
    };
    let is_asset = file.is_some();
    let mut response = match file {
        Some(file) => file,
        None => {
            let Some(rendered) = page.of(&dir.join(INDEX), &ways).await else {
                return ApiError::NoRoute.into_response();
            };
            let page = service_fn(move |_: Request| std::future::ready(Ok::<_, Infallible>(page_response(&rendered))));
            let Ok(response) = CompressionLayer::new().layer(page).oneshot(request).await;
            response.map(Body::new)
        }
    };
    // Only a built asset's name carries its content's hash; a route may look like one.
    let cache = if is_asset && is_content_hashed(&file_name) { IMMUTABLE } else { REVALIDATE };
    response.headers_mut().insert(header::CACHE_CONTROL, cache);
    // The body depends on what the client accepts: caches must keep one per encoding.
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

fn page_response(rendered: &Rendered) -> Response {
    let mut response = Response::new(Body::from(rendered.html.clone()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CONTENT_SECURITY_POLICY, rendered.policy.clone());
    response
}

/// The REST API's, the server functions' and the API reference's paths
/// never fall back to the console, so their unknown paths stay a
/// problem+json 404.
fn is_console_path(path: &str) -> bool {
    !["/auth", "/api", super::api_reference::PATH]
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
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
        assert!(!is_console_path("/docs/api/a/b"));
        assert!(is_console_path("/docs"));
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
