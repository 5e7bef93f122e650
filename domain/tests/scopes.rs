//! Scopes and scheduled revocation in the domain, against a real database
//! (see `testkit`): what no HTTP test reaches deterministically, and the
//! property that no sequence of scope changes escalates.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use domain::model::{AuditQuery, KeyUpdate, Scopes};
use domain::{Caller, Error, Keyward, Settings};
use proptest::prelude::*;
use testkit::{CLIENT, fixture};

fn scopes(text: &str) -> Scopes {
    text.parse().expect("valid scopes")
}

/// Creates a key with `granted` through `by` and authenticates it.
async fn key_with(keyward: &Keyward, by: &Caller, granted: &str) -> (Caller, String) {
    let created =
        keyward.keys().create(by, domain::model::NewKey::new(None, Some(scopes(granted))), None).await.unwrap();
    (keyward.authenticator().authenticate(&created.token, CLIENT).await.unwrap(), created.token)
}

fn rescope(text: &str) -> KeyUpdate {
    KeyUpdate { scopes: Some(scopes(text)), ..KeyUpdate::default() }
}

fn revoke_in(delay: TimeDelta) -> KeyUpdate {
    KeyUpdate { revoke_at: Some(Some(Utc::now() + delay)), ..KeyUpdate::default() }
}

async fn sleep_past(delay: TimeDelta) {
    tokio::time::sleep(delay.to_std().unwrap() + Duration::from_millis(20)).await;
}

/// A request verified with the key's old scopes acts after the key was
/// narrowed: refused, and nothing changed.
#[tokio::test]
async fn a_key_narrowed_while_its_request_is_in_flight_changes_nothing() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let admin = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let (in_flight, _) = key_with(&f.keyward, &admin, "keys:write").await;
    f.keyward.keys().update(&admin, in_flight.key_id().unwrap(), rescope("keys:read")).await.unwrap();
    let before = f.keyward.keys().list(&admin).await.unwrap();

    let created =
        f.keyward.keys().create(&in_flight, domain::model::NewKey::new(None, Some(Scopes::default())), None).await;
    assert!(matches!(created, Err(Error::ScopesChanged)), "{created:?}");
    let deleted = f.keyward.keys().delete(&in_flight, admin.key_id().unwrap(), None).await;
    assert!(matches!(deleted, Err(Error::ScopesChanged)), "{deleted:?}");
    assert_eq!(f.keyward.keys().list(&admin).await.unwrap(), before);
}

/// A rotation's new key gets the old key's scopes, so only a key that could
/// grant them may start one: otherwise rotating a `*` key would mint one.
#[tokio::test]
async fn rotating_a_key_never_mints_scopes_the_rotator_lacks() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let admin = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let (writer, _) = key_with(&f.keyward, &admin, "keys:write").await;
    let (integration, _) = key_with(&f.keyward, &admin, "orders:read").await;

    let refused = f.keyward.rotations().start(&writer, admin.key_id().unwrap(), None).await;
    assert!(matches!(refused, Err(Error::ScopeEscalation)), "{refused:?}");
    let refused = f.keyward.rotations().start(&writer, integration.key_id().unwrap(), None).await;
    assert!(matches!(refused, Err(Error::ScopeEscalation)), "{refused:?}");
    assert_eq!(f.keyward.keys().list(&admin).await.unwrap().len(), 3, "no key made");

    let started = f.keyward.rotations().start(&admin, integration.key_id().unwrap(), None).await.unwrap();
    assert_eq!(started.new_key.key.scopes, scopes("orders:read"));
}

/// The console opens only for `keys:read`, and a session ends the instant
/// its key comes due or loses that scope.
#[tokio::test]
async fn sessions_need_keys_read_and_end_when_their_key_comes_due() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let admin = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let (_, integration) = key_with(&f.keyward, &admin, "orders:read").await;
    let refused = f.keyward.sessions().sign_in(&integration, CLIENT).await;
    assert!(matches!(refused, Err(Error::InsufficientScope(_))), "{:?}", refused.err());

    let (reader, reader_token) = key_with(&f.keyward, &admin, "keys:read").await;
    let (session, _) = f.keyward.sessions().sign_in(&reader_token, CLIENT).await.unwrap();
    let delay = TimeDelta::milliseconds(500);
    let update = revoke_in(delay);
    let revoke_at = update.revoke_at.flatten().unwrap();
    f.keyward.keys().update(&admin, reader.key_id().unwrap(), update).await.unwrap();
    let before = f.keyward.sessions().caller(&session, CLIENT).await;
    // Asserted only if the call came before the instant (a slow run may not).
    if Utc::now() < revoke_at {
        assert!(before.is_ok(), "{:?}", before.err());
    }
    sleep_past(delay).await;
    let ended = f.keyward.sessions().caller(&session, CLIENT).await;
    assert!(matches!(ended, Err(Error::Revoked)), "{:?}", ended.err());

    let (writer, writer_token) = key_with(&f.keyward, &admin, "keys:write").await;
    let (session, _) = f.keyward.sessions().sign_in(&writer_token, CLIENT).await.unwrap();
    f.keyward.keys().update(&admin, writer.key_id().unwrap(), rescope("orders:read")).await.unwrap();
    let ended = f.keyward.sessions().caller(&session, CLIENT).await;
    assert!(matches!(ended, Err(Error::Unauthenticated)), "{:?}", ended.err());
    f.keyward.keys().update(&admin, writer.key_id().unwrap(), rescope("keys:write")).await.unwrap();
    let ended = f.keyward.sessions().caller(&session, CLIENT).await;
    assert!(matches!(ended, Err(Error::Unauthenticated)), "ended for good: {:?}", ended.err());
}

/// A key that came due stays revoked though the sweeper has not run yet:
/// its schedule cannot be cancelled any more. The sweeper then deletes it.
#[tokio::test]
async fn a_due_key_cannot_be_brought_back_and_the_sweeper_removes_it() {
    let f = fixture(Settings::default()).await;
    let created = testkit::region(&f.keyward, "acme").await;
    let admin = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
    let (later, _) = key_with(&f.keyward, &admin, "orders:read").await;
    f.keyward.keys().update(&admin, later.key_id().unwrap(), revoke_in(TimeDelta::days(1))).await.unwrap();
    let (due, token) = key_with(&f.keyward, &admin, "orders:read").await;
    let delay = TimeDelta::milliseconds(500);
    f.keyward.keys().update(&admin, due.key_id().unwrap(), revoke_in(delay)).await.unwrap();
    sleep_past(delay).await;

    let cancel = KeyUpdate { revoke_at: Some(None), ..KeyUpdate::default() };
    let revived = f.keyward.keys().update(&admin, due.key_id().unwrap(), cancel).await;
    assert!(matches!(revived, Err(Error::KeyNotFound)), "{revived:?}");
    let refused = f.keyward.authenticator().authenticate(&token, CLIENT).await;
    assert!(matches!(refused, Err(Error::Revoked)), "{:?}", refused.err());

    assert_eq!(f.keyward.keys().revoke_due().await.unwrap(), 1);
    assert_eq!(f.keyward.keys().revoke_due().await.unwrap(), 0, "each key once");
    let events =
        f.keyward.audit().page(&admin, &AuditQuery { limit: Some(1), ..AuditQuery::default() }).await.unwrap().events;
    assert_eq!(events[0].action.as_str(), "api_key.revoked_on_schedule");
    assert_eq!(events[0].api_key_id.as_ref(), Some(due.key_id().unwrap()));
    let refused = f.keyward.authenticator().authenticate(&token, CLIENT).await;
    assert!(matches!(refused, Err(Error::Unauthenticated)), "gone: {:?}", refused.err());
}

/// One step of an administrator's work: key `by` creates a key (with its
/// own scopes when `None`) or re-scopes key `target`.
#[derive(Clone, Debug)]
enum Step {
    Create { by: usize, scopes: Option<Vec<&'static str>> },
    Rescope { by: usize, target: usize, scopes: Vec<&'static str> },
}

const UNIVERSE: [&str; 6] = ["*", "keys:read", "keys:write", "orders:read", "orders:write", "reports:read"];

/// A valid set: `*` stands alone.
fn some_scopes() -> impl Strategy<Value = Vec<&'static str>> {
    proptest::sample::subsequence(UNIVERSE.to_vec(), 0..=3)
        .prop_map(|scopes| if scopes.contains(&"*") { vec!["*"] } else { scopes })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..8usize, proptest::option::of(some_scopes())).prop_map(|(by, scopes)| Step::Create { by, scopes }),
        (0..8usize, 0..8usize, some_scopes()).prop_map(|(by, target, scopes)| Step::Rescope { by, target, scopes }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// The region's first key (`*`) makes one restricted root; from then on
    /// only the root and the keys it leads to act. Whatever they do, no key
    /// of that family ever holds a scope the root did not, and every
    /// refused step changed nothing.
    #[test]
    fn no_sequence_of_scope_changes_escalates(root in some_scopes(), steps in proptest::collection::vec(step(), 1..8)) {
        tokio::runtime::Runtime::new().unwrap().block_on(async move {
            let f = fixture(Settings::default()).await;
            let created = testkit::region(&f.keyward, "acme").await;
            let admin = f.keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap();
            let root = Scopes::parse(root).unwrap();
            let created = f.keyward.keys().create(&admin, domain::model::NewKey::new(None, Some(root.clone())), None).await.unwrap();
            let mut family = vec![created.token];
            for step in steps {
                let before = f.keyward.keys().list(&admin).await.unwrap();
                let acting = |by: usize| family[by % family.len()].clone();
                let caller = f.keyward.authenticator().authenticate(&acting(match &step {
                    Step::Create { by, .. } | Step::Rescope { by, .. } => *by,
                }), CLIENT).await.unwrap();
                let outcome = match &step {
                    Step::Create { scopes, .. } => {
                        let scopes = scopes.clone().map(|scopes| Scopes::parse(scopes).unwrap());
                        f.keyward.keys().create(&caller, domain::model::NewKey::new(None, scopes), None).await.map(|created| {
                            family.push(created.token);
                        })
                    }
                    Step::Rescope { target, scopes, .. } => {
                        let target = f.keyward.authenticator().authenticate(&acting(*target), CLIENT).await.unwrap();
                        let update = KeyUpdate { scopes: Some(Scopes::parse(scopes.clone()).unwrap()), ..KeyUpdate::default() };
                        f.keyward.keys().update(&caller, target.key_id().unwrap(), update).await.map(drop)
                    }
                };
                match outcome {
                    Ok(()) => {}
                    Err(Error::ScopeEscalation | Error::InsufficientScope(_) | Error::LastKey) => {
                        assert_eq!(f.keyward.keys().list(&admin).await.unwrap(), before, "{step:?} was refused");
                    }
                    Err(other) => panic!("{step:?} failed: {other:?}"),
                }
                for token in &family {
                    let member = f.keyward.authenticator().authenticate(token, CLIENT).await.unwrap();
                    for scope in member.scopes().iter() {
                        assert!(root.grants(scope), "{scope:?} is not in the root's {root:?} after {step:?}");
                    }
                }
            }
        });
    }
}
