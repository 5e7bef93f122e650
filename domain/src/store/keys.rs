//! API keys, and what is left of deleted ones (`retired_api_keys`).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::error::Result;
use crate::model::{KeyId, OwnerId, RegionId, Scopes};
use crate::store::entity::{api_key, credit_balance, region, retired_api_key};

/// A key of `region_id`; other regions' keys are as absent as unknown ids.
pub(crate) async fn find_in_region(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    key_id: &KeyId,
) -> Result<Option<api_key::Model>> {
    super::find_in_region::<api_key::Entity>(db, api_key::Column::RegionId, region_id, key_id.clone()).await
}

/// A key of any region: for the server's own work, never a caller's.
pub(crate) async fn find(db: &impl ConnectionTrait, key_id: &KeyId) -> Result<Option<api_key::Model>> {
    Ok(api_key::Entity::find_by_id(key_id.clone()).one(db).await?)
}

/// The key with `lookup`, with its region.
pub(crate) async fn find_by_lookup(
    db: &impl ConnectionTrait,
    lookup: &str,
) -> Result<Option<(api_key::Model, Option<region::Model>)>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::Lookup.eq(lookup))
        .find_also_related(region::Entity)
        .one(db)
        .await?)
}

/// The keys with these lookups, each with its region.
pub(crate) async fn with_lookups(
    db: &impl ConnectionTrait,
    lookups: &[&str],
) -> Result<Vec<(api_key::Model, Option<region::Model>)>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::Lookup.is_in(lookups.iter().copied()))
        .find_also_related(region::Entity)
        .all(db)
        .await?)
}

/// The retired keys with these lookups, each with its region.
pub(crate) async fn retired_with_lookups(
    db: &impl ConnectionTrait,
    lookups: &[&str],
) -> Result<Vec<(retired_api_key::Model, Option<region::Model>)>> {
    Ok(retired_api_key::Entity::find()
        .filter(retired_api_key::Column::Lookup.is_in(lookups.iter().copied()))
        .find_also_related(region::Entity)
        .all(db)
        .await?)
}

/// Whether `key_id` was a key of `region_id`, retired at `since` or later.
pub(crate) async fn retired_since(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    key_id: &KeyId,
    since: DateTime<Utc>,
) -> Result<bool> {
    Ok(retired_api_key::Entity::find()
        .filter(retired_api_key::Column::RegionId.eq(region_id.as_str()))
        .filter(retired_api_key::Column::ApiKeyId.eq(key_id.as_str()))
        .filter(retired_api_key::Column::RetiredAt.gte(since))
        .one(db)
        .await?
        .is_some())
}

/// A region's keys, oldest first.
pub(crate) async fn in_region(db: &impl ConnectionTrait, region_id: &RegionId) -> Result<Vec<api_key::Model>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::RegionId.eq(region_id.as_str()))
        .order_by_asc(api_key::Column::CreatedAt)
        .order_by_asc(api_key::Column::Id)
        .all(db)
        .await?)
}

/// Each key of a region with its description.
pub(crate) async fn descriptions_in_region(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
) -> Result<Vec<(KeyId, Option<String>)>> {
    Ok(api_key::Entity::find()
        .select_only()
        .column(api_key::Column::Id)
        .column(api_key::Column::Description)
        .filter(api_key::Column::RegionId.eq(region_id.as_str()))
        .into_tuple()
        .all(db)
        .await?)
}

/// What decides whether each of a region's keys manages it: its scopes,
/// its scheduled revocation and whether it is quarantined.
pub(crate) async fn management_in_region(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
) -> Result<Vec<(Scopes, Option<DateTime<Utc>>, bool)>> {
    Ok(api_key::Entity::find()
        .select_only()
        .column(api_key::Column::Scopes)
        .column(api_key::Column::RevokeAt)
        .column_as(api_key::Column::Quarantine.is_not_null(), "quarantined")
        .filter(api_key::Column::RegionId.eq(region_id.as_str()))
        .into_tuple()
        .all(db)
        .await?)
}

pub(crate) async fn count_in_region(db: &impl ConnectionTrait, region_id: &RegionId) -> Result<u64> {
    Ok(api_key::Entity::find().filter(api_key::Column::RegionId.eq(region_id.as_str())).count(db).await?)
}

/// The keys, of every region, whose scheduled revocation is at `at` or before.
pub(crate) async fn due_for_revocation(db: &impl ConnectionTrait, at: DateTime<Utc>) -> Result<Vec<(KeyId, RegionId)>> {
    Ok(api_key::Entity::find()
        .select_only()
        .column(api_key::Column::Id)
        .column(api_key::Column::RegionId)
        .filter(api_key::Column::RevokeAt.lte(at))
        .into_tuple()
        .all(db)
        .await?)
}

/// The lookups of the keys that spend `holder`'s budget: the key itself and
/// a rotation's other key.
pub(crate) async fn lookups_spending(db: &impl ConnectionTrait, holder: &KeyId) -> Result<Vec<String>> {
    Ok(api_key::Entity::find()
        .select_only()
        .column(api_key::Column::Lookup)
        .filter(
            Condition::any()
                .add(api_key::Column::Id.eq(holder.as_str()))
                .add(api_key::Column::BudgetKeyId.eq(holder.as_str())),
        )
        .into_tuple()
        .all(db)
        .await?)
}

pub(crate) async fn count_of_owner(db: &impl ConnectionTrait, owner_id: &OwnerId) -> Result<u64> {
    Ok(api_key::Entity::find().filter(api_key::Column::OwnerId.eq(owner_id.as_str())).count(db).await?)
}

/// The lookups of every key `owner_id` owns.
pub(crate) async fn lookups_of_owner(db: &impl ConnectionTrait, owner_id: &OwnerId) -> Result<Vec<String>> {
    Ok(api_key::Entity::find()
        .select_only()
        .column(api_key::Column::Lookup)
        .filter(api_key::Column::OwnerId.eq(owner_id.as_str()))
        .into_tuple()
        .all(db)
        .await?)
}

/// How many keys each of `owner_ids` owns (owners of none are left out).
pub(crate) async fn counts_by_owner(
    db: &impl ConnectionTrait,
    owner_ids: impl IntoIterator<Item = String>,
) -> Result<Vec<(Option<OwnerId>, i64)>> {
    Ok(api_key::Entity::find()
        .select_only()
        .column(api_key::Column::OwnerId)
        .column_as(api_key::Column::Id.count(), "keys")
        .filter(api_key::Column::OwnerId.is_in(owner_ids))
        .group_by(api_key::Column::OwnerId)
        .into_tuple()
        .all(db)
        .await?)
}

/// Deletes a key's row and, unless a key rotated from it still spends them,
/// its credits; keeps its lookup and secret hash as a retired key, so that
/// a leak report of its token is still recognised.
pub(crate) async fn delete_and_retire(
    db: &impl ConnectionTrait,
    key: &api_key::Model,
    at: DateTime<Utc>,
) -> Result<()> {
    api_key::Entity::delete_by_id(key.id.clone()).exec(db).await?;
    let sharing = api_key::Entity::find().filter(api_key::Column::BudgetKeyId.eq(key.id.as_str())).one(db).await?;
    if sharing.is_none() && key.budget_key_id.is_none() {
        credit_balance::Entity::delete_by_id(key.id.to_string()).exec(db).await?;
    }
    retired_api_key::Entity::insert(retired_api_key::ActiveModel {
        lookup: Set(key.lookup.clone()),
        secret_hash: Set(key.secret_hash.clone()),
        region_id: Set(key.region_id.clone()),
        api_key_id: Set(key.id.clone()),
        retired_at: Set(at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}
