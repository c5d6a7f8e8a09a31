//! Server settings: where it listens, where it keeps data, and every bound it enforces.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Default WebSocket port.
pub const DEFAULT_WS_PORT: u16 = 47801;

/// Stores a site may have, deactivated ones included (snapshots carry them all). Far
/// above any real shop; reached, `add_store` is refused with `limit_reached` and
/// nothing changes.
pub const MAX_STORES: u64 = 5_000;

/// Devices a site may have, revoked ones included (snapshots carry them all). Reached,
/// a correct pairing is refused with `limit_reached` (the code stays valid) and
/// nothing changes.
pub const MAX_DEVICES: u64 = 5_000;

/// Stock items a site may have (snapshots carry them all). Reached, an `upsert_item`
/// of a new sku, or an import that would add more, is refused with `limit_reached`
/// and nothing changes.
pub const MAX_STOCK_ITEMS: u64 = 20_000;

/// Devices in one `devices` answer at most (fewer when their text would not fit in
/// one frame); the client asks for the next page.
pub const DEVICES_PAGE: usize = 500;

/// Events in one `log_page` answer at most (fewer when they would not fit in one
/// frame); the auditor asks for the next page.
pub const LOG_PAGE: usize = 1_000;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Holds `packbell.sqlite3` (the event log and its projections).
    pub data_dir: PathBuf,
    /// Address the WebSocket listener binds; discovery always binds the wildcard
    /// address because broadcasts do not reach a socket bound to one host address.
    pub bind: IpAddr,
    /// 0 picks a free port (tests).
    pub ws_port: u16,
    /// `None` turns discovery off (tests that do not need it).
    pub discovery_port: Option<u16>,
    /// Shown to clients; discovery probes may ask for a given site.
    pub site: String,
    /// Stores created at start-up when no store of that name exists (demo, first run).
    pub seed_stores: Vec<String>,
    /// Serve plain `ws://` instead of TLS. For debugging only: anyone on the LAN can
    /// then read orders and tokens.
    pub insecure_plaintext: bool,
    pub limits: Limits,
    /// Writes the previous day's CSV reports every day; `None` turns them off.
    pub daily_reports: Option<crate::export::daily::DailyReports>,
    /// Backs the database up once a day into `<data dir>/backups`; `None` turns it off.
    pub daily_backups: Option<crate::backup::daily::DailyBackups>,
    /// Stock alerts, their clock and the watched import folder.
    pub stock: crate::stock::StockConfig,
}

impl ServerConfig {
    /// Loopback only, any free port, no discovery: what in-process tests want.
    #[cfg(any(test, feature = "testing"))]
    pub fn for_tests(data_dir: PathBuf) -> Self {
        ServerConfig {
            data_dir,
            bind: IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            ws_port: 0,
            discovery_port: None,
            site: "test".to_owned(),
            seed_stores: Vec::new(),
            insecure_plaintext: false,
            limits: Limits::default(),
            daily_reports: None,
            daily_backups: None,
            stock: crate::stock::StockConfig::with_import_folder(None),
        }
    }
}

/// Every bound the server enforces; what happens when each is reached is documented
/// on the field and in docs/protocol.md.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Open WebSocket connections, counted from the TCP accept (before the TLS and
    /// WebSocket handshakes). The next socket is refused: politely (handshake,
    /// `unavailable`, close 1013) while fewer than `max_refusals` refusals are under
    /// way, otherwise closed at once without a handshake.
    pub max_connections: usize,
    /// Polite refusals (TLS + WebSocket handshake, then 1013) running at the same
    /// time, each bounded by [`REFUSAL_GRACE`]; sockets beyond it are closed at once.
    pub max_refusals: usize,
    /// Sustained requests per second per device, over all its sockets together; above
    /// it requests get `rate_limited`. Costs: [`REQUEST_COST`], [`SUBSCRIBE_COST`].
    pub commands_per_second: f64,
    /// Tokens a device may spend in one burst before the rate applies.
    pub command_burst: f64,
    /// Sustained unauthenticated messages (`pair_start`, `pair_confirm`, `auth`, …)
    /// per second per source IP address, over all its sockets; above it the message
    /// gets `rate_limited` and the socket is closed with 1013.
    pub attempts_per_second: f64,
    /// Unauthenticated messages one address may send in a burst.
    pub attempt_burst: f64,
    /// Frames waiting to go out on one connection.
    pub outgoing_queue: usize,
    /// Bytes waiting to go out on one connection (frames queued for its sender, not
    /// yet written to the socket). A sender that needs more room waits for it:
    /// answers and catch-up frames up to `idle_timeout`, live events up to
    /// `stalled_client_timeout`; then the client is dropped.
    pub outgoing_bytes: usize,
    /// How long a live event may wait for room in a full outgoing queue; after that
    /// the client counts as stalled and is dropped (it catches up when it returns).
    pub stalled_client_timeout: Duration,
    /// Commands of one connection waiting for their commit; further frames are not
    /// read until some complete (back-pressure, not an error).
    pub max_in_flight: usize,
    /// Time an unauthenticated socket has, from the end of the WebSocket handshake, to
    /// authenticate. Holds whatever the peer sends or reads: at the deadline the
    /// socket is closed (1008), or dropped if the close frame cannot be queued.
    pub auth_timeout: Duration,
    /// Failed `enrol`/`auth` attempts before the socket is closed.
    pub max_auth_failures: u32,
    /// Frames the server cannot use at all (binary, not JSON, unknown `type`) one
    /// socket may send; each is answered once, and the one that reaches this count
    /// closes the socket with 1008.
    pub max_bad_frames: u32,
    /// How often the server pings each connection.
    pub ping_interval: Duration,
    /// A connection from which nothing (not even a pong) arrived for this long is dropped.
    pub idle_timeout: Duration,
    /// Events a client may be behind and still get a replay; further behind gets a snapshot.
    pub max_replay: u64,
    /// How long a pairing code stays valid.
    pub pairing_code_ttl: Duration,
    /// Failures of unauthenticated sockets (bad frames, wrong tokens, time-outs,
    /// failed handshakes) are counted and logged as one summary line per interval,
    /// so a hostile peer cannot flood the log.
    pub failure_log_interval: Duration,
}

/// Longest a polite refusal (TLS and WebSocket handshakes, `unavailable`, close 1013)
/// may take; then the socket is dropped.
pub const REFUSAL_GRACE: Duration = Duration::from_secs(2);

/// Tokens a `command`, `list_devices`, `site_status` or `new_pairing_code` takes from
/// its device's budget.
pub const REQUEST_COST: f64 = 1.0;

/// Tokens a `subscribe` takes from its device's budget: it makes the server read a
/// snapshot or replay from the database and send it, far more work than a command.
/// A `subscribe` refused for lack of tokens gets `rate_limited` and changes nothing.
pub const SUBSCRIBE_COST: f64 = 100.0;

/// Tokens a `read_log` page (at most [`LOG_PAGE`] events) takes: a tenth of a
/// `subscribe`, whose replay may be ten times longer, so an auditor paging through a
/// long log is slowed, not refused.
pub const LOG_PAGE_COST: f64 = 10.0;

/// Tokens an `export_next` or `export_cancel` takes: none. The export's start paid
/// like a log page; its pieces are bounded by the one export a socket may run, and a
/// large report must not run out of budget half way.
pub const EXPORT_PIECE_COST: f64 = 0.0;

/// Tokens an unauthenticated message takes from its source address's budget.
pub const ATTEMPT_COST: f64 = 1.0;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            max_refusals: 16,
            commands_per_second: 1000.0,
            command_burst: 2000.0,
            attempts_per_second: 20.0,
            attempt_burst: 200.0,
            outgoing_queue: 4096,
            outgoing_bytes: 1024 * 1024,
            stalled_client_timeout: Duration::from_secs(5),
            max_in_flight: 256,
            auth_timeout: Duration::from_secs(10),
            max_auth_failures: 3,
            max_bad_frames: 8,
            ping_interval: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(45),
            max_replay: 10_000,
            pairing_code_ttl: Duration::from_secs(10 * 60),
            failure_log_interval: Duration::from_secs(60),
        }
    }
}
