//! The client's address, resolved once per request: the peer, or behind a
//! trusted reverse proxy the address it names. The failure throttle counts
//! per client, and the audit log records it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::{HeaderName, request::Parts};

/// Behind a reverse proxy every peer address is the proxy's, so the failure
/// throttle would count all clients as one. With a header configured
/// (`--client-ip-header`), the client is the last address in it: the one
/// the trusted proxy appended.
#[derive(Clone, Debug, Default)]
pub struct ClientIpHeader(pub Option<HeaderName>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl<S> FromRequestParts<S> for ClientAddress
where
    ClientIpHeader: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts, &ClientIpHeader::from_ref(state)))
    }
}

impl ClientAddress {
    fn of(parts: &Parts, header: &ClientIpHeader) -> Self {
        let forwarded = header.0.as_ref().and_then(|name| {
            let last = parts.headers.get_all(name).iter().next_back()?.to_str().ok()?;
            last.rsplit(',').next()?.trim().parse().ok()
        });
        let peer = || {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(address)| address.ip())
        };
        Self(forwarded.unwrap_or_else(peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(peer: &str, forwarded: &[&str], trusted: Option<&'static str>) -> IpAddr {
        let mut request = axum::http::Request::builder();
        for value in forwarded {
            request = request.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        parts.extensions.insert(ConnectInfo::<SocketAddr>(peer.parse().unwrap()));
        ClientAddress::of(&parts, &ClientIpHeader(trusted.map(HeaderName::from_static))).0
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_names_it() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        assert_eq!(client("10.0.0.1:5000", &["6.6.6.6"], None), ip("10.0.0.1"));
        let chain = ["6.6.6.6, 203.0.113.7", "198.51.100.2"];
        assert_eq!(client("10.0.0.1:5000", &chain, Some("x-forwarded-for")), ip("198.51.100.2"));
        assert_eq!(client("10.0.0.1:5000", &["6.6.6.6, 2001:db8::1"], Some("x-forwarded-for")), ip("2001:db8::1"));
        assert_eq!(client("10.0.0.1:5000", &["not an address"], Some("x-forwarded-for")), ip("10.0.0.1"));
        assert_eq!(client("10.0.0.1:5000", &[], Some("x-forwarded-for")), ip("10.0.0.1"));
    }
}
