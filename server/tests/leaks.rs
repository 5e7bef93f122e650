//! Leak response over HTTP (docs/src/leaks.md): the secret scanning
//! partner endpoints with signatures made here by test key pairs, the
//! public report, quarantine, and the operator's way back in.

mod common;

use std::time::Duration;

use axum::http::HeaderName;
use common::{TestServer, keyward, problem};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::{EncodePublicKey, LineEnding};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use server::AppState;
use server::extract::ClientIpHeader;
use server::leaks::{PartnerKeys, ScanningPartners};
use sha2::{Digest, Sha256};
use testkit::{TestDb, eventually};

const KEYS: &str = "/auth/region/api-keys";

/// A fresh P-256 key pair, as a partner holds one.
fn signing_key() -> SigningKey {
    loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).unwrap();
        if let Ok(key) = SigningKey::from_slice(&bytes) {
            return key;
        }
    }
}

/// A public keys file in GitHub's format naming `key` as `identifier`.
fn keys_file(identifier: &str, key: &SigningKey) -> PartnerKeys {
    let pem = key.verifying_key().to_public_key_pem(LineEnding::LF).unwrap();
    let file = json!({"public_keys": [{"key_identifier": identifier, "key": pem, "is_current": true}]});
    PartnerKeys::parse(&file.to_string()).unwrap()
}

/// Base64 DER of the ECDSA P-256 SHA-256 signature of `body`.
fn sign(key: &SigningKey, body: &[u8]) -> String {
    use base64::Engine;
    let signature: Signature = key.sign(body);
    base64::engine::general_purpose::STANDARD.encode(signature.to_der().as_bytes())
}

struct Partner {
    server: TestServer,
    key: SigningKey,
}

/// A server that trusts `key` for GitHub and for GitLab.
async fn partner_server() -> Partner {
    let key = signing_key();
    let db = TestDb::fresh().await;
    let keyward = common::keyward_at(&db.url, Default::default()).await;
    let partners = ScanningPartners { github: keys_file("gh-1", &key), gitlab: keys_file("gl-1", &key) };
    let state = AppState { scanning_partners: partners, ..AppState::new(keyward) };
    Partner { server: TestServer::serve_state(state, db).await, key }
}

/// Posts `body` to a partner endpoint with the given headers.
async fn post_report(server: &TestServer, path: &str, body: &str, headers: &[(&str, String)]) -> reqwest::Response {
    let mut request = server.client.post(format!("{}{path}", server.url)).body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.header("content-type", "application/json").send().await.unwrap()
}

fn github_headers(identifier: &str, signature: String) -> Vec<(&'static str, String)> {
    vec![("Github-Public-Key-Identifier", identifier.to_owned()), ("Github-Public-Key-Signature", signature)]
}

fn report_of(tokens: &[&str]) -> String {
    let reports: Vec<Value> = tokens
        .iter()
        .map(|token| json!({"token": token, "type": "keyward_api_key", "url": "https://github.com/acme/app/blob/abc/.env", "source": "content"}))
        .collect();
    serde_json::to_string(&reports).unwrap()
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

async fn create(server: &TestServer, admin: &str, scopes: Value) -> (String, String) {
    let created: Value = server.create_key(admin, json!({ "scopes": scopes })).await.json().await.unwrap();
    (created["id"].as_str().unwrap().to_owned(), created["token"].as_str().unwrap().to_owned())
}

async fn audit(server: &TestServer, admin: &str) -> Vec<Value> {
    server.get("/auth/region/audit-events", admin).await.json().await.unwrap()
}

#[tokio::test]
async fn a_signed_github_report_labels_each_token_and_quarantines_only_the_live_key() {
    let Partner { server, key } = partner_server().await;
    let admin = server.region("acme").await.api_key.token;
    let (live_id, live) = create(&server, &admin, json!(["orders:read"])).await;
    let (deleted_id, deleted) = create(&server, &admin, json!([])).await;
    assert_eq!(server.delete(&format!("{KEYS}/{deleted_id}"), &admin).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(server.get("/auth/check", &live).await.status(), StatusCode::OK, "warm before the report");
    let stranger = testkit::unknown_token();
    let body = report_of(&[&live, &deleted, &stranger, "not a token"]);

    let answered =
        post_report(&server, "/auth/leaks/github", &body, &github_headers("gh-1", sign(&key, body.as_bytes()))).await;
    assert_eq!(answered.status(), StatusCode::CREATED);
    let labels: Vec<Value> = answered.json().await.unwrap();
    let expected = |token: &str, label: &str| json!({"token_hash": sha256_hex(token), "token_type": "keyward_api_key", "label": label});
    assert_eq!(
        labels,
        [
            expected(&live, "true_positive"),
            expected(&deleted, "true_positive"),
            expected(&stranger, "false_positive"),
            expected("not a token", "false_positive"),
        ]
    );

    // Refused at once, everywhere, and shown with where it was found.
    problem(server.get("/auth/regions/me", &live).await, StatusCode::UNAUTHORIZED, "api-key-quarantined").await;
    let check = server.get("/auth/check", &live).await;
    assert_eq!(
        (check.status(), check.headers()["x-keyward-code"].to_str().unwrap()),
        (StatusCode::UNAUTHORIZED, "quarantined")
    );
    let verdict: Value = server
        .client
        .post(format!("{}/auth/verify", server.url))
        .json(&json!({"key": live}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verdict["code"], "quarantined");
    let shown: Value = server.get(&format!("{KEYS}/{live_id}"), &admin).await.json().await.unwrap();
    assert_eq!(shown["quarantine"]["url"], "https://github.com/acme/app/blob/abc/.env");
    assert_eq!(shown["quarantine"]["source"], "content");
    assert_eq!(shown["quarantine"]["reported_via"], "github");
    assert_eq!(server.get("/auth/regions/me", &admin).await.status(), StatusCode::OK, "only that key");
    let events = audit(&server, &admin).await;
    let quarantined: Vec<&Value> = events.iter().filter(|event| event["action"] == "api_key.quarantined").collect();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0]["api_key_id"], live_id.as_str());
    assert_eq!(quarantined[0]["change"]["url"], "https://github.com/acme/app/blob/abc/.env");

    // The same report again changes nothing more.
    let again =
        post_report(&server, "/auth/leaks/github", &body, &github_headers("gh-1", sign(&key, body.as_bytes()))).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.json::<Vec<Value>>().await.unwrap(), labels);
    assert_eq!(audit(&server, &admin).await, events);
    // A quarantined key stays as it is: no re-scoping it back to life.
    let patch = server.request(Method::PATCH, &format!("{KEYS}/{live_id}"), &admin).json(&json!({"scopes": ["*"]}));
    problem(patch.send().await.unwrap(), StatusCode::CONFLICT, "quarantine-is-final").await;
}

#[tokio::test]
async fn reports_that_are_not_signed_right_change_nothing() {
    let Partner { server, key } = partner_server().await;
    let admin = server.region("acme").await.api_key.token;
    let (_, live) = create(&server, &admin, json!(["orders:read"])).await;
    let body = report_of(&[&live]);
    let signature = sign(&key, body.as_bytes());
    let altered = body.replace("content", "commit");
    let attempts = [
        (altered.as_str(), github_headers("gh-1", signature.clone())),
        (body.as_str(), github_headers("gh-1", sign(&signing_key(), body.as_bytes()))),
        (body.as_str(), github_headers("gh-unknown", signature.clone())),
        (body.as_str(), github_headers("gh-1", "bm90IGEgc2lnbmF0dXJl".to_owned())),
        (body.as_str(), vec![("Github-Public-Key-Identifier", "gh-1".to_owned())]),
        (body.as_str(), vec![("Github-Public-Key-Signature", signature.clone())]),
        (body.as_str(), vec![]),
        // GitLab's endpoint does not take GitHub's headers.
        (body.as_str(), github_headers("gl-1", signature.clone())),
    ];
    for (i, (body, headers)) in attempts.into_iter().enumerate() {
        let path = if i == 7 { "/auth/leaks/gitlab" } else { "/auth/leaks/github" };
        problem(post_report(&server, path, body, &headers).await, StatusCode::UNAUTHORIZED, "invalid-signature").await;
    }
    assert_eq!(server.get("/auth/check", &live).await.status(), StatusCode::OK, "nothing changed");
    assert!(audit(&server, &admin).await.iter().all(|event| event["action"] != "api_key.quarantined"));

    // Signed, but not a report: the client's mistake, after the signature.
    let not_a_list = r#"{"token": "x"}"#;
    let refused = post_report(
        &server,
        "/auth/leaks/github",
        not_a_list,
        &github_headers("gh-1", sign(&key, not_a_list.as_bytes())),
    )
    .await;
    problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid-body").await;
    let too_many = report_of(&vec!["kw_live_x"; 1001]);
    let refused =
        post_report(&server, "/auth/leaks/github", &too_many, &github_headers("gh-1", sign(&key, too_many.as_bytes())))
            .await;
    problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid-input").await;
}

#[tokio::test]
async fn a_gitlab_report_quarantines_too() {
    let Partner { server, key } = partner_server().await;
    let admin = server.region("acme").await.api_key.token;
    let (_, live) = create(&server, &admin, json!(["orders:read"])).await;
    let body = report_of(&[&live]);
    let headers = vec![
        ("Gitlab-Public-Key-Identifier", "gl-1".to_owned()),
        ("Gitlab-Public-Key-Signature", sign(&key, body.as_bytes())),
    ];
    let answered = post_report(&server, "/auth/leaks/gitlab", &body, &headers).await;
    assert!(answered.status().is_success(), "{}", answered.status());
    assert_eq!(answered.json::<Vec<Value>>().await.unwrap()[0]["label"], "true_positive");
    let check = server.get("/auth/check", &live).await;
    assert_eq!(check.headers()["x-keyward-code"], "quarantined");
}

#[tokio::test]
async fn without_keys_configured_the_partner_endpoints_are_not_there() {
    let server = TestServer::start().await;
    for path in ["/auth/leaks/github", "/auth/leaks/gitlab"] {
        problem(post_report(&server, path, "[]", &[]).await, StatusCode::NOT_FOUND, "not-enabled").await;
    }
}

/// Anyone may report: every well-formed report gets the same 202 before any
/// token is looked at, and only the valid keys among them are quarantined.
#[tokio::test]
async fn a_public_report_is_accepted_alike_for_any_token_and_quarantines_only_keys() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let (_, live) = create(&server, &admin, json!(["orders:read"])).await;
    let (_, bystander) = create(&server, &admin, json!(["orders:read"])).await;
    let wrong_secret = testkit::with_other_secret(&bystander);
    let report = |credentials: Value| {
        server
            .client
            .post(format!("{}/auth/leaks/report", server.url))
            .json(&json!({ "credentials": credentials }))
            .send()
    };
    // One report, checked in order: the wrong secret before the live key.
    for credentials in [json!([wrong_secret, "garbage", live]), json!([testkit::unknown_token()]), json!([]), json!([])]
    {
        let answered = report(credentials).await.unwrap();
        assert_eq!(answered.status(), StatusCode::ACCEPTED);
        assert_eq!(answered.bytes().await.unwrap().len(), 0, "nothing to read from the answer");
    }
    let code = |token: String| {
        let server = &server;
        async move {
            let check = server.get("/auth/check", &token).await;
            check.headers().get("x-keyward-code").map(|code| code.to_str().unwrap().to_owned())
        }
    };
    eventually(Duration::from_secs(10), || async {
        (code(live.clone()).await.as_deref() == Some("quarantined")).then_some(())
    })
    .await;
    assert_eq!(
        server.get("/auth/check", &bystander).await.status(),
        StatusCode::OK,
        "a wrong secret quarantines nothing"
    );
    let via: Value = server.get(KEYS, &admin).await.json().await.unwrap();
    let quarantined: Vec<&Value> = via.as_array().unwrap().iter().filter(|key| !key["quarantine"].is_null()).collect();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0]["quarantine"]["reported_via"], "public");

    for malformed in [json!({}), json!({"credentials": "kw_live_x"}), json!({"credentials": [1]})] {
        let refused =
            server.client.post(format!("{}/auth/leaks/report", server.url)).json(&malformed).send().await.unwrap();
        problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid-body").await;
    }
    problem(report(json!(vec!["x"; 1001])).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "invalid-input").await;
    // Four accepted so far; the tenth in the window is the last.
    for _ in 4..10 {
        assert_eq!(report(json!([])).await.unwrap().status(), StatusCode::ACCEPTED);
    }
    let throttled = report(json!([])).await.unwrap();
    assert!(throttled.headers().contains_key("retry-after"));
    problem(throttled, StatusCode::TOO_MANY_REQUESTS, "throttled").await;
}

/// The region's only managing key is quarantined: nothing of the region
/// can manage it any more, until the operator issues a key with the CLI;
/// that key can delete the quarantined one, though no other key manages.
#[tokio::test]
async fn the_operator_recovers_a_region_whose_managing_key_was_quarantined() {
    let server = TestServer::start().await;
    let created = server.region("acme").await;
    let (admin, region_id) = (created.api_key.token, created.region.id.to_string());
    let admin_id = created.api_key.key.id.to_string();
    let (_, reader) = create(&server, &admin, json!(["keys:read"])).await;
    let reported =
        server.client.post(format!("{}/auth/leaks/report", server.url)).json(&json!({"credentials": [admin]}));
    assert_eq!(reported.send().await.unwrap().status(), StatusCode::ACCEPTED);
    eventually(Duration::from_secs(10), || async {
        (server.get("/auth/regions/me", &admin).await.status() == StatusCode::UNAUTHORIZED).then_some(())
    })
    .await;
    problem(server.create_key(&reader, json!({})).await, StatusCode::FORBIDDEN, "insufficient-scope").await;

    let cli = |args: &[&str]| keyward().args(args).env("DATABASE_URL", &server.db.url).output().unwrap();
    let unknown = cli(&["key", "create", "--region", "no-such-region"]);
    assert!(!unknown.status.success());
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no region with the id or name \"no-such-region\""), "{stderr}");

    let issued = cli(&["key", "create", "--region", &region_id, "--scopes", "keys:write", "--json"]);
    assert!(issued.status.success(), "{}", String::from_utf8_lossy(&issued.stderr));
    let issued: Value = serde_json::from_slice(&issued.stdout).unwrap();
    assert_eq!(issued["scopes"], json!(["keys:write"]));
    let operator = issued["token"].as_str().unwrap();
    let deleted = server.delete(&format!("{KEYS}/{admin_id}"), operator).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT, "a quarantined key never counted as managing");
    let own_id = issued["id"].as_str().unwrap();
    problem(server.delete(&format!("{KEYS}/{own_id}"), operator).await, StatusCode::CONFLICT, "last-api-key").await;
}

#[tokio::test]
async fn a_bad_scanning_keys_file_stops_the_start_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let not_keys = dir.path().join("keys.json");
    std::fs::write(&not_keys, r#"{"public_keys": [{"key_identifier": "a", "key": "not a PEM"}]}"#).unwrap();
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("keyward.db").display());
    for file in [not_keys.to_str().unwrap(), "/no/such/file.json"] {
        let output =
            keyward().args(["serve", "--github-scanning-keys", file]).env("DATABASE_URL", &database).output().unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("--github-scanning-keys"), "{stderr}");
    }
    // Only `serve` reads it: the operator's commands work whatever it says.
    let listed = keyward()
        .args(["region", "list"])
        .env("KEYWARD_GITHUB_SCANNING_KEYS", "/no/such/file.json")
        .env("DATABASE_URL", &database)
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
}

/// A server that takes the client's address from `x-forwarded-for`, so
/// that one test reports from many addresses.
async fn server_behind_a_proxy() -> TestServer {
    let db = TestDb::fresh().await;
    let keyward = common::keyward_at(&db.url, Default::default()).await;
    let header = ClientIpHeader(Some(HeaderName::from_static("x-forwarded-for")));
    TestServer::serve_state(AppState { client_ip_header: header, ..AppState::new(keyward) }, db).await
}

/// A public report of `tokens` from the client at `address`.
async fn report_from(server: &TestServer, address: &str, tokens: &[String]) -> reqwest::Response {
    let request = server.client.post(format!("{}/auth/leaks/report", server.url)).header("x-forwarded-for", address);
    request.json(&json!({ "credentials": tokens })).send().await.unwrap()
}

fn unknown_tokens(count: usize) -> Vec<String> {
    (0..count).map(|_| testkit::unknown_token()).collect()
}

async fn is_quarantined(server: &TestServer, token: &str) -> bool {
    let check = server.get("/auth/check", token).await;
    check.headers().get("x-keyward-code").is_some_and(|code| code == "quarantined")
}

/// Reports `token` from `address` until the report is accepted (a full
/// queue refuses it for a while).
async fn report_until_accepted(server: &TestServer, address: &str, token: &str, within: Duration) {
    eventually(within, || async {
        let answer = report_from(server, address, &[token.to_owned()]).await;
        match answer.status() {
            StatusCode::ACCEPTED => Some(()),
            StatusCode::SERVICE_UNAVAILABLE => None,
            other => panic!("a report answered {other}"),
        }
    })
    .await
}

/// 30 addresses each file their 10 reports of 1000 unknown tokens at once;
/// a live key reported from another address right behind them is
/// quarantined within seconds, not after the whole flood was checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_reported_behind_a_flood_of_unknown_tokens_is_quarantined_within_seconds() {
    let server = server_behind_a_proxy().await;
    let admin = server.region("acme").await.api_key.token;
    let (_, live) = create(&server, &admin, json!(["orders:read"])).await;
    let server = std::sync::Arc::new(server);
    let mut flood = tokio::task::JoinSet::new();
    for address in 0..30 {
        for _ in 0..10 {
            let (server, tokens) = (server.clone(), unknown_tokens(1000));
            flood.spawn(async move { report_from(&server, &format!("10.2.0.{address}"), &tokens).await.status() });
        }
    }
    let mut accepted = 0;
    while let Some(answer) = flood.join_next().await {
        match answer.unwrap() {
            StatusCode::ACCEPTED => accepted += 1,
            StatusCode::SERVICE_UNAVAILABLE => {}
            other => panic!("a report of the flood answered {other}"),
        }
    }
    assert!(accepted >= 30, "the flood was queued: {accepted} reports accepted");

    report_until_accepted(&server, "10.2.1.1", &live, Duration::from_secs(30)).await;
    eventually(Duration::from_secs(10), || async { is_quarantined(&server, &live).await.then_some(()) }).await;
}

/// While checking is held up, public reports queue up to a bound, then are
/// refused with 503 and Retry-After, alike whatever they carry; once the
/// queue drains, reports are taken again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_reports_queue_up_to_a_bound_and_are_then_refused_alike_whatever_they_carry() {
    let server = server_behind_a_proxy().await;
    let admin = server.region("acme").await.api_key.token;
    let (_, live) = create(&server, &admin, json!(["orders:read"])).await;
    // Verified once now, so that checking it needs no argon2 while the turns are held.
    assert!(!is_quarantined(&server, &live).await);
    let held = testkit::all_argon2_turns().await;
    // A wrong secret for a real lookup needs argon2: checking stops on it.
    let wrong = testkit::with_other_secret(&live);
    assert_eq!(report_from(&server, "10.3.0.1", &[wrong]).await.status(), StatusCode::ACCEPTED);
    let mut accepted = 0;
    let refused = loop {
        let answer = report_from(&server, &format!("10.3.1.{accepted}"), &unknown_tokens(1000)).await;
        if answer.status() != StatusCode::ACCEPTED {
            break answer;
        }
        accepted += 1;
        assert!(accepted < 250, "{accepted} reports of 1000 tokens queued: the queue has no bound");
    };
    let retry_after = refused.headers().get("retry-after").expect("Retry-After").clone();
    let refusal = problem(refused, StatusCode::SERVICE_UNAVAILABLE, "busy").await;
    // A report of a live key gets the very same answer: no oracle.
    let same = report_from(&server, "10.3.2.1", std::slice::from_ref(&live)).await;
    assert_eq!(same.headers().get("retry-after"), Some(&retry_after));
    assert_eq!(problem(same, StatusCode::SERVICE_UNAVAILABLE, "busy").await, refusal);
    assert!(!is_quarantined(&server, &live).await);

    drop(held);
    report_until_accepted(&server, "10.3.2.1", &live, Duration::from_secs(60)).await;
    eventually(Duration::from_secs(10), || async { is_quarantined(&server, &live).await.then_some(()) }).await;
}
