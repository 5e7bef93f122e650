//! Leak reports: tokens found in public, from the secret scanning partner
//! programs or from anyone. A reported token that is a live key quarantines
//! it at once: refused everywhere, for good, announced to every process
//! like a deletion. The answer says which tokens are or were keys here,
//! checked by lookup and secret, never by the lookup alone.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sea_orm::{ActiveModelTrait, ActiveValue::Set};

use super::audit::AuditEntry;
use crate::clock::now;
use crate::credentials::round_robin::RoundRobin;
use crate::credentials::secret_hash::{self, Claimant, SecretHash};
use crate::credentials::throttle::{FailureThrottle, ThrottleLimits};
use crate::credentials::token::Token;
use crate::error::{Error, Result};
use crate::infra::change::Change;
use crate::infra::coherence::Coherence;
use crate::model::{AuditAction, AuditChange, LeakChannel, LeakLabel, LeakedToken, Quarantine, Region, RegionId};
use crate::store::database::Db;
use crate::store::entity::{api_key, region, retired_api_key};
use crate::store::keys;

/// Public reports one client may file per window.
const PUBLIC_REPORTS_PER_WINDOW: u32 = 10;
const PUBLIC_REPORT_WINDOW: Duration = Duration::from_secs(60);
/// Past this many tokens of public reports waiting to be checked, new
/// reports are refused (the queue holds at most one report more): about a
/// hundred full reports, a few MB. Tokens whose lookup is no key's cost
/// two indexed reads per [`TOKENS_PER_TURN`], so a full queue of them is
/// checked in seconds.
const PUBLIC_QUEUE_TOKENS: usize = 100_000;
/// What a report refused for a full queue is told to wait.
const PUBLIC_QUEUE_RETRY: Duration = Duration::from_secs(5);
/// Tokens read at once, and the most one client's report is checked of
/// before the next client's turn.
const TOKENS_PER_TURN: usize = 500;
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
    queue: Mutex<ReportQueue>,
}

/// Admitted public reports, in parts of at most [`TOKENS_PER_TURN`]
/// tokens, checked one client's part at a time and client by client:
/// however much one client (address, or IPv6 network) filed, another's
/// report waits for at most one part of each other client's.
#[derive(Default)]
struct ReportQueue {
    waiting: RoundRobin<IpAddr, VecDeque<Vec<String>>>,
    /// Tokens admitted and not checked yet, those being checked included.
    tokens: usize,
    /// Whether a task is checking them.
    checking: bool,
}

impl Leaks {
    pub(crate) fn new(db: Db, coherence: Coherence, limits: ThrottleLimits) -> Self {
        let per_client =
            ThrottleLimits { per_address: PUBLIC_REPORTS_PER_WINDOW, window: PUBLIC_REPORT_WINDOW, ..limits };
        let per_lookup = ThrottleLimits { per_address: u32::MAX, ..limits };
        let public = PublicReports {
            reporters: Mutex::new(FailureThrottle::new(per_client)),
            guesses: FailureThrottle::new(per_lookup),
            queue: Mutex::default(),
        };
        Self { db, coherence, public: Arc::new(public) }
    }

    /// Labels each token of a partner's (signed) report, in order, and
    /// quarantines the live keys among them. Reporting a token again
    /// changes nothing more.
    pub async fn report(&self, leaked: &[LeakedToken], via: LeakChannel) -> Result<Vec<LeakLabel>> {
        self.label_all(leaked, via, None).await
    }

    /// Takes a public report from `client` into the queue, to be checked
    /// shortly. Refused with `Paced` once the client filed too many, and
    /// with `Busy` while the queue is full: both decided before any token
    /// is looked at, so the answer says nothing about them.
    pub fn file_public_report(&self, client: IpAddr, tokens: Vec<String>) -> Result<()> {
        let tokens = distinct(tokens);
        let reporters = self.public.reporters.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(Error::Throttled { retry_after }) = reporters.check_address(client) {
            return Err(Error::Paced { retry_after, what: "too many leak reports from this address" });
        }
        let mut queue = self.public.queue.lock().unwrap_or_else(PoisonError::into_inner);
        if queue.tokens >= PUBLIC_QUEUE_TOKENS {
            return Err(Error::Busy {
                retry_after: PUBLIC_QUEUE_RETRY,
                what: "too many leak reports are waiting to be checked",
            });
        }
        reporters.record_failure(client);
        queue.tokens += tokens.len();
        let reporter = reporters.counted(client);
        for part in tokens.chunks(TOKENS_PER_TURN) {
            queue.waiting.push_for(reporter, part.to_vec());
        }
        if !queue.waiting.is_empty() && !std::mem::replace(&mut queue.checking, true) {
            tokio::spawn(self.clone().check_queue());
        }
        Ok(())
    }

    /// Checks the queued public reports, a part of one client's at a time,
    /// until none is left.
    async fn check_queue(self) {
        loop {
            let (client, tokens) = {
                let mut queue = self.public.queue.lock().unwrap_or_else(PoisonError::into_inner);
                match queue.waiting.pop_next() {
                    Some(next) => next,
                    None => {
                        queue.checking = false;
                        return;
                    }
                }
            };
            let count = tokens.len();
            if let Err(error) = self.check_public(client, tokens).await {
                tracing::warn!(%error, "could not check a public leak report");
            }
            self.public.queue.lock().unwrap_or_else(PoisonError::into_inner).tokens -= count;
        }
    }

    /// Checks a public report from `client` now: each token once, and a
    /// lookup's wrong secrets counted against it as for authentication.
    pub async fn report_public(&self, client: IpAddr, tokens: Vec<String>) -> Result<()> {
        self.check_public(client, distinct(tokens)).await
    }

    async fn check_public(&self, client: IpAddr, tokens: Vec<String>) -> Result<()> {
        let reports: Vec<LeakedToken> =
            tokens.into_iter().map(|token| LeakedToken { token, url: None, source: None }).collect();
        self.label_all(&reports, LeakChannel::Public, Some(client)).await.map(drop)
    }

    /// Labels `reports` in order, and quarantines the live keys among them.
    /// The rows of their lookups are read at once, [`TOKENS_PER_TURN`] at a
    /// time: a token whose lookup is no key's costs nothing more, and only
    /// one whose lookup is a key's runs argon2. The live keys found in one
    /// part are quarantined in one change per region.
    async fn label_all(
        &self,
        reports: &[LeakedToken],
        via: LeakChannel,
        guesser: Option<IpAddr>,
    ) -> Result<Vec<LeakLabel>> {
        let mut labels = Vec::with_capacity(reports.len());
        for reports in reports.chunks(TOKENS_PER_TURN) {
            let tokens: Vec<Option<Token>> = reports.iter().map(|report| Token::parse(report.token.trim())).collect();
            let rows = self.rows_of(tokens.iter().flatten().map(Token::lookup).collect()).await?;
            let mut live: BTreeMap<&str, Vec<(&api_key::Model, &LeakedToken)>> = BTreeMap::new();
            for (report, token) in reports.iter().zip(&tokens) {
                let label = match token {
                    Some(token) => match self.label(token, &rows, guesser).await? {
                        Found::Live(key) => {
                            live.entry(key.region_id.as_str()).or_default().push((key, report));
                            LeakLabel::TruePositive
                        }
                        Found::Retired => LeakLabel::TruePositive,
                        Found::Nothing => LeakLabel::FalsePositive,
                    },
                    None => LeakLabel::FalsePositive,
                };
                let found = if label == LeakLabel::TruePositive { "true_positive" } else { "false_positive" };
                metrics::counter!("keyward_leaked_tokens_total", "via" => via.as_str(), "label" => found).increment(1);
                labels.push(label);
            }
            for found in live.values() {
                self.quarantine(found, via).await?;
            }
        }
        Ok(labels)
    }

    /// The keys and retired keys with these lookups, with their regions.
    async fn rows_of(&self, lookups: Vec<&str>) -> Result<Rows> {
        if lookups.is_empty() {
            return Ok(Rows::default());
        }
        let live = keys::with_lookups(&self.db, &lookups).await?;
        let retired = keys::retired_with_lookups(&self.db, &lookups).await?;
        Ok(Rows {
            live: live.into_iter().filter_map(|(key, region)| Some((key.lookup.clone(), (key, region?)))).collect(),
            retired: retired
                .into_iter()
                .filter_map(|(retired, region)| Some((retired.lookup.clone(), (retired, region?))))
                .collect(),
        })
    }

    /// Whether `token` is or was a key here, by lookup and secret.
    async fn label<'r>(&self, token: &Token, rows: &'r Rows, guesser: Option<IpAddr>) -> Result<Found<'r>> {
        let same_environment =
            |region: &region::Model| Region::from(region.clone()).environment() == token.environment();
        if let Some((key, region)) = rows.live.get(token.lookup())
            && same_environment(region)
            && self.matches(token, &key.secret_hash, &key.region_id, guesser).await?
        {
            return Ok(Found::Live(key));
        }
        Ok(match rows.retired.get(token.lookup()) {
            Some((retired, region))
                if same_environment(region)
                    && self.matches(token, &retired.secret_hash, &retired.region_id, guesser).await? =>
            {
                Found::Retired
            }
            _ => Found::Nothing,
        })
    }

    /// Quarantines `found`, keys of one region each with its report, in one
    /// change (a report of a thousand keys is one announcement), but not a
    /// key that already is quarantined or was deleted meanwhile; answered
    /// once every process refuses them.
    async fn quarantine(&self, found: &[(&api_key::Model, &LeakedToken)], via: LeakChannel) -> Result<()> {
        let Some((first, _)) = found.first() else { return Ok(()) };
        let region_id = &first.region_id;
        let mut change = Change::in_region(&self.db, &self.coherence, region_id).await?;
        for (key, report) in found {
            let Some(current) = keys::find_in_region(&change, region_id, &key.id).await? else { continue };
            if current.is_quarantined() {
                continue;
            }
            let (url, source) = (clip(&report.url, URL_MAX_CHARS), clip(&report.source, SOURCE_MAX_CHARS));
            let quarantine = Quarantine { at: now(), url: url.clone(), source: source.clone(), reported_via: via };
            let quarantine = serde_json::to_string(&quarantine)
                .map_err(|error| Error::Internal(format!("could not write a quarantine: {error}")))?;
            let mut row: api_key::ActiveModel = current.into();
            row.quarantine = Set(Some(quarantine));
            row.updated_at = Set(now());
            let key = row.update(&change).await?;
            let audited = AuditChange::Found { url, source, reported_via: via };
            AuditEntry::new(region_id, AuditAction::ApiKeyQuarantined)
                .key(&key)
                .change(audited)
                .record(&change)
                .await?;
            change.key_changed(&key.lookup);
        }
        change.commit().await
    }
}

/// What a reported token turned out to be.
enum Found<'r> {
    /// A key's, with its row: to quarantine.
    Live(&'r api_key::Model),
    /// A deleted key's.
    Retired,
    Nothing,
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

/// The rows a batch of reported tokens may be, by lookup.
#[derive(Default)]
struct Rows {
    live: HashMap<String, (api_key::Model, region::Model)>,
    retired: HashMap<String, (retired_api_key::Model, region::Model)>,
}

/// Each token once, trimmed, in the order first reported.
fn distinct(tokens: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    tokens.into_iter().map(|token| token.trim().to_owned()).filter(|token| seen.insert(token.clone())).collect()
}

/// A reporter's text, without control characters and at most `max` long.
fn clip(text: &Option<String>, max: usize) -> Option<String> {
    let clipped: String = text.as_deref()?.chars().filter(|c| !c.is_control()).take(max).collect();
    (!clipped.trim().is_empty()).then_some(clipped)
}
