//! Webhooks end to end: a real receiver that verifies every signature with
//! the Standard Webhooks reference library (PyPI `standardwebhooks`, run by
//! `scripts/webhooks/receiver.py`), the real router, and the real binary
//! for crashes and two processes.
//!
//! `scripts/test.sh` installs the library and sets
//! `KEYWARD_WEBHOOK_PYTHON`; without it these tests say so and skip.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Process, TestServer, keyward, problem};
use domain::{Keyward, Settings, WebhookSettings};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use testkit::{TestDb, eventually};

const WEBHOOKS: &str = "/auth/region/webhooks";

/// The reference receiver, stopped when dropped.
struct Receiver {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    received: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    /// `None` when the suite's Python with `standardwebhooks` is not there.
    fn start() -> Option<Receiver> {
        let Ok(python) = std::env::var("KEYWARD_WEBHOOK_PYTHON") else {
            assert!(std::env::var("KEYWARD_REQUIRE_PROXIES").is_err(), "scripts/test.sh sets KEYWARD_WEBHOOK_PYTHON");
            eprintln!("KEYWARD_WEBHOOK_PYTHON is not set: skipped (scripts/test.sh runs it)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/webhooks/receiver.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(dir.path().join("secrets"))
            .arg(dir.path().join("answer"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the receiver");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().expect("the receiver says where it listens").unwrap();
        let port = first.strip_prefix("listening ").unwrap().parse().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = received.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(serde_json::from_str(&line).unwrap());
            }
        });
        Some(Receiver { child, port, dir, received })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    fn trust(&self, secrets: &[&str]) {
        std::fs::write(self.dir.path().join("secrets"), secrets.join("\n")).unwrap();
    }

    fn answer(&self, answer: &str) {
        std::fs::write(self.dir.path().join("answer"), answer).unwrap();
    }

    fn received(&self) -> Vec<Value> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until a request of `event` arrived; all of them of that event.
    async fn wait_for(&self, event: &str, count: usize) -> Vec<Value> {
        eventually(Duration::from_secs(30), || async {
            let of_event: Vec<Value> =
                self.received().into_iter().filter(|request| request["body"]["type"] == event).collect();
            (of_event.len() >= count).then_some(of_event)
        })
        .await
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// The router over a domain that allows loopback receivers over http, with
/// this process delivering.
async fn server(settings: WebhookSettings) -> TestServer {
    let db = TestDb::fresh().await;
    let connection = db.connect().await;
    let keyward = Keyward::new(connection, Settings { webhooks: settings, ..Settings::default() });
    server::webhooks::delivery::spawn_deliveries(keyward.clone(), std::future::pending());
    TestServer::serve(keyward, db).await
}

const LOOPBACK: WebhookSettings = WebhookSettings { allow_http: true, allow_private: true };

async fn add_endpoint(server: &TestServer, token: &str, url: &str, events: Value) -> Value {
    let response = server.request(Method::POST, WEBHOOKS, token).json(&json!({"url": url, "events": events})).send();
    let response = response.await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

#[tokio::test]
async fn events_are_signed_so_the_reference_library_verifies_them() {
    let Some(receiver) = Receiver::start() else { return };
    let server = server(LOOPBACK).await;
    let admin = server.region("acme").await.api_key.token;
    let endpoint = add_endpoint(&server, &admin, &receiver.url(), json!(["*"])).await;
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    receiver.trust(&[&secret]);
    let id = endpoint["id"].as_str().unwrap();
    let shown: Value = server.get(&format!("{WEBHOOKS}/{id}"), &admin).await.json().await.unwrap();
    assert!(shown.get("secret").is_none() && !shown.to_string().contains(&secret), "the secret is shown once");

    let created = server.create_key(&admin, json!({"description": "billing"})).await;
    let created: Value = created.json().await.unwrap();
    let [event] = &receiver.wait_for("api_key.created", 1).await[..] else { panic!() };
    assert_eq!(event["verified_by"], json!([0]), "{event}");
    assert_eq!(event["body"]["data"]["key"]["id"], created["id"]);
    assert_eq!(event["body"]["data"]["key"]["description"], "billing");
    let token = created["token"].as_str().unwrap();
    assert!(!event.to_string().contains(token) && !event.to_string().contains("argon2"), "no token, no hash");
    assert!(event["webhook_id"].as_str().unwrap().starts_with("msg_"));

    // A rotated secret: both the new and the old one verify for 24 hours.
    let rotated: Value = server
        .request(Method::POST, &format!("{WEBHOOKS}/{id}/rotate-secret"), &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    receiver.trust(&[&secret, new_secret]);
    let test = server.request(Method::POST, &format!("{WEBHOOKS}/{id}/test"), &admin).send().await.unwrap();
    assert_eq!(test.status(), StatusCode::ACCEPTED);
    let [tested] = &receiver.wait_for("webhook.test", 1).await[..] else { panic!() };
    assert_eq!(tested["verified_by"], json!([0, 1]), "old and new secret both sign: {tested}");

    let deliveries: Value = server.get(&format!("{WEBHOOKS}/{id}/deliveries"), &admin).await.json().await.unwrap();
    let first =
        deliveries.as_array().unwrap().iter().find(|attempt| attempt["event_type"] == "api_key.created").unwrap();
    assert_eq!(
        (first["status"].clone(), first["message_state"].clone(), first["attempt"].clone()),
        (json!(204), json!("delivered"), json!(1))
    );
    let audit: Value =
        server.get("/auth/region/audit-events?action=webhook.secret_rotated", &admin).await.json().await.unwrap();
    assert_eq!(audit.as_array().unwrap().len(), 1);
    assert!(!audit.to_string().contains("whsec_"), "no secret in the audit log");
}

#[tokio::test]
async fn a_failed_delivery_is_retried_with_the_same_id_and_filters_hold() {
    let Some(receiver) = Receiver::start() else { return };
    let server = server(LOOPBACK).await;
    let admin = server.region("acme").await.api_key.token;
    let endpoint = add_endpoint(&server, &admin, &receiver.url(), json!(["api_key.deleted"])).await;
    receiver.trust(&[endpoint["secret"].as_str().unwrap()]);
    receiver.answer("500");
    let doomed = server.new_token(&admin).await;
    let doomed_id = server.me(&doomed).await["current_api_key_id"].as_str().unwrap().to_owned();
    assert_eq!(
        server.delete(&format!("/auth/region/api-keys/{doomed_id}"), &admin).await.status(),
        StatusCode::NO_CONTENT
    );
    let [failed] = &receiver.wait_for("api_key.deleted", 1).await[..] else { panic!() };
    receiver.answer("204");
    // The schedule's first retry comes 5 s after the failure.
    let both = receiver.wait_for("api_key.deleted", 2).await;
    assert_eq!(both[1]["webhook_id"], failed["webhook_id"], "the same webhook-id on every attempt");
    assert!(
        receiver.received().iter().all(|request| request["body"]["type"] == "api_key.deleted"),
        "only the chosen events"
    );
    let id = endpoint["id"].as_str().unwrap();
    // The receiver has it a moment before Keyward records the attempt.
    let statuses = eventually(Duration::from_secs(10), || async {
        let deliveries: Value = server.get(&format!("{WEBHOOKS}/{id}/deliveries"), &admin).await.json().await.unwrap();
        let statuses: Vec<Value> =
            deliveries.as_array().unwrap().iter().map(|attempt| attempt["status"].clone()).collect();
        (statuses.len() == 2).then_some(statuses)
    })
    .await;
    assert_eq!(statuses, [json!(204), json!(500)], "newest first");
}

/// Only https:// to public addresses unless the operator allows more; the
/// address is checked again at every connection.
#[tokio::test]
async fn endpoints_reach_only_what_the_operator_allows() {
    let strict = server(WebhookSettings { allow_http: true, allow_private: false }).await;
    let admin = strict.region("acme").await.api_key.token;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:9/hook",
        "http://localhost:9/hook",
    ] {
        let refused = strict.request(Method::POST, WEBHOOKS, &admin).json(&json!({"url": url, "events": ["*"]})).send();
        let body = problem(refused.await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "webhook-url-not-allowed").await;
        assert!(body["detail"].as_str().unwrap().contains("not a public address"), "{url}: {body}");
    }
    let https_only = server(WebhookSettings::default()).await;
    let admin_https = https_only.region("acme").await.api_key.token;
    let refused = https_only
        .request(Method::POST, WEBHOOKS, &admin_https)
        .json(&json!({"url": "http://example.com/", "events": ["*"]}));
    problem(refused.send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "webhook-url-not-allowed").await;

    // Saved where private addresses were allowed; delivered by a process
    // that does not allow them: refused at the connection.
    let Some(receiver) = Receiver::start() else { return };
    let db = TestDb::fresh().await;
    let permissive = Keyward::new(db.connect().await, Settings { webhooks: LOOPBACK, ..Settings::default() });
    let api = TestServer::serve(permissive, db).await;
    let admin = api.region("acme").await.api_key.token;
    let endpoint = add_endpoint(&api, &admin, &receiver.url(), json!(["*"])).await;
    let delivering = Keyward::new(
        api.db.connect().await,
        Settings { webhooks: WebhookSettings { allow_http: true, allow_private: false }, ..Settings::default() },
    );
    server::webhooks::delivery::spawn_deliveries(delivering, std::future::pending());
    api.request(Method::POST, &format!("{WEBHOOKS}/{}/test", endpoint["id"].as_str().unwrap()), &admin)
        .send()
        .await
        .unwrap();
    let deliveries = format!("{WEBHOOKS}/{}/deliveries", endpoint["id"].as_str().unwrap());
    let attempt = eventually(Duration::from_secs(10), || async {
        let attempts: Value = api.get(&deliveries, &admin).await.json().await.unwrap();
        attempts.as_array().unwrap().first().cloned()
    })
    .await;
    assert!(attempt["error"].as_str().unwrap().contains("not allowed"), "{attempt}");
    assert!(receiver.received().is_empty(), "nothing reached the private address");
}

#[tokio::test]
async fn endpoints_are_the_regions_own_and_need_their_scopes() {
    let server = server(LOOPBACK).await;
    let admin = server.region("acme").await.api_key.token;
    let other = server.region("other").await.api_key.token;
    let endpoint = add_endpoint(&server, &admin, "http://127.0.0.1:9/hook", json!(["api_key.quarantined"])).await;
    let path = format!("{WEBHOOKS}/{}", endpoint["id"].as_str().unwrap());
    problem(server.get(&path, &other).await, StatusCode::NOT_FOUND, "webhook-not-found").await;
    let reader = server.create_key(&admin, json!({"scopes": ["keys:read"]})).await.json::<Value>().await.unwrap();
    let reader = reader["token"].as_str().unwrap();
    assert_eq!(server.get(WEBHOOKS, reader).await.status(), StatusCode::OK);
    let denied =
        server.request(Method::POST, WEBHOOKS, reader).json(&json!({"url": "http://127.0.0.1:9/", "events": ["*"]}));
    problem(denied.send().await.unwrap(), StatusCode::FORBIDDEN, "insufficient-scope").await;
    let disabled = server.request(Method::PATCH, &path, &admin).json(&json!({"enabled": false})).send().await.unwrap();
    assert_eq!(disabled.json::<Value>().await.unwrap()["enabled"], false);
    let audit: Value =
        server.get("/auth/region/audit-events?action=webhook.updated", &admin).await.json().await.unwrap();
    assert_eq!(audit[0]["change"]["after"]["enabled"], false, "{audit}");
}

fn run_cli(db: &TestDb, args: &[&str]) -> Value {
    let output = keyward().args(args).env("DATABASE_URL", &db.url).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or(Value::Null)
}

/// Messages written while no process delivers, two processes killed with
/// SIGKILL as they start on them, a restart: every message arrives; and in
/// a quiet run with two processes, each exactly once.
#[tokio::test]
async fn no_message_is_lost_to_kill_9_and_two_processes_send_each_once() {
    let Some(receiver) = Receiver::start() else { return };
    let db = TestDb::fresh().await;
    let created = run_cli(&db, &["region", "create", "--name", "acme", "--json"]);
    let admin = created["api_key"]["token"].as_str().unwrap().to_owned();
    let flags = ["--no-bootstrap", "--webhooks-allow-http", "--webhooks-allow-private"];
    let first = Process::serve(&db.url, &flags);
    let client = reqwest::Client::new();
    let endpoint: Value = client
        .post(format!("{}{WEBHOOKS}", first.url))
        .header("x-api-key", &admin)
        .json(&json!({"url": receiver.url(), "events": ["api_key.created"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    receiver.trust(&[endpoint["secret"].as_str().unwrap()]);
    first.kill();
    for _ in 0..20 {
        run_cli(&db, &["key", "create", "--region", "acme", "--json"]);
    }
    let doomed = [Process::serve(&db.url, &flags), Process::serve(&db.url, &flags)];
    for process in doomed {
        process.kill();
    }
    let survivors = [Process::serve(&db.url, &flags), Process::serve(&db.url, &flags)];
    let arrived = |received: Vec<Value>| {
        let mut ids: HashMap<String, usize> = HashMap::new();
        for request in received {
            assert_eq!(request["verified_by"], json!([0]), "{request}");
            *ids.entry(request["webhook_id"].as_str().unwrap().to_owned()).or_default() += 1;
        }
        ids
    };
    eventually(Duration::from_secs(60), || async { (arrived(receiver.received()).len() == 20).then_some(()) }).await;

    // A quiet run: two live processes, twenty more messages, each sent once.
    let before = receiver.received().len();
    for _ in 0..20 {
        let created = client
            .post(format!("{}/auth/region/api-keys", survivors[0].url))
            .header("x-api-key", &admin)
            .json(&json!({}));
        assert_eq!(created.send().await.unwrap().status(), StatusCode::CREATED);
    }
    eventually(Duration::from_secs(30), || async { (arrived(receiver.received()).len() == 40).then_some(()) }).await;
    let quiet = arrived(receiver.received().split_off(before));
    assert!(quiet.values().all(|&count| count == 1), "a message sent twice in a quiet run: {quiet:?}");
}

/// A process stopped (SIGSTOP) in the middle of a delivery loses its claim:
/// another process sends the message again, with the same `webhook-id`,
/// and when the stopped one wakes, what it recorded late changes nothing
/// of the message's outcome.
#[tokio::test]
async fn a_process_stopped_mid_delivery_loses_its_claim_and_changes_nothing_on_waking() {
    let Some(receiver) = Receiver::start() else { return };
    let db = TestDb::fresh().await;
    let created = run_cli(&db, &["region", "create", "--name", "acme", "--json"]);
    let admin = created["api_key"]["token"].as_str().unwrap().to_owned();
    let flags = ["--no-bootstrap", "--webhooks-allow-http", "--webhooks-allow-private"];
    let stopped = Process::serve(&db.url, &flags);
    let client = reqwest::Client::new();
    let call = |process: &Process, method: Method, path: &str| {
        client.request(method, format!("{}{path}", process.url)).header("x-api-key", &admin)
    };
    let endpoint: Value = call(&stopped, Method::POST, WEBHOOKS)
        .json(&json!({"url": receiver.url(), "events": ["api_key.created"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    receiver.trust(&[endpoint["secret"].as_str().unwrap()]);
    // The receiver takes 12 s to answer: the message is claimed and on its way.
    receiver.answer("slow");
    let key = call(&stopped, Method::POST, "/auth/region/api-keys").json(&json!({})).send().await.unwrap();
    assert_eq!(key.status(), StatusCode::CREATED);
    let first = receiver.wait_for("api_key.created", 1).await;
    signal("-STOP", &stopped);

    receiver.answer("204");
    let other = Process::serve(&db.url, &flags);
    let again = receiver.wait_for("api_key.created", 2).await;
    assert_eq!(again[1]["webhook_id"], first[0]["webhook_id"], "the same message");
    assert_eq!(again[1]["verified_by"], json!([0]));
    let deliveries = format!("{WEBHOOKS}/{}/deliveries", endpoint["id"].as_str().unwrap());
    let log = || async {
        let log: Value = call(&other, Method::GET, &deliveries).send().await.unwrap().json().await.unwrap();
        log.as_array().unwrap().clone()
    };
    let delivered = eventually(Duration::from_secs(30), || async {
        let log = log().await;
        log.iter().any(|attempt| attempt["status"] == 204).then_some(log)
    })
    .await;
    assert!(delivered.iter().all(|attempt| attempt["message_state"] == "delivered"), "{delivered:?}");

    assert_eq!(delivered.len(), 1, "the stopped process has recorded nothing: {delivered:?}");
    // Woken, the first process records its late attempt; the message stays delivered.
    signal("-CONT", &stopped);
    let log = eventually(Duration::from_secs(30), || async { Some(log().await).filter(|log| log.len() == 2) }).await;
    assert!(log.iter().all(|attempt| attempt["message_state"] == "delivered"), "{log:?}");
    let path = format!("{WEBHOOKS}/{}", endpoint["id"].as_str().unwrap());
    let endpoint: Value = call(&other, Method::GET, &path).send().await.unwrap().json().await.unwrap();
    assert_eq!(endpoint["failing_since"], Value::Null, "a late time-out is not the endpoint failing");
    assert_eq!(receiver.wait_for("api_key.created", 2).await.len(), 2, "sent twice, no more");
    drop(other);
}

fn signal(which: &str, process: &Process) {
    let status = Command::new("kill").args([which, &process.pid().to_string()]).status().unwrap();
    assert!(status.success());
}

/// A key over its rate limit, low on credits or out of them is reported,
/// at most once an hour each.
#[tokio::test]
async fn limits_and_credits_are_reported_once_an_hour() {
    let Some(receiver) = Receiver::start() else { return };
    let server = server(LOOPBACK).await;
    server::serve::spawn_usage_flusher(server.keyward.clone(), Duration::from_millis(50), std::future::pending());
    let admin = server.region("acme").await.api_key.token;
    let endpoint = add_endpoint(
        &server,
        &admin,
        &receiver.url(),
        json!(["api_key.rate_limited", "api_key.credits_low", "api_key.credits_exhausted"]),
    )
    .await;
    receiver.trust(&[endpoint["secret"].as_str().unwrap()]);
    let limited =
        server.create_key(&admin, json!({"rate_limits": [{"name": "r", "limit": 1, "period_s": 3600}]})).await;
    let limited = limited.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let spent = server.create_key(&admin, json!({"credits": {"remaining": 20}})).await;
    let spent = spent.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    for _ in 0..4 {
        server.get("/auth/check", &limited).await;
    }
    for _ in 0..22 {
        server.get("/auth/check", &spent).await;
    }
    receiver.wait_for("api_key.rate_limited", 1).await;
    receiver.wait_for("api_key.credits_low", 1).await;
    receiver.wait_for("api_key.credits_exhausted", 1).await;
    for _ in 0..3 {
        server.get("/auth/check", &limited).await;
        server.get("/auth/check", &spent).await;
    }
    // Written with the next flush (every 50 ms here): none more.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let counts = receiver.received().iter().fold(HashMap::new(), |mut counts: HashMap<String, usize>, request| {
        *counts.entry(request["body"]["type"].as_str().unwrap().to_owned()).or_default() += 1;
        counts
    });
    assert!(counts.values().all(|&count| count == 1), "{counts:?}");
}

/// An unreachable receiver and one that does not answer within 10 s are
/// failures, retried on the schedule; an endpoint failing for 5 days is
/// disabled, audited and shown, and an administrator enables it again.
#[tokio::test]
async fn unreachable_and_slow_receivers_are_retried_and_a_dead_endpoint_is_disabled() {
    let Some(receiver) = Receiver::start() else { return };
    let server = server(LOOPBACK).await;
    let admin = server.region("acme").await.api_key.token;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let unreachable = add_endpoint(&server, &admin, &format!("http://{closed}/hook"), json!(["*"])).await;
    let slow = add_endpoint(&server, &admin, &receiver.url(), json!(["*"])).await;
    receiver.answer("slow");
    for endpoint in [&unreachable, &slow] {
        let test =
            server.request(Method::POST, &format!("{WEBHOOKS}/{}/test", endpoint["id"].as_str().unwrap()), &admin);
        test.send().await.unwrap();
    }
    let first_attempt = |endpoint: &Value| {
        let path = format!("{WEBHOOKS}/{}/deliveries", endpoint["id"].as_str().unwrap());
        let server = &server;
        let admin = &admin;
        async move {
            eventually(Duration::from_secs(20), || async {
                let attempts: Value = server.get(&path, admin).await.json().await.unwrap();
                attempts.as_array().unwrap().last().cloned()
            })
            .await
        }
    };
    let refused = first_attempt(&unreachable).await;
    assert!(refused["error"].as_str().unwrap().contains("could not connect"), "{refused}");
    assert_eq!(refused["message_state"], "pending", "retried later");
    let timed_out = first_attempt(&slow).await;
    assert!(timed_out["error"].as_str().unwrap().contains("no answer within 10 s"), "{timed_out}");
    assert!(timed_out["duration_ms"].as_u64().unwrap() >= 10_000);

    // Each next attempt is due on the schedule after the last failure (5 s, then 30 s, ...).
    let db = server.db.connect().await;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use testkit::entity::{webhook_endpoint, webhook_message};
    let message = webhook_message::Entity::find()
        .filter(webhook_message::Column::EndpointId.eq(unreachable["id"].as_str().unwrap()))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let attempts: Value = server
        .get(&format!("{WEBHOOKS}/{}/deliveries", unreachable["id"].as_str().unwrap()), &admin)
        .await
        .json()
        .await
        .unwrap();
    let last = &attempts[0];
    assert_eq!(last["attempt"].as_i64(), Some(i64::from(message.attempts)));
    let failed_at = chrono::DateTime::parse_from_rfc3339(last["at"].as_str().unwrap()).unwrap().to_utc();
    let wait = (message.next_attempt_at - failed_at).to_std().unwrap();
    let scheduled = domain::RETRY_SCHEDULE[usize::try_from(message.attempts - 1).unwrap()];
    assert!(wait.abs_diff(scheduled) < Duration::from_secs(1), "{wait:?} after attempt {}", message.attempts);

    // Failing since six days: the next failure disables it.
    let id = unreachable["id"].as_str().unwrap();
    webhook_endpoint::Entity::update_many()
        .col_expr(
            webhook_endpoint::Column::FailingSince,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::TimeDelta::days(6)),
        )
        .filter(webhook_endpoint::Column::Id.eq(id))
        .exec(&db)
        .await
        .unwrap();
    let retry = format!("{WEBHOOKS}/{id}/deliveries/{}/retry", message.id);
    assert_eq!(server.request(Method::POST, &retry, &admin).send().await.unwrap().status(), StatusCode::ACCEPTED);
    let disabled = eventually(Duration::from_secs(20), || async {
        let shown: Value = server.get(&format!("{WEBHOOKS}/{id}"), &admin).await.json().await.unwrap();
        (shown["enabled"] == false).then_some(shown)
    })
    .await;
    assert_eq!(disabled["disabled_reason"], "failing");
    let audit: Value =
        server.get("/auth/region/audit-events?action=webhook.updated", &admin).await.json().await.unwrap();
    assert_eq!(
        (audit[0]["actor_api_key_id"].clone(), audit[0]["change"]["after"]["enabled"].clone()),
        (Value::Null, json!(false))
    );
    let enabled = server.request(Method::PATCH, &format!("{WEBHOOKS}/{id}"), &admin).json(&json!({"enabled": true}));
    let enabled: Value = enabled.send().await.unwrap().json().await.unwrap();
    assert_eq!((enabled["enabled"].clone(), enabled["failing_since"].clone()), (json!(true), Value::Null));
}
