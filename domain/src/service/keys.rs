//! A region's keys: list, read, create, update and delete them, the
//! scheduled revocations coming due, and the guard every change passes: a
//! region always keeps a key that can manage its keys.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use super::audit::AuditEntry;
use super::owners::find_owner;
use crate::caller::Caller;
use crate::clock::now;
use crate::credentials::random;
use crate::credentials::secret_hash;
use crate::credentials::token::Token;
use crate::error::{Error, Result};
use crate::infra::change::Change;
use crate::infra::coherence::Coherence;
use crate::infra::metering::Metering;
use crate::infra::region_limits::NewKeys;
use crate::model::{
    ApiKey, AuditAction, AuditChange, CreatedApiKey, Description, InvalidInput, KeyAccess, KeyId, KeyPolicy, KeyState,
    KeyUpdate, NewKey, REVOKE_AT_MAX_DAYS, Region, RegionId, RegionOverview, Scopes, SignedInPerson,
};
use crate::store::database::Db;
use crate::store::entity::api_key;
use crate::store::{budgets, keys};

#[derive(Clone)]
pub struct Keys {
    db: Db,
    coherence: Coherence,
    new_keys: NewKeys,
    metering: Metering,
}

impl Keys {
    pub(crate) fn new(db: Db, coherence: Coherence, new_keys: NewKeys, metering: Metering) -> Self {
        Self { db, coherence, new_keys, metering }
    }

    /// The caller's region with its keys (`GET /auth/regions/me`): all of
    /// them with `keys:read`, otherwise the caller's own alone.
    pub async fn overview(&self, caller: &Caller) -> Result<RegionOverview> {
        let api_keys = if caller.scopes().allow(KeyAccess::Read) {
            self.list(caller).await?
        } else {
            // Deleted since it authenticated: as unknown as any other key.
            let key_id = caller.key_id().ok_or(Error::Unauthenticated)?;
            let own = keys::find_in_region(&self.db, &caller.region().id, key_id).await?;
            described(&self.db, vec![own.ok_or(Error::Unauthenticated)?]).await?
        };
        Ok(RegionOverview {
            region: caller.region().clone(),
            api_keys,
            current_api_key_id: caller.key_id().cloned(),
            signed_in_as: caller
                .person()
                .map(|person| SignedInPerson { person: person.clone(), scopes: caller.scopes().clone() }),
        })
    }

    /// The caller's keys, oldest first.
    pub async fn list(&self, caller: &Caller) -> Result<Vec<ApiKey>> {
        caller.require(KeyAccess::Read)?;
        described(&self.db, keys::in_region(&self.db, &caller.region().id).await?).await
    }

    pub async fn get(&self, caller: &Caller, key_id: &KeyId) -> Result<ApiKey> {
        caller.require(KeyAccess::Read)?;
        let row = find_own_key(&self.db, caller, key_id).await?;
        Ok(described(&self.db, vec![row]).await?.remove(0))
    }

    /// Creates a key in the caller's region (or in `region_id`, which must be
    /// the caller's own) with `new.scopes`, or the caller's own when `None`,
    /// and `new.policy`, within the caller's own. The returned value is the
    /// only one that ever carries the token.
    pub async fn create(&self, caller: &Caller, new: NewKey, region_id: Option<&RegionId>) -> Result<CreatedApiKey> {
        ensure_own_region(caller, region_id)?;
        caller.require(KeyAccess::Write)?;
        let NewKey { description, scopes, policy } = new;
        let scopes = scopes.unwrap_or_else(|| caller.scopes().clone());
        caller.ensure_may_grant(&scopes, &Scopes::default())?;
        caller.ensure_may_bind_key(policy.owner_id.as_ref(), &policy.budget(), &policy.allowed_networks)?;
        self.new_keys.admit(&self.db, &caller.region().id).await?;
        let (row, token) = new_key_row(caller.region(), description, scopes, &policy).await?;
        let mut change = Change::by(&self.db, &self.coherence, caller).await?;
        self.new_keys.ensure_room(&change, &caller.region().id).await?;
        if let Some(owner_id) = &policy.owner_id {
            find_owner(&change, &caller.region().id, owner_id).await?;
        }
        let row = insert_key(&mut change, row, Some(caller), &policy).await?;
        budgets::set_credits(&change, &row.region_id, row.id.as_str(), policy.credits, now()).await?;
        change.commit().await?;
        let key = described(&self.db, vec![row]).await?.remove(0);
        Ok(CreatedApiKey { key, token: token.into_string() })
    }

    /// Changes a key's description, scopes or scheduled revocation; each
    /// change is audited with what it was before.
    pub async fn update(&self, caller: &Caller, key_id: &KeyId, update: KeyUpdate) -> Result<ApiKey> {
        // Refused before the region's lock is taken, and again under it.
        caller.require(KeyAccess::Write)?;
        let mut change = Change::by(&self.db, &self.coherence, caller).await?;
        let key = update_key(&mut change, caller, key_id, update).await?;
        change.commit().await?;
        self.metering.balance_set(key.budget_holder().as_str());
        Ok(described(&self.db, vec![key]).await?.remove(0))
    }

    /// Issues a key in `region` for the operator (the CLI), whatever the
    /// region's own keys may do: the way back into a region whose managing
    /// keys were all quarantined. `scopes` default to `*`.
    pub async fn issue(
        &self,
        region: &Region,
        description: Option<Description>,
        scopes: Option<Scopes>,
    ) -> Result<CreatedApiKey> {
        let policy = KeyPolicy::default();
        let (row, token) = new_key_row(region, description, scopes.unwrap_or_else(Scopes::all), &policy).await?;
        let mut change = Change::in_region(&self.db, &self.coherence, &region.id).await?;
        let row = insert_key(&mut change, row, None, &policy).await?;
        change.commit().await?;
        Ok(CreatedApiKey { key: row.into(), token: token.into_string() })
    }

    /// Deletes a key of the caller's region, unless the region
    /// would be left without a key that can manage its keys.
    pub async fn delete(&self, caller: &Caller, key_id: &KeyId, region_id: Option<&RegionId>) -> Result<()> {
        ensure_own_region(caller, region_id)?;
        caller.require(KeyAccess::Write)?;
        let mut change = Change::by(&self.db, &self.coherence, caller).await?;
        match delete_key(&mut change, caller, key_id).await {
            // Perhaps a concurrent request deleted it and still waits for every
            // process to apply that: "no such key" must not be heard before.
            Err(Error::KeyNotFound) => {
                drop(change);
                self.coherence.settle_all().await?;
                Err(Error::KeyNotFound)
            }
            Err(error) => Err(error),
            Ok(()) => change.commit().await,
        }
    }

    /// Deletes the keys whose scheduled revocation came due, each audited as
    /// `api_key.revoked_on_schedule`. They were refused from that instant
    /// already; this only removes them. Safe to run from every process at
    /// once: each key is checked again under its region's lock.
    pub async fn revoke_due(&self) -> Result<usize> {
        let due = keys::due_for_revocation(&self.db, now()).await?;
        let mut revoked = 0;
        for (key_id, region_id) in due {
            let mut change = Change::in_region(&self.db, &self.coherence, &region_id).await?;
            let Some(key) = keys::find_in_region(&change, &region_id, &key_id).await? else { continue };
            if !key.is_revoked_at(now()) {
                continue;
            }
            delete_row(&mut change, &key).await?;
            AuditEntry::new(&region_id, AuditAction::ApiKeyRevokedOnSchedule).key(&key).record(&change).await?;
            change.commit().await?;
            revoked += 1;
        }
        Ok(revoked)
    }
}

fn ensure_own_region(caller: &Caller, region_id: Option<&RegionId>) -> Result<()> {
    match region_id {
        Some(id) if *id != caller.region().id => Err(Error::ForeignRegion),
        _ => Ok(()),
    }
}

/// A key of the caller's region; other regions' keys are as absent as
/// unknown ids.
pub(crate) async fn find_own_key(db: &impl ConnectionTrait, caller: &Caller, key_id: &KeyId) -> Result<api_key::Model> {
    keys::find_in_region(db, &caller.region().id, key_id).await?.ok_or(Error::KeyNotFound)
}

/// The guard of every change that could take a region's management away
/// (deleting, re-scoping or scheduling a key): checked after the change,
/// inside its transaction, which must come from [`Change::by`] so that the
/// region lock keeps concurrent changes from each counting "one other
/// left". `LastKey` (and the transaction rolls back) when no remaining key
/// manages the region ([`KeyState::manages_region`]: holding `keys:write`,
/// neither scheduled for revocation nor quarantined).
///
/// The rule is the model's, applied to the region's keys as loaded here
/// (what the console applies to the keys it lists), not restated in SQL:
/// a region holds few keys, scopes are decided in Rust anyway, and the
/// lock is held either way.
async fn ensure_region_stays_managed(change: &Change, region_id: &RegionId) -> Result<()> {
    let remaining = keys::management_in_region(change, region_id).await?;
    let at = now();
    let managed = remaining
        .iter()
        .any(|(scopes, revoke_at, quarantined)| KeyState::at(*revoke_at, *quarantined, at).manages_region(scopes));
    if managed { Ok(()) } else { Err(Error::LastKey) }
}

/// Deletes a key of the caller's region, with its audit event, through the
/// guard ([`ensure_region_stays_managed`]). A quarantined key never counted,
/// so it can go even when no managing key is left.
pub(crate) async fn delete_key(change: &mut Change, caller: &Caller, key_id: &KeyId) -> Result<()> {
    caller.require(KeyAccess::Write)?;
    let key = find_own_key(change, caller, key_id).await?;
    let region_id = &caller.region().id;
    delete_row(change, &key).await?;
    if !key.is_quarantined() {
        ensure_region_stays_managed(change, region_id).await?;
    }
    AuditEntry::new(region_id, AuditAction::ApiKeyDeleted).key(&key).actor(caller).record(change).await
}

/// Deletes a key's row, keeping its lookup and secret hash as a retired key
/// so that a leak report of its token is still recognised ([`super::leaks`]).
async fn delete_row(change: &mut Change, key: &api_key::Model) -> Result<()> {
    change.key_removed(&key.lookup);
    keys::delete_and_retire(&*change, key, now()).await
}

/// Applies `update` to a key of the caller's region: scopes only within the
/// caller's own ([`Caller::ensure_may_grant`]), a revocation only within
/// [`REVOKE_AT_MAX_DAYS`], and both through the guard. Every cache hears of
/// a change of scopes or schedule before it is answered. What equals the
/// stored value is no change: not audited, `updated_at` stays.
pub(crate) async fn update_key(
    change: &mut Change,
    caller: &Caller,
    key_id: &KeyId,
    update: KeyUpdate,
) -> Result<api_key::Model> {
    caller.require(KeyAccess::Write)?;
    if update.is_empty() {
        return Err(InvalidInput(
            "give a description, scopes, revoke_at, owner_id, meta, rate_limits, credits or allowed_networks to change"
                .to_owned(),
        )
        .into());
    }
    let revoke_at = update.revoke_at.map(|at| at.map(check_revoke_at).transpose()).transpose()?;
    let before = find_own_key(change, caller, key_id).await?;
    // A key that came due is revoked, only not yet swept away: nothing
    // brings it back, not even cancelling its schedule.
    if before.is_revoked_at(now()) {
        return Err(Error::KeyNotFound);
    }
    if before.is_quarantined() && (update.scopes.is_some() || update.revoke_at.is_some()) {
        return Err(Error::QuarantineIsFinal);
    }
    let mut events = Vec::new();
    let mut row: api_key::ActiveModel = before.clone().into();
    if let Some(description) = update.description.map(|text| text.map(String::from))
        && description != before.description
    {
        row.description = Set(description);
        events.push((AuditAction::ApiKeyUpdated, None));
    }
    if let Some(scopes) = update.scopes.filter(|scopes| *scopes != before.scopes) {
        caller.ensure_may_grant(&scopes, &before.scopes)?;
        let change = AuditChange::Scopes { before: before.scopes.clone(), after: scopes.clone() };
        events.push((AuditAction::ApiKeyScopesChanged, Some(change)));
        row.scopes = Set(scopes);
    }
    if let Some(revoke_at) = revoke_at.filter(|revoke_at| *revoke_at != before.revoke_at) {
        let change = AuditChange::RevokeAt { before: before.revoke_at, after: revoke_at };
        events.push((AuditAction::ApiKeyRevocationScheduled, Some(change)));
        row.revoke_at = Set(revoke_at);
    }
    let region_id = &caller.region().id;
    let policy_before = policy_of(change, &before).await?;
    let policy_after = KeyPolicy {
        owner_id: update.owner_id.unwrap_or_else(|| policy_before.owner_id.clone()),
        meta: update.meta.unwrap_or_else(|| policy_before.meta.clone()),
        rate_limits: update.rate_limits.unwrap_or_else(|| policy_before.rate_limits.clone()),
        credits: update.credits.unwrap_or(policy_before.credits),
        allowed_networks: update.allowed_networks.unwrap_or_else(|| policy_before.allowed_networks.clone()),
    };
    if policy_after != policy_before {
        if before.is_quarantined() {
            return Err(Error::QuarantineIsFinal);
        }
        // Not its own, nor that of the key it shares a budget with (a rotation's other key).
        let caller_key = match caller.key_id() {
            Some(key_id) => keys::find_in_region(&*change, region_id, key_id).await?,
            None => None,
        };
        if caller_key.is_some_and(|own| own.budget_holder() == before.budget_holder()) {
            return Err(Error::OwnPolicy);
        }
        let binding = (&policy_after.owner_id, policy_after.budget(), &policy_after.allowed_networks);
        if binding != (&policy_before.owner_id, policy_before.budget(), &policy_before.allowed_networks) {
            caller.ensure_may_bind_key(binding.0.as_ref(), &binding.1, binding.2)?;
        }
        if let Some(owner_id) = policy_after.owner_id.as_ref().filter(|&id| Some(id) != policy_before.owner_id.as_ref())
        {
            find_owner(&*change, region_id, owner_id).await?;
        }
        if policy_after.credits != policy_before.credits {
            let holder = before.budget_holder();
            budgets::set_credits(&*change, region_id, holder.as_str(), policy_after.credits, now()).await?;
            // Every key spending this budget holds its credits in its cached policy.
            for lookup in keys::lookups_spending(&*change, holder).await? {
                change.key_changed(&lookup);
            }
        }
        row.owner_id = Set(policy_after.owner_id.clone());
        row.meta = Set(policy_after.meta.clone());
        row.rate_limits = Set(policy_after.rate_limits.clone());
        row.allowed_networks = Set(policy_after.allowed_networks.clone());
        let audited = AuditChange::Policy { before: Box::new(policy_before), after: Box::new(policy_after) };
        events.push((AuditAction::ApiKeyPolicyChanged, Some(audited)));
    }
    if events.is_empty() {
        return Ok(before);
    }
    row.updated_at = Set(now());
    let key = row.update(&*change).await?;
    for (action, audited) in &events {
        AuditEntry::new(region_id, *action).key(&key).actor(caller).change(audited.clone()).record(change).await?;
    }
    if events.iter().any(|(_, audited)| audited.is_some()) {
        ensure_region_stays_managed(change, region_id).await?;
        change.key_changed(&key.lookup);
    }
    Ok(key)
}

/// A revocation must be in the future and at most [`REVOKE_AT_MAX_DAYS`]
/// ahead; kept to the millisecond, as every database stores it alike.
fn check_revoke_at(at: DateTime<Utc>) -> Result<DateTime<Utc>, InvalidInput> {
    use chrono::SubsecRound;
    let at = at.trunc_subsecs(3);
    let current = now();
    if at <= current {
        return Err(InvalidInput("revoke_at must be in the future".to_owned()));
    }
    if at > current + TimeDelta::days(REVOKE_AT_MAX_DAYS) {
        return Err(InvalidInput(format!("revoke_at must be at most {REVOKE_AT_MAX_DAYS} days ahead")));
    }
    Ok(at)
}

/// Stores a new key and its audit events (its policy's too, unless it has
/// none); `actor` is `None` for the CLI.
pub(crate) async fn insert_key(
    change: &mut Change,
    row: api_key::ActiveModel,
    actor: Option<&Caller>,
    policy: &KeyPolicy,
) -> Result<api_key::Model> {
    let key = row.insert(&*change).await?;
    let granted = AuditChange::Scopes { before: Scopes::default(), after: key.scopes.clone() };
    AuditEntry::new(&key.region_id, AuditAction::ApiKeyCreated)
        .key(&key)
        .actor(actor)
        .change(granted)
        .record(change)
        .await?;
    if *policy != KeyPolicy::default() {
        let given = AuditChange::Policy { before: Box::default(), after: Box::new(policy.clone()) };
        AuditEntry::new(&key.region_id, AuditAction::ApiKeyPolicyChanged)
            .key(&key)
            .actor(actor)
            .change(given)
            .record(change)
            .await?;
    }
    change.key_added(&key.lookup);
    Ok(key)
}

/// A key's policy as stored: its row and its budget's credits.
pub(crate) async fn policy_of(db: &impl ConnectionTrait, key: &api_key::Model) -> Result<KeyPolicy> {
    let holder = key.budget_holder().to_string();
    let credits = budgets::credits_of(db, [holder.clone()], now()).await?.remove(&holder);
    Ok(KeyPolicy {
        owner_id: key.owner_id.clone(),
        meta: key.meta.clone(),
        rate_limits: key.rate_limits.clone(),
        credits,
        allowed_networks: key.allowed_networks.clone(),
    })
}

/// Keys as they leave the domain, with the credits their budgets hold.
pub(crate) async fn described(db: &impl ConnectionTrait, rows: Vec<api_key::Model>) -> Result<Vec<ApiKey>> {
    let holders: Vec<String> = rows.iter().map(|row| row.budget_holder().to_string()).collect();
    let credits = budgets::credits_of(db, holders, now()).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let credits = credits.get(row.budget_holder().as_str()).copied();
            ApiKey { credits, ..row.into() }
        })
        .collect())
}

/// A fresh token and the row that stores only its hash. Hashes before any
/// lock is taken: argon2 is slow by design.
pub(crate) async fn new_key_row(
    region: &Region,
    description: Option<Description>,
    scopes: Scopes,
    policy: &KeyPolicy,
) -> Result<(api_key::ActiveModel, Token)> {
    let token = Token::generate(region.environment());
    let secret_hash = secret_hash::hash_in_turn(token.secret().to_owned(), &region.id).await?;
    let at = now();
    let row = api_key::ActiveModel {
        id: Set(random::id::<KeyId>()),
        region_id: Set(region.id.clone()),
        lookup: Set(token.lookup().to_owned()),
        secret_hash: Set(secret_hash),
        preview: Set(token.preview()),
        description: Set(description.map(String::from)),
        created_at: Set(at),
        updated_at: Set(at),
        last_used_at: Set(None),
        scopes: Set(scopes),
        revoke_at: Set(None),
        quarantine: Set(None),
        owner_id: Set(policy.owner_id.clone()),
        budget_key_id: Set(None),
        meta: Set(policy.meta.clone()),
        rate_limits: Set(policy.rate_limits.clone()),
        allowed_networks: Set(policy.allowed_networks.clone()),
        ..Default::default()
    };
    Ok((row, token))
}
