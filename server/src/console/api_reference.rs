//! The API reference at `/docs/api`: this server's own `/openapi.json`
//! drawn by Swagger UI, so it always describes the version that serves it.
//! The page and the script that starts the viewer are part of the binary;
//! the viewer itself (npm `swagger-ui-dist`) comes with every console build,
//! in `<console dir>/api-reference/` (`scripts/lib.sh` `build_console`).
//!
//! Everything under `/docs/api` carries a policy stricter than the
//! console's: scripts and styles from this origin only (no inline script or
//! style, no eval, no WebAssembly), and requests to this origin only.
//! `--no-api-reference` turns it off: 404, as for any unknown path.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as PathParam, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::ConsoleOptions;
use crate::AppState;
use crate::error::ApiError;

pub const PATH: &str = "/docs/api";
/// Where a console build keeps the viewer's files.
pub const DIR: &str = "api-reference";
/// The viewer's files, as `scripts/lib.sh` copies them from `swagger-ui-dist`.
const VIEWER_FILES: [&str; 2] = ["swagger-ui-bundle.js", "swagger-ui.css"];

const PAGE: &str = include_str!("api_reference/page.html");
/// Starts the viewer on `/openapi.json`.
const START: &str = include_str!("api_reference/start.js");

pub const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// Not content-hashed: a new build may change them under the same name.
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// The viewer's directory in a console build at `console_dir`, when the
/// build holds the viewer.
pub fn viewer_in(console_dir: &Path) -> Option<PathBuf> {
    let dir = console_dir.join(DIR);
    let complete = VIEWER_FILES.iter().all(|file| dir.join(file).is_file());
    if !complete {
        tracing::warn!(
            dir = %dir.display(),
            "the console build holds no API reference viewer (build the console with scripts/run.sh); /docs/api answers 404"
        );
    }
    complete.then_some(dir)
}

pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(page)).route(&format!("{PATH}/{{file}}"), get(file))
}

async fn page(State(console): State<ConsoleOptions>) -> Response {
    if console.api_reference.is_none() {
        return ApiError::NoRoute.into_response();
    }
    let headers = [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")];
    with_policy((headers, PAGE).into_response())
}

async fn file(State(console): State<ConsoleOptions>, PathParam(name): PathParam<String>, request: Request) -> Response {
    let Some(dir) = console.api_reference else { return ApiError::NoRoute.into_response() };
    if name == "start.js" {
        return with_policy(([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], START).into_response());
    }
    // Only the viewer's own files: never another path of the build.
    if !VIEWER_FILES.contains(&name.as_str()) {
        return ApiError::NoRoute.into_response();
    }
    let Ok(response) = ServeFile::new(dir.join(&name)).precompressed_br().precompressed_gzip().oneshot(request).await;
    if response.status() == StatusCode::NOT_FOUND {
        return ApiError::NoRoute.into_response();
    }
    let mut response = response.map(Body::new);
    response.headers_mut().insert(header::CACHE_CONTROL, REVALIDATE);
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    with_policy(response)
}

fn with_policy(mut response: Response) -> Response {
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    response
}
