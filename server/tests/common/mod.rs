//! Test helpers: a raw WebSocket client that speaks the protocol by hand, as a third
//! party would, against the real server.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use packbell_server::{Limits, RunningServer, ServerConfig};
use packbell_shared::protocol::{Role, ServerMessage};

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
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Raw {
    pub async fn connect(addr: SocketAddr) -> Raw {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
            .await
            .expect("websocket connects");
        Raw { ws }
    }

    /// Connects with a tiny receive buffer, so a client that stops reading fills up fast.
    pub async fn connect_with_small_buffer(addr: SocketAddr) -> Raw {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        let stream = socket.connect(addr).await.expect("tcp connects");
        let (ws, _) =
            tokio_tungstenite::client_async(format!("ws://{addr}/"), MaybeTlsStream::Plain(stream))
                .await
                .expect("websocket connects");
        Raw { ws }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::Text(text.into()))
            .await
            .expect("send frame");
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
                Some(Err(_)) | None => return Err(Ended::Dropped),
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
    raw.send(json!({"type": "enrol", "protocol": 1, "pairing_code": code, "device_name": name}))
        .await;
    let (device_id, token) = match raw.recv().await {
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
