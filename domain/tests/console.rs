//! Console sessions and rotations against a real database (see `common`).

mod common;

use chrono::TimeDelta;
use common::{CLIENT, default_fixture, fixture};
use domain::entity::console_session;
use domain::{Error, SessionLimits, ThrottleLimits};
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

    let caller = f.keys.move_session(session.as_str(), &caller, &started.rotation.new_key_id).await.unwrap();
    f.keys.finish_rotation(&caller, &started.rotation.id).await.unwrap();
    let keys = f.keys.list_keys(&caller).await.unwrap();
    assert_eq!(keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), [started.rotation.new_key_id.as_str()]);
    assert_eq!(f.keys.session_caller(session.as_str(), CLIENT).await.unwrap().key_id, started.rotation.new_key_id);
    assert_eq!(f.keys.current_rotation(&caller).await.unwrap(), None);
    assert!(matches!(f.keys.finish_rotation(&caller, &started.rotation.id).await, Err(Error::RotationNotFound)));
}

#[tokio::test]
async fn finishing_on_the_session_key_ends_the_session() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let (session, caller) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
    let started = f.keys.start_rotation(&caller, &caller.key_id, None).await.unwrap();
    f.keys.finish_rotation(&caller, &started.rotation.id).await.unwrap();
    assert!(matches!(f.keys.session_caller(session.as_str(), CLIENT).await, Err(Error::Unauthenticated)));
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

#[tokio::test]
async fn a_rotation_whose_new_key_was_deleted_elsewhere_is_closed_and_the_guard_holds() {
    let f = default_fixture().await;
    let created = f.keys.create_region("acme", false, None).await.unwrap();
    let (_, caller) = f.keys.sign_in(&created.api_key.token, CLIENT).await.unwrap();
    let started = f.keys.start_rotation(&caller, &caller.key_id, None).await.unwrap();
    f.keys.delete_key(&caller, &started.rotation.new_key_id, None).await.unwrap();

    assert!(matches!(f.keys.finish_rotation(&caller, &started.rotation.id).await, Err(Error::LastKey)));
    assert_eq!(f.keys.list_keys(&caller).await.unwrap().len(), 1, "the region keeps its last key");
    assert_eq!(f.keys.current_rotation(&caller).await.unwrap(), None);
    f.keys.start_rotation(&caller, &caller.key_id, None).await.unwrap();
}

#[tokio::test]
async fn unknown_finished_and_other_regions_rotations_are_not_found() {
    let f = default_fixture().await;
    let acme = f.keys.create_region("acme", false, None).await.unwrap();
    let (_, acme) = f.keys.sign_in(&acme.api_key.token, CLIENT).await.unwrap();
    let other = f.keys.create_region("other", false, None).await.unwrap();
    let (_, other) = f.keys.sign_in(&other.api_key.token, CLIENT).await.unwrap();
    let started = f.keys.start_rotation(&acme, &acme.key_id, None).await.unwrap();
    let cancelled = f.keys.start_rotation(&other, &other.key_id, None).await.unwrap();
    f.keys.cancel_rotation(&other, &cancelled.rotation.id).await.unwrap();

    for (caller, rotation_id) in
        [(&acme, "rot_unknown"), (&other, started.rotation.id.as_str()), (&other, cancelled.rotation.id.as_str())]
    {
        let finished = f.keys.finish_rotation(caller, rotation_id).await;
        assert!(matches!(finished, Err(Error::RotationNotFound)), "{rotation_id}: {finished:?}");
        let cancelled = f.keys.cancel_rotation(caller, rotation_id).await;
        assert!(matches!(cancelled, Err(Error::RotationNotFound)), "{rotation_id}: {cancelled:?}");
    }
    assert_eq!(f.keys.current_rotation(&acme).await.unwrap(), Some(started.rotation), "untouched by the others");
    assert_eq!(f.keys.list_keys(&acme).await.unwrap().len(), 2);
}
