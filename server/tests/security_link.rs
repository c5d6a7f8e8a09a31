//! The link's security (issue 10) against the real server on loopback: nothing
//! readable on the wire, a man in the middle with its own certificate gets nothing,
//! pairing codes resist guessing and reuse, and a reinstalled server is refused until
//! paired again while a moved identity keeps clients paired.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;
mod link_support;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use futures_util::{SinkExt, StreamExt};
use rusqlite::{Connection, OptionalExtension, params};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio_tungstenite::tungstenite::Message;

use common::{Raw, pair, start_site};
use link_support::{Client, Site, link_config, submit_all};
use packbell_server::db::time_to_text;
use packbell_server::identity::Identity;
use packbell_server::{Limits, ServerConfig};
use packbell_shared::link::{LinkEvent, LinkRequest, LinkStatus, STORE_FILE};
use packbell_shared::protocol::{Command, ErrorCode, EventBody, Role, ServerMessage};
use packbell_shared::tls::{Trust, crypto_provider, fingerprint};
use packbell_shared::transport::{self, ConnectError, Security};

/// Start of the message a pinned client gives for a server with another certificate.
const NOT_OUR_SERVER: &str = "this is not the server this PC was paired with";

// ---------------------------------------------------------------------------------
// A TCP forwarder that records every byte, both ways.

/// The bytes one direction of one connection carried so far.
type Log = Arc<Mutex<Vec<u8>>>;

/// Listens on loopback and relays each connection to `target`, keeping a copy of
/// every byte that passes (one buffer per direction per connection).
struct Recorder {
    addr: SocketAddr,
    streams: Arc<Mutex<Vec<Log>>>,
    connections: Arc<AtomicUsize>,
}

impl Recorder {
    async fn start(target: SocketAddr) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let recorder = Recorder {
            addr: listener.local_addr().unwrap(),
            streams: Arc::default(),
            connections: Arc::default(),
        };
        let streams = recorder.streams.clone();
        let connections = recorder.connections.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(target).await else {
                    continue;
                };
                connections.fetch_add(1, Ordering::SeqCst);
                let up = Arc::new(Mutex::new(Vec::new()));
                let down = Arc::new(Mutex::new(Vec::new()));
                streams.lock().unwrap().extend([up.clone(), down.clone()]);
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(copy_recording(client_read, server_write, up));
                tokio::spawn(copy_recording(server_read, client_write, down));
            }
        });
        recorder
    }

    /// Every recorded stream so far.
    fn recorded(&self) -> Vec<Vec<u8>> {
        self.streams
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.lock().unwrap().clone())
            .collect()
    }
}

async fn copy_recording(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, log: Log) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        log.lock().unwrap().extend_from_slice(&buf[..n]);
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

fn any_contains(streams: &[Vec<u8>], needle: &str) -> bool {
    streams.iter().any(|s| contains(s, needle))
}

// ---------------------------------------------------------------------------------
// A man in the middle: terminates TLS with its own certificate, opens its own TLS
// connection to the real server, and relays WebSocket messages, reading them all.

struct Impostor {
    addr: SocketAddr,
    fingerprint: String,
    /// TLS handshakes a client abandoned (a pinned client refuses our certificate).
    refused: Arc<AtomicUsize>,
    /// Sessions relayed to the real server.
    relayed: Arc<AtomicUsize>,
    /// Every message the impostor decrypted, both ways ("> " to the server).
    plaintext: Arc<Mutex<Vec<String>>>,
}

impl Impostor {
    async fn start(target: SocketAddr) -> Impostor {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["packbell.invalid".to_owned()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        let cert_der = cert.der().clone();
        let key_der = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
        let config = rustls::ServerConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert_der.clone()], key_der)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let impostor = Impostor {
            addr: listener.local_addr().unwrap(),
            fingerprint: fingerprint(cert_der.as_ref()),
            refused: Arc::default(),
            relayed: Arc::default(),
            plaintext: Arc::default(),
        };
        let (refused, relayed, plaintext) = (
            impostor.refused.clone(),
            impostor.relayed.clone(),
            impostor.plaintext.clone(),
        );
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let (refused, relayed, plaintext) =
                    (refused.clone(), relayed.clone(), plaintext.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        refused.fetch_add(1, Ordering::SeqCst);
                        return;
                    };
                    let Ok(client) = tokio_tungstenite::accept_async(tls).await else {
                        return;
                    };
                    let Ok(upstream) =
                        transport::connect(&target.to_string(), &Security::Tls(Trust::Learn)).await
                    else {
                        return;
                    };
                    relayed.fetch_add(1, Ordering::SeqCst);
                    relay_messages(client, upstream.ws, plaintext).await;
                });
            }
        });
        impostor
    }

    fn plaintext(&self) -> Vec<String> {
        self.plaintext.lock().unwrap().clone()
    }
}

async fn relay_messages<C, S>(client: C, server: S, log: Arc<Mutex<Vec<String>>>)
where
    C: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
        + futures_util::Sink<Message>
        + Unpin,
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
        + futures_util::Sink<Message>
        + Unpin,
{
    let (mut client_tx, mut client_rx) = client.split();
    let (mut server_tx, mut server_rx) = server.split();
    let record = |direction: &str, message: &Message| {
        if let Message::Text(text) = message {
            log.lock()
                .unwrap()
                .push(format!("{direction}{}", text.as_str()));
        }
    };
    loop {
        tokio::select! {
            message = client_rx.next() => {
                let Some(Ok(message)) = message else { break };
                record("> ", &message);
                let close = message.is_close();
                if server_tx.send(message).await.is_err() || close {
                    break;
                }
            }
            message = server_rx.next() => {
                let Some(Ok(message)) = message else { break };
                record("< ", &message);
                let close = message.is_close();
                if client_tx.send(message).await.is_err() || close {
                    break;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Small readers of on-disk state.

/// The device token a link keeps in its local store.
fn stored_token(link_dir: &Path) -> Option<String> {
    let conn = Connection::open(link_dir.join(STORE_FILE)).unwrap();
    conn.query_row("SELECT value FROM kv WHERE name = 'token'", [], |r| {
        r.get(0)
    })
    .optional()
    .unwrap()
}

fn server_db(data_dir: &Path) -> Connection {
    let conn = Connection::open(data_dir.join("packbell.sqlite3")).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn
}

fn device_count(data_dir: &Path) -> u32 {
    server_db(data_dir)
        .query_row("SELECT COUNT(*) FROM devices", [], |r| r.get(0))
        .unwrap()
}

/// `(failures, used)` of a pairing code (digits only).
fn code_row(data_dir: &Path, digits: &str) -> (u32, bool) {
    server_db(data_dir)
        .query_row(
            "SELECT failures, used FROM pairing_codes WHERE code = ?1",
            [digits],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn digits(code: &str) -> String {
    code.chars().filter(char::is_ascii_digit).collect()
}

fn assert_auth_failed(answer: &ServerMessage) {
    assert!(
        matches!(
            answer,
            ServerMessage::Error {
                code: ErrorCode::AuthFailed,
                ..
            }
        ),
        "expected auth_failed, got {answer:?}"
    );
}

fn reconnecting_reason(event: &LinkEvent) -> Option<String> {
    match event {
        LinkEvent::Status(LinkStatus::Reconnecting { reason, .. }) => Some(reason.clone()),
        _ => None,
    }
}

fn connected_to(event: &LinkEvent) -> Option<String> {
    match event {
        LinkEvent::Status(LinkStatus::Connected { server_id, .. }) => Some(server_id.clone()),
        _ => None,
    }
}

fn saw_needs_pairing(client: &Client) -> bool {
    client
        .seen
        .iter()
        .any(|e| matches!(e, LinkEvent::Status(LinkStatus::NeedsPairing { .. })))
}

// ---------------------------------------------------------------------------------
// 1. Nothing readable on the wire.

struct Session {
    streams: Vec<Vec<u8>>,
    connections: usize,
    tokens: Vec<String>,
    codes: Vec<String>,
}

/// Pairs an office and a warehouse link through a recording forwarder, creates
/// `order_number` and packs it; returns what crossed the wire and the secrets.
fn session_through_recorder(insecure: bool, order_number: &str) -> Session {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::for_tests(dir.path().join("server"));
    config.insecure_plaintext = insecure;
    let site = Site::start_with(config, 0);
    let store = site.add_store("Centro");
    let recorder = site.runtime.block_on(Recorder::start(site.addr()));
    let codes = vec![site.code(Role::Warehouse), site.code(Role::Office)];
    let start = |name: &str, code: &str| {
        let mut config = link_config(
            &dir.path().join(name),
            recorder.addr,
            name,
            Some(code.to_owned()),
        );
        config.insecure_plaintext = insecure;
        Client::start(config)
    };
    let mut warehouse = start("warehouse", &codes[0]);
    let mut office = start("office", &codes[1]);
    warehouse.wait_connected();
    warehouse.wait_caught_up();
    office.wait_connected();
    office.wait_caught_up();

    let order_id = submit_all(&mut office, &[order_number.to_owned()], store)[0];
    warehouse.wait_for("the new order", |e| match e {
        LinkEvent::Event { event, .. } => matches!(
            &event.body,
            EventBody::OrderCreated { order_number: n, .. } if n == order_number
        )
        .then_some(()),
        _ => None,
    });
    let key = warehouse
        .handle()
        .submit(Command::PackOrder { order_id })
        .unwrap();
    warehouse.wait_for("the pack ack", |e| match e {
        LinkEvent::Acked { key: k, .. } if *k == key => Some(()),
        LinkEvent::Rejected { code, message, .. } => panic!("pack rejected: {code} {message}"),
        _ => None,
    });
    office.wait_for("the packed order", |e| match e {
        LinkEvent::Event { event, .. } => {
            matches!(&event.body, EventBody::OrderPacked { order_id: id } if *id == order_id)
                .then_some(())
        }
        _ => None,
    });
    warehouse.shutdown();
    office.shutdown();
    let tokens = ["warehouse", "office"]
        .iter()
        .map(|name| stored_token(&dir.path().join(name)).expect("the link kept its token"))
        .collect();
    Session {
        streams: recorder.recorded(),
        connections: recorder.connections.load(Ordering::SeqCst),
        tokens,
        codes,
    }
}

#[test]
fn nothing_readable_on_the_wire() {
    let order_number = "ZQX-SECRET-48213";
    let tls = session_through_recorder(false, order_number);
    assert!(
        tls.connections >= 2,
        "both links went through the forwarder"
    );
    assert!(
        tls.streams.iter().map(Vec::len).sum::<usize>() > 1000,
        "a whole session was recorded"
    );
    assert!(
        !any_contains(&tls.streams, order_number),
        "order number on the wire"
    );
    for token in &tls.tokens {
        assert_eq!(token.len(), 64);
        assert!(!any_contains(&tls.streams, token), "token on the wire");
    }
    for code in &tls.codes {
        for form in [code.clone(), digits(code)] {
            assert!(
                !any_contains(&tls.streams, &form),
                "pairing code {form} on the wire"
            );
        }
    }

    // The same check against a plaintext server sees everything but the code (which
    // never crosses the wire, even there): the check itself works.
    let plain = session_through_recorder(true, order_number);
    assert!(plain.connections >= 2);
    assert!(
        any_contains(&plain.streams, order_number),
        "plaintext shows the order number"
    );
    assert!(
        plain.tokens.iter().all(|t| any_contains(&plain.streams, t)),
        "plaintext shows the tokens"
    );
    for code in &plain.codes {
        for form in [code.clone(), digits(code)] {
            assert!(!any_contains(&plain.streams, &form));
        }
    }
}

// ---------------------------------------------------------------------------------
// 2. A man in the middle with its own certificate.

#[tokio::test]
async fn pairing_through_an_impostor_fails_and_issues_no_token() {
    let site = start_site(Limits::default()).await;
    let impostor = Impostor::start(site.server.ws_addr()).await;
    let code = site.server.new_pairing_code(Role::Office).await.unwrap();

    let mut raw = Raw::connect(impostor.addr).await;
    assert_eq!(raw.fingerprint, impostor.fingerprint);
    assert_ne!(raw.fingerprint, site.server.server_id());
    let answer = pair(&mut raw, &code, "till 1").await;
    assert_auth_failed(&answer);

    assert_eq!(impostor.relayed.load(Ordering::SeqCst), 1);
    let seen = impostor.plaintext();
    assert!(
        seen.iter()
            .any(|m| m.starts_with("> ") && m.contains("pair_start")),
        "the impostor relayed the exchange: {seen:?}"
    );
    assert!(
        seen.iter()
            .any(|m| m.starts_with("< ") && m.contains("auth_failed")),
        "{seen:?}"
    );
    for message in &seen {
        assert!(!message.contains("enrolled"), "{message}");
        assert!(!message.contains("token"), "{message}");
        assert!(
            !message.contains(&digits(&code)),
            "the code crossed: {message}"
        );
        assert!(!message.contains(&code), "the code crossed: {message}");
    }
    assert_eq!(device_count(site.dir.path()), 0, "no device was enrolled");
    assert_eq!(code_row(site.dir.path(), &digits(&code)), (1, false));

    // The code was right: straight to the server it pairs.
    let mut direct = Raw::connect(site.server.ws_addr()).await;
    assert!(
        matches!(
            pair(&mut direct, &code, "till 1").await,
            ServerMessage::Enrolled { .. }
        ),
        "the same code pairs without the impostor"
    );
    assert_eq!(device_count(site.dir.path()), 1);
}

#[test]
fn a_paired_link_refuses_an_impostor_and_never_sends_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start_on(&dir.path().join("server"), 0);
    let link_dir = dir.path().join("till");
    let mut client = Client::start(link_config(
        &link_dir,
        site.addr(),
        "till",
        Some(site.code(Role::Office)),
    ));
    client.wait_connected();
    client.shutdown();
    let token = stored_token(&link_dir).unwrap();
    let server_id = site.server().server_id().to_owned();

    let impostor = site.runtime.block_on(Impostor::start(site.addr()));
    let refused = site
        .runtime
        .block_on(transport::connect(
            &impostor.addr.to_string(),
            &Security::Tls(Trust::Pinned(server_id.clone())),
        ))
        .err()
        .expect("a pinned connection to the impostor fails");
    assert!(refused.to_string().starts_with(NOT_OUR_SERVER), "{refused}");
    assert!(
        matches!(&refused, ConnectError::NotPairedServer { seen } if *seen == impostor.fingerprint),
        "{refused:?}"
    );

    let mut client = Client::start(link_config(&link_dir, impostor.addr, "till", None));
    for _ in 0..2 {
        let reason = client.wait_for("a refusal", reconnecting_reason);
        assert!(reason.contains(NOT_OUR_SERVER), "{reason}");
    }
    client.shutdown();
    assert!(!saw_needs_pairing(&client), "{:?}", client.seen);
    assert_eq!(stored_token(&link_dir), Some(token.clone()), "token kept");
    // The impostor counts a refusal when its side of the handshake ends, which may be
    // just after the client reported it: wait for the count, bounded.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while impostor.refused.load(Ordering::SeqCst) < 3 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(impostor.refused.load(Ordering::SeqCst) >= 3);
    assert_eq!(impostor.relayed.load(Ordering::SeqCst), 0);
    for message in impostor.plaintext() {
        assert!(!message.contains("auth"), "{message}");
        assert!(!message.contains(&token), "{message}");
    }

    // Pointed back at the real server, the same link connects without pairing.
    let mut client = Client::start(link_config(&link_dir, site.addr(), "till", None));
    assert_eq!(client.wait_for("Connected", connected_to), server_id);
    client.shutdown();
}

// ---------------------------------------------------------------------------------
// 3. Wrong, expired and used codes.

#[tokio::test]
async fn wrong_codes_are_counted_and_void_the_code_after_five() {
    let site = start_site(Limits::default()).await;
    let data = site.dir.path();
    let addr = site.server.ws_addr();
    let code = site.server.new_pairing_code(Role::Warehouse).await.unwrap();
    let right = digits(&code);
    let last = right.as_bytes()[7] - b'0';
    let wrong = format!("{}{}", &right[..7], (last + 1) % 10);

    for attempt in 1..=5 {
        // A fresh socket each time: one socket only gets a few tries.
        let mut raw = Raw::connect(addr).await;
        assert_auth_failed(&pair(&mut raw, &wrong, "guesser").await);
        assert_eq!(
            code_row(data, &right),
            (attempt, attempt == 5),
            "attempt {attempt} counted; voided at the fifth"
        );
    }

    let mut raw = Raw::connect(addr).await;
    assert_auth_failed(&pair(&mut raw, &right, "too late").await);
    assert_eq!(device_count(data), 0);

    let replacement: String = server_db(data)
        .query_row(
            "SELECT code FROM pairing_codes WHERE used = 0 AND role = 'warehouse' AND code != ?1",
            [&right],
            |r| r.get(0),
        )
        .expect("a replacement code was made");
    let mut raw = Raw::connect(addr).await;
    match pair(&mut raw, &replacement, "packing 1").await {
        ServerMessage::Enrolled { role, .. } => assert_eq!(role, Role::Warehouse),
        other => panic!("the replacement pairs, got {other:?}"),
    }
    assert_eq!(device_count(data), 1);
}

#[tokio::test]
async fn expired_and_used_codes_fail() {
    let site = start_site(Limits {
        pairing_code_ttl: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let data = site.dir.path();
    let addr = site.server.ws_addr();

    // Two rows written the same way, one expired.
    let now = Utc::now();
    let insert = |code: &str, expires_at| {
        server_db(data)
            .execute(
                "INSERT INTO pairing_codes (code, role, created_at, expires_at) VALUES (?1, 'office', ?2, ?3)",
                params![code, time_to_text(now - chrono::Duration::minutes(20)), time_to_text(expires_at)],
            )
            .unwrap();
    };
    insert("91234567", now - chrono::Duration::minutes(10));
    insert("92345678", now + chrono::Duration::minutes(10));
    // And one the server made, left to expire.
    let short = site.server.new_pairing_code(Role::Office).await.unwrap();

    let mut raw = Raw::connect(addr).await;
    assert_auth_failed(&pair(&mut raw, "9123-4567", "late").await);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut raw = Raw::connect(addr).await;
    assert_auth_failed(&pair(&mut raw, &short, "late").await);
    assert_eq!(device_count(data), 0);

    // The live row works once, then never again.
    let mut raw = Raw::connect(addr).await;
    assert!(matches!(
        pair(&mut raw, "9234-5678", "till 1").await,
        ServerMessage::Enrolled { .. }
    ));
    let mut raw = Raw::connect(addr).await;
    assert_auth_failed(&pair(&mut raw, "9234-5678", "till 2").await);
    assert_eq!(device_count(data), 1);
}

// ---------------------------------------------------------------------------------
// 4. Reinstalled server, re-pairing, moved identity.

/// Copies the server database (not the identity) from one data dir to another.
fn copy_database(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with("packbell.sqlite3") {
            std::fs::copy(entry.path(), to.join(name)).unwrap();
        }
    }
}

#[test]
fn reinstalled_server_is_refused_until_paired_again_and_a_moved_identity_keeps_pairing() {
    let dir = tempfile::tempdir().unwrap();
    let (d1, d2, d3) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    let (till_dir, packer_dir) = (dir.path().join("till"), dir.path().join("packer"));

    // Server A; two links paired with it.
    let mut a = Site::start_on(&d1, 0);
    let port = a.port;
    let id_a = a.server().server_id().to_owned();
    let mut till = Client::start(link_config(
        &till_dir,
        a.addr(),
        "till",
        Some(a.code(Role::Office)),
    ));
    let mut packer = Client::start(link_config(
        &packer_dir,
        a.addr(),
        "packer",
        Some(a.code(Role::Warehouse)),
    ));
    assert_eq!(till.wait_for("Connected to A", connected_to), id_a);
    assert_eq!(packer.wait_for("Connected to A", connected_to), id_a);
    till.shutdown();
    packer.shutdown();
    let till_token = stored_token(&till_dir).unwrap();
    a.stop();

    // Reinstalled: B on the same port with a new data dir, so a new identity.
    let mut b = Site::start_on(&d2, port);
    let id_b = b.server().server_id().to_owned();
    assert_ne!(id_a, id_b);
    let mut till = Client::start(link_config(&till_dir, b.addr(), "till", None));
    for _ in 0..2 {
        let reason = till.wait_for("a refusal", reconnecting_reason);
        assert!(reason.contains(NOT_OUR_SERVER), "{reason}");
    }
    // Had the token reached B, B would have refused it and the link dropped it.
    assert!(!saw_needs_pairing(&till), "{:?}", till.seen);
    assert_eq!(stored_token(&till_dir), Some(till_token.clone()));
    assert_eq!(device_count(&d2), 0);

    // Pairing again with a code from B works on the same link.
    till.handle()
        .request(LinkRequest::Pair {
            code: b.code(Role::Office),
        })
        .unwrap();
    assert_eq!(till.wait_for("Connected to B", connected_to), id_b);
    till.shutdown();
    assert_eq!(device_count(&d2), 1);
    assert_ne!(stored_token(&till_dir), Some(till_token));
    b.stop();

    // Moved: A's identity exported and imported into a fresh dir with A's database.
    let file = dir.path().join("identity-export.pem");
    assert_eq!(Identity::export(&d1, &file).unwrap(), id_a);
    copy_database(&d1, &d3);
    assert_eq!(Identity::import(&d3, &file).unwrap(), id_a);
    let c = Site::start_on(&d3, port);
    let mut packer = Client::start(link_config(&packer_dir, c.addr(), "packer", None));
    assert_eq!(packer.wait_for("Connected to C", connected_to), id_a);
    packer.shutdown();
    assert!(!saw_needs_pairing(&packer), "{:?}", packer.seen);
}

#[test]
fn a_link_paired_without_encryption_asks_to_pair_again_before_sending_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::for_tests(dir.path().join("server"));
    config.insecure_plaintext = true;
    let mut site = Site::start_with(config, 0);
    let link_dir = dir.path().join("till");
    let mut plain = link_config(
        &link_dir,
        site.addr(),
        "till",
        Some(site.code(Role::Office)),
    );
    plain.insecure_plaintext = true;
    let mut client = Client::start(plain);
    client.wait_connected();
    client.shutdown();
    let token = stored_token(&link_dir).unwrap();

    // The server now speaks TLS; the link, no longer in plaintext mode, holds a token
    // without a pinned fingerprint and must not send it anywhere.
    site.stop();
    site.config.insecure_plaintext = false;
    site.restart();
    let mut client = Client::start(link_config(&link_dir, site.addr(), "till", None));
    let reason = client.wait_for("NeedsPairing", |e| match e {
        LinkEvent::Status(LinkStatus::NeedsPairing { reason }) => Some(reason.clone()),
        _ => None,
    });
    assert!(
        reason.is_some_and(|r| r.contains("without encryption")),
        "{:?}",
        client.seen
    );
    client
        .handle()
        .request(LinkRequest::Pair {
            code: site.code(Role::Office),
        })
        .unwrap();
    assert_eq!(
        client.wait_for("Connected", connected_to),
        site.server().server_id()
    );
    client.shutdown();
    assert_ne!(stored_token(&link_dir), Some(token));
}
