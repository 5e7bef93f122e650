//! The argon2 turns new keys take, alone in this test binary: every other
//! test binary's argon2 work would show in the process-wide count.

use std::time::Duration;

use domain::Settings;
use testkit::{CLIENT, fixture};

/// However many keys are made at once, at most one argon2 turn hashes a
/// new key: every other stays free for verifications.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_keys_hash_one_at_a_time_and_leave_the_other_turns_free() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let admin = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let mut creating = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let (keys, admin) = (f.keyward.keys().clone(), admin.clone());
        creating.spawn(async move { keys.create(&admin, domain::model::NewKey::default(), None).await });
    }
    let (mut fewest_free, mut samples) = (usize::MAX, 0);
    while !creating.is_empty() {
        fewest_free = fewest_free.min(domain::testing::argon2_turns().0);
        samples += 1;
        tokio::select! {
            done = creating.join_next() => { done.unwrap().unwrap().expect("made"); }
            () = tokio::time::sleep(Duration::from_millis(1)) => {}
        }
    }
    let (_, turns) = domain::testing::argon2_turns();
    assert!(samples > 6, "sampled while the keys were made");
    assert!(fewest_free + 1 >= turns, "at most one turn hashed new keys: {fewest_free} of {turns} free");
}
