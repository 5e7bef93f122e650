//! Console sessions: an administrator signs in once with an API key and then
//! holds only a random session id. The database keeps the SHA-256 of that id
//! and the key it signed in with; deleting the key deletes its sessions
//! (foreign key `ON DELETE CASCADE`), and every use reads the key row again,
//! so a revoked key ends its sessions at once, in every process.
//!
//! A person signed in through the identity provider holds a session the
//! same way, by their grant in one region (`person_sessions`): revoking the
//! grant deletes it, and every use reads the grant again.

use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use sha2::{Digest, Sha256};

use super::audit::AuditEntry;
use super::authentication::Authenticator;
use crate::caller::{Caller, ensure_usable};
use crate::clock::now;
use crate::credentials::random;
use crate::error::{Error, Result};
use crate::infra::change::Change;
use crate::infra::coherence::Coherence;
use crate::infra::policy::Policy;
use crate::model::{AuditAction, KeyAccess, KeyId, Person, RegionId, SessionTimeLeft};
use crate::store::database::Db;
use crate::store::entity::{administrator, api_key, console_session, person_session, region};

/// How long a session lives.
#[derive(Clone, Copy, Debug)]
pub struct SessionLimits {
    /// Ends a session nobody used for this long.
    pub idle: TimeDelta,
    /// Ends every session this long after its sign-in, used or not.
    pub absolute: TimeDelta,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self { idle: TimeDelta::minutes(30), absolute: TimeDelta::hours(12) }
    }
}

/// The most live sessions one key holds: a new sign-in ends the oldest.
pub const MAX_SESSIONS_PER_KEY: usize = 10;

/// Idle time is tracked to this precision, so a busy console does not write
/// the session row on every call.
const TOUCH_INTERVAL: TimeDelta = TimeDelta::seconds(60);
/// 32 base62 characters: about 190 bits from the OS CSPRNG.
const SESSION_ID_LEN: usize = 32;

/// The secret a browser holds for its session (in an `HttpOnly` cookie).
/// `Debug` is redacted, so it cannot reach a log through `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl SessionId {
    /// Parses a session cookie's value; anything that is no session id we
    /// could have issued is `None`, answered as "not signed in".
    pub fn from_cookie(value: &str) -> Option<Self> {
        (value.len() == SESSION_ID_LEN && value.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then(|| Self(value.to_owned()))
    }

    /// The value of the session cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database stores instead of the session id, so a database
    /// dump cannot be replayed as cookies.
    fn digest(&self) -> String {
        Sha256::digest(self.0.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(…)")
    }
}

#[derive(Clone)]
pub struct Sessions {
    db: Db,
    coherence: Coherence,
    authenticator: Authenticator,
    limits: SessionLimits,
}

impl Sessions {
    pub(crate) fn new(db: Db, coherence: Coherence, authenticator: Authenticator, limits: SessionLimits) -> Self {
        Self { db, coherence, authenticator, limits }
    }

    /// Signs in with an API key: the same check as every REST request
    /// (throttling and the verification cache included), then a new session.
    /// Not recorded as a use of the key: `last_used_at` is integration traffic,
    /// which the rotation wizard's verdict relies on.
    /// Only a key that may read the region's keys opens the console.
    pub async fn sign_in(&self, presented: &str, client: IpAddr) -> Result<(SessionId, Caller)> {
        let caller = self.authenticator.verify(presented, client).await?;
        caller.require(KeyAccess::Read)?;
        let key_id = caller.key_id().cloned().ok_or(Error::Unauthenticated)?;
        self.delete_expired().await?;
        let id = SessionId(random::base62(SESSION_ID_LEN));
        let at = now();
        let change = Change::by(&self.db, &self.coherence, &caller).await?;
        console_session::ActiveModel {
            id_hash: Set(id.digest()),
            api_key_id: Set(key_id.clone()),
            created_at: Set(at),
            last_seen_at: Set(at),
        }
        .insert(&change)
        .await?;
        // The new session stays; of the key's others, the oldest beyond the cap end.
        let others: Vec<String> = console_session::Entity::find()
            .select_only()
            .column(console_session::Column::IdHash)
            .filter(console_session::Column::ApiKeyId.eq(key_id.as_str()))
            .filter(console_session::Column::IdHash.ne(id.digest()))
            .order_by_desc(console_session::Column::CreatedAt)
            .order_by_desc(console_session::Column::IdHash)
            .into_tuple()
            .all(&change)
            .await?;
        let oldest: Vec<String> = others.into_iter().skip(MAX_SESSIONS_PER_KEY - 1).collect();
        console_session::Entity::delete_many()
            .filter(console_session::Column::IdHash.is_in(oldest))
            .exec(&change)
            .await?;
        AuditEntry::new(&caller.region().id, AuditAction::ConsoleSignedIn).actor(&caller).record(&change).await?;
        change.commit().await?;
        Ok((id, caller))
    }

    /// Who holds this session, calling from `client`. `Unauthenticated` when
    /// it is unknown, timed out, or its key was deleted; `Revoked` from the
    /// instant its key's scheduled revocation came due.
    pub async fn caller(&self, session_id: &SessionId, client: IpAddr) -> Result<Caller> {
        let found = console_session::Entity::find_by_id(session_id.digest())
            .find_also_related(api_key::Entity)
            .one(&self.db)
            .await?;
        let Some((session, Some(key))) = found else {
            return self.person(session_id, client).await;
        };
        let at = now();
        if self.limits.has_expired(&session, at) {
            console_session::Entity::delete_by_id(session.id_hash).exec(&self.db).await?;
            return Err(Error::Unauthenticated);
        }
        // A key found in public or come due ends its sessions for good.
        if let Err(refused) = ensure_usable(key.state_at(at)) {
            end_session(&self.db, session_id).await?;
            return Err(refused);
        }
        // Re-scoped since sign-in: the console is for keys that may read
        // keys, and the session ends for good.
        if !key.scopes.allow(KeyAccess::Read) {
            end_session(&self.db, session_id).await?;
            return Err(Error::Unauthenticated);
        }
        let region =
            region::Entity::find_by_id(key.region_id.clone()).one(&self.db).await?.ok_or(Error::Unauthenticated)?;
        if at - session.last_seen_at >= TOUCH_INTERVAL {
            // By id, whatever rows it finds: a session the cap or a sign-out
            // ended a moment ago is simply not touched.
            console_session::Entity::update_many()
                .set(console_session::ActiveModel { last_seen_at: Set(at), ..Default::default() })
                .filter(console_session::Column::IdHash.eq(session.id_hash))
                .exec(&self.db)
                .await?;
        }
        let bounds = std::sync::Arc::new(Policy::load(&self.db, &key).await?.bounds());
        Ok(Caller::new(region.into(), key.id, key.scopes, client, bounds))
    }

    /// A person's session: read with its grant on every use, so a revoked
    /// grant (which deleted the row) or one re-scoped since is seen at once,
    /// by every process; nothing about it is cached.
    async fn person(&self, session_id: &SessionId, client: IpAddr) -> Result<Caller> {
        let found = person_session::Entity::find_by_id(session_id.digest())
            .find_also_related(administrator::Entity)
            .one(&self.db)
            .await?;
        let Some((session, Some(grant))) = found else {
            return Err(Error::Unauthenticated);
        };
        let at = now();
        if at - session.last_seen_at >= self.limits.idle || at - session.created_at >= self.limits.absolute {
            person_session::Entity::delete_by_id(session.id_hash).exec(&self.db).await?;
            return Err(Error::Unauthenticated);
        }
        let region =
            region::Entity::find_by_id(grant.region_id.clone()).one(&self.db).await?.ok_or(Error::Unauthenticated)?;
        if at - session.last_seen_at >= TOUCH_INTERVAL {
            person_session::Entity::update_many()
                .set(person_session::ActiveModel { last_seen_at: Set(at), ..Default::default() })
                .filter(person_session::Column::IdHash.eq(session.id_hash))
                .exec(&self.db)
                .await?;
        }
        let person = Person { email: grant.email, subject: session.subject, name: session.name };
        Ok(Caller::for_person(region.into(), grant.id, person, grant.scopes, client))
    }

    /// Opens a console session for `person` in `region_id`, by their grant
    /// there (`NotAnAdministrator` without one), with its scopes. The
    /// identity provider's word for who they are was checked by the caller
    /// (`GET /auth/oidc/callback`). Audited as the person's sign-in.
    pub async fn sign_in_person(
        &self,
        person: &Person,
        region_id: &RegionId,
        client: IpAddr,
    ) -> Result<(SessionId, Caller)> {
        self.delete_expired().await?;
        let change = Change::in_region(&self.db, &self.coherence, region_id).await?;
        let grant = administrator::Entity::find()
            .filter(administrator::Column::RegionId.eq(region_id.as_str()))
            .filter(administrator::Column::Email.eq(person.email.as_str()))
            .one(&change)
            .await?
            .ok_or_else(|| Error::NotAnAdministrator(person.email.to_string()))?;
        let region = region::Entity::find_by_id(region_id.clone()).one(&change).await?.ok_or(Error::Unauthenticated)?;
        let id = SessionId(random::base62(SESSION_ID_LEN));
        let at = now();
        person_session::ActiveModel {
            id_hash: Set(id.digest()),
            administrator_id: Set(grant.id.clone()),
            subject: Set(person.subject.clone()),
            name: Set(person.name.clone()),
            created_at: Set(at),
            last_seen_at: Set(at),
        }
        .insert(&change)
        .await?;
        let others: Vec<String> = person_session::Entity::find()
            .select_only()
            .column(person_session::Column::IdHash)
            .filter(person_session::Column::AdministratorId.eq(grant.id.as_str()))
            .filter(person_session::Column::IdHash.ne(id.digest()))
            .order_by_desc(person_session::Column::CreatedAt)
            .order_by_desc(person_session::Column::IdHash)
            .into_tuple()
            .all(&change)
            .await?;
        let oldest: Vec<String> = others.into_iter().skip(MAX_SESSIONS_PER_KEY - 1).collect();
        person_session::Entity::delete_many()
            .filter(person_session::Column::IdHash.is_in(oldest))
            .exec(&change)
            .await?;
        let caller = Caller::for_person(region.into(), grant.id, person.clone(), grant.scopes, client);
        AuditEntry::new(region_id, AuditAction::ConsoleSignedIn).actor(&caller).record(&change).await?;
        change.commit().await?;
        Ok((id, caller))
    }

    /// How long this session has left, for the console's warning.
    /// `Unauthenticated` when it has ended.
    pub async fn time_left(&self, session_id: &SessionId) -> Result<SessionTimeLeft> {
        let times = match console_session::Entity::find_by_id(session_id.digest()).one(&self.db).await? {
            Some(session) => Some((session.created_at, session.last_seen_at)),
            None => person_session::Entity::find_by_id(session_id.digest())
                .one(&self.db)
                .await?
                .map(|session| (session.created_at, session.last_seen_at)),
        };
        let (created_at, last_seen_at) = times.ok_or(Error::Unauthenticated)?;
        let at = now();
        Ok(SessionTimeLeft {
            idle_secs: (last_seen_at + self.limits.idle - at).num_seconds(),
            absolute_secs: (created_at + self.limits.absolute - at).num_seconds(),
        })
    }

    /// How many sessions are live: neither idle nor older than allowed.
    pub async fn live(&self) -> Result<u64> {
        use sea_orm::PaginatorTrait;
        let at = now();
        let keys = console_session::Entity::find()
            .filter(console_session::Column::LastSeenAt.gte(at - self.limits.idle))
            .filter(console_session::Column::CreatedAt.gte(at - self.limits.absolute))
            .count(&self.db)
            .await?;
        let people = person_session::Entity::find()
            .filter(person_session::Column::LastSeenAt.gte(at - self.limits.idle))
            .filter(person_session::Column::CreatedAt.gte(at - self.limits.absolute))
            .count(&self.db)
            .await?;
        Ok(keys + people)
    }

    /// Ends a session; unknown ids are fine (signing out twice is harmless).
    pub async fn sign_out(&self, session_id: &SessionId) -> Result<()> {
        end_session(&self.db, session_id).await
    }

    /// Sessions are also checked on use; this only keeps the table small.
    async fn delete_expired(&self) -> Result<()> {
        let limits = self.limits;
        let at = now();
        console_session::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(console_session::Column::LastSeenAt.lt(at - limits.idle))
                    .add(console_session::Column::CreatedAt.lt(at - limits.absolute)),
            )
            .exec(&self.db)
            .await?;
        person_session::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(person_session::Column::LastSeenAt.lt(at - limits.idle))
                    .add(person_session::Column::CreatedAt.lt(at - limits.absolute)),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

/// Ends a session, a key's or a person's, inside `db`'s transaction if it is one.
pub(crate) async fn end_session(db: &impl ConnectionTrait, session_id: &SessionId) -> Result<()> {
    console_session::Entity::delete_by_id(session_id.digest()).exec(db).await?;
    person_session::Entity::delete_by_id(session_id.digest()).exec(db).await?;
    Ok(())
}

/// Moves a session from `from_key_id` to `to_key_id`, another key of its
/// region, so that it survives the deletion of the key it signed in with
/// (the end of a rotation). Runs in the caller's transaction, which holds
/// the region's write lock, so `to_key_id` cannot vanish before the commit.
/// `Unauthenticated` when the session ended or holds another key.
pub(crate) async fn move_session(
    db: &impl ConnectionTrait,
    session_id: &SessionId,
    from_key_id: &KeyId,
    to_key_id: &KeyId,
) -> Result<()> {
    let moved = console_session::Entity::update_many()
        .set(console_session::ActiveModel { api_key_id: Set(to_key_id.clone()), ..Default::default() })
        .filter(console_session::Column::IdHash.eq(session_id.digest()))
        .filter(console_session::Column::ApiKeyId.eq(from_key_id.as_str()))
        .exec(db)
        .await?;
    if moved.rows_affected == 0 {
        return Err(Error::Unauthenticated);
    }
    Ok(())
}

impl SessionLimits {
    fn has_expired(&self, session: &console_session::Model, at: DateTime<Utc>) -> bool {
        at - session.last_seen_at >= self.idle || at - session.created_at >= self.absolute
    }
}
