//! The real `packbell-server` binary as a child process, and receivers that follow
//! its event log over WebSockets, for the fault tests that kill, stop or starve it
//! (crash, power loss, disk full).
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{Raw, create_order};
use packbell_shared::protocol::{EventBody, ServerMessage};

/// Longest wait for the server's banner after start (a debug build on a busy machine).
const BANNER_WAIT: Duration = Duration::from_secs(30);

/// Per-device request budget the fault servers get: high enough that the burst, the
/// resends and the receivers' subscribes of one device never meet the rate limiter,
/// which is not what these tests are about.
const NO_RATE_LIMIT: &str = "1000000";

pub struct Server {
    pub child: Child,
    pub port: u16,
    pub office_code: String,
}

/// A failing test must not leave server processes behind.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }
}

/// The start of a message, for failure output that stays readable.
pub fn short(message: &ServerMessage) -> String {
    format!("{message:?}").chars().take(200).collect()
}

/// The port in the banner line "Clients connect to wss://127.0.0.1:PORT".
fn banner_port(line: &str) -> Option<u16> {
    let addr = line.strip_prefix("Clients connect to ")?;
    let (_, port) = addr.rsplit_once(':')?;
    port.parse().ok()
}

/// Starts the binary on a port it picks itself (no port is reserved and then let go,
/// which a parallel test could take meanwhile) and waits for its banner, which comes
/// after it listens and names the port and the pairing codes.
pub fn start_server(data_dir: &Path) -> Server {
    start_server_with(data_dir, &[])
}

/// As [`start_server`], with extra environment variables for the child.
pub fn start_server_with(data_dir: &Path, env: &[(&str, &str)]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_packbell-server"))
        .args([
            "--bind",
            "127.0.0.1",
            "--ws-port",
            "0",
            "--no-discovery",
            "--seed-store",
            "Centro",
            "--max-commands-per-second",
            NO_RATE_LIMIT,
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (found, banner) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut port = None;
        let mut found = Some(found);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            port = port.or_else(|| banner_port(&line));
            let words: Vec<_> = line.split_whitespace().collect();
            if let (["office", code], Some(tx)) = (words.as_slice(), &found) {
                let _ = tx.send((port, code.to_string()));
                found = None;
            }
        }
    });
    let (port, office_code) = banner
        .recv_timeout(BANNER_WAIT)
        .expect("server printed its pairing codes");
    let port = port.expect("the banner names the port before the pairing codes");
    Server {
        child,
        port,
        office_code,
    }
}

/// Connects and authenticates as `device`, pairing it first if it is still `None`.
pub async fn connect(server: &Server, device: &mut Option<(u64, String)>) -> Raw {
    connect_to(server.port, &server.office_code, device).await
}

/// As [`connect`], to the server on `port` of 127.0.0.1, pairing with `office_code`.
pub async fn connect_to(port: u16, office_code: &str, device: &mut Option<(u64, String)>) -> Raw {
    let addr = format!("127.0.0.1:{port}").parse().expect("addr");
    let mut raw = Raw::connect(addr).await;
    match device {
        Some((id, token)) => {
            raw.send(json!({"type": "auth", "protocol": 1, "device_id": id, "token": token}))
                .await;
        }
        None => match crate::common::pair(&mut raw, office_code, "office").await {
            ServerMessage::Enrolled {
                device_id, token, ..
            } => *device = Some((device_id, token)),
            other => panic!("expected enrolled, got {other:?}"),
        },
    }
    assert!(matches!(raw.recv().await, ServerMessage::Welcome { .. }));
    raw
}

pub async fn store_id(raw: &mut Raw) -> u64 {
    raw.send(json!({"type": "subscribe", "after_seq": 0})).await;
    match raw.recv().await {
        ServerMessage::Snapshot(snapshot) => snapshot.stores[0].store_id,
        other => panic!("expected snapshot, got {other:?}"),
    }
}

/// Orders in one burst of the kill tests.
pub const BURST: usize = 1000;
/// Longest wait for the next ack while a burst runs (the kill ends it far sooner).
const ACK_WAIT: Duration = Duration::from_secs(10);

/// Sends a burst that is not killed and returns how long it took from the flush to
/// its last ack: the window in which the kills of the rounds fall.
pub async fn time_a_burst(raw: &mut Raw, store: u64) -> Duration {
    for i in 0..BURST {
        raw.feed(create_order(&format!("w-{i}"), &format!("W-{i}"), store))
            .await;
    }
    raw.flush().await;
    let started = Instant::now();
    for _ in 0..BURST {
        raw.recv_until(|m| matches!(m, ServerMessage::Ack { .. }))
            .await;
    }
    started.elapsed()
}

/// Sends the whole burst, pipelined, and collects acks until the socket dies. The
/// kill comes `kill_after` the flush, a moment inside the time a whole burst takes
/// (the acks the client has read lag behind what the server has committed, so a kill
/// timed by acks read often came after the server had finished).
pub async fn burst_until_killed(
    raw: &mut Raw,
    (key_prefix, number_prefix): (&str, &str),
    round: usize,
    store: u64,
    server: &mut Server,
    kill_after: Duration,
) -> HashMap<String, u64> {
    for i in 0..BURST {
        raw.feed(create_order(
            &format!("{key_prefix}{round}-{i}"),
            &format!("{number_prefix}{round}-{i}"),
            store,
        ))
        .await;
    }
    raw.flush().await;
    let killer = tokio::time::sleep(kill_after);
    tokio::pin!(killer);
    let mut acked = HashMap::new();
    let mut killed = false;
    loop {
        tokio::select! {
            () = &mut killer, if !killed => {
                server.child.kill().expect("SIGKILL");
                killed = true;
            }
            message = raw.next_message(ACK_WAIT) => match message {
                Ok(ServerMessage::Ack { key, order_id, .. }) => {
                    acked.insert(key, order_id.expect("create_order acks carry the order id"));
                }
                Ok(
                    ServerMessage::Event(_)
                    | ServerMessage::CaughtUp { .. }
                    | ServerMessage::SnapshotPart { .. },
                ) => {}
                Ok(other) => panic!("unexpected {}", short(&other)),
                Err(_) => break,
            }
        }
    }
    if !killed {
        server.child.kill().expect("SIGKILL");
    }
    let _ = server.child.wait();
    acked
}

/// What one receiver has seen of the site, carried over every restart of the server,
/// as a warehouse PC keeps its state and subscribes from its last seq.
#[derive(Debug, Default, Clone)]
pub struct Follower {
    pub last_seq: u64,
    /// order number → order id, from the snapshot and every `order_created`.
    pub orders: BTreeMap<String, u64>,
    /// Events that did not follow the previous seq by exactly one (holes, repeats).
    pub out_of_order: Vec<(u64, u64)>,
    /// `order_created` events for an order number this receiver already had.
    pub doubled: Vec<String>,
    /// The last `follow` ended because nothing came for a while (not a drop).
    pub went_quiet: bool,
}

impl Follower {
    fn apply(&mut self, message: ServerMessage) {
        match message {
            ServerMessage::Snapshot(snapshot) => {
                self.last_seq = snapshot.seq;
                self.orders = snapshot
                    .orders
                    .into_iter()
                    .map(|o| (o.order_number, o.order_id))
                    .collect();
            }
            ServerMessage::SnapshotPart { orders, .. } => {
                self.orders
                    .extend(orders.into_iter().map(|o| (o.order_number, o.order_id)));
            }
            ServerMessage::Event(event) => {
                if event.seq != self.last_seq + 1 {
                    self.out_of_order.push((self.last_seq, event.seq));
                }
                self.last_seq = self.last_seq.max(event.seq);
                if let EventBody::OrderCreated {
                    order_id,
                    order_number,
                    ..
                } = event.body
                    && self.orders.insert(order_number.clone(), order_id).is_some()
                {
                    self.doubled.push(order_number);
                }
            }
            _ => {}
        }
    }

    /// Subscribes from its last seq and follows the log until the socket ends (the
    /// server was killed) or, with `until_seq`, until it has everything up to that seq.
    pub async fn follow(self, raw: Raw, until_seq: Option<u64>) -> Follower {
        self.follow_until(raw, |f| until_seq.is_some_and(|head| f.last_seq >= head))
            .await
    }

    /// Subscribes from its last seq and follows the log until `done` holds or the
    /// socket ends or goes quiet.
    pub async fn follow_until(
        mut self,
        mut raw: Raw,
        done: impl Fn(&Follower) -> bool,
    ) -> Follower {
        raw.send(json!({"type": "subscribe", "after_seq": self.last_seq}))
            .await;
        loop {
            if done(&self) {
                return self;
            }
            match raw.next_message(FOLLOW_WAIT).await {
                Ok(message) => self.apply(message),
                Err(end) => {
                    self.went_quiet = end == crate::common::Ended::Silent;
                    return self;
                }
            }
        }
    }
}

/// A receiver that hears nothing for this long stops following (the server is gone,
/// or it never will send more).
const FOLLOW_WAIT: Duration = Duration::from_secs(10);

/// Every order in the database: order number → order id.
pub fn stored_orders(data_dir: &Path) -> BTreeMap<String, u64> {
    let conn = rusqlite::Connection::open(data_dir.join("packbell.sqlite3")).expect("open db");
    conn.prepare("SELECT order_number, order_id FROM orders")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// `PRAGMA integrity_check` says ok and the log's seqs run 1..=max without holes;
/// returns the head seq.
pub fn check_integrity(data_dir: &Path) -> u64 {
    let conn = rusqlite::Connection::open(data_dir.join("packbell.sqlite3")).expect("open db");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(integrity, "ok");
    let (events, max_seq): (u64, u64) = conn
        .query_row(
            "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM events",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("events");
    assert_eq!(events, max_seq, "the log has no holes");
    max_seq
}
