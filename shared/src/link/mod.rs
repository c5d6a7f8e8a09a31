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

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};

use crate::protocol::{
    Command, DeviceId, DeviceInfo, ErrorCode, Event, OrderId, Role, Seq, Snapshot, StoreId,
};

mod backoff;
pub mod cli;
mod effects;
mod logic;
mod outbox;
mod runner;
mod session;
mod store;
mod sync;
mod target;
mod worker;

pub use store::STORE_FILE;

/// Events waiting for the owner. When full, the link stops reading from the server
/// until the owner has drained some (the server may then drop it as too slow; it
/// catches up after reconnecting).
pub const EVENT_QUEUE: usize = 4096;
/// Requests waiting for the link thread. When full, [`LinkHandle::request`] answers
/// [`LinkError::Busy`].
pub const REQUEST_QUEUE: usize = 1024;

/// How the link finds and identifies itself to the server.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// Client-local state: device token, last good server, outbox, last snapshot.
    pub data_dir: PathBuf,
    /// `HOST:PORT` of the server's WebSocket; skips discovery when set.
    pub server: Option<String>,
    /// Where discovery probes go. Empty means the production default: the directed
    /// broadcast address of every up, non-loopback IPv4 interface plus 255.255.255.255.
    pub discovery_targets: Vec<SocketAddr>,
    /// Only servers of this site answer, when set.
    pub site: Option<String>,
    /// Shown to admins in the device list.
    pub device_name: String,
    /// Talk plain `ws://` to a server run with `--insecure-plaintext` (debugging only).
    pub insecure_plaintext: bool,
    /// Used for enrolment on first run (otherwise the owner sends
    /// [`LinkRequest::Pair`]); ignored once the device holds a token.
    pub pairing_code: Option<String>,
}

/// Where the link stands, for the status line every client shows.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkStatus {
    /// Looking for the server or connecting for the first time.
    Connecting,
    /// Not enrolled and no pairing code (or the code or token was refused, `reason`
    /// says why): the owner should ask for one and send [`LinkRequest::Pair`].
    NeedsPairing { reason: Option<String> },
    Connected {
        site: String,
        server_id: String,
        device_id: DeviceId,
        role: Role,
    },
    /// Lost the server (or never reached it); retrying. Offline since `since`.
    Reconnecting {
        since: DateTime<Utc>,
        attempt: u32,
        reason: String,
    },
    /// The server refused this device for good (revoked, version mismatch).
    Refused { reason: String },
}

/// What the link tells its owner.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkEvent {
    Status(LinkStatus),
    /// Replace all state with this. `stale` is true for the copy loaded from disk at
    /// start-up, before the server has been reached.
    Reset {
        snapshot: Snapshot,
        stale: bool,
    },
    /// The next event, in seq order, never twice. `replayed` is true while catching
    /// up on what was missed (until `CaughtUp`), false for live events.
    Event {
        event: Event,
        replayed: bool,
    },
    /// Catch-up is over; events from now on are live.
    CaughtUp {
        seq: Seq,
    },
    /// A submitted command is durable in the local outbox and will be sent.
    Queued {
        key: String,
    },
    /// The server committed the command.
    Acked {
        key: String,
        seq: Seq,
        order_id: Option<OrderId>,
        store_id: Option<StoreId>,
    },
    /// The server refused the command (or it could not be saved on this computer:
    /// code `internal`); it will not be retried.
    Rejected {
        key: String,
        code: ErrorCode,
        message: String,
    },
    Devices(Vec<DeviceInfo>),
    /// Answer to [`LinkRequest::SiteStatus`].
    SiteStatus(crate::protocol::SiteStatus),
    PairingCode {
        code: String,
        role: Role,
        expires_at: DateTime<Utc>,
    },
    /// Discovery found several servers and this device is not paired yet: the owner
    /// shows them (site, address, short fingerprint) and answers `ChooseServer`.
    ServersFound(Vec<crate::discovery::FoundServer>),
    /// A problem worth showing once (e.g. a non-command error from the server).
    Notice(String),
    /// What the outbox holds, and how that changes: see [`OutboxReport`].
    Outbox(OutboxReport),
}

/// A command waiting in the outbox for the server's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    /// The idempotency key it was submitted under.
    pub key: String,
    pub command: Command,
    /// When it became durable; `None` for entries saved by an older version.
    pub queued_at: Option<DateTime<Utc>>,
}

/// The link's report of its outbox, so that an owner can show what is still waiting
/// without keeping a copy of its own. Applying the reports in order gives the outbox.
#[derive(Debug, Clone, PartialEq)]
pub enum OutboxReport {
    /// Once at start-up, before any other report: every command still waiting from
    /// an earlier run, oldest first (empty when none).
    Waiting(Vec<OutboxItem>),
    /// Newly durable after [`LinkRequest::Submit`], oldest first (each also gets a
    /// [`LinkEvent::Queued`]). A key already in the outbox is not reported again.
    Queued(Vec<OutboxItem>),
    /// Sent to the server on the current connection. If the connection drops before
    /// the answer, they are sent again (and reported again) on the next one.
    Sent(Vec<String>),
    /// Answered by the server (after [`LinkEvent::Acked`] or [`LinkEvent::Rejected`]):
    /// no longer waiting.
    Answered(Vec<String>),
}

/// Requests from the owner to the link thread.
#[derive(Debug, Clone)]
pub enum LinkRequest {
    /// Write to the outbox under `key`, then send when connected.
    Submit { key: String, command: Command },
    /// Enrol with this pairing code (first run).
    Pair { code: String },
    /// Admin only; answered by [`LinkEvent::Devices`] (a [`LinkEvent::Notice`] when
    /// not connected).
    ListDevices,
    /// Admin only; answered by [`LinkEvent::PairingCode`].
    NewPairingCode { role: Role },
    /// Admin only; answered by [`LinkEvent::SiteStatus`].
    SiteStatus,
    /// Pair with this server (by id, from [`LinkEvent::ServersFound`]) when several
    /// answered discovery.
    ChooseServer { server_id: String },
    /// Stops the link thread without waiting for it; [`LinkHandle::shutdown`] waits.
    Shutdown,
}

/// One line per server that answered discovery, for people to pick from.
pub fn describe_servers(servers: &[crate::discovery::FoundServer]) -> String {
    servers
        .iter()
        .map(|s| {
            format!(
                "{} at {} (id {})",
                s.site,
                s.ws_addr,
                crate::tls::short_fingerprint(&s.server_id)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

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

impl Drop for LinkHandle {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}
