//! Server settings: where it listens, where it keeps data, and every bound it enforces.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Default WebSocket port.
pub const DEFAULT_WS_PORT: u16 = 47801;

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
        }
    }
}

/// Every bound the server enforces; what happens when each is reached is documented
/// on the field and in docs/protocol.md.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Open WebSocket connections; the next one is closed at once with 1013.
    pub max_connections: usize,
    /// Sustained commands per second per connection; above it commands get `rate_limited`.
    pub commands_per_second: f64,
    /// Commands a connection may send in one burst before the rate applies.
    pub command_burst: f64,
    /// Frames waiting to go out on one connection.
    pub outgoing_queue: usize,
    /// How long a live event may wait for room in a full outgoing queue; after that
    /// the client counts as stalled and is dropped (it catches up when it returns).
    pub stalled_client_timeout: Duration,
    /// Commands of one connection waiting for their commit; further frames are not
    /// read until some complete (back-pressure, not an error).
    pub max_in_flight: usize,
    /// Time an unauthenticated socket has to send a valid `enrol`/`auth`.
    pub auth_timeout: Duration,
    /// Failed `enrol`/`auth` attempts before the socket is closed.
    pub max_auth_failures: u32,
    /// How often the server pings each connection.
    pub ping_interval: Duration,
    /// A connection from which nothing (not even a pong) arrived for this long is dropped.
    pub idle_timeout: Duration,
    /// Events a client may be behind and still get a replay; further behind gets a snapshot.
    pub max_replay: u64,
    /// How long a pairing code stays valid.
    pub pairing_code_ttl: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            commands_per_second: 1000.0,
            command_burst: 2000.0,
            outgoing_queue: 4096,
            stalled_client_timeout: Duration::from_secs(5),
            max_in_flight: 256,
            auth_timeout: Duration::from_secs(10),
            max_auth_failures: 3,
            ping_interval: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(45),
            max_replay: 10_000,
            pairing_code_ttl: Duration::from_secs(10 * 60),
        }
    }
}
