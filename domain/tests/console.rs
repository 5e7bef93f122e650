//! Console sessions and rotations against a real database (see `testkit`).

use chrono::TimeDelta;
use domain::model::{
    AuditAction, AuditQuery, Environment, OldKeyRevocation, RegionName, RotationId, SessionAfterRotation,
};
use domain::{Error, SessionId, SessionLimits, Settings, ThrottleLimits};
use sea_orm::EntityTrait;
use testkit::entity::{console_session, rotation};
use testkit::{CLIENT, fixture};

#[tokio::test]
async fn a_session_stands_for_its_key_and_stores_only_a_digest() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let (session, caller) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
    assert_eq!(caller.key_id().unwrap(), &created.api_key.key.id);
    assert_eq!(f.keyward.sessions().caller(&session, CLIENT).await.unwrap(), caller);

    let rows = console_session::Entity::find().all(&f.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].id_hash, session.as_str());
    assert!(!format!("{session:?}").contains(session.as_str()));

    let (second, _) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
    assert_ne!(second, session, "every sign-in gets a new session id");
}

#[tokio::test]
async fn signing_in_is_not_a_use_of_the_key() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let (_, caller) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
    f.keyward.flush_usage().await.unwrap();
    assert_eq!(f.keyward.keys().get(&caller, caller.key_id().unwrap()).await.unwrap().last_used_at, None);

    testkit::use_key(&f.keyward, &created.api_key.token).await;
    f.keyward.flush_usage().await.unwrap();
    assert!(
        f.keyward.keys().get(&caller, caller.key_id().unwrap()).await.unwrap().last_used_at.is_some(),
        "an API call is"
    );
}

#[tokio::test]
async fn wrong_keys_are_refused_and_throttled_like_api_calls() {
    let limits = ThrottleLimits { per_address: 2, per_key: 100, ..Default::default() };
    let f = fixture(Settings { throttle: limits, ..Default::default() }).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let unknown = testkit::unknown_token();
    assert!(matches!(f.keyward.sessions().sign_in("kw_live_garbage", CLIENT).await, Err(Error::Unauthenticated)));
    assert!(matches!(f.keyward.sessions().sign_in(&unknown, CLIENT).await, Err(Error::Unauthenticated)));
    // Those cost no argon2 and do not count; wrong secrets do.
    for _ in 0..2 {
        let wrong = testkit::with_other_secret(&created.api_key.token);
        assert!(matches!(f.keyward.sessions().sign_in(&wrong, CLIENT).await, Err(Error::Unauthenticated)));
    }
    // Even the right key waits once this address failed too often.
    assert!(matches!(f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await, Err(Error::Throttled { .. })));
    assert_eq!(SessionId::from_cookie("not-a-session"), None);
}

#[tokio::test]
async fn deleting_the_key_ends_its_sessions_only() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let (first_session, caller) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
    let second = f.keyward.keys().create(&caller, domain::model::NewKey::new(None, None), None).await.unwrap();
    let (second_session, _) = f.keyward.sessions().sign_in(&second.token, CLIENT).await.unwrap();

    f.keyward.keys().delete(&caller, caller.key_id().unwrap(), None).await.unwrap();
    assert!(matches!(f.keyward.sessions().caller(&first_session, CLIENT).await, Err(Error::Unauthenticated)));
    assert_eq!(f.keyward.sessions().caller(&second_session, CLIENT).await.unwrap().key_id().unwrap(), &second.key.id);
}

#[tokio::test]
async fn sessions_time_out_when_idle_and_absolutely() {
    for limits in [
        SessionLimits { idle: TimeDelta::zero(), ..Default::default() },
        SessionLimits { absolute: TimeDelta::zero(), ..Default::default() },
    ] {
        let f = fixture(Settings { sessions: limits, ..Default::default() }).await;
        let created = testkit::region(&f.keyward, "acme").await;
        let (session, _) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
        assert!(matches!(f.keyward.sessions().caller(&session, CLIENT).await, Err(Error::Unauthenticated)));
    }
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let (session, _) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
    f.keyward.sessions().sign_out(&session).await.unwrap();
    assert!(f.keyward.sessions().caller(&session, CLIENT).await.is_err());
    f.keyward.sessions().sign_out(&session).await.unwrap();
}

#[tokio::test]
async fn a_rotation_replaces_the_old_key_and_can_keep_the_session() {
    let f = fixture(Settings::default()).await;
    let created = f
        .keyward
        .regions()
        .create(RegionName::parse("acme").unwrap(), Environment::Live, testkit::description("billing"))
        .await
        .unwrap();
    let (session, caller) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
    let old_key_id = caller.key_id().unwrap().clone();

    let started =
        f.keyward.rotations().start(&caller, &old_key_id, testkit::description("billing (rotated)")).await.unwrap();
    assert_eq!(started.new_key.key.description.as_deref(), Some("billing (rotated)"));
    assert_eq!(started.rotation.old_key_id.as_ref(), Some(&old_key_id));
    assert_eq!(f.keyward.rotations().current(&caller).await.unwrap(), Some(started.rotation.clone()));
    assert!(matches!(f.keyward.rotations().start(&caller, &old_key_id, None).await, Err(Error::RotationInProgress)));

    // A session that ended meanwhile finishes nothing.
    let (ended_session, _) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
    f.keyward.sessions().sign_out(&ended_session).await.unwrap();
    let ended = f
        .keyward
        .rotations()
        .finish(&ended_session, &caller, &started.rotation.id, SessionAfterRotation::SignedIn, OldKeyRevocation::Now)
        .await;
    assert!(matches!(ended, Err(Error::Unauthenticated)), "{ended:?}");
    assert_eq!(f.keyward.keys().list(&caller).await.unwrap().len(), 2);

    let after = f
        .keyward
        .rotations()
        .finish(&session, &caller, &started.rotation.id, SessionAfterRotation::SignedIn, OldKeyRevocation::Now)
        .await;
    assert_eq!(after.unwrap(), SessionAfterRotation::SignedIn);
    let caller = f.keyward.sessions().caller(&session, CLIENT).await.unwrap();
    assert_eq!(caller.key_id().unwrap(), &started.rotation.new_key_id);
    let keys = f.keyward.keys().list(&caller).await.unwrap();
    assert_eq!(keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), [started.rotation.new_key_id.as_str()]);
    let deleted =
        &f.keyward.audit().page(&caller, &AuditQuery { limit: Some(1), ..AuditQuery::default() }).await.unwrap().events
            [0];
    assert_eq!(deleted.action, AuditAction::ApiKeyDeleted);
    assert_eq!(deleted.api_key_id.as_ref(), Some(&old_key_id));
    assert_eq!(deleted.actor_api_key_id.as_ref(), Some(caller.key_id().unwrap()), "the session's key, moved");
    assert_eq!(f.keyward.rotations().current(&caller).await.unwrap(), None);
    let again = f
        .keyward
        .rotations()
        .finish(&session, &caller, &started.rotation.id, SessionAfterRotation::SignedIn, OldKeyRevocation::Now)
        .await;
    assert!(matches!(again, Err(Error::RotationNotFound)), "{again:?}");
}

#[tokio::test]
async fn finishing_on_the_session_key_can_sign_out_instead() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let (session, caller) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
    let started = f.keyward.rotations().start(&caller, caller.key_id().unwrap(), None).await.unwrap();
    let after = f
        .keyward
        .rotations()
        .finish(&session, &caller, &started.rotation.id, SessionAfterRotation::SignedOut, OldKeyRevocation::Now)
        .await;
    assert_eq!(after.unwrap(), SessionAfterRotation::SignedOut);
    assert!(matches!(f.keyward.sessions().caller(&session, CLIENT).await, Err(Error::Unauthenticated)));
    let new_key = f.keyward.authenticator().authenticate(&started.new_key.token, CLIENT).await.unwrap();
    assert_eq!(f.keyward.keys().list(&new_key).await.unwrap().len(), 1);
}

#[tokio::test]
async fn finishing_from_a_session_on_another_key_leaves_that_session_alone() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let first = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let second = f
        .keyward
        .keys()
        .create(&first, domain::model::NewKey::new(testkit::description("admin"), None), None)
        .await
        .unwrap();
    let (session, caller) = f.keyward.sessions().sign_in(&second.token, CLIENT).await.unwrap();
    let started = f.keyward.rotations().start(&caller, first.key_id().unwrap(), None).await.unwrap();

    let after = f
        .keyward
        .rotations()
        .finish(&session, &caller, &started.rotation.id, SessionAfterRotation::SignedOut, OldKeyRevocation::Now)
        .await;
    assert_eq!(after.unwrap(), SessionAfterRotation::SignedIn, "stay_signed_in only matters on the old key");
    assert_eq!(f.keyward.sessions().caller(&session, CLIENT).await.unwrap().key_id().unwrap(), &second.key.id);
    let keys = f.keyward.keys().list(&caller).await.unwrap();
    assert_eq!(keys.iter().map(|k| &k.id).collect::<Vec<_>>(), [&second.key.id, &started.rotation.new_key_id]);
}

#[tokio::test]
async fn cancelling_deletes_the_new_key_and_keeps_the_old() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let (_, caller) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
    let started = f.keyward.rotations().start(&caller, caller.key_id().unwrap(), None).await.unwrap();
    f.keyward.rotations().cancel(&caller, &started.rotation.id).await.unwrap();
    let keys = f.keyward.keys().list(&caller).await.unwrap();
    assert_eq!(keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), [caller.key_id().unwrap().as_str()]);
    assert_eq!(f.keyward.rotations().current(&caller).await.unwrap(), None);
}

/// The old key was deleted elsewhere (e.g. through the REST API): only the
/// new key is left, which cancelling must not delete; finishing just closes.
#[tokio::test]
async fn cancelling_keeps_the_last_key_and_finishing_closes_without_the_old_key() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let old = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let started = f.keyward.rotations().start(&old, old.key_id().unwrap(), None).await.unwrap();
    let (session, caller) = f.keyward.sessions().sign_in(&started.new_key.token, CLIENT).await.unwrap();
    f.keyward.keys().delete(&caller, old.key_id().unwrap(), None).await.unwrap();

    assert!(matches!(f.keyward.rotations().cancel(&caller, &started.rotation.id).await, Err(Error::LastKey)));
    let offered = f.keyward.rotations().current(&caller).await.unwrap().expect("still in progress");
    assert_eq!(offered.old_key_id, None);

    let after = f
        .keyward
        .rotations()
        .finish(&session, &caller, &started.rotation.id, SessionAfterRotation::SignedIn, OldKeyRevocation::Now)
        .await;
    assert_eq!(after.unwrap(), SessionAfterRotation::SignedIn);
    assert_eq!(f.keyward.keys().list(&caller).await.unwrap().len(), 1);
    assert_eq!(f.keyward.rotations().current(&caller).await.unwrap(), None);
}

#[tokio::test]
async fn a_rotation_whose_new_key_was_deleted_elsewhere_is_closed_by_the_next_write() {
    let f = fixture(Settings::default()).await;
    for (name, cancel) in [("finished", false), ("cancelled", true)] {
        let created = testkit::region(&f.keyward, name).await;
        let (session, caller) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
        let started = f.keyward.rotations().start(&caller, caller.key_id().unwrap(), None).await.unwrap();
        f.keyward.keys().delete(&caller, &started.rotation.new_key_id, None).await.unwrap();
        let stored = || async { rotation::Entity::find_by_id(started.rotation.id.clone()).one(&f.db).await.unwrap() };

        assert_eq!(f.keyward.rotations().current(&caller).await.unwrap(), None, "{name}: not offered");
        assert!(stored().await.unwrap().finished_at.is_none(), "{name}: reading changed nothing");
        if cancel {
            f.keyward.rotations().cancel(&caller, &started.rotation.id).await.unwrap();
        } else {
            // Finishing would delete the old key with nothing to replace it.
            let refused = f
                .keyward
                .rotations()
                .finish(&session, &caller, &started.rotation.id, SessionAfterRotation::SignedIn, OldKeyRevocation::Now)
                .await;
            assert!(matches!(refused, Err(Error::RotationNotFound)), "{refused:?}");
        }
        assert!(stored().await.unwrap().finished_at.is_some(), "{name}: closed");
        assert_eq!(f.keyward.sessions().caller(&session, CLIENT).await.unwrap(), caller, "{name}");
        assert_eq!(f.keyward.keys().list(&caller).await.unwrap().len(), 1, "{name}: the old key stays");
        f.keyward.rotations().start(&caller, caller.key_id().unwrap(), None).await.unwrap();
    }
}

/// Finishing moves the session to the new key while another administrator
/// deletes that key. Whichever runs first, the other sees its outcome:
/// never a failed foreign key (a 500), never a region without keys.
#[tokio::test]
async fn deleting_the_new_key_while_finishing_is_refused_or_comes_after() {
    let f = fixture(Settings::default()).await;
    for round in 0..4 {
        let created = testkit::region(&f.keyward, &format!("acme {round}")).await;
        let (session, caller) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
        let other = f
            .keyward
            .keys()
            .create(&caller, domain::model::NewKey::new(testkit::description("other admin"), None), None)
            .await
            .unwrap();
        let other = f.keyward.authenticator().authenticate(&other.token, CLIENT).await.unwrap();
        let started = f.keyward.rotations().start(&caller, caller.key_id().unwrap(), None).await.unwrap();

        let finish = f.keyward.rotations().finish(
            &session,
            &caller,
            &started.rotation.id,
            SessionAfterRotation::SignedIn,
            OldKeyRevocation::Now,
        );
        let delete = f.keyward.keys().delete(&other, &started.rotation.new_key_id, None);
        // Each gets the first poll in turn; either may take the write lock first.
        let (finished, deleted) = if round % 2 == 0 {
            tokio::join!(finish, delete)
        } else {
            let (deleted, finished) = tokio::join!(delete, finish);
            (finished, deleted)
        };
        deleted.unwrap();
        let session_key =
            f.keyward.sessions().caller(&session, CLIENT).await.map(|caller| caller.key_id().unwrap().clone());
        let mut keys: Vec<_> = f.keyward.keys().list(&other).await.unwrap().into_iter().map(|key| key.id).collect();
        keys.sort();
        match finished {
            // The session moved to the new key, whose deletion then ended it.
            Ok(SessionAfterRotation::SignedIn) => {
                assert!(matches!(session_key, Err(Error::Unauthenticated)), "{session_key:?}");
                assert_eq!(keys, [other.key_id().unwrap().clone()]);
            }
            Err(Error::RotationNotFound) => {
                assert_eq!(&session_key.unwrap(), caller.key_id().unwrap());
                let mut expected = [caller.key_id().unwrap().clone(), other.key_id().unwrap().clone()];
                expected.sort();
                assert_eq!(keys, expected);
            }
            unexpected => panic!("round {round}: {unexpected:?}"),
        }
    }
}

#[tokio::test]
async fn unknown_finished_and_other_regions_rotations_are_not_found() {
    let f = fixture(Settings::default()).await;
    let acme = testkit::region(&f.keyward, "acme").await;
    let (acme_session, acme) = f.keyward.sessions().sign_in(&acme.api_key.token, CLIENT).await.unwrap();
    let other = testkit::region(&f.keyward, "other").await;
    let (other_session, other) = f.keyward.sessions().sign_in(&other.api_key.token, CLIENT).await.unwrap();
    let started = f.keyward.rotations().start(&acme, acme.key_id().unwrap(), None).await.unwrap();
    let cancelled = f.keyward.rotations().start(&other, other.key_id().unwrap(), None).await.unwrap();
    f.keyward.rotations().cancel(&other, &cancelled.rotation.id).await.unwrap();

    let unknown = RotationId::parse("rot_0000000000000000").unwrap();
    for (caller, rotation_id) in [(&acme, &unknown), (&other, &started.rotation.id), (&other, &cancelled.rotation.id)] {
        let session = if caller == &acme { &acme_session } else { &other_session };
        let finished = f
            .keyward
            .rotations()
            .finish(session, caller, rotation_id, SessionAfterRotation::SignedIn, OldKeyRevocation::Now)
            .await;
        assert!(matches!(finished, Err(Error::RotationNotFound)), "{rotation_id}: {finished:?}");
        let cancelled = f.keyward.rotations().cancel(caller, rotation_id).await;
        assert!(matches!(cancelled, Err(Error::RotationNotFound)), "{rotation_id}: {cancelled:?}");
    }
    assert_eq!(f.keyward.rotations().current(&acme).await.unwrap(), Some(started.rotation), "untouched by the others");
    assert_eq!(f.keyward.keys().list(&acme).await.unwrap().len(), 2);
}

/// A second rotation is refused before a new key is hashed: with every
/// argon2 turn taken, the refusal still comes at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_rotation_costs_no_argon2() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let (_, caller) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
    f.keyward.rotations().start(&caller, caller.key_id().unwrap(), None).await.unwrap();

    let turns = testkit::all_argon2_turns().await;
    let second = f.keyward.rotations().start(&caller, caller.key_id().unwrap(), None);
    let refused = tokio::time::timeout(std::time::Duration::from_secs(5), second).await;
    drop(turns);
    assert!(matches!(refused, Ok(Err(Error::RotationInProgress))), "refused without waiting for argon2: {refused:?}");
}

/// Sign-ins cannot pile up sessions: a key holds at most ten, and each new
/// one ends the oldest.
#[tokio::test]
async fn a_key_holds_at_most_ten_sessions_and_the_oldest_end() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let mut sessions = Vec::new();
    for _ in 0..12 {
        sessions.push(f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap().0);
    }
    for (i, session) in sessions.iter().enumerate() {
        let live = f.keyward.sessions().caller(session, CLIENT).await.is_ok();
        assert_eq!(live, i >= 2, "session {i}");
    }
    assert_eq!(console_session::Entity::find().all(&f.db).await.unwrap().len(), 10);
}

#[tokio::test]
async fn a_session_says_how_long_it_has_left_and_whether_use_extends_it() {
    let limits = SessionLimits { idle: TimeDelta::minutes(30), absolute: TimeDelta::hours(12) };
    let f = fixture(Settings { sessions: limits, ..Default::default() }).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let (session, _) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
    let left = f.keyward.sessions().time_left(&session).await.unwrap();
    assert!((1795..=1800).contains(&left.ends_in_secs()), "{left:?}");
    assert!(left.can_be_extended(), "the idle limit comes first");

    // A session near its absolute limit: using it cannot keep it.
    let short = SessionLimits { idle: TimeDelta::minutes(30), absolute: TimeDelta::minutes(10) };
    let f = fixture(Settings { sessions: short, ..Default::default() }).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let (session, _) = f.keyward.sessions().sign_in(&created.api_key.token, CLIENT).await.unwrap();
    let left = f.keyward.sessions().time_left(&session).await.unwrap();
    assert!((595..=600).contains(&left.ends_in_secs()) && !left.can_be_extended(), "{left:?}");

    f.keyward.sessions().sign_out(&session).await.unwrap();
    assert!(matches!(f.keyward.sessions().time_left(&session).await, Err(domain::Error::Unauthenticated)));
}
