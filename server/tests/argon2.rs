//! argon2 under hostile traffic, against the real `keyward` binary (each
//! process has argon2 turns of its own): its memory stays within its bound
//! however many wrong secrets arrive, and one region's (or one client's)
//! flood of wrong secrets leaves turns for everyone else.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Process, keyward};
use reqwest::StatusCode;
use serde_json::Value;
use testkit::{TestDb, eventually};

/// Out of the throttles' reach: the flood is meant to reach argon2.
const UNTHROTTLED: [&str; 6] = [
    "--no-bootstrap",
    "--auth-failures-per-key",
    "1000000000",
    "--auth-failures-per-address",
    "1000000000",
    "--client-ip-header=x-forwarded-for",
];

/// The token of a new region's first key, made with the CLI.
fn new_region(db: &TestDb, name: &str) -> String {
    let output =
        keyward().args(["region", "create", "--name", name, "--json"]).env("DATABASE_URL", &db.url).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let created: Value = serde_json::from_slice(&output.stdout).unwrap();
    created["api_key"]["token"].as_str().unwrap().to_owned()
}

/// `GET /auth/check` with `token`, as the client at `address`.
async fn check(client: &reqwest::Client, server: &Process, token: &str, address: &str) -> StatusCode {
    let request = client.get(format!("{}/auth/check", server.url)).header("x-api-key", token);
    request.header("x-forwarded-for", address).send().await.expect("request").status()
}

/// Sends `wrong` secrets of `token`'s key, all at once, from `address`;
/// counts the answers in `answered`.
fn flood(server: &Process, token: &str, address: &'static str, wrong: usize, answered: Arc<AtomicUsize>) {
    let client = reqwest::Client::new();
    for _ in 0..wrong {
        let (client, url, answered) = (client.clone(), server.url.clone(), answered.clone());
        let guess = testkit::with_other_secret(token);
        tokio::spawn(async move {
            let request = client.get(format!("{url}/auth/check")).header("x-api-key", guess);
            let status = request.header("x-forwarded-for", address).send().await.expect("request").status();
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            answered.fetch_add(1, Ordering::SeqCst);
        });
    }
}

/// Region A's keys get a flood of wrong secrets, queued for argon2 far
/// beyond the cores; region B's first use, and another client's first use
/// of another key of region A, still get their turn while most of the
/// flood waits (first come, first served, they would wait for all of it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_wrong_secrets_for_one_region_leaves_turns_for_other_regions_and_clients() {
    let db = TestDb::fresh().await;
    let (region_a, region_b) = (new_region(&db, "flooded"), new_region(&db, "bystander"));
    let server = Process::serve(&db.url, &UNTHROTTLED);
    let client = reqwest::Client::new();
    let other_key_of_a: Value = client
        .post(format!("{}/auth/region/api-keys", server.url))
        .header("x-api-key", &region_a)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let other_key_of_a = other_key_of_a["token"].as_str().unwrap().to_owned();
    // Cold: restarted, so that no key was verified by this process yet.
    drop(server);
    let server = Process::serve(&db.url, &UNTHROTTLED);

    const FLOOD: usize = 400;
    let answered = Arc::new(AtomicUsize::new(0));
    flood(&server, &region_a, "10.0.0.1", FLOOD, answered.clone());
    // The flood is under way: argon2 has worked through some of it.
    eventually(Duration::from_secs(60), || async { (answered.load(Ordering::SeqCst) >= 10).then_some(()) }).await;

    let started = std::time::Instant::now();
    assert_eq!(check(&client, &server, &region_b, "10.0.0.2").await, StatusCode::OK);
    let (flood_done_before_b, region_b_took) = (answered.load(Ordering::SeqCst), started.elapsed());
    let started = std::time::Instant::now();
    assert_eq!(check(&client, &server, &other_key_of_a, "10.0.0.3").await, StatusCode::OK);
    let (flood_done_before_other_client, other_client_took) = (answered.load(Ordering::SeqCst), started.elapsed());
    println!(
        "region B answered in {region_b_took:?} after {flood_done_before_b}, another client of A in \
         {other_client_took:?} after {flood_done_before_other_client}, of {FLOOD} flooding attempts"
    );
    assert!(
        flood_done_before_b < FLOOD / 2 && flood_done_before_other_client < FLOOD / 2,
        "answered after {flood_done_before_b} (region B) and {flood_done_before_other_client} (another client of A) \
         of the flood's {FLOOD} attempts: they waited for the flood"
    );
    eventually(Duration::from_secs(120), || async { (answered.load(Ordering::SeqCst) == FLOOD).then_some(()) }).await;
}

/// `VmRSS` and `VmHWM` (its peak) of process `pid`, in KiB.
fn resident_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/<pid>/status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Thousands of wrong secrets from many addresses, many at a time: the
/// process's peak resident memory grows by at most one argon2 block array
/// (19 MiB) per core, plus a little for connections and threads. The
/// number of attempts is `KEYWARD_ARGON2_ATTEMPTS` (default 600); the
/// figures are printed for docs/src/benchmarks.md.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn argon2_memory_stays_within_one_block_array_per_core() {
    const ARGON2_KIB: u64 = 19 * 1024;
    const HEADROOM_KIB: u64 = 32 * 1024;
    const AT_ONCE: usize = 64;
    const ADDRESSES: usize = 21;
    let attempts: usize = std::env::var("KEYWARD_ARGON2_ATTEMPTS").map_or(600, |n| n.parse().unwrap());
    let cores = std::thread::available_parallelism().unwrap().get() as u64;

    let db = TestDb::fresh().await;
    let token = new_region(&db, "guessed");
    let server = Process::serve(&db.url, &UNTHROTTLED);
    let client = reqwest::Client::new();
    let (started, _) = resident_kib(server.pid());

    let mut sent = 0;
    let mut running = tokio::task::JoinSet::new();
    while sent < attempts || !running.is_empty() {
        while sent < attempts && running.len() < AT_ONCE {
            let (client, url) = (client.clone(), server.url.clone());
            let (guess, address) = (testkit::with_other_secret(&token), format!("10.1.0.{}", sent % ADDRESSES));
            running.spawn(async move {
                let request = client.get(format!("{url}/auth/check")).header("x-api-key", guess);
                request.header("x-forwarded-for", address).send().await.expect("request").status()
            });
            sent += 1;
        }
        assert_eq!(running.join_next().await.unwrap().unwrap(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(check(&client, &server, &token, "10.1.1.1").await, StatusCode::OK, "the right key still works");

    let (now, peak) = resident_kib(server.pid());
    let bound = started + cores * ARGON2_KIB + HEADROOM_KIB;
    println!(
        "after {attempts} wrong secrets ({AT_ONCE} at a time, {ADDRESSES} addresses, {cores} cores): \
         VmRSS {started} KiB at start, {now} KiB now, peak (VmHWM) {peak} KiB; bound {bound} KiB"
    );
    assert!(peak <= bound, "peak {peak} KiB over the bound of {bound} KiB (start {started} KiB)");
}
