//! The REST API's authentication: `x-api-key`, or `Authorization: Bearer`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::{HeaderMap, header, request::Parts};
use domain::{Caller, KeyService};

use crate::error::ApiError;

pub const API_KEY_HEADER: &str = "x-api-key";

/// A request made with a valid key of some region.
pub struct Authenticated(pub Caller);

impl<S> FromRequestParts<S> for Authenticated
where
    KeyService: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let presented = presented_key(&parts.headers).unwrap_or_default();
        let caller = KeyService::from_ref(state).authenticate(presented, client_address(parts)).await?;
        Ok(Self(caller))
    }
}

/// The key a request carries, if any.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(value) = headers.get(API_KEY_HEADER) {
        return value.to_str().ok().map(str::trim);
    }
    let authorization = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credentials) = authorization.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| credentials.trim())
}

/// The peer address, which the failure throttle counts per client.
pub fn client_address(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(address)| address.ip())
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
    }
}
