//! `GET /metrics` on the real binary: off unless asked for, and after known
//! traffic it counts that traffic.

mod common;

use common::{Process, keyward};
use reqwest::StatusCode;
use serde_json::Value;
use testkit::TestDb;

fn token(db: &TestDb) -> String {
    let output = keyward().args(["region", "create", "--name", "acme", "--json"]).env("DATABASE_URL", &db.url).output();
    let created: Value = serde_json::from_slice(&output.unwrap().stdout).unwrap();
    created["api_key"]["token"].as_str().unwrap().to_owned()
}

/// The value of the sample named exactly `sample` (name and labels).
fn sample(metrics: &str, sample: &str) -> Option<f64> {
    metrics.lines().find_map(|line| line.strip_prefix(sample)?.trim().parse().ok())
}

#[tokio::test]
async fn metrics_count_known_traffic_and_are_off_unless_asked_for() {
    let db = TestDb::fresh().await;
    let token = token(&db);
    let off = Process::serve(&db.url, &["--no-bootstrap"]);
    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{}/metrics", off.url)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    drop(off);

    let server = Process::serve(&db.url, &["--no-bootstrap", "--metrics"]);
    for key in [token.as_str(), token.as_str(), token.as_str(), "kw_live_wrong", &testkit::unknown_token()] {
        client.get(format!("{}/auth/check", server.url)).header("x-api-key", key).send().await.unwrap();
    }
    client.get(format!("{}/auth/check", server.url)).send().await.unwrap();
    let metrics = client.get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();

    let authentications =
        |outcome: &str| sample(&metrics, &format!("keyward_authentications_total{{outcome=\"{outcome}\"}}"));
    assert_eq!(authentications("accepted"), Some(3.0), "{metrics}");
    assert_eq!(authentications("invalid"), Some(2.0), "{metrics}");
    assert_eq!(authentications("missing"), Some(1.0), "{metrics}");
    let checks_allowed = "keyward_http_requests_total{route=\"/auth/check\",method=\"GET\",status=\"200\"}";
    assert_eq!(sample(&metrics, checks_allowed), Some(3.0), "{metrics}");
    assert_eq!(sample(&metrics, "keyward_build_info{version=\"0.1.0\"}"), Some(1.0), "{metrics}");
    assert!(sample(&metrics, "keyward_key_lookups_total{from=\"database\"}").is_some(), "{metrics}");
    for present in [
        "keyward_database_connections{state=\"idle\"}",
        "keyward_console_sessions",
        "keyward_verification_cache_trusted",
        "keyward_verification_cache_keys",
    ] {
        assert!(sample(&metrics, present).is_some(), "{present}: {metrics}");
    }
    assert!(metrics.contains("keyward_argon2_seconds"), "{metrics}");
    assert!(!metrics.contains(&token), "no key in the metrics");
}

/// Methods are the client's to make up (`/auth/check` accepts any): each
/// one a series of its own would grow memory and `/metrics` without bound,
/// and each one logged verbatim the logs.
#[tokio::test]
async fn made_up_methods_count_as_one_other_method_and_are_not_logged_verbatim() {
    let db = TestDb::fresh().await;
    let token = token(&db);
    let server = Process::serve(&db.url, &["--no-bootstrap", "--metrics"]);
    let client = reqwest::Client::new();
    let made_up: Vec<String> = (0..200).map(|i| format!("M{i}{}", "X".repeat(500))).collect();
    for method in &made_up {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let check = client.request(method, format!("{}/auth/check", server.url)).header("x-api-key", &token);
        assert_eq!(check.send().await.unwrap().status(), StatusCode::OK);
    }
    let long_path = format!("/auth/check/{}", "p".repeat(4000));
    let check = client.get(format!("{}{long_path}", server.url)).header("x-api-key", &token);
    assert_eq!(check.send().await.unwrap().status(), StatusCode::OK);
    let metrics = client.get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();

    let others = "keyward_http_requests_total{route=\"/auth/check\",method=\"other\",status=\"200\"}";
    assert_eq!(sample(&metrics, others), Some(made_up.len() as f64), "{metrics}");
    assert!(!metrics.contains("XXXX"), "no made-up method is a label: {metrics}");
    assert!(metrics.len() < 16 * 1024, "/metrics stays small: {} bytes", metrics.len());
    // The requests are logged (RUST_LOG=debug), each line cut to size.
    common::wait_for_log(&server, "/auth/check/ppp", std::time::Duration::from_secs(10)).await;
    let logs = server.logs();
    assert!(!logs.contains(&made_up[0][..100]), "no method logged verbatim");
    assert!(!logs.contains(&long_path[..1000]), "no path logged verbatim");
}

/// Requests refused by a key's policy are counted: limited, out of credits.
#[tokio::test]
async fn rate_limited_and_exhausted_requests_are_counted() {
    let db = TestDb::fresh().await;
    let token = token(&db);
    let server = Process::serve(&db.url, &["--no-bootstrap", "--metrics"]);
    let client = reqwest::Client::new();
    let policy_key = async |body: Value| -> String {
        let created =
            client.post(format!("{}/auth/region/api-keys", server.url)).header("x-api-key", &token).json(&body);
        let created: Value = created.send().await.unwrap().json().await.unwrap();
        created["token"].as_str().unwrap().to_owned()
    };
    let limited = policy_key(serde_json::json!({"rate_limits": [{"name": "r", "limit": 1, "period_s": 3600}]})).await;
    let spent = policy_key(serde_json::json!({"credits": {"remaining": 1}})).await;
    for key in [&limited, &limited, &limited, &spent, &spent] {
        client.get(format!("{}/auth/check", server.url)).header("x-api-key", key).send().await.unwrap();
    }
    let metrics = client.get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();
    assert_eq!(sample(&metrics, "keyward_rate_limited_total"), Some(2.0), "{metrics}");
    assert_eq!(sample(&metrics, "keyward_credits_exhausted_total"), Some(1.0), "{metrics}");
    let refusals = |outcome: &str| sample(&metrics, &format!("keyward_authentications_total{{outcome=\"{outcome}\"}}"));
    assert_eq!((refusals("rate_limited"), refusals("credits_exhausted")), (Some(2.0), Some(1.0)), "{metrics}");
}

/// Webhook deliveries are counted by outcome, and the oldest waiting
/// message's age is shown.
#[tokio::test]
async fn webhook_deliveries_are_counted_and_the_oldest_waiting_shown() {
    let db = TestDb::fresh().await;
    let token = token(&db);
    let flags = ["--no-bootstrap", "--metrics", "--webhooks-allow-http", "--webhooks-allow-private"];
    let server = Process::serve(&db.url, &flags);
    let client = reqwest::Client::new();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let endpoint = client
        .post(format!("{}/auth/region/webhooks", server.url))
        .header("x-api-key", &token)
        .json(&serde_json::json!({"url": format!("http://{closed}/hook"), "events": ["*"]}));
    let endpoint: Value = endpoint.send().await.unwrap().json().await.unwrap();
    let test = format!("{}/auth/region/webhooks/{}/test", server.url, endpoint["id"].as_str().unwrap());
    assert_eq!(client.post(test).header("x-api-key", &token).send().await.unwrap().status(), StatusCode::ACCEPTED);
    let metrics = testkit::eventually(std::time::Duration::from_secs(15), || async {
        let metrics = client.get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();
        sample(&metrics, "keyward_webhook_deliveries_total{outcome=\"retrying\"}").map(|_| metrics)
    })
    .await;
    assert_eq!(sample(&metrics, "keyward_webhook_deliveries_total{outcome=\"retrying\"}"), Some(1.0), "{metrics}");
    assert!(sample(&metrics, "keyward_webhook_oldest_waiting_seconds").is_some(), "{metrics}");
}
