//! Serving connections within bounds, over HTTP/1 and HTTP/2 (h2c, as
//! reverse proxies such as Envoy speak it to their upstreams): a client
//! must send a request's headers within a time-out, a connection with no
//! request in progress for as long is closed, at most so many connections
//! are served at once (the rest wait in the kernel's queue, with one log
//! line when the cap is reached) and one client only so many of them, and
//! a shutdown waits for open connections only so long.

mod activity;
mod client_share;
mod version;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt;
use tower_http::timeout::RequestBodyTimeoutLayer;

use activity::Activity;
use client_share::ClientShares;
use version::Version;

/// How connections are bounded.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// A request's headers must arrive within this; a connection with no
    /// request in progress (HTTP/1 keep-alive, HTTP/2) is closed after it too.
    pub header_read_timeout: Duration,
    /// At most this many connections are served at once.
    pub max_connections: usize,
    /// At most this many of them come from one client; more are closed.
    pub max_connections_per_client: usize,
    /// IPv6 clients are one client per network of this prefix length.
    pub ipv6_prefix: u8,
    /// On shutdown, connections still open after this are closed.
    pub shutdown_grace: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open
/// connections finish for at most the grace period.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let protocols = Arc::new(Protocols::new(limits.header_read_timeout));
    // A body must keep coming too, or its connection is given up.
    let app = app.layer(RequestBodyTimeoutLayer::new(limits.header_read_timeout));
    let shares = ClientShares::new(limits.max_connections_per_client, limits.ipv6_prefix);
    let mut share_warned: Option<Instant> = None;
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let at_cap = Arc::new(AtomicBool::new(false));
    let stopping = tokio_util::sync::CancellationToken::new();
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if !at_cap.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "connection limit reached: new connections wait until others close (--max-connections)"
                    );
                }
                tokio::select! {
                    permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
                    () = &mut shutdown => break,
                }
            }
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slot = match shares.take(peer.ip()) {
            Ok(slot) => slot,
            Err(client) => {
                // Closed at once: its global slot goes to the next in line.
                drop(stream);
                metrics::counter!("keyward_connections_refused_total", "reason" => "client_share").increment(1);
                if share_warned.is_none_or(|warned| warned.elapsed() >= SHARE_WARNING_EVERY) {
                    share_warned = Some(Instant::now());
                    tracing::warn!(
                        %client,
                        max_connections_per_client = limits.max_connections_per_client,
                        "a client holds its share of connections: more of its connections are closed (--max-connections-per-client)"
                    );
                }
                continue;
            }
        };
        // Said again only after the load fell well below the cap.
        if permits.available_permits() > limits.max_connections / 10 {
            at_cap.store(false, Ordering::Relaxed);
        }
        let (protocols, app, stop) = (protocols.clone(), app.clone(), stopping.clone());
        connections.spawn(async move {
            let _held = (permit, slot);
            let Some((version, stream)) = version::detect(stream, limits.header_read_timeout).await else {
                return;
            };
            let activity = Activity::new();
            let counted = activity.clone();
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let in_progress = counted.begin();
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                let app = app.clone();
                async move {
                    let response = app.oneshot(request).await.unwrap_or_else(|never| match never {});
                    Ok::<_, Infallible>(response.map(|body| in_progress.until_sent(body)))
                }
            });
            let connection = protocols.builder(version).serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            let idle = tokio::select! {
                _ = connection.as_mut() => return,
                () = stop.cancelled() => false,
                () = activity.idle_for(limits.header_read_timeout) => true,
            };
            connection.as_mut().graceful_shutdown();
            if idle {
                // A request that came just then is still answered. HTTP/2
                // ends once the client acknowledged the GOAWAY's ping: one
                // that does not, or stops reading, is cut off after as long.
                let _ = tokio::time::timeout(limits.header_read_timeout, connection).await;
            } else {
                let _ = connection.await;
            }
        });
        // Finished connections need not be remembered.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    stopping.cancel();
    if tokio::time::timeout(limits.shutdown_grace, async { while connections.join_next().await.is_some() {} })
        .await
        .is_err()
    {
        let open = connections.len();
        tracing::warn!(open, "connections still open after the shutdown grace period were closed");
        connections.abort_all();
    }
    Ok(())
}

/// How often, at most, a client refused over its share is logged.
const SHARE_WARNING_EVERY: Duration = Duration::from_secs(60);

/// Streams one HTTP/2 connection may have open at once: RFC 9113 advises
/// no fewer than 100, hyper allows 200.
const MAX_CONCURRENT_STREAMS: u32 = 100;

/// How each HTTP version is served.
struct Protocols {
    http1: Builder<TokioExecutor>,
    http2: Builder<TokioExecutor>,
}

impl Protocols {
    fn new(header_read_timeout: Duration) -> Self {
        let mut http1 = Builder::new(TokioExecutor::new()).http1_only();
        http1.http1().timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
        let mut http2 = Builder::new(TokioExecutor::new()).http2_only();
        http2
            .http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(MAX_CONCURRENT_STREAMS)
            // A peer that stops answering pings while a stream is open is gone.
            .keep_alive_interval(header_read_timeout)
            .keep_alive_timeout(header_read_timeout);
        Self { http1, http2 }
    }

    fn builder(&self, version: Version) -> &Builder<TokioExecutor> {
        match version {
            Version::Http1 => &self.http1,
            Version::Http2 => &self.http2,
        }
    }
}
