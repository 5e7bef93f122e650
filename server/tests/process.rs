//! The real `keyward` binary: restarts, several processes on one database,
//! first start, logs and the CLI's refusals.

mod common;

use std::collections::HashSet;

use common::{Process, keyward};
use domain::model::KeyId;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use testkit::TestDb;

const KEYS: &str = "/auth/region/api-keys";

fn create_region(db: &TestDb, name: &str) -> Value {
    let output = keyward()
        .args(["region", "create", "--name", name, "--description", "ops", "--json"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn token_of(created: &Value) -> String {
    created["api_key"]["token"].as_str().unwrap().to_owned()
}

async fn send(request: reqwest::RequestBuilder) -> reqwest::Response {
    request.send().await.expect("request")
}

#[tokio::test]
async fn region_create_json_has_the_documented_shape() {
    let db = TestDb::fresh().await;
    let created = create_region(&db, "acme");
    assert_eq!(created["region"]["name"], "acme");
    assert_eq!(created["region"]["sandbox"], false);
    assert_eq!(created["api_key"]["description"], "ops");
    assert!(token_of(&created).starts_with("kw_live_"));

    let listed = keyward().args(["region", "list", "--json"]).env("DATABASE_URL", &db.url).output().unwrap();
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed[0]["id"], created["region"]["id"]);
    assert_eq!(listed[0]["api_key_count"], 1);
    assert!(!listed.to_string().contains(&token_of(&created)));
}

#[tokio::test]
async fn every_acknowledged_write_survives_a_crash() {
    let db = TestDb::fresh().await;
    let token = token_of(&create_region(&db, "durable"));
    let server = Process::serve(&db.url, &["--no-bootstrap"]);
    let client = reqwest::Client::new();
    let mut acknowledged = Vec::new();
    for n in 0..5 {
        let response = send(
            client
                .post(format!("{}{KEYS}", server.url))
                .header("x-api-key", &token)
                .json(&json!({"description": n.to_string()})),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        acknowledged.push(response.json::<Value>().await.unwrap());
    }
    let renamed = &acknowledged[0]["id"];
    let patched = send(
        client
            .patch(format!("{}{KEYS}/{}", server.url, renamed.as_str().unwrap()))
            .header("x-api-key", &token)
            .json(&json!({"description": "renamed"})),
    )
    .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let deleted = &acknowledged[1]["id"];
    let delete =
        send(client.delete(format!("{}{KEYS}/{}", server.url, deleted.as_str().unwrap())).header("x-api-key", &token))
            .await;
    assert_eq!(delete.status(), StatusCode::NO_CONTENT);
    server.kill();

    let server = Process::serve(&db.url, &["--no-bootstrap"]);
    let me: Value = send(client.get(format!("{}/auth/regions/me", server.url)).header("x-api-key", &token))
        .await
        .json()
        .await
        .unwrap();
    let keys = me["api_keys"].as_array().unwrap();
    assert_eq!(keys.len(), 5, "the first key plus 5 created minus 1 deleted");
    let described: HashSet<&str> = keys.iter().filter_map(|k| k["description"].as_str()).collect();
    assert_eq!(described, HashSet::from(["ops", "renamed", "2", "3", "4"]));
    let surviving_token = acknowledged[4]["token"].as_str().unwrap();
    let response =
        send(client.get(format!("{}/auth/regions/me", server.url)).header("x-api-key", surviving_token)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_key_deleted_through_one_process_is_refused_by_another_at_once() {
    let db = TestDb::fresh().await;
    let token = token_of(&create_region(&db, "shared"));
    let first = Process::serve(&db.url, &["--no-bootstrap"]);
    let second = Process::serve(&db.url, &["--no-bootstrap"]);
    let client = reqwest::Client::new();
    let created: Value = send(client.post(format!("{}{KEYS}", first.url)).header("x-api-key", &token).json(&json!({})))
        .await
        .json()
        .await
        .unwrap();
    let doomed = created["token"].as_str().unwrap();
    // The second process verifies (and caches) the doomed key first.
    for _ in 0..2 {
        let response = send(client.get(format!("{}/auth/regions/me", second.url)).header("x-api-key", doomed)).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let id = created["id"].as_str().unwrap();
    let deleted = send(client.delete(format!("{}{KEYS}/{id}", first.url)).header("x-api-key", &token)).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let after = send(client.get(format!("{}/auth/regions/me", second.url)).header("x-api-key", doomed)).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_first_start_prints_one_working_key_once_and_logs_no_secret() {
    let db = TestDb::fresh().await;
    let server = Process::serve(&db.url, &[]);
    let printed = server.printed();
    let token = printed
        .split_whitespace()
        .find(|word| word.starts_with("kw_live_"))
        .unwrap_or_else(|| panic!("no key printed:\n{printed}"))
        .to_owned();
    let client = reqwest::Client::new();
    let me = |token: String| client.get(format!("{}/auth/regions/me", server.url)).header("x-api-key", token);
    let response = send(me(token.clone())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["name"], "default");

    // Exercise every path a secret travels: creation, use, failures.
    let created: Value =
        send(client.post(format!("{}{KEYS}", server.url)).header("x-api-key", &token).json(&json!({})))
            .await
            .json()
            .await
            .unwrap();
    let second = created["token"].as_str().unwrap().to_owned();
    send(me(second.clone())).await;
    send(client.get(format!("{}/auth/regions/me", server.url)).bearer_auth(&second)).await;
    let mut wrong = second.clone();
    wrong.replace_range(30..31, if &second[30..31] == "a" { "b" } else { "a" });
    assert_eq!(send(me(wrong.clone())).await.status(), StatusCode::UNAUTHORIZED);
    let id = created["id"].as_str().unwrap();
    send(client.delete(format!("{}{KEYS}/{id}", server.url)).header("x-api-key", &token)).await;
    assert_eq!(send(me(second.clone())).await.status(), StatusCode::UNAUTHORIZED);

    let stopped = server.stdout.clone();
    let logs_handle = server.stderr.clone();
    let status = server.terminate();
    assert!(status.success(), "a clean stop on SIGTERM");
    let logs = logs_handle.lock().unwrap().clone();
    assert!(logs.contains("/auth/regions/me"), "debug logs were captured:\n{logs}");
    for secret in [token.as_str(), second.as_str(), wrong.as_str(), &token[20..44], &second[20..44]] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
    assert!(!logs.contains("$argon2id$"), "a hash reached the logs");
    let printed = stopped.lock().unwrap().clone();
    assert_eq!(printed.matches(&token).count(), 1, "the first key is printed exactly once");
    assert!(!printed.contains(&second));

    let again = Process::serve(&db.url, &[]);
    assert!(!again.printed().contains("kw_live_"), "a second start prints no key");
}

#[tokio::test]
async fn a_clean_stop_writes_the_uses_noted_since_the_last_flush() {
    let db = TestDb::fresh().await;
    let created = create_region(&db, "stopping");
    // The next timed flush is ten minutes away: only the one on stopping can write.
    let server = Process::serve(&db.url, &["--usage-flush-ms", "600000"]);
    let me =
        reqwest::Client::new().get(format!("{}/auth/regions/me", server.url)).header("x-api-key", token_of(&created));
    assert_eq!(send(me).await.status(), StatusCode::OK);
    assert!(server.terminate().success(), "a clean stop on SIGTERM");

    let db = db.connect().await;
    let key_id = KeyId::parse(created["api_key"]["id"].as_str().unwrap()).unwrap();
    let key = testkit::entity::api_key::Entity::find_by_id(key_id).one(&db).await.unwrap().unwrap();
    assert!(key.last_used_at.is_some(), "the use was written on stopping");
}

#[tokio::test]
async fn two_first_starts_at_once_create_one_region() {
    let db = TestDb::fresh().await;
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| Process::serve(&db.url, &[]));
        let b = scope.spawn(|| Process::serve(&db.url, &[]));
        (a.join().unwrap(), b.join().unwrap())
    });
    let printed = [a.printed(), b.printed()];
    assert_eq!(printed.iter().filter(|p| p.contains("kw_live_")).count(), 1, "{printed:?}");
    let listed = keyward().args(["region", "list", "--json"]).env("DATABASE_URL", &db.url).output().unwrap();
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[test]
fn bad_flags_and_unreachable_databases_fail_in_one_line() {
    let cases: [&[&str]; 3] = [&["--bogus"], &["serve", "--bind", "nowhere"], &["region", "create"]];
    for args in cases {
        let output = keyward().args(args).env("DATABASE_URL", "sqlite::memory:").output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("keyward: "));
    }
    let unreachable = keyward()
        .args(["region", "list"])
        .env("DATABASE_URL", "postgres://keyward@127.0.0.1:1/keyward")
        .output()
        .unwrap();
    assert_eq!(unreachable.status.code(), Some(1));
    let stderr = String::from_utf8(unreachable.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("keyward: cannot open the database") && !stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn invalid_region_input_fails_in_one_line_and_changes_nothing() {
    let db = TestDb::fresh().await;
    create_region(&db, "taken");
    // Malformed input is a usage error (2), refused as it is parsed; a name
    // in use is refused by the domain (1).
    let refused = [
        (vec!["--name", "taken"], 1, "already exists"),
        (vec!["--name", " "], 2, "must not be empty"),
        (vec!["--name", "ok", "--description", "a\u{1}b"], 2, "control or invisible characters"),
    ];
    for (args, code, reason) in refused {
        let output = keyward().args(["region", "create"]).args(&args).env("DATABASE_URL", &db.url).output().unwrap();
        assert_eq!(output.status.code(), Some(code), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("keyward: ") && stderr.contains(reason), "{args:?}: {stderr}");
    }
    let listed = keyward().args(["region", "list", "--json"]).env("DATABASE_URL", &db.url).output().unwrap();
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn behind_a_proxy_failures_are_counted_per_forwarded_client() {
    let db = TestDb::fresh().await;
    let token = token_of(&create_region(&db, "proxied"));
    let server = Process::serve(
        &db.url,
        &["--no-bootstrap", "--client-ip-header", "x-forwarded-for", "--auth-failures-per-address", "2"],
    );
    let client = reqwest::Client::new();
    let me = |key: &str, forwarded_for: &str| {
        client
            .get(format!("{}/auth/regions/me", server.url))
            .header("x-api-key", key)
            .header("x-forwarded-for", format!("10.9.9.9, {forwarded_for}"))
    };
    let guess = testkit::with_other_secret(&token);
    for _ in 0..2 {
        assert_eq!(send(me(&guess, "198.51.100.1")).await.status(), StatusCode::UNAUTHORIZED);
    }
    // The key is new to this process, so it needs argon2: refused for the failing client...
    assert_eq!(send(me(&token, "198.51.100.1")).await.status(), StatusCode::TOO_MANY_REQUESTS);
    // ...but not for another client behind the same proxy.
    assert_eq!(send(me(&token, "198.51.100.2")).await.status(), StatusCode::OK);
}

/// A proxy that forwards request bodies to `/auth/check` is told once, in
/// the log, not on every request; the check still answers.
#[tokio::test]
async fn a_proxy_that_forwards_bodies_is_warned_once() {
    let db = TestDb::fresh().await;
    let token = token_of(&create_region(&db, "proxied"));
    let server = Process::serve(&db.url, &[]);
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let check = client.post(format!("{}/auth/check/upload", server.url)).header("x-api-key", &token).body("data");
        assert_eq!(send(check).await.status(), StatusCode::OK);
    }
    let printed = server.printed();
    assert!(printed.contains(&format!("{}/auth/check", server.url)), "serve names the check URL: {printed}");
    let logs = server.logs();
    assert_eq!(logs.matches("a request to /auth/check carried a body").count(), 1, "{logs}");
    assert!(!logs.contains(&token), "the key is never logged");
}

/// Tokens that are no key cost no argon2, so they spend none of the budget
/// that guards it: a flood of them from one address (a NAT, a proxy) does
/// not lock a valid key out of a process that has not verified it yet
/// (after a restart, a deploy, on a second process). Wrong secrets for a
/// real key still do.
#[tokio::test]
async fn failures_that_cost_no_argon2_do_not_throttle_a_first_verification() {
    let db = TestDb::fresh().await;
    let token = token_of(&create_region(&db, "natted"));
    let flags = ["--no-bootstrap", "--auth-failures-per-address", "3"];
    let first = Process::serve(&db.url, &flags);
    let client = reqwest::Client::new();
    let check = |server: &Process, key: &str| {
        client.get(format!("{}/auth/check", server.url)).header("x-api-key", key.to_owned()).send()
    };
    assert_eq!(check(&first, &token).await.unwrap().status(), StatusCode::OK);

    // A second process starts; garbage from the same address reaches both.
    let second = Process::serve(&db.url, &flags);
    let unknown = testkit::unknown_token();
    let bad_checksum = format!("{}{}", &unknown[..unknown.len() - 1], if unknown.ends_with('a') { 'b' } else { 'a' });
    for server in [&first, &second] {
        for _ in 0..5 {
            for garbage in [testkit::unknown_token(), bad_checksum.clone(), "kw_live_garbage".to_owned()] {
                assert!(check(server, &garbage).await.unwrap().status().is_client_error());
            }
        }
    }
    assert_eq!(check(&second, &token).await.unwrap().status(), StatusCode::OK, "the key's first verification here");

    // Guessing secrets of a real key costs argon2, and is throttled as before.
    let other = token_of(&create_region(&db, "guessed"));
    for _ in 0..3 {
        let guess = check(&second, &testkit::with_other_secret(&other)).await.unwrap();
        assert_eq!(guess.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(check(&second, &other).await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS, "new to this process");
    assert_eq!(check(&second, &token).await.unwrap().status(), StatusCode::OK, "verified here: no argon2");
}
