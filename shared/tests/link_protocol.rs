//! The client link against a scripted peer that speaks the wire protocol by hand, for
//! the cases the real server does not produce on demand: gaps, retries, a "too slow"
//! close, a refused version, a forgotten token, pings, the outbox report.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

use packbell_shared::pairing::{self, PairingCode};

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use packbell_shared::link::{
    LinkConfig, LinkEvent, LinkHandle, LinkStatus, OutboxItem, OutboxReport,
};
use packbell_shared::protocol::{Command, ErrorCode, PROTOCOL_VERSION};

/// Cap on any single wait.
const WAIT: Duration = Duration::from_secs(10);
/// The pairing code every test link is given.
const CODE: &str = "1234-5678";

struct Peer {
    listener: TcpListener,
}

impl Peer {
    async fn bind() -> Peer {
        Peer {
            listener: TcpListener::bind("127.0.0.1:0").await.unwrap(),
        }
    }

    fn addr(&self) -> String {
        self.listener.local_addr().unwrap().to_string()
    }

    async fn accept(&self) -> Conn {
        let (stream, _) = tokio::time::timeout(WAIT, self.listener.accept())
            .await
            .expect("the link connects")
            .unwrap();
        let ws = tokio_tungstenite::accept_async(stream).await.unwrap();
        Conn { ws }
    }
}

struct Conn {
    ws: WebSocketStream<TcpStream>,
}

impl Conn {
    /// The next text frame, as JSON.
    async fn recv(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame from the link")
                .expect("the socket is open")
                .unwrap();
            if let Message::Text(text) = frame {
                return serde_json::from_str(text.as_str()).unwrap();
            }
        }
    }

    async fn expect(&mut self, kind: &str) -> Value {
        let message = self.recv().await;
        assert_eq!(message["type"], kind, "got {message}");
        message
    }

    async fn send(&mut self, message: Value) {
        self.ws
            .send(Message::text(message.to_string()))
            .await
            .unwrap();
    }

    async fn welcome(&mut self, device_id: u64) {
        self.send(json!({
            "type": "welcome", "protocol": PROTOCOL_VERSION, "server_id": "srv-test",
            "site": "test", "server_version": "0.0.0", "device_id": device_id,
            "role": "office", "head_seq": 0
        }))
        .await;
    }

    /// Plays the server's side of pairing (plaintext: the binding is empty) and
    /// answers `enrolled` as device 7 with `role`.
    async fn pair(&mut self, role: &str) -> Value {
        let start = self.expect("pair_start").await;
        let code = PairingCode::parse(CODE).unwrap();
        assert_eq!(start["code_slot"], code.slot());
        let client_message = hex::decode(start["spake2"].as_str().unwrap()).unwrap();
        let (challenge, confirmations) =
            pairing::server_respond(&code, &client_message, "").unwrap();
        self.send(json!({"type": "pair_challenge", "spake2": hex::encode(challenge)}))
            .await;
        let confirm = self.expect("pair_confirm").await;
        assert!(pairing::confirmation_matches(
            &confirmations.client,
            confirm["mac"].as_str().unwrap()
        ));
        self.send(
            json!({"type": "enrolled", "device_id": 7, "token": "tok", "role": role,
                         "mac": hex::encode(confirmations.server)}),
        )
        .await;
        start
    }

    /// Enrols the link as device 7 and catches it up at seq 0.
    async fn enrol_and_catch_up(&mut self) {
        self.pair("office").await;
        self.welcome(7).await;
        let subscribe = self.expect("subscribe").await;
        assert_eq!(subscribe["after_seq"], 0);
        self.send(json!({"type": "caught_up", "seq": 0})).await;
    }
}

fn event(seq: u64) -> Value {
    json!({
        "type": "event", "seq": seq, "at": "2026-01-01T00:00:00Z", "device": 0,
        "body": {"kind": "store_added", "store_id": seq, "name": format!("store {seq}")}
    })
}

struct Client {
    handle: Option<LinkHandle>,
    events: Receiver<LinkEvent>,
}

fn config(data_dir: &Path, server: &str, code: Option<&str>) -> LinkConfig {
    LinkConfig {
        insecure_plaintext: true,
        data_dir: data_dir.to_owned(),
        server: Some(server.to_owned()),
        discovery_targets: Vec::new(),
        site: None,
        device_name: "test device".into(),
        pairing_code: code.map(str::to_owned),
    }
}

impl Client {
    fn start(config: LinkConfig) -> Client {
        let (handle, events) = LinkHandle::spawn(config, Arc::new(|| {})).unwrap();
        Client {
            handle: Some(handle),
            events,
        }
    }

    fn handle(&self) -> &LinkHandle {
        self.handle.as_ref().unwrap()
    }

    /// Receives events until `done` holds for one, failing after `WAIT`. Blocks the
    /// worker thread it runs on, so tests use the multi-thread runtime.
    fn wait_for<T>(&mut self, what: &str, mut done: impl FnMut(&LinkEvent) -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        tokio::task::block_in_place(|| {
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.events.recv_timeout(left) {
                    Ok(event) => {
                        if let Some(result) = done(&event) {
                            return result;
                        }
                    }
                    Err(error) => panic!("waiting for {what}: {error}"),
                }
            }
        })
    }

    fn wait_status(&mut self, what: &str, wanted: impl Fn(&LinkStatus) -> bool) -> LinkStatus {
        self.wait_for(what, |e| match e {
            LinkEvent::Status(status) if wanted(status) => Some(status.clone()),
            _ => None,
        })
    }

    fn shutdown(&mut self) {
        if let Some(handle) = self.handle.take() {
            tokio::task::block_in_place(|| handle.shutdown());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_is_kept_before_welcome_and_gaps_are_repaired_on_the_same_socket() {
    let dir = tempfile::tempdir().unwrap();
    let peer = Peer::bind().await;
    let mut client = Client::start(config(dir.path(), &peer.addr(), Some(CODE)));

    // Enrolled, then the connection drops before the welcome.
    let mut conn = peer.accept().await;
    let enrol = conn.pair("warehouse").await;
    assert_eq!(enrol["protocol"], PROTOCOL_VERSION);
    assert_eq!(enrol["device_name"], "test device");
    drop(conn);
    client.wait_status("Reconnecting", |s| {
        matches!(s, LinkStatus::Reconnecting { .. })
    });

    let mut conn = peer.accept().await;
    let auth = conn.expect("auth").await;
    assert_eq!(
        (&auth["device_id"], &auth["token"]),
        (&json!(7), &json!("tok"))
    );
    conn.welcome(7).await;
    client.wait_status("Connected", |s| matches!(s, LinkStatus::Connected { .. }));
    assert_eq!(conn.expect("subscribe").await["after_seq"], 0);
    conn.send(json!({"type": "snapshot", "seq": 2, "stores": [], "orders": [], "devices": []}))
        .await;
    conn.send(json!({"type": "caught_up", "seq": 2})).await;
    conn.send(event(3)).await;
    conn.send(event(5)).await; // 4 is missing
    assert_eq!(conn.expect("subscribe").await["after_seq"], 3);
    conn.send(event(6)).await; // still from the old stream: left to the repair
    for seq in 4..=6 {
        conn.send(event(seq)).await;
    }
    conn.send(json!({"type": "caught_up", "seq": 6})).await;
    conn.send(event(6)).await;
    conn.send(event(7)).await;

    let mut seen = Vec::new();
    client.wait_for("event 7", |e| {
        match e {
            LinkEvent::Reset { snapshot, stale } => {
                seen.push(format!("reset {} {stale}", snapshot.seq))
            }
            LinkEvent::Event { event, replayed } => {
                seen.push(format!("event {} {replayed}", event.seq))
            }
            LinkEvent::CaughtUp { seq } => seen.push(format!("caught up {seq}")),
            _ => {}
        }
        matches!(e, LinkEvent::Event { event, .. } if event.seq == 7).then_some(())
    });
    assert_eq!(
        seen,
        [
            "reset 2 false",
            "caught up 2",
            "event 3 false",
            "event 4 true",
            "event 5 true",
            "event 6 true",
            "caught up 6",
            "event 7 false",
        ]
    );
    client.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_commands_are_dropped_and_rate_limited_ones_resent_later() {
    let dir = tempfile::tempdir().unwrap();
    let peer = Peer::bind().await;
    let mut client = Client::start(config(dir.path(), &peer.addr(), Some(CODE)));
    let mut conn = peer.accept().await;
    conn.enrol_and_catch_up().await;
    client.wait_for("CaughtUp", |e| {
        matches!(e, LinkEvent::CaughtUp { .. }).then_some(())
    });

    let keys: Vec<String> = (1..=3)
        .map(|id| {
            client
                .handle()
                .submit(Command::CancelOrder {
                    order_id: id,
                    reason: String::new(),
                })
                .unwrap()
        })
        .collect();
    for key in &keys {
        let command = conn.expect("command").await;
        assert_eq!(&command["key"], key, "sent in submission order");
        assert_eq!(command["command"]["op"], "cancel_order");
    }
    conn.send(json!({"type": "error", "code": "unknown_order", "message": "no such order", "key": keys[0]}))
        .await;
    conn.send(
        json!({"type": "error", "code": "rate_limited", "message": "slow down", "key": keys[1]}),
    )
    .await;
    let limited_at = Instant::now();
    conn.send(json!({"type": "ack", "key": keys[2], "seq": 1}))
        .await;

    let resent = conn.expect("command").await;
    assert_eq!(resent["key"], keys[1], "the same key again");
    assert!(
        limited_at.elapsed() >= Duration::from_millis(400),
        "after a pause"
    );
    conn.send(json!({"type": "ack", "key": keys[1], "seq": 2}))
        .await;

    let mut outcomes = Vec::new();
    client.wait_for("two acks", |e| {
        match e {
            LinkEvent::Rejected { key, code, .. } => {
                outcomes.push((key.clone(), Some(*code)));
            }
            LinkEvent::Acked { key, .. } => outcomes.push((key.clone(), None)),
            _ => {}
        }
        (outcomes.len() == 3).then_some(())
    });
    assert_eq!(
        outcomes,
        [
            (keys[0].clone(), Some(ErrorCode::UnknownOrder)),
            (keys[2].clone(), None),
            (keys[1].clone(), None),
        ]
    );
    client.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_slow_close_reconnects_at_once_and_resends_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let peer = Peer::bind().await;
    let mut client = Client::start(config(dir.path(), &peer.addr(), Some(CODE)));
    let mut conn = peer.accept().await;
    conn.enrol_and_catch_up().await;
    client.wait_for("CaughtUp", |e| {
        matches!(e, LinkEvent::CaughtUp { .. }).then_some(())
    });
    let key = client
        .handle()
        .submit(Command::PackOrder { order_id: 1 })
        .unwrap();
    assert_eq!(conn.expect("command").await["key"], key);

    conn.ws
        .close(Some(CloseFrame {
            code: CloseCode::from(4000),
            reason: "too slow".into(),
        }))
        .await
        .unwrap();
    let closed_at = Instant::now();
    let mut conn = peer.accept().await;
    // The backoff's shortest delay is 187 ms; this reconnect did not wait for it.
    assert!(closed_at.elapsed() < Duration::from_millis(180));
    conn.expect("auth").await;
    conn.welcome(7).await;
    // Commands go out right after the welcome, before or after the subscribe.
    let mut first = conn.recv().await;
    if first["type"] == "subscribe" {
        first = conn.recv().await;
    }
    assert_eq!(
        (&first["type"], &first["key"]),
        (&json!("command"), &json!(key))
    );
    client.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_mismatch_is_refused_with_the_server_message() {
    let dir = tempfile::tempdir().unwrap();
    let peer = Peer::bind().await;
    let mut client = Client::start(config(dir.path(), &peer.addr(), Some(CODE)));
    let mut conn = peer.accept().await;
    conn.expect("pair_start").await;
    conn.send(json!({"type": "error", "code": "version_mismatch", "message": "this server speaks protocol 2"}))
        .await;
    let status = client.wait_status("Refused", |s| matches!(s, LinkStatus::Refused { .. }));
    assert_eq!(
        status,
        LinkStatus::Refused {
            reason: "this server speaks protocol 2".into()
        }
    );
    client.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let peer = Peer::bind().await;
    let mut client = Client::start(config(dir.path(), &peer.addr(), Some(CODE)));
    let mut conn = peer.accept().await;
    conn.enrol_and_catch_up().await;
    client.wait_for("CaughtUp", |e| {
        matches!(e, LinkEvent::CaughtUp { .. }).then_some(())
    });
    client.shutdown();
    drop(conn);

    let mut client = Client::start(config(dir.path(), &peer.addr(), None));
    let mut conn = peer.accept().await;
    conn.expect("auth").await;
    conn.send(json!({"type": "error", "code": "auth_failed", "message": "unknown device"}))
        .await;
    let status = client.wait_status("NeedsPairing", |s| {
        matches!(s, LinkStatus::NeedsPairing { .. })
    });
    assert_eq!(
        status,
        LinkStatus::NeedsPairing {
            reason: Some("unknown device".into())
        }
    );
    client.shutdown();

    // Started again: no token, no code, so it asks for pairing without connecting.
    let mut client = Client::start(config(dir.path(), &peer.addr(), None));
    let status = client.wait_status("NeedsPairing", |s| {
        matches!(s, LinkStatus::NeedsPairing { .. })
    });
    assert_eq!(status, LinkStatus::NeedsPairing { reason: None });
    client.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_pings_are_answered() {
    let dir = tempfile::tempdir().unwrap();
    let peer = Peer::bind().await;
    let mut client = Client::start(config(dir.path(), &peer.addr(), Some(CODE)));
    let mut conn = peer.accept().await;
    conn.enrol_and_catch_up().await;
    client.wait_for("CaughtUp", |e| {
        matches!(e, LinkEvent::CaughtUp { .. }).then_some(())
    });
    conn.ws
        .send(Message::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    let pong = loop {
        let frame = tokio::time::timeout(WAIT, conn.ws.next())
            .await
            .expect("an answer")
            .unwrap()
            .unwrap();
        if let Message::Pong(payload) = frame {
            break payload;
        }
    };
    assert_eq!(&pong[..], b"are you there");
    client.shutdown();
}

/// Keys the reports say are waiting, in order, and every key reported sent.
#[derive(Debug, Default)]
struct OutboxMirror {
    waiting: Vec<OutboxItem>,
    sent: Vec<String>,
    reports: usize,
}

impl OutboxMirror {
    fn apply(&mut self, report: &OutboxReport) {
        if self.reports == 0 {
            assert!(
                matches!(report, OutboxReport::Waiting(_)),
                "the first report lists what is waiting: {report:?}"
            );
        }
        self.reports += 1;
        match report {
            OutboxReport::Waiting(items) => self.waiting = items.clone(),
            OutboxReport::Queued(items) => self.waiting.extend(items.iter().cloned()),
            OutboxReport::Sent(keys) => self.sent.extend(keys.iter().cloned()),
            OutboxReport::Answered(keys) => self.waiting.retain(|item| !keys.contains(&item.key)),
        }
    }

    fn keys(&self) -> Vec<String> {
        self.waiting.iter().map(|item| item.key.clone()).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_is_reported_at_start_and_as_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let peer = Peer::bind().await;
    let mut client = Client::start(config(dir.path(), &peer.addr(), Some(CODE)));
    let mut conn = peer.accept().await;
    conn.enrol_and_catch_up().await;
    let mut mirror = OutboxMirror::default();
    client.wait_for("CaughtUp", |e| match e {
        LinkEvent::Outbox(report) => {
            mirror.apply(report);
            None
        }
        LinkEvent::CaughtUp { .. } => Some(()),
        _ => None,
    });
    assert_eq!(mirror.reports, 1, "nothing waiting at first: {mirror:?}");
    assert!(mirror.waiting.is_empty());

    let before = chrono::Utc::now();
    let first = client
        .handle()
        .submit(Command::PackOrder { order_id: 1 })
        .unwrap();
    let second = client
        .handle()
        .submit(Command::PackOrder { order_id: 2 })
        .unwrap();
    assert_eq!(conn.expect("command").await["key"], first);
    assert_eq!(conn.expect("command").await["key"], second);
    conn.send(json!({"type": "ack", "key": first, "seq": 1}))
        .await;
    client.wait_for("the first answered", |e| match e {
        LinkEvent::Outbox(report) => {
            mirror.apply(report);
            matches!(report, OutboxReport::Answered(keys) if keys.contains(&first)).then_some(())
        }
        _ => None,
    });
    assert_eq!(mirror.keys(), std::slice::from_ref(&second));
    assert_eq!(mirror.sent, [first.clone(), second.clone()]);
    assert_eq!(
        mirror.waiting[0].command,
        Command::PackOrder { order_id: 2 }
    );
    assert!(mirror.waiting[0].queued_at.is_some_and(|at| at >= before));
    client.shutdown();
    drop(conn);

    // The next run starts by reporting the command still unanswered.
    let mut client = Client::start(config(dir.path(), &peer.addr(), None));
    let waiting = client.wait_for("the waiting report", |e| match e {
        LinkEvent::Outbox(OutboxReport::Waiting(items)) => Some(items.clone()),
        _ => None,
    });
    assert_eq!(waiting, mirror.waiting);
    client.shutdown();
}
