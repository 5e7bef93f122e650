//! REST handlers for integrations. Each one only translates HTTP to one
//! [`KeyService`] call and back.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use domain::{ApiKey, AuditEvent, CreatedApiKey, KeyService, RegionOverview};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};

pub const TAG: &str = "api-keys";

/// A JSON body whose refusals are problem+json (400, 413, 415, 422).
#[derive(FromRequest)]
#[from_request(via(Json), rejection(ApiError))]
pub struct Body<T>(pub T);

/// A path parameter whose refusals are problem+json (400).
#[derive(FromRequestParts)]
#[from_request(via(Path), rejection(ApiError))]
pub struct PathParam<T>(pub T);

/// A query string whose refusals are problem+json (400).
#[derive(FromRequestParts)]
#[from_request(via(Query), rejection(ApiError))]
pub struct QueryParams<T>(pub T);

/// `POST /auth/region/api-keys`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// At most 200 characters, no control or invisible characters (such as
    /// right-to-left overrides); blank means none.
    #[serde(default)]
    pub description: Option<String>,
    /// When given, must be the caller's own region.
    #[serde(default)]
    pub region_id: Option<String>,
}

/// `PATCH /auth/region/api-keys/{id}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateApiKey {
    /// The new description, or `null` to clear it. Required.
    #[serde(deserialize_with = "present")]
    #[schema(required = true)]
    pub description: Option<String>,
}

/// Makes `description` required while still accepting `null`.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(deserializer)
}

/// `DELETE /auth/region/api-keys/{id}?region_id=`
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RegionScope {
    /// When given, must be the caller's own region.
    pub region_id: Option<String>,
}

/// The caller's region, its keys and which key made the call.
#[utoipa::path(get, path = "/auth/regions/me", tag = TAG, security(("api_key" = [])),
    responses((status = 200, body = RegionOverview), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn me(
    State(keys): State<KeyService>,
    Authenticated(caller): Authenticated,
) -> Result<Json<RegionOverview>, ApiError> {
    Ok(Json(keys.overview(&caller).await?))
}

/// The caller's keys, oldest first. Never a secret.
#[utoipa::path(get, path = "/auth/region/api-keys", tag = TAG, security(("api_key" = [])),
    responses((status = 200, body = Vec<ApiKey>), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn list_keys(
    State(keys): State<KeyService>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<ApiKey>>, ApiError> {
    Ok(Json(keys.list_keys(&caller).await?))
}

/// Creates a key. The response is the only time its full token is ever shown.
#[utoipa::path(post, path = "/auth/region/api-keys", tag = TAG, security(("api_key" = [])), request_body = CreateApiKey,
    responses(
        (status = 201, body = CreatedApiKey, description = "The new key and its token, shown this once"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn create_key(
    State(keys): State<KeyService>,
    Authenticated(caller): Authenticated,
    Body(request): Body<CreateApiKey>,
) -> Result<impl IntoResponse, ApiError> {
    let created = keys.create_key(&caller, request.description, request.region_id.as_deref()).await?;
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    Ok((StatusCode::CREATED, no_store, Json(created)))
}

/// One key of the caller's region.
#[utoipa::path(get, path = "/auth/region/api-keys/{id}", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Key id")),
    responses((status = 200, body = ApiKey), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 429, body = Problem)))]
pub async fn get_key(
    State(keys): State<KeyService>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> Result<Json<ApiKey>, ApiError> {
    Ok(Json(keys.get_key(&caller, &id).await?))
}

/// Sets or clears a key's description.
#[utoipa::path(patch, path = "/auth/region/api-keys/{id}", tag = TAG, security(("api_key" = [])), request_body = UpdateApiKey,
    params(("id" = String, Path, description = "Key id")),
    responses((status = 200, body = ApiKey), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn update_key(
    State(keys): State<KeyService>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    Body(request): Body<UpdateApiKey>,
) -> Result<Json<ApiKey>, ApiError> {
    Ok(Json(keys.update_description(&caller, &id, request.description).await?))
}

/// Revokes a key at once, everywhere. Refused for the region's only key.
#[utoipa::path(delete, path = "/auth/region/api-keys/{id}", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Key id"), RegionScope),
    responses((status = 204, description = "Deleted"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "The region's last key"),
        (status = 429, body = Problem)))]
pub async fn delete_key(
    State(keys): State<KeyService>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    QueryParams(scope): QueryParams<RegionScope>,
) -> Result<StatusCode, ApiError> {
    keys.delete_key(&caller, &id, scope.region_id.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /auth/region/audit-events?limit=`
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// How many events, newest first: default 50, at most 200.
    pub limit: Option<u64>,
}

/// The region's audit log, newest first: every key created, described or
/// deleted and every console sign-in, with the acting key and its address.
#[utoipa::path(get, path = "/auth/region/audit-events", tag = TAG, security(("api_key" = [])), params(AuditQuery),
    responses((status = 200, body = Vec<AuditEvent>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 429, body = Problem)))]
pub async fn audit_events(
    State(keys): State<KeyService>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<AuditQuery>,
) -> Result<Json<Vec<AuditEvent>>, ApiError> {
    Ok(Json(keys.audit_events(&caller, query.limit.unwrap_or(50)).await?))
}
