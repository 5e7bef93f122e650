//! The administrator console on the server side: its server functions
//! (leptos_axum, under `/api/`), its built files (Trunk's `dist/`) and the
//! API reference that comes with every build (`/docs/api`), one concern
//! per file.
//!
//! The server functions call the same domain as the REST API. They refuse
//! cross-site requests, and their answers are never cached. The answers of
//! the `load_*` functions, which never carry a token, are compressed. The
//! files are served with the single-page-app fallback.

pub mod api_reference;
mod cross_site;
mod files;
mod page;
mod server_fns;

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::routing::{MethodFilter, on};
use leptos::server_fn::axum::server_fn_paths;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use page::ConsolePage;

/// Where the console comes from and how its cookie is marked.
#[derive(Clone, Debug, Default)]
pub struct ConsoleOptions {
    /// The built console (`index.html` and assets); `None` serves the API only.
    dir: Option<PathBuf>,
    /// The page as served, rendered once per build.
    page: ConsolePage,
    /// Mark the session cookie `Secure` (the console is served over TLS).
    pub secure_cookies: bool,
    /// The API reference viewer's files, when the build holds them and the
    /// operator did not turn the reference off; `None` answers 404.
    api_reference: Option<PathBuf>,
}

impl ConsoleOptions {
    /// Serves the console from `dir` when it holds a build; otherwise warns
    /// and serves the API only.
    /// Cookies are not `Secure` unless the caller sets `secure_cookies`.
    pub fn from_dir(dir: &Path) -> Self {
        let built = dir.join(files::INDEX).is_file();
        if !built {
            tracing::warn!(
                dir = %dir.display(),
                "no console build here (run `trunk build --release --offline`); serving the API only"
            );
        }
        Self {
            dir: built.then(|| dir.to_owned()),
            page: ConsolePage::default(),
            secure_cookies: false,
            api_reference: if built { api_reference::viewer_in(dir) } else { None },
        }
    }

    /// No API reference at `/docs/api` (`--no-api-reference`).
    pub fn without_api_reference(mut self) -> Self {
        self.api_reference = None;
        self
    }

    /// Whether `/docs/api` serves the API reference.
    pub fn serves_api_reference(&self) -> bool {
        self.api_reference.is_some()
    }

    /// Whether a console build is served.
    pub fn is_served(&self) -> bool {
        self.dir.is_some()
    }
}

/// The console's routes: its server functions, and its files as the
/// fallback of the whole router (REST paths that match nothing still get
/// the problem+json 404).
pub fn routes(options: &ConsoleOptions) -> Router<AppState> {
    let (dir, page) = (options.dir.clone(), options.page.clone());
    // One route per server function and method, so an unknown name is the
    // router's problem+json 404 and a wrong method its 405.
    server_fn_paths()
        .filter_map(|(path, method)| Some((path, MethodFilter::try_from(method).ok()?)))
        .fold(Router::new(), |router, (path, method)| {
            let route = on(method, server_fns::call);
            // Loaded data (the usage series above all) is mostly repetition:
            // brotli makes the dashboard's 19 KB about 1 KB. Answers that
            // can carry a token stay uncompressed, so no compressed length
            // can tell anything about a secret.
            if is_loader(path) {
                router.route(path, route.layer(CompressionLayer::new()))
            } else {
                router.route(path, route)
            }
        })
        .route_layer(middleware::from_fn(server_fns::refuse_large_bodies))
        .route_layer(middleware::from_fn(cross_site::refuse_cross_site))
        // Answers may carry a new key's token: nothing may keep them.
        .route_layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .merge(api_reference::routes())
        .fallback(move |State(state): State<AppState>, request| {
            files::serve(dir.clone(), page.clone(), state.sign_in.offered(), request)
        })
}

/// A server function that only reads: `load_dashboard`, `load_key_usage`, …
fn is_loader(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|name| name.starts_with("load_"))
}
