//! Delivers webhook messages: every serving process claims due messages
//! from the database (one process per message at a time), posts each with a
//! 10 s time-out, follows no redirect, reads at most 64 KiB of the answer,
//! and connects only to addresses the operator allows, checked at every
//! connection (a name that resolves inward later is refused then).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::{Keyward, Outcome, Outgoing, WebhookSettings};
use tokio::task::JoinHandle;

/// How often a process looks for due messages when it found none.
const POLL: Duration = Duration::from_millis(200);
const TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer that is read (and discarded).
const ANSWER_READ: usize = 64 * 1024;
/// Messages one process claims at once.
const BATCH: u64 = 16;

/// Delivers until `stop` completes; the messages it holds then are taken
/// by another process (or this one, restarted) once their claim lapses.
pub fn spawn_deliveries(keyward: Keyward, stop: impl Future<Output = ()> + Send + 'static) -> JoinHandle<()> {
    tokio::spawn(async move {
        let client = match client(keyward.webhooks().settings()) {
            Ok(client) => client,
            Err(error) => {
                tracing::error!(%error, "webhooks cannot be delivered: no HTTP client");
                return;
            }
        };
        let mut stop = std::pin::pin!(stop);
        let mut measured: Option<Instant> = None;
        loop {
            let delivered = tokio::select! {
                delivered = deliver_due(&keyward, &client) => delivered,
                () = &mut stop => return,
            };
            if measured.is_none_or(|at| at.elapsed() >= Duration::from_secs(5)) {
                measured = Some(Instant::now());
                if let Ok(oldest) = keyward.webhooks().oldest_waiting().await {
                    metrics::gauge!("keyward_webhook_oldest_waiting_seconds").set(oldest.as_secs_f64());
                }
            }
            if delivered == 0 {
                tokio::select! {
                    () = tokio::time::sleep(POLL) => {}
                    () = &mut stop => return,
                }
            }
        }
    })
}

/// Claims and sends what is due; how many it sent.
async fn deliver_due(keyward: &Keyward, client: &reqwest::Client) -> usize {
    let webhooks = keyward.webhooks();
    let claimed = match webhooks.claim_due(BATCH).await {
        Ok(claimed) => claimed,
        Err(error) => {
            tracing::warn!(%error, "could not look for webhook messages");
            return 0;
        }
    };
    let sends = claimed.iter().map(|outgoing| async move {
        let started = Instant::now();
        let outcome = send(client, webhooks.settings(), outgoing).await;
        if let Err(error) = webhooks.finish(outgoing, outcome, started.elapsed()).await {
            // The claim lapses and the message is sent again: at least once.
            tracing::warn!(%error, message = %outgoing.message_id, "could not record a webhook attempt");
        }
    });
    futures_util::future::join_all(sends).await;
    claimed.len()
}

async fn send(client: &reqwest::Client, settings: WebhookSettings, outgoing: &Outgoing) -> Outcome {
    let url = outgoing.url.as_url();
    if url.scheme() != "https" && !settings.allow_http {
        return Outcome::Failed("http:// is not allowed (--webhooks-allow-http)".to_owned());
    }
    // An address in the URL itself never reaches the resolver below.
    let (host, _) = outgoing.url.host_and_port();
    if let Ok(address) = host.parse::<IpAddr>()
        && !settings.allows(address)
    {
        return Outcome::Failed(format!("the address {address} is not allowed (--webhooks-allow-private)"));
    }
    let mut request = client.post(url.clone()).header("content-type", "application/json").body(outgoing.body.clone());
    for (name, value) in &outgoing.headers {
        request = request.header(*name, value);
    }
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(error) => return Outcome::Failed(describe(&error)),
    };
    let status = response.status().as_u16();
    let mut read = 0;
    while read < ANSWER_READ {
        match response.chunk().await {
            Ok(Some(chunk)) => read += chunk.len(),
            _ => break,
        }
    }
    Outcome::Answered(status)
}

/// What went wrong, in a line, without the URL (it may carry a token of the receiver's).
fn describe(error: &reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "no answer within 10 s"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_redirect() {
        "redirects are not followed"
    } else {
        "the request failed"
    };
    let mut cause = std::error::Error::source(error);
    let mut detail = String::new();
    while let Some(inner) = cause {
        detail = inner.to_string();
        cause = inner.source();
    }
    if detail.is_empty() { what.to_owned() } else { format!("{what}: {detail}") }
}

fn client(settings: WebhookSettings) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .no_proxy()
        .user_agent(concat!("Keyward-Webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(AllowedAddresses(settings)))
        .build()
}

/// Resolves a host to the addresses the operator allows, at every
/// connection; none left is a failed connection.
struct AllowedAddresses(WebhookSettings);

impl reqwest::dns::Resolve for AllowedAddresses {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let settings = self.0;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> =
                resolved.into_iter().filter(|address| settings.allows(address.ip())).collect();
            if allowed.is_empty() {
                let refused = format!("{host} resolves to no address that is allowed (--webhooks-allow-private)");
                return Err(refused.into());
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
