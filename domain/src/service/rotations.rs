//! Key rotation: create a new key, let the administrator move integrations
//! to it, then delete the old one. The rotation row makes the process
//! resumable from any browser; the keys themselves are made and deleted by
//! the same code as every other key, so the last-key guard still holds.

use chrono::TimeDelta;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use super::keys::{delete_key, described, find_own_key, insert_key, new_key_row, policy_of, update_key};
use super::sessions::{SessionId, end_session, move_session};
use crate::caller::Caller;
use crate::clock::now;
use crate::credentials::random;
use crate::error::{Error, Result};
use crate::infra::change::Change;
use crate::infra::coherence::Coherence;
use crate::infra::region_limits::NewKeys;
use crate::model::{
    CreatedApiKey, Description, KeyAccess, KeyId, KeyUpdate, OldKeyRevocation, RegionId, Rotation, RotationId, Scopes,
    SessionAfterRotation, StartedRotation,
};
use crate::store::database::Db;
use crate::store::entity::rotation;
use crate::store::rotations::{self, unfinished};

#[derive(Clone)]
pub struct Rotations {
    db: Db,
    coherence: Coherence,
    new_keys: NewKeys,
}

impl Rotations {
    pub(crate) fn new(db: Db, coherence: Coherence, new_keys: NewKeys) -> Self {
        Self { db, coherence, new_keys }
    }

    /// Starts replacing `old_key_id` with a new key described by
    /// `description`, holding the old key's scopes (which the caller must
    /// be able to grant). One rotation per region at a time.
    pub async fn start(
        &self,
        caller: &Caller,
        old_key_id: &KeyId,
        description: Option<Description>,
    ) -> Result<StartedRotation> {
        let region_id = &caller.region().id;
        // Refusals that need no new key come before argon2, which is slow by
        // design; they are checked again under the lock.
        caller.require(KeyAccess::Write)?;
        let old_key = find_own_key(&self.db, caller, old_key_id).await?;
        caller.ensure_may_grant(&old_key.scopes, &Scopes::default())?;
        // The new key spends the old key's budget: a rotation never doubles one.
        let policy = policy_of(&self.db, &old_key).await?;
        caller.ensure_may_bind_key(policy.owner_id.as_ref(), &policy.budget(), &policy.allowed_networks)?;
        if unfinished(&self.db, region_id).await?.and_then(resumable).is_some() {
            return Err(Error::RotationInProgress);
        }
        self.new_keys.admit(&self.db, region_id).await?;
        let (mut new_key, token) = new_key_row(caller.region(), description, old_key.scopes.clone(), &policy).await?;
        new_key.budget_key_id = Set(Some(old_key.budget_holder().clone()));
        let mut change = Change::by(&self.db, &self.coherence, caller).await?;
        find_own_key(&change, caller, old_key_id).await?;
        self.new_keys.ensure_room(&change, region_id).await?;
        if let Some(open) = unfinished(&change, region_id).await? {
            if open.new_key_id.is_some() {
                return Err(Error::RotationInProgress);
            }
            // Its new key is gone: nothing left to resume.
            close(&change, open).await?;
        }
        let new_key = insert_key(&mut change, new_key, Some(caller), &policy).await?;
        let row = rotation::ActiveModel {
            id: Set(random::id::<RotationId>()),
            region_id: Set(region_id.clone()),
            old_key_id: Set(Some(old_key_id.clone())),
            new_key_id: Set(Some(new_key.id.clone())),
            started_at: Set(now()),
            finished_at: Set(None),
        }
        .insert(&change)
        .await?;
        change.commit().await?;
        let rotation = Rotation {
            id: row.id,
            old_key_id: row.old_key_id,
            new_key_id: new_key.id.clone(),
            started_at: row.started_at,
        };
        let key = described(&self.db, vec![new_key]).await?.remove(0);
        Ok(StartedRotation { rotation, new_key: CreatedApiKey { key, token: token.into_string() } })
    }

    /// The region's unfinished rotation, if any. One whose new key was
    /// deleted meanwhile cannot go on, so it is not offered; the next write
    /// (start, finish or cancel) closes it. Reads only: the dashboard polls
    /// this every few seconds.
    pub async fn current(&self, caller: &Caller) -> Result<Option<Rotation>> {
        caller.require(KeyAccess::Read)?;
        Ok(unfinished(&self.db, &caller.region().id).await?.and_then(resumable))
    }

    /// Ends a rotation from a console session by deleting its old key
    /// (through the last-key guard), or by scheduling its revocation after a
    /// grace period for integrations still moving (`revocation`). When the
    /// session signed in with the old key, `after` says whether it moves to
    /// the new key first or ends now; sessions on other keys stay as they are.
    ///
    /// The move and the delete run in one transaction under the region's
    /// write lock, so the new key cannot be deleted in between. A rotation
    /// whose new key is already gone is closed and refused: finishing it
    /// would delete the old key with no successor.
    pub async fn finish(
        &self,
        session_id: &SessionId,
        caller: &Caller,
        rotation_id: &RotationId,
        after: SessionAfterRotation,
        revocation: OldKeyRevocation,
    ) -> Result<SessionAfterRotation> {
        caller.require(KeyAccess::Write)?;
        let mut change = Change::by(&self.db, &self.coherence, caller).await?;
        let row = unfinished_by_id(&change, &caller.region().id, rotation_id).await?;
        let Some(new_key_id) = row.new_key_id.clone() else {
            close(&change, row).await?;
            change.commit().await?;
            return Err(Error::RotationNotFound);
        };
        // A person's session holds no key: it is never on the old one.
        let session_key = caller.key_id().filter(|&key_id| row.old_key_id.as_ref() == Some(key_id));
        let on_old_key = session_key.is_some();
        let moves = on_old_key && after == SessionAfterRotation::SignedIn;
        let actor = if let (true, Some(old_key_id)) = (moves, session_key) {
            move_session(&change, session_id, old_key_id, &new_key_id).await?;
            caller.through(new_key_id)
        } else {
            caller.clone()
        };
        if on_old_key && !moves {
            // Deleting the old key would end it as well; a schedule would not.
            end_session(&change, session_id).await?;
        }
        match (&row.old_key_id, revocation) {
            (Some(old_key_id), OldKeyRevocation::Now) => delete_key(&mut change, &actor, old_key_id).await?,
            (Some(old_key_id), OldKeyRevocation::AfterHours(hours)) => {
                let revoke_at = now() + TimeDelta::hours(hours.into());
                let schedule = KeyUpdate { revoke_at: Some(Some(revoke_at)), ..KeyUpdate::default() };
                update_key(&mut change, &actor, old_key_id, schedule).await?;
            }
            (None, _) => {}
        }
        close(&change, row).await?;
        change.commit().await?;
        Ok(if on_old_key { after } else { SessionAfterRotation::SignedIn })
    }

    /// Abandons a rotation by deleting its new key (through the last-key
    /// guard); the old key stays. A new key deleted meanwhile leaves only
    /// the rotation to close.
    pub async fn cancel(&self, caller: &Caller, rotation_id: &RotationId) -> Result<()> {
        caller.require(KeyAccess::Write)?;
        let mut change = Change::by(&self.db, &self.coherence, caller).await?;
        let row = unfinished_by_id(&change, &caller.region().id, rotation_id).await?;
        if let Some(new_key_id) = &row.new_key_id {
            delete_key(&mut change, caller, new_key_id).await?;
        }
        close(&change, row).await?;
        change.commit().await?;
        Ok(())
    }
}

/// The rotation as the console resumes it, unless its new key is gone (the
/// foreign key sets `new_key_id` to null when the key is deleted).
fn resumable(row: rotation::Model) -> Option<Rotation> {
    Some(Rotation { new_key_id: row.new_key_id?, id: row.id, old_key_id: row.old_key_id, started_at: row.started_at })
}

/// The region's unfinished rotation with this id; other regions' rotations
/// are as absent as unknown ids.
async fn unfinished_by_id(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    rotation_id: &RotationId,
) -> Result<rotation::Model> {
    rotations::unfinished_by_id(db, region_id, rotation_id).await?.ok_or(Error::RotationNotFound)
}

async fn close(db: &impl ConnectionTrait, row: rotation::Model) -> Result<()> {
    let mut row: rotation::ActiveModel = row.into();
    row.finished_at = Set(Some(now()));
    row.update(db).await?;
    Ok(())
}
