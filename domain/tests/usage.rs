//! Usage (request counts, `last_used_at`, the last client) is noted in
//! memory and flushed in batches: what is counted, and what a flush must
//! never lose or overwrite, against a real database (see `testkit`).

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use domain::model::{
    KeyId, MINUTES_KEPT_HOURS, Scope, Scopes, USAGE_KEPT_DAYS, UsageBucket, UsageCounts, UsageQuery, UseDetails,
    UseOutcome, Verdict, VerdictCode,
};
use domain::testing;
use domain::{Caller, Keyward, Settings, ThrottleLimits, UsageInsight};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait};
use testkit::entity::api_key;
use testkit::entity::key_usage::{self, Resolution};
use testkit::{CLIENT, fixture};

async fn last_used_at(db: &DatabaseConnection, key_id: &KeyId) -> Option<DateTime<Utc>> {
    api_key::Entity::find_by_id(key_id.clone()).one(db).await.unwrap().unwrap().last_used_at
}

/// A fresh database with a key whose use is noted but not yet written.
async fn a_used_key() -> (testkit::Fixture, KeyId) {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    testkit::use_key(&f.keyward, &created.api_key.token).await;
    (f, created.api_key.key.id)
}

#[tokio::test]
async fn a_failed_flush_keeps_its_uses_for_the_next() {
    let (f, key_id) = a_used_key().await;

    // The table is away: the flush fails as a database outage would.
    f.db.execute_unprepared("ALTER TABLE api_keys RENAME TO api_keys_away").await.unwrap();
    assert!(f.keyward.flush_usage().await.is_err());
    f.db.execute_unprepared("ALTER TABLE api_keys_away RENAME TO api_keys").await.unwrap();
    assert_eq!(last_used_at(&f.db, &key_id).await, None);

    assert_eq!(f.keyward.flush_usage().await.unwrap(), 1);
    assert!(last_used_at(&f.db, &key_id).await.is_some());
    assert_eq!(f.keyward.flush_usage().await.unwrap(), 0, "written once");
}

#[tokio::test]
async fn an_earlier_use_never_overwrites_a_later_one() {
    let (f, key_id) = a_used_key().await;

    // Another process flushed a later use first.
    let later = (Utc::now() + TimeDelta::minutes(5)).trunc_subsecs(6);
    let row = api_key::Entity::find_by_id(key_id.clone()).one(&f.db).await.unwrap().unwrap();
    let mut row: api_key::ActiveModel = row.into();
    row.last_used_at = Set(Some(later));
    row.update(&f.db).await.unwrap();

    f.keyward.flush_usage().await.unwrap();
    assert_eq!(last_used_at(&f.db, &key_id).await, Some(later));
}

/// `key_id`'s counts over the last two hours, in hour buckets.
async fn hourly(keyward: &Keyward, caller: &Caller, key_id: &KeyId) -> Vec<UsageCounts> {
    let query = UsageQuery { from: Some(Utc::now() - TimeDelta::hours(2)), ..Default::default() };
    let usage = keyward.usage().key(caller, key_id, query).await.unwrap();
    usage.usage.points.into_iter().map(|point| point.counts).collect()
}

#[tokio::test]
async fn every_outcome_is_counted_exactly_and_only_for_its_key() {
    let f =
        fixture(Settings { throttle: ThrottleLimits { per_key: 2, ..Default::default() }, ..Default::default() }).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let token = &created.api_key.token;
    let caller = testkit::use_key(&f.keyward, token).await;
    let authenticator = f.keyward.authenticator();
    let orders = [Scope::parse("orders:read").unwrap()];
    let details = UseDetails::new(Some("billing-sync/2.4"), Some("GET"), Some("/orders/7?token=abc"));
    for _ in 0..3 {
        let verdict = authenticator.verdict(Some(token), CLIENT, &orders, 1, details.clone()).await.unwrap();
        assert!(matches!(verdict, Verdict::Allowed(_)));
    }
    // A `*` key grants every scope; a refusal for scope needs a narrower key.
    let narrow = f
        .keyward
        .keys()
        .create(
            &caller,
            domain::model::NewKey::new(testkit::description("reader"), Some(Scopes::parse(["keys:read"]).unwrap())),
            None,
        )
        .await
        .unwrap();
    let verdict = authenticator.verdict(Some(&narrow.token), CLIENT, &orders, 1, details.clone()).await.unwrap();
    assert_eq!(verdict.code(), VerdictCode::InsufficientScope);
    let wrong = testing::with_other_secret(token);
    let codes = [
        authenticator.verdict(Some(&wrong), CLIENT, &[], 1, UseDetails::default()).await.unwrap().code(),
        authenticator.verdict(Some(&wrong), CLIENT, &[], 1, UseDetails::default()).await.unwrap().code(),
        authenticator.verdict(Some(&wrong), CLIENT, &[], 1, UseDetails::default()).await.unwrap().code(),
    ];
    assert_eq!(codes, [VerdictCode::Invalid, VerdictCode::Invalid, VerdictCode::Throttled]);
    // Tokens that name no key are nobody's usage.
    authenticator.verdict(Some(&testing::unknown_token()), CLIENT, &[], 1, UseDetails::default()).await.unwrap();
    authenticator.verdict(Some("garbage"), CLIENT, &[], 1, UseDetails::default()).await.unwrap();
    // Signing in to the console is not a use either.
    f.keyward.sessions().sign_in(token, CLIENT).await.unwrap();

    assert_eq!(f.keyward.flush_usage().await.unwrap(), 2);
    let total = |points: Vec<UsageCounts>| {
        points.iter().fold(UsageCounts::default(), |mut total, counts| {
            total.add(counts);
            total
        })
    };
    let first = total(hourly(&f.keyward, &caller, caller.key_id().unwrap()).await);
    assert_eq!(first, UsageCounts { accepted: 4, invalid: 2, throttled: 1, ..UsageCounts::default() });
    let narrow = total(hourly(&f.keyward, &caller, &narrow.key.id).await);
    assert_eq!(narrow, UsageCounts { insufficient_scope: 1, ..Default::default() });

    let usage = f.keyward.usage().key(&caller, caller.key_id().unwrap(), UsageQuery::default()).await.unwrap();
    let last = usage.last_use.expect("a last use");
    assert_eq!(last.user_agent.as_deref(), Some("billing-sync/2.4"));
    assert_eq!((last.method.as_deref(), last.path.as_deref()), (Some("GET"), Some("/orders/7")), "never the query");
    assert_eq!(last.client_address, Some(CLIENT.to_string()));
    assert_eq!(f.keyward.flush_usage().await.unwrap(), 0, "written once");
}

#[tokio::test]
async fn a_request_counts_in_the_minute_and_hour_it_was_made() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let caller = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let hour = UsageBucket::Hour.start_of(Utc::now());
    let last_moment = hour - TimeDelta::microseconds(1);
    testing::record_use_at(&f.keyward, &caller, UseOutcome::Accepted, last_moment);
    testing::record_use_at(&f.keyward, &caller, UseOutcome::Accepted, last_moment);
    testing::record_use_at(&f.keyward, &caller, UseOutcome::InsufficientScope, hour);
    f.keyward.flush_usage().await.unwrap();

    let around = |bucket| UsageQuery {
        from: Some(hour - TimeDelta::hours(1)),
        to: Some(hour + TimeDelta::hours(1)),
        bucket: Some(bucket),
    };
    let hours =
        f.keyward.usage().key(&caller, caller.key_id().unwrap(), around(UsageBucket::Hour)).await.unwrap().usage;
    let counts: Vec<(u64, u64)> =
        hours.points.iter().map(|point| (point.counts.accepted, point.counts.insufficient_scope)).collect();
    assert_eq!(counts, [(2, 0), (0, 1)]);
    assert_eq!(hours.points[1].start, hour);

    let minutes =
        f.keyward.usage().key(&caller, caller.key_id().unwrap(), around(UsageBucket::Minute)).await.unwrap().usage;
    assert_eq!(minutes.points.len(), 120);
    assert_eq!(minutes.points[59].counts.accepted, 2);
    assert_eq!(minutes.points[60].counts.insufficient_scope, 1);
    assert_eq!(minutes.total.total(), 3, "nothing elsewhere");

    let day = UsageBucket::Day.start_of(hour - TimeDelta::hours(1));
    let days = UsageQuery { from: Some(day), to: Some(hour + TimeDelta::hours(1)), bucket: Some(UsageBucket::Day) };
    let days = f.keyward.usage().key(&caller, caller.key_id().unwrap(), days).await.unwrap().usage;
    assert_eq!(days.total.total(), 3);
    assert_eq!(days.points.iter().map(|point| point.counts.total()).sum::<u64>(), 3);
}

#[tokio::test]
async fn usage_older_than_it_is_kept_is_pruned() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let (key_id, region_id) = (created.api_key.key.id.clone(), created.region.id.clone());
    let now = Utc::now().trunc_subsecs(0);
    let row = |resolution, starts_at| key_usage::ActiveModel {
        key_id: Set(key_id.clone()),
        resolution: Set(resolution),
        starts_at: Set(starts_at),
        region_id: Set(region_id.clone()),
        accepted: Set(1),
        invalid: Set(0),
        insufficient_scope: Set(0),
        throttled: Set(0),
        rate_limited: Set(0),
        credits_exhausted: Set(0),
        network_not_allowed: Set(0),
    };
    let kept_days = TimeDelta::days(USAGE_KEPT_DAYS);
    let kept_minutes = TimeDelta::hours(MINUTES_KEPT_HOURS);
    let rows = [
        row(Resolution::Hour, now - kept_days - TimeDelta::hours(1)),
        row(Resolution::Hour, now - kept_days + TimeDelta::hours(1)),
        row(Resolution::Minute, now - kept_minutes - TimeDelta::minutes(10)),
        row(Resolution::Minute, now - kept_minutes + TimeDelta::minutes(10)),
    ];
    key_usage::Entity::insert_many(rows).exec_without_returning(&f.db).await.unwrap();

    assert_eq!(f.keyward.prune_usage().await.unwrap(), 2);
    let mut left: Vec<_> = key_usage::Entity::find()
        .all(&f.db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.resolution, row.starts_at))
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            (Resolution::Minute, now - kept_minutes + TimeDelta::minutes(10)),
            (Resolution::Hour, now - kept_days + TimeDelta::hours(1))
        ]
    );
    assert_eq!(f.keyward.prune_usage().await.unwrap(), 0);
}

/// Two processes flushing the same buckets at once add up, on Postgres as
/// on SQLite: rows are added to, never overwritten.
#[tokio::test]
async fn processes_flushing_the_same_buckets_at_once_add_up() {
    let f = fixture(Settings::default()).await;
    let other = f.test_db.keyward(Settings::default()).await;
    let mut tokens = vec![testkit::region(&f.keyward, "acme").await.api_key.token];
    let admin = testkit::use_key(&f.keyward, &tokens[0]).await;
    for _ in 0..4 {
        tokens.push(f.keyward.keys().create(&admin, domain::model::NewKey::new(None, None), None).await.unwrap().token);
    }
    for round in 0..5 {
        for token in &tokens {
            for keyward in [&f.keyward, &other] {
                for _ in 0..=round {
                    testkit::use_key(keyward, token).await;
                }
            }
        }
        let (a, b) = tokio::join!(f.keyward.flush_usage(), other.flush_usage());
        assert_eq!((a.unwrap(), b.unwrap()), (tokens.len(), tokens.len()));
    }
    let region = f.keyward.usage().region(&admin, UsageQuery::default()).await.unwrap();
    // 1 + 2 + 3 + 4 + 5 uses by each process, and the admin's first use.
    let expected: Vec<u64> = std::iter::once(31).chain(std::iter::repeat_n(30, 4)).collect();
    let mut totals: Vec<u64> = region.keys.iter().map(|key| key.total.accepted).collect();
    totals.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(totals, expected);
    assert_eq!(region.usage.total.accepted, 151);
}

#[tokio::test]
async fn without_usage_insight_only_last_used_at_is_kept() {
    let f = fixture(Settings { usage: UsageInsight::Off, ..Default::default() }).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let token = &created.api_key.token;
    let details = UseDetails::new(Some("billing-sync/2.4"), Some("GET"), Some("/orders/7"));
    let verdict = f.keyward.authenticator().verdict(Some(token), CLIENT, &[], 1, details).await.unwrap();
    assert!(matches!(verdict, Verdict::Allowed(_)));
    let wrong = testing::with_other_secret(token);
    f.keyward.authenticator().verdict(Some(&wrong), CLIENT, &[], 1, UseDetails::default()).await.unwrap();
    assert_eq!(f.keyward.flush_usage().await.unwrap(), 1);

    let caller = testkit::use_key(&f.keyward, token).await;
    let usage = f.keyward.usage().key(&caller, caller.key_id().unwrap(), UsageQuery::default()).await.unwrap();
    assert_eq!(usage.usage.total, UsageCounts::default(), "nothing counted");
    let last = usage.last_use.expect("last_used_at is kept");
    assert_eq!((last.client_address, last.user_agent, last.method, last.path), (None, None, None, None));
    assert!(key_usage::Entity::find().all(&f.db).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_deleted_key_answers_with_its_usage_as_long_as_it_is_kept() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let admin = testkit::use_key(&f.keyward, &created.api_key.token).await;
    let other = f.keyward.keys().create(&admin, domain::model::NewKey::new(None, None), None).await.unwrap();
    testkit::use_key(&f.keyward, &other.token).await;
    f.keyward.flush_usage().await.unwrap();
    f.keyward.keys().delete(&admin, &other.key.id, None).await.unwrap();

    let usage = f.keyward.usage().key(&admin, &other.key.id, UsageQuery::default()).await.unwrap();
    assert!(usage.deleted);
    assert_eq!((usage.usage.total.accepted, usage.last_use), (1, None));

    // Deleted longer ago than usage is kept: nothing to show, so not found.
    let long_ago = Utc::now() - TimeDelta::days(USAGE_KEPT_DAYS + 1);
    f.db.execute_unprepared(&format!(
        "UPDATE retired_api_keys SET retired_at = '{}' WHERE api_key_id = '{}'",
        long_ago.to_rfc3339(),
        other.key.id
    ))
    .await
    .unwrap();
    let gone = f.keyward.usage().key(&admin, &other.key.id, UsageQuery::default()).await;
    assert!(matches!(gone, Err(domain::Error::KeyNotFound)), "{gone:?}");
}

/// A REST call's use is opened by authentication and counted exactly once:
/// with the outcome it is finished with, or as accepted when dropped
/// unfinished (its client went away). Authenticating alone counts nothing.
#[tokio::test]
async fn an_opened_use_counts_once_finished_or_dropped() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let token = &created.api_key.token;
    let authenticator = f.keyward.authenticator();
    let caller = authenticator.authenticate(token, CLIENT).await.unwrap();
    assert_eq!(f.keyward.flush_usage().await.unwrap(), 0, "authenticating is not a use");

    let details = |agent| UseDetails::new(Some(agent), Some("GET"), Some("/auth/region/api-keys"));
    let refused = authenticator.authenticate_use(token, CLIENT, details("first/1")).await.unwrap();
    assert_eq!(refused.caller(), &caller);
    refused.finish(UseOutcome::InsufficientScope);
    let unanswered = authenticator.authenticate_use(token, CLIENT, details("second/2")).await.unwrap();
    drop(unanswered);
    assert_eq!(f.keyward.flush_usage().await.unwrap(), 1);

    let usage = f.keyward.usage().key(&caller, caller.key_id().unwrap(), UsageQuery::default()).await.unwrap();
    assert_eq!(usage.usage.total, UsageCounts { accepted: 1, insufficient_scope: 1, ..Default::default() });
    assert_eq!(usage.last_use.expect("a last use").user_agent.as_deref(), Some("second/2"));
    assert_eq!(f.keyward.flush_usage().await.unwrap(), 0, "counted once");
}
