//! Leak reports: GitHub's and GitLab's secret scanning partner endpoints
//! (signed, synchronous, labelled) and a public one for anyone who found a
//! token (unsigned, answered before it is processed, so it is no oracle).

mod partner_keys;

pub use partner_keys::PartnerKeys;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::Keyward;
use domain::model::{InvalidInput, LEAK_BATCH_MAX, LeakChannel, LeakLabel, LeakedToken};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::extract::{Body, ClientAddress};

pub const TAG: &str = "leaks";

/// A signed report may carry up to [`LEAK_BATCH_MAX`] tokens with their URLs.
pub const PARTNER_BODY_LIMIT_BYTES: usize = 2 * 1024 * 1024;
/// A public report: up to [`LEAK_BATCH_MAX`] tokens of 50 characters.
pub const PUBLIC_BODY_LIMIT_BYTES: usize = 96 * 1024;

/// The partners' keys, as configured.
#[derive(Clone, Default)]
pub struct ScanningPartners {
    pub github: PartnerKeys,
    pub gitlab: PartnerKeys,
}

/// One token in a partner's report.
#[derive(Deserialize, ToSchema)]
pub struct PartnerReport {
    pub token: String,
    /// The partner's name for the kind of token, echoed in the answer.
    #[serde(rename = "type")]
    pub token_type: String,
    pub url: Option<String>,
    pub source: Option<String>,
}

/// What Keyward says of one reported token.
#[derive(Serialize, ToSchema)]
pub struct PartnerLabel {
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    pub token_type: String,
    pub label: LeakLabel,
}

/// `POST /auth/leaks/report`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicReport {
    /// Tokens found in public, at most 1000.
    #[schema(max_items = 1000)]
    pub credentials: Vec<String>,
}

/// GitHub secret scanning: labels each token and quarantines the live keys
/// among them, before it answers.
#[utoipa::path(post, path = "/auth/leaks/github", tag = TAG, request_body = Vec<PartnerReport>,
    params(("Github-Public-Key-Identifier" = String, Header), ("Github-Public-Key-Signature" = String, Header,
        description = "Base64 DER ECDSA P-256 SHA-256 signature of the raw body")),
    responses((status = 201, body = Vec<PartnerLabel>), (status = 400, body = Problem),
        (status = 401, body = Problem, description = "Signature missing, by an unknown key, or wrong"),
        (status = 404, body = Problem, description = "No GitHub keys configured"), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
pub async fn github(
    State(keyward): State<Keyward>,
    State(partners): State<ScanningPartners>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let labels = partner_report(&keyward, &partners.github, "Github", LeakChannel::Github, &headers, body?).await?;
    Ok((StatusCode::CREATED, Json(labels)).into_response())
}

/// GitLab secret detection: the same protocol under GitLab's header names.
#[utoipa::path(post, path = "/auth/leaks/gitlab", tag = TAG, request_body = Vec<PartnerReport>,
    params(("Gitlab-Public-Key-Identifier" = String, Header), ("Gitlab-Public-Key-Signature" = String, Header,
        description = "Base64 DER ECDSA P-256 SHA-256 signature of the raw body")),
    responses((status = 200, body = Vec<PartnerLabel>), (status = 400, body = Problem),
        (status = 401, body = Problem, description = "Signature missing, by an unknown key, or wrong"),
        (status = 404, body = Problem, description = "No GitLab keys configured"), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
pub async fn gitlab(
    State(keyward): State<Keyward>,
    State(partners): State<ScanningPartners>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let labels = partner_report(&keyward, &partners.gitlab, "Gitlab", LeakChannel::Gitlab, &headers, body?).await?;
    Ok(Json(labels).into_response())
}

/// Anyone who found a token reports it here. Every well-formed report is
/// accepted (or refused, while too many wait) the same way before any token
/// is looked at, so the answer says nothing about them; valid keys among
/// them are quarantined shortly after.
#[utoipa::path(post, path = "/auth/leaks/report", tag = TAG, request_body = PublicReport,
    responses((status = 202, description = "Received; checked shortly"), (status = 400, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem, description = "Too many reports from this client"),
        (status = 503, body = Problem, description = "Too many reports waiting to be checked; try again after Retry-After")))]
pub async fn report(
    State(keyward): State<Keyward>,
    ClientAddress(client): ClientAddress,
    Body(report): Body<PublicReport>,
) -> Result<StatusCode, ApiError> {
    ensure_batch_size(report.credentials.len())?;
    keyward.leaks().file_public_report(client, report.credentials)?;
    Ok(StatusCode::ACCEPTED)
}

/// Checks the signature of the raw body, then labels and quarantines.
async fn partner_report(
    keyward: &Keyward,
    keys: &PartnerKeys,
    partner: &'static str,
    via: LeakChannel,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Vec<PartnerLabel>, ApiError> {
    if !keys.is_enabled() {
        return Err(ApiError::NotEnabled(match via {
            LeakChannel::Github => "GitHub secret scanning",
            _ => "GitLab secret detection",
        }));
    }
    if !keys.verify(partner, headers, &body) {
        return Err(ApiError::BadSignature);
    }
    let Json(reports) = Json::<Vec<PartnerReport>>::from_bytes(&body)?;
    ensure_batch_size(reports.len())?;
    let leaked: Vec<LeakedToken> = reports
        .iter()
        .map(|report| LeakedToken {
            token: report.token.clone(),
            url: report.url.clone(),
            source: report.source.clone(),
        })
        .collect();
    let labels = keyward.leaks().report(&leaked, via).await?;
    Ok(reports
        .into_iter()
        .zip(labels)
        .map(|(report, label)| PartnerLabel {
            token_hash: Sha256::digest(report.token.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect(),
            token_type: report.token_type,
            label,
        })
        .collect())
}

fn ensure_batch_size(tokens: usize) -> Result<(), ApiError> {
    if tokens > LEAK_BATCH_MAX {
        return Err(InvalidInput(format!("a report carries at most {LEAK_BATCH_MAX} tokens")).into());
    }
    Ok(())
}
