//! What authentication costs, measured in one run on one machine:
//!
//! 1. one argon2id verification with Keyward's parameters;
//! 2. a cold authentication (one indexed read + argon2);
//! 3. a warm authenticated `GET /auth/regions/me` through the whole router,
//!    against the same handler behind the same layers with the caller
//!    already known (no authentication), and their ratio;
//! 4. the two halves alone: `KeyService::authenticate` (warm) and
//!    `KeyService::overview`.
//!
//! Run with `cargo bench -p server --bench auth_overhead`. Requests go through
//! `tower::ServiceExt::oneshot` (no sockets), so the ratio isolates our work.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::{Router, response::IntoResponse};
use domain::{KeyService, ThrottleLimits};
use server::auth::Authenticated;
use server::{AppState, app, rest, with_http_layers};
use tower::ServiceExt;

const ROUNDS: usize = 8;
const REQUESTS_PER_ROUND: usize = 500;
const ARGON2_SAMPLES: usize = 20;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let db = domain::db::connect(&url).await.expect("connect");
    domain::db::migrate(&db).await.expect("migrate");
    let keys = KeyService::new(db, ThrottleLimits::default());
    let created = keys.create_region("bench", false, None).await.expect("region");
    let token = created.api_key.token.clone();
    for _ in 0..4 {
        keys.create_key(&keys.authenticate(&token, localhost()).await.unwrap(), None, None).await.unwrap();
    }

    let secret = &token[20..44];
    let hash = domain::secret_hash::hash(secret).unwrap();
    let argon2 = median((0..ARGON2_SAMPLES).map(|_| time(|| assert!(domain::secret_hash::verify(secret, &hash)))));
    let mut cold = Vec::new();
    for _ in 0..ARGON2_SAMPLES {
        let fresh = KeyService::new(keys.db().clone(), ThrottleLimits::default());
        let started = Instant::now();
        fresh.authenticate(&token, localhost()).await.unwrap();
        cold.push(started.elapsed());
    }

    let caller = keys.authenticate(&token, localhost()).await.unwrap();
    let authenticated = app(AppState { keys: keys.clone() });
    let known_caller = with_http_layers(
        Router::new()
            .route(
                "/auth/regions/me",
                get(move |state: State<KeyService>| {
                    let caller = caller.clone();
                    async move { rest::me(state, Authenticated(caller)).await.into_response() }
                }),
            )
            .with_state(keys.clone()),
    );

    let (mut with_auth, mut without_auth) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        without_auth.extend(requests(&known_caller, None).await);
        with_auth.extend(requests(&authenticated, Some(&token)).await);
    }
    let (with_auth, without_auth) = (median(with_auth), median(without_auth));
    let mut warm = Vec::new();
    let mut listing = Vec::new();
    for _ in 0..ROUNDS * REQUESTS_PER_ROUND / 4 {
        let started = Instant::now();
        let caller = keys.authenticate(&token, localhost()).await.unwrap();
        warm.push(started.elapsed());
        let started = Instant::now();
        keys.overview(&caller).await.unwrap();
        listing.push(started.elapsed());
    }
    println!("KeyService::authenticate, warm:                {:>10.1} µs", us(median(warm)));
    println!("KeyService::overview:                          {:>10.1} µs", us(median(listing)));
    println!("machine: {} cores; SQLite file database; medians", std::thread::available_parallelism().unwrap());
    println!("argon2id verify (m=19456 KiB, t=2, p=1):        {:>10.3} ms", ms(argon2));
    println!("cold authentication (read + argon2):           {:>10.3} ms", ms(median(cold)));
    println!("GET /auth/regions/me, caller known (no auth):  {:>10.1} µs", us(without_auth));
    println!("GET /auth/regions/me, warm authentication:     {:>10.1} µs", us(with_auth));
    println!(
        "warm authentication adds:                      {:>10.1} % (ratio {:.3})",
        (with_auth.as_secs_f64() / without_auth.as_secs_f64() - 1.0) * 100.0,
        with_auth.as_secs_f64() / without_auth.as_secs_f64()
    );
}

async fn requests(router: &Router, token: Option<&str>) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(REQUESTS_PER_ROUND);
    for _ in 0..REQUESTS_PER_ROUND {
        let mut request = Request::get("/auth/regions/me");
        if let Some(token) = token {
            request = request.header("x-api-key", token);
        }
        let request = request.body(Body::empty()).unwrap();
        let started = Instant::now();
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        samples.push(started.elapsed());
        assert!(!body.is_empty());
    }
    samples
}

fn localhost() -> IpAddr {
    IpAddr::V4(Ipv4Addr::LOCALHOST)
}

fn time(work: impl FnOnce()) -> Duration {
    let started = Instant::now();
    work();
    started.elapsed()
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
