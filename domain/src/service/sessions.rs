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
use sea_orm::ConnectionTrait;
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
use crate::store::{administrators, regions, sessions};

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
        // The new session stays; of the key's others, the oldest beyond the cap end.
        sessions::open_for_key(&change, &id.digest(), &key_id, at, MAX_SESSIONS_PER_KEY - 1).await?;
        AuditEntry::new(&caller.region().id, AuditAction::ConsoleSignedIn).actor(&caller).record(&change).await?;
        change.commit().await?;
        Ok((id, caller))
    }

    /// Who holds this session, calling from `client`. `Unauthenticated` when
    /// it is unknown, timed out, or its key was deleted; `Revoked` from the
    /// instant its key's scheduled revocation came due.
    pub async fn caller(&self, session_id: &SessionId, client: IpAddr) -> Result<Caller> {
        let Some((session, Some(key))) = sessions::of_key(&self.db, &session_id.digest()).await? else {
            return self.person(session_id, client).await;
        };
        let at = now();
        if self.limits.have_ended(session.created_at, session.last_seen_at, at) {
            end_session(&self.db, session_id).await?;
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
        let region = regions::find(&self.db, &key.region_id).await?.ok_or(Error::Unauthenticated)?;
        if at - session.last_seen_at >= TOUCH_INTERVAL {
            sessions::touch_for_key(&self.db, &session.id_hash, at).await?;
        }
        let bounds = std::sync::Arc::new(Policy::load(&self.db, &key).await?.bounds());
        Ok(Caller::new(region.into(), key.id, key.scopes, client, bounds))
    }

    /// A person's session: read with its grant on every use, so a revoked
    /// grant (which deleted the row) or one re-scoped since is seen at once,
    /// by every process; nothing about it is cached.
    async fn person(&self, session_id: &SessionId, client: IpAddr) -> Result<Caller> {
        let Some((session, Some(grant))) = sessions::of_person(&self.db, &session_id.digest()).await? else {
            return Err(Error::Unauthenticated);
        };
        let at = now();
        if self.limits.have_ended(session.created_at, session.last_seen_at, at) {
            end_session(&self.db, session_id).await?;
            return Err(Error::Unauthenticated);
        }
        let region = regions::find(&self.db, &grant.region_id).await?.ok_or(Error::Unauthenticated)?;
        if at - session.last_seen_at >= TOUCH_INTERVAL {
            sessions::touch_for_person(&self.db, &session.id_hash, at).await?;
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
        let grant = administrators::find_by_email(&change, region_id, &person.email)
            .await?
            .ok_or_else(|| Error::NotAnAdministrator(person.email.to_string()))?;
        let region = regions::find(&change, region_id).await?.ok_or(Error::Unauthenticated)?;
        let id = SessionId(random::base62(SESSION_ID_LEN));
        let (subject, name) = (&person.subject, person.name.clone());
        sessions::open_for_person(&change, &id.digest(), &grant.id, subject, name, now(), MAX_SESSIONS_PER_KEY - 1)
            .await?;
        let caller = Caller::for_person(region.into(), grant.id, person.clone(), grant.scopes, client);
        AuditEntry::new(region_id, AuditAction::ConsoleSignedIn).actor(&caller).record(&change).await?;
        change.commit().await?;
        Ok((id, caller))
    }

    /// How long this session has left, for the console's warning.
    /// `Unauthenticated` when it has ended.
    pub async fn time_left(&self, session_id: &SessionId) -> Result<SessionTimeLeft> {
        let (created_at, last_seen_at) =
            sessions::times(&self.db, &session_id.digest()).await?.ok_or(Error::Unauthenticated)?;
        let at = now();
        Ok(SessionTimeLeft {
            idle_secs: (last_seen_at + self.limits.idle - at).num_seconds(),
            absolute_secs: (created_at + self.limits.absolute - at).num_seconds(),
        })
    }

    /// How many sessions are live: neither idle nor older than allowed.
    pub async fn live(&self) -> Result<u64> {
        let at = now();
        sessions::count_live(&self.db, at - self.limits.idle, at - self.limits.absolute).await
    }

    /// Ends a session; unknown ids are fine (signing out twice is harmless).
    pub async fn sign_out(&self, session_id: &SessionId) -> Result<()> {
        end_session(&self.db, session_id).await
    }

    /// Sessions are also checked on use; this only keeps the table small.
    async fn delete_expired(&self) -> Result<()> {
        let at = now();
        sessions::delete_expired(&self.db, at - self.limits.idle, at - self.limits.absolute).await
    }
}

/// Ends a session, a key's or a person's, inside `db`'s transaction if it is one.
pub(crate) async fn end_session(db: &impl ConnectionTrait, session_id: &SessionId) -> Result<()> {
    sessions::end(db, &session_id.digest()).await
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
    match sessions::move_to_key(db, &session_id.digest(), from_key_id, to_key_id).await? {
        true => Ok(()),
        false => Err(Error::Unauthenticated),
    }
}

impl SessionLimits {
    /// Whether a session begun at `created_at` and last seen at `last_seen_at` has ended by `at`.
    fn have_ended(&self, created_at: DateTime<Utc>, last_seen_at: DateTime<Utc>, at: DateTime<Utc>) -> bool {
        at - last_seen_at >= self.idle || at - created_at >= self.absolute
    }
}
