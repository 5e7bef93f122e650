//! REST handlers for a region's administrators: the people whose verified
//! email lets them into the console, with `keys:read` or `keys:write`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use domain::Keyward;
use domain::model::{Administrator, AdministratorId, NewAdministrator};

use crate::error::{ApiError, Problem};
use crate::extract::{Authenticated, Body, PathParam};

pub const TAG: &str = "administrators";

/// The people granted the region's console, by email. Needs `keys:read`.
#[utoipa::path(get, path = "/auth/region/administrators", tag = TAG, security(("api_key" = [])),
    responses((status = 200, body = Vec<Administrator>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 429, body = Problem)))]
pub async fn list_administrators(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<Administrator>>, ApiError> {
    Ok(Json(keyward.administrators().list(&caller).await?))
}

/// Grants a person (by the email their identity provider verifies) the
/// region's console with `["keys:read"]` or `["keys:write"]`. Needs
/// `keys:write`, and grants only scopes the caller holds
/// (`scope-escalation`); audited as `administrator.granted`.
#[utoipa::path(post, path = "/auth/region/administrators", tag = TAG, security(("api_key" = [])),
    request_body = NewAdministrator,
    responses((status = 201, body = Administrator), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`insufficient-scope` or `scope-escalation`"),
        (status = 409, body = Problem, description = "`administrator-exists`"),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn grant_administrator(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    Body(request): Body<NewAdministrator>,
) -> Result<impl IntoResponse, ApiError> {
    Ok((StatusCode::CREATED, Json(keyward.administrators().grant(&caller, request).await?)))
}

/// Revokes a grant: the person's console sessions in the region end on
/// their next request, on every process. Needs `keys:write`; audited as
/// `administrator.revoked`. Other regions' grants are 404.
#[utoipa::path(delete, path = "/auth/region/administrators/{id}", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Administrator id (`adm_…`)")),
    responses((status = 204, description = "Revoked"), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 429, body = Problem)))]
pub async fn revoke_administrator(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> Result<StatusCode, ApiError> {
    keyward.administrators().revoke(&caller, &AdministratorId::parse(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
