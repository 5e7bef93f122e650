//! Leak reports: tokens found in public, from the secret scanning partner
//! programs or from anyone. A reported token that is a live key quarantines
//! it at once: refused everywhere, for good, announced to every process
//! like a deletion. The answer says which tokens are or were keys here,
//! checked by lookup and secret, never by the lookup alone.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::Semaphore;

use super::audit;
use super::change::Change;
use super::coherence::Coherence;
use crate::clock::now;
use crate::credentials::secret_hash::{self, Claimant, SecretHash};
use crate::credentials::throttle::{FailureThrottle, ThrottleLimits};
use crate::credentials::token::Token;
use crate::error::{Error, Result};
use crate::model::{AuditAction, AuditChange, LeakChannel, LeakLabel, LeakedToken, Quarantine, Region, RegionId};
use crate::store::database::Db;
use crate::store::entity::{api_key, region, retired_api_key};
use crate::store::find_key_in_region;

/// Public reports one client may file per window.
const PUBLIC_REPORTS_PER_WINDOW: u32 = 10;
const PUBLIC_REPORT_WINDOW: Duration = Duration::from_secs(60);
/// What a report may say about where it found a token is kept this short.
const URL_MAX_CHARS: usize = 2048;
const SOURCE_MAX_CHARS: usize = 100;

#[derive(Clone)]
pub struct Leaks {
    db: Db,
    coherence: Coherence,
    public: Arc<PublicReports>,
}

/// What keeps the unauthenticated public report from being a lever on the
/// server's argon2 work.
struct PublicReports {
    /// Reports per client (per network for IPv6), checked and counted at once.
    reporters: Mutex<FailureThrottle>,
    /// Wrong secrets per lookup, as for authentication: past the limit a
    /// lookup's reported tokens cost no argon2 until the window passes.
    guesses: FailureThrottle,
    /// Public reports are checked one at a time.
    turn: Semaphore,
}

impl Leaks {
    pub(crate) fn new(db: Db, coherence: Coherence, limits: ThrottleLimits) -> Self {
        let per_client =
            ThrottleLimits { per_address: PUBLIC_REPORTS_PER_WINDOW, window: PUBLIC_REPORT_WINDOW, ..limits };
        let per_lookup = ThrottleLimits { per_address: u32::MAX, ..limits };
        let public = PublicReports {
            reporters: Mutex::new(FailureThrottle::new(per_client)),
            guesses: FailureThrottle::new(per_lookup),
            turn: Semaphore::new(1),
        };
        Self { db, coherence, public: Arc::new(public) }
    }

    /// Labels each token of a partner's (signed) report, in order, and
    /// quarantines the live keys among them. Reporting a token again
    /// changes nothing more.
    pub async fn report(&self, leaked: &[LeakedToken], via: LeakChannel) -> Result<Vec<LeakLabel>> {
        let mut labels = Vec::with_capacity(leaked.len());
        for report in leaked {
            labels.push(self.label(report, via, None).await?);
        }
        Ok(labels)
    }

    /// Counts a public report against its client, or refuses it with
    /// `Paced` once the client filed too many.
    pub fn admit_public_report(&self, client: IpAddr) -> Result<()> {
        let reporters = self.public.reporters.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(Error::Throttled { retry_after }) = reporters.check_address(client) {
            return Err(Error::Paced { retry_after, what: "too many leak reports from this address" });
        }
        reporters.record_failure(client);
        Ok(())
    }

    /// Checks an admitted public report from `client`, after the other
    /// public reports before it: each token once, and a lookup's wrong
    /// secrets counted against it as for authentication.
    pub async fn report_public(&self, client: IpAddr, tokens: Vec<String>) -> Result<()> {
        let mut seen = HashSet::new();
        let tokens: Vec<String> = tokens
            .into_iter()
            .map(|token| token.trim().to_owned())
            .filter(|token| seen.insert(token.clone()))
            .collect();
        let _turn = self.public.turn.acquire().await.map_err(|e| Error::Internal(format!("public reports: {e}")))?;
        for token in tokens {
            self.label(&LeakedToken { token, url: None, source: None }, LeakChannel::Public, Some(client)).await?;
        }
        Ok(())
    }

    async fn label(&self, report: &LeakedToken, via: LeakChannel, guesser: Option<IpAddr>) -> Result<LeakLabel> {
        let label = self.label_unrecorded(report, via, guesser).await?;
        let found = if label == LeakLabel::TruePositive { "true_positive" } else { "false_positive" };
        metrics::counter!("keyward_leaked_tokens_total", "via" => via.as_str(), "label" => found).increment(1);
        Ok(label)
    }

    async fn label_unrecorded(
        &self,
        report: &LeakedToken,
        via: LeakChannel,
        guesser: Option<IpAddr>,
    ) -> Result<LeakLabel> {
        let Some(token) = Token::parse(report.token.trim()) else {
            return Ok(LeakLabel::FalsePositive);
        };
        let live = api_key::Entity::find()
            .filter(api_key::Column::Lookup.eq(token.lookup()))
            .find_also_related(region::Entity)
            .one(&self.db)
            .await?;
        if let Some((key, Some(region))) = live
            && Region::from(region).environment() == token.environment()
            && self.matches(&token, &key.secret_hash, &key.region_id, guesser).await?
        {
            self.quarantine(&key, report, via).await?;
            return Ok(LeakLabel::TruePositive);
        }
        let retired = retired_api_key::Entity::find_by_id(token.lookup().to_owned())
            .find_also_related(region::Entity)
            .one(&self.db)
            .await?;
        Ok(match retired {
            Some((retired, Some(region)))
                if Region::from(region.clone()).environment() == token.environment()
                    && self.matches(&token, &retired.secret_hash, &retired.region_id, guesser).await? =>
            {
                LeakLabel::TruePositive
            }
            _ => LeakLabel::FalsePositive,
        })
    }

    /// Quarantines `key`, unless it already is or was deleted meanwhile;
    /// answered once every process refuses it.
    async fn quarantine(&self, key: &api_key::Model, report: &LeakedToken, via: LeakChannel) -> Result<()> {
        let mut change = Change::in_region(&self.db, &self.coherence, &key.region_id).await?;
        let Some(current) = find_key_in_region(&*change, &key.region_id, &key.id).await? else {
            return Ok(());
        };
        if current.is_quarantined() {
            return Ok(());
        }
        let (url, source) = (clip(&report.url, URL_MAX_CHARS), clip(&report.source, SOURCE_MAX_CHARS));
        let found = Quarantine { at: now(), url: url.clone(), source: source.clone(), reported_via: via };
        let found = serde_json::to_string(&found)
            .map_err(|error| Error::Internal(format!("could not write a quarantine: {error}")))?;
        let mut row: api_key::ActiveModel = current.into();
        row.quarantine = Set(Some(found));
        row.updated_at = Set(now());
        let key = row.update(&*change).await?;
        let audited = AuditChange::Found { url, source, reported_via: via };
        audit::record(&*change, &key.region_id, AuditAction::ApiKeyQuarantined, Some(&key), None, Some(audited))
            .await?;
        change.keys_changed().await?;
        change.commit().await
    }
}

impl Leaks {
    /// Whether `token`'s secret is the one `hash` was made from: argon2, in
    /// turn. For a public report (`guesser`), a lookup that had too many
    /// wrong secrets lately is not checked at all: no match.
    async fn matches(
        &self,
        token: &Token,
        hash: &SecretHash,
        region: &RegionId,
        guesser: Option<IpAddr>,
    ) -> Result<bool> {
        let reservation = match guesser.map(|client| self.public.guesses.reserve(client, token.lookup())) {
            Some(Err(_)) => return Ok(false),
            Some(Ok(reservation)) => Some(reservation),
            None => None,
        };
        let (secret, hash) = (token.secret().to_owned(), hash.clone());
        let claimant = Claimant { region: region.clone(), client: guesser };
        let matched = secret_hash::slot(&claimant)
            .await?
            .run(move |memory| secret_hash::verify_in(&secret, &hash, memory))
            .await?;
        if let Some(reservation) = reservation {
            reservation.finish(matched);
        }
        Ok(matched)
    }
}

/// A reporter's text, without control characters and at most `max` long.
fn clip(text: &Option<String>, max: usize) -> Option<String> {
    let clipped: String = text.as_deref()?.chars().filter(|c| !c.is_control()).take(max).collect();
    (!clipped.trim().is_empty()).then_some(clipped)
}
