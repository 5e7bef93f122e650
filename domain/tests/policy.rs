//! Policy at the edge (DESIGN.md section 15) in the domain, against a real
//! database: owners, rate limits exact in one process and shared between
//! several, credits never over-spent and given back, networks, rotations
//! that never double a budget, and no escalation.

use std::net::IpAddr;

use domain::model::{
    AuditAction, AuditChange, AuditQuery, Credits, KeyId, KeyPolicy, KeyUpdate, NewKey, NewOwner, OwnerUpdate, Refusal,
    UseDetails, Verdict,
};
use domain::{Caller, Error, Keyward, Settings};
use testkit::{CLIENT, TestDb, fixture};

fn json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("a valid policy")
}

/// A key made by `admin` with `policy`, and its token.
async fn key_with(keyward: &Keyward, admin: &Caller, policy: KeyPolicy) -> String {
    new_key(keyward, admin, policy).await.1
}

async fn new_key(keyward: &Keyward, admin: &Caller, policy: KeyPolicy) -> (KeyId, String) {
    let new = NewKey { policy, ..NewKey::default() };
    let created = keyward.keys().create(admin, new, None).await.expect("create a key");
    (created.key.id, created.token)
}

async fn check(keyward: &Keyward, token: &str, cost: u64) -> Verdict {
    check_from(keyward, token, cost, CLIENT).await
}

async fn check_from(keyward: &Keyward, token: &str, cost: u64, client: IpAddr) -> Verdict {
    keyward.authenticator().verdict(Some(token), client, &[], cost, UseDetails::default()).await.expect("a verdict")
}

/// `requests` checks of `token`, 1 credit each, spread over `processes` by
/// 24 concurrent clients.
async fn load(processes: &[Keyward], token: &str, requests: usize) -> Vec<Verdict> {
    let mut clients = tokio::task::JoinSet::new();
    for client in 0..24 {
        let (processes, token) = (processes.to_vec(), token.to_owned());
        clients.spawn(async move {
            let mut verdicts = Vec::new();
            for round in (client..requests).step_by(24) {
                verdicts.push(check(&processes[round % processes.len()], &token, 1).await);
            }
            verdicts
        });
    }
    clients.join_all().await.concat()
}

fn allowed(verdicts: &[Verdict]) -> usize {
    verdicts.iter().filter(|verdict| matches!(verdict, Verdict::Allowed(_))).count()
}

async fn admin_of(keyward: &Keyward, name: &str) -> Caller {
    let created = testkit::region(keyward, name).await;
    keyward.authenticator().authenticate(&created.api_key.token, CLIENT).await.unwrap()
}

fn limited(limit: u64, period_s: u32) -> KeyPolicy {
    KeyPolicy {
        rate_limits: json(serde_json::json!([{"name": "requests", "limit": limit, "period_s": period_s}])),
        ..KeyPolicy::default()
    }
}

fn credits(remaining: u64) -> KeyPolicy {
    KeyPolicy { credits: Some(Credits { remaining, refill: None }), ..KeyPolicy::default() }
}

/// In one process a limit is exact: N allowed of N + k sent, each refusal
/// naming the limit and when its period ends.
#[tokio::test]
async fn a_rate_limit_is_exact_in_one_process() {
    let f = fixture(Settings::default()).await;
    let admin = admin_of(&f.keyward, "acme").await;
    let token = key_with(&f.keyward, &admin, limited(7, 3600)).await;
    let mut verdicts = Vec::new();
    for _ in 0..10 {
        verdicts.push(check(&f.keyward, &token, 1).await);
    }
    assert_eq!(allowed(&verdicts), 7);
    let Verdict::Allowed(last) = &verdicts[6] else { panic!("{:?}", verdicts[6]) };
    assert_eq!(last.rate_limits[0].remaining, 0);
    let Verdict::Refused(Refusal::RateLimited { limit }) = &verdicts[9] else { panic!("{:?}", verdicts[9]) };
    assert_eq!((limit.name.as_str(), limit.limit, limit.remaining), ("requests", 7, 0));
    assert!((1..=3600).contains(&limit.reset_s), "{limit:?}");
}

/// Concurrent requests in one process still pass exactly the limit.
#[tokio::test]
async fn concurrent_requests_pass_exactly_the_limit() {
    let f = fixture(Settings::default()).await;
    let admin = admin_of(&f.keyward, "acme").await;
    let token = key_with(&f.keyward, &admin, limited(50, 3600)).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..80 {
        let (keyward, token) = (f.keyward.clone(), token.clone());
        tasks.spawn(async move { check(&keyward, &token, 1).await });
    }
    let verdicts = tasks.join_all().await;
    assert_eq!(allowed(&verdicts), 50);
}

/// Every key of an owner shares the owner's limits and credits.
#[tokio::test]
async fn keys_of_one_owner_share_its_limits_and_credits() {
    let f = fixture(Settings::default()).await;
    let admin = admin_of(&f.keyward, "acme").await;
    let new = NewOwner {
        external_id: json(serde_json::json!("customer-4711")),
        meta: json(serde_json::json!({"plan": "pro"})),
        rate_limits: json(serde_json::json!([{"name": "owner", "limit": 5, "period_s": 3600}])),
        credits: Some(Credits { remaining: 4, refill: None }),
    };
    let owner = f.keyward.owners().create(&admin, new).await.unwrap();
    let owned = KeyPolicy { owner_id: Some(owner.id.clone()), ..KeyPolicy::default() };
    let first = key_with(&f.keyward, &admin, owned.clone()).await;
    let second = key_with(&f.keyward, &admin, owned).await;
    let mut verdicts = Vec::new();
    for token in [&first, &second, &first, &second, &first, &second] {
        verdicts.push(check(&f.keyward, token, 1).await);
    }
    assert_eq!(allowed(&verdicts), 4, "{verdicts:?}");
    assert!(matches!(verdicts[5], Verdict::Refused(Refusal::CreditsExhausted { retry_after: None })));
    let Verdict::Allowed(grant) = &verdicts[0] else { panic!() };
    let identity = grant.owner.as_ref().expect("the owner");
    assert_eq!(
        (identity.external_id.as_str(), identity.meta.clone()),
        ("customer-4711", json(serde_json::json!({"plan": "pro"})))
    );
    assert_eq!(f.keyward.owners().get(&admin, &owner.id).await.unwrap().key_count, 2);
}

/// Credits are spent by cost, refused at 0 with nothing spent, and a cost
/// of 0 only looks.
#[tokio::test]
async fn credits_are_spent_by_cost_and_refused_at_zero() {
    let f = fixture(Settings::default()).await;
    let admin = admin_of(&f.keyward, "acme").await;
    let token = key_with(&f.keyward, &admin, credits(10)).await;
    assert!(matches!(check(&f.keyward, &token, 0).await, Verdict::Allowed(_)));
    let Verdict::Allowed(grant) = check(&f.keyward, &token, 7).await else { panic!() };
    assert_eq!(grant.credits.map(|credits| credits.remaining), Some(3));
    assert!(matches!(check(&f.keyward, &token, 4).await, Verdict::Refused(Refusal::CreditsExhausted { .. })));
    assert!(matches!(check(&f.keyward, &token, 3).await, Verdict::Allowed(_)));
    assert!(matches!(check(&f.keyward, &token, 1).await, Verdict::Refused(Refusal::CreditsExhausted { .. })));
    assert!(matches!(check(&f.keyward, &token, 0).await, Verdict::Refused(Refusal::CreditsExhausted { .. })));
}

/// Several processes on one database, under concurrent load: credits are
/// never over-spent, and a clean stop gives back what each held, so the
/// accepted plus the remaining are the starting credits.
#[tokio::test]
async fn credits_are_never_over_spent_by_several_processes() {
    let test_db = TestDb::fresh().await;
    let processes = [
        test_db.keyward(Settings::default()).await,
        test_db.keyward(Settings::default()).await,
        test_db.keyward(Settings::default()).await,
    ];
    let admin = admin_of(&processes[0], "acme").await;
    let (key_id, token) = new_key(&processes[0], &admin, credits(300)).await;
    let accepted = allowed(&load(&processes, &token, 450).await) as u64;
    assert!(accepted <= 300, "over-spent: {accepted}");
    for process in &processes {
        process.give_back_credits().await.unwrap();
    }
    let remaining = processes[0].keys().get(&admin, &key_id).await.unwrap().credits.unwrap().remaining;
    assert_eq!(accepted + remaining, 300, "nothing lost: {accepted} accepted, {remaining} remaining");
}

/// Two and three processes share one limit through the database: together
/// they accept no more than the limit, and within 10 % of it.
#[tokio::test]
async fn a_rate_limit_holds_across_processes() {
    let test_db = TestDb::fresh().await;
    let first = test_db.keyward(Settings::default()).await;
    let admin = admin_of(&first, "acme").await;
    for count in [2, 3] {
        let mut processes = vec![first.clone()];
        for _ in 1..count {
            processes.push(test_db.keyward(Settings::default()).await);
        }
        let token = key_with(&first, &admin, limited(640, 3600)).await;
        let accepted = allowed(&load(&processes, &token, 900).await);
        assert!((576..=640).contains(&accepted), "{count} processes accepted {accepted} of a limit of 640");
    }
}

/// A key limited to networks is refused from elsewhere, and counted.
#[tokio::test]
async fn a_key_is_refused_outside_its_networks() {
    let f = fixture(Settings::default()).await;
    let admin = admin_of(&f.keyward, "acme").await;
    let policy = KeyPolicy { allowed_networks: json(serde_json::json!(["10.0.0.0/8", "::1"])), ..KeyPolicy::default() };
    let token = key_with(&f.keyward, &admin, policy).await;
    assert!(matches!(check_from(&f.keyward, &token, 1, "10.1.2.3".parse().unwrap()).await, Verdict::Allowed(_)));
    assert!(matches!(check_from(&f.keyward, &token, 1, "::1".parse().unwrap()).await, Verdict::Allowed(_)));
    let outside = check_from(&f.keyward, &token, 1, "192.0.2.1".parse().unwrap()).await;
    assert!(matches!(outside, Verdict::Refused(Refusal::NetworkNotAllowed)), "{outside:?}");
    let signed_in = f.keyward.sessions().sign_in(&token, "192.0.2.1".parse().unwrap()).await;
    assert!(matches!(signed_in, Err(Error::NetworkNotAllowed)), "{:?}", signed_in.err());
}

/// A rotation's new key gets the old key's owner, limits, networks and
/// meta, and spends the same budget: rotating never doubles one.
#[tokio::test]
async fn a_rotation_never_doubles_a_budget() {
    let f = fixture(Settings::default()).await;
    let admin = admin_of(&f.keyward, "acme").await;
    let policy = KeyPolicy {
        meta: json(serde_json::json!({"tier": "gold"})),
        allowed_networks: json(serde_json::json!(["127.0.0.0/8"])),
        ..KeyPolicy { credits: Some(Credits { remaining: 6, refill: None }), ..limited(100, 3600) }
    };
    let (old_id, old) = new_key(&f.keyward, &admin, policy.clone()).await;
    for _ in 0..3 {
        assert!(matches!(check(&f.keyward, &old, 1).await, Verdict::Allowed(_)));
    }
    let started = f.keyward.rotations().start(&admin, &old_id, None).await.unwrap();
    let new_key = started.new_key.key.clone();
    // The old key's process holds what it took and did not spend yet.
    let remaining = new_key.credits.expect("the shared credits").remaining;
    assert!(remaining <= 3, "{remaining}");
    assert_eq!(new_key.policy(), KeyPolicy { credits: new_key.credits, ..policy });
    let mut verdicts = Vec::new();
    for token in [&started.new_key.token, &old, &started.new_key.token, &old] {
        verdicts.push(check(&f.keyward, token, 1).await);
    }
    assert_eq!(allowed(&verdicts), 3, "{verdicts:?}");

    // The new key cannot set the budget it shares through the old key.
    let (_, new_caller) = f.keyward.sessions().sign_in(&started.new_key.token, CLIENT).await.unwrap();
    let refill = KeyUpdate { credits: Some(Some(Credits { remaining: 100, refill: None })), ..KeyUpdate::default() };
    assert!(matches!(f.keyward.keys().update(&new_caller, &old_id, refill).await, Err(Error::OwnPolicy)));
}

/// Credits a process holds are never given back onto a value set after
/// it took them.
#[tokio::test]
async fn a_clean_stop_gives_nothing_back_onto_credits_set_since() {
    let test_db = TestDb::fresh().await;
    let spender = test_db.keyward(Settings::default()).await;
    let admin_process = test_db.keyward(Settings::default()).await;
    let admin = admin_of(&admin_process, "acme").await;
    let (key_id, token) = new_key(&admin_process, &admin, credits(1000)).await;
    for _ in 0..40 {
        assert!(matches!(check(&spender, &token, 1).await, Verdict::Allowed(_)));
    }
    let cut_off = KeyUpdate { credits: Some(Some(Credits { remaining: 0, refill: None })), ..KeyUpdate::default() };
    admin_process.keys().update(&admin, &key_id, cut_off).await.unwrap();
    spender.give_back_credits().await.unwrap();
    let remaining = admin_process.keys().get(&admin, &key_id).await.unwrap().credits.unwrap().remaining;
    assert_eq!(remaining, 0, "cut off stays cut off");
}

/// A key bound by a policy gives no looser one, to a key or to an owner.
#[tokio::test]
async fn a_bound_key_cannot_loosen_a_policy() {
    let f = fixture(Settings::default()).await;
    let admin = admin_of(&f.keyward, "acme").await;
    let bound_token = key_with(
        &f.keyward,
        &admin,
        KeyPolicy { credits: Some(Credits { remaining: 100, refill: None }), ..limited(10, 60) },
    )
    .await;
    let bound = f.keyward.authenticator().authenticate(&bound_token, CLIENT).await.unwrap();
    let unlimited = f.keyward.keys().create(&bound, NewKey::default(), None).await;
    assert!(matches!(unlimited, Err(Error::PolicyEscalation)), "{:?}", unlimited.err());
    let tighter = KeyPolicy { credits: Some(Credits { remaining: 50, refill: None }), ..limited(5, 60) };
    let created = f.keyward.keys().create(&bound, NewKey { policy: tighter, ..NewKey::default() }, None).await.unwrap();
    let loosen = KeyUpdate { rate_limits: Some(Default::default()), ..KeyUpdate::default() };
    let loosened = f.keyward.keys().update(&bound, &created.key.id, loosen).await;
    assert!(matches!(loosened, Err(Error::PolicyEscalation)), "{:?}", loosened.err());
    let owner = NewOwner {
        external_id: json(serde_json::json!("free")),
        meta: Default::default(),
        rate_limits: Default::default(),
        credits: None,
    };
    assert!(matches!(f.keyward.owners().create(&bound, owner).await, Err(Error::PolicyEscalation)));
    assert_eq!(f.keyward.keys().get(&admin, &created.key.id).await.unwrap().rate_limits, created.key.rate_limits);

    // A key bound only through its owner loosens neither that owner nor touches another.
    let new_owner = |id: &str| NewOwner {
        external_id: json(serde_json::json!(id)),
        meta: Default::default(),
        rate_limits: Default::default(),
        credits: Some(Credits { remaining: 100, refill: None }),
    };
    let own = f.keyward.owners().create(&admin, new_owner("own")).await.unwrap();
    let other = f.keyward.owners().create(&admin, new_owner("other")).await.unwrap();
    let owned = KeyPolicy { owner_id: Some(own.id.clone()), ..KeyPolicy::default() };
    let owned = f
        .keyward
        .keys()
        .create(
            &admin,
            NewKey { scopes: Some("keys:write".parse().unwrap()), policy: owned, ..NewKey::default() },
            None,
        )
        .await
        .unwrap();
    let owned = f.keyward.authenticator().authenticate(&owned.token, CLIENT).await.unwrap();
    let more =
        OwnerUpdate { credits: Some(Some(Credits { remaining: 1_000_000, refill: None })), ..OwnerUpdate::default() };
    assert!(matches!(f.keyward.owners().update(&owned, &own.id, more).await, Err(Error::PolicyEscalation)));
    let rename = OwnerUpdate { meta: Some(json(serde_json::json!({"x": 1}))), ..OwnerUpdate::default() };
    assert!(matches!(f.keyward.owners().update(&owned, &other.id, rename).await, Err(Error::PolicyEscalation)));
    assert!(matches!(f.keyward.owners().delete(&owned, &other.id).await, Err(Error::PolicyEscalation)));
    let fewer = OwnerUpdate { credits: Some(Some(Credits { remaining: 10, refill: None })), ..OwnerUpdate::default() };
    f.keyward.owners().update(&owned, &own.id, fewer).await.expect("tightening its own owner");
}

/// Owners: unique external ids, not deleted while they own keys, other
/// regions' owners as absent as unknown ones, every change audited with
/// before and after.
#[tokio::test]
async fn owners_are_managed_and_audited() {
    let f = fixture(Settings::default()).await;
    let admin = admin_of(&f.keyward, "acme").await;
    let other = admin_of(&f.keyward, "other").await;
    let new = |id: &str| NewOwner {
        external_id: json(serde_json::json!(id)),
        meta: Default::default(),
        rate_limits: Default::default(),
        credits: None,
    };
    let owner = f.keyward.owners().create(&admin, new("team-a")).await.unwrap();
    assert!(matches!(f.keyward.owners().create(&admin, new("team-a")).await, Err(Error::ExternalIdTaken(_))));
    f.keyward.owners().create(&other, new("team-a")).await.expect("another region's ids are its own");
    assert!(matches!(f.keyward.owners().get(&other, &owner.id).await, Err(Error::OwnerNotFound)));
    let token =
        key_with(&f.keyward, &admin, KeyPolicy { owner_id: Some(owner.id.clone()), ..KeyPolicy::default() }).await;
    assert!(matches!(f.keyward.owners().delete(&admin, &owner.id).await, Err(Error::OwnerHasKeys { keys: 1 })));
    let update = OwnerUpdate { credits: Some(Some(Credits { remaining: 1, refill: None })), ..OwnerUpdate::default() };
    f.keyward.owners().update(&admin, &owner.id, update).await.unwrap();
    assert!(matches!(check(&f.keyward, &token, 1).await, Verdict::Allowed(_)));
    assert!(matches!(check(&f.keyward, &token, 1).await, Verdict::Refused(Refusal::CreditsExhausted { .. })));
    let key_id = f.keyward.authenticator().verdict(Some(&token), CLIENT, &[], 0, UseDetails::default()).await.unwrap();
    let Verdict::Refused(_) = key_id else { panic!("still exhausted") };
    let events = f.keyward.audit().page(&admin, &AuditQuery::default()).await.unwrap().events;
    let updated = events.iter().find(|event| event.action == AuditAction::OwnerUpdated).expect("audited");
    let Some(AuditChange::Owner { before, after, .. }) = &updated.change else { panic!("{updated:?}") };
    assert_eq!(
        (before.as_ref().unwrap().credits, after.as_ref().unwrap().credits.map(|c| c.remaining)),
        (None, Some(1))
    );
    assert!(events.iter().any(|event| event.action == AuditAction::ApiKeyPolicyChanged));
}

/// Credits are refilled at the start of their interval (UTC), once, by
/// whichever process takes a step first; what was left lapses.
#[tokio::test]
async fn credits_are_refilled_at_the_start_of_their_interval() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    use testkit::entity::credit_balance;
    let f = fixture(Settings::default()).await;
    let admin = admin_of(&f.keyward, "acme").await;
    let refill = serde_json::json!({"remaining": 2, "refill": {"amount": 5, "interval": "day"}});
    let policy = KeyPolicy { credits: Some(json(refill)), ..KeyPolicy::default() };
    let (key_id, token) = new_key(&f.keyward, &admin, policy).await;
    for _ in 0..2 {
        assert!(matches!(check(&f.keyward, &token, 1).await, Verdict::Allowed(_)));
    }
    let Verdict::Refused(Refusal::CreditsExhausted { retry_after: Some(wait) }) = check(&f.keyward, &token, 1).await
    else {
        panic!("exhausted until the next refill")
    };
    assert!((1..=86_400).contains(&wait));
    // The day turns: the balance was last refilled yesterday.
    credit_balance::Entity::update_many()
        .col_expr(credit_balance::Column::RefilledAt, Expr::value(chrono::Utc::now() - chrono::TimeDelta::days(1)))
        .filter(credit_balance::Column::HolderId.eq(key_id.as_str()))
        .exec(&f.db)
        .await
        .unwrap();
    // A fresh process (this one believes the balance empty for a second).
    let other = Keyward::new(f.test_db.connect().await, Settings::default());
    let mut allowed_after = 0;
    for _ in 0..7 {
        allowed_after += usize::from(matches!(check(&other, &token, 1).await, Verdict::Allowed(_)));
    }
    assert_eq!(allowed_after, 5, "refilled to the amount, not added to what was left");
}
