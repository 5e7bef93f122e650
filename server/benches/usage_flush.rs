//! What one usage flush costs when 10^4 distinct keys were used since the
//! last one (`Keyward::flush_usage`, which `keyward serve` runs every
//! `--usage-flush-ms`): one transaction of 10^4 `api_keys` updates (each
//! key's last use) and 2 × 10^4 `key_usage` upserts (a minute and an hour
//! row per key), 3 × 10^4 rows.
//!
//! The keys are inserted as rows directly (creating them through the domain
//! would run argon2 10^4 times), and their uses are noted without
//! authenticating, through `domain::testing::caller_through`. Each flush
//! writes 10^4 fresh uses, noted at a later instant than the last:
//!
//! 1. the first flush, into empty tables: every row inserted;
//! 2. each flush in a new minute of the same hour: the minute rows
//!    inserted, the hour rows added to (a flush just after a minute turns);
//! 3. each flush in the same minute, 2 s apart: every row added to (most
//!    flushes at the default 2 s interval);
//! 4. the same with counting off (`--no-usage-insight`): only the 10^4
//!    `api_keys` updates, for comparison.
//!
//! Run with `cargo bench -p server --bench usage_flush`: on a SQLite file in
//! a temp dir, and also on Postgres when `KEYWARD_TEST_POSTGRES_URL` names
//! one (in a fresh database of its own, dropped afterwards).

use std::time::{Duration, Instant};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use domain::model::{KeyId, Scopes, UseOutcome};
use domain::{Caller, Keyward, Settings, UsageInsight};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use testkit::entity::api_key;
use testkit::entity::key_usage::{self, Resolution};

const KEYS: usize = 10_000;
/// Flushes measured in each of the cases 2 to 4.
const FLUSHES: usize = 5;
/// Rows written by one flush: each key's last use, its minute and its hour.
const ROWS: usize = 3 * KEYS;
/// Rows written by one flush with counting off: each key's last use.
const ROWS_UNCOUNTED: usize = KEYS;
/// Rows per insert statement while setting up (16 columns: well below
/// SQLite's limit on bound values).
const SETUP_ROWS_PER_STATEMENT: usize = 500;

struct Figures {
    first: Duration,
    new_minute: Vec<Duration>,
    same_minute: Vec<Duration>,
    uncounted: Vec<Duration>,
    noting: Vec<Duration>,
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite://{}/keyward.db?mode=rwc", dir.path().display());
    let mut results = vec![("SQLite file", measure(&sqlite).await)];
    if let Ok(admin_url) = std::env::var(testkit::POSTGRES_URL_VAR) {
        let test_db = testkit::TestDb::fresh().await;
        results.push(("Postgres", measure(&test_db.url).await));
        let name = test_db.url.rsplit_once('/').expect("a database name").1;
        let admin = domain::connect(&admin_url).await.expect("connect to Postgres");
        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.ok();
    }

    println!(
        "{} cores; {KEYS} keys used per flush, {ROWS} rows written per flush with counting on \
         ({KEYS} api_keys updates, {} key_usage upserts), {ROWS_UNCOUNTED} with it off; medians of {FLUSHES} flushes",
        std::thread::available_parallelism().map_or(1, usize::from),
        2 * KEYS
    );
    println!("{:<12} {:<50} {:>6} {:>10} {:>10}", "database", "flush", "rows", "time", "rows/s");
    for (backend, figures) in &results {
        let cases = [
            ("first, into empty tables (1 flush)", ROWS, figures.first),
            ("new minute: minute rows new, hour rows added to", ROWS, median(&figures.new_minute)),
            ("same minute: every row added to", ROWS, median(&figures.same_minute)),
            ("same minute, counting off: last uses only", ROWS_UNCOUNTED, median(&figures.uncounted)),
        ];
        for (case, rows, time) in cases {
            println!(
                "{backend:<12} {case:<50} {rows:>6} {:>7.1} ms {:>10.0}",
                ms(time),
                rows as f64 / time.as_secs_f64()
            );
        }
    }
    for (backend, figures) in &results {
        let noting = median(&figures.noting);
        println!(
            "{backend}: noting the {KEYS} uses before a flush (in memory): {:.1} ms, {:.0} ns a use",
            ms(noting),
            noting.as_secs_f64() * 1e9 / KEYS as f64
        );
    }
}

async fn measure(url: &str) -> Figures {
    let db = domain::connect(url).await.expect("connect");
    domain::migrate(&db).await.expect("migrate");
    let keyward = Keyward::new(db.clone(), Settings::default());
    let token = testkit::region(&keyward, "bench").await.api_key.token;
    let caller = keyward.authenticator().authenticate(&token, testkit::CLIENT).await.expect("a valid key");
    let callers = insert_keys(&db, &caller).await;

    let hour = Utc::now().duration_trunc(TimeDelta::hours(1)).expect("a whole hour");
    let mut noting = Vec::new();
    let first = flush(&keyward, &callers, hour, &mut noting).await;
    let mut new_minute = Vec::new();
    for minute in 1..=FLUSHES {
        let at = hour + TimeDelta::minutes(minute as i64);
        new_minute.push(flush(&keyward, &callers, at, &mut noting).await);
    }
    let mut same_minute = Vec::new();
    let last_minute = hour + TimeDelta::minutes(FLUSHES as i64 + 1);
    for flush_number in 1..=FLUSHES {
        let at = last_minute + TimeDelta::seconds(2 * flush_number as i64);
        same_minute.push(flush(&keyward, &callers, at, &mut noting).await);
    }
    // The same keys through a process that counts nothing.
    let uncounting = Keyward::new(db.clone(), Settings { usage: UsageInsight::Off, ..Settings::default() });
    let mut uncounted = Vec::new();
    for flush_number in FLUSHES + 1..=2 * FLUSHES {
        let at = last_minute + TimeDelta::seconds(2 * flush_number as i64);
        uncounted.push(flush(&uncounting, &callers, at, &mut Vec::new()).await);
    }
    check_written(&db, &callers, last_minute + TimeDelta::seconds(4 * FLUSHES as i64)).await;
    Figures { first, new_minute, same_minute, uncounted, noting }
}

/// Inserts `KEYS` keys into `caller`'s region as rows, and a caller
/// acting through each.
async fn insert_keys(db: &DatabaseConnection, caller: &Caller) -> Vec<Caller> {
    let secret_hash = testkit::hash_secret("bench").expect("a hash");
    let region_id = caller.region().id.clone();
    let now = Utc::now();
    let ids: Vec<KeyId> =
        (0..KEYS).map(|_| KeyId::parse(&format!("key_{}", testkit::random_name(16))).expect("a key id")).collect();
    for chunk in ids.chunks(SETUP_ROWS_PER_STATEMENT) {
        let rows = chunk.iter().map(|id| api_key::ActiveModel {
            id: Set(id.clone()),
            region_id: Set(region_id.clone()),
            lookup: Set(testkit::random_name(20)),
            secret_hash: Set(secret_hash.clone()),
            preview: Set("kw_live_bench…".to_owned()),
            description: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            last_used_at: Set(None),
            scopes: Set(Scopes::all()),
            revoke_at: Set(None),
            quarantine: Set(None),
            ..Default::default()
        });
        api_key::Entity::insert_many(rows).exec_without_returning(db).await.expect("insert keys");
    }
    ids.into_iter().map(|id| domain::testing::caller_through(caller, id)).collect()
}

/// Notes one accepted use of every key at `at`, then times one flush.
async fn flush(keyward: &Keyward, callers: &[Caller], at: DateTime<Utc>, noting: &mut Vec<Duration>) -> Duration {
    let started = Instant::now();
    for caller in callers {
        domain::testing::record_use_at(keyward, caller, UseOutcome::Accepted, at);
    }
    noting.push(started.elapsed());
    let started = Instant::now();
    let written = keyward.flush_usage().await.expect("flush");
    let elapsed = started.elapsed();
    assert_eq!(written, KEYS, "keys written by one flush");
    elapsed
}

/// Every flush reached the database: each key's hour row holds all the
/// uses counted, and its last use is the last one noted.
async fn check_written(db: &DatabaseConnection, callers: &[Caller], last_use: DateTime<Utc>) {
    let uses_per_key = (1 + 2 * FLUSHES) as i64;
    let hours = key_usage::Entity::find()
        .filter(key_usage::Column::Resolution.eq(Resolution::Hour))
        .filter(key_usage::Column::RegionId.eq(callers[0].region().id.as_str()))
        .all(db)
        .await
        .expect("read the hour rows");
    assert_eq!(hours.len(), KEYS, "one hour row per key");
    assert!(hours.iter().all(|row| row.accepted == uses_per_key), "every use counted once");
    let keys = api_key::Entity::find()
        .filter(api_key::Column::RegionId.eq(callers[0].region().id.as_str()))
        .filter(api_key::Column::LastUsedAt.eq(last_use))
        .all(db)
        .await
        .expect("read the keys");
    assert_eq!(keys.len(), KEYS, "every key's last use written");
}

fn median(samples: &[Duration]) -> Duration {
    let mut samples = samples.to_vec();
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
