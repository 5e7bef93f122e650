//! Whether a connection is idle: no request in progress, from the moment
//! its headers have arrived until its response has been sent. HTTP/2 has
//! no header-read time-out to end an idle connection, and keep-alive pings
//! only find dead peers, not live ones that open no stream.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::watch;

/// The requests in progress on one connection.
#[derive(Clone)]
pub struct Activity(Arc<watch::Sender<usize>>);

impl Activity {
    pub fn new() -> Self {
        Self(Arc::new(watch::Sender::new(0)))
    }

    /// Counts a request as in progress until the guard is dropped.
    pub fn begin(&self) -> InProgress {
        self.0.send_modify(|requests| *requests += 1);
        InProgress(self.0.clone())
    }

    /// Completes once no request has been in progress for `limit`.
    pub async fn idle_for(&self, limit: Duration) {
        let mut requests = self.0.subscribe();
        loop {
            // Never fails: `self` holds the sender.
            let _ = requests.wait_for(|requests| *requests == 0).await;
            // Any change, a request begun or ended, starts the wait over.
            if tokio::time::timeout(limit, requests.changed()).await.is_err() {
                return;
            }
        }
    }
}

/// One request in progress.
pub struct InProgress(Arc<watch::Sender<usize>>);

impl Drop for InProgress {
    fn drop(&mut self) {
        self.0.send_modify(|requests| *requests -= 1);
    }
}

impl InProgress {
    /// Keeps the request in progress until `body` has been sent (or given
    /// up): a long download is not an idle connection.
    pub fn until_sent<B>(self, body: B) -> Counted<B> {
        Counted { body, _in_progress: self }
    }
}

/// A response body that keeps its request in progress.
pub struct Counted<B> {
    body: B,
    _in_progress: InProgress,
}

impl<B: Body + Unpin> Body for Counted<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(context)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
