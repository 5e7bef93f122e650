//! The verification hot path: a presented token in, a [`Caller`] out.

use std::net::IpAddr;

use super::usage::KeyUse;
use super::webhooks::Webhooks;
use crate::caller::{Caller, ensure_usable};
use crate::clock::now;
use crate::credentials::secret_hash::{self, Claimant};
use crate::credentials::throttle::{self, FailureThrottle, ThrottleLimits};
use crate::credentials::token::Token;
use crate::credentials::verified_cache::VerifiedCache;
use crate::error::{Error, Result, whole_seconds};
use crate::infra::coherence::{Coherence, Known, WarmKey};
use crate::infra::metering::{Charged, Metering};
use crate::infra::policy::Policy;
use crate::infra::usage_recorder::UseSink;
use crate::model::{EventType, Grant, KeyId, KeyState, Refusal, RegionId, Scope, UseDetails, UseOutcome, Verdict};
use crate::store::database::Db;
use crate::store::keys;
use std::sync::Arc;

/// How many verified tokens one process remembers.
const VERIFIED_CACHE_CAPACITY: u64 = 10_000;

/// A refusal, and the key the token named, when it named one.
struct Refused {
    error: Error,
    key: Option<(KeyId, RegionId)>,
}

#[derive(Clone)]
pub struct Authenticator {
    db: Db,
    coherence: Coherence,
    verified: VerifiedCache,
    throttle: FailureThrottle,
    /// Where outcomes are noted; [`super::usage::Usage`] flushes them.
    usage: UseSink,
    metering: Metering,
    /// Where a key's rate-limit and credit alerts are noted.
    webhooks: Webhooks,
}

/// An accepted request: who called, under what policy, and what its charge left.
struct Admitted {
    caller: Caller,
    policy: Arc<Policy>,
    charged: Option<Charged>,
}

impl Authenticator {
    pub(crate) fn new(
        db: Db,
        coherence: Coherence,
        limits: ThrottleLimits,
        usage: UseSink,
        metering: Metering,
        webhooks: Webhooks,
    ) -> Self {
        Self {
            db,
            coherence,
            verified: VerifiedCache::new(VERIFIED_CACHE_CAPACITY),
            throttle: FailureThrottle::new(limits),
            usage,
            metering,
            webhooks,
        }
    }

    /// Authenticates an API call. A refusal of a known key (a wrong secret,
    /// a revoked or quarantined key, a throttle) is counted for that key;
    /// an accepted call is not counted here: [`Self::authenticate_use`]
    /// opens its use, counted once its outcome is known. Nothing here
    /// writes: counts are flushed later.
    pub async fn authenticate(&self, presented: &str, client: IpAddr) -> Result<Caller> {
        Ok(self.admit(presented, client, 1, &[]).await?.caller)
    }

    /// [`Self::authenticate`], then, when the key holds every `required`
    /// scope, its rate limits and credits charged `cost`, decided from
    /// memory ([`Metering`]). A request refused for a scope spends nothing.
    async fn admit(&self, presented: &str, client: IpAddr, cost: u64, required: &[Scope]) -> Result<Admitted> {
        let Refused { error, key } = match self.charged(presented, client, cost, required).await {
            Ok(admitted) => {
                metrics::counter!("keyward_authentications_total", "outcome" => "accepted").increment(1);
                if admitted.charged.as_ref().is_some_and(|charged| charged.credits_low)
                    && let Some(key_id) = admitted.caller.key_id()
                {
                    self.webhooks.note_alert(key_id, EventType::ApiKeyCreditsLow);
                }
                return Ok(admitted);
            }
            Err(refused) => refused,
        };
        let alert = match &error {
            Error::RateLimited { .. } => Some(EventType::ApiKeyRateLimited),
            Error::CreditsExhausted { .. } => Some(EventType::ApiKeyCreditsExhausted),
            _ => None,
        };
        if let (Some(alert), Some((key_id, _))) = (alert, &key) {
            self.webhooks.note_alert(key_id, alert);
        }
        let (label, outcome) = match &error {
            Error::Unauthenticated => ("invalid", Some(UseOutcome::Invalid)),
            Error::Revoked => ("revoked", Some(UseOutcome::Invalid)),
            Error::Quarantined => ("quarantined", Some(UseOutcome::Invalid)),
            Error::Throttled { .. } => ("throttled", Some(UseOutcome::Throttled)),
            Error::RateLimited { .. } => ("rate_limited", Some(UseOutcome::RateLimited)),
            Error::CreditsExhausted { .. } => ("credits_exhausted", Some(UseOutcome::CreditsExhausted)),
            Error::NetworkNotAllowed => ("network_not_allowed", Some(UseOutcome::NetworkNotAllowed)),
            _ => ("failed", None),
        };
        metrics::counter!("keyward_authentications_total", "outcome" => label).increment(1);
        if let (Some((key_id, region_id)), Some(outcome)) = (key, outcome) {
            self.usage.record_refusal(&key_id, &region_id, outcome, now());
        }
        Err(error)
    }

    /// Authenticates an API call whose outcome is known only once it is
    /// answered (a REST call): refusals are counted as by
    /// [`Self::authenticate`], and an accepted call opens its [`KeyUse`],
    /// counted when finished with its outcome (or dropped), with `details`
    /// as the key's last use.
    pub async fn authenticate_use(&self, presented: &str, client: IpAddr, details: UseDetails) -> Result<KeyUse> {
        let caller = self.authenticate(presented, client).await?;
        Ok(KeyUse::open(caller, details, self.usage.clone()))
    }

    /// Counts a request the caller's key made, its outcome known at once:
    /// `Accepted`, or `InsufficientScope` when the key lacked a scope the
    /// request required. Either is the key's last use, from `details`.
    fn record_use(&self, caller: &Caller, outcome: UseOutcome, details: UseDetails) {
        self.usage.record_use(caller, outcome, details, now());
    }

    /// The verdict on a presented key for a request that requires
    /// `required` scopes, as forward authentication and `/auth/verify` give
    /// it: the same checks, throttle and counting as every REST call.
    /// `Err` only for failures (the database), never for a refusal.
    /// `cost` credits are spent when it is allowed (0 only looks); a request
    /// refused for a scope spends nothing but counts for the rate limits.
    pub async fn verdict(
        &self,
        presented: Option<&str>,
        client: IpAddr,
        required: &[Scope],
        cost: u64,
        details: UseDetails,
    ) -> Result<Verdict> {
        let Some(presented) = presented else {
            metrics::counter!("keyward_authentications_total", "outcome" => "missing").increment(1);
            return Ok(Verdict::Refused(Refusal::Missing));
        };
        let refusal = match self.admit(presented, client, cost, required).await {
            Ok(Admitted { caller, .. }) if !grants_all(&caller, required) => {
                metrics::counter!("keyward_authentications_total", "outcome" => "insufficient_scope").increment(1);
                self.record_use(&caller, UseOutcome::InsufficientScope, details);
                Refusal::InsufficientScope
            }
            Ok(Admitted { caller, policy, charged }) => {
                self.record_use(&caller, UseOutcome::Accepted, details);
                let (rate_limits, credits) = charged.map_or_else(Default::default, |c| (c.rate_limits, c.credits));
                return Ok(Verdict::Allowed(Grant {
                    region_id: caller.region().id.clone(),
                    key_id: caller
                        .key_id()
                        .cloned()
                        .ok_or_else(|| Error::Internal("a key's verdict without its key".to_owned()))?,
                    sandbox: caller.region().sandbox,
                    scopes: caller.scopes().clone(),
                    owner: policy.owner.as_ref().map(|owner| owner.identity.clone()),
                    meta: policy.meta.clone(),
                    rate_limits,
                    credits,
                }));
            }
            Err(Error::Unauthenticated) => Refusal::Invalid,
            Err(Error::Revoked) => Refusal::Revoked,
            Err(Error::Quarantined) => Refusal::Quarantined,
            Err(Error::Throttled { retry_after }) => Refusal::Throttled { retry_after: whole_seconds(retry_after) },
            Err(Error::RateLimited { limit }) => Refusal::RateLimited { limit },
            Err(Error::CreditsExhausted { retry_after }) => {
                Refusal::CreditsExhausted { retry_after: retry_after.map(whole_seconds) }
            }
            Err(Error::NetworkNotAllowed) => Refusal::NetworkNotAllowed,
            Err(failure) => return Err(failure),
        };
        Ok(Verdict::Refused(refusal))
    }

    /// Checks a presented token. Not a use of the key by itself (console
    /// sign-in is not integration traffic), and not counted.
    pub(crate) async fn verify(&self, presented: &str, client: IpAddr) -> Result<Caller> {
        let (caller, _) = self.attributed(presented, client).await.map_err(|refused| refused.error)?;
        Ok(caller)
    }

    /// [`Self::attributed`], then the charge of a request holding every
    /// `required` scope.
    async fn charged(
        &self,
        presented: &str,
        client: IpAddr,
        cost: u64,
        required: &[Scope],
    ) -> Result<Admitted, Refused> {
        let (caller, policy) = self.attributed(presented, client).await?;
        if !policy.meters() || !grants_all(&caller, required) {
            return Ok(Admitted { caller, policy, charged: None });
        }
        match self.metering.charge(&policy.charge(cost), now()).await {
            Ok(charged) => Ok(Admitted { caller, policy, charged: Some(charged) }),
            Err(error) => {
                Err(Refused { error, key: caller.key_id().map(|key_id| (key_id.clone(), caller.region().id.clone())) })
            }
        }
    }

    /// Checks a presented token; a refusal names the key the token named,
    /// if any.
    ///
    /// Garbage fails the checksum without database work. A token that names
    /// no key is refused without argon2 and counts for no throttle: only
    /// argon2's failures spend the budget that guards argon2, so tokens that
    /// cost nothing (from others behind the same NAT or proxy) cannot refuse
    /// a valid key's first verification on a process. A well-formed token
    /// is answered from the coherent cache while it may be trusted (a known
    /// key, or a lookup no key has), otherwise with one indexed read; either
    /// way a deleted key fails on its very next request in every process.
    /// argon2 runs only for a token this process has not verified yet, and
    /// not at all for a key or client address that failed too often: those
    /// get `Throttled`. A token this process already verified is never
    /// throttled, so failures from others (behind the same proxy or NAT, or
    /// guessing at the same key) cannot lock a working integration out.
    async fn attributed(&self, presented: &str, client: IpAddr) -> Result<(Caller, Arc<Policy>), Refused> {
        let (token, digest, key) = self.find(presented, client).await.map_err(|error| Refused { error, key: None })?;
        match self.check(&token, digest, &key, client).await {
            Ok(()) => {
                let caller = Caller::new(key.region, key.key_id, key.scopes, client, key.bounds);
                Ok((caller, key.policy))
            }
            Err(error) => Err(Refused { error, key: Some((key.key_id, key.region.id)) }),
        }
    }

    /// The key a presented token names, with the token and its digest.
    async fn find(&self, presented: &str, client: IpAddr) -> Result<(Token, [u8; 32], WarmKey)> {
        let Some(token) = Token::parse(presented) else {
            return Err(Error::Unauthenticated);
        };
        let digest = VerifiedCache::digest(&token);
        let known = self.coherence.known(token.lookup());
        let source = match &known {
            Known::Key(_) => "memory",
            Known::Absent => "memory_absent",
            Known::Unsure(_) => "database",
        };
        metrics::counter!("keyward_key_lookups_total", "from" => source).increment(1);
        let key = match known {
            Known::Key(key) => Some(key),
            Known::Absent => None,
            Known::Unsure(epoch) => {
                // An address over its limit (failed argon2 too often) costs
                // no read either, unless the token is one this process verified.
                if !self.verified.knows(&digest) {
                    self.throttle.check_address(client)?;
                }
                let key = self.read(token.lookup()).await?;
                if let (Some(key), Some(epoch)) = (&key, epoch) {
                    self.coherence.remember(token.lookup(), key.clone(), epoch);
                }
                key
            }
        };
        // The prefix is part of what was issued: a live key never answers
        // as a sandbox one, or the other way round.
        match key.filter(|key| key.region.environment() == token.environment()) {
            Some(key) => Ok((token, digest, key)),
            None => Err(Error::Unauthenticated),
        }
    }

    /// Whether the token is the key's, and the key may be used now.
    async fn check(&self, token: &Token, digest: [u8; 32], key: &WarmKey, client: IpAddr) -> Result<()> {
        if !self.verified.contains(&digest, &key.secret_hash) {
            // Refuse what is over its limit at once, without queueing.
            self.throttle.check(client, token.lookup())?;
            self.verify_secret(token, key, digest, client).await?;
        }
        // Compared on every request, cached or not: a scheduled key stops
        // at that instant in every process, before any sweeper deletes it.
        ensure_usable(KeyState::at(key.revoke_at, key.quarantined, now()))?;
        if key.policy.allowed_networks.allow(client) { Ok(()) } else { Err(Error::NetworkNotAllowed) }
    }

    /// Runs argon2 for a token this process has not verified yet, in turn.
    /// Each attempt is counted as a failure before argon2 runs (a match
    /// gives it back), so no number of concurrent attempts gets past the
    /// limit; an attempt that finds the limit filled only by attempts still
    /// running waits for them, since one of them may be this very token.
    async fn verify_secret(&self, token: &Token, key: &WarmKey, digest: [u8; 32], client: IpAddr) -> Result<()> {
        loop {
            let released = self.throttle.released();
            let mut released = std::pin::pin!(released);
            released.as_mut().enable();
            let claimant = Claimant { region: key.region.id.clone(), client: Some(self.throttle.counted(client)) };
            let slot = secret_hash::slot(&claimant).await?;
            if self.verified.contains(&digest, &key.secret_hash) {
                return Ok(());
            }
            let reservation = match self.throttle.reserve(client, token.lookup()) {
                Ok(reservation) => reservation,
                Err(throttle::Refusal::Throttled(throttled)) => return Err(throttled),
                Err(throttle::Refusal::Busy) => {
                    drop(slot);
                    released.await;
                    continue;
                }
            };
            let (secret, hash) = (token.secret().to_owned(), key.secret_hash.clone());
            // The reservation ends inside the turn, whatever becomes of this request.
            let matches = slot
                .run(move |memory| {
                    let matches = secret_hash::verify_in(&secret, &hash, memory);
                    reservation.finish(matches);
                    matches
                })
                .await?;
            if !matches {
                return Err(Error::Unauthenticated);
            }
            self.verified.insert(digest, &key.secret_hash);
            return Ok(());
        }
    }

    /// The key with `lookup` and its region, from the database.
    async fn read(&self, lookup: &str) -> Result<Option<WarmKey>> {
        let Some((key, Some(region))) = keys::find_by_lookup(&self.db, lookup).await? else { return Ok(None) };
        let policy = Policy::load(&self.db, &key).await?;
        Ok(Some(WarmKey {
            quarantined: key.is_quarantined(),
            key_id: key.id,
            secret_hash: key.secret_hash,
            region: region.into(),
            scopes: key.scopes,
            revoke_at: key.revoke_at,
            bounds: Arc::new(policy.bounds()),
            policy,
        }))
    }
}

fn grants_all(caller: &Caller, required: &[Scope]) -> bool {
    required.iter().all(|scope| caller.scopes().grants(scope))
}
