//! The last-key invariant under racing deletes, on whichever database the
//! harness gives (SQLite by default, Postgres with KEYWARD_TEST_POSTGRES_URL).

mod common;

use common::TestServer;
use reqwest::StatusCode;
use serde_json::Value;

const KEYS: &str = "/auth/region/api-keys";

/// Creates `count` more keys and returns (id, token) of all of them.
async fn keys_of_new_region(server: &TestServer, name: &str, count: usize) -> Vec<(String, String)> {
    let created = server.region(name).await;
    let first = created.api_key.token.clone();
    let mut keys = vec![(created.api_key.key.id.to_string(), first.clone())];
    for _ in 0..count {
        let response = server.create_key(&first, serde_json::json!({})).await;
        let key: Value = response.json().await.unwrap();
        keys.push((key["id"].as_str().unwrap().to_owned(), key["token"].as_str().unwrap().to_owned()));
    }
    keys
}

/// How many of `keys` still authenticate; each survivor must list exactly
/// the survivors, so the API and the credentials agree.
async fn surviving(server: &TestServer, keys: &[(String, String)]) -> usize {
    let mut listed = Vec::new();
    for (_, token) in keys {
        let response = server.get("/auth/regions/me", token).await;
        if response.status() == StatusCode::OK {
            listed.push(response.json::<Value>().await.unwrap()["api_keys"].as_array().unwrap().len());
        }
    }
    assert!(listed.iter().all(|count| *count == listed.len()), "survivors {} but listed {listed:?}", listed.len());
    listed.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_five_keys_deleting_themselves_at_once_leave_exactly_one() {
    let server = TestServer::start().await;
    let keys = keys_of_new_region(&server, "race", 24).await;
    let mut deletes = tokio::task::JoinSet::new();
    for (id, token) in keys.clone() {
        let (client, url) = (server.client.clone(), server.url.clone());
        deletes.spawn(async move {
            client.delete(format!("{url}{KEYS}/{id}")).header("x-api-key", token).send().await.unwrap().status()
        });
    }
    let statuses = deletes.join_all().await;
    let deleted = statuses.iter().filter(|s| **s == StatusCode::NO_CONTENT).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((deleted, refused), (24, 1), "{statuses:?}");
    assert_eq!(surviving(&server, &keys).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_key_deleting_all_of_its_region_at_once_keeps_one() {
    let server = TestServer::start().await;
    let keys = keys_of_new_region(&server, "sweep", 21).await;
    let caller = keys[0].1.clone();
    let mut deletes = tokio::task::JoinSet::new();
    for (id, _) in keys.clone() {
        let (client, url, caller) = (server.client.clone(), server.url.clone(), caller.clone());
        deletes.spawn(async move {
            client.delete(format!("{url}{KEYS}/{id}")).header("x-api-key", caller).send().await.unwrap().status()
        });
    }
    let statuses = deletes.join_all().await;
    // Once the caller's own key is gone its later calls are 401, so several
    // keys may survive; none may be a 5xx, every 204 removed exactly one key,
    // and at least one key survives.
    assert!(
        statuses.iter().all(|s| [StatusCode::NO_CONTENT, StatusCode::CONFLICT, StatusCode::UNAUTHORIZED].contains(s)),
        "{statuses:?}"
    );
    let deleted = statuses.iter().filter(|s| **s == StatusCode::NO_CONTENT).count();
    let survivors = surviving(&server, &keys).await;
    assert_eq!(survivors, keys.len() - deleted, "{statuses:?}");
    assert!(survivors >= 1, "{statuses:?}");
    if !statuses.contains(&StatusCode::UNAUTHORIZED) {
        assert_eq!(survivors, 1, "every key but the last was deletable: {statuses:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_keys_deleting_each_other_never_leave_none() {
    let server = TestServer::start().await;
    let created = server.region("duel").await;
    let mut a = (created.api_key.key.id.to_string(), created.api_key.token.clone());
    for round in 0..20 {
        let response = server.create_key(&a.1, serde_json::json!({"description": format!("round {round}")})).await;
        let key: Value = response.json().await.unwrap();
        let b = (key["id"].as_str().unwrap().to_owned(), key["token"].as_str().unwrap().to_owned());
        let (path_of_a, path_of_b) = (format!("{KEYS}/{}", a.0), format!("{KEYS}/{}", b.0));
        let (first, second) = tokio::join!(server.delete(&path_of_b, &a.1), server.delete(&path_of_a, &b.1));
        let statuses = [first.status(), second.status()];
        assert_eq!(
            statuses.iter().filter(|s| **s == StatusCode::NO_CONTENT).count(),
            1,
            "round {round}: exactly one delete wins: {statuses:?}"
        );
        assert!(
            statuses
                .iter()
                .all(|s| [StatusCode::NO_CONTENT, StatusCode::CONFLICT, StatusCode::UNAUTHORIZED].contains(s))
        );
        let pair = [a.clone(), b.clone()];
        assert_eq!(surviving(&server, &pair).await, 1, "round {round}");
        a = if statuses[0] == StatusCode::NO_CONTENT { a } else { b };
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_all_land() {
    let server = TestServer::start().await;
    let token = server.region("busy").await.api_key.token;
    let mut creates = tokio::task::JoinSet::new();
    for n in 0..20 {
        let (client, url, token) = (server.client.clone(), server.url.clone(), token.clone());
        creates.spawn(async move {
            let body = serde_json::json!({ "description": format!("worker {n}") });
            client.post(format!("{url}{KEYS}")).header("x-api-key", token).json(&body).send().await.unwrap().status()
        });
    }
    assert!(creates.join_all().await.iter().all(|s| *s == StatusCode::CREATED));
    assert_eq!(server.me(&token).await["api_keys"].as_array().unwrap().len(), 21);
}

/// A burst of writes to one region queues in memory, not on the pool: every
/// PATCH is answered (200, or 429 with `Retry-After` past the queue's
/// bound), none says the database is unavailable, and the verification
/// cache, which needs its connection too, stays trusted.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_writes_to_one_region_is_queued_not_refused_as_an_outage() {
    let server = TestServer::start().await;
    let created = server.region("burst").await;
    let (admin, id) = (created.api_key.token.clone(), created.api_key.key.id.to_string());
    testkit::eventually(std::time::Duration::from_secs(10), || async {
        server.keyward.is_cache_trusted().then_some(())
    })
    .await;
    let mut patches = tokio::task::JoinSet::new();
    for n in 0..150 {
        let (client, url, admin) = (server.client.clone(), server.url.clone(), admin.clone());
        let id = id.clone();
        patches.spawn(async move {
            let patch = client.patch(format!("{url}{KEYS}/{id}")).header("x-api-key", admin);
            let response = patch.json(&serde_json::json!({"description": format!("burst {n}")})).send().await.unwrap();
            (response.status(), response.headers().contains_key("retry-after"))
        });
    }
    let answers = patches.join_all().await;
    let unexpected: Vec<_> = answers
        .iter()
        .filter(|(status, retry_after)| {
            !(*status == StatusCode::OK || (*status == StatusCode::TOO_MANY_REQUESTS && *retry_after))
        })
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
    assert!(answers.iter().filter(|(status, _)| *status == StatusCode::OK).count() > 100, "{answers:?}");
    assert!(server.keyward.is_cache_trusted(), "the cache stayed on");
}
