//! Keyward as the key check in front of any API: `/auth/check` for reverse
//! proxies (nginx `auth_request`, Caddy `forward_auth`, Traefik
//! `ForwardAuth`, Envoy `ext_authz`) and `/auth/verify` for services that
//! check keys themselves. Both ask the domain for one verdict, through the
//! same hot path, throttle and use-counting as every REST call.

mod proxy_warnings;

pub use proxy_warnings::ProxyWarnings;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use domain::Keyward;
use domain::model::{CREDITS_MAX, Grant, InvalidInput, LimitStatus, Scope, UseDetails, Verdict, VerdictBody};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem, insert_rate_limit};
use crate::extract::{Body, ClientAddress, presented_key, use_details};

pub const TAG: &str = "forward-auth";

pub const REGION_ID: HeaderName = HeaderName::from_static("x-keyward-region-id");
pub const KEY_ID: HeaderName = HeaderName::from_static("x-keyward-key-id");
pub const SANDBOX: HeaderName = HeaderName::from_static("x-keyward-sandbox");
pub const SCOPES: HeaderName = HeaderName::from_static("x-keyward-scopes");
/// A refusal's code (`missing`, `insufficient_scope`, …): set where every
/// refusal is rendered, [`ApiError`].
pub const CODE: HeaderName = HeaderName::from_static("x-keyward-code");
/// Scopes the proxy requires, space- or comma-separated, in any form of the check.
pub const REQUIRED_SCOPE: HeaderName = HeaderName::from_static("x-keyward-scope");
/// The allowed key's owner's `external_id`, empty when it has none.
pub const OWNER: HeaderName = HeaderName::from_static("x-keyward-owner");

/// Checks the request's key for a reverse proxy. Any method; the body is
/// never read. Scopes the key must hold: `?scope=a&scope=b`, and any in the
/// `X-Keyward-Scope` header (`a b`). `/auth/check/` is the same check.
///
/// Any longer path below `/auth/check/` is checked the same way, but there
/// the query is the protected request's (Envoy keeps the original method and
/// appends the original path and query), so it never names scopes: only
/// `X-Keyward-Scope` does, and a `scope` parameter in that query is refused
/// (`403`, `scope_in_query`) rather than silently ignored.
///
/// Allowed: `200` with an empty body and the key's region, id, sandbox flag
/// and scopes in `X-Keyward-*` headers, always all four, so a proxy that
/// copies them overwrites whatever a client sent under those names.
/// Refused: `401`, `403` or `429`, with `X-Keyward-Code` and problem+json.
#[utoipa::path(method(get, post, put, patch, delete, head, options, trace), path = "/auth/check", tag = TAG,
    security(("api_key" = []), ("bearer" = [])),
    params(("scope" = Option<Vec<Scope>>, Query,
            description = "Scopes the key must hold; repeat for several. Not below `/auth/check/`: refused there"),
        ("X-Keyward-Scope" = Option<String>, Header,
            description = "Scopes the key must hold, space- or comma-separated; in every form of the check",
            pattern = r"^([a-z][a-z0-9_.:-]{0,63}|\*)?( ([a-z][a-z0-9_.:-]{0,63}|\*))*$")),
    responses(
        (status = 200, description = "Allowed; also for any path below `/auth/check/`", headers(
            ("X-Keyward-Region-Id" = String, description = "The key's region"),
            ("X-Keyward-Key-Id" = String, description = "The key's id"),
            ("X-Keyward-Sandbox" = String, description = "`true` or `false`"),
            ("X-Keyward-Scopes" = String, description = "The key's scopes, space-separated"))),
        (status = 422, body = Problem, description = "A malformed `scope` or `X-Keyward-Scope`"),
        (status = 401, body = Problem, description = "Missing, malformed, unknown or revoked key (`X-Keyward-Code`)"),
        (status = 403, body = Problem, description = "The key lacks a required scope (`insufficient_scope`), or \
            a `scope` query parameter below `/auth/check/`, where the query is the protected request's \
            (`scope_in_query`)"),
        (status = 429, body = Problem, description = "Throttled; `Retry-After` says for how long")))]
pub async fn check(
    State(keyward): State<Keyward>,
    State(warnings): State<ProxyWarnings>,
    client: ClientAddress,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut required = required_scopes(uri.query())?;
    required.extend(header_scopes(&headers)?);
    // From the query the proxy's configuration writes, never from a header:
    // proxies pass the client's headers on, and a client would set its own cost.
    let cost = query_cost(uri.query())?.unwrap_or(1);
    let details = forwarded_details(&headers, &method, None);
    decide(&keyward, &warnings, client, &headers, &required, cost, details).await
}

/// `/auth/check/{path}`: the same check, with scopes from `X-Keyward-Scope`
/// only. The query is the protected request's: a `scope` in it may be a
/// proxy's slip (meant for Keyward, which would then drop the requirement)
/// or a client's own (never to be trusted), so it is refused either way.
pub async fn check_path(
    State(keyward): State<Keyward>,
    State(warnings): State<ProxyWarnings>,
    client: ClientAddress,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if has_scope_parameter(uri.query()) {
        return Err(ApiError::ScopeInQuery);
    }
    let required = header_scopes(&headers)?;
    let original_path = uri.path().strip_prefix("/auth/check");
    let details = forwarded_details(&headers, &method, original_path);
    // The query is the protected request's: a request here costs 1.
    decide(&keyward, &warnings, client, &headers, &required, 1, details).await
}

/// The protected request, for the key's last use: the method and URI the
/// proxy forwarded (`X-Forwarded-Method`, `X-Forwarded-Uri`: nginx as
/// configured in `deploy/`, Caddy, Traefik), else this request's method and
/// the original path below `/auth/check/` (Envoy).
fn forwarded_details(headers: &HeaderMap, method: &Method, original_path: Option<&str>) -> UseDetails {
    let forwarded = |name| headers.get(name).and_then(|value: &HeaderValue| value.to_str().ok());
    let method = forwarded(FORWARDED_METHOD).unwrap_or(method.as_str());
    use_details(headers, Some(method), forwarded(FORWARDED_URI).or(original_path))
}

const FORWARDED_METHOD: &str = "x-forwarded-method";
const FORWARDED_URI: &str = "x-forwarded-uri";

async fn decide(
    keyward: &Keyward,
    warnings: &ProxyWarnings,
    ClientAddress(client): ClientAddress,
    headers: &HeaderMap,
    required: &[Scope],
    cost: u64,
    details: UseDetails,
) -> Result<Response, ApiError> {
    let presented = presented_key(headers);
    warnings.observe(headers, presented);
    let verdict = keyward.authenticator().verdict(presented, client, required, cost, details).await?;
    check_response(verdict)
}

/// `POST /auth/verify`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The key to check, as the client presented it.
    pub key: String,
    /// Scopes the key must hold.
    #[serde(default)]
    pub scopes: Vec<Scope>,
    /// The credits this request costs when allowed: 0 only looks. Default 1.
    #[serde(default = "one", deserialize_with = "domain::model::whole")]
    #[schema(value_type = u64, minimum = 0, maximum = 1_000_000_000_000_u64, default = 1)]
    pub cost: i128,
}

fn one() -> i128 {
    1
}

/// Checks a key for a service that checks keys itself. Every well-formed
/// request gets `200` with the verdict; only a malformed request is refused.
#[utoipa::path(post, path = "/auth/verify", tag = TAG, request_body = VerifyRequest,
    responses((status = 200, body = VerdictBody, description = "The verdict, also when the key is refused"),
        (status = 400, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem)))]
pub async fn verify(
    State(keyward): State<Keyward>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    Body(request): Body<VerifyRequest>,
) -> Result<Response, ApiError> {
    let presented = Some(request.key.trim()).filter(|key| !key.is_empty());
    let details = use_details(&headers, None, None);
    let cost = u64::try_from(request.cost).map_err(|_| cost_refused()).and_then(checked_cost)?;
    let verdict = keyward.authenticator().verdict(presented, client, &request.scopes, cost, details).await?;
    Ok(([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(verdict)).into_response())
}

/// The `scope` parameters of the query; other parameters are the protected
/// API's (Envoy appends the original query) and are ignored.
fn required_scopes(query: Option<&str>) -> Result<Vec<Scope>, InvalidInput> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(name, _)| name == "scope")
        .map(|(_, value)| Scope::parse(&value))
        .collect()
}

/// The scopes named in `X-Keyward-Scope`, all of its values. A client may
/// send the header too (nginx passes a client's headers on): it can only
/// add requirements, never remove the proxy's.
fn header_scopes(headers: &HeaderMap) -> Result<Vec<Scope>, InvalidInput> {
    let mut scopes = Vec::new();
    for value in headers.get_all(REQUIRED_SCOPE) {
        let value = value.to_str().map_err(|_| InvalidInput("X-Keyward-Scope is not visible ASCII".into()))?;
        for scope in value.split([' ', ',']).filter(|scope| !scope.is_empty()) {
            scopes.push(Scope::parse(scope)?);
        }
    }
    Ok(scopes)
}

/// The `cost` parameter of `/auth/check`'s query, if any.
fn query_cost(query: Option<&str>) -> Result<Option<u64>, InvalidInput> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "cost")
        .map(|(_, value)| parse_cost(&value))
        .transpose()
}

fn parse_cost(text: &str) -> Result<u64, InvalidInput> {
    text.trim().parse::<u64>().map_err(|_| cost_refused()).and_then(checked_cost)
}

fn checked_cost(cost: u64) -> Result<u64, InvalidInput> {
    if cost <= CREDITS_MAX { Ok(cost) } else { Err(cost_refused()) }
}

fn cost_refused() -> InvalidInput {
    InvalidInput(format!("cost must be a whole number from 0 to {CREDITS_MAX}"))
}

/// `text` with every byte outside visible ASCII, and `%`, percent-encoded.
fn header_safe(text: &str) -> String {
    use std::fmt::Write;
    let mut safe = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_graphic() && byte != b'%' || byte == b' ' {
            safe.push(char::from(byte));
        } else {
            let _ = write!(safe, "%{byte:02X}");
        }
    }
    safe
}

fn has_scope_parameter(query: Option<&str>) -> bool {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes()).any(|(name, _)| name == "scope")
}

/// A key's verdict as the proxy takes it: allowed with the key's details,
/// or refused as every refusal is ([`ApiError::Refused`]).
fn check_response(verdict: Verdict) -> Result<Response, ApiError> {
    match verdict {
        Verdict::Allowed(grant) => allowed(&grant),
        Verdict::Refused(refusal) => Err(ApiError::Refused(refusal)),
    }
}

/// Always all five headers: a proxy copies what it gets, so a missing one
/// would let a client's own value through. An external id that is no
/// header value (a non-ASCII one) is percent-encoded.
fn allowed(grant: &Grant) -> Result<Response, ApiError> {
    let values = [
        (REGION_ID, grant.region_id.to_string()),
        (KEY_ID, grant.key_id.to_string()),
        (SANDBOX, grant.sandbox.to_string()),
        (SCOPES, grant.scopes.to_string()),
        (OWNER, grant.owner.as_ref().map(|owner| header_safe(owner.external_id.as_str())).unwrap_or_default()),
    ];
    let mut response = StatusCode::OK.into_response();
    let headers = response.headers_mut();
    for (name, value) in values {
        let value = HeaderValue::try_from(value)
            .map_err(|_| domain::Error::Internal(format!("the key's {name} is not a header value")))?;
        headers.insert(name, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(limit) = LimitStatus::tightest(&grant.rate_limits) {
        insert_rate_limit(headers, limit);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scope_parameters_count_and_each_is_checked() {
        let scopes = required_scopes(Some("scope=orders%3Aread&page=2&scope=keys:write")).unwrap();
        assert_eq!(scopes.iter().map(Scope::as_str).collect::<Vec<_>>(), ["orders:read", "keys:write"]);
        assert!(required_scopes(None).unwrap().is_empty());
        assert!(required_scopes(Some("scope=Not%20a%20scope")).is_err());
    }

    #[test]
    fn header_scopes_are_space_or_comma_separated_in_every_value() {
        let mut headers = HeaderMap::new();
        assert!(header_scopes(&headers).unwrap().is_empty());
        headers.append(REQUIRED_SCOPE, HeaderValue::from_static(" orders:read  billing:write,"));
        headers.append(REQUIRED_SCOPE, HeaderValue::from_static("a,b"));
        let scopes = header_scopes(&headers).unwrap();
        assert_eq!(scopes.iter().map(Scope::as_str).collect::<Vec<_>>(), ["orders:read", "billing:write", "a", "b"]);
        headers.append(REQUIRED_SCOPE, HeaderValue::from_static("Not-a-scope"));
        assert!(header_scopes(&headers).is_err());
    }

    #[test]
    fn owners_travel_as_header_values_and_costs_are_checked() {
        assert_eq!(header_safe("customer 4711"), "customer 4711");
        assert_eq!(header_safe("Zoë%"), "Zo%C3%AB%25");
        assert_eq!(query_cost(Some("page=2&cost=5")).unwrap(), Some(5));
        assert_eq!(query_cost(None).unwrap(), None);
        for bad in ["cost=-1", "cost=x", "cost=1000000000001"] {
            assert!(query_cost(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_scope_parameter_is_found_by_name_only() {
        assert!(has_scope_parameter(Some("page=2&scope=")));
        assert!(has_scope_parameter(Some("sc%6Fpe=x")));
        assert!(!has_scope_parameter(Some("scopes=x&page=2")));
        assert!(!has_scope_parameter(None));
    }
}
