//! REST handlers for integrations. Each one only parses its input (ids and
//! text into their types, so malformed input never reaches the domain),
//! makes one domain call and translates its answer.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::Keyward;
use domain::model::{
    AllowedNetworks, ApiKey, AuditEvent, AuditQuery, CreatedApiKey, Credits, Description, EventId, KeyId, KeyPolicy,
    KeyUpdate, KeyUsage, Meta, NewKey, OwnerId, RateLimits, RegionId, RegionOverview, RegionUsage, Scope, Scopes,
    UsageQuery, present,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, Problem};
use crate::extract::{Authenticated, Body, PathParam, QueryParams};

pub const TAG: &str = "api-keys";

/// `POST /auth/region/api-keys`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "billing service", "scopes": ["orders:read"],
    "rate_limits": [{"name": "per-minute", "limit": 100, "period_s": 60}],
    "credits": {"remaining": 1000, "refill": {"amount": 1000, "interval": "month"}},
    "allowed_networks": ["203.0.113.0/24"], "meta": {"plan": "pro"}}))]
pub struct CreateApiKey {
    /// At most 200 characters, no control or invisible characters (such as
    /// right-to-left overrides); blank means none.
    #[serde(default)]
    #[schema(value_type = Option<Description>, max_length = 200)]
    pub description: Option<String>,
    /// When given, must be the caller's own region.
    #[serde(default)]
    pub region_id: Option<String>,
    /// What the new key may do: `keys:read`, `keys:write`, the protected
    /// API's own scopes, or `["*"]` for all; at most 32. Only scopes the
    /// calling key holds itself (otherwise 403 `scope-escalation`).
    /// Absent: the calling key's own scopes.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Scope>>, max_items = 32, example = json!(["orders:read"]))]
    pub scopes: Option<Vec<String>>,
    /// The owner the key belongs to (its limits and credits bind the key
    /// too); a bound calling key may give only its own owner.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^own_[0-9A-Za-z]{16}$")]
    pub owner_id: Option<String>,
    /// A JSON object of at most 4 KiB, answered by `/auth/verify`.
    #[serde(default)]
    #[schema(example = json!({"plan": "pro"}))]
    pub meta: Option<Meta>,
    /// Up to 5 named limits, all of which a request must pass.
    #[serde(default)]
    pub rate_limits: Option<RateLimits>,
    /// The key's own credits; absent: unlimited.
    #[serde(default)]
    pub credits: Option<Credits>,
    /// Up to 32 networks (CIDR) the key may be used from; absent or empty: anywhere.
    #[serde(default)]
    pub allowed_networks: Option<AllowedNetworks>,
}

/// `PATCH /auth/region/api-keys/{id}`: at least one field; absent fields stay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "billing service, v2", "meta": {"plan": "enterprise"},
    "rate_limits": [{"name": "per-second", "limit": 20, "period_s": 1}]}))]
pub struct UpdateApiKey {
    /// The new description, or `null` to clear it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Description>, max_length = 200)]
    pub description: Option<Option<String>>,
    /// The key's new scopes, within the calling key's own (otherwise 403
    /// `scope-escalation`) and leaving the region a key that holds
    /// `keys:write` (otherwise 409 `last-api-key`).
    #[serde(default)]
    #[schema(value_type = Option<Vec<Scope>>, max_items = 32)]
    pub scopes: Option<Vec<String>>,
    /// RFC 3339: the key stops working at this instant, in the future and
    /// at most 30 days ahead; `null` cancels a scheduled revocation.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub revoke_at: Option<Option<DateTime<Utc>>>,
    /// The key's owner, or `null` to take it from its owner.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, pattern = "^own_[0-9A-Za-z]{16}$")]
    pub owner_id: Option<Option<String>>,
    #[schema(example = json!({"plan": "pro"}))]
    pub meta: Option<Meta>,
    pub rate_limits: Option<RateLimits>,
    /// Sets the credits of the key's budget (`remaining` from now on), or
    /// `null` for unlimited; audited.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Credits>)]
    pub credits: Option<Option<Credits>>,
    pub allowed_networks: Option<AllowedNetworks>,
}

fn parse_scopes(scopes: Option<Vec<String>>) -> Result<Option<Scopes>, ApiError> {
    Ok(scopes.map(|scopes| Scopes::parse(scopes.iter().map(String::as_str))).transpose()?)
}

/// `DELETE /auth/region/api-keys/{id}?region_id=`
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RegionScope {
    /// When given, must be the caller's own region.
    pub region_id: Option<String>,
}

/// The caller's region, its keys and which key made the call. Works for
/// every key; without `keys:read`, `api_keys` holds the calling key alone.
#[utoipa::path(get, path = "/auth/regions/me", tag = TAG, security(("api_key" = [])),
    responses((status = 200, body = RegionOverview), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn me(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
) -> Result<Json<RegionOverview>, ApiError> {
    Ok(Json(keyward.keys().overview(&caller).await?))
}

/// The caller's keys, oldest first. Never a secret. Needs `keys:read`.
#[utoipa::path(get, path = "/auth/region/api-keys", tag = TAG, security(("api_key" = [])),
    responses((status = 200, body = Vec<ApiKey>), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "The key lacks `keys:read`"), (status = 429, body = Problem)))]
pub async fn list_keys(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<ApiKey>>, ApiError> {
    Ok(Json(keyward.keys().list(&caller).await?))
}

/// Creates a key. The response is the only time its full token is ever
/// shown. Needs `keys:write`, as every change does.
#[utoipa::path(post, path = "/auth/region/api-keys", tag = TAG, security(("api_key" = [])), request_body = CreateApiKey,
    responses(
        (status = 201, body = CreatedApiKey, description = "The new key and its token, shown this once"),
        (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`insufficient-scope`, `scope-escalation`, `policy-escalation` or `foreign-region`"),
        (status = 404, body = Problem, description = "`owner-not-found`"),
        (status = 409, body = Problem, description = "`key-limit-reached`, or `api-key-scopes-changed`: the calling key was re-scoped meanwhile"),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn create_key(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    Body(request): Body<CreateApiKey>,
) -> Result<impl IntoResponse, ApiError> {
    let description = Description::parse_optional(request.description.as_deref())?;
    let region_id = request.region_id.as_deref().map(RegionId::parse).transpose()?;
    let scopes = parse_scopes(request.scopes)?;
    let policy = KeyPolicy {
        owner_id: request.owner_id.as_deref().map(OwnerId::parse).transpose()?,
        meta: request.meta.unwrap_or_default(),
        rate_limits: request.rate_limits.unwrap_or_default(),
        credits: request.credits,
        allowed_networks: request.allowed_networks.unwrap_or_default(),
    };
    let created = keyward.keys().create(&caller, NewKey { description, scopes, policy }, region_id.as_ref()).await?;
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    Ok((StatusCode::CREATED, no_store, Json(created)))
}

/// One key of the caller's region.
#[utoipa::path(get, path = "/auth/region/api-keys/{id}", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Key id")),
    responses((status = 200, body = ApiKey), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 429, body = Problem)))]
pub async fn get_key(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> Result<Json<ApiKey>, ApiError> {
    Ok(Json(keyward.keys().get(&caller, &KeyId::parse(&id)?).await?))
}

/// Changes a key's description, scopes, scheduled revocation, owner, meta,
/// rate limits, credits or allowed networks. A change of its policy reaches
/// every process before this answers, and is audited with before and after.
#[utoipa::path(patch, path = "/auth/region/api-keys/{id}", tag = TAG, security(("api_key" = [])), request_body = UpdateApiKey,
    params(("id" = String, Path, description = "Key id")),
    responses((status = 200, body = ApiKey), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`last-api-key`, or `api-key-scopes-changed`"),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn update_key(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    Body(request): Body<UpdateApiKey>,
) -> Result<Json<ApiKey>, ApiError> {
    let update = KeyUpdate {
        description: request.description.map(|text| Description::parse_optional(text.as_deref())).transpose()?,
        scopes: parse_scopes(request.scopes)?,
        revoke_at: request.revoke_at,
        owner_id: request.owner_id.map(|id| id.as_deref().map(OwnerId::parse).transpose()).transpose()?,
        meta: request.meta,
        rate_limits: request.rate_limits,
        credits: request.credits,
        allowed_networks: request.allowed_networks,
    };
    Ok(Json(keyward.keys().update(&caller, &KeyId::parse(&id)?, update).await?))
}

/// Deletes a key: refused at once, everywhere. Refused for the region's last key
/// that can manage keys.
#[utoipa::path(delete, path = "/auth/region/api-keys/{id}", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Key id"), RegionScope),
    responses((status = 204, description = "Deleted"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`last-api-key`, or `api-key-scopes-changed`"),
        (status = 429, body = Problem)))]
pub async fn delete_key(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    QueryParams(scope): QueryParams<RegionScope>,
) -> Result<StatusCode, ApiError> {
    let region_id = scope.region_id.as_deref().map(RegionId::parse).transpose()?;
    keyward.keys().delete(&caller, &KeyId::parse(&id)?, region_id.as_ref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The region's audit log, newest first: every key created, described,
/// re-scoped, scheduled, quarantined or deleted and every console sign-in,
/// with the acting key and its address, and what a change changed. When
/// older events match, `Link: <...>; rel="next"` gives the next page, back
/// to the very first event.
#[utoipa::path(get, path = "/auth/region/audit-events", tag = TAG, security(("api_key" = [])), params(AuditQuery),
    responses((status = 200, body = Vec<AuditEvent>, headers(("Link" = String, description = "The next page, if any"))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn audit_events(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<AuditQuery>,
) -> Result<Response, ApiError> {
    let page = keyward.audit().page(&caller, &query).await?;
    let mut response = Json(page.events).into_response();
    if let Some(next) = page.next {
        let link = format!("<{}?{}>; rel=\"next\"", AUDIT_PATH, next_query(&query, next));
        if let Ok(link) = HeaderValue::try_from(link) {
            response.headers_mut().insert(header::LINK, link);
        }
    }
    Ok(response)
}

/// One key's requests per bucket (accepted, and refused by reason) and
/// where its last use (accepted, or refused for a scope) came from. Also a
/// key deleted within the last 90 days, as long as its usage is kept
/// (minute buckets 24 hours).
/// Counts reach this within the flush interval (`--usage-flush-ms`).
#[utoipa::path(get, path = "/auth/region/api-keys/{id}/usage", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Key id"), UsageQuery),
    responses((status = 200, body = KeyUsage), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "`from` not before `to`, or more than 1440 points"),
        (status = 429, body = Problem)))]
pub async fn key_usage(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<UsageQuery>,
) -> Result<Json<KeyUsage>, ApiError> {
    Ok(Json(keyward.usage().key(&caller, &KeyId::parse(&id)?, query).await?))
}

/// The region's requests per bucket, and every key with traffic in the
/// range (most requests first), with its accepted and refused requests per
/// bucket.
#[utoipa::path(get, path = "/auth/region/usage", tag = TAG, security(("api_key" = [])), params(UsageQuery),
    responses((status = 200, body = RegionUsage), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 422, body = Problem, description = "`from` not before `to`, or more than 1440 points"),
        (status = 429, body = Problem)))]
pub async fn region_usage(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<UsageQuery>,
) -> Result<Json<RegionUsage>, ApiError> {
    Ok(Json(keyward.usage().region(&caller, query).await?))
}

const AUDIT_PATH: &str = "/auth/region/audit-events";

/// `query`'s own parameters, with `before` moved to `next`.
fn next_query(query: &AuditQuery, next: EventId) -> String {
    let mut pairs = form_urlencoded::Serializer::new(String::new());
    pairs.append_pair("before", &next.to_string());
    if let Some(action) = query.action {
        pairs.append_pair("action", action.as_str());
    }
    if let Some(key_id) = &query.api_key_id {
        pairs.append_pair("api_key_id", key_id.as_str());
    }
    for (name, at) in [("from", query.from), ("to", query.to)] {
        if let Some(at) = at {
            pairs.append_pair(name, &at.to_rfc3339());
        }
    }
    if let Some(limit) = query.limit {
        pairs.append_pair("limit", &limit.to_string());
    }
    pairs.finish()
}
