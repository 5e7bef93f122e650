//! Least privilege over HTTP: what each scope allows, no escalation, the
//! last managing key under every kind of change, and scheduled revocation
//! (docs/src/scopes.md).

mod common;

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use common::{TestServer, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KEYS: &str = "/auth/region/api-keys";

/// Creates a key with `body` through `token`; returns (id, token).
async fn key(server: &TestServer, token: &str, body: Value) -> (String, String) {
    let response = server.create_key(token, body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    (created["id"].as_str().unwrap().to_owned(), created["token"].as_str().unwrap().to_owned())
}

async fn patch(server: &TestServer, token: &str, id: &str, body: Value) -> reqwest::Response {
    server.request(Method::PATCH, &format!("{KEYS}/{id}"), token).json(&body).send().await.unwrap()
}

/// The region's keys as the first (`*`) key sees them.
async fn keys(server: &TestServer, admin: &str) -> Vec<Value> {
    server.get(KEYS, admin).await.json::<Vec<Value>>().await.unwrap()
}

/// The keys without `last_used_at`, which every request may move.
async fn settings(server: &TestServer, admin: &str) -> Vec<Value> {
    let mut keys = keys(server, admin).await;
    keys.iter_mut().for_each(|key| drop(key.as_object_mut().unwrap().remove("last_used_at")));
    keys
}

#[tokio::test]
async fn a_new_key_takes_its_creators_scopes_or_exactly_those_given() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let me = server.me(&admin).await;
    assert_eq!(me["api_keys"][0]["scopes"], json!(["*"]), "a region's first key holds everything");
    assert_eq!(me["api_keys"][0]["revoke_at"], Value::Null);

    let (_, writer) = key(&server, &admin, json!({"scopes": ["keys:write", "orders:read"]})).await;
    let created = server.create_key(&writer, json!({})).await.json::<Value>().await.unwrap();
    assert_eq!(created["scopes"], json!(["keys:write", "orders:read"]), "copied from the creator");
    let created = server.create_key(&writer, json!({"scopes": ["orders:read", "orders:read"]})).await;
    assert_eq!(created.json::<Value>().await.unwrap()["scopes"], json!(["orders:read"]));
    let created = server.create_key(&writer, json!({"scopes": []})).await;
    assert_eq!(created.json::<Value>().await.unwrap()["scopes"], json!([]), "a key that can only be verified");

    for bad in
        [json!(["Orders"]), json!(["*", "keys:read"]), json!((0..33).map(|i| format!("s{i}")).collect::<Vec<_>>())]
    {
        problem(
            server.create_key(&admin, json!({ "scopes": bad })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
        )
        .await;
    }
}

#[tokio::test]
async fn no_key_grants_a_scope_it_does_not_hold_and_a_refusal_changes_nothing() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let (_, reader) = key(&server, &admin, json!({"scopes": ["keys:read"]})).await;
    let (writer_id, writer) = key(&server, &admin, json!({"scopes": ["keys:write"]})).await;
    let (target_id, _) = key(&server, &admin, json!({"scopes": ["orders:write"]})).await;
    let before = settings(&server, &admin).await;

    // A read-only key creates nothing at all.
    problem(server.create_key(&reader, json!({"scopes": []})).await, StatusCode::FORBIDDEN, "insufficient-scope").await;
    // A keys:write key without orders:read cannot give it, nor `*`, to a new key or an existing one.
    for scopes in [json!(["orders:read"]), json!(["*"]), json!(["keys:write", "orders:read"])] {
        let created = server.create_key(&writer, json!({ "scopes": scopes })).await;
        problem(created, StatusCode::FORBIDDEN, "scope-escalation").await;
        let patched = patch(&server, &writer, &target_id, json!({ "scopes": scopes })).await;
        problem(patched, StatusCode::FORBIDDEN, "scope-escalation").await;
    }
    // Nor widen its own.
    let widened = patch(&server, &writer, &writer_id, json!({"scopes": ["keys:write", "orders:read"]})).await;
    problem(widened, StatusCode::FORBIDDEN, "scope-escalation").await;
    assert_eq!(settings(&server, &admin).await, before, "nothing created or changed");

    // Narrowing another key keeps within what it had: allowed.
    let narrowed = patch(&server, &writer, &target_id, json!({"scopes": []})).await;
    assert_eq!(narrowed.status(), StatusCode::OK);
    assert_eq!(narrowed.json::<Value>().await.unwrap()["scopes"], json!([]));
}

#[tokio::test]
async fn calls_without_the_scope_they_need_are_refused_and_me_always_works() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let admin_id = server.me(&admin).await["current_api_key_id"].as_str().unwrap().to_owned();
    let (integration_id, integration) = key(&server, &admin, json!({"scopes": ["orders:read"]})).await;
    let (_, reader) = key(&server, &admin, json!({"scopes": ["keys:read"]})).await;

    let me = server.me(&integration).await;
    assert_eq!(me["api_keys"].as_array().unwrap().len(), 1, "without keys:read only its own key: {me}");
    assert_eq!(me["api_keys"][0]["id"], integration_id.as_str());
    assert_eq!(server.me(&reader).await["api_keys"].as_array().unwrap().len(), 3);

    let insufficient = |response| problem(response, StatusCode::FORBIDDEN, "insufficient-scope");
    insufficient(server.get(KEYS, &integration).await).await;
    insufficient(server.get(&format!("{KEYS}/{admin_id}"), &integration).await).await;
    insufficient(server.get("/auth/region/audit-events", &integration).await).await;
    for token in [&integration, &reader] {
        insufficient(server.create_key(token, json!({})).await).await;
        insufficient(patch(&server, token, &admin_id, json!({"description": "mine"})).await).await;
        insufficient(server.delete(&format!("{KEYS}/{admin_id}"), token).await).await;
    }
    assert_eq!(server.get(KEYS, &reader).await.status(), StatusCode::OK);
    assert_eq!(server.get("/auth/region/audit-events", &reader).await.status(), StatusCode::OK);
    assert_eq!(keys(&server, &admin).await.len(), 3);
}

#[tokio::test]
async fn the_last_managing_key_is_neither_deleted_rescoped_nor_scheduled() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let admin_id = server.me(&admin).await["current_api_key_id"].as_str().unwrap().to_owned();
    let (reader_id, _) = key(&server, &admin, json!({"scopes": ["keys:read", "orders:read"]})).await;
    let in_a_day = (Utc::now() + TimeDelta::days(1)).to_rfc3339();

    let last = |response| problem(response, StatusCode::CONFLICT, "last-api-key");
    last(server.delete(&format!("{KEYS}/{admin_id}"), &admin).await).await;
    last(patch(&server, &admin, &admin_id, json!({"scopes": ["keys:read"]})).await).await;
    last(patch(&server, &admin, &admin_id, json!({"revoke_at": in_a_day})).await).await;
    // Another key with keys:write, but already scheduled, does not count.
    let (other_id, other) = key(&server, &admin, json!({"scopes": ["keys:write"]})).await;
    assert_eq!(patch(&server, &admin, &other_id, json!({"revoke_at": in_a_day})).await.status(), StatusCode::OK);
    last(server.delete(&format!("{KEYS}/{admin_id}"), &admin).await).await;
    // Cancelling its schedule makes it count again.
    assert_eq!(patch(&server, &admin, &other_id, json!({"revoke_at": null})).await.status(), StatusCode::OK);
    assert_eq!(server.delete(&format!("{KEYS}/{admin_id}"), &admin).await.status(), StatusCode::NO_CONTENT);
    // A key without keys:write never counted: deleting it is fine, unlike the last managing key.
    assert_eq!(server.delete(&format!("{KEYS}/{reader_id}"), &other).await.status(), StatusCode::NO_CONTENT);
    last(server.delete(&format!("{KEYS}/{other_id}"), &other).await).await;
}

#[tokio::test]
async fn revocations_are_scheduled_within_30_days_cancelled_and_audited_with_before_and_after() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let (id, _) = key(&server, &admin, json!({"description": "billing"})).await;
    let invalid = |response| problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid-input");
    invalid(patch(&server, &admin, &id, json!({"revoke_at": (Utc::now() - TimeDelta::seconds(1)).to_rfc3339()})).await)
        .await;
    invalid(patch(&server, &admin, &id, json!({"revoke_at": (Utc::now() + TimeDelta::days(31)).to_rfc3339()})).await)
        .await;
    invalid(patch(&server, &admin, &id, json!({})).await).await;
    let malformed = patch(&server, &admin, &id, json!({"revoke_at": "tomorrow"})).await;
    assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        server.get(&format!("{KEYS}/{id}"), &admin).await.json::<Value>().await.unwrap()["revoke_at"],
        Value::Null
    );

    let at = Utc::now() + TimeDelta::hours(24);
    let scheduled = patch(&server, &admin, &id, json!({"revoke_at": at.to_rfc3339(), "scopes": ["orders:read"]})).await;
    assert_eq!(scheduled.status(), StatusCode::OK);
    let scheduled: Value = scheduled.json().await.unwrap();
    let stored: DateTime<Utc> = scheduled["revoke_at"].as_str().unwrap().parse().unwrap();
    assert!((stored - at).abs() < TimeDelta::milliseconds(1), "{stored} against {at}");
    assert_eq!(scheduled["description"], "billing", "absent fields stay");
    let cancelled = patch(&server, &admin, &id, json!({"revoke_at": null})).await.json::<Value>().await.unwrap();
    assert_eq!(cancelled["revoke_at"], Value::Null);

    let events: Vec<Value> = server.get("/auth/region/audit-events", &admin).await.json().await.unwrap();
    let changes: Vec<(&str, &Value)> =
        events.iter().take(3).map(|event| (event["action"].as_str().unwrap(), &event["change"])).collect();
    assert_eq!(
        changes[0],
        ("api_key.revocation_scheduled", &json!({"field": "revoke_at", "before": stored, "after": null}))
    );
    assert_eq!(changes[1].0, "api_key.revocation_scheduled");
    assert_eq!(changes[1].1["after"], json!(stored));
    assert_eq!(
        changes[2],
        ("api_key.scopes_changed", &json!({"field": "scopes", "before": ["*"], "after": ["orders:read"]}))
    );
}

/// Without any sweeper running, a key works until its `revoke_at` and is
/// refused from that instant on by every way of presenting it, even warm in
/// the cache; so is every console session it signed.
#[tokio::test]
async fn a_key_is_refused_from_the_instant_of_its_revoke_at() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let (id, token) = key(&server, &admin, json!({})).await;
    let revoke_at = Utc::now() + TimeDelta::milliseconds(2000);
    let scheduled = patch(&server, &admin, &id, json!({"revoke_at": revoke_at.to_rfc3339()})).await;
    assert_eq!(scheduled.status(), StatusCode::OK);
    let check = || server.get("/auth/check", &token);
    let status = check().await.status();
    // Asserted only if the whole request came before the instant (a slow run may not).
    if Utc::now() < revoke_at {
        assert_eq!(status, StatusCode::OK, "warm and still valid");
    }

    let wait = (revoke_at - Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(1);
    tokio::time::sleep(wait).await;
    let refused = check().await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers()["x-keyward-code"], "revoked");
    problem(server.get("/auth/regions/me", &token).await, StatusCode::UNAUTHORIZED, "api-key-revoked").await;
    let verdict = server.client.post(format!("{}/auth/verify", server.url)).json(&json!({"key": token})).send().await;
    let verdict: Value = verdict.unwrap().json().await.unwrap();
    assert_eq!((verdict["valid"].clone(), verdict["code"].clone()), (json!(false), json!("revoked")));
    assert!(keys(&server, &admin).await.iter().any(|key| key["id"] == id.as_str()), "no sweeper ran: the row is there");
}

/// Keys delete themselves, re-scope themselves to read-only, and schedule
/// their own revocation, all at once: every change that leaves a managing
/// key is done, exactly one is refused, and exactly one managing key remains.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deletes_rescopes_and_schedules_racing_leave_exactly_one_managing_key() {
    let server = TestServer::start().await;
    let admin = server.region("race").await.api_key.token;
    let mut managers =
        vec![(server.me(&admin).await["current_api_key_id"].as_str().unwrap().to_owned(), admin.clone())];
    for _ in 0..17 {
        managers.push(key(&server, &admin, json!({"scopes": ["keys:write"]})).await);
    }
    // Every token verified once, so no request waits for argon2 and all
    // reach the region lock together when the barrier opens.
    for (_, token) in &managers {
        assert_eq!(server.get("/auth/regions/me", token).await.status(), StatusCode::OK);
    }
    let in_an_hour = (Utc::now() + TimeDelta::hours(1)).to_rfc3339();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(managers.len()));
    let mut changes = tokio::task::JoinSet::new();
    for (i, (id, token)) in managers.iter().cloned().enumerate() {
        let (client, url, in_an_hour, start) =
            (server.client.clone(), server.url.clone(), in_an_hour.clone(), start.clone());
        changes.spawn(async move {
            start.wait().await;
            let request = match i % 3 {
                0 => client.delete(format!("{url}{KEYS}/{id}")),
                1 => client.patch(format!("{url}{KEYS}/{id}")).json(&json!({"scopes": ["keys:read"]})),
                _ => client.patch(format!("{url}{KEYS}/{id}")).json(&json!({"revoke_at": in_an_hour})),
            };
            request.header("x-api-key", token).send().await.unwrap().status()
        });
    }
    let statuses = changes.join_all().await;
    let done = statuses.iter().filter(|status| status.is_success()).count();
    let refused = statuses.iter().filter(|status| **status == StatusCode::CONFLICT).count();
    assert_eq!((done, refused), (managers.len() - 1, 1), "{statuses:?}");

    let mut listed = None;
    for (_, token) in &managers {
        let response = server.get(KEYS, token).await;
        if response.status() == StatusCode::OK {
            listed = Some(response.json::<Vec<Value>>().await.unwrap());
            break;
        }
    }
    let managing = listed.expect("re-scoped keys can still read the region").into_iter().filter(|key| {
        let writes = key["scopes"] == json!(["*"]) || key["scopes"] == json!(["keys:write"]);
        writes && key["revoke_at"].is_null()
    });
    assert_eq!(managing.count(), 1);
}
