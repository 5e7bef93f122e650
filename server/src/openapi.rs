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
         (name = "owners", description = "Who a region's keys belong to, with shared rate limits and credits"),
         (name = "administrators", description = "People granted a region's console, signing in with the identity provider"),
         (name = "webhooks", description = "Signed events for a region's endpoints (Standard Webhooks)"),
         (name = "forward-auth", description = "Keyward as the key check in front of any API"),
         (name = "leaks", description = "Reports of leaked tokens: secret scanning partners and anyone"),
         (name = "health", description = "Probes"))
)]
pub struct ApiDoc;

/// Every error body is a `Problem`, sent as `application/problem+json`
/// (RFC 9457); utoipa calls it `application/json`. Applied to the whole
/// document once the routes have added their paths.
pub struct ProblemContentType;

impl Modify for ProblemContentType {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        const PROBLEM: &str = "#/components/schemas/Problem";
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ];
            for operation in operations.into_iter().flatten() {
                for response in operation.responses.responses.values_mut() {
                    let utoipa::openapi::RefOr::T(response) = response else { continue };
                    let is_problem = |content: &utoipa::openapi::Content| matches!(&content.schema, Some(utoipa::openapi::RefOr::Ref(r)) if r.ref_location == PROBLEM);
                    if let Some(content) = response.content.shift_remove("application/json") {
                        let media = if is_problem(&content) { "application/problem+json" } else { "application/json" };
                        response.content.insert(media.to_owned(), content);
                    }
                }
            }
        }
    }
}

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
