use std::net::IpAddr;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr,
};

use crate::audit;
use crate::auth::{FailureThrottle, ThrottleLimits, VerifiedCache};
use crate::entity::{api_key, region};
use crate::error::{Error, Result};
use crate::id;
use crate::secret_hash;
use crate::session::SessionLimits;
use crate::token::Token;
use crate::types::{self, ApiKey, AuditAction, CreatedApiKey, CreatedRegion, RegionOverview, RegionSummary};
use crate::usage::UsageRecorder;

/// Who is calling: a region, through one of its keys, from an address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub region: types::Region,
    pub key_id: String,
    /// Recorded in the audit log with every change the caller makes.
    pub client: IpAddr,
}

/// The one entry point for everything that reads or changes regions and keys.
/// Cheap to clone; clones share the caches and the usage recorder.
#[derive(Clone)]
pub struct KeyService {
    db: DatabaseConnection,
    verified: VerifiedCache,
    throttle: FailureThrottle,
    usage: UsageRecorder,
    sessions: SessionLimits,
}

/// How many verified tokens one process remembers.
const VERIFIED_CACHE_CAPACITY: u64 = 10_000;
/// The name of the region created on the first start of an empty database.
pub const BOOTSTRAP_REGION_NAME: &str = "default";

impl KeyService {
    pub fn new(db: DatabaseConnection, limits: ThrottleLimits) -> Self {
        Self {
            db,
            verified: VerifiedCache::new(VERIFIED_CACHE_CAPACITY),
            throttle: FailureThrottle::new(limits),
            usage: UsageRecorder::default(),
            sessions: SessionLimits::default(),
        }
    }

    /// Console sessions end after these time-outs instead of the defaults.
    pub fn with_session_limits(mut self, limits: SessionLimits) -> Self {
        self.sessions = limits;
        self
    }

    pub fn session_limits(&self) -> SessionLimits {
        self.sessions
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Authenticates an API call: [`Self::verify_token`], then notes the
    /// key's use for `last_used_at`. Nothing here writes: the use is noted in
    /// memory and flushed later.
    pub async fn authenticate(&self, presented: &str, client: IpAddr) -> Result<Caller> {
        let caller = self.verify_token(presented, client).await?;
        self.usage.record(&caller.key_id);
        Ok(caller)
    }

    /// Checks a presented token: the verification hot path. Not a use of
    /// the key by itself (console sign-in is not integration traffic).
    ///
    /// Garbage fails the checksum without database work. A well-formed token
    /// costs one indexed read (the row is read every time, so a deleted key
    /// fails on its very next request in every process). argon2 runs only for
    /// a token this process has not verified yet, and not at all for a key or
    /// client address that failed too often: those get `Throttled`. A token
    /// this process already verified is never throttled, so failures from
    /// others (behind the same proxy or NAT, or guessing at the same key)
    /// cannot lock a working integration out.
    pub(crate) async fn verify_token(&self, presented: &str, client: IpAddr) -> Result<Caller> {
        let Some(token) = Token::parse(presented) else {
            return Err(self.refuse(client));
        };
        let found = api_key::Entity::find()
            .filter(api_key::Column::Lookup.eq(token.lookup()))
            .find_also_related(region::Entity)
            .one(&self.db)
            .await?;
        // The prefix is part of what was issued: a live key never answers
        // as a sandbox one, or the other way round.
        let Some((key, Some(region))) =
            found.filter(|(_, region)| region.as_ref().is_some_and(|region| region.sandbox == token.is_sandbox()))
        else {
            return Err(self.refuse(client));
        };
        let digest = VerifiedCache::digest(&token);
        if !self.verified.contains(&digest, key.secret_hash.as_str()) {
            // Refuse what is over its limit at once, without queueing.
            self.throttle.check(client, token.lookup())?;
            let slot = secret_hash::slot().await?;
            // Again in turn: attempts that queued together must not all pass
            // a check made before any of them failed, and one of them may
            // have verified this very token meanwhile.
            if !self.verified.contains(&digest, key.secret_hash.as_str()) {
                self.throttle.check(client, token.lookup())?;
                let (secret, hash) = (token.secret().to_owned(), key.secret_hash.clone());
                let (throttle, lookup) = (self.throttle.clone(), token.lookup().to_owned());
                let matches = slot
                    .run(move || {
                        let matches = secret_hash::verify(&secret, &hash);
                        // Counted before the turn ends, so the next in line sees it.
                        if !matches {
                            throttle.record_failure(client, Some(&lookup));
                        }
                        matches
                    })
                    .await?;
                if !matches {
                    return Err(Error::Unauthenticated);
                }
                self.verified.insert(digest, key.secret_hash.as_str());
            }
        }
        Ok(Caller { region: region.into(), key_id: key.id, client })
    }

    /// A token that is no key at all counts against its address only.
    fn refuse(&self, client: IpAddr) -> Error {
        self.throttle.record_failure(client, None);
        Error::Unauthenticated
    }

    /// The caller's region with all its keys.
    pub async fn overview(&self, caller: &Caller) -> Result<RegionOverview> {
        Ok(RegionOverview {
            region: caller.region.clone(),
            api_keys: self.list_keys(caller).await?,
            current_api_key_id: caller.key_id.clone(),
        })
    }

    /// The caller's keys, oldest first.
    pub async fn list_keys(&self, caller: &Caller) -> Result<Vec<ApiKey>> {
        let rows = api_key::Entity::find()
            .filter(api_key::Column::RegionId.eq(&caller.region.id))
            .order_by_asc(api_key::Column::CreatedAt)
            .order_by_asc(api_key::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(ApiKey::from).collect())
    }

    pub async fn get_key(&self, caller: &Caller, key_id: &str) -> Result<ApiKey> {
        Ok(find_own_key(&self.db, &caller.region.id, key_id).await?.into())
    }

    /// Creates a key in the caller's region (or in `region_id`, which must be
    /// the caller's own). The returned value is the only one that ever
    /// carries the token.
    pub async fn create_key(
        &self,
        caller: &Caller,
        description: Option<String>,
        region_id: Option<&str>,
    ) -> Result<CreatedApiKey> {
        ensure_own_region(caller, region_id)?;
        let description = types::normalize_description(description).map_err(Error::Invalid)?;
        let (row, token) = new_key_row(&caller.region, description).await?;
        let txn = self.begin_change(caller).await?;
        let row = insert_key(&txn, row, Some(caller)).await?;
        txn.commit().await?;
        Ok(CreatedApiKey { key: row.into(), token: token.into_string() })
    }

    /// Sets or clears a key's description; `updated_at` moves.
    pub async fn update_description(
        &self,
        caller: &Caller,
        key_id: &str,
        description: Option<String>,
    ) -> Result<ApiKey> {
        let description = types::normalize_description(description).map_err(Error::Invalid)?;
        let txn = self.begin_change(caller).await?;
        let row = find_own_key(&txn, &caller.region.id, key_id).await?;
        let mut row: api_key::ActiveModel = row.into();
        row.description = Set(description);
        row.updated_at = Set(now());
        let row = row.update(&txn).await?;
        audit::record(&txn, &caller.region.id, AuditAction::ApiKeyUpdated, Some(&row), Some(caller)).await?;
        txn.commit().await?;
        Ok(row.into())
    }

    /// Revokes a key of the caller's region, unless it is the region's last.
    ///
    /// The count and the delete happen in one transaction that holds the
    /// region's write lock, so concurrent deletes cannot all see "two left".
    pub async fn delete_key(&self, caller: &Caller, key_id: &str, region_id: Option<&str>) -> Result<()> {
        ensure_own_region(caller, region_id)?;
        let txn = self.begin_change(caller).await?;
        delete_unless_last(&txn, caller, key_id).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Creates a region and its first key in one transaction.
    pub async fn create_region(&self, name: &str, sandbox: bool, description: Option<String>) -> Result<CreatedRegion> {
        let name = types::validate_region_name(name).map_err(Error::Invalid)?;
        let description = types::normalize_description(description).map_err(Error::Invalid)?;
        let at = now();
        let region = region::Model { id: id::new(id::REGION), name, sandbox, created_at: at, updated_at: at };
        let (key, token) = new_key_row(&region.clone().into(), description).await?;

        let txn = crate::db::begin_write(&self.db).await?;
        let taken = Error::RegionNameTaken(region.name.clone());
        let region = match region::ActiveModel::from(region).insert(&txn).await {
            Err(e) if is_unique_violation(&e) => return Err(taken),
            other => other?,
        };
        audit::record(&txn, &region.id, AuditAction::RegionCreated, None, None).await?;
        let key = insert_key(&txn, key, None).await?;
        txn.commit().await?;
        Ok(CreatedRegion {
            region: region.into(),
            api_key: CreatedApiKey { key: key.into(), token: token.into_string() },
        })
    }

    /// Every region with its number of keys, oldest first.
    pub async fn list_regions(&self) -> Result<Vec<RegionSummary>> {
        let regions = region::Entity::find()
            .order_by_asc(region::Column::CreatedAt)
            .order_by_asc(region::Column::Id)
            .all(&self.db)
            .await?;
        let mut summaries = Vec::with_capacity(regions.len());
        for region in regions {
            let api_key_count =
                api_key::Entity::find().filter(api_key::Column::RegionId.eq(&region.id)).count(&self.db).await?;
            summaries.push(RegionSummary { region: region.into(), api_key_count });
        }
        Ok(summaries)
    }

    /// On an empty database, creates the region `default` and its first key.
    /// `None` when any region exists, also when another process starting at
    /// the same moment won the race (region names are unique).
    pub async fn bootstrap(&self) -> Result<Option<CreatedRegion>> {
        if region::Entity::find().count(&self.db).await? > 0 {
            return Ok(None);
        }
        match self.create_region(BOOTSTRAP_REGION_NAME, false, Some("first key".to_owned())).await {
            Err(Error::RegionNameTaken(_)) => Ok(None),
            other => other.map(Some),
        }
    }

    /// Writes the `last_used_at` values noted since the last flush.
    pub async fn flush_usage(&self) -> Result<usize> {
        self.usage.flush(&self.db).await
    }

    /// Whether the database answers (readiness).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.db.ping().await?)
    }
}

impl KeyService {
    /// A write transaction on behalf of `caller` holding its region's write
    /// lock (`FOR UPDATE` on Postgres, `BEGIN IMMEDIATE` on SQLite). The
    /// caller's key is read again under the lock, so a request whose key was
    /// revoked while it was in flight changes nothing.
    pub(crate) async fn begin_change(&self, caller: &Caller) -> Result<DatabaseTransaction> {
        let txn = crate::db::begin_write(&self.db).await?;
        region::Entity::find_by_id(&caller.region.id).lock_exclusive().one(&txn).await?;
        match find_own_key(&txn, &caller.region.id, &caller.key_id).await {
            Ok(_) => Ok(txn),
            Err(Error::KeyNotFound) => Err(Error::Unauthenticated),
            Err(error) => Err(error),
        }
    }
}

fn ensure_own_region(caller: &Caller, region_id: Option<&str>) -> Result<()> {
    match region_id {
        Some(id) if id != caller.region.id => Err(Error::ForeignRegion),
        _ => Ok(()),
    }
}

/// A key of `region_id`; other regions' keys are as absent as unknown ids.
pub(crate) async fn find_own_key(db: &impl ConnectionTrait, region_id: &str, key_id: &str) -> Result<api_key::Model> {
    if !id::is_well_formed(key_id, id::API_KEY) {
        return Err(Error::KeyNotFound);
    }
    api_key::Entity::find_by_id(key_id)
        .filter(api_key::Column::RegionId.eq(region_id))
        .one(db)
        .await?
        .ok_or(Error::KeyNotFound)
}

/// Deletes a key of the caller's region, with its audit event, unless it is
/// the region's last: the guard of every key deletion. `txn` must come from
/// [`KeyService::begin_change`], whose region lock keeps concurrent deletes
/// from all counting "two left".
pub(crate) async fn delete_unless_last(txn: &DatabaseTransaction, caller: &Caller, key_id: &str) -> Result<()> {
    let key = find_own_key(txn, &caller.region.id, key_id).await?;
    let keys = api_key::Entity::find().filter(api_key::Column::RegionId.eq(&caller.region.id)).count(txn).await?;
    if keys <= 1 {
        return Err(Error::LastKey);
    }
    api_key::Entity::delete_by_id(key_id).exec(txn).await?;
    audit::record(txn, &caller.region.id, AuditAction::ApiKeyDeleted, Some(&key), Some(caller)).await?;
    Ok(())
}

/// Stores a new key and its audit event; `actor` is `None` for the CLI.
pub(crate) async fn insert_key(
    db: &impl ConnectionTrait,
    row: api_key::ActiveModel,
    actor: Option<&Caller>,
) -> Result<api_key::Model> {
    let key = row.insert(db).await?;
    audit::record(db, &key.region_id, AuditAction::ApiKeyCreated, Some(&key), actor).await?;
    Ok(key)
}

/// A fresh token and the row that stores only its hash.
pub(crate) async fn new_key_row(
    region: &types::Region,
    description: Option<String>,
) -> Result<(api_key::ActiveModel, Token)> {
    let token = Token::generate(region.sandbox);
    let secret_hash = secret_hash::hash_in_turn(token.secret().to_owned()).await?;
    let at = now();
    let row = api_key::ActiveModel {
        id: Set(id::new(id::API_KEY)),
        region_id: Set(region.id.clone()),
        lookup: Set(token.lookup().to_owned()),
        secret_hash: Set(secret_hash),
        preview: Set(token.preview()),
        description: Set(description),
        created_at: Set(at),
        updated_at: Set(at),
        last_used_at: Set(None),
    };
    Ok((row, token))
}

/// Now, at the precision every backend stores (microseconds), so what a
/// write returns equals what a later read returns.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
