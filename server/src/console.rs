//! The administrator console on the server side: its server functions
//! (leptos_axum, under `/api/`) and its built files (Trunk's `dist/`).
//!
//! The server functions call the same [`domain::KeyService`] as the REST
//! API. They refuse cross-site requests, and their answers are never cached.
//! The files are served with the single-page-app fallback: any path that is
//! not a file name gets `index.html` (never cached), while Trunk's
//! content-hashed assets are cached for a year.

use std::path::{Path, PathBuf};

use app::api::ssr::{ClientAddress, ConsoleState};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use base64::prelude::{BASE64_STANDARD, Engine};
use domain::KeyService;
use leptos::prelude::provide_context;
use leptos::server_fn::axum::server_fn_paths;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::auth::client_address;
use crate::error::ApiError;

/// Where the console comes from and how its cookie is marked.
#[derive(Clone, Debug, Default)]
pub struct ConsoleOptions {
    /// The built console (`index.html` and assets); `None` serves the API only.
    pub dir: Option<PathBuf>,
    /// Mark the session cookie `Secure` (the console is served over TLS).
    pub secure_cookies: bool,
}

impl ConsoleOptions {
    /// Serves the console from `dir` when it holds a build; otherwise warns
    /// and serves the API only.
    pub fn from_dir(dir: &Path, secure_cookies: bool) -> Self {
        let built = dir.join(INDEX).is_file();
        if !built {
            tracing::warn!(
                dir = %dir.display(),
                "no console build here (run `trunk build --release --offline`); serving the API only"
            );
        }
        Self { dir: built.then(|| dir.to_owned()), secure_cookies }
    }
}

const INDEX: &str = "index.html";
/// Trunk names built assets `<name>-<content hash>.<ext>`: their content never changes.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// The console's routes: its server functions, and its files as the
/// fallback of the whole router (REST paths that match nothing still get
/// the problem+json 404).
pub fn routes(keys: KeyService, options: &ConsoleOptions) -> Router<AppState> {
    let state = ConsoleState { keys, secure_cookies: options.secure_cookies };
    let files = options.dir.clone();
    // One route per server function and method, so an unknown name is the
    // router's problem+json 404 and a wrong method its 405.
    server_fn_paths()
        .filter_map(|(path, method)| Some((path, MethodFilter::try_from(method).ok()?)))
        .fold(Router::new(), |router, (path, method)| router.route(path, on(method, server_function)))
        .route_layer(middleware::from_fn(refuse_cross_site))
        // Answers may carry a new key's token: nothing may keep them.
        .route_layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .with_state(state)
        .fallback(move |request: Request| console_file(files.clone(), request))
}

/// Runs the server function the path names, with the state and the
/// caller's address in its context.
async fn server_function(State(state): State<ConsoleState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let client = ClientAddress(client_address(&parts));
    let request = Request::from_parts(parts, body);
    leptos_axum::handle_server_fns_with_context(
        move || {
            provide_context(state.clone());
            provide_context(client);
        },
        request,
    )
    .await
    .into_response()
}

/// Another site's page must not drive the console, even where a browser
/// would send the cookie (defence in depth beside `SameSite=Strict`).
async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if !is_cross_site(request.headers()) {
        return next.run(request).await;
    }
    ApiError::CrossSite.into_response()
}

/// Browsers send `Sec-Fetch-Site`; older ones at least `Origin`, which must
/// then name this host. A request with neither is not from a browser page,
/// so it carries no ambient cookie of a victim.
fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() != b"same-origin";
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return false };
    let origin_host = origin.to_str().ok().and_then(|origin| origin.split_once("://")).map(|(_, host)| host);
    let host = headers.get(header::HOST).and_then(|host| host.to_str().ok());
    origin_host.is_none() || origin_host != host
}

/// A file of the built console, or `index.html` for the console's routes.
async fn console_file(dir: Option<PathBuf>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let Some(dir) = dir.filter(|_| is_console_path(&path) && matches!(*request.method(), Method::GET | Method::HEAD))
    else {
        return ApiError::NoRoute.into_response();
    };
    let file_name = path.rsplit('/').next().unwrap_or_default().to_owned();
    let response = if file_name.contains('.') {
        ServeDir::new(&dir).oneshot(request).await
    } else {
        ServeFile::new(dir.join(INDEX)).oneshot(request).await
    };
    let Ok(response) = response;
    if response.status() == StatusCode::NOT_FOUND {
        return ApiError::NoRoute.into_response();
    }
    let mut response = response.map(Body::new);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, if is_content_hashed(&file_name) { IMMUTABLE } else { REVALIDATE });
    if !file_name.contains('.') || file_name == INDEX {
        let index = tokio::fs::read_to_string(dir.join(INDEX)).await.unwrap_or_else(|error| {
            // Without the page's text, no inline script is allowed at all.
            tracing::error!(%error, "cannot read the console's index.html");
            String::new()
        });
        let policy = HeaderValue::try_from(content_security_policy(&index)).expect("the policy is ASCII");
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// The console's Content-Security-Policy: scripts only from this origin plus
/// the exact inline loader Trunk writes into `index.html` (allowed by its
/// hash, so an injected script cannot run), WebAssembly compilation, and
/// network access to this origin only. Inline styles stay allowed: Leptos
/// sets `style` attributes, which cannot carry script.
fn content_security_policy(index: &str) -> String {
    let inline_scripts: String = inline_scripts(index)
        .map(|script| format!(" 'sha256-{}'", BASE64_STANDARD.encode(Sha256::digest(script))))
        .collect();
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{inline_scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// The bodies of the `<script>` elements without a `src`, exactly as the
/// browser hashes them.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|element| {
        let (attributes, rest) = element.split_once('>')?;
        let (body, _) = rest.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
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
    use app::api::ConsoleError;
    use axum::http::Request as HttpRequest;

    use super::*;
    use crate::app_with_console;

    const INDEX_HTML: &str = concat!(
        "<!DOCTYPE html><title>console</title>",
        "<script type=\"module\">import init from '/frontend-0123456789abcdef.js'; await init();</script>",
        "<script src=\"/elsewhere.js\"></script>",
    );
    /// The browser's SHA-256 of the inline script above (`openssl dgst -sha256 -binary | base64`).
    const INLINE_SCRIPT_HASH: &str = "'sha256-64NDzw+mloD+jSeRoDndyC/RaW6L1lBLJZaTQJQYRx4='";

    /// The whole router with a console build of two files in a temp dir,
    /// and the key service behind it.
    async fn serving(build: bool) -> (Router, KeyService, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("keyward.db").display());
        let db = domain::db::connect(&url).await.expect("connect");
        domain::db::migrate(&db).await.expect("migrate");
        let dist = dir.path().join("dist");
        std::fs::create_dir(&dist).expect("dist dir");
        if build {
            std::fs::write(dist.join(INDEX), INDEX_HTML).expect("index");
            std::fs::write(dist.join("frontend-0123456789abcdef_bg.wasm"), b"\0asm").expect("wasm");
        }
        let keys = KeyService::new(db, domain::ThrottleLimits::default());
        let router = app_with_console(AppState { keys: keys.clone() }, &ConsoleOptions::from_dir(&dist, false));
        (router, keys, dir)
    }

    async fn send(router: &Router, method: Method, path: &str, headers: &[(&'static str, &'static str)]) -> Response {
        let mut request = HttpRequest::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        router.clone().oneshot(request.body(Body::empty()).expect("request")).await.expect("infallible")
    }

    fn header(response: &Response, name: header::HeaderName) -> &str {
        response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default()
    }

    #[tokio::test]
    async fn serves_the_console_with_its_routes_and_cache_rules() {
        let (router, _, _dir) = serving(true).await;
        for route in ["/", "/sign-in", "/rotation"] {
            let response = send(&router, Method::GET, route, &[]).await;
            assert_eq!(response.status(), StatusCode::OK, "{route}");
            assert!(header(&response, header::CONTENT_TYPE).starts_with("text/html"), "{route}");
            assert_eq!(header(&response, header::CACHE_CONTROL), "no-cache", "{route}");
            assert_eq!(header(&response, header::X_FRAME_OPTIONS), "DENY", "{route}");
            let policy = header(&response, header::CONTENT_SECURITY_POLICY);
            assert!(
                policy.contains(&format!("script-src 'self' 'wasm-unsafe-eval' {INLINE_SCRIPT_HASH};")),
                "{route}: {policy}"
            );
            assert!(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"), "{policy}");
        }
        let wasm = send(&router, Method::GET, "/frontend-0123456789abcdef_bg.wasm", &[]).await;
        assert_eq!(wasm.status(), StatusCode::OK);
        assert_eq!(header(&wasm, header::CONTENT_TYPE), "application/wasm");
        assert_eq!(header(&wasm, header::CACHE_CONTROL), "public, max-age=31536000, immutable");

        for (method, missing) in [
            (Method::GET, "/missing.js"),
            (Method::GET, "/auth/unknown"),
            (Method::GET, "/api"),
            (Method::POST, "/api/no_such_function"),
        ] {
            let response = send(&router, method, missing, &[("sec-fetch-site", "same-origin")]).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
            assert_eq!(header(&response, header::CONTENT_TYPE), "application/problem+json", "{missing}");
        }
        let wrong_method =
            send(&router, Method::GET, "/api/load_dashboard", &[("sec-fetch-site", "same-origin")]).await;
        assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header(&wrong_method, header::CONTENT_TYPE), "application/problem+json");
        assert_eq!(send(&router, Method::POST, "/", &[]).await.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn server_functions_need_a_session_refuse_other_sites_and_are_not_cached() {
        let (router, _, _dir) = serving(true).await;
        let response = send(&router, Method::POST, "/api/load_dashboard", &[("sec-fetch-site", "same-origin")]).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(header(&response, header::CACHE_CONTROL), "no-store");

        let response = send(&router, Method::POST, "/api/load_dashboard", &[("sec-fetch-site", "cross-site")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(header(&response, header::CONTENT_TYPE), "application/problem+json");
    }

    /// Calls a server function as the console does: a same-origin form post.
    async fn call(router: &Router, name: &str, form: &str, cookie: &str) -> Response {
        let request = HttpRequest::post(format!("/api/{name}"))
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(Body::from(form.to_owned()))
            .expect("request");
        router.clone().oneshot(request).await.expect("infallible")
    }

    async fn console_error(response: Response) -> ConsoleError {
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        serde_json::from_slice(&body).expect("a ConsoleError")
    }

    #[tokio::test]
    async fn rotation_refusals_reach_the_console_with_their_status() {
        let (router, keys, _dir) = serving(false).await;
        let created = keys.create_region("acme", false, None).await.expect("region");
        let signed_in = call(&router, "sign_in", &format!("api_key={}", created.api_key.token), "").await;
        assert_eq!(signed_in.status(), StatusCode::OK);
        let cookie = header(&signed_in, header::SET_COOKIE).split(';').next().expect("a cookie").to_owned();

        let start = format!("old_key_id={}", created.api_key.key.id);
        assert_eq!(call(&router, "start_rotation", &start, &cookie).await.status(), StatusCode::OK);
        let again = call(&router, "start_rotation", &start, &cookie).await;
        assert_eq!(again.status(), StatusCode::CONFLICT);
        assert_eq!(console_error(again).await, ConsoleError::RotationInProgress);

        let unknown = call(&router, "finish_rotation", "rotation_id=rot_unknown&stay_signed_in=true", &cookie).await;
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        assert_eq!(console_error(unknown).await, ConsoleError::RotationNotFound);
    }

    #[tokio::test]
    async fn without_a_build_only_the_api_is_served() {
        let (router, _, _dir) = serving(false).await;
        assert_eq!(send(&router, Method::GET, "/", &[]).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(send(&router, Method::GET, "/healthz", &[]).await.status(), StatusCode::OK);
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (header::HeaderName::from_static(name), HeaderValue::from_static(value)))
            .collect()
    }

    #[test]
    fn same_origin_and_non_browser_requests_pass() {
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!is_cross_site(&headers(&[])));
        assert!(!is_cross_site(&headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")])));
    }

    #[test]
    fn cross_site_requests_are_refused() {
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(is_cross_site(&headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")])));
        assert!(is_cross_site(&headers(&[("origin", "null"), ("host", "127.0.0.1:3000")])));
    }

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
