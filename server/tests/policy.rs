//! Policy at the edge over HTTP: owners and key policies over REST, the
//! answers of `/auth/check` and `/auth/verify` (limits, credits, networks,
//! who is calling, the RateLimit header fields), refusals over REST, and
//! credits across a `kill -9` and a clean stop of the real binary.

mod common;

use common::{Process, TestServer, problem};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use testkit::TestDb;

const KEYS: &str = "/auth/region/api-keys";
const OWNERS: &str = "/auth/region/owners";

async fn send(server: &TestServer, method: Method, path: &str, token: &str, body: Value) -> Response {
    server.request(method, path, token).json(&body).send().await.expect("request")
}

async fn created(response: Response) -> Value {
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response.headers().get(name).map_or("", |value| value.to_str().unwrap())
}

async fn check(server: &TestServer, token: &str, query: &str) -> Response {
    server.get(&format!("/auth/check{query}"), token).await
}

#[tokio::test]
async fn owners_and_key_policies_are_managed_over_rest() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let other = server.region("other").await.api_key.token;

    let owner = created(
        send(
            &server,
            Method::POST,
            OWNERS,
            &admin,
            json!({
                "external_id": "customer-4711", "meta": {"plan": "pro"},
                "rate_limits": [{"name": "per-minute", "limit": 100, "period_s": 60}],
                "credits": {"remaining": 1000, "refill": {"amount": 1000, "interval": "month"}}
            }),
        )
        .await,
    )
    .await;
    let owner_id = owner["id"].as_str().unwrap();
    assert!(owner_id.starts_with("own_"));
    assert_eq!((owner["key_count"].clone(), owner["credits"]["remaining"].clone()), (json!(0), json!(1000)));
    let taken = send(&server, Method::POST, OWNERS, &admin, json!({"external_id": "customer-4711"})).await;
    problem(taken, StatusCode::CONFLICT, "external-id-taken").await;
    let foreign = server.get(&format!("{OWNERS}/{owner_id}"), &other).await;
    problem(foreign, StatusCode::NOT_FOUND, "owner-not-found").await;

    let key = created(
        server
            .create_key(
                &admin,
                json!({
                    "owner_id": owner_id, "meta": {"team": "billing"},
                    "rate_limits": [{"name": "requests", "limit": 10, "period_s": 1}],
                    "credits": {"remaining": 50}, "allowed_networks": ["127.0.0.0/8", "::1/128"]
                }),
            )
            .await,
    )
    .await;
    assert_eq!(key["owner_id"], owner_id);
    assert_eq!(key["credits"], json!({"remaining": 50, "refill": null}));
    assert_eq!(key["allowed_networks"], json!(["127.0.0.0/8", "::1/128"]));
    let key_id = key["id"].as_str().unwrap();
    let patched =
        send(&server, Method::PATCH, &format!("{KEYS}/{key_id}"), &admin, json!({"credits": {"remaining": 7}})).await;
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(patched.json::<Value>().await.unwrap()["credits"]["remaining"], 7);

    let has_keys = server.delete(&format!("{OWNERS}/{owner_id}"), &admin).await;
    problem(has_keys, StatusCode::CONFLICT, "owner-has-keys").await;
    let listed: Value = server.get(OWNERS, &admin).await.json().await.unwrap();
    assert_eq!(listed[0]["key_count"], 1);
    let audit: Value =
        server.get("/auth/region/audit-events?action=api_key.policy_changed", &admin).await.json().await.unwrap();
    assert_eq!(audit[0]["change"]["before"]["credits"]["remaining"], 50, "{audit}");
    assert_eq!(audit[0]["change"]["after"]["credits"]["remaining"], 7, "{audit}");
}

/// Bad policies are refused with 422 naming the field, and change nothing.
#[tokio::test]
async fn bad_policies_are_refused_naming_the_field() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let keys =
        |me: Value| me["api_keys"].as_array().unwrap().iter().map(|key| key["updated_at"].clone()).collect::<Vec<_>>();
    let before = keys(server.me(&admin).await);
    let cases = [
        (json!({"rate_limits": [{"name": "a", "limit": 0, "period_s": 60}]}), "limit must be 1 to"),
        (json!({"rate_limits": [{"name": "a", "limit": 1, "period_s": 86401}]}), "period_s must be 1 to"),
        (json!({"credits": {"remaining": -5}}), "credits.remaining"),
        (json!({"allowed_networks": ["10.0.0.0/33"]}), "allowed_networks"),
        (json!({"meta": "not an object"}), "meta must be a JSON object"),
        (json!({"meta": {"x": "y".repeat(5000)}}), "meta must be at most 4096 bytes"),
    ];
    for (body, said) in cases {
        let refused =
            problem(server.create_key(&admin, body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid-body")
                .await;
        assert!(refused["detail"].as_str().unwrap().contains(said), "{body} -> {refused}");
    }
    let unknown_owner = server.create_key(&admin, json!({"owner_id": "own_aaaaaaaaaaaaaaaa"})).await;
    problem(unknown_owner, StatusCode::NOT_FOUND, "owner-not-found").await;
    let bad_owner = send(&server, Method::POST, OWNERS, &admin, json!({"external_id": ""})).await;
    let refused = problem(bad_owner, StatusCode::UNPROCESSABLE_ENTITY, "invalid-body").await;
    assert!(refused["detail"].as_str().unwrap().contains("external_id"), "{refused}");
    assert_eq!(keys(server.me(&admin).await), before, "nothing changed");
    let owners: Value = server.get(OWNERS, &admin).await.json().await.unwrap();
    assert_eq!(owners, json!([]));
}

/// `/auth/check` passes the owner on, states the tightest limit in the
/// IETF RateLimit fields on allowed and limited answers, and refuses over a
/// limit with 429, `Retry-After` and `X-Keyward-Code`; REST does the same.
#[tokio::test]
async fn the_check_answers_with_limits_owner_and_refusals() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let owner = created(send(&server, Method::POST, OWNERS, &admin, json!({"external_id": "Zoë & co"})).await).await;
    let key = created(
        server
            .create_key(&admin, json!({
                "owner_id": owner["id"],
                "rate_limits": [{"name": "hourly", "limit": 3, "period_s": 3600}, {"name": "daily", "limit": 100, "period_s": 86400}]
            }))
            .await,
    )
    .await;
    let limited = key["token"].as_str().unwrap().to_owned();
    let allowed = check(&server, &limited, "").await;
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(header(&allowed, "x-keyward-owner"), "Zo%C3%AB & co");
    assert_eq!(header(&allowed, "ratelimit-policy"), "\"hourly\";q=3;w=3600");
    let state = header(&allowed, "ratelimit");
    assert!(state.starts_with("\"hourly\";r=2;t="), "{state}");
    assert_eq!(check(&server, &limited, "").await.status(), StatusCode::OK);
    // A REST call with the key counts against the same limit.
    assert_eq!(server.get("/auth/regions/me", &limited).await.status(), StatusCode::OK);
    let refused = check(&server, &limited, "").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&refused, "x-keyward-code"), "rate_limited");
    let wait: u64 = header(&refused, "retry-after").parse().unwrap();
    assert!((1..=3600).contains(&wait));
    assert!(header(&refused, "ratelimit").starts_with("\"hourly\";r=0;t="));
    problem(refused, StatusCode::TOO_MANY_REQUESTS, "rate-limited").await;
    let over_rest = server.get("/auth/regions/me", &limited).await;
    assert_eq!(
        (over_rest.status(), header(&over_rest, "x-keyward-code")),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    assert!(!header(&over_rest, "retry-after").is_empty());

    let plain = server.new_token(&admin).await;
    let answer = check(&server, &plain, "").await;
    assert_eq!((header(&answer, "x-keyward-owner"), header(&answer, "ratelimit")), ("", ""));

    // Both refusals are counted for the key, as "rate limited".
    let usage = format!(
        "{KEYS}/{}/usage?bucket=minute&from={}",
        key["id"].as_str().unwrap(),
        (chrono::Utc::now() - chrono::TimeDelta::hours(1)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    testkit::eventually(std::time::Duration::from_secs(10), || async {
        let usage: Value = server.get(&usage, &admin).await.json().await.unwrap();
        (usage["usage"]["total"]["rate_limited"] == 2 && usage["usage"]["total"]["accepted"] == 3).then_some(())
    })
    .await;
}

/// Credits are spent by `?cost=` and `"cost"`, refused at 0 with
/// `credits_exhausted`; `/auth/verify` answers the owner with its meta, the
/// key's meta, limits with what remains, and credits.
#[tokio::test]
async fn credits_are_spent_by_cost_and_verify_says_who_is_calling() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let owner = created(
        send(&server, Method::POST, OWNERS, &admin, json!({"external_id": "acme-shop", "meta": {"plan": "pro"}})).await,
    )
    .await;
    let key = created(
        server
            .create_key(
                &admin,
                json!({
                    "owner_id": owner["id"], "meta": {"env": "ci"},
                    "rate_limits": [{"name": "requests", "limit": 1000, "period_s": 60}],
                    "credits": {"remaining": 10, "refill": {"amount": 10, "interval": "day"}}
                }),
            )
            .await,
    )
    .await;
    let token = key["token"].as_str().unwrap();
    assert_eq!(check(&server, token, "?cost=6").await.status(), StatusCode::OK);
    let verify = |cost: u64| {
        server.client.post(format!("{}/auth/verify", server.url)).json(&json!({"key": token, "cost": cost})).send()
    };
    let verdict: Value = verify(3).await.unwrap().json().await.unwrap();
    assert_eq!(verdict["owner"], json!({"id": owner["id"], "external_id": "acme-shop", "meta": {"plan": "pro"}}));
    assert_eq!(verdict["meta"], json!({"env": "ci"}));
    assert_eq!(verdict["credits"], json!({"remaining": 1, "refill": {"amount": 10, "interval": "day"}}));
    assert_eq!(verdict["rate_limits"][0]["remaining"], 998);
    assert_eq!(verdict["rate_limits"][0]["limit"], 1000);
    let exhausted: Value = verify(2).await.unwrap().json().await.unwrap();
    assert_eq!((exhausted["valid"].clone(), exhausted["code"].clone()), (json!(false), json!("credits_exhausted")));
    assert!(exhausted["retry_after"].as_u64().is_some_and(|wait| (1..=86400).contains(&wait)), "{exhausted}");
    let refused = check(&server, token, "?cost=2").await;
    assert_eq!(
        (refused.status(), header(&refused, "x-keyward-code")),
        (StatusCode::TOO_MANY_REQUESTS, "credits_exhausted")
    );
    // A cost in a header is the client's: ignored, so this costs 1, the last
    // credit, and the same again is refused.
    let last = server.request(Method::GET, "/auth/check", token).header("x-keyward-cost", "0").send().await.unwrap();
    assert_eq!(last.status(), StatusCode::OK);
    let spent = server.request(Method::GET, "/auth/check", token).header("x-keyward-cost", "0").send().await.unwrap();
    assert_eq!(
        (spent.status(), header(&spent, "x-keyward-code")),
        (StatusCode::TOO_MANY_REQUESTS, "credits_exhausted")
    );
    let bad_cost = check(&server, token, "?cost=-1").await;
    problem(bad_cost, StatusCode::UNPROCESSABLE_ENTITY, "invalid-input").await;
}

/// A key restricted to networks is refused elsewhere: `/auth/check`, REST
/// and the console's sign-in alike (the client here is 127.0.0.1).
#[tokio::test]
async fn a_key_is_refused_outside_its_networks_everywhere() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let body = json!({"allowed_networks": ["10.0.0.0/8", "2001:db8::/32"]});
    let token = created(server.create_key(&admin, body).await).await["token"].as_str().unwrap().to_owned();
    let refused = check(&server, &token, "").await;
    assert_eq!((refused.status(), header(&refused, "x-keyward-code")), (StatusCode::FORBIDDEN, "network_not_allowed"));
    problem(server.get("/auth/regions/me", &token).await, StatusCode::FORBIDDEN, "network-not-allowed").await;
    let nearby = created(server.create_key(&admin, json!({"allowed_networks": ["127.0.0.1"]})).await).await;
    assert_eq!(check(&server, nearby["token"].as_str().unwrap(), "").await.status(), StatusCode::OK);
}

/// A key bound by a policy cannot create a looser key or owner over REST.
#[tokio::test]
async fn a_bound_key_is_refused_a_looser_policy_over_rest() {
    let server = TestServer::start().await;
    let admin = server.region("acme").await.api_key.token;
    let body = json!({"scopes": ["keys:write"], "rate_limits": [{"name": "requests", "limit": 100, "period_s": 60}]});
    let bound = created(server.create_key(&admin, body).await).await["token"].as_str().unwrap().to_owned();
    problem(server.create_key(&bound, json!({"scopes": []})).await, StatusCode::FORBIDDEN, "policy-escalation").await;
    let tighter = json!({"scopes": [], "rate_limits": [{"name": "r", "limit": 10, "period_s": 60}]});
    assert_eq!(server.create_key(&bound, tighter).await.status(), StatusCode::CREATED);

    // No key binds itself: it could lock itself, and its region, out.
    let own_id = server.me(&admin).await["current_api_key_id"].as_str().unwrap().to_owned();
    let own =
        send(&server, Method::PATCH, &format!("{KEYS}/{own_id}"), &admin, json!({"credits": {"remaining": 0}})).await;
    problem(own, StatusCode::FORBIDDEN, "own-policy").await;
    assert_eq!(server.get("/auth/regions/me", &admin).await.status(), StatusCode::OK);
}

/// A clean stop gives back every credit the process took and did not
/// spend: the remaining credits are exactly the starting ones less those
/// accepted.
#[tokio::test]
async fn a_clean_stop_gives_back_the_credits_it_held() {
    let db = TestDb::fresh().await;
    let keyward = common::keyward_at(&db.url, Default::default()).await;
    let admin = testkit::region(&keyward, "acme").await.api_key.token;
    let process = Process::serve(&db.url, &["--no-bootstrap"]);
    let client = reqwest::Client::new();
    let body = json!({"credits": {"remaining": 1000}});
    let key: Value = client
        .post(format!("{}{KEYS}", process.url))
        .header("x-api-key", &admin)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (token, key_id) = (key["token"].as_str().unwrap(), key["id"].as_str().unwrap());
    for _ in 0..40 {
        let response =
            client.get(format!("{}/auth/check", process.url)).header("x-api-key", token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert!(process.terminate().success());
    let after = Process::serve(&db.url, &["--no-bootstrap"]);
    assert_eq!(remaining_credits(&after.url, &admin, key_id).await, 960);
}

async fn spend_until_refused(client: &reqwest::Client, url: &str, token: &str) -> (u64, StatusCode) {
    let mut accepted = 0;
    loop {
        let response = client.get(format!("{url}/auth/check")).header("x-api-key", token).send().await;
        match response.map(|response| response.status()) {
            Ok(StatusCode::OK) => accepted += 1,
            Ok(status) => return (accepted, status),
            Err(_) => return (accepted, StatusCode::SERVICE_UNAVAILABLE),
        }
    }
}

async fn remaining_credits(url: &str, admin: &str, key_id: &str) -> u64 {
    let key: Value = reqwest::Client::new()
        .get(format!("{url}{KEYS}/{key_id}"))
        .header("x-api-key", admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    key["credits"]["remaining"].as_u64().unwrap()
}

/// Two processes spend one key's credits under load; one is killed with
/// SIGKILL mid-load, the other is stopped cleanly. The credits are never
/// over-spent; the clean stop gives back everything it held, and the kill
/// loses at most the rest of the one step the killed process was spending
/// (counted as spent, never spent twice).
#[tokio::test]
async fn credits_survive_a_kill_and_a_clean_stop_without_being_over_spent() {
    const STARTING: u64 = 3000;
    let db = TestDb::fresh().await;
    let keyward = common::keyward_at(&db.url, Default::default()).await;
    let created = testkit::region(&keyward, "acme").await;
    let admin = created.api_key.token.clone();
    let killed = Process::serve(&db.url, &["--no-bootstrap"]);
    let stopped = Process::serve(&db.url, &["--no-bootstrap"]);
    let client = reqwest::Client::new();
    let key: Value = client
        .post(format!("{}{KEYS}", killed.url))
        .header("x-api-key", &admin)
        .json(&json!({"credits": {"remaining": STARTING}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (token, key_id) = (key["token"].as_str().unwrap().to_owned(), key["id"].as_str().unwrap().to_owned());

    // Load on both; the first process dies with requests in flight.
    let load = |url: String, rounds: usize| {
        let (client, token) = (client.clone(), token.clone());
        tokio::spawn(async move {
            let mut accepted = 0u64;
            for _ in 0..rounds {
                let response = client.get(format!("{url}/auth/check")).header("x-api-key", &token).send().await;
                if response.is_ok_and(|response| response.status() == StatusCode::OK) {
                    accepted += 1;
                }
            }
            accepted
        })
    };
    let on_killed: Vec<_> = (0..4).map(|_| load(killed.url.clone(), 250)).collect();
    let on_stopped: Vec<_> = (0..4).map(|_| load(stopped.url.clone(), 150)).collect();
    testkit::eventually(std::time::Duration::from_secs(30), || async {
        (remaining_credits(&stopped.url, &admin, &key_id).await < STARTING - 300).then_some(())
    })
    .await;
    killed.kill();
    let mut accepted = 0;
    for task in on_killed.into_iter().chain(on_stopped) {
        accepted += task.await.unwrap();
    }
    let stopped_url = stopped.url.clone();
    assert!(stopped.terminate().success());
    let after = Process::serve(&db.url, &["--no-bootstrap"]);
    let remaining = remaining_credits(&after.url, &admin, &key_id).await;
    assert!(accepted + remaining <= STARTING, "over-spent: {accepted} accepted + {remaining} remaining");
    let lost = STARTING - accepted - remaining;
    // One step is at most a sixteenth of what remained when it was taken.
    assert!(lost <= STARTING / 16, "lost {lost} of {STARTING}: more than one step");
    // Spending the rest: exactly what remains, then refused.
    let (rest, refused) = spend_until_refused(&client, &after.url, &token).await;
    assert_eq!((rest, refused), (remaining, StatusCode::TOO_MANY_REQUESTS), "{stopped_url}");
}
