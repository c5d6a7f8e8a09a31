//! Test helpers: a raw WebSocket client that speaks the protocol by hand, as a third
//! party would, against the real server.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use packbell_server::{Limits, RunningServer, ServerConfig};
use packbell_shared::pairing::{ClientPairing, PairingCode, confirmation_matches};
use packbell_shared::protocol::{Role, ServerMessage};
use packbell_shared::tls::Trust;
use packbell_shared::transport::{self, Security, WsStream};

pub const WAIT: Duration = Duration::from_secs(10);

pub struct TestSite {
    pub server: RunningServer,
    pub dir: tempfile::TempDir,
    pub store: u64,
}

pub async fn start_site(limits: Limits) -> TestSite {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = ServerConfig::for_tests(dir.path().to_owned());
    config.limits = limits;
    let server = RunningServer::start(config).await.expect("server starts");
    let store = server.add_store("Centro").await.expect("store added");
    TestSite { server, dir, store }
}

/// How a socket ended, as seen by the client.
#[derive(Debug, PartialEq)]
pub enum Ended {
    Closed(Option<u16>),
    Dropped,
    /// Still open, but nothing arrived within the wait.
    Silent,
}

pub struct Raw {
    ws: WsStream,
    /// The certificate fingerprint the server showed ("" over plaintext).
    pub fingerprint: String,
}

impl Raw {
    /// TLS, accepting whatever certificate the server shows (as a pairing client does).
    pub async fn connect(addr: SocketAddr) -> Raw {
        Self::connect_with(addr, &Security::Tls(Trust::Learn)).await
    }

    pub async fn connect_with(addr: SocketAddr, security: &Security) -> Raw {
        let connected = transport::connect(&addr.to_string(), security)
            .await
            .expect("websocket connects");
        Raw {
            ws: connected.ws,
            fingerprint: connected.fingerprint.unwrap_or_default(),
        }
    }

    /// Connects with a tiny receive buffer, so a client that stops reading fills up fast.
    pub async fn connect_with_small_buffer(addr: SocketAddr) -> Raw {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        let tcp = socket.connect(addr).await.expect("tcp connects");
        let connected =
            transport::connect_over(tcp, &addr.to_string(), &Security::Tls(Trust::Learn))
                .await
                .expect("websocket connects");
        Raw {
            ws: connected.ws,
            fingerprint: connected.fingerprint.unwrap_or_default(),
        }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::Text(text.into()))
            .await
            .expect("send frame");
    }

    /// Sends a frame as given, however wrong (the client masks it, nothing more).
    pub async fn send_frame(&mut self, frame: Frame) -> Result<(), WsError> {
        self.ws.send(Message::Frame(frame)).await
    }

    /// Sends a binary frame; an error means the server closed or reset the socket.
    pub async fn send_binary(&mut self, bytes: &[u8]) -> Result<(), WsError> {
        self.ws.send(Message::Binary(bytes.to_vec().into())).await
    }

    /// Sends `count` empty binary frames with one flush.
    pub async fn send_binary_batch(&mut self, count: usize) -> Result<(), WsError> {
        for _ in 0..count {
            self.ws.feed(Message::Binary(Default::default())).await?;
        }
        self.ws.flush().await
    }

    pub async fn send(&mut self, value: Value) {
        self.send_text(&value.to_string()).await;
    }

    /// Queues a frame without flushing (to pipeline many).
    pub async fn feed(&mut self, value: Value) {
        self.ws
            .feed(Message::Text(value.to_string().into()))
            .await
            .expect("feed frame");
    }

    pub async fn flush(&mut self) {
        self.ws.flush().await.expect("flush");
    }

    /// Next protocol message; panics on timeout or close.
    pub async fn recv(&mut self) -> ServerMessage {
        match self.next_message(WAIT).await {
            Ok(message) => message,
            Err(end) => panic!("expected a message, socket ended: {end:?}"),
        }
    }

    /// Next protocol message and the size of its frame in bytes.
    pub async fn recv_sized(&mut self) -> (ServerMessage, usize) {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame within the wait");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let message = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("server sent bad JSON {text}: {e}"));
                    return (message, text.len());
                }
                Some(Ok(Message::Close(_))) | None => panic!("the socket ended"),
                Some(Ok(_)) => continue,
                Some(Err(e)) => panic!("socket error: {e}"),
            }
        }
    }

    /// Next protocol message or how the socket ended (panics on timeout).
    pub async fn next_message(&mut self, wait: Duration) -> Result<ServerMessage, Ended> {
        loop {
            let Ok(frame) = tokio::time::timeout(wait, self.ws.next()).await else {
                return Err(Ended::Silent);
            };
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return Ok(serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("server sent bad JSON {text}: {e}")));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(Ended::Closed(frame.map(|f| u16::from(f.code))));
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => {
                    eprintln!("socket error: {e}");
                    return Err(Ended::Dropped);
                }
                None => return Err(Ended::Dropped),
            }
        }
    }

    /// Skips messages until one matches.
    pub async fn recv_until(
        &mut self,
        mut wanted: impl FnMut(&ServerMessage) -> bool,
    ) -> ServerMessage {
        loop {
            let message = self.recv().await;
            if wanted(&message) {
                return message;
            }
        }
    }

    /// Reads until the socket ends; returns the messages seen and how it ended.
    pub async fn drain_to_end(&mut self, wait: Duration) -> (Vec<ServerMessage>, Ended) {
        let mut seen = Vec::new();
        loop {
            match self.next_message(wait).await {
                Ok(message) => seen.push(message),
                Err(end) => return (seen, end),
            }
        }
    }

    /// Next message that is not an event (events arrive whenever others act).
    pub async fn expect_error(&mut self, code: &str) -> ServerMessage {
        let message = self
            .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
            .await;
        let value = serde_json::to_value(&message).expect("serialises");
        assert_eq!(value["type"], "error", "expected error {code}, got {value}");
        assert_eq!(value["code"], code, "got {value}");
        message
    }
}

/// Enrols a new device with a fresh code for `role`; returns the socket (welcomed),
/// the device id and token.
pub async fn enrol(server: &RunningServer, role: Role, name: &str) -> (Raw, u64, String) {
    let raw = Raw::connect(server.ws_addr()).await;
    enrol_on(raw, server, role, name).await
}

/// Enrols over an already connected socket.
pub async fn enrol_on(
    mut raw: Raw,
    server: &RunningServer,
    role: Role,
    name: &str,
) -> (Raw, u64, String) {
    let code = server.new_pairing_code(role).await.expect("pairing code");
    let (device_id, token) = match pair(&mut raw, &code, name).await {
        ServerMessage::Enrolled {
            device_id, token, ..
        } => (device_id, token),
        other => panic!("expected enrolled, got {other:?}"),
    };
    match raw.recv().await {
        ServerMessage::Welcome { .. } => {}
        other => panic!("expected welcome, got {other:?}"),
    }
    (raw, device_id, token)
}

/// One pairing attempt with `code` (SPAKE2, bound to the certificate this socket saw).
/// Returns the server's last answer: `enrolled` (its mac checked) or an error.
pub async fn pair(raw: &mut Raw, code: &str, name: &str) -> ServerMessage {
    let code = PairingCode::parse(code).expect("well-formed code");
    let (state, message) = ClientPairing::start(&code);
    raw.send(
        json!({"type": "pair_start", "protocol": 1, "code_slot": code.slot(),
                    "device_name": name, "spake2": hex::encode(message)}),
    )
    .await;
    let challenge = match raw.recv().await {
        ServerMessage::PairChallenge { spake2 } => spake2,
        other => return other,
    };
    let confirmations = state
        .finish(&hex::decode(challenge).expect("hex"), &raw.fingerprint)
        .expect("valid challenge");
    raw.send(json!({"type": "pair_confirm", "mac": hex::encode(confirmations.client)}))
        .await;
    let answer = raw.recv().await;
    if let ServerMessage::Enrolled { mac, .. } = &answer {
        assert!(
            confirmation_matches(&confirmations.server, mac),
            "the server proved it knows the code"
        );
    }
    answer
}

pub async fn auth(server: &RunningServer, device_id: u64, token: &str) -> Raw {
    let mut raw = Raw::connect(server.ws_addr()).await;
    raw.send(json!({"type": "auth", "protocol": 1, "device_id": device_id, "token": token}))
        .await;
    match raw.recv().await {
        ServerMessage::Welcome { .. } => raw,
        other => panic!("expected welcome, got {other:?}"),
    }
}

pub fn create_order(key: &str, number: &str, store: u64) -> Value {
    json!({"type": "command", "key": key,
           "command": {"op": "create_order", "order_number": number, "store_id": store}})
}
