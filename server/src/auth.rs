//! The REST API's authentication: `x-api-key`, or `Authorization: Bearer`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::{HeaderMap, HeaderName, header, request::Parts};
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

/// Behind a reverse proxy every peer address is the proxy's, so the failure
/// throttle would count all clients as one. When this request extension is
/// set (`--client-ip-header`), the client is the last address in that
/// header: the one the trusted proxy appended.
#[derive(Clone, Debug)]
pub struct ClientIpHeader(pub HeaderName);

/// The client's address, which the failure throttle counts per client.
pub fn client_address(parts: &Parts) -> IpAddr {
    let forwarded = parts.extensions.get::<ClientIpHeader>().and_then(|ClientIpHeader(name)| {
        let last = parts.headers.get_all(name).iter().next_back()?.to_str().ok()?;
        last.rsplit(',').next()?.trim().parse().ok()
    });
    let peer = || {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(address)| address.ip())
    };
    forwarded.unwrap_or_else(peer)
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

    fn parts_from(peer: &str, forwarded: &[&str], trusted: Option<&'static str>) -> Parts {
        let mut request = axum::http::Request::builder();
        for value in forwarded {
            request = request.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        parts.extensions.insert(ConnectInfo::<SocketAddr>(peer.parse().unwrap()));
        if let Some(name) = trusted {
            parts.extensions.insert(ClientIpHeader(HeaderName::from_static(name)));
        }
        parts
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_names_it() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let spoofed = ["6.6.6.6"];
        assert_eq!(client_address(&parts_from("10.0.0.1:5000", &spoofed, None)), ip("10.0.0.1"));
        let chain = ["6.6.6.6, 203.0.113.7", "198.51.100.2"];
        assert_eq!(client_address(&parts_from("10.0.0.1:5000", &chain, Some("x-forwarded-for"))), ip("198.51.100.2"));
        let one = ["6.6.6.6, 2001:db8::1"];
        assert_eq!(client_address(&parts_from("10.0.0.1:5000", &one, Some("x-forwarded-for"))), ip("2001:db8::1"));
        let garbage = ["not an address"];
        assert_eq!(client_address(&parts_from("10.0.0.1:5000", &garbage, Some("x-forwarded-for"))), ip("10.0.0.1"));
        assert_eq!(client_address(&parts_from("10.0.0.1:5000", &[], Some("x-forwarded-for"))), ip("10.0.0.1"));
    }
}
