//! REST handlers for a region's owners: who its keys belong to, with the
//! limits and credits every key of an owner shares.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use domain::Keyward;
use domain::model::{NewOwner, Owner, OwnerId, OwnerUpdate};

use crate::error::{ApiError, Problem};
use crate::extract::{Authenticated, Body, PathParam};

pub const TAG: &str = "owners";

/// The region's owners, by external id, with their key counts. Needs `keys:read`.
#[utoipa::path(get, path = "/auth/region/owners", tag = TAG, security(("api_key" = [])),
    responses((status = 200, body = Vec<Owner>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 429, body = Problem)))]
pub async fn list_owners(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<Owner>>, ApiError> {
    Ok(Json(keyward.owners().list(&caller).await?))
}

/// Creates an owner. Needs `keys:write`; a key bound by a policy gives no
/// looser limits or credits than its own (`policy-escalation`).
#[utoipa::path(post, path = "/auth/region/owners", tag = TAG, security(("api_key" = [])), request_body = NewOwner,
    responses((status = 201, body = Owner), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`insufficient-scope` or `policy-escalation`"),
        (status = 409, body = Problem, description = "`external-id-taken`"),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn create_owner(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    Body(request): Body<NewOwner>,
) -> Result<impl IntoResponse, ApiError> {
    Ok((StatusCode::CREATED, Json(keyward.owners().create(&caller, request).await?)))
}

/// One owner of the caller's region.
#[utoipa::path(get, path = "/auth/region/owners/{id}", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Owner id")),
    responses((status = 200, body = Owner), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 429, body = Problem)))]
pub async fn get_owner(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> Result<Json<Owner>, ApiError> {
    Ok(Json(keyward.owners().get(&caller, &OwnerId::parse(&id)?).await?))
}

/// Changes an owner's external id, meta, rate limits or credits (`credits`
/// sets `remaining`); audited with before and after. Every key of the owner
/// is bound by the change on every process before this answers.
#[utoipa::path(patch, path = "/auth/region/owners/{id}", tag = TAG, security(("api_key" = [])),
    request_body = OwnerUpdate, params(("id" = String, Path, description = "Owner id")),
    responses((status = 200, body = Owner), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`insufficient-scope` or `policy-escalation`"),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "`external-id-taken`"),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn update_owner(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    Body(request): Body<OwnerUpdate>,
) -> Result<Json<Owner>, ApiError> {
    Ok(Json(keyward.owners().update(&caller, &OwnerId::parse(&id)?, request).await?))
}

/// Deletes an owner that owns no key.
#[utoipa::path(delete, path = "/auth/region/owners/{id}", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Owner id")),
    responses((status = 204, description = "Deleted"), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`owner-has-keys`"), (status = 429, body = Problem)))]
pub async fn delete_owner(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> Result<StatusCode, ApiError> {
    keyward.owners().delete(&caller, &OwnerId::parse(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
