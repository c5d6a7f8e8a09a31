//! A small protocol client for the benchmark: connect (pinned TLS or plaintext), pair
//! with SPAKE2, authenticate, subscribe. Built on `packbell_net::transport` and
//! `packbell_protocol::pairing`, so it speaks exactly what the real clients speak.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use packbell_net::tls::Trust;
use packbell_net::transport::{self, Security, WsStream};
use packbell_protocol::pairing::{ClientPairing, PairingCode, confirmation_matches};
use packbell_protocol::protocol::{PROTOCOL_VERSION, Role, Seq, ServerMessage};

/// How long any single setup answer may take before the benchmark gives up.
pub const WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Tls,
    Plaintext,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Tls => "TLS",
            Mode::Plaintext => "plaintext",
        }
    }
}

/// An enrolled device: what a real client keeps after pairing.
#[derive(Debug, Clone)]
pub struct Device {
    pub device_id: u64,
    pub token: String,
}

/// Where a server listens and how to reach it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub addr: String,
    pub mode: Mode,
    /// Certificate fingerprint learned at pairing ("" over plaintext).
    pub fingerprint: String,
}

impl Endpoint {
    /// What a pairing client uses: any certificate, remembered for the SPAKE2 binding.
    pub fn pairing_security(&self) -> Security {
        match self.mode {
            Mode::Tls => Security::Tls(Trust::Learn),
            Mode::Plaintext => Security::Plaintext,
        }
    }

    /// What a paired client uses: only the certificate seen at pairing.
    pub fn paired_security(&self) -> Security {
        match self.mode {
            Mode::Tls => Security::Tls(Trust::Pinned(self.fingerprint.clone())),
            Mode::Plaintext => Security::Plaintext,
        }
    }
}

pub struct Client {
    pub ws: WsStream,
}

impl Client {
    /// Opens a WebSocket; returns it and the certificate fingerprint seen (if TLS).
    pub async fn connect(addr: &str, security: &Security) -> anyhow::Result<(Client, String)> {
        let connected = tokio::time::timeout(WAIT, transport::connect(addr, security))
            .await
            .context("connecting timed out")??;
        Ok((
            Client { ws: connected.ws },
            connected.fingerprint.unwrap_or_default(),
        ))
    }

    pub async fn send(&mut self, value: serde_json::Value) -> anyhow::Result<()> {
        self.ws
            .send(Message::Text(value.to_string().into()))
            .await
            .context("sending a frame")
    }

    /// Next protocol message, fully parsed (setup only; hot paths use [`Light`]).
    pub async fn recv(&mut self) -> anyhow::Result<ServerMessage> {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .context("no answer from the server within 10 s")?;
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(&text)
                        .with_context(|| format!("the server sent an unreadable frame: {text}"));
                }
                Some(Ok(Message::Close(frame))) => bail!("the server closed the socket: {frame:?}"),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e).context("reading from the server"),
                None => bail!("the server dropped the socket"),
            }
        }
    }

    /// Skips messages (e.g. live events) until one matches.
    pub async fn recv_until(
        &mut self,
        mut wanted: impl FnMut(&ServerMessage) -> bool,
    ) -> anyhow::Result<ServerMessage> {
        let deadline = Instant::now() + WAIT;
        loop {
            if Instant::now() > deadline {
                bail!("the expected answer did not come within 10 s");
            }
            let message = self.recv().await?;
            if let ServerMessage::Error { code, message, .. } = &message {
                bail!("the server refused: {code}: {message}");
            }
            if wanted(&message) {
                return Ok(message);
            }
        }
    }

    /// Subscribes from `after_seq` and waits for `caught_up`.
    pub async fn subscribe(&mut self, after_seq: Seq) -> anyhow::Result<()> {
        self.send(json!({"type": "subscribe", "after_seq": after_seq}))
            .await?;
        self.recv_until(|m| matches!(m, ServerMessage::CaughtUp { .. }))
            .await?;
        Ok(())
    }
}

/// A finished pairing: the welcomed socket, the device, and how long each part took.
pub struct Paired {
    pub client: Client,
    pub device: Device,
    pub role: Role,
    /// Certificate fingerprint seen ("" over plaintext).
    pub fingerprint: String,
    /// TCP + TLS + WebSocket handshake.
    pub connect_time: Duration,
    /// Connect, SPAKE2 exchange, enrolment commit, `welcome`.
    pub total_time: Duration,
}

/// Connects and pairs with `code` as a new device, as the office and warehouse
/// clients do: SPAKE2 bound to the certificate this socket saw, then `enrolled` (its
/// key confirmation checked) and `welcome`.
pub async fn pair(endpoint: &Endpoint, code: &str, name: &str) -> anyhow::Result<Paired> {
    let started = Instant::now();
    let (mut client, fingerprint) =
        Client::connect(&endpoint.addr, &endpoint.pairing_security()).await?;
    let connect_time = started.elapsed();
    let code = PairingCode::parse(code).context("the server printed a malformed code")?;
    let (state, message) = ClientPairing::start(&code);
    client
        .send(json!({"type": "pair_start", "protocol": PROTOCOL_VERSION,
                     "code_slot": code.slot(), "device_name": name,
                     "spake2": hex::encode(message)}))
        .await?;
    let challenge = match client.recv().await? {
        ServerMessage::PairChallenge { spake2 } => spake2,
        other => bail!("expected pair_challenge, got {other:?}"),
    };
    let challenge = hex::decode(challenge).context("pair_challenge is not hex")?;
    let confirmations = state
        .finish(&challenge, &fingerprint)
        .context("the server's SPAKE2 message is invalid")?;
    client
        .send(json!({"type": "pair_confirm", "mac": hex::encode(confirmations.client)}))
        .await?;
    let (device, role) = match client.recv().await? {
        ServerMessage::Enrolled {
            device_id,
            token,
            role,
            mac,
        } => {
            if !confirmation_matches(&confirmations.server, &mac) {
                bail!("the server's key confirmation does not match");
            }
            (Device { device_id, token }, role)
        }
        other => bail!("expected enrolled, got {other:?}"),
    };
    match client.recv().await? {
        ServerMessage::Welcome { .. } => {}
        other => bail!("expected welcome, got {other:?}"),
    }
    Ok(Paired {
        client,
        device,
        role,
        fingerprint,
        connect_time,
        total_time: started.elapsed(),
    })
}

/// Connects as a paired device (pinned TLS); returns the socket and `welcome.head_seq`.
pub async fn auth(endpoint: &Endpoint, device: &Device) -> anyhow::Result<(Client, Seq)> {
    let (mut client, _) = Client::connect(&endpoint.addr, &endpoint.paired_security()).await?;
    client
        .send(json!({"type": "auth", "protocol": PROTOCOL_VERSION,
                     "device_id": device.device_id, "token": device.token}))
        .await?;
    match client.recv().await? {
        ServerMessage::Welcome { head_seq, .. } => Ok((client, head_seq)),
        other => bail!("expected welcome, got {other:?}"),
    }
}

/// A `create_order` command frame; `name` is both the key and the order number.
pub fn create_order_frame(name: &str, store_id: u64) -> String {
    format!(
        r#"{{"type":"command","key":"{name}","command":{{"op":"create_order","order_number":"{name}","store_id":{store_id}}}}}"#
    )
}

/// The few fields the hot paths read, borrowed from the frame (no allocation).
#[derive(Deserialize)]
pub struct Light<'a> {
    #[serde(rename = "type")]
    pub kind: &'a str,
    #[serde(default)]
    pub at: Option<&'a str>,
    #[serde(default)]
    pub body: Option<LightBody<'a>>,
    #[serde(default)]
    pub key: Option<&'a str>,
    #[serde(default)]
    pub code: Option<&'a str>,
}

#[derive(Deserialize)]
pub struct LightBody<'a> {
    pub kind: &'a str,
    #[serde(default)]
    pub order_number: Option<&'a str>,
}

impl<'a> Light<'a> {
    pub fn parse(text: &'a str) -> anyhow::Result<Light<'a>> {
        serde_json::from_str(text).with_context(|| format!("unreadable frame: {text}"))
    }

    /// The order number of an `order_created` event.
    pub fn created_order(&self) -> Option<&'a str> {
        match &self.body {
            Some(body) if self.kind == "event" && body.kind == "order_created" => body.order_number,
            _ => None,
        }
    }
}

/// The sequence number `n` of an order named `<prefix><n>`.
pub fn order_index(number: &str, prefix: &str) -> Option<usize> {
    number.strip_prefix(prefix)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_parse_as_the_protocol_says() {
        let frame = create_order_frame("T1-42", 3);
        let value: serde_json::Value = serde_json::from_str(&frame).expect("json");
        let message: packbell_protocol::protocol::ClientMessage =
            serde_json::from_value(value).expect("a valid client message");
        assert!(matches!(
            message,
            packbell_protocol::protocol::ClientMessage::Command { .. }
        ));
        let event = r#"{"type":"event","seq":9,"at":"2025-03-14T09:30:12.482113Z","device":1,"body":{"kind":"order_created","order_id":4,"order_number":"T1-42","store_id":3,"note":"","priority":"normal"}}"#;
        let light = Light::parse(event).expect("parses");
        assert_eq!(light.created_order(), Some("T1-42"));
        assert_eq!(order_index("T1-42", "T1-"), Some(42));
        assert_eq!(order_index("L1-42", "T1-"), None);
    }
}
