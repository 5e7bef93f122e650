//! Webhooks over REST (`/auth/region/webhooks`), and their delivery
//! ([`delivery`]): the domain decides what is sent and signs it; this sends it.

pub mod delivery;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use domain::Keyward;
use domain::model::{CreatedWebhook, DeliveryAttempt, MessageId, NewWebhook, Webhook, WebhookId, WebhookUpdate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::extract::{Authenticated, Body, PathParam};

pub const TAG: &str = "webhooks";

/// The region's webhook endpoints, oldest first; never a secret. Needs `keys:read`.
#[utoipa::path(get, path = "/auth/region/webhooks", tag = TAG, security(("api_key" = [])),
    responses((status = 200, body = Vec<Webhook>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 429, body = Problem)))]
pub async fn list_webhooks(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<Webhook>>, ApiError> {
    Ok(Json(keyward.webhooks().list(&caller).await?))
}

/// Adds an endpoint. The answer is the only time its signing secret is
/// shown. `https://` and public addresses only, unless the operator allows
/// more (422 `webhook-url-not-allowed`). Needs `keys:write`.
#[utoipa::path(post, path = "/auth/region/webhooks", tag = TAG, security(("api_key" = [])), request_body = NewWebhook,
    responses((status = 201, body = CreatedWebhook, description = "The endpoint and its secret, shown this once"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem, description = "`invalid-body` or `webhook-url-not-allowed`"),
        (status = 429, body = Problem)))]
pub async fn create_webhook(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    Body(request): Body<NewWebhook>,
) -> Result<impl IntoResponse, ApiError> {
    let created = keyward.webhooks().create(&caller, request).await?;
    Ok((StatusCode::CREATED, [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(created)))
}

/// One endpoint of the caller's region.
#[utoipa::path(get, path = "/auth/region/webhooks/{id}", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    responses((status = 200, body = Webhook), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 429, body = Problem)))]
pub async fn get_webhook(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> Result<Json<Webhook>, ApiError> {
    Ok(Json(keyward.webhooks().get(&caller, &WebhookId::parse(&id)?).await?))
}

/// Changes an endpoint's URL, events, description or whether it is enabled
/// (enabling one Keyward disabled after 5 days of failures starts it afresh).
#[utoipa::path(patch, path = "/auth/region/webhooks/{id}", tag = TAG, security(("api_key" = [])),
    request_body = WebhookUpdate, params(("id" = String, Path, description = "Endpoint id")),
    responses((status = 200, body = Webhook), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn update_webhook(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    Body(request): Body<WebhookUpdate>,
) -> Result<Json<Webhook>, ApiError> {
    Ok(Json(keyward.webhooks().update(&caller, &WebhookId::parse(&id)?, request).await?))
}

/// Deletes an endpoint, with its waiting messages and delivery log.
#[utoipa::path(delete, path = "/auth/region/webhooks/{id}", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    responses((status = 204, description = "Deleted"), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 429, body = Problem)))]
pub async fn delete_webhook(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> Result<StatusCode, ApiError> {
    keyward.webhooks().delete(&caller, &WebhookId::parse(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret, shown this once; the old one signs too, as a
/// second `v1,` signature, for 24 hours.
#[utoipa::path(post, path = "/auth/region/webhooks/{id}/rotate-secret", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    responses((status = 200, body = CreatedWebhook, description = "The endpoint and its new secret, shown this once"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 429, body = Problem)))]
pub async fn rotate_secret(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> Result<impl IntoResponse, ApiError> {
    let rotated = keyward.webhooks().rotate_secret(&caller, &WebhookId::parse(&id)?).await?;
    Ok(([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(rotated)))
}

/// The message a test or a retry concerns.
#[derive(Serialize, ToSchema)]
pub struct Queued {
    pub message_id: MessageId,
}

/// Sends a `webhook.test` event to the endpoint now.
#[utoipa::path(post, path = "/auth/region/webhooks/{id}/test", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    responses((status = 202, body = Queued), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 429, body = Problem)))]
pub async fn send_test(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> Result<impl IntoResponse, ApiError> {
    let message_id = keyward.webhooks().test(&caller, &WebhookId::parse(&id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { message_id })))
}

/// The endpoint's delivery attempts of the last 30 days, newest first (at
/// most 200): event, attempt, status or error, duration.
#[utoipa::path(get, path = "/auth/region/webhooks/{id}/deliveries", tag = TAG, security(("api_key" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    responses((status = 200, body = Vec<DeliveryAttempt>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 429, body = Problem)))]
pub async fn deliveries(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> Result<Json<Vec<DeliveryAttempt>>, ApiError> {
    Ok(Json(keyward.webhooks().deliveries(&caller, &WebhookId::parse(&id)?).await?))
}

/// Sends one of the endpoint's messages again now, whatever became of it.
#[utoipa::path(post, path = "/auth/region/webhooks/{id}/deliveries/{message_id}/retry", tag = TAG,
    security(("api_key" = [])),
    params(("id" = String, Path, description = "Endpoint id"), ("message_id" = String, Path, description = "Message id")),
    responses((status = 202, body = Queued), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 429, body = Problem)))]
pub async fn retry(
    State(keyward): State<Keyward>,
    Authenticated(caller): Authenticated,
    PathParam((id, message_id)): PathParam<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let message_id = MessageId::parse(&message_id)?;
    keyward.webhooks().retry(&caller, &WebhookId::parse(&id)?, &message_id).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { message_id })))
}
