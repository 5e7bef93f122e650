//! The coherent verification cache across real `keyward` processes on one
//! database (Postgres with `KEYWARD_TEST_POSTGRES_URL`, else one SQLite
//! file): warm keys are answered from memory, and still a key change is in
//! effect on every process as soon as it is answered, under load, with a
//! listening connection killed, and with a process frozen.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Process, keyward, wait_for_log};
use reqwest::{Client, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use testkit::{TestDb, eventually};

const KEYS: &str = "/auth/region/api-keys";

/// A region made with the CLI, and its first key's token.
fn region_token(db: &TestDb) -> String {
    let output = keyward().args(["region", "create", "--name", "acme", "--json"]).env("DATABASE_URL", &db.url).output();
    let output = output.unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let created: Value = serde_json::from_slice(&output.stdout).unwrap();
    created["api_key"]["token"].as_str().unwrap().to_owned()
}

/// `count` serving processes, each answering warm keys from memory and
/// serving `/metrics`. The load's refusals of deleted keys must not throttle
/// the test's own address.
async fn processes(db: &TestDb, count: usize) -> Vec<Process> {
    let serve = || Process::serve(&db.url, &["--no-bootstrap", "--metrics", "--auth-failures-per-address", "1000000"]);
    let processes: Vec<Process> = (0..count).map(|_| serve()).collect();
    for process in &processes {
        from_memory(process).await;
    }
    processes
}

/// Waits until `process` answers warm keys from memory again.
async fn from_memory(process: &Process) {
    let client = Client::new();
    eventually(Duration::from_secs(20), || async {
        let ready = client.get(format!("{}/readyz", process.url)).send().await.ok()?.json::<Value>().await.ok()?;
        (ready["warm_keys_from"] == "memory").then_some(())
    })
    .await;
}

async fn check(client: &Client, process: &Process, token: &str) -> StatusCode {
    client.get(format!("{}/auth/check", process.url)).header("x-api-key", token).send().await.unwrap().status()
}

/// Creates a key through `process`; returns its id and token.
async fn create(client: &Client, process: &Process, admin: &str) -> (String, String) {
    let response = client.post(format!("{}{KEYS}", process.url)).header("x-api-key", admin).json(&json!({}));
    let created: Value = response.send().await.unwrap().json().await.unwrap();
    (created["id"].as_str().unwrap().to_owned(), created["token"].as_str().unwrap().to_owned())
}

async fn delete(client: &Client, process: &Process, admin: &str, id: &str) -> StatusCode {
    let request = client.delete(format!("{}{KEYS}/{id}", process.url)).header("x-api-key", admin);
    request.send().await.unwrap().status()
}

/// Several processes under load while keys are created and deleted through
/// a different one each round: every process accepts a key as soon as its
/// 201 is answered, and none accepts it once its 204 is.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_process_accepts_a_key_after_its_deletion_is_answered() {
    let db = TestDb::fresh().await;
    let admin = region_token(&db);
    let processes = Arc::new(processes(&db, 3).await);
    let client = Client::new();
    for round in 0..8 {
        let (id, token) = create(&client, &processes[round % 3], &admin).await;
        for process in processes.iter() {
            assert_eq!(check(&client, process, &token).await, StatusCode::OK, "round {round}: accepted after its 201");
        }
        // Load: every process answers the key in a loop, each request noting when it started.
        let stop = Arc::new(AtomicBool::new(false));
        let outcomes = Arc::new(Mutex::new(Vec::new()));
        let loads: Vec<_> = (0..3)
            .map(|index| {
                let (processes, token, stop, outcomes) =
                    (processes.clone(), token.clone(), stop.clone(), outcomes.clone());
                tokio::spawn(async move {
                    let client = Client::new();
                    while !stop.load(Ordering::SeqCst) {
                        let started = Instant::now();
                        let status = check(&client, &processes[index], &token).await;
                        outcomes.lock().unwrap().push((index, started, status));
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(delete(&client, &processes[(round + 1) % 3], &admin, &id).await, StatusCode::NO_CONTENT);
        let answered = Instant::now();
        tokio::time::sleep(Duration::from_millis(150)).await;
        stop.store(true, Ordering::SeqCst);
        for load in loads {
            load.await.unwrap();
        }
        let outcomes = outcomes.lock().unwrap();
        let accepted_after: Vec<_> =
            outcomes.iter().filter(|(_, started, status)| *started > answered && *status == StatusCode::OK).collect();
        assert!(accepted_after.is_empty(), "round {round}: accepted after the 204: {accepted_after:?}");
        for index in 0..3 {
            let served = outcomes.iter().filter(|(at, _, _)| *at == index).count();
            assert!(served > 20, "round {round}: process {index} served only {served} requests");
            let refused_after = outcomes.iter().any(|(at, started, status)| {
                *at == index && *started > answered && *status == StatusCode::UNAUTHORIZED
            });
            assert!(refused_after, "round {round}: process {index} was asked after the 204");
        }
    }
    for process in processes.iter() {
        from_memory(process).await;
    }
}

/// A frozen process holds a change up for at most one lease; resumed, it
/// refuses the key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_process_delays_a_deletion_by_at_most_one_lease() {
    let db = TestDb::fresh().await;
    let admin = region_token(&db);
    let processes = processes(&db, 2).await;
    let client = Client::new();
    let (id, token) = create(&client, &processes[0], &admin).await;
    assert_eq!(check(&client, &processes[1], &token).await, StatusCode::OK);
    // That use is written before the freeze: on SQLite a process frozen in
    // the middle of its write would hold every other writer up.
    let key = format!("{}{KEYS}/{id}", processes[0].url);
    eventually(Duration::from_secs(10), || async {
        let key: Value = client.get(&key).header("x-api-key", &admin).send().await.ok()?.json().await.ok()?;
        (!key["last_used_at"].is_null()).then_some(())
    })
    .await;

    signal("-STOP", &processes[1]);
    let started = Instant::now();
    let deleted = delete(&client, &processes[0], &admin, &id).await;
    let took = started.elapsed();
    signal("-CONT", &processes[1]);
    assert_eq!(deleted, StatusCode::NO_CONTENT);
    assert!(took < Duration::from_secs(5), "the deletion waited {took:?}, more than one lease (3 s) and slack");
    assert_eq!(check(&client, &processes[1], &token).await, StatusCode::UNAUTHORIZED, "resumed, it refuses the key");
    from_memory(&processes[1]).await;
}

fn signal(which: &str, process: &Process) {
    let status = std::process::Command::new("kill").args([which, &process.pid().to_string()]).status().unwrap();
    assert!(status.success());
}

/// The listening connections are killed: the processes fall back to reads
/// at once, changes stay immediate, and the cache comes back by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_listening_connections_cost_speed_never_a_revocation() {
    let db = TestDb::fresh().await;
    if !db.is_postgres() {
        eprintln!("skipped: listening connections are Postgres's (KEYWARD_TEST_POSTGRES_URL)");
        return;
    }
    let admin = region_token(&db);
    let processes = processes(&db, 2).await;
    let client = Client::new();
    let connection = db.connect().await;
    for round in 0..3 {
        let (id, token) = create(&client, &processes[0], &admin).await;
        assert_eq!(check(&client, &processes[1], &token).await, StatusCode::OK);
        // The cache's own connection names itself.
        let killed = connection
            .execute_unprepared(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'keyward-cache'",
            )
            .await
            .unwrap();
        assert!(killed.rows_affected() >= 1, "round {round}: no listening connection found");
        assert_eq!(delete(&client, &processes[round % 2], &admin, &id).await, StatusCode::NO_CONTENT);
        for process in &processes {
            assert_eq!(check(&client, process, &token).await, StatusCode::UNAUTHORIZED, "round {round}");
        }
        for process in &processes {
            from_memory(process).await;
        }
    }
}

/// A process cut off from its database stops trusting its cache at once: a
/// deletion made meanwhile through another connection waits at most one
/// lease, the cut process never accepts the key, and once the database is
/// back it trusts its cache again by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_cut_off_from_its_database_never_accepts_a_deleted_key() {
    let db = TestDb::fresh().await;
    let Some((proxy, proxied)) = common::DbProxy::in_front_of(&db).await else { return };
    let direct = common::keyward_at(&db.url, domain::ThrottleLimits::default()).await;
    let admin = testkit::region(&direct, "acme").await.api_key.token;
    let caller = direct.authenticator().authenticate(&admin, testkit::CLIENT).await.unwrap();
    let victim = direct.keys().create(&caller, domain::model::NewKey::new(None, None), None).await.unwrap();
    let cut =
        common::TestServer::serve(common::keyward_at(&proxied, domain::ThrottleLimits::default()).await, db).await;
    let client = Client::new();
    let check = |token: String| {
        let request = client.get(format!("{}/auth/check", cut.url)).header("x-api-key", token);
        async move { request.send().await.unwrap().status() }
    };
    eventually(Duration::from_secs(10), || async { cut.keyward.is_cache_trusted().then_some(()) }).await;
    assert_eq!(check(victim.token.clone()).await, StatusCode::OK);

    proxy.cut();
    let started = Instant::now();
    direct.keys().delete(&caller, &victim.key.id, None).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "the deletion waited {:?}", started.elapsed());
    assert!(!cut.keyward.is_cache_trusted(), "cut off, the process no longer trusts its cache");
    assert_ne!(check(victim.token.clone()).await, StatusCode::OK, "never accepted while cut off");

    proxy.restore();
    eventually(Duration::from_secs(20), || async { cut.keyward.is_cache_trusted().then_some(()) }).await;
    assert_eq!(check(victim.token.clone()).await, StatusCode::UNAUTHORIZED);
    let created = direct.keys().create(&caller, domain::model::NewKey::new(None, None), None).await.unwrap();
    assert_eq!(check(created.token).await, StatusCode::OK, "a key created meanwhile is accepted at once");
}

/// A scheduled revocation is in effect on every process at its instant,
/// though each holds the key warm in memory and no sweeper has to run;
/// then a sweeper deletes the key and records it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_scheduled_revocation_is_in_effect_on_every_process_at_its_instant() {
    let db = TestDb::fresh().await;
    let admin = region_token(&db);
    let processes = processes(&db, 2).await;
    let client = Client::new();
    let (id, token) = create(&client, &processes[0], &admin).await;
    for process in &processes {
        assert_eq!(check(&client, process, &token).await, StatusCode::OK, "warm on every process");
    }
    let revoke_at = chrono::Utc::now() + chrono::TimeDelta::milliseconds(2500);
    let schedule = client.patch(format!("{}{KEYS}/{id}", processes[1].url)).header("x-api-key", &admin);
    let scheduled = schedule.json(&json!({"revoke_at": revoke_at.to_rfc3339()})).send().await.unwrap();
    assert_eq!(scheduled.status(), StatusCode::OK);
    for process in &processes {
        let status = check(&client, process, &token).await;
        // Asserted only if the whole request came before the instant (a slow run may not).
        if chrono::Utc::now() < revoke_at {
            assert_eq!(status, StatusCode::OK, "still in its grace period");
        }
    }

    tokio::time::sleep((revoke_at - chrono::Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(1)).await;
    for process in &processes {
        let refused = client.get(format!("{}/auth/check", process.url)).header("x-api-key", &token).send().await;
        let refused = refused.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        // "invalid" only if a sweeper already deleted it.
        let code = refused.headers()["x-keyward-code"].to_str().unwrap().to_owned();
        assert!(code == "revoked" || code == "invalid", "{code}");
    }

    let audit = format!("{}/auth/region/audit-events", processes[0].url);
    let swept = eventually(Duration::from_secs(10), || async {
        let events: Vec<Value> = client.get(&audit).header("x-api-key", &admin).send().await.ok()?.json().await.ok()?;
        let swept: Vec<Value> =
            events.into_iter().filter(|event| event["action"] == "api_key.revoked_on_schedule").collect();
        (!swept.is_empty()).then_some(swept)
    })
    .await;
    assert_eq!(swept.len(), 1, "{swept:?}");
    assert_eq!(swept[0]["api_key_id"], id.as_str());
    let gone = client.get(format!("{}{KEYS}/{id}", processes[1].url)).header("x-api-key", &admin).send().await;
    assert_eq!(gone.unwrap().status(), StatusCode::NOT_FOUND);
}

/// The database's clock in milliseconds, as the leases are kept.
fn now_ms(db: &TestDb) -> &'static str {
    if db.is_postgres() {
        "(extract(epoch from clock_timestamp()) * 1000)::bigint"
    } else {
        "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
    }
}

/// Makes a key change by hand, as the code's changes do it but with a part
/// of it left out: deletes the key whose token is `token`, takes the next
/// number, logs the deletion unless `logged` is false, and announces it
/// unless `announced` is false. Returns the number.
async fn change_by_hand(db: &TestDb, token: &str, logged: bool, announced: bool) -> i64 {
    let connection = db.connect().await;
    let lookup = &token[8..20];
    let backend = connection.get_database_backend();
    let txn = sea_orm::TransactionTrait::begin(&connection).await.unwrap();
    let deleted = txn.execute_unprepared(&format!("DELETE FROM api_keys WHERE lookup = '{lookup}'")).await.unwrap();
    assert_eq!(deleted.rows_affected(), 1, "the token's lookup is {lookup}");
    let row = txn
        .query_one_raw(sea_orm::Statement::from_string(
            backend,
            "UPDATE key_change_clock SET seq = seq + 1 WHERE id = 1 RETURNING seq",
        ))
        .await
        .unwrap()
        .unwrap();
    let seq: i64 = row.try_get("", "seq").unwrap();
    if logged {
        let log = format!(
            "INSERT INTO key_changes (seq, lookup, kind, changed_at_ms) VALUES ({seq}, '{lookup}', 'removed', {})",
            now_ms(db)
        );
        txn.execute_unprepared(&log).await.unwrap();
    }
    if announced && db.is_postgres() {
        txn.execute_unprepared(&format!("SELECT pg_notify('keyward_key_changes', '{seq}')")).await.unwrap();
    }
    txn.commit().await.unwrap();
    seq
}

/// Waits, as a revoking request does, until every process with a live
/// lease acknowledged change `seq`.
async fn settled(db: &TestDb, seq: i64) {
    let connection = db.connect().await;
    let sql = format!(
        "SELECT COUNT(*) AS lagging FROM serving_processes WHERE lease_expires_ms > {} AND acked_seq < {seq}",
        now_ms(db)
    );
    eventually(Duration::from_secs(10), || async {
        let row = connection
            .query_one_raw(sea_orm::Statement::from_string(connection.get_database_backend(), sql.clone()))
            .await
            .ok()??;
        (row.try_get::<i64>("", "lagging").ok()? == 0).then_some(())
    })
    .await;
}

/// How often `process` loaded every existing key (`keyward_cache_full_loads_total`).
async fn full_loads(client: &Client, process: &Process) -> u64 {
    let metrics = client.get(format!("{}/metrics", process.url)).send().await.unwrap().text().await.unwrap();
    let count = metrics.lines().find_map(|line| line.strip_prefix("keyward_cache_full_loads_total "));
    count.expect("the full loads are counted").trim().parse().unwrap()
}

/// A change costs each process what changed, not what exists: keys created
/// and deleted on one process are applied on the other without it ever
/// reloading every key, and each is in effect as soon as it is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_are_applied_key_by_key_without_reloading_every_key() {
    let db = TestDb::fresh().await;
    let admin = region_token(&db);
    let processes = processes(&db, 2).await;
    let client = Client::new();
    let before = [full_loads(&client, &processes[0]).await, full_loads(&client, &processes[1]).await];
    for round in 0..10 {
        let (id, token) = create(&client, &processes[round % 2], &admin).await;
        for process in &processes {
            assert_eq!(check(&client, process, &token).await, StatusCode::OK, "round {round}: accepted after its 201");
        }
        assert_eq!(delete(&client, &processes[(round + 1) % 2], &admin, &id).await, StatusCode::NO_CONTENT);
        for process in &processes {
            assert_eq!(check(&client, process, &token).await, StatusCode::UNAUTHORIZED, "round {round}");
        }
    }
    for (index, process) in processes.iter().enumerate() {
        assert_eq!(full_loads(&client, process).await, before[index], "process {index} loaded every key again");
        from_memory(process).await;
    }
}

/// A number missing from the change log (a change this process cannot read)
/// is found: the process stops trusting its cache and loads every key
/// again, and never accepts the key that change deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_missing_from_the_log_makes_the_process_reload_and_refuse_the_key() {
    let db = TestDb::fresh().await;
    let admin = region_token(&db);
    let processes = processes(&db, 1).await;
    let client = Client::new();
    let (_, token) = create(&client, &processes[0], &admin).await;
    assert_eq!(check(&client, &processes[0], &token).await, StatusCode::OK, "warm in memory");

    let seq = change_by_hand(&db, &token, false, true).await;
    settled(&db, seq).await;
    assert_eq!(check(&client, &processes[0], &token).await, StatusCode::UNAUTHORIZED);
    wait_for_log(&processes[0], "missing from the key-change log", Duration::from_secs(10)).await;
    from_memory(&processes[0]).await;
    assert_eq!(check(&client, &processes[0], &token).await, StatusCode::UNAUTHORIZED);
    let (_, created) = create(&client, &processes[0], &admin).await;
    assert_eq!(check(&client, &processes[0], &created).await, StatusCode::OK, "trusted again, it knows new keys");
}

/// Announcements lost or out of order: a change never announced is still
/// applied within a renewal, so a revoking request (which waits for the
/// acknowledgements) is delayed, never answered while a process accepts
/// the key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_whose_announcement_is_lost_is_applied_before_it_is_acknowledged() {
    let db = TestDb::fresh().await;
    let admin = region_token(&db);
    let processes = processes(&db, 2).await;
    let client = Client::new();
    let (_, silent) = create(&client, &processes[0], &admin).await;
    let (_, late) = create(&client, &processes[0], &admin).await;
    for process in &processes {
        assert_eq!(check(&client, process, &silent).await, StatusCode::OK, "warm in memory");
        assert_eq!(check(&client, process, &late).await, StatusCode::OK, "warm in memory");
    }
    let silent_seq = change_by_hand(&db, &silent, true, false).await;
    // The next change's announcement arrives first; the one before it never does.
    let late_seq = change_by_hand(&db, &late, true, true).await;
    assert_eq!(late_seq, silent_seq + 1);
    settled(&db, late_seq).await;
    for process in &processes {
        assert_eq!(check(&client, process, &silent).await, StatusCode::UNAUTHORIZED);
        assert_eq!(check(&client, process, &late).await, StatusCode::UNAUTHORIZED);
    }
}

/// A report of 500 leaked keys of one region quarantines them in one
/// change: one number, 500 rows in the log (written in several batches),
/// and every key refused by every process once the report is answered.
/// (That changes are applied in place is
/// `changes_are_applied_key_by_key_without_reloading_every_key`; here, 500
/// argon2 checks on a loaded machine may let a lease lapse, which is a
/// correct full load, not a failure.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_keys_quarantined_in_one_change_are_refused_everywhere() {
    let db = TestDb::fresh().await;
    let admin = region_token(&db);
    // Keys cloned by SQL with the admin key's secret hash, so cloning costs no argon2.
    let connection = db.connect().await;
    let lookups: Vec<String> = (0..500).map(|n| format!("clone{n:07}")).collect();
    for lookup in &lookups {
        let clone = format!(
            "INSERT INTO api_keys (id, region_id, lookup, secret_hash, preview, created_at, updated_at, scopes) \
             SELECT 'key_{lookup}', region_id, '{lookup}', secret_hash, preview, created_at, updated_at, '' \
             FROM api_keys WHERE lookup = '{}'",
            &admin[8..20]
        );
        connection.execute_unprepared(&clone).await.unwrap();
    }
    let tokens: Vec<String> = lookups.iter().map(|lookup| testkit::with_lookup(&admin, lookup)).collect();
    let processes = processes(&db, 2).await;
    let client = Client::new();
    for process in &processes {
        for token in tokens.iter().step_by(50) {
            assert_eq!(check(&client, process, token).await, StatusCode::OK, "warm before the report");
        }
    }

    let reporter = common::keyward_at(&db.url, domain::ThrottleLimits::default()).await;
    let reports: Vec<_> = tokens
        .iter()
        .map(|token| domain::model::LeakedToken { token: token.clone(), url: None, source: None })
        .collect();
    let labels = reporter.leaks().report(&reports, domain::model::LeakChannel::Github).await.unwrap();
    assert!(labels.iter().all(|label| *label == domain::model::LeakLabel::TruePositive));

    for (index, process) in processes.iter().enumerate() {
        for token in tokens.iter().step_by(25) {
            assert_eq!(check(&client, process, token).await, StatusCode::UNAUTHORIZED, "process {index}");
        }
    }
    let logged = connection
        .query_all_raw(sea_orm::Statement::from_string(
            connection.get_database_backend(),
            "SELECT seq, COUNT(*) AS keys FROM key_changes GROUP BY seq HAVING COUNT(*) > 1",
        ))
        .await
        .unwrap();
    assert_eq!(logged.len(), 1, "one change");
    assert_eq!(logged[0].try_get::<i64>("", "keys").unwrap(), 500);
}
