//! The caller's API key: `x-api-key`, or `Authorization: Bearer`.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::{HeaderMap, header, request::Parts};
use domain::model::UseDetails;
use domain::{Caller, Keyward};

use super::client_address::{ClientAddress, ClientIpHeader};
use crate::error::ApiError;
use crate::middleware::OpenUse;

pub const API_KEY_HEADER: &str = "x-api-key";

/// A request made with a valid key of some region, counted for its key's
/// usage once answered: only on a route that [`crate::middleware::count_key_uses`]
/// wraps, which finishes the use this leaves in the request's [`OpenUse`].
pub struct Authenticated(pub Caller);

impl<S> FromRequestParts<S> for Authenticated
where
    Keyward: FromRef<S>,
    ClientIpHeader: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(open) = parts.extensions.get::<OpenUse>().cloned() else {
            return Err(domain::Error::Internal(
                "a keyed route without count_key_uses: its use would go uncounted".to_owned(),
            )
            .into());
        };
        let Ok(ClientAddress(client)) = ClientAddress::from_request_parts(parts, state).await;
        let presented = presented_key(&parts.headers).unwrap_or_default();
        let details = use_details(&parts.headers, Some(parts.method.as_str()), Some(parts.uri.path()));
        let key_use = Keyward::from_ref(state).authenticator().authenticate_use(presented, client, details).await?;
        let caller = key_use.caller().clone();
        open.hold(key_use);
        Ok(Self(caller))
    }
}

/// What a keyed request's use records: its user agent, `method` and `path`.
pub fn use_details(headers: &HeaderMap, method: Option<&str>, path: Option<&str>) -> UseDetails {
    let user_agent = headers.get(header::USER_AGENT).and_then(|value| value.to_str().ok());
    UseDetails::new(user_agent, method, path)
}

/// The key a request carries, if any (a blank header carries none).
pub fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let presented = match headers.get(API_KEY_HEADER) {
        Some(value) => value.to_str().ok().map(str::trim),
        None => {
            let authorization = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
            let (scheme, credentials) = authorization.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| credentials.trim())
        }
    };
    presented.filter(|key| !key.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_either_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(presented_key(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer  kw_live_x "));
        assert_eq!(presented_key(&headers), Some("kw_live_x"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(presented_key(&headers), None);
        headers.insert(API_KEY_HEADER, HeaderValue::from_static("kw_live_y"));
        assert_eq!(presented_key(&headers), Some("kw_live_y"));
        headers.insert(API_KEY_HEADER, HeaderValue::from_static("  "));
        assert_eq!(presented_key(&headers), None, "blank is none");
    }
}
