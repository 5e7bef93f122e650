//! What one region may take of the shared server: its key limit, its pace
//! of new keys, and the argon2 turns new keys leave to verifications.

use std::num::NonZeroU32;
use std::time::Duration;

use domain::{Error, RegionLimits, Settings};
use testkit::{CLIENT, fixture};

fn limits(keys: u64, per_minute: u32) -> Settings {
    let regions = RegionLimits { keys, new_keys_per_minute: NonZeroU32::new(per_minute).unwrap() };
    Settings { regions, ..Settings::default() }
}

/// A full region refuses more keys, from a create or a rotation, before
/// any argon2 runs; the operator may still issue one; other regions are
/// untouched.
#[tokio::test]
async fn a_region_holds_at_most_its_key_limit_and_a_refusal_costs_no_argon2() {
    let f = fixture(limits(3, 1000)).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let admin = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    for _ in 0..2 {
        f.keyward.keys().create(&admin, domain::model::NewKey::new(None, None), None).await.unwrap();
    }
    let busy = domain::testing::all_argon2_turns().await;
    let refused = tokio::time::timeout(
        Duration::from_secs(5),
        f.keyward.keys().create(&admin, domain::model::NewKey::new(None, None), None),
    )
    .await;
    assert!(matches!(refused, Ok(Err(Error::KeyLimit { max: 3 }))), "{refused:?}");
    let refused = tokio::time::timeout(
        Duration::from_secs(5),
        f.keyward.rotations().start(&admin, admin.key_id().unwrap(), None),
    )
    .await;
    assert!(matches!(refused, Ok(Err(Error::KeyLimit { max: 3 }))), "{refused:?}");
    drop(busy);
    assert_eq!(f.keyward.keys().list(&admin).await.unwrap().len(), 3);

    let region = f.keyward.regions().find("acme").await.unwrap();
    f.keyward.keys().issue(&region, None, None).await.expect("the operator is not held to it");
    let other = testkit::region(&f.keyward, "other").await;
    let other = f.keyward.authenticator().authenticate(&other.api_key.token, CLIENT).await.unwrap();
    f.keyward
        .keys()
        .create(&other, domain::model::NewKey::new(None, None), None)
        .await
        .expect("another region has room");
}

/// New keys are paced per region: past the pace a region waits (with the
/// time to wait), and other regions do not.
#[tokio::test]
async fn new_keys_are_paced_per_region() {
    let f = fixture(limits(100, 2)).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let admin = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    for _ in 0..2 {
        f.keyward.keys().create(&admin, domain::model::NewKey::new(None, None), None).await.unwrap();
    }
    let paced = f.keyward.keys().create(&admin, domain::model::NewKey::new(None, None), None).await;
    assert!(matches!(&paced, Err(Error::Paced { retry_after, .. }) if !retry_after.is_zero()), "{paced:?}");
    let paced = f.keyward.rotations().start(&admin, admin.key_id().unwrap(), None).await;
    assert!(matches!(paced, Err(Error::Paced { .. })), "{paced:?}");
    let other = testkit::region(&f.keyward, "other").await;
    let other = f.keyward.authenticator().authenticate(&other.api_key.token, CLIENT).await.unwrap();
    f.keyward
        .keys()
        .create(&other, domain::model::NewKey::new(None, None), None)
        .await
        .expect("another region keeps its own pace");
}
