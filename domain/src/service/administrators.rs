//! Administrators as people: grants of a region's console to an email the
//! identity provider verifies, with `keys:read` or `keys:write`. Granted
//! by the operator's CLI or by a caller holding `keys:write`, under the
//! rule keys follow: no one gives a scope they do not hold. Revoking a
//! grant deletes its sessions in the same transaction (`ON DELETE
//! CASCADE`), and every use of a person's session reads its grant again,
//! so the person is out on their next request, on every process.

use std::net::IpAddr;

use sea_orm::ConnectionTrait;

use super::audit::AuditEntry;
use crate::caller::Caller;
use crate::error::{Error, Result};
use crate::infra::change::Change;
use crate::infra::coherence::Coherence;
use crate::model::{
    Administrator, AdministratorId, AuditAction, AuditChange, Email, KeyAccess, NewAdministrator, Person, PersonRegion,
    RegionId, Scopes, SignInRefusal, check_administrator_scopes,
};
use crate::store::administrators;
use crate::store::database::Db;
use crate::store::entity::administrator;

#[derive(Clone)]
pub struct Administrators {
    db: Db,
    coherence: Coherence,
}

impl Administrators {
    pub(crate) fn new(db: Db, coherence: Coherence) -> Self {
        Self { db, coherence }
    }

    /// The caller's region's administrators, by email.
    pub async fn list(&self, caller: &Caller) -> Result<Vec<Administrator>> {
        caller.require(KeyAccess::Read)?;
        self.list_as_operator(Some(&caller.region().id)).await
    }

    /// Grants `new.email` the console of the caller's region with
    /// `new.scopes`, which the caller must hold itself.
    pub async fn grant(&self, caller: &Caller, new: NewAdministrator) -> Result<Administrator> {
        caller.require(KeyAccess::Write)?;
        check_administrator_scopes(&new.scopes)?;
        caller.ensure_may_grant(&new.scopes, &Scopes::default())?;
        let change = Change::by(&self.db, &self.coherence, caller).await?;
        let row = insert(&change, &caller.region().id, &new).await?;
        audit(&change, Some(caller), &row, AuditAction::AdministratorGranted).await?;
        change.commit().await?;
        Ok(row.into())
    }

    /// Revokes a grant of the caller's region; the person's sessions there
    /// end with it. A caller may revoke only what it could have granted.
    pub async fn revoke(&self, caller: &Caller, administrator_id: &AdministratorId) -> Result<()> {
        caller.require(KeyAccess::Write)?;
        let change = Change::by(&self.db, &self.coherence, caller).await?;
        let row = administrators::find_in_region(&change, &caller.region().id, administrator_id)
            .await?
            .ok_or(Error::AdministratorNotFound)?;
        caller.ensure_may_grant(&row.scopes, &Scopes::default())?;
        administrators::delete(&change, &row.id).await?;
        audit(&change, Some(caller), &row, AuditAction::AdministratorRevoked).await?;
        change.commit().await?;
        Ok(())
    }

    /// The operator's grant (`keyward admin grant`); audited with no actor.
    pub async fn grant_as_operator(&self, region_id: &RegionId, new: NewAdministrator) -> Result<Administrator> {
        check_administrator_scopes(&new.scopes)?;
        let change = Change::in_region(&self.db, &self.coherence, region_id).await?;
        let row = insert(&change, region_id, &new).await?;
        audit(&change, None, &row, AuditAction::AdministratorGranted).await?;
        change.commit().await?;
        Ok(row.into())
    }

    /// The operator's revocation (`keyward admin revoke`), by email.
    pub async fn revoke_as_operator(&self, region_id: &RegionId, email: &Email) -> Result<Administrator> {
        let change = Change::in_region(&self.db, &self.coherence, region_id).await?;
        let row =
            administrators::find_by_email(&change, region_id, email).await?.ok_or(Error::AdministratorNotFound)?;
        administrators::delete(&change, &row.id).await?;
        audit(&change, None, &row, AuditAction::AdministratorRevoked).await?;
        change.commit().await?;
        Ok(row.into())
    }

    /// Every grant (`keyward admin list`), or one region's.
    pub async fn list_as_operator(&self, region_id: Option<&RegionId>) -> Result<Vec<Administrator>> {
        Ok(administrators::list(&self.db, region_id).await?.into_iter().map(Into::into).collect())
    }

    /// Records in every region that grants `person`'s email that the
    /// identity provider named them and they were refused, and from where.
    pub async fn record_refused_sign_in(&self, person: &Person, reason: SignInRefusal, client: IpAddr) -> Result<()> {
        for granted in self.regions_of(&person.email).await? {
            let region_id = &granted.region.id;
            let change = Change::in_region(&self.db, &self.coherence, region_id).await?;
            let refused =
                AuditChange::SignInRefused { email: person.email.clone(), subject: person.subject.clone(), reason };
            AuditEntry::new(region_id, AuditAction::ConsoleSignInRefused)
                .client(client)
                .change(refused)
                .record(&change)
                .await?;
            change.commit().await?;
        }
        Ok(())
    }

    /// The regions whose console `email` is granted, by region name.
    pub async fn regions_of(&self, email: &Email) -> Result<Vec<PersonRegion>> {
        let mut regions: Vec<PersonRegion> = administrators::grants_of(&self.db, email)
            .await?
            .into_iter()
            .filter_map(|(grant, region)| Some(PersonRegion { region: region?.into(), scopes: grant.scopes }))
            .collect();
        regions.sort_by(|a, b| a.region.name.as_str().cmp(b.region.name.as_str()));
        Ok(regions)
    }
}

/// A new grant, under the region's lock: one per email and region.
async fn insert(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    new: &NewAdministrator,
) -> Result<administrator::Model> {
    if administrators::find_by_email(db, region_id, &new.email).await?.is_some() {
        return Err(Error::AdministratorExists(new.email.to_string()));
    }
    administrators::insert(db, region_id, new).await
}

async fn audit(
    db: &impl ConnectionTrait,
    caller: Option<&Caller>,
    row: &administrator::Model,
    action: AuditAction,
) -> Result<()> {
    let (before, after) = match action {
        AuditAction::AdministratorRevoked => (Some(row.scopes.clone()), None),
        _ => (None, Some(row.scopes.clone())),
    };
    let change = AuditChange::Administrator { id: row.id.clone(), email: row.email.clone(), before, after };
    AuditEntry::new(&row.region_id, action).actor(caller).change(change).record(db).await
}
