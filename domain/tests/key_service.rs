//! `KeyService` rules that no HTTP test can reach deterministically, against
//! a real database (see `common`).

mod common;

use std::time::Duration;

use common::{CLIENT, default_fixture, fixture};
use domain::{Caller, Error, KeyService, SessionLimits, ThrottleLimits};

/// A request authenticates, then its key is revoked before it writes: the
/// write is refused as unauthenticated and changes nothing.
#[tokio::test]
async fn a_key_revoked_while_its_request_is_in_flight_changes_nothing() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let revoked = f.keys.authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let other = f.keys.create_key(&revoked, Some("other".into()), None).await.unwrap();
    let other = f.keys.authenticate(&other.token, CLIENT).await.unwrap();
    let spare = f.keys.create_key(&other, Some("spare".into()), None).await.unwrap().key;
    f.keys.delete_key(&other, &revoked.key_id, None).await.unwrap();
    let before = f.keys.overview(&other).await.unwrap().api_keys;

    let refused = [
        f.keys.create_key(&revoked, None, None).await.err(),
        f.keys.update_description(&revoked, &spare.id, Some("renamed".into())).await.err(),
        f.keys.delete_key(&revoked, &spare.id, None).await.err(),
        f.keys.start_rotation(&revoked, &spare.id, None).await.err(),
    ];
    for error in refused {
        assert!(matches!(error, Some(Error::Unauthenticated)), "{error:?}");
    }
    assert_eq!(f.keys.overview(&other).await.unwrap().api_keys, before);
    assert_eq!(f.keys.current_rotation(&other).await.unwrap(), None);
}

/// The same lookup with another (well-formed) secret.
fn other_secret(token: &str) -> String {
    domain::token::with_checksum(&format!("{}{}", &token[..20], domain::token::random_base62(24)))
}

/// Wrong secrets for one key, all at once: they queue for argon2 and are
/// checked again in turn, so only the limit (plus what was already running
/// when it was reached) runs argon2; the rest are throttled without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_secrets_cannot_outrun_the_throttle() {
    let limits = ThrottleLimits { per_key: 3, per_address: 1000, window: Duration::from_secs(60) };
    let f = fixture(limits, SessionLimits::default()).await;
    let token = f.keys.create_region("acme", false, None).await.unwrap().api_key.token;
    let wrong_secrets = (0..24).map(|_| other_secret(&token)).collect();
    let (mut verified_wrong, mut throttled) = (0, 0);
    for outcome in authenticate_at_once(&f.keys, wrong_secrets).await {
        match outcome {
            Err(Error::Unauthenticated) => verified_wrong += 1,
            Err(Error::Throttled { .. }) => throttled += 1,
            other => panic!("a wrong secret got {other:?}"),
        }
    }
    let cores = std::thread::available_parallelism().unwrap().get();
    assert!(verified_wrong >= 3 && verified_wrong < 3 + cores, "{verified_wrong} ran argon2");
    assert_eq!(verified_wrong + throttled, 24);
    assert!(matches!(f.keys.authenticate(&token, CLIENT).await, Err(Error::Throttled { .. })));
}

/// Many first requests with the right key at once: argon2 runs in turn,
/// later ones find the token verified, and none is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_first_requests_with_the_right_key_all_pass() {
    let limits = ThrottleLimits { per_key: 1, per_address: 1, window: Duration::from_secs(60) };
    let f = fixture(limits, SessionLimits::default()).await;
    let token = f.keys.create_region("acme", false, None).await.unwrap().api_key.token;
    for outcome in authenticate_at_once(&f.keys, vec![token; 24]).await {
        outcome.unwrap();
    }
}

/// Authenticates every token at once, each on its own task.
async fn authenticate_at_once(keys: &KeyService, tokens: Vec<String>) -> Vec<Result<Caller, Error>> {
    let attempts: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let keys = keys.clone();
            tokio::spawn(async move { keys.authenticate(&token, CLIENT).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for attempt in attempts {
        outcomes.push(attempt.await.expect("the task ran"));
    }
    outcomes
}
