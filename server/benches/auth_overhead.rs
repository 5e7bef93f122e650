//! What authentication costs, measured in one run on one machine:
//!
//! 1. one argon2id verification with Keyward's parameters, and a cold
//!    authentication (one indexed read + argon2);
//! 2. `Authenticator::authenticate` when warm (from the coherent cache,
//!    which this benchmark keeps running as `keyward serve` does), beside
//!    `Keys::overview`
//!    (the work of `GET /auth/regions/me` once the caller is known);
//! 3. a warm authenticated `GET /auth/regions/me` against the same handler
//!    behind the same layers with the caller already known, in-process
//!    (`tower::ServiceExt::oneshot`, no sockets) and over loopback HTTP with
//!    a keep-alive client, and their ratios.
//!
//! The two variants of each pair alternate request by request, so both see
//! the same machine. Run with `cargo bench -p server --bench auth_overhead`
//! (`KEYWARD_TEST_POSTGRES_URL=postgres://...` measures on Postgres, in a
//! database of its own; default: a SQLite file in a temp dir).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::{Router, response::IntoResponse};
use domain::{Keyward, Settings};
use server::extract::Authenticated;
use server::{AppState, app, rest, with_http_layers};
use testkit::TestDb;
use tower::ServiceExt;

const SAMPLES: usize = 4000;
const ARGON2_SAMPLES: usize = 20;
const PATH: &str = "/auth/regions/me";

#[tokio::main]
async fn main() {
    let test_db = TestDb::fresh().await;
    let db = test_db.connect().await;
    let keyward = Keyward::new(db.clone(), Settings::default());
    // Warm keys come from the coherent cache once it is trusted, as in `keyward serve`.
    let maintained = keyward.clone();
    tokio::spawn(async move { maintained.maintain_coherence(std::future::pending()).await });
    while !keyward.is_cache_trusted() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let token = testkit::region(&keyward, "bench").await.api_key.token;
    let caller = keyward.authenticator().authenticate(&token, localhost()).await.unwrap();
    for _ in 0..4 {
        keyward.keys().create(&caller, domain::model::NewKey::new(None, None), None).await.unwrap();
    }

    let secret = &token[20..44];
    let hash = testkit::hash_secret(secret).unwrap();
    let argon2 = median((0..ARGON2_SAMPLES).map(|_| {
        let started = Instant::now();
        assert!(testkit::verify_secret(secret, &hash));
        started.elapsed()
    }));
    let mut cold = Vec::new();
    for _ in 0..ARGON2_SAMPLES {
        let fresh = Keyward::new(db.clone(), Settings::default());
        let started = Instant::now();
        fresh.authenticator().authenticate(&token, localhost()).await.unwrap();
        cold.push(started.elapsed());
    }

    let (mut warm, mut overview) = (Vec::new(), Vec::new());
    for _ in 0..SAMPLES {
        let started = Instant::now();
        keyward.authenticator().authenticate(&token, localhost()).await.unwrap();
        warm.push(started.elapsed());
        let started = Instant::now();
        keyward.keys().overview(&caller).await.unwrap();
        overview.push(started.elapsed());
    }

    let authenticated = app(AppState::new(keyward.clone()));
    let known = with_http_layers(
        Router::new()
            .route(
                PATH,
                get(move |state: State<Keyward>| {
                    let caller = caller.clone();
                    async move { rest::me(state, Authenticated(caller)).await.into_response() }
                }),
            )
            .with_state(keyward.clone()),
    );
    let (mut in_process_auth, mut in_process_known) = (Vec::new(), Vec::new());
    for _ in 0..SAMPLES {
        in_process_known.push(oneshot(&known, None).await);
        in_process_auth.push(oneshot(&authenticated, Some(&token)).await);
    }

    let (auth_url, known_url) = (serve(authenticated).await, serve(known).await);
    let client = reqwest::Client::new();
    let (mut http_auth, mut http_known) = (Vec::new(), Vec::new());
    for _ in 0..SAMPLES {
        http_known.push(over_http(&client, &known_url, None).await);
        http_auth.push(over_http(&client, &auth_url, Some(&token)).await);
    }

    let backend = if test_db.is_postgres() { "Postgres" } else { "SQLite file" };
    println!(
        "{} cores, {backend}; medians of {SAMPLES} alternating samples ({ARGON2_SAMPLES} for the argon2 rows)",
        std::thread::available_parallelism().unwrap()
    );
    println!("argon2id verify (m=19456 KiB, t=2, p=1)           {:>9.3} ms", ms(argon2));
    println!("cold authentication (read + argon2)               {:>9.3} ms", ms(median(cold)));
    println!("Authenticator::authenticate, warm                 {:>9.1} µs", us(median(warm)));
    println!("Keys::overview                                    {:>9.1} µs", us(median(overview)));
    report("in-process", median(in_process_known), median(in_process_auth));
    report("loopback HTTP", median(http_known), median(http_auth));
}

fn report(setting: &str, known: Duration, authenticated: Duration) {
    let ratio = authenticated.as_secs_f64() / known.as_secs_f64();
    println!(
        "GET {PATH}, {setting}: caller known {:>7.1} µs, warm auth {:>7.1} µs, ratio {ratio:.2} (+{:.0} %)",
        us(known),
        us(authenticated),
        (ratio - 1.0) * 100.0
    );
}

async fn oneshot(router: &Router, token: Option<&str>) -> Duration {
    let mut request = Request::get(PATH);
    if let Some(token) = token {
        request = request.header("x-api-key", token);
    }
    let request = request.body(Body::empty()).unwrap();
    let started = Instant::now();
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let elapsed = started.elapsed();
    assert!(!body.is_empty());
    elapsed
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    format!("http://{address}{PATH}")
}

async fn over_http(client: &reqwest::Client, url: &str, token: Option<&str>) -> Duration {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.header("x-api-key", token);
    }
    let started = Instant::now();
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.bytes().await.unwrap();
    let elapsed = started.elapsed();
    assert!(!body.is_empty());
    elapsed
}

fn localhost() -> IpAddr {
    IpAddr::V4(Ipv4Addr::LOCALHOST)
}

fn median(samples: impl IntoIterator<Item = Duration>) -> Duration {
    let mut samples: Vec<Duration> = samples.into_iter().collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn us(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}
