//! The REST layer's one error type, rendered as RFC 9457 problem details.

use std::time::Duration;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Every way a REST call can fail. Each variant documents its status.
#[derive(Debug)]
pub enum ApiError {
    /// A domain refusal or failure; the status follows the domain variant
    /// (401, 403, 404, 409, 422, 429, or 500 with details only in the log).
    Domain(domain::Error),
    /// The JSON body: 400 malformed, 413 too large, 415 not JSON,
    /// 422 valid JSON of the wrong shape.
    Body(JsonRejection),
    /// 400: a query string that does not parse.
    Query(QueryRejection),
    /// 400: a path segment that does not parse (e.g. not UTF-8).
    Path(PathRejection),
    /// 404: no route here.
    NoRoute,
    /// 405: the route exists, the method does not (`Allow` says which do).
    MethodNotAllowed,
    /// 403: a console server function called from another site's page.
    CrossSite,
    /// 503: the database does not answer (readiness).
    Unavailable,
}

impl From<domain::Error> for ApiError {
    fn from(error: domain::Error) -> Self {
        Self::Domain(error)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        Self::Body(rejection)
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

impl ApiError {
    /// (status, problem slug, title, detail)
    fn describe(&self) -> (StatusCode, &'static str, &'static str, String) {
        use domain::Error as E;
        match self {
            Self::Domain(error) => {
                let (status, slug, title) = match error {
                    E::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", "Unauthenticated"),
                    E::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "throttled", "Too many failed attempts"),
                    E::ForeignRegion => (StatusCode::FORBIDDEN, "foreign-region", "Not your region"),
                    E::KeyNotFound => (StatusCode::NOT_FOUND, "api-key-not-found", "API key not found"),
                    E::LastKey => (StatusCode::CONFLICT, "last-api-key", "Last API key"),
                    E::RotationInProgress => (StatusCode::CONFLICT, "rotation-in-progress", "Rotation in progress"),
                    E::RotationNotFound => (StatusCode::NOT_FOUND, "rotation-not-found", "Rotation not found"),
                    E::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid-input", "Invalid input"),
                    E::RegionNameTaken(_) => (StatusCode::CONFLICT, "region-name-taken", "Region name taken"),
                    E::Database(_) | E::Internal(_) => {
                        tracing::error!(error = %error, details = ?error, "request failed");
                        return (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "internal-error",
                            "Internal error",
                            "something went wrong on our side; it has been logged".to_owned(),
                        );
                    }
                };
                (status, slug, title, error.to_string())
            }
            Self::Body(rejection) => {
                let (slug, title) = match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => ("payload-too-large", "Body too large"),
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported-media-type", "Body is not JSON"),
                    StatusCode::UNPROCESSABLE_ENTITY => ("invalid-body", "Invalid body"),
                    _ => ("malformed-json", "Malformed JSON"),
                };
                (rejection.status(), slug, title, rejection.body_text())
            }
            Self::Query(rejection) => {
                (StatusCode::BAD_REQUEST, "invalid-query", "Invalid query", rejection.body_text())
            }
            Self::Path(rejection) => (StatusCode::BAD_REQUEST, "invalid-path", "Invalid path", rejection.body_text()),
            Self::NoRoute => (StatusCode::NOT_FOUND, "no-route", "Not found", "no such endpoint".to_owned()),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                "this endpoint does not accept this method".to_owned(),
            ),
            Self::CrossSite => (
                StatusCode::FORBIDDEN,
                "cross-site",
                "Cross-site request",
                "the console's functions accept requests from the console's own pages only".to_owned(),
            ),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Unavailable",
                "the database does not answer".to_owned(),
            ),
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Domain(domain::Error::Throttled { retry_after }) => Some(*retry_after),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, slug, title, detail) = self.describe();
        let problem = Problem {
            kind: format!("urn:keyward:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
        };
        let mut response = (status, axum::Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(wait) = self.retry_after() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(domain::refusals::whole_seconds(wait)));
        }
        response
    }
}
