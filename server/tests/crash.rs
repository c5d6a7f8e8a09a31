//! Kill the real `packbell-server` binary with SIGKILL in the middle of a burst of
//! orders, restart it on the same data dir, and check that every acknowledged order is
//! there exactly once and the database is intact. Rounds: `PACKBELL_CRASH_ROUNDS`
//! (default 3; `scripts/crash-soak.sh` runs many more).

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rand::Rng;
use serde_json::json;

use common::{Raw, create_order};
use packbell_shared::protocol::ServerMessage;

const BURST: usize = 1000;

struct Server {
    child: Child,
    port: u16,
    office_code: String,
}

/// A failing test must not leave server processes behind.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The start of a message, for failure output that stays readable.
fn short(message: &ServerMessage) -> String {
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
fn start_server(data_dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_packbell-server"))
        .args([
            "--bind",
            "127.0.0.1",
            "--ws-port",
            "0",
            "--no-discovery",
            "--seed-store",
            "Centro",
        ])
        .arg("--data-dir")
        .arg(data_dir)
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
        .recv_timeout(Duration::from_secs(30))
        .expect("server printed its pairing codes");
    let port = port.expect("the banner names the port before the pairing codes");
    Server {
        child,
        port,
        office_code,
    }
}

async fn connect(server: &Server, device: &mut Option<(u64, String)>) -> Raw {
    let addr = format!("127.0.0.1:{}", server.port).parse().expect("addr");
    let mut raw = Raw::connect(addr).await;
    match device {
        Some((id, token)) => {
            raw.send(json!({"type": "auth", "protocol": 1, "device_id": id, "token": token}))
                .await;
        }
        None => match common::pair(&mut raw, &server.office_code, "office").await {
            ServerMessage::Enrolled {
                device_id, token, ..
            } => *device = Some((device_id, token)),
            other => panic!("expected enrolled, got {other:?}"),
        },
    }
    assert!(matches!(raw.recv().await, ServerMessage::Welcome { .. }));
    raw
}

async fn store_id(raw: &mut Raw) -> u64 {
    raw.send(json!({"type": "subscribe", "after_seq": 0})).await;
    match raw.recv().await {
        ServerMessage::Snapshot(snapshot) => snapshot.stores[0].store_id,
        other => panic!("expected snapshot, got {other:?}"),
    }
}

/// Sends the whole burst, pipelined, and collects acks until the socket dies.
async fn burst_until_killed(
    raw: &mut Raw,
    round: usize,
    store: u64,
    child: &mut Child,
) -> HashMap<String, u64> {
    for i in 0..BURST {
        raw.feed(create_order(
            &format!("r{round}-{i}"),
            &format!("R{round}-{i}"),
            store,
        ))
        .await;
    }
    raw.flush().await;
    let kill_after = Duration::from_millis(rand::rng().random_range(1..120));
    let killer = tokio::time::sleep(kill_after);
    tokio::pin!(killer);
    let mut acked = HashMap::new();
    let mut killed = false;
    loop {
        tokio::select! {
            _ = &mut killer, if !killed => {
                child.kill().expect("SIGKILL");
                killed = true;
            }
            message = raw.next_message(Duration::from_secs(10)) => match message {
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
        if acked.len() == BURST && !killed {
            child.kill().expect("SIGKILL");
            killed = true;
        }
    }
    let _ = child.wait();
    acked
}

fn check_database(data_dir: &Path, round: usize, acked: &HashMap<String, u64>) {
    let conn = rusqlite::Connection::open(data_dir.join("packbell.sqlite3")).expect("open db");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(integrity, "ok");
    for (key, order_id) in acked {
        let number = format!("R{}", key.trim_start_matches('r'));
        let rows: Vec<u64> = conn
            .prepare("SELECT order_id FROM orders WHERE order_number = ?1")
            .expect("prepare")
            .query_map([&number], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(
            rows,
            vec![*order_id],
            "round {round}: acked {number} is stored exactly once"
        );
    }
    let (events, max_seq): (u64, u64) = conn
        .query_row(
            "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM events",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("events");
    assert_eq!(events, max_seq, "the log has no holes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_burst_loses_no_acknowledged_order_and_doubles_none() {
    let rounds: usize = std::env::var("PACKBELL_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut device = None;
    for round in 0..rounds {
        let mut server = start_server(dir.path());
        let mut raw = connect(&server, &mut device).await;
        let store = store_id(&mut raw).await;
        let acked = burst_until_killed(&mut raw, round, store, &mut server.child).await;
        drop(raw);

        let mut restarted = start_server(dir.path());
        check_database(dir.path(), round, &acked);

        // The client resends everything with the same keys, as its outbox would:
        // every order then exists exactly once, with the ids acked before the crash.
        let mut raw = connect(&restarted, &mut device).await;
        for i in 0..BURST {
            raw.feed(create_order(
                &format!("r{round}-{i}"),
                &format!("R{round}-{i}"),
                store,
            ))
            .await;
        }
        raw.flush().await;
        for _ in 0..BURST {
            match raw.recv().await {
                ServerMessage::Ack { key, order_id, .. } => {
                    if let Some(before) = acked.get(&key) {
                        assert_eq!(Some(*before), order_id, "{key} keeps its order id");
                    }
                }
                other => panic!("expected ack, got {}", short(&other)),
            }
        }
        let conn = rusqlite::Connection::open(dir.path().join("packbell.sqlite3")).expect("db");
        let (rows, distinct): (u64, u64) = conn
            .query_row(
                "SELECT COUNT(*), COUNT(DISTINCT order_number) FROM orders WHERE order_number LIKE ?1",
                [format!("R{round}-%")],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("count");
        assert_eq!(
            (rows, distinct),
            (BURST as u64, BURST as u64),
            "round {round}"
        );
        restarted.child.kill().expect("stop");
        let _ = restarted.child.wait();
        eprintln!(
            "round {round}: {} of {BURST} acked before the kill",
            acked.len()
        );
    }
}
