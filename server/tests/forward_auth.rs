//! `/auth/check` and `/auth/verify` against the real router over HTTP: the
//! contract nginx, Caddy, Traefik and Envoy rely on (the proxies themselves
//! are driven in `proxies.rs`).

mod common;

use std::time::Duration;

use common::{TestServer, problem};
use domain::ThrottleLimits;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use testkit::eventually;

const CHECK: &str = "/auth/check";

fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response.headers().get(name).map(|value| value.to_str().unwrap()).unwrap_or_default()
}

/// An allowed check: exactly 200, nothing in the body, the key's identity in
/// the four headers.
async fn assert_allowed(response: Response, region_id: &str, key_id: &str) {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "x-keyward-region-id"), region_id);
    assert_eq!(header(&response, "x-keyward-key-id"), key_id);
    assert_eq!(header(&response, "x-keyward-sandbox"), "false");
    assert_eq!(header(&response, "x-keyward-scopes"), "*");
    assert_eq!(header(&response, "cache-control"), "no-store");
    assert!(response.bytes().await.unwrap().is_empty());
}

async fn assert_refused(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(header(&response, "x-keyward-code"), code);
    assert_eq!(header(&response, "cache-control"), "no-store");
    if status == StatusCode::UNAUTHORIZED {
        assert_eq!(header(&response, "www-authenticate"), "ApiKey realm=\"keyward\"");
    }
    problem(response, status, &code.replace('_', "-")).await
}

#[tokio::test]
async fn any_method_and_any_suffix_is_checked_without_reading_the_body() {
    let server = TestServer::start().await;
    let created = server.region("acme").await;
    let (token, region, key) = (&created.api_key.token, created.region.id.as_str(), created.api_key.key.id.as_str());
    // Envoy keeps the method and appends the original path (and query).
    for (method, path) in [
        (Method::GET, CHECK.to_owned()),
        (Method::POST, format!("{CHECK}/orders/42?page=2")),
        (Method::DELETE, format!("{CHECK}/orders/42")),
        (Method::PUT, format!("{CHECK}/")),
        (Method::PATCH, format!("{CHECK}/a/b/c")),
        (Method::OPTIONS, CHECK.to_owned()),
    ] {
        let response = server.request(method.clone(), &path, token).send().await.unwrap();
        assert_allowed(response, region, key).await;
    }
    // A body far over the JSON limit: never read, so never a 413.
    let upload = server.request(Method::POST, &format!("{CHECK}/upload"), token).body(vec![b'x'; 1 << 20]);
    assert_allowed(upload.send().await.unwrap(), region, key).await;
    // Traefik sends GET with the original request in X-Forwarded-* headers.
    let traefik = server
        .request(Method::GET, CHECK, token)
        .header("x-forwarded-method", "DELETE")
        .header("x-forwarded-uri", "/orders/42")
        .header("x-forwarded-for", "203.0.113.9");
    assert_allowed(traefik.send().await.unwrap(), region, key).await;
    let bearer = server.client.head(format!("{}{CHECK}", server.url)).bearer_auth(token).send().await.unwrap();
    assert_eq!(bearer.status(), StatusCode::OK);
}

#[tokio::test]
async fn missing_invalid_and_deleted_keys_are_refused_with_their_code() {
    let server = TestServer::start().await;
    let created = server.region("acme").await;
    let token = created.api_key.token;
    let doomed = server.new_token(&token).await;
    let doomed_id = server.me(&doomed).await["current_api_key_id"].as_str().unwrap().to_owned();
    assert_eq!(server.get(CHECK, &doomed).await.status(), StatusCode::OK);

    let missing = server.client.post(format!("{}{CHECK}/x", server.url)).send().await.unwrap();
    assert_refused(missing, StatusCode::UNAUTHORIZED, "missing").await;
    let blank = server.get(CHECK, " ").await;
    assert_refused(blank, StatusCode::UNAUTHORIZED, "missing").await;
    for invalid in ["kw_live_garbage".to_owned(), testkit::unknown_token(), testkit::with_other_secret(&token)] {
        assert_refused(server.get(CHECK, &invalid).await, StatusCode::UNAUTHORIZED, "invalid").await;
    }
    let deleted = server.delete(&format!("/auth/region/api-keys/{doomed_id}"), &token).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_refused(server.get(CHECK, &doomed).await, StatusCode::UNAUTHORIZED, "invalid").await;
}

#[tokio::test]
async fn scope_requirements_are_checked_and_every_key_holds_all_for_now() {
    let server = TestServer::start().await;
    let created = server.region("acme").await;
    let token = created.api_key.token;
    let scoped = server.get(&format!("{CHECK}?scope=orders:read&scope=keys%3Awrite"), &token).await;
    assert_allowed(scoped, created.region.id.as_str(), created.api_key.key.id.as_str()).await;
    let malformed = server.get(&format!("{CHECK}?scope=Orders%20Read"), &token).await;
    problem(malformed, StatusCode::UNPROCESSABLE_ENTITY, "invalid-input").await;
}

/// A one-character slip in a proxy's configuration must not drop a required
/// scope. `/auth/check/` is `/auth/check`. Below it the query is the
/// protected request's (Envoy appends it, a client writes it), so it never
/// names scopes there: a `scope` in it is refused, not ignored, and the
/// proxy names scopes in `X-Keyward-Scope`, which every form honours.
#[tokio::test]
async fn the_suffix_form_never_drops_a_required_scope() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let created = server.create_key(&admin, json!({"scopes": ["orders:read"]})).await;
    let reader = created.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let check = |path: &str, scope: Option<&str>| {
        let request = server.request(Method::GET, path, &reader);
        match scope {
            Some(scope) => request.header("x-keyward-scope", scope).send(),
            None => request.send(),
        }
    };

    let slip = check(&format!("{CHECK}/?scope=orders:write"), None).await.unwrap();
    assert_refused(slip, StatusCode::FORBIDDEN, "insufficient_scope").await;
    assert_eq!(check(&format!("{CHECK}/?scope=orders:read"), None).await.unwrap().status(), StatusCode::OK);
    for scope in ["orders:write", "orders:read"] {
        let ignored = check(&format!("{CHECK}/orders?page=2&scope={scope}"), None).await.unwrap();
        assert_refused(ignored, StatusCode::FORBIDDEN, "scope_in_query").await;
    }
    assert_eq!(check(&format!("{CHECK}/orders?page=2"), None).await.unwrap().status(), StatusCode::OK);

    for path in [CHECK.to_owned(), format!("{CHECK}/"), format!("{CHECK}/orders/7?page=2")] {
        assert_eq!(check(&path, Some("orders:read")).await.unwrap().status(), StatusCode::OK, "{path}");
        for lacking in ["orders:write", "orders:read orders:write", "orders:read,orders:write"] {
            let refused = check(&path, Some(lacking)).await.unwrap();
            assert_refused(refused, StatusCode::FORBIDDEN, "insufficient_scope").await;
        }
        let malformed = check(&path, Some("Orders Write")).await.unwrap();
        problem(malformed, StatusCode::UNPROCESSABLE_ENTITY, "invalid-input").await;
    }
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_a_wait() {
    let limits =
        ThrottleLimits { per_key: 1000, per_address: 3, window: Duration::from_secs(60), ..Default::default() };
    let server = TestServer::start_with(limits).await;
    let token = server.region("acme").await.api_key.token;
    for _ in 0..3 {
        assert_eq!(server.get(CHECK, &testkit::with_other_secret(&token)).await.status(), StatusCode::UNAUTHORIZED);
    }
    let throttled = server.get(CHECK, &testkit::with_other_secret(&token)).await;
    let retry_after: u64 = header(&throttled, "retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_refused(throttled, StatusCode::TOO_MANY_REQUESTS, "throttled").await;

    let verdict = verify(&server, json!({"key": testkit::with_other_secret(&token)})).await;
    assert_eq!((verdict["valid"].clone(), verdict["code"].clone()), (json!(false), json!("throttled")));
    assert!(verdict["retry_after"].as_u64().is_some_and(|wait| (1..=60).contains(&wait)), "{verdict}");
    // A key this process already verified needs no argon2 and is not throttled.
    assert_eq!(server.get(CHECK, &token).await.status(), StatusCode::TOO_MANY_REQUESTS, "never verified here");
}

async fn verify(server: &TestServer, body: Value) -> Value {
    let response = server.client.post(format!("{}/auth/verify", server.url)).json(&body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "cache-control"), "no-store");
    response.json().await.unwrap()
}

#[tokio::test]
async fn verify_answers_every_well_formed_request_with_a_verdict() {
    let server = TestServer::start().await;
    let created = server.region("acme").await;
    let token = created.api_key.token;

    let valid = verify(&server, json!({"key": token, "scopes": ["orders:read"]})).await;
    assert_eq!(
        valid,
        json!({"valid": true, "code": "valid", "region_id": created.region.id.as_str(),
               "key_id": created.api_key.key.id.as_str(), "sandbox": false, "scopes": ["*"], "owner": null,
               "meta": {}, "rate_limits": [], "credits": null, "retry_after": null})
    );
    let refused = |code: &str| {
        json!({"valid": false, "code": code, "region_id": null, "key_id": null, "sandbox": null, "scopes": null,
               "owner": null, "meta": null, "rate_limits": null, "credits": null, "retry_after": null})
    };
    assert_eq!(verify(&server, json!({"key": ""})).await, refused("missing"));
    assert_eq!(verify(&server, json!({"key": "kw_live_nope"})).await, refused("invalid"));
    assert_eq!(verify(&server, json!({"key": testkit::unknown_token()})).await, refused("invalid"));

    let post = |body: reqwest::Body, content_type: &str| {
        server.client.post(format!("{}/auth/verify", server.url)).header("content-type", content_type).body(body)
    };
    let malformed = post("{\"key\": ".into(), "application/json").send().await.unwrap();
    problem(malformed, StatusCode::BAD_REQUEST, "malformed-json").await;
    let not_json = post("key=x".into(), "application/x-www-form-urlencoded").send().await.unwrap();
    problem(not_json, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type").await;
    for wrong in
        [json!({}), json!({"key": 5}), json!({"key": "x", "scopes": ["Not A Scope"]}), json!({"key": "x", "extra": 1})]
    {
        let response = post(wrong.to_string().into(), "application/json").send().await.unwrap();
        problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid-body").await;
    }
    let huge = post(json!({"key": "x".repeat(64 * 1024)}).to_string().into(), "application/json").send().await.unwrap();
    problem(huge, StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large").await;
}

#[tokio::test]
async fn a_check_and_a_verify_count_as_uses_of_the_key() {
    let server = TestServer::start().await;
    let token = server.region("acme").await.api_key.token;
    let (checked, verified) = (server.new_token(&token).await, server.new_token(&token).await);
    assert_eq!(server.get(CHECK, &checked).await.status(), StatusCode::OK);
    assert_eq!(verify(&server, json!({"key": verified})).await["valid"], true);
    // The first key is used by reading the list; the other two only by the check and the verify.
    eventually(Duration::from_secs(10), || async {
        let keys = server.me(&token).await["api_keys"].as_array().unwrap().clone();
        keys.iter().all(|key| !key["last_used_at"].is_null()).then_some(())
    })
    .await;
}

#[tokio::test]
async fn both_endpoints_are_in_the_openapi_document() {
    let server = TestServer::start().await;
    let document: Value =
        server.client.get(format!("{}/openapi.json", server.url)).send().await.unwrap().json().await.unwrap();
    let check = &document["paths"]["/auth/check"];
    for method in ["get", "post", "put", "patch", "delete", "head", "options"] {
        assert!(check[method].is_object(), "{method} /auth/check is documented");
    }
    assert!(document["paths"]["/auth/verify"]["post"].is_object());
}
