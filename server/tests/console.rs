//! The console's routes through the whole router: its files and their
//! cache and security policies, and its server functions' refusals with
//! the same statuses as the REST API's.

use app::server_fns::{ConsoleError, RotationProgress};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request as HttpRequest, StatusCode, header};
use axum::response::Response;
use domain::model::StartedRotation;
use domain::{Keyward, Settings};
use serde_json::json;
use server::AppState;
use server::console::ConsoleOptions;
use server::oidc::{ConsoleSignIn, SignInWays};
use testkit::TestDb;
use tower::ServiceExt;

const INDEX_HTML: &str = concat!(
    "<!DOCTYPE html><html><head><title>console</title>",
    "<script type=\"module\">import init from '/frontend-0123456789abcdef.js'; await init();</script>",
    "<script src=\"/elsewhere.js\"></script></head><body></body></html>",
);
/// The browser's SHA-256 of the inline script above (`openssl dgst -sha256 -binary | base64`).
const INLINE_SCRIPT_HASH: &str = "'sha256-64NDzw+mloD+jSeRoDndyC/RaW6L1lBLJZaTQJQYRx4='";

/// The whole router with a console build of two files in a temp dir, the
/// domain behind it, and what must outlive them.
async fn serving(build: bool) -> (Router, Keyward, (TestDb, tempfile::TempDir)) {
    serving_with(build, false).await
}

/// As [`serving`], with the session cookie marked `Secure` or not.
async fn serving_with(build: bool, secure_cookies: bool) -> (Router, Keyward, (TestDb, tempfile::TempDir)) {
    let test_db = TestDb::fresh().await;
    let keyward = test_db.keyward(Settings::default()).await;
    let dist = tempfile::tempdir().expect("temp dir");
    if build {
        std::fs::write(dist.path().join("index.html"), INDEX_HTML).expect("index");
        std::fs::write(dist.path().join("frontend-0123456789abcdef_bg.wasm"), b"\0asm").expect("wasm");
    }
    let mut console = ConsoleOptions::from_dir(dist.path());
    console.secure_cookies = secure_cookies;
    let state = AppState { console, ..AppState::new(keyward.clone()) };
    (server::app(state), keyward, (test_db, dist))
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

/// The build's compressed copies go to clients that accept them, with
/// the original's type and caching, and `Vary` so caches keep them apart;
/// other clients get the file itself.
#[tokio::test]
async fn compressed_copies_go_to_clients_that_accept_them() {
    let (router, _, (_db, dist)) = serving(true).await;
    std::fs::write(dist.path().join("frontend-0123456789abcdef_bg.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(dist.path().join("frontend-0123456789abcdef_bg.wasm.gz"), b"gzip bytes").unwrap();
    std::fs::write(dist.path().join("index.html.gz"), b"gzip page").unwrap();
    let wasm = "/frontend-0123456789abcdef_bg.wasm";
    for (accepts, encoding, body) in [
        ("br, gzip", "br", &b"brotli bytes"[..]),
        ("gzip", "gzip", &b"gzip bytes"[..]),
        ("identity", "", &b"\0asm"[..]),
    ] {
        let response = send(&router, Method::GET, wasm, &[("accept-encoding", accepts)]).await;
        assert_eq!(response.status(), StatusCode::OK, "{accepts}");
        assert_eq!(header(&response, header::CONTENT_ENCODING), encoding, "{accepts}");
        assert_eq!(header(&response, header::CONTENT_TYPE), "application/wasm", "{accepts}");
        assert_eq!(header(&response, header::VARY), "accept-encoding", "{accepts}");
        assert_eq!(header(&response, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
        assert_eq!(&axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap()[..], body, "{accepts}");
    }
    // The page is compressed as it is sent (the server writes into it), never from the build's copies.
    for (accepts, encoding) in [("br, gzip", "br"), ("gzip", "gzip")] {
        let page = send(&router, Method::GET, "/sign-in", &[("accept-encoding", accepts)]).await;
        assert_eq!(header(&page, header::CONTENT_ENCODING), encoding, "{accepts}");
        assert_eq!(header(&page, header::VARY), "accept-encoding", "{accepts}");
        assert!(header(&page, header::CONTENT_TYPE).starts_with("text/html"));
        assert!(header(&page, header::CONTENT_SECURITY_POLICY).contains("script-src 'self'"), "its policy");
        assert_ne!(&body(page).await[..], b"gzip page", "{accepts}");
    }
}

/// The sign-in form learns from the page itself which ways in the
/// server offers (`--console-sign-in`): no call, no wait, no flash.
#[tokio::test]
async fn the_page_tells_the_sign_in_form_its_ways_in() {
    let (router, keyward, _dir) = serving(true).await;
    let key_only = String::from_utf8(body(send(&router, Method::GET, "/sign-in", &[]).await).await.to_vec()).unwrap();
    assert!(key_only.contains("<meta name=\"keyward-sign-in\" content=\"key\"></head>"), "{key_only}");

    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), INDEX_HTML).unwrap();
    let oidc = server::oidc::Oidc::new(server::oidc::OidcSettings {
        issuer: openidconnect::IssuerUrl::new("https://idp.example".to_owned()).unwrap(),
        client_id: openidconnect::ClientId::new("keyward".to_owned()),
        client_secret: openidconnect::ClientSecret::new("secret".to_owned()),
        redirect: openidconnect::RedirectUrl::new("https://keyward.example/auth/oidc/callback".to_owned()).unwrap(),
        provider_name: "Gemeente \"IdP\"".to_owned(),
    })
    .unwrap();
    let token = testkit::region(&keyward, "acme").await.api_key.token;
    let mut key_session = String::new();
    for (mode, offered) in [
        (ConsoleSignIn::Both, "content=\"key provider\" data-provider=\"Gemeente &quot;IdP&quot;\""),
        (ConsoleSignIn::Oidc, "content=\"provider\" data-provider=\"Gemeente &quot;IdP&quot;\""),
        (ConsoleSignIn::Key, "content=\"key\">"),
    ] {
        let state = AppState {
            console: ConsoleOptions::from_dir(dist.path()),
            sign_in: SignInWays { mode, oidc: Some(oidc.clone()) },
            ..AppState::new(keyward.clone())
        };
        let router = server::app(state);
        let page = body(send(&router, Method::GET, "/", &[]).await).await;
        let page = String::from_utf8(page.to_vec()).unwrap();
        assert!(page.contains(&format!("<meta name=\"keyward-sign-in\" {offered}")), "{page}");
        match mode {
            ConsoleSignIn::Both => key_session = sign_in(&router, &token).await,
            // What the page does not offer, the server does not take either:
            // no new key session, and one opened before the switch ends.
            ConsoleSignIn::Oidc => {
                let refused = call(&router, "sign_in", &format!("api_key={token}"), "").await;
                assert_eq!(refused.status(), StatusCode::FORBIDDEN);
                assert!(header(&refused, header::SET_COOKIE).is_empty(), "no session");
                assert_eq!(console_error(refused).await, ConsoleError::KeySignInOff);
                let ended = call(&router, "load_dashboard", "", &key_session).await;
                assert_eq!(ended.status(), StatusCode::UNAUTHORIZED);
                assert_eq!(console_error(ended).await, ConsoleError::SignedOut);
                let gone = call(&router, "load_dashboard", "", &key_session).await;
                assert_eq!(console_error(gone).await, ConsoleError::SignedOut, "ended for good");
            }
            ConsoleSignIn::Key => {}
        }
    }
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
    let wrong_method = send(&router, Method::GET, "/api/load_dashboard", &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&wrong_method, header::CONTENT_TYPE), "application/problem+json");
    assert_eq!(send(&router, Method::POST, "/", &[]).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn server_functions_need_a_session_refuse_other_sites_and_are_not_cached() {
    let (router, _, _dir) = serving(true).await;
    for path in ["/api/load_dashboard", "/api/load_rotation_progress"] {
        let response = send(&router, Method::POST, path, &[("sec-fetch-site", "same-origin")]).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(header(&response, header::CACHE_CONTROL), "no-store", "{path}");

        let response = send(&router, Method::POST, path, &[("sec-fetch-site", "cross-site")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(header(&response, header::CONTENT_TYPE), "application/problem+json", "{path}");
    }
}

/// Calls a server function as the console does: a same-origin form post.
async fn call(router: &Router, name: &str, form: &str, cookie: &str) -> Response {
    post(router, name, "application/x-www-form-urlencoded", form.to_owned(), cookie).await
}

/// The same for the functions that take JSON (structured arguments).
async fn call_json(router: &Router, name: &str, arguments: serde_json::Value, cookie: &str) -> Response {
    post(router, name, "application/json", arguments.to_string(), cookie).await
}

async fn post(router: &Router, name: &str, content_type: &str, body: String, cookie: &str) -> Response {
    let request = HttpRequest::post(format!("/api/{name}"))
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .expect("request");
    router.clone().oneshot(request).await.expect("infallible")
}

/// Signs in through the console and returns the session cookie to send.
async fn sign_in(router: &Router, token: &str) -> String {
    let signed_in = call(router, "sign_in", &format!("api_key={token}"), "").await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    header(&signed_in, header::SET_COOKIE).split(';').next().expect("a cookie").to_owned()
}

async fn body(response: Response) -> axum::body::Bytes {
    axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body")
}

async fn console_error(response: Response) -> ConsoleError {
    serde_json::from_slice(&body(response).await).expect("a ConsoleError")
}

#[tokio::test]
async fn rotation_refusals_reach_the_console_with_their_status() {
    let (router, keyward, _dir) = serving(false).await;
    let created = testkit::region(&keyward, "acme").await;
    let cookie = sign_in(&router, &created.api_key.token).await;

    let none = call(&router, "load_rotation_progress", "", &cookie).await;
    assert_eq!(none.status(), StatusCode::OK);
    let none: RotationProgress = serde_json::from_slice(&body(none).await).expect("a RotationProgress");
    assert_eq!((none.rotation, none.keys), (None, Vec::new()));

    let start = format!("old_key_id={}", created.api_key.key.id);
    let started = call(&router, "start_rotation", &start, &cookie).await;
    assert_eq!(started.status(), StatusCode::OK);
    let started: StartedRotation = serde_json::from_slice(&body(started).await).expect("a StartedRotation");
    // The verify step's poll: the rotation and both its keys, nothing else.
    let polled = call(&router, "load_rotation_progress", "", &cookie).await;
    assert_eq!(polled.status(), StatusCode::OK);
    let polled: RotationProgress = serde_json::from_slice(&body(polled).await).expect("a RotationProgress");
    assert_eq!(polled.rotation.as_ref(), Some(&started.rotation));
    let mut ids = polled.keys.iter().map(|key| key.id.clone()).collect::<Vec<_>>();
    ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    let mut expected = vec![created.api_key.key.id.clone(), started.new_key.key.id.clone()];
    expected.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(ids, expected);
    let again = call(&router, "start_rotation", &start, &cookie).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(console_error(again).await.is("rotation-in-progress"));

    let finish = |rotation_id: &str| json!({"rotation_id": rotation_id, "after": "SignedIn", "revocation": "Now"});
    let unknown = call_json(&router, "finish_rotation", finish("rot_0000000000000000"), &cookie).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert!(console_error(unknown).await.is("rotation-not-found"));

    // A malformed id is the client's mistake: refused as it arrives, never a 500.
    let malformed = call_json(&router, "finish_rotation", finish("rot_unknown"), &cookie).await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
}

/// What the console loads (the usage series above all) is compressed for
/// clients that accept it; an answer that can carry a token never is.
#[tokio::test]
async fn loaded_data_is_compressed_and_tokens_are_not() {
    let (router, keyward, _dir) = serving(false).await;
    let created = testkit::region(&keyward, "acme").await;
    let cookie = sign_in(&router, &created.api_key.token).await;
    let brotli_accepted = |name: &str, content_type: &str, body: String| {
        HttpRequest::post(format!("/api/{name}"))
            .header(header::CONTENT_TYPE, content_type)
            .header(header::COOKIE, &cookie)
            .header(header::ACCEPT_ENCODING, "br")
            .body(Body::from(body))
            .expect("request")
    };

    let loaded = router
        .clone()
        .oneshot(brotli_accepted("load_dashboard", "application/x-www-form-urlencoded", String::new()))
        .await
        .unwrap();
    assert_eq!(loaded.status(), StatusCode::OK);
    assert_eq!(header(&loaded, header::CONTENT_ENCODING), "br");
    assert_eq!(header(&loaded, header::VARY), "accept-encoding");
    assert_eq!(header(&loaded, header::CACHE_CONTROL), "no-store");

    let arguments = json!({"description": "billing", "scopes": ["keys:read"], "policy": {}}).to_string();
    let created = router.clone().oneshot(brotli_accepted("create_key", "application/json", arguments)).await.unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    assert_eq!(header(&created, header::CONTENT_ENCODING), "", "a new key's token is never compressed");
    assert!(String::from_utf8_lossy(&body(created).await).contains("\"token\""));
}

#[tokio::test]
async fn without_a_build_only_the_api_is_served() {
    let (router, _, _dir) = serving(false).await;
    assert_eq!(send(&router, Method::GET, "/", &[]).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(send(&router, Method::GET, "/healthz", &[]).await.status(), StatusCode::OK);
}

/// The console answers a refusal with the same status and code as the REST
/// API, because both map the domain's error kinds in one place.
#[tokio::test]
async fn key_refusals_match_the_rest_api() {
    let (router, keyward, _dir) = serving(false).await;
    let created = testkit::region(&keyward, "acme").await;
    let cookie = sign_in(&router, &created.api_key.token).await;

    let last = call(&router, "delete_key", &format!("key_id={}", created.api_key.key.id), &cookie).await;
    assert_eq!(last.status(), StatusCode::CONFLICT);
    assert!(console_error(last).await.is("last-api-key"));
    let unknown = call(&router, "delete_key", "key_id=key_0000000000000000", &cookie).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert!(console_error(unknown).await.is("api-key-not-found"));
    let invalid = call_json(&router, "create_key", json!({"description": "a\nb", "scopes": []}), &cookie).await;
    assert_eq!(invalid.status(), StatusCode::BAD_REQUEST, "refused as it arrives");
    assert_eq!(keyward.keys().list(&keyward_caller(&keyward, &created.api_key.token).await).await.unwrap().len(), 1);
}

async fn keyward_caller(keyward: &Keyward, token: &str) -> domain::Caller {
    keyward.authenticator().authenticate(token, testkit::CLIENT).await.expect("a valid key")
}

/// However the path spells it, the page gets its own strict policy.
#[tokio::test]
async fn the_page_carries_its_policy_under_any_spelling() {
    let (router, _, (_db, dist)) = serving(true).await;
    // A build's compressed copy of the page is never sent: it lacks the sign-in ways.
    std::fs::write(dist.path().join("index.html.gz"), b"raw build").unwrap();
    for path in ["/", "/index.html", "/%69ndex.html", "/%69%6edex.html", "/keys-0123456789abcdef"] {
        let response = send(&router, Method::GET, path, &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let policy = header(&response, header::CONTENT_SECURITY_POLICY);
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"), "{path}: {policy}");
        assert_eq!(header(&response, header::CACHE_CONTROL), "no-cache", "{path}: a route is never immutable");
        let page = String::from_utf8(body(response).await.to_vec()).unwrap();
        assert!(page.contains("<meta name=\"keyward-sign-in\""), "{path}: {page}");
        let gzip = send(&router, Method::GET, path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(header(&gzip, header::CONTENT_ENCODING), "gzip", "{path}");
        assert_ne!(&body(gzip).await[..], b"raw build", "{path}");
        let head = send(&router, Method::HEAD, path, &[]).await;
        assert_eq!(head.status(), StatusCode::OK, "{path}");
        assert!(header(&head, header::CONTENT_TYPE).starts_with("text/html"), "{path}");
        assert!(body(head).await.is_empty(), "{path}: HEAD has no body");
    }
}

/// A client's bad input to a console function is the client's mistake:
/// 413 or 400 in the console's own error format, never a 500.
#[tokio::test]
async fn bad_console_input_is_refused_as_the_clients_mistake() {
    let (router, keyward, _dir) = serving(false).await;
    let created = testkit::region(&keyward, "acme").await;
    let cookie = sign_in(&router, &created.api_key.token).await;
    let huge = format!("api_key={}", "x".repeat(1 << 20));
    let too_large = call(&router, "sign_in", &huge, "").await;
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(console_error(too_large).await.is("payload-too-large"));
    for (name, form) in [("sign_in", ""), ("delete_key", "key_id=")] {
        let response = call(&router, name, form, &cookie).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{name}({form})");
        assert!(matches!(console_error(response).await, ConsoleError::Transport(_)), "{name}({form})");
    }
    for (name, arguments) in [
        ("finish_rotation", json!({"rotation_id": "rot_0000000000000000", "after": "Maybe", "revocation": "Now"})),
        ("update_key", json!({"key_id": created.api_key.key.id, "update": {"scopes": ["Not a scope"]}})),
        ("create_key", json!({"description": null})),
    ] {
        let response = call_json(&router, name, arguments.clone(), &cookie).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{name}({arguments})");
        assert!(matches!(console_error(response).await, ConsoleError::Transport(_)), "{name}({arguments})");
    }
}

/// Over TLS the session cookie is `__Host-` and `Secure`, browsers are told
/// to stay on HTTPS, and a request with two session cookies is refused.
#[tokio::test]
async fn secure_cookies_are_host_only_and_never_doubled() {
    let (router, keyward, _dir) = serving_with(false, true).await;
    let created = testkit::region(&keyward, "acme").await;
    let signed_in = call(&router, "sign_in", &format!("api_key={}", created.api_key.token), "").await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let set_cookie = header(&signed_in, header::SET_COOKIE).to_owned();
    assert!(set_cookie.starts_with("__Host-keyward_session=") && set_cookie.contains("; Secure"), "{set_cookie}");
    assert_eq!(header(&signed_in, header::STRICT_TRANSPORT_SECURITY), "max-age=31536000");
    let cookie = set_cookie.split(';').next().expect("a cookie").to_owned();
    assert_eq!(call(&router, "load_dashboard", "", &cookie).await.status(), StatusCode::OK);

    let doubled = format!("{cookie}; __Host-keyward_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let refused = call(&router, "load_dashboard", "", &doubled).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(console_error(refused).await.is("duplicate-session-cookie"));
    // Signing in again recovers: the cookies are cleared and a new one is set.
    let again = call(&router, "sign_in", &format!("api_key={}", created.api_key.token), &doubled).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(header(&again, header::SET_COOKIE).starts_with("__Host-keyward_session="));
}
