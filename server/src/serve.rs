//! `keyward serve`: start-up, background work and graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use domain::Keyward;
use domain::model::CreatedRegion;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::cli::ServeArgs;
use crate::commands::Failure;
use crate::extract::ClientIpHeader;
use crate::leaks::ScanningPartners;
use crate::{AppState, app, connections};

pub async fn run(keyward: Keyward, args: &ServeArgs, scanning_partners: ScanningPartners) -> Result<(), Failure> {
    let sign_in = args.sign_in_ways().map_err(Failure::Config)?;
    let listener = TcpListener::bind(args.bind).await.map_err(|source| Failure::Bind { address: args.bind, source })?;
    let address = listener.local_addr().map_err(|source| Failure::Bind { address: args.bind, source })?;
    if !args.no_bootstrap
        && let Some(created) = keyward.regions().bootstrap().await?
    {
        print_first_key(&created, address);
    }
    let console = args.console();
    // Installed before any background task counts anything (the cache's
    // first full load among them).
    let metrics = args.metrics.then(crate::metrics::recorder);
    // Background work stops in this order once serving ended: housekeeping;
    // then the cache, giving its lease up so no key change waits for this
    // process; then usage, flushed once more so nothing counted is lost.
    let [housekeeping, cache, usage] = [Stage::default(), Stage::default(), Stage::default()];
    housekeeping.track(spawn_revocation_sweeper(keyward.clone(), housekeeping.stopped()));
    housekeeping.track(spawn_usage_pruner(keyward.clone(), housekeeping.stopped()));
    cache.track(tokio::spawn({
        let (keyward, stop) = (keyward.clone(), cache.stopped());
        async move { keyward.maintain_coherence(stop).await }
    }));
    usage.track(spawn_usage_flusher(keyward.clone(), args.usage_flush_interval(), usage.stopped()));
    housekeeping.track(crate::webhooks::delivery::spawn_deliveries(keyward.clone(), housekeeping.stopped()));
    let shutdown = shutdown_signal();
    // Tests and scripts wait for this line; the port is real even with `:0`.
    println!("Keyward is listening on http://{address}");
    if console.is_served() {
        match (&sign_in.oidc, sign_in.mode) {
            (Some(oidc), crate::oidc::ConsoleSignIn::Oidc) => {
                println!("Console: http://{address}/ (sign in with {})", oidc.provider_name())
            }
            (Some(oidc), crate::oidc::ConsoleSignIn::Both) => println!(
                "Console: http://{address}/ (sign in with {} or an API key of your region)",
                oidc.provider_name()
            ),
            _ => println!("Console: http://{address}/ (sign in with an API key of your region)"),
        }
    }
    if console.serves_api_reference() {
        println!("API reference: http://{address}/docs/api");
    }
    println!("Forward authentication for your reverse proxy: http://{address}/auth/check (see deploy/)");
    let state = AppState {
        client_ip_header: ClientIpHeader(args.client_ip_header.clone()),
        console,
        metrics,
        scanning_partners,
        sign_in,
        ..AppState::new(keyward.clone())
    };
    connections::serve(listener, app(state), args.connection_limits(), shutdown).await.map_err(Failure::Serve)?;
    for stage in [housekeeping, cache, usage] {
        stage.finish().await;
    }
    // No request is served any more: credits taken and not spent go back.
    match keyward.give_back_credits().await {
        Ok(credits) => tracing::info!(credits, "gave unspent credits back"),
        Err(error) => tracing::warn!(%error, "could not give unspent credits back; they count as spent"),
    }
    tracing::info!("stopped");
    Ok(())
}

/// Writes usage every `interval` until `stop` completes, then once
/// more: uses noted since the last tick are not lost on a clean stop. A
/// failed flush is logged and its uses retried next time.
pub fn spawn_usage_flusher(
    keyward: Keyward,
    interval: Duration,
    stop: impl Future<Output = ()> + Send + 'static,
) -> JoinHandle<()> {
    spawn_every(interval, stop, AtStop::RunOnceMore, move || flush_usage(keyward.clone()))
}

/// Deletes the keys whose scheduled revocation came due, every
/// [`REVOCATION_SWEEP`]. They are refused from that instant already; this
/// only removes them and records it.
pub fn spawn_revocation_sweeper(keyward: Keyward, stop: impl Future<Output = ()> + Send + 'static) -> JoinHandle<()> {
    spawn_every(REVOCATION_SWEEP, stop, AtStop::RunOnceMore, move || {
        let keyward = keyward.clone();
        async move {
            if let Err(error) = keyward.keys().revoke_due().await {
                tracing::warn!(%error, "could not delete the keys whose revocation came due; trying again shortly");
            }
        }
    })
}

const REVOCATION_SWEEP: Duration = Duration::from_secs(1);

/// Deletes usage older than it is kept, at start and hourly; not at a stop,
/// which it would only delay.
pub fn spawn_usage_pruner(keyward: Keyward, stop: impl Future<Output = ()> + Send + 'static) -> JoinHandle<()> {
    spawn_every(USAGE_PRUNE, stop, AtStop::Stop, move || {
        let keyward = keyward.clone();
        async move {
            if let Err(error) = keyward.prune_rate_limits().await {
                tracing::warn!(%error, "could not delete ended rate-limit periods; trying again in an hour");
            }
            if let Err(error) = keyward.webhooks().prune().await {
                tracing::warn!(%error, "could not delete aged webhook messages; trying again in an hour");
            }
            if let Err(error) = keyward.prune_usage().await {
                tracing::warn!(%error, "could not delete aged usage; trying again in an hour");
            }
        }
    })
}

const USAGE_PRUNE: Duration = Duration::from_secs(3600);

/// Background tasks that are told to stop together, and waited for.
#[derive(Default)]
struct Stage {
    stop: CancellationToken,
    tasks: TaskTracker,
}

impl Stage {
    /// Completes when this stage is told to stop.
    fn stopped(&self) -> impl Future<Output = ()> + Send + 'static {
        self.stop.clone().cancelled_owned()
    }

    /// Waits for `task` when the stage finishes; a task that failed is logged.
    fn track(&self, task: JoinHandle<()>) {
        self.tasks.spawn(async move {
            if let Err(error) = task.await {
                tracing::error!(%error, "a background task failed");
            }
        });
    }

    async fn finish(self) {
        self.stop.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}

/// Whether a periodic job runs once more when stopped (to write what is
/// still pending) or just stops.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AtStop {
    RunOnceMore,
    Stop,
}

/// Runs `job` every `interval` until `stop` completes, then as `at_stop`
/// says. `stop` is only awaited between runs, so stopping never cuts one
/// short.
fn spawn_every<Job, Run>(
    interval: Duration,
    stop: impl Future<Output = ()> + Send + 'static,
    at_stop: AtStop,
    job: Job,
) -> JoinHandle<()>
where
    Job: Fn() -> Run + Send + 'static,
    Run: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut stop = std::pin::pin!(stop);
        loop {
            tokio::select! {
                _ = ticks.tick() => job().await,
                () = &mut stop => break,
            }
        }
        if at_stop == AtStop::RunOnceMore {
            job().await;
        }
    })
}

async fn flush_usage(keyward: Keyward) {
    let started = std::time::Instant::now();
    let flushed = keyward.flush_usage().await;
    metrics::histogram!("keyward_usage_flush_seconds").record(started.elapsed().as_secs_f64());
    if let Err(error) = flushed {
        metrics::counter!("keyward_usage_flush_failures_total").increment(1);
        tracing::warn!(%error, "could not record key usage");
    }
    // A key's rate-limit and credit alerts, noted on the hot path like its uses.
    if let Err(error) = keyward.webhooks().flush_alerts().await {
        tracing::warn!(%error, "could not write webhook alerts; they are not sent");
    }
}

fn print_first_key(created: &CreatedRegion, address: SocketAddr) {
    println!(
        "\nThis database was empty, so Keyward created the region {:?} ({}) and its first API key.\n\
         It is shown only this once; store it now:\n\n    {}\n\n\
         Use it in the x-api-key header, e.g.\n    curl -H 'x-api-key: <key>' http://{address}/auth/regions/me\n",
        created.region.name, created.region.id, created.api_key.token
    );
}

/// Completes on Ctrl-C or SIGTERM. The handlers are in place when this
/// returns, before the server says it listens: a signal that comes at once
/// still stops it cleanly.
fn shutdown_signal() -> impl Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let terminate = signal(SignalKind::terminate()).ok();
    let interrupt = signal(SignalKind::interrupt()).ok();
    async move {
        tokio::select! {
            () = received(terminate) => {},
            () = received(interrupt) => {},
        }
        tracing::info!("shutting down");
    }
}

/// Completes when `signal` arrives; never, when it could not be listened for.
async fn received(signal: Option<tokio::signal::unix::Signal>) {
    if let Some(mut signal) = signal
        && signal.recv().await.is_some()
    {
        return;
    }
    std::future::pending::<()>().await
}
