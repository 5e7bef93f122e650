//! A region's owners: list, read, create, update and delete them. An owner's
//! limits and credits bind every key it owns, so a change to them reaches
//! every process's cache of those keys before it is answered.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use super::audit::AuditEntry;
use crate::caller::Caller;
use crate::clock::now;
use crate::credentials::random;
use crate::error::{Error, Result};
use crate::infra::change::Change;
use crate::infra::coherence::Coherence;
use crate::infra::metering::Metering;
use crate::model::{AuditAction, AuditChange, KeyAccess, NewOwner, Owner, OwnerId, OwnerUpdate, RegionId};
use crate::store::database::Db;
use crate::store::entity::owner;
use crate::store::{budgets, is_unique_violation, keys, owners};

#[derive(Clone)]
pub struct Owners {
    db: Db,
    coherence: Coherence,
    metering: Metering,
}

impl Owners {
    pub(crate) fn new(db: Db, coherence: Coherence, metering: Metering) -> Self {
        Self { db, coherence, metering }
    }

    /// The caller's region's owners, by external id.
    pub async fn list(&self, caller: &Caller) -> Result<Vec<Owner>> {
        caller.require(KeyAccess::Read)?;
        described(&self.db, owners::in_region(&self.db, &caller.region().id).await?).await
    }

    pub async fn get(&self, caller: &Caller, owner_id: &OwnerId) -> Result<Owner> {
        caller.require(KeyAccess::Read)?;
        let row = find_owner(&self.db, &caller.region().id, owner_id).await?;
        Ok(described(&self.db, vec![row]).await?.remove(0))
    }

    /// Creates an owner, within the caller's own policy.
    pub async fn create(&self, caller: &Caller, new: NewOwner) -> Result<Owner> {
        caller.require(KeyAccess::Write)?;
        caller.ensure_may_bind_owner(None, Some(&new.budget()))?;
        let change = Change::by(&self.db, &self.coherence, caller).await?;
        let at = now();
        let id = random::id::<OwnerId>();
        let region_id = &caller.region().id;
        let row = owner::ActiveModel {
            id: Set(id.clone()),
            region_id: Set(region_id.clone()),
            external_id: Set(new.external_id.clone()),
            meta: Set(new.meta.clone()),
            rate_limits: Set(new.rate_limits.clone()),
            created_at: Set(at),
            updated_at: Set(at),
        };
        let row = row.insert(&change).await.map_err(|error| taken(error, &new))?;
        budgets::set_credits(&change, region_id, id.as_str(), new.credits, at).await?;
        let audited = AuditChange::Owner { id, before: None, after: Some(Box::new(new)) };
        AuditEntry::new(region_id, AuditAction::OwnerCreated).actor(caller).change(audited).record(&change).await?;
        change.commit().await?;
        Ok(described(&self.db, vec![row]).await?.remove(0))
    }

    /// Changes an owner's external id, meta, limits or credits, within the
    /// caller's own policy; audited with before and after. Every process
    /// forgets the owner's keys before this answers.
    pub async fn update(&self, caller: &Caller, owner_id: &OwnerId, update: OwnerUpdate) -> Result<Owner> {
        caller.require(KeyAccess::Write)?;
        if update.is_empty() {
            return Err(crate::model::InvalidInput(
                "give an external_id, meta, rate_limits or credits to change".to_owned(),
            )
            .into());
        }
        let mut change = Change::by(&self.db, &self.coherence, caller).await?;
        let region_id = &caller.region().id;
        let before_row = find_owner(&change, region_id, owner_id).await?;
        let before = settings(&change, &before_row).await?;
        let after = NewOwner {
            external_id: update.external_id.unwrap_or_else(|| before.external_id.clone()),
            meta: update.meta.unwrap_or_else(|| before.meta.clone()),
            rate_limits: update.rate_limits.unwrap_or_else(|| before.rate_limits.clone()),
            credits: update.credits.unwrap_or(before.credits),
        };
        if after == before {
            return Ok(described(&self.db, vec![before_row]).await?.remove(0));
        }
        let budget = after.budget();
        caller.ensure_may_bind_owner(Some(owner_id), (budget != before.budget()).then_some(&budget))?;
        let at = now();
        let mut row: owner::ActiveModel = before_row.into();
        row.external_id = Set(after.external_id.clone());
        row.meta = Set(after.meta.clone());
        row.rate_limits = Set(after.rate_limits.clone());
        row.updated_at = Set(at);
        let row = row.update(&change).await.map_err(|error| taken(error, &after))?;
        if after.credits != before.credits {
            budgets::set_credits(&change, region_id, owner_id.as_str(), after.credits, at).await?;
        }
        // The owner's keys: their cached policies are stale now.
        for lookup in keys::lookups_of_owner(&change, owner_id).await? {
            change.key_changed(&lookup);
        }
        let audited =
            AuditChange::Owner { id: owner_id.clone(), before: Some(Box::new(before)), after: Some(Box::new(after)) };
        AuditEntry::new(region_id, AuditAction::OwnerUpdated).actor(caller).change(audited).record(&change).await?;
        change.commit().await?;
        self.metering.balance_set(owner_id.as_str());
        Ok(described(&self.db, vec![row]).await?.remove(0))
    }

    /// Deletes an owner that owns no key (`OwnerHasKeys` otherwise).
    pub async fn delete(&self, caller: &Caller, owner_id: &OwnerId) -> Result<()> {
        caller.require(KeyAccess::Write)?;
        let change = Change::by(&self.db, &self.coherence, caller).await?;
        let region_id = &caller.region().id;
        let row = find_owner(&change, region_id, owner_id).await?;
        caller.ensure_may_bind_owner(Some(owner_id), None)?;
        let owned = keys::count_of_owner(&change, owner_id).await?;
        if owned > 0 {
            return Err(Error::OwnerHasKeys { keys: owned });
        }
        let before = settings(&change, &row).await?;
        owners::delete(&change, owner_id).await?;
        budgets::set_credits(&change, region_id, owner_id.as_str(), None, now()).await?;
        let audited = AuditChange::Owner { id: owner_id.clone(), before: Some(Box::new(before)), after: None };
        AuditEntry::new(region_id, AuditAction::OwnerDeleted).actor(caller).change(audited).record(&change).await?;
        change.commit().await
    }
}

/// An owner of `region_id`; other regions' owners are as absent as unknown ids.
pub(crate) async fn find_owner(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    owner_id: &OwnerId,
) -> Result<owner::Model> {
    owners::find_in_region(db, region_id, owner_id).await?.ok_or(Error::OwnerNotFound)
}

/// An owner's settings as created and audited.
async fn settings(db: &impl ConnectionTrait, row: &owner::Model) -> Result<NewOwner> {
    let credits = budgets::credits_of(db, [row.id.to_string()], now()).await?.remove(row.id.as_str());
    Ok(NewOwner {
        external_id: row.external_id.clone(),
        meta: row.meta.clone(),
        rate_limits: row.rate_limits.clone(),
        credits,
    })
}

/// Owners as they leave the domain, with their credits and key counts.
async fn described(db: &impl ConnectionTrait, rows: Vec<owner::Model>) -> Result<Vec<Owner>> {
    let ids: Vec<String> = rows.iter().map(|row| row.id.to_string()).collect();
    let mut credits = budgets::credits_of(db, ids.clone(), now()).await?;
    let counts = keys::counts_by_owner(db, ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let key_count = counts
                .iter()
                .find(|(owner_id, _)| owner_id.as_ref() == Some(&row.id))
                .map_or(0, |(_, count)| u64::try_from(*count).unwrap_or_default());
            Owner {
                credits: credits.remove(row.id.as_str()),
                id: row.id,
                external_id: row.external_id,
                meta: row.meta,
                rate_limits: row.rate_limits,
                key_count,
                created_at: row.created_at,
                updated_at: row.updated_at,
            }
        })
        .collect())
}

/// A duplicate external id is the client's mistake, not a failure.
fn taken(error: sea_orm::DbErr, owner: &NewOwner) -> Error {
    if is_unique_violation(&error) {
        Error::ExternalIdTaken(owner.external_id.as_str().to_owned())
    } else {
        error.into()
    }
}
