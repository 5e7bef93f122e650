//! Leak reports and quarantine in the domain, against a real database (see
//! `testkit`): what the HTTP tests do not reach.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use domain::model::{
    AuditAction, AuditQuery, KeyId, KeyState, KeyUpdate, LeakChannel, LeakLabel, LeakedToken, Scopes, last_manager,
};
use domain::{Error, Settings, ThrottleLimits};
use testkit::{CLIENT, fixture};

fn found(token: &str) -> LeakedToken {
    LeakedToken {
        token: token.to_owned(),
        url: Some("https://gitlab.com/acme/app/-/commit/abc\u{7}".to_owned()),
        source: Some("commit".to_owned()),
    }
}

/// A quarantine ends the console sessions its key signed (for good), refuses
/// the key for sign-in and every call, and is final: only its description
/// can move.
#[tokio::test]
async fn a_quarantine_ends_sessions_and_is_final() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let admin = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let reader = f
        .keyward
        .keys()
        .create(&admin, domain::model::NewKey::new(None, Some("keys:read".parse().unwrap())), None)
        .await
        .unwrap();
    let (session, _) = f.keyward.sessions().sign_in(&reader.token, CLIENT).await.unwrap();

    let labels = f.keyward.leaks().report(&[found(&reader.token)], LeakChannel::Gitlab).await.unwrap();
    assert_eq!(labels, [LeakLabel::TruePositive]);
    assert!(matches!(f.keyward.sessions().caller(&session, CLIENT).await, Err(Error::Quarantined)));
    assert!(matches!(f.keyward.sessions().sign_in(&reader.token, CLIENT).await, Err(Error::Quarantined)));
    assert!(matches!(f.keyward.authenticator().authenticate(&reader.token, CLIENT).await, Err(Error::Quarantined)));

    let key = f.keyward.keys().get(&admin, &reader.key.id).await.unwrap();
    let quarantine = key.quarantine.expect("quarantined");
    assert_eq!(quarantine.url.as_deref(), Some("https://gitlab.com/acme/app/-/commit/abc"), "no control characters");
    assert_eq!(quarantine.reported_via, LeakChannel::Gitlab);
    let rescope = KeyUpdate { scopes: Some(Scopes::all()), ..KeyUpdate::default() };
    let refused = f.keyward.keys().update(&admin, &reader.key.id, rescope).await;
    assert!(matches!(refused, Err(Error::QuarantineIsFinal)), "{refused:?}");
    let describe = KeyUpdate { description: Some(testkit::description("leaked in acme/app")), ..KeyUpdate::default() };
    f.keyward.keys().update(&admin, &reader.key.id, describe).await.unwrap();
}

/// The same key reported twice at once is quarantined once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reports_quarantine_a_key_once() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let admin = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let leaked =
        f.keyward.keys().create(&admin, domain::model::NewKey::new(None, Some(Scopes::default())), None).await.unwrap();
    let report = [found(&leaked.token)];
    let (first, second) = tokio::join!(
        f.keyward.leaks().report(&report, LeakChannel::Github),
        f.keyward.leaks().report(&report, LeakChannel::Public),
    );
    assert_eq!((first.unwrap(), second.unwrap()), (vec![LeakLabel::TruePositive], vec![LeakLabel::TruePositive]));
    let events =
        f.keyward.audit().page(&admin, &AuditQuery { limit: Some(50), ..AuditQuery::default() }).await.unwrap().events;
    assert_eq!(events.iter().filter(|event| event.action == AuditAction::ApiKeyQuarantined).count(), 1);
}

/// A token is labelled by lookup and secret, for live and deleted keys
/// alike: the right lookup with a wrong secret, or the right secret under
/// the other prefix, is no key here.
#[tokio::test]
async fn a_label_needs_the_whole_token() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let token = created.api_key.token;
    let admin = f.keyward.authenticator().authenticate(&token, CLIENT).await.unwrap();
    let gone = f.keyward.keys().create(&admin, domain::model::NewKey::new(None, None), None).await.unwrap();
    f.keyward.keys().delete(&admin, &gone.key.id, None).await.unwrap();
    let reports = [
        found(&testkit::with_other_secret(&token)),
        found(&testkit::as_sandbox(&token)),
        found(&gone.token),
        found(&testkit::with_other_secret(&gone.token)),
        found(&testkit::as_sandbox(&gone.token)),
    ];
    let labels = f.keyward.leaks().report(&reports, LeakChannel::Github).await.unwrap();
    use LeakLabel::{FalsePositive, TruePositive};
    assert_eq!(labels, [FalsePositive, FalsePositive, TruePositive, FalsePositive, FalsePositive]);
    f.keyward.authenticator().authenticate(&token, CLIENT).await.expect("not quarantined");
}

/// A public report cannot make the server run argon2 without end: each
/// token once, and a lookup's wrong secrets count against it as for
/// authentication, so past the limit its tokens are not checked at all.
/// The partners' signed reports are not held to it.
#[tokio::test]
async fn a_public_report_checks_a_lookup_only_so_often() {
    let throttle = ThrottleLimits { per_key: 3, ..ThrottleLimits::default() };
    let f = fixture(Settings { throttle, ..Settings::default() }).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let token = created.api_key.token;
    let guesses: Vec<String> = (0..3).map(|_| testkit::with_other_secret(&token)).collect();
    let mut report = guesses.clone();
    report.extend([guesses[0].clone(), token.clone()]);
    f.keyward.leaks().report_public(CLIENT, report).await.unwrap();
    f.keyward.authenticator().authenticate(&token, CLIENT).await.expect("its lookup was spent: not checked");

    let labels = f.keyward.leaks().report(&[found(&token)], LeakChannel::Github).await.unwrap();
    assert_eq!(labels, [LeakLabel::TruePositive]);
    assert!(matches!(f.keyward.authenticator().authenticate(&token, CLIENT).await, Err(Error::Quarantined)));
}

/// One rule for a key's state and for "manages the region", on both sides:
/// with the first key (`*`) quarantined, a `*` key scheduled, a `*` key
/// come due and a reader beside it, the `keys:write` key is the region's
/// only real manager. The model (what the console applies to the listed
/// keys) says so, authentication refuses exactly the keys the state calls
/// unusable, and the guard refuses deleting exactly the key the model
/// names, whatever else it deletes.
#[tokio::test]
async fn a_quarantined_key_never_manages_and_the_model_names_the_last_manager_as_the_guard_does() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let admin = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let keys = f.keyward.keys();
    let writer =
        keys.create(&admin, domain::model::NewKey::new(None, Some("keys:write".parse().unwrap())), None).await.unwrap();
    let scheduled = keys.create(&admin, domain::model::NewKey::new(None, Some(Scopes::all())), None).await.unwrap();
    let due = keys.create(&admin, domain::model::NewKey::new(None, Some(Scopes::all())), None).await.unwrap();
    let reader =
        keys.create(&admin, domain::model::NewKey::new(None, Some("keys:read".parse().unwrap())), None).await.unwrap();
    let revoke_in = |delay: TimeDelta| KeyUpdate { revoke_at: Some(Some(Utc::now() + delay)), ..KeyUpdate::default() };
    keys.update(&admin, &scheduled.key.id, revoke_in(TimeDelta::hours(1))).await.unwrap();
    keys.update(&admin, &due.key.id, revoke_in(TimeDelta::milliseconds(50))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(70)).await;
    f.keyward.leaks().report(&[found(&created.api_key.token)], LeakChannel::Public).await.unwrap();

    let writer_caller = f.keyward.authenticator().authenticate(&writer.token, CLIENT).await.unwrap();
    let listed = keys.list(&writer_caller).await.unwrap();
    let now = Utc::now();
    let state = |id: &KeyId| listed.iter().find(|key| key.id == *id).unwrap().state(now);
    assert_eq!(state(&created.api_key.key.id), KeyState::Quarantined);
    assert_eq!(state(&writer.key.id), KeyState::Usable);
    assert_eq!(state(&scheduled.key.id), KeyState::Scheduled);
    assert_eq!(state(&due.key.id), KeyState::Due);
    assert_eq!(state(&reader.key.id), KeyState::Usable);
    let authenticator = f.keyward.authenticator();
    let refused = authenticator.authenticate(&created.api_key.token, CLIENT).await;
    assert!(matches!(refused, Err(Error::Quarantined)), "{refused:?}");
    let refused = authenticator.authenticate(&due.token, CLIENT).await;
    assert!(matches!(refused, Err(Error::Revoked)), "{refused:?}");
    for token in [&writer.token, &scheduled.token, &reader.token] {
        authenticator.authenticate(token, CLIENT).await.unwrap();
    }
    let managers: Vec<_> = listed.iter().filter(|key| key.manages_region(now)).map(|key| &key.id).collect();
    assert_eq!(managers, [&writer.key.id]);
    assert_eq!(last_manager(&listed, now).map(|key| &key.id), Some(&writer.key.id));

    let refused = keys.delete(&writer_caller, &writer.key.id, None).await;
    assert!(matches!(refused, Err(Error::LastKey)), "{refused:?}");
    for other in [&reader.key.id, &scheduled.key.id, &created.api_key.key.id] {
        keys.delete(&writer_caller, other, None).await.unwrap();
    }
    let left = keys.list(&writer_caller).await.unwrap();
    assert_eq!(last_manager(&left, Utc::now()).map(|key| &key.id), Some(&writer.key.id));
    let refused = keys.delete(&writer_caller, &writer.key.id, None).await;
    assert!(matches!(refused, Err(Error::LastKey)), "{refused:?}");
}
