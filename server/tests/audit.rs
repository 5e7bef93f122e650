//! The audit log over HTTP: pages back to the very first event, filters,
//! and refusals of bad parameters.

mod common;

use chrono::{DateTime, Utc};
use common::{TestServer, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};
use testkit::CLIENT;

const AUDIT: &str = "/auth/region/audit-events";

/// Follows `Link: <...>; rel="next"` from `path` to the end; every event seen.
async fn all_pages(server: &TestServer, token: &str, path: &str) -> (Vec<Value>, usize) {
    let (mut events, mut pages, mut next) = (Vec::new(), 0, Some(path.to_owned()));
    while let Some(path) = next.take() {
        let response = server.get(&path, token).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        next = response.headers().get("link").map(|link| {
            let link = link.to_str().unwrap();
            assert!(link.ends_with(">; rel=\"next\""), "{link}");
            link.trim_start_matches('<').split('>').next().unwrap().to_owned()
        });
        events.extend(response.json::<Vec<Value>>().await.unwrap());
        pages += 1;
    }
    (events, pages)
}

/// A burst of console sign-ins can no longer push a deletion out of sight:
/// the log pages back to its first event, and filters find the deletion.
#[tokio::test]
async fn the_audit_log_pages_back_to_its_first_event_and_filters_find_anything() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let victim: Value = server.create_key(&admin, json!({"description": "victim"})).await.json().await.unwrap();
    let victim_id = victim["id"].as_str().unwrap();
    let deleted_at = Utc::now();
    assert_eq!(
        server.delete(&format!("/auth/region/api-keys/{victim_id}"), &admin).await.status(),
        StatusCode::NO_CONTENT
    );
    for _ in 0..120 {
        server.keyward.sessions().sign_in(&admin, CLIENT).await.unwrap();
    }

    let (events, pages) = all_pages(&server, &admin, &format!("{AUDIT}?limit=50")).await;
    // region.created, api_key.created x2, api_key.deleted, 120 sign-ins.
    assert_eq!((events.len(), pages), (124, 3));
    let ids: Vec<i64> = events.iter().map(|event| event["id"].as_str().unwrap()[4..].parse().unwrap()).collect();
    assert!(ids.windows(2).all(|pair| pair[0] > pair[1]), "newest first, no repeats: {ids:?}");
    assert_eq!(events.last().unwrap()["action"], "region.created");

    let deletions: Vec<Value> =
        server.get(&format!("{AUDIT}?action=api_key.deleted"), &admin).await.json().await.unwrap();
    assert_eq!(deletions.len(), 1);
    assert_eq!(deletions[0]["api_key_id"], victim_id);
    let about_victim: Vec<Value> =
        server.get(&format!("{AUDIT}?api_key_id={victim_id}"), &admin).await.json().await.unwrap();
    let actions: Vec<&str> = about_victim.iter().map(|event| event["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["api_key.deleted", "api_key.created"]);
    // Paged with a filter, the filter stays on every page.
    let (sign_ins, pages) = all_pages(&server, &admin, &format!("{AUDIT}?action=console.signed_in&limit=100")).await;
    assert_eq!((sign_ins.len(), pages), (120, 2));
    let at = |event: &Value| event["at"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    let first_sign_in = at(sign_ins.last().unwrap());
    let window = format!("{AUDIT}?from={}&to={}", urlencode(deleted_at), urlencode(first_sign_in));
    let before_sign_ins: Vec<Value> = server.get(&window, &admin).await.json().await.unwrap();
    assert!(before_sign_ins.iter().any(|event| event["action"] == "api_key.deleted"), "{before_sign_ins:?}");
    assert!(before_sign_ins.iter().all(|event| event["action"] != "console.signed_in"));
}

fn urlencode(at: DateTime<Utc>) -> String {
    at.to_rfc3339().replace('+', "%2B")
}

#[tokio::test]
async fn bad_audit_parameters_are_refused() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    for query in [
        "limit=2.5",
        "limit=-1",
        "before=evt_x",
        "before=7",
        "action=api_key.stolen",
        "api_key_id=nope",
        "from=yesterday",
        "colour=red",
    ] {
        problem(server.get(&format!("{AUDIT}?{query}"), &admin).await, StatusCode::BAD_REQUEST, "invalid-query").await;
    }
    let backwards = format!("{AUDIT}?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z");
    problem(server.get(&backwards, &admin).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid-input").await;
}
