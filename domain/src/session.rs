//! Console sessions: an administrator signs in once with an API key and then
//! holds only a random session id. The database keeps the SHA-256 of that id
//! and the key it signed in with; deleting the key deletes its sessions
//! (foreign key `ON DELETE CASCADE`), and every use reads the key row again,
//! so a revoked key ends its sessions at once, in every process.

use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter,
};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::entity::{api_key, console_session, region};
use crate::error::{Error, Result};
use crate::service::{Caller, KeyService, now};
use crate::token::random_base62;
use crate::types::AuditAction;

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
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(…)")
    }
}

impl KeyService {
    /// Signs in with an API key: the same check as every REST request
    /// (throttling and the verification cache included), then a new session.
    /// Not recorded as a use of the key: `last_used_at` is integration traffic,
    /// which the rotation wizard's verdict relies on.
    pub async fn sign_in(&self, presented: &str, client: IpAddr) -> Result<(SessionId, Caller)> {
        let caller = self.verify_token(presented, client).await?;
        self.delete_expired_sessions().await?;
        let id = SessionId(random_base62(SESSION_ID_LEN));
        let at = now();
        let txn = self.begin_change(&caller).await?;
        console_session::ActiveModel {
            id_hash: Set(session_digest(id.as_str())),
            api_key_id: Set(caller.key_id.clone()),
            created_at: Set(at),
            last_seen_at: Set(at),
        }
        .insert(&txn)
        .await?;
        audit::record(&txn, &caller.region.id, AuditAction::ConsoleSignedIn, None, Some(&caller)).await?;
        txn.commit().await?;
        Ok((id, caller))
    }

    /// Who holds this session, calling from `client`. `Unauthenticated` when
    /// it is unknown, timed out, or its key was deleted.
    pub async fn session_caller(&self, session_id: &str, client: IpAddr) -> Result<Caller> {
        let found = console_session::Entity::find_by_id(session_digest(session_id))
            .find_also_related(api_key::Entity)
            .one(self.db())
            .await?;
        let Some((session, Some(key))) = found else {
            return Err(Error::Unauthenticated);
        };
        let at = now();
        if self.session_limits().has_expired(&session, at) {
            console_session::Entity::delete_by_id(session.id_hash).exec(self.db()).await?;
            return Err(Error::Unauthenticated);
        }
        let region = region::Entity::find_by_id(&key.region_id).one(self.db()).await?.ok_or(Error::Unauthenticated)?;
        if at - session.last_seen_at >= TOUCH_INTERVAL {
            let mut session: console_session::ActiveModel = session.into();
            session.last_seen_at = Set(at);
            session.update(self.db()).await?;
        }
        Ok(Caller { region: region.into(), key_id: key.id, client })
    }

    /// Ends a session; unknown ids are fine (signing out twice is harmless).
    pub async fn sign_out(&self, session_id: &str) -> Result<()> {
        console_session::Entity::delete_by_id(session_digest(session_id)).exec(self.db()).await?;
        Ok(())
    }

    /// Sessions are also checked on use; this only keeps the table small.
    async fn delete_expired_sessions(&self) -> Result<()> {
        let limits = self.session_limits();
        let at = now();
        console_session::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(console_session::Column::LastSeenAt.lt(at - limits.idle))
                    .add(console_session::Column::CreatedAt.lt(at - limits.absolute)),
            )
            .exec(self.db())
            .await?;
        Ok(())
    }
}

/// Moves a session from `from_key_id` to `to_key_id`, another key of its
/// region, so that it survives the deletion of the key it signed in with
/// (the end of a rotation). Runs in the caller's transaction, which holds
/// the region's write lock, so `to_key_id` cannot vanish before the commit.
/// `Unauthenticated` when the session ended or holds another key.
pub(crate) async fn move_session(
    txn: &DatabaseTransaction,
    session_id: &str,
    from_key_id: &str,
    to_key_id: &str,
) -> Result<()> {
    let moved = console_session::Entity::update_many()
        .set(console_session::ActiveModel { api_key_id: Set(to_key_id.to_owned()), ..Default::default() })
        .filter(console_session::Column::IdHash.eq(session_digest(session_id)))
        .filter(console_session::Column::ApiKeyId.eq(from_key_id))
        .exec(txn)
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

/// What the database stores instead of the session id.
fn session_digest(session_id: &str) -> String {
    Sha256::digest(session_id.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}
