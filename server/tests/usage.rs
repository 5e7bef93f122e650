//! Usage over HTTP: every keyed REST call, `/auth/check` and `/auth/verify`
//! counted for its key, exact across real processes and a restart, and the
//! usage endpoints' answers and refusals.

mod common;

use std::time::Duration;

use common::{Process, TestServer, keyward, problem};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use testkit::{TestDb, eventually, with_other_secret};

const KEYS: &str = "/auth/region/api-keys";

/// A region made with the CLI: its first key's id and token.
fn region_key(db: &TestDb) -> (String, String) {
    let output = keyward().args(["region", "create", "--name", "acme", "--json"]).env("DATABASE_URL", &db.url).output();
    let output = output.unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let created: Value = serde_json::from_slice(&output.stdout).unwrap();
    let key = &created["api_key"];
    (key["id"].as_str().unwrap().to_owned(), key["token"].as_str().unwrap().to_owned())
}

/// `count` `/auth/check`s through `process` with `token`, each answered `status`.
async fn checks(process: &Process, query: &str, token: &str, user_agent: &str, count: usize, status: StatusCode) {
    let client = Client::new();
    for _ in 0..count {
        let response = client
            .get(format!("{}/auth/check{query}", process.url))
            .header("x-api-key", token)
            .header("user-agent", user_agent)
            .header("x-forwarded-method", "GET")
            .header("x-forwarded-uri", "/orders/7?token=not-for-keyward")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status);
    }
}

fn yesterday() -> String {
    (chrono::Utc::now() - chrono::TimeDelta::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn get(url: &str, token: &str) -> Value {
    let response = Client::new().get(url).header("x-api-key", token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Requests of every kind spread over two processes, one of them stopped
/// (cleanly, with a flush interval it never reaches) and started again: the
/// counts are exactly the requests made.
#[tokio::test]
async fn counts_are_exact_across_two_processes_and_a_restart() {
    let db = TestDb::fresh().await;
    let (admin_id, admin) = region_key(&db);
    let never = ["--no-bootstrap", "--usage-flush-ms", "3600000", "--auth-failures-per-key", "2"];
    let first = Process::serve(&db.url, &never);
    let second = Process::serve(&db.url, &["--no-bootstrap"]);
    let client = Client::new();
    let create = async |description: &str, scope: &str| -> Value {
        let body = json!({"description": description, "scopes": [scope]});
        let response = client.post(format!("{}{KEYS}", first.url)).header("x-api-key", &admin).json(&body);
        response.send().await.unwrap().json().await.unwrap()
    };
    let created = create("billing", "orders:read").await;
    let (key_id, token) = (created["id"].as_str().unwrap(), created["token"].as_str().unwrap());
    // The test reads usage with a key of its own, so the admin's count stays known.
    let reader = create("reader", "keys:read").await;
    let reader = reader["token"].as_str().unwrap();

    checks(&first, "?scope=orders:read", token, "billing-sync/2.4", 7, StatusCode::OK).await;
    checks(&first, "?scope=orders:write", token, "billing-sync/2.4", 3, StatusCode::FORBIDDEN).await;
    let wrong = with_other_secret(token);
    checks(&first, "", &wrong, "guesser", 2, StatusCode::UNAUTHORIZED).await;
    checks(&first, "", &wrong, "guesser", 1, StatusCode::TOO_MANY_REQUESTS).await;
    for _ in 0..5 {
        let response = client
            .post(format!("{}/auth/verify", second.url))
            .json(&json!({"key": token, "scopes": ["orders:read"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.json::<Value>().await.unwrap()["valid"], true);
    }
    // A REST call the key lacks the scope for.
    let listed = client.get(format!("{}{KEYS}", second.url)).header("x-api-key", token).send().await.unwrap();
    assert_eq!(listed.status(), StatusCode::FORBIDDEN);

    assert!(first.terminate().success(), "a clean stop");
    let restarted = Process::serve(&db.url, &never);
    checks(&restarted, "?scope=orders:read", token, "billing-sync/2.5", 4, StatusCode::OK).await;
    assert!(restarted.terminate().success());

    let since = yesterday();
    let usage_url = format!("{}{KEYS}/{key_id}/usage?from={since}&bucket=day", second.url);
    let expected = json!({"accepted": 7 + 5 + 4, "invalid": 2, "insufficient_scope": 3 + 1, "throttled": 1,
        "rate_limited": 0, "credits_exhausted": 0, "network_not_allowed": 0});
    let usage = eventually(Duration::from_secs(10), || async {
        let usage = get(&usage_url, reader).await;
        (usage["usage"]["total"] == expected).then_some(usage)
    })
    .await;
    assert_eq!(usage["deleted"], false);
    let last = &usage["last_use"];
    assert_eq!(last["user_agent"], "billing-sync/2.5");
    assert_eq!((&last["method"], &last["path"]), (&json!("GET"), &json!("/orders/7")), "never the query: {last}");
    assert_eq!(last["client_address"], "127.0.0.1");

    // The admin key created two keys: its only uses.
    let region = get(&format!("{}/auth/region/usage?bucket=day&from={since}", second.url), reader).await;
    let keys = region["keys"].as_array().unwrap();
    let traffic_of = |id: &str| keys.iter().find(|key| key["key_id"] == id).expect("the key's traffic").clone();
    let admin_traffic = traffic_of(&admin_id);
    assert_eq!(
        admin_traffic["total"],
        json!({"accepted": 2, "invalid": 0, "insufficient_scope": 0, "throttled": 0,
        "rate_limited": 0, "credits_exhausted": 0, "network_not_allowed": 0})
    );
    let billing = traffic_of(key_id);
    assert_eq!((&billing["description"], &billing["total"]), (&json!("billing"), &expected));
    let total = |key: &Value| {
        ["accepted", "invalid", "insufficient_scope", "throttled"]
            .map(|n| key["total"][n].as_u64().unwrap())
            .iter()
            .sum::<u64>()
    };
    assert!(keys.windows(2).all(|pair| total(&pair[0]) >= total(&pair[1])), "most requests first");
    let accepted = |key: &Value| key["total"]["accepted"].as_u64().unwrap();
    assert_eq!(region["usage"]["total"]["accepted"].as_u64().unwrap(), keys.iter().map(accepted).sum::<u64>());
    assert_eq!(billing["accepted"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).sum::<u64>(), 16);
    let refused: u64 = billing["refused"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(refused, 2 + 4 + 1);
}

#[tokio::test]
async fn usage_queries_are_checked_and_confined_to_the_callers_region() {
    let server = TestServer::start().await;
    let acme = server.region("acme").await;
    let other = server.region("other").await;
    let admin = &acme.api_key.token;
    let key = format!("{KEYS}/{}/usage", acme.api_key.key.id);

    let usage: Value = server.get(&key, admin).await.json().await.unwrap();
    assert_eq!(usage["usage"]["bucket"], "hour");
    assert_eq!(usage["usage"]["points"].as_array().unwrap().len(), 24 * 7 + 1, "7 days to this hour's end");

    let foreign = format!("{KEYS}/{}/usage", other.api_key.key.id);
    problem(server.get(&foreign, admin).await, StatusCode::NOT_FOUND, "api-key-not-found").await;
    problem(server.get(&format!("{KEYS}/nope/usage"), admin).await, StatusCode::NOT_FOUND, "api-key-not-found").await;
    let range = |query: &str| format!("{key}?{query}");
    for bad in
        ["from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"]
    {
        problem(server.get(&range(bad), admin).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid-input").await;
    }
    let long = "from=2026-01-01T00:00:00Z&to=2026-03-02T00:00:01Z&bucket=hour";
    let body = problem(server.get(&range(long), admin).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid-input").await;
    assert!(body["detail"].as_str().unwrap().contains("1440"), "{body}");
    for malformed in ["from=yesterday", "bucket=week", "limit=3"] {
        problem(server.get(&range(malformed), admin).await, StatusCode::BAD_REQUEST, "invalid-query").await;
        problem(
            server.get(&format!("/auth/region/usage?{malformed}"), admin).await,
            StatusCode::BAD_REQUEST,
            "invalid-query",
        )
        .await;
    }
    let bad = "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z";
    problem(
        server.get(&format!("/auth/region/usage?{bad}"), admin).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-input",
    )
    .await;

    // Without keys:read: refused, and counted as refused for its scope.
    let response = server.create_key(admin, json!({"scopes": ["orders:read"]})).await;
    let narrow: Value = response.json().await.unwrap();
    let narrow_token = narrow["token"].as_str().unwrap();
    problem(server.get(&key, narrow_token).await, StatusCode::FORBIDDEN, "insufficient-scope").await;
    problem(server.get("/auth/region/usage", narrow_token).await, StatusCode::FORBIDDEN, "insufficient-scope").await;
    let narrow_usage = format!("{KEYS}/{}/usage", narrow["id"].as_str().unwrap());
    eventually(Duration::from_secs(10), || async {
        let usage: Value = server.get(&narrow_usage, admin).await.json().await.unwrap();
        (usage["usage"]["total"]["insufficient_scope"] == 2).then_some(())
    })
    .await;

    // A deleted key's usage stays, marked deleted; its last use went with it.
    let deleted = server.delete(&format!("{KEYS}/{}", narrow["id"].as_str().unwrap()), admin).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let usage: Value = server.get(&narrow_usage, admin).await.json().await.unwrap();
    assert_eq!((&usage["deleted"], &usage["usage"]["total"]["insufficient_scope"]), (&json!(true), &json!(2)));
    let region: Value = server.get("/auth/region/usage", admin).await.json().await.unwrap();
    let listed = region["keys"].as_array().unwrap().iter().find(|key| key["key_id"] == narrow["id"]).unwrap().clone();
    assert_eq!((&listed["deleted"], &listed["description"]), (&json!(true), &Value::Null));

    let minutes: Value = server.get(&range("bucket=minute"), admin).await.json().await.unwrap();
    assert_eq!(minutes["usage"]["points"].as_array().unwrap().len(), 61, "the last hour to this minute's end");
    let method = server.request(Method::POST, &key, admin).send().await.unwrap();
    assert_eq!(method.status(), StatusCode::METHOD_NOT_ALLOWED);
}

/// A keyed route the usage middleware does not wrap would leave its calls
/// uncounted: the extractor refuses to run there (500) rather than serve
/// an uncounted call, and counts the same call on a wrapped route.
#[tokio::test]
async fn a_keyed_route_outside_the_usage_middleware_refuses_rather_than_go_uncounted() {
    use axum::routing::get;
    use server::extract::Authenticated;

    let db = TestDb::fresh().await;
    let keyward = common::keyward_at(&db.url, Default::default()).await;
    let created = testkit::region(&keyward, "acme").await;
    let (key_id, token) = (&created.api_key.key.id, &created.api_key.token);
    async fn handler(Authenticated(_caller): Authenticated) -> StatusCode {
        StatusCode::NO_CONTENT
    }
    let app = axum::Router::new()
        .route("/uncounted", get(handler))
        .route("/counted", get(handler).route_layer(axum::middleware::from_fn(server::middleware::count_key_uses)))
        .with_state(server::AppState::new(keyward.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app).await.unwrap();
    });
    let call = async |path: &str| {
        Client::new().get(format!("{url}{path}")).header("x-api-key", token).send().await.unwrap().status()
    };

    assert_eq!(call("/uncounted").await, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(keyward.flush_usage().await.unwrap(), 0, "refused before the key was used");
    assert_eq!(call("/counted").await, StatusCode::NO_CONTENT);
    assert_eq!(keyward.flush_usage().await.unwrap(), 1);
    let caller = keyward.authenticator().authenticate(token, testkit::CLIENT).await.unwrap();
    let usage = keyward.usage().key(&caller, key_id, Default::default()).await.unwrap();
    assert_eq!(usage.usage.total.accepted, 1);
}
