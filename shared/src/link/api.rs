//! What the owner and the link say to each other: configuration, status, events,
//! requests and the outbox report. Plain data; nothing here runs.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::protocol::{
    Command, DeviceId, DeviceInfo, ErrorCode, Event, ExportDelimiter, ExportKind, NotRungWhy,
    OrderId, Receipt, ReceiptStage, Role, Seq, Snapshot, StoreId,
};

/// How the link finds and identifies itself to the server.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// Client-local state: device token, last good server, outbox, last snapshot.
    pub data_dir: PathBuf,
    /// `HOST:PORT` of the server's WebSocket, or several separated by commas (tried in
    /// turn); skips discovery when set.
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
    /// Office and admin: a warehouse PC's receipt for an order (live, or stored ones
    /// after each subscribe).
    Receipt(Receipt),
    /// Office and admin: how many warehouse PCs are connected to the server now.
    WarehousesOnline(u32),
    /// Admin: the next piece of export `export_id` (answer to
    /// [`LinkRequest::ExportStart`] and [`LinkRequest::ExportNext`]); `rows` once `done`.
    ExportChunk {
        export_id: u32,
        data: String,
        done: bool,
        rows: Option<u64>,
    },
    /// Admin: the server refused or stopped export `export_id`.
    ExportFailed {
        export_id: u32,
        code: ErrorCode,
        message: String,
    },
    /// After every look for the server: what was probed, what answered, and the likely
    /// cause when ours was not found (the Connection screen shows it).
    Connection(Box<crate::link::diagnosis::ConnectionReport>),
}

/// A receipt this warehouse PC sends about an order: see [`LinkRequest::Receipts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptNote {
    pub order_id: OrderId,
    pub stage: ReceiptStage,
    /// Set exactly when `stage` is `NotRung`.
    pub why: Option<NotRungWhy>,
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
#[derive(Debug, Clone, PartialEq)]
pub enum LinkRequest {
    /// Write to the outbox under `key`, then send when connected.
    Submit { key: String, command: Command },
    /// Enrol with this pairing code (first run). A server address may follow an `@`
    /// (`1234-5678@10.0.0.5:47801`): it is kept as in [`LinkRequest::SetServers`].
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
    /// Warehouse: receipts to send, oldest first. Sent at once when connected, else
    /// held (a bounded number, the oldest dropped first) until the next connection.
    Receipts(Vec<ReceiptNote>),
    /// Office and admin: ask for warehouse receipts and the warehouse count on this
    /// and every later connection ([`LinkEvent::Receipt`], [`LinkEvent::WarehousesOnline`]).
    WatchReceipts,
    /// Admin only: start a CSV export (see `export_start` in docs/protocol.md),
    /// answered by [`LinkEvent::ExportChunk`] or [`LinkEvent::ExportFailed`].
    ExportStart {
        export_id: u32,
        kind: ExportKind,
        from: String,
        to: String,
        stores: Vec<String>,
        delimiter: ExportDelimiter,
    },
    /// Admin only: the next piece of export `export_id`, once the last one is written.
    ExportNext { export_id: u32 },
    /// Admin only: stop export `export_id`; not answered.
    ExportCancel { export_id: u32 },
    /// Server addresses to ask directly (`HOST` or `HOST:PORT`, in order), kept on this
    /// PC and used from the next attempt on, besides `--server`. Bad entries are dropped.
    SetServers(Vec<String>),
    /// Stops the link thread without waiting for it; [`LinkHandle::shutdown`](super::LinkHandle::shutdown) waits.
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
