//! The client link: the one piece both desktop clients use to talk to the server.
//!
//! It runs on its own thread with its own tokio runtime. The owner sends requests over
//! a bounded channel and receives [`LinkEvent`]s over another; nothing here blocks the
//! caller's thread and nothing here knows egui.
//!
//! Responsibilities: find the server (configured address, last good server, or UDP
//! discovery), connect, enrol with a pairing code or authenticate with the stored
//! token, subscribe from the last seq it holds (gap → resync), reconnect with capped
//! exponential backoff plus jitter (re-discovering when the old address fails), and
//! keep a durable outbox so commands made while disconnected are sent, exactly once,
//! when the link is back.
//!
//! # Shape
//!
//! The public types are in `api` (re-exported here); the modules below import it and
//! each other without cycles.
//!
//! **The decisions are pure**: `logic` takes requests, what the store loaded and
//! server messages, and returns `Action`s (emit an event, send a message, write to
//! the store); `effects` carries them out; `runner` (the reconnect loop) and
//! `session` (one connection) only sequence I/O around them. `sync` (site state by
//! seq), `outbox` (commands in flight), `target` and `backoff` are pure as well.
//!
//! # The outbox report
//!
//! Owners that show unanswered commands (the office's "queued" orders) read them from
//! the link rather than keeping a file of their own: [`LinkEvent::Outbox`] carries an
//! [`OutboxReport`]. At start-up comes `Waiting(items)` (every command left from an
//! earlier run, with its key, command and `queued_at`), then `Queued(items)` when
//! submits become durable, `Sent(keys)` when they go to the server, and
//! `Answered(keys)` once acknowledged or rejected. The existing `Queued`, `Acked` and
//! `Rejected` events are unchanged.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::JoinHandle;

use tokio::sync::{mpsc, watch};

use crate::protocol::Command;

mod api;
mod backoff;
pub mod cause;
pub mod cli;
pub mod diagnosis;
mod effects;
pub mod locate;
mod logic;
mod outbox;
mod runner;
mod session;
mod store;
mod sync;
mod target;
mod worker;

pub use api::{
    LinkConfig, LinkEvent, LinkRequest, LinkStatus, OutboxItem, OutboxReport, ReceiptNote,
    describe_servers,
};
/// The reconnect schedule's bounds, for tests and benchmarks that check clients keep them.
pub use backoff::{BACKOFF_CAP, BACKOFF_JITTER};
pub use store::STORE_FILE;

/// Events waiting for the owner. When full, the link stops reading from the server
/// until the owner has drained some (the server may then drop it as too slow; it
/// catches up after reconnecting).
pub const EVENT_QUEUE: usize = 4096;
/// Requests waiting for the link thread. When full, [`LinkHandle::request`] answers
/// [`LinkError::Busy`].
pub const REQUEST_QUEUE: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the link is busy; try again")]
    Busy,
    #[error("the link has stopped")]
    Stopped,
}

/// The owner's side of a running link. Dropping it stops the link without waiting;
/// [`LinkHandle::shutdown`] stops it and waits.
pub struct LinkHandle {
    /// To the link thread; bounded (`REQUEST_QUEUE`), never waited on.
    requests: mpsc::Sender<LinkRequest>,
    /// Set to true to stop the link.
    stop: watch::Sender<bool>,
    /// Joined by `shutdown`.
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for LinkHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkHandle")
            .field("running", &self.thread.is_some())
            .finish_non_exhaustive()
    }
}

impl LinkHandle {
    /// Starts the link thread (with its own current-thread tokio runtime) and returns
    /// the handle plus the receiver of its events, which the owner must keep draining.
    /// `wake` is called after events are queued (GUIs call `ctx.request_repaint()`).
    ///
    /// Fails when the data directory or its database cannot be opened, or a thread
    /// cannot be started.
    pub fn spawn(
        config: LinkConfig,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> std::io::Result<(LinkHandle, Receiver<LinkEvent>)> {
        let store = store::LinkStore::open(&config.data_dir).map_err(std::io::Error::other)?;
        let store = worker::StoreWorker::start(store)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (event_sender, events) = sync_channel(EVENT_QUEUE);
        let (requests, request_receiver) = mpsc::channel(REQUEST_QUEUE);
        let (stop, stop_receiver) = watch::channel(false);
        let link = runner::Link::new(
            config,
            store,
            event_sender,
            wake,
            request_receiver,
            stop_receiver,
        );
        let thread = std::thread::Builder::new()
            .name("packbell-link".into())
            .spawn(move || runner::run_thread(runtime, link))?;
        Ok((
            LinkHandle {
                requests,
                stop,
                thread: Some(thread),
            },
            events,
        ))
    }

    /// Queues a request for the link thread. Never blocks.
    pub fn request(&self, request: LinkRequest) -> Result<(), LinkError> {
        self.requests
            .try_send(request)
            .map_err(|error| match error {
                mpsc::error::TrySendError::Full(_) => LinkError::Busy,
                mpsc::error::TrySendError::Closed(_) => LinkError::Stopped,
            })
    }

    /// Another way in to the same request channel, for a thread of the owner other
    /// than the one holding the handle (the warehouse's alert pump sends receipts).
    /// It does not keep the link running: shutting the handle down stops it.
    pub fn sender(&self) -> LinkSender {
        LinkSender(self.requests.clone())
    }

    /// Submits `command` under a fresh idempotency key (a UUID v4) and returns the key.
    /// [`LinkEvent::Queued`] follows once it is durable in the outbox, then
    /// [`LinkEvent::Acked`] or [`LinkEvent::Rejected`].
    pub fn submit(&self, command: Command) -> Result<String, LinkError> {
        let key = uuid::Uuid::new_v4().to_string();
        self.request(LinkRequest::Submit {
            key: key.clone(),
            command,
        })?;
        Ok(key)
    }

    /// Stops the link: requests already queued are handled first (submitted commands
    /// reach the outbox), the state is saved, the connection closed, and the thread
    /// joined. Blocks for about a second at most when the server is reachable.
    pub fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the link thread panicked");
        }
    }
}

/// A clone of a [`LinkHandle`]'s request channel ([`LinkHandle::sender`]).
#[derive(Debug, Clone)]
pub struct LinkSender(mpsc::Sender<LinkRequest>);

impl LinkSender {
    /// Queues a request for the link thread. Never blocks.
    pub fn request(&self, request: LinkRequest) -> Result<(), LinkError> {
        self.0.try_send(request).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => LinkError::Busy,
            mpsc::error::TrySendError::Closed(_) => LinkError::Stopped,
        })
    }
}

impl Drop for LinkHandle {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}
