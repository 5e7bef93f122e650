//! The HTTP edge's one error type, rendered as RFC 9457 problem details,
//! and the one mapping from the domain's error kinds to HTTP statuses that
//! the REST API and the console's server functions share.

use std::sync::Arc;

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::model::{ErrorKind, LimitStatus, ProblemCode, Refusal, VerdictCode};
use serde::Serialize;

/// The status every HTTP answer gives a kind of refusal or failure.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Throttled => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A failure's details, carried on its response to the logging middleware
/// ([`crate::middleware::log_failures`]), which logs them once. Never sent.
#[derive(Clone, Debug)]
pub struct FailureDetails(pub Arc<str>);

/// Every way a REST call can fail.
#[derive(Debug)]
pub enum ApiError {
    /// A domain refusal or failure: the status follows its kind.
    Domain(domain::Error),
    /// The JSON body: 400 malformed, 413 too large, 415 not JSON,
    /// 422 valid JSON of the wrong shape.
    Body(JsonRejection),
    /// 422: JSON, but not the object asked for.
    InvalidBody(String),
    /// A raw body (a signed report): 413 too large, 400 cut off.
    RawBody(BytesRejection),
    /// 401: a partner's report whose signature does not verify, or whose
    /// signature or key identifier is missing or unknown.
    BadSignature,
    /// 404: an endpoint this deployment did not turn on.
    NotEnabled(&'static str),
    /// 400: a query string that does not parse.
    Query(QueryRejection),
    /// 400: a path segment that does not parse (e.g. not UTF-8).
    Path(PathRejection),
    /// 404: no route here.
    NoRoute,
    /// 405: the route exists, the method does not.
    MethodNotAllowed,
    /// 403: a console server function called from another site's page.
    CrossSite,
    /// 503: the database does not answer (readiness).
    Unavailable,
    /// 401, 403 or 429: forward authentication refused the key
    /// (`/auth/check`), with `X-Keyward-Code`.
    Refused(Refusal),
    /// 403: a `scope` parameter in the query below `/auth/check/`, which is
    /// the protected request's and never names scopes.
    ScopeInQuery,
}

impl From<domain::Error> for ApiError {
    fn from(error: domain::Error) -> Self {
        Self::Domain(error)
    }
}

/// A malformed id from the path or query names nothing of the caller's.
impl From<domain::model::InvalidId> for ApiError {
    fn from(invalid: domain::model::InvalidId) -> Self {
        Self::Domain(invalid.into())
    }
}

impl From<domain::model::InvalidInput> for ApiError {
    fn from(invalid: domain::model::InvalidInput) -> Self {
        Self::Domain(invalid.into())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        Self::Body(rejection)
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        Self::RawBody(rejection)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::Query(rejection)
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::Path(rejection)
    }
}

/// The problem+json body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Stable and machine-readable, e.g. `urn:keyward:problem:last-api-key`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

/// How each problem is titled: every code has its title here, so a new
/// code without one does not compile.
pub fn title(code: ProblemCode) -> &'static str {
    match code {
        ProblemCode::Unauthenticated
        | ProblemCode::ApiKeyRevoked
        | ProblemCode::ApiKeyQuarantined
        | ProblemCode::Missing
        | ProblemCode::Invalid
        | ProblemCode::Revoked
        | ProblemCode::Quarantined => "Unauthenticated",
        ProblemCode::SignInRefused => "Sign-in failed",
        ProblemCode::NotAnAdministrator => "Not an administrator",
        ProblemCode::Throttled => "Too many failed attempts",
        ProblemCode::RateLimited => "Rate limited",
        ProblemCode::CreditsExhausted => "No credits left",
        ProblemCode::InsufficientScope
        | ProblemCode::NetworkNotAllowed
        | ProblemCode::PolicyEscalation
        | ProblemCode::OwnPolicy
        | ProblemCode::ScopeEscalation
        | ProblemCode::ForeignRegion
        | ProblemCode::ScopeInQuery => "Forbidden",
        ProblemCode::ApiKeyNotFound
        | ProblemCode::RotationNotFound
        | ProblemCode::RegionNotFound
        | ProblemCode::OwnerNotFound
        | ProblemCode::AdministratorNotFound
        | ProblemCode::WebhookNotFound => "Not found",
        ProblemCode::QuarantineIsFinal
        | ProblemCode::OwnerHasKeys
        | ProblemCode::AdministratorExists
        | ProblemCode::ExternalIdTaken
        | ProblemCode::ApiKeyScopesChanged
        | ProblemCode::LastApiKey
        | ProblemCode::KeyLimitReached
        | ProblemCode::RotationInProgress
        | ProblemCode::RegionNameTaken => "Conflict",
        ProblemCode::InvalidInput => "Invalid input",
        ProblemCode::WebhookUrlNotAllowed => "Webhook URL not allowed",
        ProblemCode::DatabaseUnavailable | ProblemCode::Busy | ProblemCode::Unavailable => "Unavailable",
        ProblemCode::InternalError => "Internal error",
        ProblemCode::PayloadTooLarge => "Body too large",
        ProblemCode::UnsupportedMediaType => "Body is not JSON",
        ProblemCode::InvalidBody => "Invalid body",
        ProblemCode::MalformedJson => "Malformed JSON",
        ProblemCode::InvalidSignature => "Invalid signature",
        ProblemCode::NotEnabled => "Not enabled",
        ProblemCode::InvalidQuery => "Invalid query",
        ProblemCode::InvalidPath => "Invalid path",
        ProblemCode::NoRoute => "Not found",
        ProblemCode::MethodNotAllowed => "Method not allowed",
        ProblemCode::CrossSite => "Cross-site request",
        ProblemCode::DuplicateSessionCookie => "Duplicate session cookie",
    }
}

impl ApiError {
    /// (status, problem code, detail)
    fn describe(&self) -> (StatusCode, ProblemCode, String) {
        match self {
            Self::Domain(error) if error.kind() == ErrorKind::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                error.code(),
                "something went wrong on our side; it has been logged".to_owned(),
            ),
            Self::Domain(error) => (status_of(error.kind()), error.code(), error.to_string()),
            Self::Body(rejection) => body_refused(rejection.status(), rejection.body_text()),
            Self::RawBody(rejection) => body_refused(rejection.status(), rejection.body_text()),
            Self::InvalidBody(text) => body_refused(StatusCode::UNPROCESSABLE_ENTITY, text.clone()),
            Self::BadSignature => (
                StatusCode::UNAUTHORIZED,
                ProblemCode::InvalidSignature,
                "the report's signature is missing, by an unknown key, or does not match its body".to_owned(),
            ),
            Self::NotEnabled(what) => {
                (StatusCode::NOT_FOUND, ProblemCode::NotEnabled, format!("{what} is not configured here"))
            }
            Self::Query(rejection) => (StatusCode::BAD_REQUEST, ProblemCode::InvalidQuery, rejection.body_text()),
            Self::Path(rejection) => (StatusCode::BAD_REQUEST, ProblemCode::InvalidPath, rejection.body_text()),
            Self::NoRoute => (StatusCode::NOT_FOUND, ProblemCode::NoRoute, "no such endpoint".to_owned()),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ProblemCode::MethodNotAllowed,
                "this endpoint does not accept this method".to_owned(),
            ),
            Self::CrossSite => (
                StatusCode::FORBIDDEN,
                ProblemCode::CrossSite,
                "the console's functions accept requests from the console's own pages only".to_owned(),
            ),
            Self::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, ProblemCode::Unavailable, "the database does not answer".to_owned())
            }
            Self::Refused(refusal) => (status_of(refusal.kind()), refusal.problem(), refusal.to_string()),
            Self::ScopeInQuery => (
                StatusCode::FORBIDDEN,
                ProblemCode::ScopeInQuery,
                "below /auth/check/ the query is the protected request's and never names scopes: \
                 name them in X-Keyward-Scope, or check at /auth/check?scope="
                    .to_owned(),
            ),
        }
    }

    /// How long to wait before trying again, in whole seconds.
    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Domain(error) => error.retry_after_secs(),
            Self::Refused(refusal) => refusal.retry_after(),
            _ => None,
        }
    }

    /// Forward authentication's refusals carry their code in
    /// `X-Keyward-Code`, in the words `/auth/verify` uses; so do a key's
    /// policy refusals over REST.
    fn keyward_code(&self) -> Option<&'static str> {
        let policy = |code: VerdictCode| Some(code.as_str());
        match self {
            Self::Refused(refusal) => Some(refusal.code().as_str()),
            Self::ScopeInQuery => Some("scope_in_query"),
            Self::Domain(domain::Error::RateLimited { .. }) => policy(VerdictCode::RateLimited),
            Self::Domain(domain::Error::CreditsExhausted { .. }) => policy(VerdictCode::CreditsExhausted),
            Self::Domain(domain::Error::NetworkNotAllowed) => policy(VerdictCode::NetworkNotAllowed),
            _ => None,
        }
    }

    /// The rate limit a refusal is over, for the RateLimit header fields.
    fn limit(&self) -> Option<&LimitStatus> {
        match self {
            Self::Domain(domain::Error::RateLimited { limit }) | Self::Refused(Refusal::RateLimited { limit }) => {
                Some(limit)
            }
            _ => None,
        }
    }
}

/// A body that never arrived whole, or is not the JSON asked for.
fn body_refused(status: StatusCode, text: String) -> (StatusCode, ProblemCode, String) {
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ProblemCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemCode::UnsupportedMediaType,
        StatusCode::UNPROCESSABLE_ENTITY => ProblemCode::InvalidBody,
        _ => ProblemCode::MalformedJson,
    };
    (status, code, text)
}

/// The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers)
/// of `limit`: its policy, and what is left until its period resets.
pub fn insert_rate_limit(headers: &mut axum::http::HeaderMap, limit: &LimitStatus) {
    let name = limit.name.as_str();
    let policy = format!("\"{name}\";q={};w={}", limit.limit, limit.period_s);
    let state = format!("\"{name}\";r={};t={}", limit.remaining, limit.reset_s);
    // Names are a-z, 0-9 and _ - . : only: always a valid header value.
    for (field, value) in [(RATE_LIMIT_POLICY, policy), (RATE_LIMIT, state)] {
        if let Ok(value) = HeaderValue::try_from(value) {
            headers.insert(field, value);
        }
    }
}

pub const RATE_LIMIT_POLICY: axum::http::HeaderName = axum::http::HeaderName::from_static("ratelimit-policy");
pub const RATE_LIMIT: axum::http::HeaderName = axum::http::HeaderName::from_static("ratelimit");

/// The one challenge every 401 carries, REST's and `/auth/check`'s alike
/// (DESIGN section 9 names it for the check, whose 401 nginx and Caddy pass
/// on to clients as it is): a Keyward API key, sent as `x-api-key` or
/// `Authorization: Bearer`. Not `Bearer` alone, which promises an OAuth 2.0
/// bearer token (RFC 6750) and leaves `x-api-key` out.
pub const CHALLENGE: &str = "ApiKey realm=\"keyward\"";

/// An RFC 9457 problem+json response of type `urn:keyward:problem:<slug>`,
/// titled by [`title`].
pub fn problem(status: StatusCode, code: ProblemCode, detail: String) -> Response {
    let problem = Problem {
        kind: format!("urn:keyward:problem:{}", code.slug()),
        title: title(code).to_owned(),
        status: status.as_u16(),
        detail,
    };
    let mut response = (status, axum::Json(problem)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, detail) = self.describe();
        let mut response = problem(status, code, detail);
        let headers = response.headers_mut();
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(CHALLENGE));
        }
        if let Some(seconds) = self.retry_after() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(limit) = self.limit() {
            insert_rate_limit(headers, limit);
        }
        if let Some(code) = self.keyward_code() {
            // A proxy's answer for this request only.
            headers.insert(crate::forward_auth::CODE, HeaderValue::from_static(code));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if let Self::Domain(error) = &self {
            if error.kind() == ErrorKind::Internal {
                response.extensions_mut().insert(FailureDetails(format!("{error}: {error:?}").into()));
            }
            // For the keyed call's use, finished by `middleware::count_key_uses`.
            response.extensions_mut().insert(error.use_outcome());
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_keep_their_details_for_the_log_only() {
        let failure = ApiError::from(domain::Error::Internal("disk on fire".to_owned())).into_response();
        assert_eq!(failure.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let details = failure.extensions().get::<FailureDetails>().expect("details for the log");
        assert!(details.0.contains("disk on fire"));
    }

    #[test]
    fn refusals_state_their_wait_and_carry_nothing_to_log() {
        let throttled = domain::Error::Throttled { retry_after: std::time::Duration::from_millis(1500) };
        let response = ApiError::from(throttled).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
        assert!(response.extensions().get::<FailureDetails>().is_none());
    }
}
