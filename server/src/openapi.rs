//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::extract::API_KEY_HEADER;

/// `/auth/check` answers any method, so it is routed by hand and listed here.
#[derive(OpenApi)]
#[openapi(
    info(title = "Keyward", description = "Self-hosted API key management for regions (tenants)."),
    paths(crate::forward_auth::check),
    modifiers(&ApiKeyAuth),
    tags((name = "api-keys", description = "A region's API keys, managed with any key of that region"),
         (name = "forward-auth", description = "Keyward as the key check in front of any API"),
         (name = "health", description = "Probes"))
)]
pub struct ApiDoc;

/// Declares the two ways to present a key.
struct ApiKeyAuth;

impl Modify for ApiKeyAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .add_security_scheme("api_key", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(API_KEY_HEADER))));
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
