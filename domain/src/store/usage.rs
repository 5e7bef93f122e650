//! Usage as stored: each key's requests counted per bucket (`key_usage`),
//! added to by every process, and each key's last use (on `api_keys`).

use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement, Value,
};

use crate::error::Result;
use crate::model::{KeyId, MINUTES_KEPT_HOURS, RegionId, USAGE_KEPT_DAYS, UsageCounts, UseDetails};
use crate::store::database::{self, Db};
use crate::store::entity::api_key;
use crate::store::entity::key_usage::{self, Resolution};

/// Rows per insert statement: well below SQLite's limit on bound values.
const ROWS_PER_STATEMENT: usize = 1000;

/// A key's use, as its last use is kept.
#[derive(Debug)]
pub(crate) struct LastUse {
    pub at: DateTime<Utc>,
    pub client: Option<IpAddr>,
    pub details: UseDetails,
}

/// What one key did in one bucket, to be added to the bucket's row.
pub(crate) struct Counted<'a> {
    pub key_id: &'a KeyId,
    pub region_id: &'a RegionId,
    pub resolution: Resolution,
    pub starts_at: DateTime<Utc>,
    pub counts: &'a UsageCounts,
}

/// Each key's last use where it is later than the stored one (another
/// process may have written a later one; a key deleted meanwhile matches
/// no row), then the counts, added to what the rows hold.
pub(crate) async fn write(db: &Db, uses: &[(&KeyId, &LastUse)], counted: &[Counted<'_>]) -> Result<()> {
    let txn = database::begin_write(db).await?;
    for statement in uses.chunks(KEYS_PER_UPDATE) {
        write_last_uses(&txn, statement).await?;
    }
    let rows: Vec<key_usage::ActiveModel> = counted
        .iter()
        .map(|counted| key_usage::ActiveModel {
            key_id: Set(counted.key_id.clone()),
            resolution: Set(counted.resolution),
            starts_at: Set(counted.starts_at),
            region_id: Set(counted.region_id.clone()),
            accepted: Set(stored(counted.counts.accepted)),
            invalid: Set(stored(counted.counts.invalid)),
            insufficient_scope: Set(stored(counted.counts.insufficient_scope)),
            throttled: Set(stored(counted.counts.throttled)),
            rate_limited: Set(stored(counted.counts.rate_limited)),
            credits_exhausted: Set(stored(counted.counts.credits_exhausted)),
            network_not_allowed: Set(stored(counted.counts.network_not_allowed)),
        })
        .collect();
    for statement in rows.chunks(ROWS_PER_STATEMENT) {
        key_usage::Entity::insert_many(statement.to_vec())
            .on_conflict(adding_counts())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Keys per last-use update: six values each, well below SQLite's limit.
const KEYS_PER_UPDATE: usize = 1000;

/// Each key's last use, in one statement for all of `uses` (one per key
/// was most of a flush's time), where it is later than the stored one.
/// On Postgres the rows are locked in key order first, so concurrent
/// flushes cannot deadlock whatever order the join visits them in.
async fn write_last_uses(txn: &DatabaseTransaction, uses: &[(&KeyId, &LastUse)]) -> Result<()> {
    let backend = txn.get_database_backend();
    let ids = uses.iter().map(|(key_id, _)| key_id.as_str());
    api_key::Entity::find()
        .select_only()
        .column(api_key::Column::Id)
        .filter(api_key::Column::Id.is_in(ids))
        .order_by_asc(api_key::Column::Id)
        .lock_exclusive()
        .into_tuple::<KeyId>()
        .all(txn)
        .await?;
    let mut values: Vec<Value> = Vec::with_capacity(uses.len() * 6);
    let mut rows = Vec::with_capacity(uses.len());
    for (key_id, noted) in uses {
        let first = values.len();
        values.extend([
            Value::from(key_id.as_str()),
            Value::from(noted.at),
            Value::from(noted.client.map(|client| client.to_string())),
            Value::from(noted.details.user_agent.clone()),
            Value::from(noted.details.method.clone()),
            Value::from(noted.details.path.clone()),
        ]);
        rows.push(match backend {
            DbBackend::Postgres => {
                let [id, at, client, agent, method, path] = std::array::from_fn(|i| first + i + 1);
                format!("(${id}, ${at}::timestamptz, ${client}::text, ${agent}::text, ${method}::text, ${path}::text)")
            }
            _ => "(?, ?, ?, ?, ?, ?)".to_owned(),
        });
    }
    let rows = rows.join(", ");
    // SQLite names a VALUES list's columns column1, column2, …
    let (used, id, at, client, agent, method, path) = match backend {
        DbBackend::Postgres => {
            ("used(id, at, client, agent, method, path)", "id", "at", "client", "agent", "method", "path")
        }
        _ => ("used", "column1", "column2", "column3", "column4", "column5", "column6"),
    };
    let sql = format!(
        "UPDATE api_keys SET last_used_at = used.{at}, last_client_address = used.{client}, \
         last_user_agent = used.{agent}, last_request_method = used.{method}, last_request_path = used.{path} \
         FROM (VALUES {rows}) AS {used} \
         WHERE api_keys.id = used.{id} AND (api_keys.last_used_at IS NULL OR api_keys.last_used_at < used.{at})"
    );
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(())
}

fn stored(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// `ON CONFLICT … DO UPDATE SET accepted = key_usage.accepted +
/// excluded.accepted, …`: processes add to a bucket, never overwrite it.
fn adding_counts() -> OnConflict {
    use key_usage::Column;
    let mut on_conflict = OnConflict::columns([Column::KeyId, Column::Resolution, Column::StartsAt]);
    for column in [
        Column::Accepted,
        Column::Invalid,
        Column::InsufficientScope,
        Column::Throttled,
        Column::RateLimited,
        Column::CreditsExhausted,
        Column::NetworkNotAllowed,
    ] {
        on_conflict
            .value(column, Expr::col((key_usage::Entity, column)).add(Expr::col((Alias::new("excluded"), column))));
    }
    on_conflict
}

/// Deletes minute buckets older than [`MINUTES_KEPT_HOURS`] and hour
/// buckets older than [`USAGE_KEPT_DAYS`]; the number of rows deleted.
pub(crate) async fn prune(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    let aged = |resolution: Resolution, kept: TimeDelta| {
        Condition::all()
            .add(key_usage::Column::Resolution.eq(resolution))
            .add(key_usage::Column::StartsAt.lt(now - kept))
    };
    let deleted = key_usage::Entity::delete_many()
        .filter(
            Condition::any()
                .add(aged(Resolution::Minute, TimeDelta::hours(MINUTES_KEPT_HOURS)))
                .add(aged(Resolution::Hour, TimeDelta::days(USAGE_KEPT_DAYS))),
        )
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

/// A region's rows (or one key's) of `resolution` that start in `from..to`, oldest first.
pub(crate) async fn rows(
    db: &impl ConnectionTrait,
    region_id: &RegionId,
    key_id: Option<&KeyId>,
    resolution: Resolution,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<key_usage::Model>> {
    let mut rows = key_usage::Entity::find().filter(key_usage::Column::RegionId.eq(region_id.as_str()));
    if let Some(key_id) = key_id {
        rows = rows.filter(key_usage::Column::KeyId.eq(key_id.as_str()));
    }
    Ok(rows
        .filter(key_usage::Column::Resolution.eq(resolution))
        .filter(key_usage::Column::StartsAt.gte(from))
        .filter(key_usage::Column::StartsAt.lt(to))
        .order_by_asc(key_usage::Column::StartsAt)
        .all(db)
        .await?)
}
