//! Console sessions and rotations against a real database (see `common`).

mod common;

use chrono::TimeDelta;
use common::{CLIENT, default_fixture, fixture};
use domain::entity::{console_session, rotation};
use domain::{AuditAction, Error, SessionAfterRotation, SessionLimits, ThrottleLimits};
use sea_orm::EntityTrait;

#[tokio::test]
async fn a_session_stands_for_its_key_and_stores_only_a_digest() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let (session, caller) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
    assert_eq!(caller.key_id, created.api_key.key.id);
    assert_eq!(f.keys.session_caller(session.as_str(), CLIENT).await.unwrap(), caller);

    let rows = console_session::Entity::find().all(f.keys.db()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].id_hash, session.as_str());
    assert!(!format!("{session:?}").contains(session.as_str()));

    let (second, _) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
    assert_ne!(second, session, "every sign-in gets a new session id");
}

#[tokio::test]
async fn signing_in_is_not_a_use_of_the_key() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let (_, caller) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
    f.keys.flush_usage().await.unwrap();
    assert_eq!(f.keys.get_key(&caller, &caller.key_id).await.unwrap().last_used_at, None);

    f.keys.authenticate(&created.api_key.token, CLIENT).await.unwrap();
    f.keys.flush_usage().await.unwrap();
    assert!(f.keys.get_key(&caller, &caller.key_id).await.unwrap().last_used_at.is_some(), "an API call is");
}

#[tokio::test]
async fn wrong_keys_are_refused_and_throttled_like_api_calls() {
    let limits = ThrottleLimits { per_address: 2, per_key: 100, ..Default::default() };
    let f = fixture(limits, SessionLimits::default()).await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let unknown = domain::token::Token::generate(false).into_string();
    assert!(matches!(f.keys.sign_in("kw_live_garbage", CLIENT).await, Err(Error::Unauthenticated)));
    assert!(matches!(f.keys.sign_in(&unknown, CLIENT).await, Err(Error::Unauthenticated)));
    // Even the right key waits once this address failed too often.
    assert!(matches!(f.keys.sign_in(&created.api_key.token, CLIENT).await, Err(Error::Throttled { .. })));
    assert!(f.keys.session_caller("not-a-session", CLIENT).await.is_err());
}

#[tokio::test]
async fn deleting_the_key_ends_its_sessions_only() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let (first_session, caller) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
    let second = f.keys.create_key(&caller, None, None).await.unwrap();
    let (second_session, _) = f.keys.sign_in(&second.token, CLIENT).await.unwrap();

    f.keys.delete_key(&caller, &caller.key_id, None).await.unwrap();
    assert!(matches!(f.keys.session_caller(first_session.as_str(), CLIENT).await, Err(Error::Unauthenticated)));
    assert_eq!(f.keys.session_caller(second_session.as_str(), CLIENT).await.unwrap().key_id, second.key.id);
}

#[tokio::test]
async fn sessions_time_out_when_idle_and_absolutely() {
    for limits in [
        SessionLimits { idle: TimeDelta::zero(), ..Default::default() },
        SessionLimits { absolute: TimeDelta::zero(), ..Default::default() },
    ] {
        let f = fixture(ThrottleLimits::default(), limits).await;
        let created = f.keys.create_region("acme", false, None).await.unwrap();
        let (session, _) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
        assert!(matches!(f.keys.session_caller(session.as_str(), CLIENT).await, Err(Error::Unauthenticated)));
    }
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let (session, _) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
    f.keys.sign_out(session.as_str()).await.unwrap();
    assert!(f.keys.session_caller(session.as_str(), CLIENT).await.is_err());
    f.keys.sign_out(session.as_str()).await.unwrap();
}

#[tokio::test]
async fn a_rotation_replaces_the_old_key_and_can_keep_the_session() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, Some("billing".into())).await.unwrap();
    let (session, caller) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
    let old_key_id = caller.key_id.clone();

    let started = f.keys.start_rotation(&caller, &old_key_id, Some("billing (rotated)".into())).await.unwrap();
    assert_eq!(started.new_key.key.description.as_deref(), Some("billing (rotated)"));
    assert_eq!(started.rotation.old_key_id.as_deref(), Some(old_key_id.as_str()));
    assert_eq!(f.keys.current_rotation(&caller).await.unwrap(), Some(started.rotation.clone()));
    assert!(matches!(f.keys.start_rotation(&caller, &old_key_id, None).await, Err(Error::RotationInProgress)));

    // A session that ended meanwhile finishes nothing.
    let ended = f.keys.finish_rotation_in_session("not-a-session", &caller, &started.rotation.id, true).await;
    assert!(matches!(ended, Err(Error::Unauthenticated)), "{ended:?}");
    assert_eq!(f.keys.list_keys(&caller).await.unwrap().len(), 2);

    let after = f.keys.finish_rotation_in_session(session.as_str(), &caller, &started.rotation.id, true).await;
    assert_eq!(after.unwrap(), SessionAfterRotation::SignedIn);
    let caller = f.keys.session_caller(session.as_str(), CLIENT).await.unwrap();
    assert_eq!(caller.key_id, started.rotation.new_key_id);
    let keys = f.keys.list_keys(&caller).await.unwrap();
    assert_eq!(keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), [started.rotation.new_key_id.as_str()]);
    let deleted = &f.keys.audit_events(&caller, 1).await.unwrap()[0];
    assert_eq!(deleted.action, AuditAction::ApiKeyDeleted);
    assert_eq!(deleted.api_key_id.as_deref(), Some(old_key_id.as_str()));
    assert_eq!(deleted.actor_api_key_id.as_deref(), Some(caller.key_id.as_str()), "the session's key, moved");
    assert_eq!(f.keys.current_rotation(&caller).await.unwrap(), None);
    let again = f.keys.finish_rotation_in_session(session.as_str(), &caller, &started.rotation.id, true).await;
    assert!(matches!(again, Err(Error::RotationNotFound)), "{again:?}");
}

#[tokio::test]
async fn finishing_on_the_session_key_can_sign_out_instead() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let (session, caller) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
    let started = f.keys.start_rotation(&caller, &caller.key_id, None).await.unwrap();
    let after = f.keys.finish_rotation_in_session(session.as_str(), &caller, &started.rotation.id, false).await;
    assert_eq!(after.unwrap(), SessionAfterRotation::SignedOut);
    assert!(matches!(f.keys.session_caller(session.as_str(), CLIENT).await, Err(Error::Unauthenticated)));
    let new_key = f.keys.authenticate(&started.new_key.token, CLIENT).await.unwrap();
    assert_eq!(f.keys.list_keys(&new_key).await.unwrap().len(), 1);
}

#[tokio::test]
async fn finishing_from_a_session_on_another_key_leaves_that_session_alone() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let first = f.keys.authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let second = f.keys.create_key(&first, Some("admin".into()), None).await.unwrap();
    let (session, caller) = f.keys.sign_in(&second.token, CLIENT).await.unwrap();
    let started = f.keys.start_rotation(&caller, &first.key_id, None).await.unwrap();

    let after = f.keys.finish_rotation_in_session(session.as_str(), &caller, &started.rotation.id, false).await;
    assert_eq!(after.unwrap(), SessionAfterRotation::SignedIn, "stay_signed_in only matters on the old key");
    assert_eq!(f.keys.session_caller(session.as_str(), CLIENT).await.unwrap().key_id, second.key.id);
    let keys = f.keys.list_keys(&caller).await.unwrap();
    assert_eq!(keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), [&second.key.id, &started.rotation.new_key_id]);
}

#[tokio::test]
async fn cancelling_deletes_the_new_key_and_keeps_the_old() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let (_, caller) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
    let started = f.keys.start_rotation(&caller, &caller.key_id, None).await.unwrap();
    f.keys.cancel_rotation(&caller, &started.rotation.id).await.unwrap();
    let keys = f.keys.list_keys(&caller).await.unwrap();
    assert_eq!(keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), [caller.key_id.as_str()]);
    assert_eq!(f.keys.current_rotation(&caller).await.unwrap(), None);
}

/// The old key was deleted elsewhere (e.g. through the REST API): only the
/// new key is left, which cancelling must not delete; finishing just closes.
#[tokio::test]
async fn cancelling_keeps_the_last_key_and_finishing_closes_without_the_old_key() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let old = f.keys.authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let started = f.keys.start_rotation(&old, &old.key_id, None).await.unwrap();
    let (session, caller) = f.keys.sign_in(&started.new_key.token, CLIENT).await.unwrap();
    f.keys.delete_key(&caller, &old.key_id, None).await.unwrap();

    assert!(matches!(f.keys.cancel_rotation(&caller, &started.rotation.id).await, Err(Error::LastKey)));
    let offered = f.keys.current_rotation(&caller).await.unwrap().expect("still in progress");
    assert_eq!(offered.old_key_id, None);

    let after = f.keys.finish_rotation_in_session(session.as_str(), &caller, &started.rotation.id, true).await;
    assert_eq!(after.unwrap(), SessionAfterRotation::SignedIn);
    assert_eq!(f.keys.list_keys(&caller).await.unwrap().len(), 1);
    assert_eq!(f.keys.current_rotation(&caller).await.unwrap(), None);
}

#[tokio::test]
async fn a_rotation_whose_new_key_was_deleted_elsewhere_is_closed_by_the_next_write() {
    let f = default_fixture().await;
    for (name, cancel) in [("finished", false), ("cancelled", true)] {
        let created = f.keys.create_region(name, false, None).await.unwrap();
        let (session, caller) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
        let started = f.keys.start_rotation(&caller, &caller.key_id, None).await.unwrap();
        f.keys.delete_key(&caller, &started.rotation.new_key_id, None).await.unwrap();
        let stored = || async { rotation::Entity::find_by_id(&started.rotation.id).one(f.keys.db()).await.unwrap() };

        assert_eq!(f.keys.current_rotation(&caller).await.unwrap(), None, "{name}: not offered");
        assert!(stored().await.unwrap().finished_at.is_none(), "{name}: reading changed nothing");
        if cancel {
            f.keys.cancel_rotation(&caller, &started.rotation.id).await.unwrap();
        } else {
            // Finishing would delete the old key with nothing to replace it.
            let refused =
                f.keys.finish_rotation_in_session(session.as_str(), &caller, &started.rotation.id, true).await;
            assert!(matches!(refused, Err(Error::RotationNotFound)), "{refused:?}");
        }
        assert!(stored().await.unwrap().finished_at.is_some(), "{name}: closed");
        assert_eq!(f.keys.session_caller(session.as_str(), CLIENT).await.unwrap(), caller, "{name}");
        assert_eq!(f.keys.list_keys(&caller).await.unwrap().len(), 1, "{name}: the old key stays");
        f.keys.start_rotation(&caller, &caller.key_id, None).await.unwrap();
    }
}

/// Finishing moves the session to the new key while another administrator
/// deletes that key. Whichever runs first, the other sees its outcome:
/// never a failed foreign key (a 500), never a region without keys.
#[tokio::test]
async fn deleting_the_new_key_while_finishing_is_refused_or_comes_after() {
    let f = default_fixture().await;
    for round in 0..4 {
        let created = f.keys.create_region(&format!("acme {round}"), false, None).await.unwrap();
        let (session, caller) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
        let other = f.keys.create_key(&caller, Some("other admin".into()), None).await.unwrap();
        let other = f.keys.authenticate(&other.token, CLIENT).await.unwrap();
        let started = f.keys.start_rotation(&caller, &caller.key_id, None).await.unwrap();

        let finish = f.keys.finish_rotation_in_session(session.as_str(), &caller, &started.rotation.id, true);
        let delete = f.keys.delete_key(&other, &started.rotation.new_key_id, None);
        // Each gets the first poll in turn; either may take the write lock first.
        let (finished, deleted) = if round % 2 == 0 {
            tokio::join!(finish, delete)
        } else {
            let (deleted, finished) = tokio::join!(delete, finish);
            (finished, deleted)
        };
        deleted.unwrap();
        let session_key = f.keys.session_caller(session.as_str(), CLIENT).await.map(|caller| caller.key_id);
        let mut keys: Vec<_> = f.keys.list_keys(&other).await.unwrap().into_iter().map(|key| key.id).collect();
        keys.sort();
        match finished {
            // The session moved to the new key, whose deletion then ended it.
            Ok(SessionAfterRotation::SignedIn) => {
                assert!(matches!(session_key, Err(Error::Unauthenticated)), "{session_key:?}");
                assert_eq!(keys, [other.key_id.as_str()]);
            }
            Err(Error::RotationNotFound) => {
                assert_eq!(session_key.unwrap(), caller.key_id);
                let mut expected = [caller.key_id.as_str(), other.key_id.as_str()];
                expected.sort();
                assert_eq!(keys, expected);
            }
            unexpected => panic!("round {round}: {unexpected:?}"),
        }
    }
}

#[tokio::test]
async fn unknown_finished_and_other_regions_rotations_are_not_found() {
    let f = default_fixture().await;
    let acme = f.keys.create_region("acme", false, None).await.unwrap();
    let (acme_session, acme) = f.keys.sign_in(&acme.api_key.token, CLIENT).await.unwrap();
    let other = f.keys.create_region("other", false, None).await.unwrap();
    let (other_session, other) = f.keys.sign_in(&other.api_key.token, CLIENT).await.unwrap();
    let started = f.keys.start_rotation(&acme, &acme.key_id, None).await.unwrap();
    let cancelled = f.keys.start_rotation(&other, &other.key_id, None).await.unwrap();
    f.keys.cancel_rotation(&other, &cancelled.rotation.id).await.unwrap();

    for (caller, rotation_id) in
        [(&acme, "rot_unknown"), (&other, started.rotation.id.as_str()), (&other, cancelled.rotation.id.as_str())]
    {
        let session = if caller == &acme { &acme_session } else { &other_session };
        let finished = f.keys.finish_rotation_in_session(session.as_str(), caller, rotation_id, true).await;
        assert!(matches!(finished, Err(Error::RotationNotFound)), "{rotation_id}: {finished:?}");
        let cancelled = f.keys.cancel_rotation(caller, rotation_id).await;
        assert!(matches!(cancelled, Err(Error::RotationNotFound)), "{rotation_id}: {cancelled:?}");
    }
    assert_eq!(f.keys.current_rotation(&acme).await.unwrap(), Some(started.rotation), "untouched by the others");
    assert_eq!(f.keys.list_keys(&acme).await.unwrap().len(), 2);
}
