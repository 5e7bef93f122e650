//! Console sessions, a key's (`console_sessions`) and a person's
//! (`person_sessions`): rows keyed by the SHA-256 of the session id, which
//! is all this module is given. Both tables have the same shape, so each
//! statement is written once for either.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, IntoCondition};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::error::Result;
use crate::model::{AdministratorId, KeyId};
use crate::store::entity::{administrator, api_key, console_session, person_session};

/// A key's new session; of the key's others, the oldest beyond `others_kept` end.
pub(crate) async fn open_for_key(
    db: &impl ConnectionTrait,
    id_hash: &str,
    key_id: &KeyId,
    at: DateTime<Utc>,
    others_kept: usize,
) -> Result<()> {
    use console_session::Column;
    console_session::ActiveModel {
        id_hash: Set(id_hash.to_owned()),
        api_key_id: Set(key_id.clone()),
        created_at: Set(at),
        last_seen_at: Set(at),
    }
    .insert(db)
    .await?;
    let holder = Column::ApiKeyId.eq(key_id.as_str());
    end_oldest::<console_session::Entity>(db, holder, [Column::IdHash, Column::CreatedAt], id_hash, others_kept).await
}

/// A person's new session by their grant; of the grant's others, the
/// oldest beyond `others_kept` end.
pub(crate) async fn open_for_person(
    db: &impl ConnectionTrait,
    id_hash: &str,
    grant: &AdministratorId,
    subject: &str,
    name: Option<String>,
    at: DateTime<Utc>,
    others_kept: usize,
) -> Result<()> {
    use person_session::Column;
    person_session::ActiveModel {
        id_hash: Set(id_hash.to_owned()),
        administrator_id: Set(grant.clone()),
        subject: Set(subject.to_owned()),
        name: Set(name),
        created_at: Set(at),
        last_seen_at: Set(at),
    }
    .insert(db)
    .await?;
    let holder = Column::AdministratorId.eq(grant.as_str());
    end_oldest::<person_session::Entity>(db, holder, [Column::IdHash, Column::CreatedAt], id_hash, others_kept).await
}

/// Of the sessions `holder` selects, all but `new` and the `kept` newest end.
async fn end_oldest<E: EntityTrait>(
    db: &impl ConnectionTrait,
    holder: impl IntoCondition,
    [id_hash, created_at]: [E::Column; 2],
    new: &str,
    kept: usize,
) -> Result<()> {
    let others: Vec<String> = E::find()
        .select_only()
        .column(id_hash)
        .filter(holder)
        .filter(id_hash.ne(new))
        .order_by_desc(created_at)
        .order_by_desc(id_hash)
        .into_tuple()
        .all(db)
        .await?;
    let oldest: Vec<String> = others.into_iter().skip(kept).collect();
    E::delete_many().filter(id_hash.is_in(oldest)).exec(db).await?;
    Ok(())
}

/// A key's session with the key it signed in with.
pub(crate) async fn of_key(
    db: &impl ConnectionTrait,
    id_hash: &str,
) -> Result<Option<(console_session::Model, Option<api_key::Model>)>> {
    Ok(console_session::Entity::find_by_id(id_hash.to_owned()).find_also_related(api_key::Entity).one(db).await?)
}

/// A person's session with the grant it was opened by.
pub(crate) async fn of_person(
    db: &impl ConnectionTrait,
    id_hash: &str,
) -> Result<Option<(person_session::Model, Option<administrator::Model>)>> {
    Ok(person_session::Entity::find_by_id(id_hash.to_owned()).find_also_related(administrator::Entity).one(db).await?)
}

/// When a session, a key's or a person's, began and was last seen.
pub(crate) async fn times(db: &impl ConnectionTrait, id_hash: &str) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>> {
    if let Some(session) = console_session::Entity::find_by_id(id_hash.to_owned()).one(db).await? {
        return Ok(Some((session.created_at, session.last_seen_at)));
    }
    let session = person_session::Entity::find_by_id(id_hash.to_owned()).one(db).await?;
    Ok(session.map(|session| (session.created_at, session.last_seen_at)))
}

/// Notes a key's session as seen at `at`. By id, whatever rows it finds:
/// a session the cap or a sign-out ended a moment ago is simply not touched.
pub(crate) async fn touch_for_key(db: &impl ConnectionTrait, id_hash: &str, at: DateTime<Utc>) -> Result<()> {
    use console_session::Column;
    touch::<console_session::Entity>(db, [Column::IdHash, Column::LastSeenAt], id_hash, at).await
}

/// Notes a person's session as seen at `at`, as [`touch_for_key`] does.
pub(crate) async fn touch_for_person(db: &impl ConnectionTrait, id_hash: &str, at: DateTime<Utc>) -> Result<()> {
    use person_session::Column;
    touch::<person_session::Entity>(db, [Column::IdHash, Column::LastSeenAt], id_hash, at).await
}

async fn touch<E: EntityTrait>(
    db: &impl ConnectionTrait,
    [id_hash, last_seen_at]: [E::Column; 2],
    id: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    E::update_many().col_expr(last_seen_at, Expr::value(at)).filter(id_hash.eq(id)).exec(db).await?;
    Ok(())
}

/// Moves a key's session from `from_key_id` to `to_key_id`. Whether it did
/// (not when the session ended or holds another key).
pub(crate) async fn move_to_key(
    db: &impl ConnectionTrait,
    id_hash: &str,
    from_key_id: &KeyId,
    to_key_id: &KeyId,
) -> Result<bool> {
    let moved = console_session::Entity::update_many()
        .col_expr(console_session::Column::ApiKeyId, Expr::value(to_key_id.as_str()))
        .filter(console_session::Column::IdHash.eq(id_hash))
        .filter(console_session::Column::ApiKeyId.eq(from_key_id.as_str()))
        .exec(db)
        .await?;
    Ok(moved.rows_affected > 0)
}

/// Ends a session, a key's or a person's.
pub(crate) async fn end(db: &impl ConnectionTrait, id_hash: &str) -> Result<()> {
    console_session::Entity::delete_by_id(id_hash.to_owned()).exec(db).await?;
    person_session::Entity::delete_by_id(id_hash.to_owned()).exec(db).await?;
    Ok(())
}

/// The sessions, of keys and of people, seen since `seen_since` and begun
/// since `begun_since`.
pub(crate) async fn count_live(
    db: &impl ConnectionTrait,
    seen_since: DateTime<Utc>,
    begun_since: DateTime<Utc>,
) -> Result<u64> {
    let keys = [console_session::Column::LastSeenAt, console_session::Column::CreatedAt];
    let people = [person_session::Column::LastSeenAt, person_session::Column::CreatedAt];
    Ok(count_live_in::<console_session::Entity>(db, keys, seen_since, begun_since).await?
        + count_live_in::<person_session::Entity>(db, people, seen_since, begun_since).await?)
}

async fn count_live_in<E: EntityTrait<Model: Sync>>(
    db: &impl ConnectionTrait,
    [last_seen_at, created_at]: [E::Column; 2],
    seen_since: DateTime<Utc>,
    begun_since: DateTime<Utc>,
) -> Result<u64> {
    Ok(E::find().filter(last_seen_at.gte(seen_since)).filter(created_at.gte(begun_since)).count(db).await?)
}

/// Deletes the sessions, of keys and of people, last seen before
/// `seen_since` or begun before `begun_since`.
pub(crate) async fn delete_expired(
    db: &impl ConnectionTrait,
    seen_since: DateTime<Utc>,
    begun_since: DateTime<Utc>,
) -> Result<()> {
    let keys = [console_session::Column::LastSeenAt, console_session::Column::CreatedAt];
    let people = [person_session::Column::LastSeenAt, person_session::Column::CreatedAt];
    delete_expired_in::<console_session::Entity>(db, keys, seen_since, begun_since).await?;
    delete_expired_in::<person_session::Entity>(db, people, seen_since, begun_since).await
}

async fn delete_expired_in<E: EntityTrait>(
    db: &impl ConnectionTrait,
    [last_seen_at, created_at]: [E::Column; 2],
    seen_since: DateTime<Utc>,
    begun_since: DateTime<Utc>,
) -> Result<()> {
    E::delete_many()
        .filter(Condition::any().add(last_seen_at.lt(seen_since)).add(created_at.lt(begun_since)))
        .exec(db)
        .await?;
    Ok(())
}
