//! Administrator grants: a region's console for a verified email, and the
//! person sessions each grant holds.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::clock::now;
use crate::credentials::random;
use crate::error::Result;
use crate::model::{AdministratorId, Email, NewAdministrator, RegionId};
use crate::store::entity::{administrator, person_session, region};

/// A grant of `region_id`; other regions' are as absent as unknown ids.
pub(crate) async fn find_in_region(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    administrator_id: &AdministratorId,
) -> Result<Option<administrator::Model>> {
    let region_column = administrator::Column::RegionId;
    super::find_in_region::<administrator::Entity>(db, region_column, region_id, administrator_id.clone()).await
}

/// `email`'s grant in `region_id` (there is at most one).
pub(crate) async fn find_by_email(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    email: &Email,
) -> Result<Option<administrator::Model>> {
    Ok(administrator::Entity::find()
        .filter(administrator::Column::RegionId.eq(region_id.as_str()))
        .filter(administrator::Column::Email.eq(email.as_str()))
        .one(db)
        .await?)
}

/// Every grant, or one region's, by region and email.
pub(crate) async fn list(db: &impl ConnectionTrait, region_id: Option<&RegionId>) -> Result<Vec<administrator::Model>> {
    let mut select = administrator::Entity::find();
    if let Some(region_id) = region_id {
        select = select.filter(administrator::Column::RegionId.eq(region_id.as_str()));
    }
    Ok(select.order_by_asc(administrator::Column::RegionId).order_by_asc(administrator::Column::Email).all(db).await?)
}

/// `email`'s grants, each with its region.
pub(crate) async fn grants_of(
    db: &impl ConnectionTrait,
    email: &Email,
) -> Result<Vec<(administrator::Model, Option<region::Model>)>> {
    Ok(administrator::Entity::find()
        .filter(administrator::Column::Email.eq(email.as_str()))
        .find_also_related(region::Entity)
        .all(db)
        .await?)
}

pub(crate) async fn insert(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    new: &NewAdministrator,
) -> Result<administrator::Model> {
    Ok(administrator::ActiveModel {
        id: Set(random::id::<AdministratorId>()),
        region_id: Set(region_id.clone()),
        email: Set(new.email.clone()),
        scopes: Set(new.scopes.clone()),
        created_at: Set(now()),
    }
    .insert(db)
    .await?)
}

/// Deletes a grant and, explicitly (SQLite enforces foreign keys only when
/// asked), the sessions it held.
pub(crate) async fn delete(db: &impl ConnectionTrait, administrator_id: &AdministratorId) -> Result<()> {
    person_session::Entity::delete_many()
        .filter(person_session::Column::AdministratorId.eq(administrator_id.as_str()))
        .exec(db)
        .await?;
    administrator::Entity::delete_by_id(administrator_id.clone()).exec(db).await?;
    Ok(())
}
