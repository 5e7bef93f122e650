//! Authentication rules that no HTTP test can reach
//! deterministically, against a real database (see `testkit`).

use std::time::Duration;

use domain::model::KeyUpdate;
use domain::{Caller, Error, Keyward, Settings, ThrottleLimits};
use sea_orm::ConnectionTrait;
use testkit::{CLIENT, fixture};

/// A request authenticates, then its key is revoked before it writes: the
/// write is refused as unauthenticated and changes nothing.
#[tokio::test]
async fn a_key_revoked_while_its_request_is_in_flight_changes_nothing() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let revoked = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let other = f
        .keyward
        .keys()
        .create(&revoked, domain::model::NewKey::new(testkit::description("other"), None), None)
        .await
        .unwrap();
    let other = f.keyward.authenticator().authenticate(&other.token, CLIENT).await.unwrap();
    let spare = f
        .keyward
        .keys()
        .create(&other, domain::model::NewKey::new(testkit::description("spare"), None), None)
        .await
        .unwrap()
        .key;
    f.keyward.keys().delete(&other, revoked.key_id().unwrap(), None).await.unwrap();
    let before = f.keyward.keys().overview(&other).await.unwrap().api_keys;

    let refused = [
        f.keyward.keys().create(&revoked, domain::model::NewKey::new(None, None), None).await.err(),
        f.keyward
            .keys()
            .update(
                &revoked,
                &spare.id,
                KeyUpdate { description: Some(testkit::description("renamed")), ..KeyUpdate::default() },
            )
            .await
            .err(),
        f.keyward.keys().delete(&revoked, &spare.id, None).await.err(),
        f.keyward.rotations().start(&revoked, &spare.id, None).await.err(),
    ];
    for error in refused {
        assert!(matches!(error, Some(Error::Unauthenticated)), "{error:?}");
    }
    assert_eq!(f.keyward.keys().overview(&other).await.unwrap().api_keys, before);
    assert_eq!(f.keyward.rotations().current(&other).await.unwrap(), None);
}

/// Wrong secrets for one key, all at once, many more than there are cores
/// (argon2 slots): each is counted as a failure before argon2 runs, so
/// exactly the limit runs argon2, whatever the concurrency; the rest are
/// throttled without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_secrets_cannot_outrun_the_throttle() {
    let limits =
        ThrottleLimits { per_key: 3, per_address: 1000, window: Duration::from_secs(60), ..Default::default() };
    let f = fixture(Settings { throttle: limits, ..Default::default() }).await;
    let token = testkit::region(&f.keyward, "acme").await.api_key.token;
    let wrong_secrets = (0..24).map(|_| testkit::with_other_secret(&token)).collect();
    let (mut verified_wrong, mut throttled) = (0, 0);
    for outcome in authenticate_at_once(&f.keyward, wrong_secrets).await {
        match outcome {
            Err(Error::Unauthenticated) => verified_wrong += 1,
            Err(Error::Throttled { .. }) => throttled += 1,
            other => panic!("a wrong secret got {other:?}"),
        }
    }
    assert!(24 > std::thread::available_parallelism().unwrap().get(), "more attempts than argon2 slots");
    assert_eq!(verified_wrong, 3, "exactly the limit ran argon2");
    assert_eq!(verified_wrong + throttled, 24);
    assert!(matches!(f.keyward.authenticator().authenticate(&token, CLIENT).await, Err(Error::Throttled { .. })));
}

/// Many first requests with the right key at once: argon2 runs in turn,
/// later ones find the token verified, and none is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_first_requests_with_the_right_key_all_pass() {
    let limits = ThrottleLimits { per_key: 1, per_address: 1, window: Duration::from_secs(60), ..Default::default() };
    let f = fixture(Settings { throttle: limits, ..Default::default() }).await;
    let token = testkit::region(&f.keyward, "acme").await.api_key.token;
    for outcome in authenticate_at_once(&f.keyward, vec![token; 24]).await {
        outcome.unwrap();
    }
}

/// Authenticates every token at once, each on its own task.
async fn authenticate_at_once(keyward: &Keyward, tokens: Vec<String>) -> Vec<Result<Caller, Error>> {
    let attempts: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let keyward = keyward.clone();
            tokio::spawn(async move { keyward.authenticator().authenticate(&token, CLIENT).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for attempt in attempts {
        outcomes.push(attempt.await.expect("the task ran"));
    }
    outcomes
}

/// An address over its failure limit is refused before any database read,
/// also while the verification cache is not trusted.
#[tokio::test]
async fn an_address_over_its_limit_costs_no_read() {
    let limits =
        ThrottleLimits { per_key: 1000, per_address: 2, window: Duration::from_secs(60), ..Default::default() };
    let f = fixture(Settings { throttle: limits, ..Default::default() }).await;
    let token = testkit::region(&f.keyward, "acme").await.api_key.token;
    for _ in 0..2 {
        let wrong = testkit::with_other_secret(&token);
        let refused = f.keyward.authenticator().authenticate(&wrong, CLIENT).await;
        assert!(matches!(refused, Err(Error::Unauthenticated)), "{refused:?}");
    }
    // With the keys' table away, a read would fail.
    f.db.execute_unprepared("ALTER TABLE api_keys RENAME TO api_keys_away").await.unwrap();
    let throttled = f.keyward.authenticator().authenticate(&testkit::unknown_token(), CLIENT).await;
    f.db.execute_unprepared("ALTER TABLE api_keys_away RENAME TO api_keys").await.unwrap();
    assert!(matches!(throttled, Err(Error::Throttled { .. })), "{throttled:?}");
}
