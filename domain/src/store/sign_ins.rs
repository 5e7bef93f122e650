//! What an OpenID Connect sign-in keeps between its steps: its attempts
//! (`oidc_attempts`) and the people held while they choose a region
//! (`person_sign_ins`), each row keyed by the SHA-256 of its secret.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter};

use crate::error::Result;
use crate::store::entity::{oidc_attempt, person_sign_in};

/// Keeps an attempt, first deleting those begun before `expired_before`.
pub(crate) async fn keep_attempt(
    db: &impl ConnectionTrait,
    attempt: oidc_attempt::Model,
    expired_before: DateTime<Utc>,
) -> Result<()> {
    delete_begun_before::<oidc_attempt::Entity>(db, oidc_attempt::Column::CreatedAt, expired_before).await?;
    attempt.into_active_model().insert(db).await?;
    Ok(())
}

pub(crate) async fn find_attempt(db: &impl ConnectionTrait, state_hash: &str) -> Result<Option<oidc_attempt::Model>> {
    Ok(oidc_attempt::Entity::find_by_id(state_hash.to_owned()).one(db).await?)
}

/// Deletes an attempt; whether this call did (of two at once, one does).
pub(crate) async fn delete_attempt(db: &impl ConnectionTrait, state_hash: &str) -> Result<bool> {
    Ok(oidc_attempt::Entity::delete_by_id(state_hash.to_owned()).exec(db).await?.rows_affected == 1)
}

/// Holds a person, first deleting those held since before `expired_before`.
pub(crate) async fn hold(
    db: &impl ConnectionTrait,
    held: person_sign_in::Model,
    expired_before: DateTime<Utc>,
) -> Result<()> {
    delete_begun_before::<person_sign_in::Entity>(db, person_sign_in::Column::CreatedAt, expired_before).await?;
    held.into_active_model().insert(db).await?;
    Ok(())
}

pub(crate) async fn find_held(db: &impl ConnectionTrait, id_hash: &str) -> Result<Option<person_sign_in::Model>> {
    Ok(person_sign_in::Entity::find_by_id(id_hash.to_owned()).one(db).await?)
}

/// Whether this call deleted it (a concurrent one finds it gone).
pub(crate) async fn delete_held(db: &impl ConnectionTrait, id_hash: &str) -> Result<bool> {
    let deleted = person_sign_in::Entity::delete_by_id(id_hash.to_owned()).exec(db).await?;
    Ok(deleted.rows_affected == 1)
}

async fn delete_begun_before<E: EntityTrait>(
    db: &impl ConnectionTrait,
    created_at: E::Column,
    before: DateTime<Utc>,
) -> Result<()> {
    E::delete_many().filter(created_at.lt(before)).exec(db).await?;
    Ok(())
}
