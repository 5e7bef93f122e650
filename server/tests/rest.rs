//! Every row of the REST table and every refusal, over HTTP against the real
//! router and a real database.

mod common;

use common::{DbProxy, TestServer, keyward_at, problem};
use domain::ThrottleLimits;
use domain::model::{Environment, RegionName};
use reqwest::{Method, StatusCode};
use sea_orm::sqlx::Connection;
use serde_json::{Value, json};
use std::time::Duration;
use testkit::{TestDb, eventually};

const KEYS: &str = "/auth/region/api-keys";

#[tokio::test]
async fn me_shows_the_region_its_keys_and_the_calling_key_but_no_secret() {
    let server = TestServer::start().await;
    let created = server.region("acme").await;
    let token = created.api_key.token.clone();
    let second = server.new_token(&token).await;

    let me = server.me(&second).await;
    assert_eq!(me["id"], created.region.id.as_str());
    assert_eq!(me["name"], "acme");
    assert_eq!(me["sandbox"], false);
    assert!(me["created_at"].is_string() && me["updated_at"].is_string());
    let keys = me["api_keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["id"], created.api_key.key.id.as_str());
    for key in keys {
        for field in ["id", "token_preview", "created_at", "updated_at"] {
            assert!(key[field].is_string(), "{field} in {key}");
        }
        assert!(key.get("token").is_none() && key.get("secret_hash").is_none());
        assert!(key["token_preview"].as_str().unwrap().starts_with("kw_live_"));
    }
    let current = me["current_api_key_id"].as_str().unwrap();
    assert_eq!(current, keys[1]["id"]);
    let text = me.to_string();
    assert!(!text.contains(&token) && !text.contains(&second) && !text.contains("argon2"));
}

#[tokio::test]
async fn bearer_authorization_works_like_x_api_key() {
    let server = TestServer::start().await;
    let token = server.region("acme").await.api_key.token;
    let response =
        server.client.get(format!("{}/auth/regions/me", server.url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn missing_malformed_unknown_and_wrong_keys_are_refused_alike() {
    let server = TestServer::start().await;
    let token = server.region("acme").await.api_key.token;
    let no_key = server.client.get(format!("{}/auth/regions/me", server.url)).send().await.unwrap();
    assert_eq!(no_key.headers()["www-authenticate"], "ApiKey realm=\"keyward\"");
    let bodies = [
        problem(no_key, StatusCode::UNAUTHORIZED, "unauthenticated").await,
        problem(server.get("/auth/regions/me", "garbage").await, StatusCode::UNAUTHORIZED, "unauthenticated").await,
        problem(server.get("/auth/regions/me", &typo(&token)).await, StatusCode::UNAUTHORIZED, "unauthenticated").await,
        problem(
            server.get("/auth/regions/me", &testkit::with_other_secret(&token)).await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        )
        .await,
        problem(
            server.get("/auth/regions/me", &testkit::unknown_token()).await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        )
        .await,
        problem(
            server.get("/auth/regions/me", &testkit::as_sandbox(&token)).await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        )
        .await,
    ];
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]), "one answer for every kind of bad key");
}

#[tokio::test]
async fn a_sandbox_region_gets_test_keys() {
    let server = TestServer::start().await;
    let name = RegionName::parse("play").unwrap();
    let created = server.keyward.regions().create(name, Environment::Sandbox, None).await.unwrap();
    assert!(created.api_key.token.starts_with("kw_test_"));
    let me = server.me(&created.api_key.token).await;
    assert_eq!(me["sandbox"], true);
    let second = server.new_token(&created.api_key.token).await;
    assert!(second.starts_with("kw_test_"));
}

#[tokio::test]
async fn creating_a_key_returns_its_token_once() {
    let server = TestServer::start().await;
    let created = server.region("acme").await;
    let token = created.api_key.token;

    let response = server.create_key(&token, json!({"description": "  billing worker  "})).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let key: Value = response.json().await.unwrap();
    let new_token = key["token"].as_str().unwrap().to_owned();
    assert!(testkit::is_well_formed_token(&new_token));
    assert_eq!(key["description"], "billing worker");
    assert!(key["last_used_at"].is_null());
    assert_eq!(key["created_at"], key["updated_at"]);
    let preview = key["token_preview"].as_str().unwrap();
    assert!(new_token.starts_with(&preview[..12]) && new_token.ends_with(&preview[preview.len() - 4..]));

    // The new key works, and no later response carries a token again.
    let me = server.me(&new_token).await;
    let id = key["id"].as_str().unwrap();
    let listed = server.get(KEYS, &new_token).await.text().await.unwrap();
    let one = server.get(&format!("{KEYS}/{id}"), &new_token).await.text().await.unwrap();
    for body in [me.to_string(), listed, one] {
        assert!(!body.contains(&new_token) && !body.contains(&token) && !body.contains("\"token\""), "{body}");
    }
}

#[tokio::test]
async fn creating_in_a_named_region_requires_it_to_be_the_callers() {
    let server = TestServer::start().await;
    let acme = server.region("acme").await;
    let other = server.region("other").await;
    let token = acme.api_key.token;

    let own = server.create_key(&token, json!({"region_id": acme.region.id})).await;
    assert_eq!(own.status(), StatusCode::CREATED);
    let foreign = server.create_key(&token, json!({"region_id": other.region.id})).await;
    problem(foreign, StatusCode::FORBIDDEN, "foreign-region").await;
    assert_eq!(key_count(&server, &other.api_key.token).await, 1);
}

#[tokio::test]
async fn bad_create_bodies_are_refused_and_change_nothing() {
    let server = TestServer::start().await;
    let token = server.region("acme").await.api_key.token;
    let post = || server.request(Method::POST, KEYS, &token);

    let too_long = server.create_key(&token, json!({"description": "x".repeat(201)})).await;
    problem(too_long, StatusCode::UNPROCESSABLE_ENTITY, "invalid-input").await;
    let control = server.create_key(&token, json!({"description": "line\nbreak"})).await;
    problem(control, StatusCode::UNPROCESSABLE_ENTITY, "invalid-input").await;
    let wrong_type = server.create_key(&token, json!({"description": 5})).await;
    problem(wrong_type, StatusCode::UNPROCESSABLE_ENTITY, "invalid-body").await;
    let unknown_field = server.create_key(&token, json!({"descripton": "typo"})).await;
    problem(unknown_field, StatusCode::UNPROCESSABLE_ENTITY, "invalid-body").await;
    let malformed = post().header("content-type", "application/json").body("{\"description\": ").send().await.unwrap();
    problem(malformed, StatusCode::BAD_REQUEST, "malformed-json").await;
    let not_json = post().header("content-type", "text/plain").body("{}").send().await.unwrap();
    problem(not_json, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type").await;
    let huge = post().json(&json!({"description": "x".repeat(64 * 1024)})).send().await.unwrap();
    problem(huge, StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large").await;

    assert_eq!(key_count(&server, &token).await, 1);
}

#[tokio::test]
async fn keys_of_other_regions_are_as_absent_as_unknown_ids() {
    let server = TestServer::start().await;
    let acme = server.region("acme").await;
    let other = server.region("other").await;
    let token = acme.api_key.token;
    let foreign_id = other.api_key.key.id.clone();

    let own = server.get(&format!("{KEYS}/{}", acme.api_key.key.id), &token).await;
    assert_eq!(own.status(), StatusCode::OK);
    let own: Value = own.json().await.unwrap();
    assert_eq!(own["id"], acme.api_key.key.id.as_str());
    assert!(own.get("token").is_none());

    // %00 is a NUL byte, which Postgres refuses in text: still a 404.
    for id in [foreign_id.as_str(), "key_doesnotexist00", "nonsense", "key_%00"] {
        let path = format!("{KEYS}/{id}");
        let get = problem(server.get(&path, &token).await, StatusCode::NOT_FOUND, "api-key-not-found").await;
        let patch = server.request(Method::PATCH, &path, &token).json(&json!({"description": "mine"})).send().await;
        let patch = problem(patch.unwrap(), StatusCode::NOT_FOUND, "api-key-not-found").await;
        let delete = problem(server.delete(&path, &token).await, StatusCode::NOT_FOUND, "api-key-not-found").await;
        assert!(get == patch && patch == delete);
    }
    // The other region's key is untouched and still works.
    let other_me = server.me(&other.api_key.token).await;
    assert!(other_me["api_keys"][0]["description"].is_null());
    let listed: Value = server.get(KEYS, &token).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn patch_sets_and_clears_the_description_and_moves_updated_at() {
    let server = TestServer::start().await;
    let created = server.region("acme").await;
    let token = created.api_key.token;
    let path = format!("{KEYS}/{}", created.api_key.key.id);
    let patch = |body: Value| server.request(Method::PATCH, &path, &token).json(&body).send();

    let updated: Value = patch(json!({"description": "renamed"})).await.unwrap().json().await.unwrap();
    assert_eq!(updated["description"], "renamed");
    let before = chrono::DateTime::parse_from_rfc3339(updated["updated_at"].as_str().unwrap()).unwrap();
    assert!(before > created.api_key.key.updated_at);
    assert_eq!(updated["created_at"], json!(created.api_key.key.created_at));

    let cleared: Value = patch(json!({"description": null})).await.unwrap().json().await.unwrap();
    assert!(cleared["description"].is_null());

    problem(patch(json!({})).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "invalid-input").await;
    problem(patch(json!({"description": "\u{7}"})).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "invalid-input")
        .await;
    let mut after: Value = server.get(&path, &token).await.json().await.unwrap();
    after["last_used_at"] = cleared["last_used_at"].clone(); // moves with every call, by design
    assert_eq!(after, cleared, "refused patches change nothing");
}

#[tokio::test]
async fn delete_revokes_at_once_and_never_the_last_key() {
    let server = TestServer::start().await;
    let created = server.region("acme").await;
    let first = created.api_key.token;
    let second = server.new_token(&first).await;
    let second_id = server.me(&second).await["current_api_key_id"].as_str().unwrap().to_owned();

    // A key may delete itself when it is not the last; its next request is refused.
    let deleted = server.delete(&format!("{KEYS}/{second_id}"), &second).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    problem(server.get("/auth/regions/me", &second).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    problem(server.get(&format!("{KEYS}/{second_id}"), &first).await, StatusCode::NOT_FOUND, "api-key-not-found").await;

    let last = server.delete(&format!("{KEYS}/{}", created.api_key.key.id), &first).await;
    let body = problem(last, StatusCode::CONFLICT, "last-api-key").await;
    assert!(body["detail"].as_str().unwrap().contains("last key that can manage keys"));
    assert_eq!(key_count(&server, &first).await, 1);
}

#[tokio::test]
async fn delete_with_a_region_scope_requires_the_callers_region() {
    let server = TestServer::start().await;
    let acme = server.region("acme").await;
    let other = server.region("other").await;
    let token = acme.api_key.token;
    let doomed = server.new_token(&token).await;
    let doomed_id = server.me(&doomed).await["current_api_key_id"].as_str().unwrap().to_owned();

    let foreign = server.delete(&format!("{KEYS}/{doomed_id}?region_id={}", other.region.id), &token).await;
    problem(foreign, StatusCode::FORBIDDEN, "foreign-region").await;
    let bad_query = server.delete(&format!("{KEYS}/{doomed_id}?region=1"), &token).await;
    problem(bad_query, StatusCode::BAD_REQUEST, "invalid-query").await;
    assert_eq!(key_count(&server, &token).await, 2);

    let own = server.delete(&format!("{KEYS}/{doomed_id}?region_id={}", acme.region.id), &token).await;
    assert_eq!(own.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn last_used_at_is_recorded_off_the_request_path() {
    let server = TestServer::start().await;
    let created = server.region("acme").await;
    let token = created.api_key.token;
    let id = created.api_key.key.id;
    assert!(created.api_key.key.last_used_at.is_none());
    server.me(&token).await;
    let used_at = eventually(Duration::from_secs(10), || async {
        let key: Value = server.get(&format!("{KEYS}/{id}"), &token).await.json().await.unwrap();
        key["last_used_at"].as_str().map(str::to_owned)
    })
    .await;
    let used_at = chrono::DateTime::parse_from_rfc3339(&used_at).unwrap();
    assert!(used_at >= created.api_key.key.created_at);
}

#[tokio::test]
async fn repeated_failures_for_a_key_are_throttled_before_argon2() {
    let limits =
        ThrottleLimits { per_key: 3, per_address: 1000, window: Duration::from_secs(60), ..Default::default() };
    let server = TestServer::start_with(limits).await;
    let token = server.region("acme").await.api_key.token;
    server.me(&token).await; // warm: this process has verified the real token
    let wrong = testkit::with_other_secret(&token);
    for _ in 0..3 {
        problem(server.get("/auth/regions/me", &wrong).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    let throttled = server.get("/auth/regions/me", &wrong).await;
    let retry_after: u64 = throttled.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    let body = problem(throttled, StatusCode::TOO_MANY_REQUESTS, "throttled").await;
    assert_eq!(
        body["detail"],
        format!("too many failed attempts; try again in {retry_after} s"),
        "one wait, said alike"
    );
    // The holder of the real, already verified key is not locked out.
    server.me(&token).await;
}

#[tokio::test]
async fn repeated_failures_from_an_address_are_throttled() {
    let limits =
        ThrottleLimits { per_key: 1000, per_address: 5, window: Duration::from_secs(60), ..Default::default() };
    let server = TestServer::start_with(limits).await;
    let created = server.region("acme").await;
    let warm = created.api_key.token;
    server.me(&warm).await;
    let token = server.new_token(&warm).await;
    // Only wrong secrets for a real key cost argon2, and count.
    for _ in 0..5 {
        problem(server.get("/auth/regions/me", "kw_live_garbage").await, StatusCode::UNAUTHORIZED, "unauthenticated")
            .await;
        let wrong = testkit::with_other_secret(&warm);
        problem(server.get("/auth/regions/me", &wrong).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    // A key this process has not verified yet would need argon2: refused.
    let throttled = server.get("/auth/regions/me", &token).await;
    assert!(throttled.headers().contains_key("retry-after"));
    problem(throttled, StatusCode::TOO_MANY_REQUESTS, "throttled").await;
    // A key already verified costs no argon2: others' failures do not lock it out.
    server.me(&warm).await;
}

#[tokio::test]
async fn openapi_health_and_readiness() {
    let server = TestServer::start().await;
    let openapi: Value =
        server.client.get(format!("{}/openapi.json", server.url)).send().await.unwrap().json().await.unwrap();
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"));
    let documented =
        ["/auth/regions/me", KEYS, "/auth/region/api-keys/{id}", "/auth/region/audit-events", "/healthz", "/readyz"];
    for path in documented {
        assert!(openapi["paths"][path].is_object(), "{path} is documented");
    }
    let item = &openapi["paths"]["/auth/region/api-keys/{id}"];
    assert!(item["get"].is_object() && item["patch"].is_object() && item["delete"].is_object());
    assert!(openapi["paths"]["/auth/region/api-keys"]["post"]["responses"]["201"].is_object());
    assert!(openapi["components"]["securitySchemes"]["api_key"].is_object());
    // Errors are documented as what they are.
    let refused = &openapi["paths"]["/auth/regions/me"]["get"]["responses"]["401"]["content"];
    assert!(refused["application/problem+json"].is_object() && refused["application/json"].is_null(), "{refused}");
    let ok = &openapi["paths"]["/auth/regions/me"]["get"]["responses"]["200"]["content"];
    assert!(ok["application/json"].is_object(), "{ok}");

    for (path, status) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let response = server.client.get(format!("{}{path}", server.url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(response.headers()["x-frame-options"], "DENY");
        assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(response.json::<Value>().await.unwrap()["status"], status);
    }
    let missing = server.client.get(format!("{}/auth/nothing", server.url)).send().await.unwrap();
    problem(missing, StatusCode::NOT_FOUND, "no-route").await;
}

#[tokio::test]
async fn wrong_methods_and_unparsable_paths_get_problems_too() {
    let server = TestServer::start().await;
    let token = server.region("acme").await.api_key.token;
    for (method, path) in [
        (reqwest::Method::PUT, KEYS.to_owned()),
        (reqwest::Method::POST, "/openapi.json".to_owned()),
        (reqwest::Method::DELETE, "/auth/regions/me".to_owned()),
    ] {
        let response = server
            .client
            .request(method.clone(), format!("{}{path}", server.url))
            .header("x-api-key", &token)
            .send()
            .await
            .unwrap();
        assert!(response.headers().contains_key("allow"), "{method} {path}: 405 says what is allowed");
        problem(response, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed").await;
    }
    // A percent-encoded byte that is not UTF-8 cannot be a key id.
    problem(server.get(&format!("{KEYS}/%FF"), &token).await, StatusCode::BAD_REQUEST, "invalid-path").await;
    assert_eq!(key_count(&server, &token).await, 1);
}

async fn key_count(server: &TestServer, token: &str) -> usize {
    server.me(token).await["api_keys"].as_array().unwrap().len()
}

/// The same token with one character of its secret changed: the checksum
/// catches it.
fn typo(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    bytes[30] = if bytes[30] == b'a' { b'b' } else { b'a' };
    String::from_utf8(bytes).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_a_quick_503_and_passes_by_itself() {
    let db = TestDb::fresh().await;
    let Some((proxy, proxied)) = DbProxy::in_front_of(&db).await else { return };
    let keyward = keyward_at(&proxied, ThrottleLimits::default()).await;
    let token = testkit::region(&keyward, "acme").await.api_key.token;
    let server = TestServer::serve(keyward, db).await;
    let ready = || async { server.client.get(format!("{}/readyz", server.url)).send().await.unwrap() };
    assert_eq!(ready().await.status(), StatusCode::OK);

    let keys_before = key_count(&server, &token).await;
    proxy.cut();
    problem(ready().await, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    // Keyed calls, reads and writes alike, are told to come back, quickly:
    // the database's outage is not a failure of the server.
    eventually(Duration::from_secs(10), || async { (!server.keyward.is_cache_trusted()).then_some(()) }).await;
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let down = server.get("/auth/regions/me", &token).await;
        assert!(started.elapsed() < Duration::from_secs(2), "answered after {:?}", started.elapsed());
        assert_eq!(down.headers().get("retry-after").map(|v| v.to_str().unwrap()), Some("1"), "{down:?}");
        problem(down, StatusCode::SERVICE_UNAVAILABLE, "database-unavailable").await;
    }
    let write = server.create_key(&token, json!({"description": "during the outage"})).await;
    problem(write, StatusCode::SERVICE_UNAVAILABLE, "database-unavailable").await;
    let healthy = server.client.get(format!("{}/healthz", server.url)).send().await.unwrap();
    assert_eq!(healthy.status(), StatusCode::OK, "liveness does not depend on the database");

    proxy.restore();
    eventually(Duration::from_secs(30), || async { (ready().await.status() == StatusCode::OK).then_some(()) }).await;
    assert_eq!(key_count(&server, &token).await, keys_before, "the refused write wrote nothing");
}

#[tokio::test]
async fn the_audit_log_records_who_changed_what_from_where_and_outlives_keys() {
    let server = TestServer::start().await;
    let created = server.region("acme").await;
    let first = created.api_key.token;
    let other = server.region("other").await;
    let second: Value = server.create_key(&first, json!({"description": "temp"})).await.json().await.unwrap();
    let second_id = second["id"].as_str().unwrap();
    let path = format!("{KEYS}/{second_id}");
    server.request(Method::PATCH, &path, &first).json(&json!({"description": "renamed"})).send().await.unwrap();
    assert_eq!(server.delete(&path, &first).await.status(), StatusCode::NO_CONTENT);
    let refused = server.delete(&format!("{KEYS}/{}", created.api_key.key.id), &first).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT, "a refused delete is not logged");

    let log: Value = server.get("/auth/region/audit-events", &first).await.json().await.unwrap();
    let log = log.as_array().unwrap();
    let actions: Vec<&str> = log.iter().map(|event| event["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["api_key.deleted", "api_key.updated", "api_key.created", "api_key.created", "region.created"]);
    let first_id = created.api_key.key.id.as_str();
    for event in &log[..3] {
        assert_eq!(event["api_key_id"], second_id);
        assert_eq!(event["api_key_preview"], second["token_preview"], "the deleted key is still named");
        assert_eq!(event["actor_api_key_id"], first_id);
        assert_eq!(event["client_address"], "127.0.0.1");
    }
    assert_eq!(log[3]["api_key_id"], first_id);
    assert!(log[3]["actor_api_key_id"].is_null() && log[3]["client_address"].is_null(), "created by the operator");
    assert!(!Value::Array(log.clone()).to_string().contains(second["token"].as_str().unwrap()));

    let limited: Value = server.get("/auth/region/audit-events?limit=2", &first).await.json().await.unwrap();
    assert_eq!(limited.as_array().unwrap().len(), 2);
    let bad = server.get("/auth/region/audit-events?limit=many", &first).await;
    problem(bad, StatusCode::BAD_REQUEST, "invalid-query").await;
    let theirs: Value = server.get("/auth/region/audit-events", &other.api_key.token).await.json().await.unwrap();
    let theirs: Vec<&str> = theirs.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(theirs, ["api_key.created", "region.created"], "a region sees only its own log");
}

/// Keyed answers describe keys: no cache between client and server keeps
/// them, refusals included.
#[tokio::test]
async fn keyed_responses_are_never_stored() {
    let server = TestServer::start().await;
    let created = server.region("acme").await;
    let token = created.api_key.token;
    let one = format!("{KEYS}/{}", created.api_key.key.id);
    for path in ["/auth/regions/me", KEYS, one.as_str(), "/auth/region/audit-events"] {
        for key in [token.as_str(), "kw_live_wrong"] {
            let response = server.get(path, key).await;
            assert_eq!(response.headers()["cache-control"], "no-store", "{path} with {key:.12}: {}", response.status());
        }
    }
}

/// Postgres ends Keyward's connections (as a restart, a failover or a
/// proxy's idle time-out would), again and again: reads running meanwhile
/// go on on other connections, and the requests after it, reads and writes,
/// find the dead idle connections and run on fresh ones. No request fails.
/// (On SQLite no server ends connections; this runs in the Postgres pass.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_ended_by_the_database_fail_no_request() {
    let server = TestServer::start().await;
    if !server.db.is_postgres() {
        eprintln!("skipped: needs Postgres (KEYWARD_TEST_POSTGRES_URL)");
        return;
    }
    let admin = server.region("acme").await.api_key.token;
    let key_id = server.me(&admin).await["current_api_key_id"].as_str().unwrap().to_owned();
    // One connection of its own, which `pg_backend_pid()` spares.
    let mut killer = sea_orm::sqlx::PgConnection::connect(&server.db.url).await.unwrap();
    let terminate = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'";
    let (mut statuses, mut ended) = (Vec::new(), 0);
    for round in 0..10 {
        // Reads under load while the connections end...
        let reads: Vec<_> = (0..8)
            .map(|i| {
                let path = if i % 2 == 0 { KEYS.to_owned() } else { "/auth/region/audit-events?limit=5".to_owned() };
                server.request(Method::GET, &path, &admin).send()
            })
            .collect();
        let ending = sea_orm::sqlx::query(terminate).fetch_all(&mut killer);
        let (reads, ending) = tokio::join!(futures_all(reads), ending);
        ended += ending.unwrap().len();
        statuses.extend(reads);
        // ...and reads and writes on a pool of connections that all died idle.
        let after: Vec<_> = (0..8)
            .map(|i| match i % 2 {
                0 => server.request(Method::GET, KEYS, &admin).send(),
                _ => server
                    .request(Method::PATCH, &format!("{KEYS}/{key_id}"), &admin)
                    .json(&json!({"description": format!("round {round}.{i}")}))
                    .send(),
            })
            .collect();
        statuses.extend(futures_all(after).await);
    }
    assert!(ended >= 10, "the test ended {ended} connections");
    let failed: Vec<&StatusCode> = statuses.iter().filter(|status| !status.is_success()).collect();
    assert!(failed.is_empty(), "{} of {} requests failed: {failed:?}", failed.len(), statuses.len());
}

/// The statuses of requests sent at once.
async fn futures_all(
    requests: Vec<impl std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static>,
) -> Vec<StatusCode> {
    let mut set = tokio::task::JoinSet::new();
    for request in requests {
        set.spawn(async move { request.await.unwrap().status() });
    }
    set.join_all().await
}
