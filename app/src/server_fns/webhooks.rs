//! The webhooks page's server functions (DESIGN.md section 16): list,
//! create and rotate (the only two answers that carry a secret, in
//! [`CreatedWebhook`]), update (enable and disable too), delete, send a
//! test, deliveries and retry.
//!
//! A URL typed in the console travels as text and is checked on the
//! server, once, as the REST API checks it: a refusal names the field
//! (`url: …`) or says why the address is not allowed.

use domain::model::{CreatedWebhook, DeliveryAttempt, Description, EventSelection, MessageId, Webhook, WebhookId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::ConsoleError;

/// What an edit changes; absent fields stay.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookChange {
    pub url: Option<String>,
    pub events: Option<EventSelection>,
    /// `Some(None)` clears it.
    pub description: Option<Option<Description>>,
    pub enabled: Option<bool>,
}

/// A URL typed in the console, checked as the REST API checks it.
#[cfg(feature = "ssr")]
fn parse_url(text: String) -> Result<domain::model::WebhookUrl, domain::Error> {
    Ok(domain::model::WebhookUrl::try_from(text.trim().to_owned())?)
}

/// The region's endpoints, oldest first.
#[server(endpoint = "list_webhooks")]
pub async fn list_webhooks() -> Result<Vec<Webhook>, ConsoleError> {
    super::ssr::signed_in(async move |request, caller| Ok(request.keyward().webhooks().list(&caller).await?)).await
}

/// Adds an endpoint; the answer is the only one that carries its secret.
#[server(endpoint = "create_webhook", input = Json)]
pub async fn create_webhook(
    url: String,
    events: EventSelection,
    description: Option<Description>,
) -> Result<CreatedWebhook, ConsoleError> {
    super::ssr::signed_in(async move |request, caller| {
        let new = domain::model::NewWebhook { url: parse_url(url)?, events, description, enabled: None };
        Ok(request.keyward().webhooks().create(&caller, new).await?)
    })
    .await
}

/// Changes an endpoint: its URL, events, description, or enables or
/// disables it (enabling one disabled for failing starts it afresh).
#[server(endpoint = "update_webhook", input = Json)]
pub async fn update_webhook(webhook_id: WebhookId, change: WebhookChange) -> Result<Webhook, ConsoleError> {
    super::ssr::signed_in(async move |request, caller| {
        let update = domain::model::WebhookUpdate {
            url: change.url.map(parse_url).transpose()?,
            events: change.events,
            description: change.description,
            enabled: change.enabled,
        };
        Ok(request.keyward().webhooks().update(&caller, &webhook_id, update).await?)
    })
    .await
}

/// Deletes an endpoint with its messages and their attempts.
#[server(endpoint = "delete_webhook", input = Json)]
pub async fn delete_webhook(webhook_id: WebhookId) -> Result<(), ConsoleError> {
    super::ssr::signed_in(async move |request, caller| {
        Ok(request.keyward().webhooks().delete(&caller, &webhook_id).await?)
    })
    .await
}

/// A new secret (the old one signs too for 24 hours); the answer is the
/// only one that carries it.
#[server(endpoint = "rotate_webhook_secret", input = Json)]
pub async fn rotate_webhook_secret(webhook_id: WebhookId) -> Result<CreatedWebhook, ConsoleError> {
    super::ssr::signed_in(async move |request, caller| {
        Ok(request.keyward().webhooks().rotate_secret(&caller, &webhook_id).await?)
    })
    .await
}

/// Sends a `webhook.test` event to the endpoint.
#[server(endpoint = "test_webhook", input = Json)]
pub async fn test_webhook(webhook_id: WebhookId) -> Result<MessageId, ConsoleError> {
    super::ssr::signed_in(async move |request, caller| {
        Ok(request.keyward().webhooks().test(&caller, &webhook_id).await?)
    })
    .await
}

/// The endpoint's delivery attempts of the last 30 days, newest first.
#[server(endpoint = "load_webhook_deliveries", input = Json)]
pub async fn load_webhook_deliveries(webhook_id: WebhookId) -> Result<Vec<DeliveryAttempt>, ConsoleError> {
    super::ssr::signed_in(async move |request, caller| {
        Ok(request.keyward().webhooks().deliveries(&caller, &webhook_id).await?)
    })
    .await
}

/// Sends a message of the endpoint again now.
#[server(endpoint = "retry_webhook_delivery", input = Json)]
pub async fn retry_webhook_delivery(webhook_id: WebhookId, message_id: MessageId) -> Result<(), ConsoleError> {
    super::ssr::signed_in(async move |request, caller| {
        Ok(request.keyward().webhooks().retry(&caller, &webhook_id, &message_id).await?)
    })
    .await
}
