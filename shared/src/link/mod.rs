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

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::protocol::{Command, DeviceId, DeviceInfo, ErrorCode, Event, OrderId, Role, Seq, Snapshot, StoreId};

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
    /// Used for enrolment on first run (otherwise the owner calls `pair`).
    pub pairing_code: Option<String>,
}

/// Where the link stands, for the status line every client shows.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkStatus {
    /// Looking for the server or connecting for the first time.
    Connecting,
    /// Not enrolled and no pairing code: the owner should ask for one and call `pair`.
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
    Reset { snapshot: Snapshot, stale: bool },
    /// The next event, in seq order, never twice. `replayed` is true while catching
    /// up on what was missed (until `CaughtUp`), false for live events.
    Event { event: Event, replayed: bool },
    /// Catch-up is over; events from now on are live.
    CaughtUp { seq: Seq },
    /// A submitted command is durable in the local outbox and will be sent.
    Queued { key: String },
    /// The server committed the command.
    Acked {
        key: String,
        seq: Seq,
        order_id: Option<OrderId>,
        store_id: Option<StoreId>,
    },
    /// The server refused the command; it will not be retried.
    Rejected {
        key: String,
        code: ErrorCode,
        message: String,
    },
    Devices(Vec<DeviceInfo>),
    PairingCode {
        code: String,
        role: Role,
        expires_at: DateTime<Utc>,
    },
    /// A problem worth showing once (e.g. a non-command error from the server).
    Notice(String),
}

/// Requests from the owner to the link thread.
#[derive(Debug, Clone)]
pub enum LinkRequest {
    /// Write to the outbox under `key`, then send when connected.
    Submit { key: String, command: Command },
    /// Enrol with this pairing code (first run).
    Pair { code: String },
    ListDevices,
    NewPairingCode { role: Role },
    Shutdown,
}
