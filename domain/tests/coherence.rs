//! The coherent verification cache in one process, against a real database
//! (see `testkit`): once trusted it answers warm and unknown keys without a
//! database read, and a change is in effect as soon as it returns.

use std::time::Duration;

use domain::{Error, Keyward, Settings};
use sea_orm::ConnectionTrait;
use testkit::{CLIENT, eventually, fixture};

/// Runs the cache's maintenance for `keyward` and waits until it is trusted.
async fn coherent(keyward: &Keyward) {
    let maintained = keyward.clone();
    tokio::spawn(async move { maintained.maintain_coherence(std::future::pending()).await });
    eventually(Duration::from_secs(10), || async { keyward.is_cache_trusted().then_some(()) }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_cache_answers_warm_and_unknown_keys_without_a_read() {
    let f = fixture(Settings::default()).await;
    let token = testkit::region(&f.keyward, "acme").await.api_key.token;
    coherent(&f.keyward).await;
    f.keyward.authenticator().authenticate(&token, CLIENT).await.unwrap();

    // With the keys' table away, any read of it would fail.
    f.db.execute_unprepared("ALTER TABLE api_keys RENAME TO api_keys_away").await.unwrap();
    let warm = f.keyward.authenticator().authenticate(&token, CLIENT).await;
    let unknown = f.keyward.authenticator().authenticate(&testkit::unknown_token(), CLIENT).await;
    f.db.execute_unprepared("ALTER TABLE api_keys_away RENAME TO api_keys").await.unwrap();
    warm.expect("a warm key is answered from memory");
    assert!(matches!(unknown, Err(Error::Unauthenticated)), "an unknown lookup is refused from memory: {unknown:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_keys_work_and_deleted_keys_fail_as_soon_as_the_change_returns() {
    let f = fixture(Settings::default()).await;
    let token = testkit::region(&f.keyward, "acme").await.api_key.token;
    coherent(&f.keyward).await;
    let caller = f.keyward.authenticator().authenticate(&token, CLIENT).await.unwrap();
    for _ in 0..5 {
        // The new lookup was unknown, and unknown lookups are refused from memory.
        let created = f.keyward.keys().create(&caller, domain::model::NewKey::new(None, None), None).await.unwrap();
        f.keyward.authenticator().authenticate(&created.token, CLIENT).await.expect("accepted at once");
        f.keyward.keys().delete(&caller, &created.key.id, None).await.unwrap();
        let refused = f.keyward.authenticator().authenticate(&created.token, CLIENT).await;
        assert!(matches!(refused, Err(Error::Unauthenticated)), "refused at once: {refused:?}");
    }
    assert!(f.keyward.is_cache_trusted());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_by_another_handle_reaches_the_cache_before_it_returns() {
    let f = fixture(Settings::default()).await;
    let token = testkit::region(&f.keyward, "acme").await.api_key.token;
    coherent(&f.keyward).await;
    // Another process on the same database, such as `keyward region create`.
    let other = Keyward::new(f.test_db.connect().await, Settings::default());
    let caller = other.authenticator().authenticate(&token, CLIENT).await.unwrap();
    for _ in 0..5 {
        let created = other.keys().create(&caller, domain::model::NewKey::new(None, None), None).await.unwrap();
        f.keyward.authenticator().authenticate(&created.token, CLIENT).await.expect("accepted at once");
        other.keys().delete(&caller, &created.key.id, None).await.unwrap();
        let refused = f.keyward.authenticator().authenticate(&created.token, CLIENT).await;
        assert!(matches!(refused, Err(Error::Unauthenticated)), "refused at once: {refused:?}");
    }
}
