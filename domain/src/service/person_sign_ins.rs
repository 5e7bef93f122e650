//! What an OpenID Connect sign-in keeps on the server between its steps,
//! so nothing of it lives in the browser but an opaque cookie:
//!
//! 1. `begin`: the attempt's `state` (by its SHA-256), the PKCE verifier and
//!    the nonce, bound to the SHA-256 of a random cookie of the browser
//!    that began it; ten minutes to come back. Each begun sign-in is a row,
//!    so a client address may begin only so many per window (the key
//!    failures' limit, `--auth-failures-per-address`).
//! 2. `take`: the callback takes the attempt once (deleted as it is read),
//!    from the same browser only, so a replayed or forged `state` finds
//!    nothing.
//! 3. For a person with grants in several regions, `hold` keeps who the
//!    identity provider vouched for while they `choose` a region.
//!
//! The protocol itself (discovery, the code exchange, the ID token's
//! checks) is the server's, through the `openidconnect` crate.

use std::net::IpAddr;

use chrono::TimeDelta;
use sha2::{Digest, Sha256};

use super::administrators::Administrators;
use super::sessions::{SessionId, Sessions};
use crate::caller::Caller;
use crate::clock::now;
use crate::credentials::random;
use crate::credentials::throttle::{FailureThrottle, ThrottleLimits};
use crate::error::{Error, Result};
use crate::model::{Person, PersonRegion, RegionId, SignInRefusal};
use crate::store::database::Db;
use crate::store::entity::{oidc_attempt, person_sign_in};
use crate::store::sign_ins;

/// How long a sign-in may take at the identity provider, and a person to
/// choose their region.
pub const SIGN_IN_TIME: TimeDelta = TimeDelta::minutes(10);

/// What the callback needs of the attempt it completes.
pub struct OidcAttempt {
    pub pkce_verifier: String,
    pub nonce: String,
}

impl std::fmt::Debug for OidcAttempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OidcAttempt(…)")
    }
}

#[derive(Clone)]
pub struct PersonSignIns {
    db: Db,
    sessions: Sessions,
    administrators: Administrators,
    begun: FailureThrottle,
}

impl PersonSignIns {
    pub(crate) fn new(db: Db, sessions: Sessions, administrators: Administrators, limits: ThrottleLimits) -> Self {
        Self { db, sessions, administrators, begun: FailureThrottle::new(limits) }
    }

    /// Keeps an attempt begun from `client` until its callback (or for
    /// [`SIGN_IN_TIME`]); `Throttled` once `client` began too many.
    pub async fn begin(&self, state: &str, browser: &str, attempt: OidcAttempt, client: IpAddr) -> Result<()> {
        self.begun.check_address(client)?;
        self.begun.record_failure(client);
        let at = now();
        let row = oidc_attempt::Model {
            state_hash: digest(state),
            browser_hash: digest(browser),
            pkce_verifier: attempt.pkce_verifier,
            nonce: attempt.nonce,
            created_at: at,
        };
        sign_ins::keep_attempt(&self.db, row, at - SIGN_IN_TIME).await
    }

    /// Takes the attempt `state` names, once, for the browser that began
    /// it. A state never issued, already used, expired, or from another
    /// browser is refused and leaves nothing behind.
    pub async fn take(&self, state: &str, browser: Option<&str>) -> Result<OidcAttempt> {
        let Some(row) = sign_ins::find_attempt(&self.db, &digest(state)).await? else {
            return Err(refused("this sign-in link was already used or was never issued; start again"));
        };
        // Whoever reads it first deletes it; a concurrent replay deletes nothing.
        if !sign_ins::delete_attempt(&self.db, &row.state_hash).await? {
            return Err(refused("this sign-in link was already used; start again"));
        }
        if browser.map(digest).as_deref() != Some(row.browser_hash.as_str()) {
            return Err(refused("this sign-in was started in another browser; start again here"));
        }
        if now() - row.created_at >= SIGN_IN_TIME {
            return Err(refused("this sign-in took too long; start again"));
        }
        Ok(OidcAttempt { pkce_verifier: row.pkce_verifier, nonce: row.nonce })
    }

    /// The regions `person` may open, by name.
    pub async fn regions_of(&self, person: &Person) -> Result<Vec<PersonRegion>> {
        self.administrators.regions_of(&person.email).await
    }

    /// Audits, in the regions that grant `person`, that they were refused.
    pub async fn refused(&self, person: &Person, reason: SignInRefusal, client: IpAddr) -> Result<()> {
        self.administrators.record_refused_sign_in(person, reason, client).await
    }

    /// Keeps `person` while they choose a region; the returned secret goes
    /// in an `HttpOnly` cookie.
    pub async fn hold(&self, person: &Person) -> Result<SessionId> {
        let at = now();
        let id = random::base62(32);
        let row = person_sign_in::Model {
            id_hash: digest(&id),
            subject: person.subject.clone(),
            email: person.email.clone(),
            name: person.name.clone(),
            created_at: at,
        };
        sign_ins::hold(&self.db, row, at - SIGN_IN_TIME).await?;
        SessionId::from_cookie(&id).ok_or_else(|| Error::Internal("a held sign-in's id is malformed".to_owned()))
    }

    /// The person held under `held` and their regions; `Unauthenticated`
    /// once it expired or was used.
    pub async fn held(&self, held: &SessionId) -> Result<(Person, Vec<PersonRegion>)> {
        let row = sign_ins::find_held(&self.db, &digest(held.as_str()))
            .await?
            .filter(|row| now() - row.created_at < SIGN_IN_TIME)
            .ok_or(Error::Unauthenticated)?;
        let person = Person { email: row.email, subject: row.subject, name: row.name };
        let regions = self.regions_of(&person).await?;
        Ok((person, regions))
    }

    /// The held person opens `region_id`'s console; the hold ends.
    pub async fn choose(&self, held: &SessionId, region_id: &RegionId, client: IpAddr) -> Result<(SessionId, Caller)> {
        let (person, _) = self.held(held).await?;
        // Taken before it is used, as an attempt is: two choices at once open one session.
        if !sign_ins::delete_held(&self.db, &digest(held.as_str())).await? {
            return Err(Error::Unauthenticated);
        }
        self.sessions.sign_in_person(&person, region_id, client).await
    }
}

fn refused(why: &str) -> Error {
    Error::SignInRefused(why.to_owned())
}

fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}
