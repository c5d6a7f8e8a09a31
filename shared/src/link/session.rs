//! One connection's life: connect, enrol or authenticate, subscribe, then relay
//! messages both ways until the connection ends.

use std::convert::Infallible;
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::pairing::{self, ClientPairing, PairingCode};
use crate::protocol::{ClientMessage, ErrorCode, PROTOCOL_VERSION, ServerMessage, close_code};
use crate::tls::Trust;
use crate::transport::{self, ConnectError, Security, WsStream};

use super::outbox::{ErrorOutcome, MAX_IN_FLIGHT};
use super::runner::{Link, REQUEST_BATCH, sleep_until, stopped};
use super::store::Credentials;
use super::sync::SyncAction;
use super::{LinkEvent, LinkStatus};

/// TCP connect plus WebSocket upgrade, at most.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// From sending `auth`/`enrol` to `welcome`, at most.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// With nothing received for this long, the link sends a ping.
const IDLE_PING: Duration = Duration::from_secs(30);
/// And drops the connection if nothing arrives this long after the ping.
const PING_TIMEOUT: Duration = Duration::from_secs(10);
/// After an orderly close, the time left for the close handshake.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);
/// State is saved at most this often while live (and at catch-up and stop).
const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(2);
/// Frames waiting for the writer task. Room for a full window of commands plus a
/// full batch of requests; a full queue means the connection is wedged and is dropped.
const OUTGOING_QUEUE: usize = MAX_IN_FLIGHT + REQUEST_BATCH + 16;

type Socket = WsStream;

/// How a session ended, and so what the reconnect loop does next.
#[derive(Debug)]
pub(super) enum SessionEnd {
    /// The owner asked the link to stop.
    Stopped,
    /// The connection failed or ended; retry (at once when `retry_now`).
    Lost {
        reason: String,
        /// The server had welcomed this device on this connection.
        authenticated: bool,
        retry_now: bool,
    },
    /// The device needs a (new) pairing code.
    NeedsPairing { reason: Option<String> },
    /// The server refused this device; `retry` when it may change its mind
    /// (version mismatch: the server may be upgraded).
    Refused { reason: String, retry: bool },
}

fn lost(reason: impl Into<String>) -> SessionEnd {
    SessionEnd::Lost {
        reason: reason.into(),
        authenticated: false,
        retry_now: false,
    }
}

/// The connection: our half of the socket plus the writer task's queue.
struct Conn {
    stream: SplitStream<Socket>,
    /// To the writer task; closed when the writer failed.
    out: mpsc::Sender<Message>,
    /// When the last frame of any kind arrived.
    last_received: Instant,
    /// A ping went out since `last_received`.
    ping_sent: bool,
    /// Pages of a `devices` answer received so far; the owner gets the whole list once
    /// the last page is in.
    device_pages: Vec<crate::protocol::DeviceInfo>,
}

impl Conn {
    fn send_frame(&mut self, frame: Message) -> Result<(), SessionEnd> {
        self.out.try_send(frame).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => lost("the connection is not keeping up"),
            mpsc::error::TrySendError::Closed(_) => lost("the connection failed while sending"),
        })
    }

    fn send(&mut self, message: &ClientMessage) -> Result<(), SessionEnd> {
        let json = serde_json::to_string(message)
            .map_err(|error| lost(format!("cannot encode a message: {error}")))?;
        self.send_frame(Message::text(json))
    }

    fn idle_deadline(&self) -> Instant {
        if self.ping_sent {
            self.last_received + IDLE_PING + PING_TIMEOUT
        } else {
            self.last_received + IDLE_PING
        }
    }

    /// Nothing arrived for a while: ping, or give up if the ping went unanswered.
    fn on_idle(&mut self) -> Result<(), SessionEnd> {
        if self.ping_sent {
            return Err(lost(format!(
                "no answer from the server for {} s",
                (IDLE_PING + PING_TIMEOUT).as_secs()
            )));
        }
        self.ping_sent = true;
        self.send_frame(Message::Ping(Default::default()))
    }

    /// Turns what the socket gave into a server message (or nothing to act on).
    fn on_frame(
        &mut self,
        frame: Option<Result<Message, tungstenite::Error>>,
    ) -> Result<Option<ServerMessage>, SessionEnd> {
        let frame = match frame {
            None => return Err(lost("the server closed the connection")),
            Some(Err(error)) => return Err(lost(format!("connection failed: {error}"))),
            Some(Ok(frame)) => frame,
        };
        self.last_received = Instant::now();
        self.ping_sent = false;
        match frame {
            Message::Text(text) => match serde_json::from_str(text.as_str()) {
                Ok(message) => Ok(Some(message)),
                Err(error) => {
                    tracing::warn!(%error, "ignoring a message this client does not understand");
                    Ok(None)
                }
            },
            Message::Close(Some(close)) if u16::from(close.code) == close_code::TOO_SLOW => {
                Err(SessionEnd::Lost {
                    reason: "the server dropped this connection for falling behind".into(),
                    authenticated: false,
                    retry_now: true,
                })
            }
            Message::Close(Some(close)) => Err(lost(format!(
                "the server closed the connection ({}{}{})",
                u16::from(close.code),
                if close.reason.is_empty() { "" } else { ": " },
                close.reason.as_str()
            ))),
            Message::Close(None) => Err(lost("the server closed the connection")),
            Message::Binary(_) | Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {
                Ok(None)
            }
        }
    }
}

/// Writes frames as they come, flushing once per batch; closes the socket when the
/// queue is closed.
async fn write_frames(
    mut sink: SplitSink<Socket, Message>,
    mut queue: mpsc::Receiver<Message>,
) -> Result<(), tungstenite::Error> {
    while let Some(frame) = queue.recv().await {
        sink.feed(frame).await?;
        while let Ok(frame) = queue.try_recv() {
            sink.feed(frame).await?;
        }
        sink.flush().await?;
    }
    sink.close().await
}

/// What this device says first.
enum Hello {
    Auth(Credentials),
    Pair(PairingCode),
}

/// Runs one connection to `address` (`HOST:PORT`) from connect to end.
pub(super) async fn run(link: &mut Link, address: &str) -> SessionEnd {
    let hello = match (&link.credentials, &link.pairing_code) {
        // A code the owner gave pairs again even when paired (the server was
        // reinstalled); the stored token stays until the new pairing succeeds.
        (_, Some(code)) => match PairingCode::parse(code) {
            Ok(code) => Hello::Pair(code),
            Err(error) => {
                link.pairing_code = None;
                return SessionEnd::NeedsPairing {
                    reason: Some(error.to_string()),
                };
            }
        },
        (Some(credentials), None) => Hello::Auth(credentials.clone()),
        (None, None) => return SessionEnd::NeedsPairing { reason: None },
    };
    let security = match (&hello, link.config.insecure_plaintext) {
        (_, true) => Security::Plaintext,
        (Hello::Pair(_), false) => Security::Tls(Trust::Learn),
        (Hello::Auth(credentials), false) => match &credentials.server_fingerprint {
            Some(fingerprint) => Security::Tls(Trust::Pinned(fingerprint.clone())),
            // Paired over plaintext: the token must not go to an unpinned server.
            // Forgotten for this run, so the link asks for a code instead of retrying.
            None => {
                link.credentials = None;
                return SessionEnd::NeedsPairing {
                    reason: Some("this PC was paired without encryption; pair it again".to_owned()),
                };
            }
        },
    };
    let connect = tokio::time::timeout(CONNECT_TIMEOUT, transport::connect(address, &security));
    let (socket, fingerprint) = tokio::select! {
        () = stopped(&mut link.stop) => return SessionEnd::Stopped,
        connected = connect => match connected {
            Err(_) => return lost(format!("{address} did not answer within {} s", CONNECT_TIMEOUT.as_secs())),
            Ok(Err(error @ ConnectError::NotPairedServer { .. })) => {
                tracing::warn!(%address, %error, "refusing an unknown server");
                return lost(error.to_string());
            }
            Ok(Err(error)) => return lost(error.to_string()),
            Ok(Ok(connected)) => (connected.ws, connected.fingerprint),
        },
    };
    tracing::debug!(%address, "connected");
    let (sink, stream) = socket.split();
    let (out, queue) = mpsc::channel(OUTGOING_QUEUE);
    let writer = tokio::spawn(write_frames(sink, queue));
    let mut conn = Conn {
        stream,
        out,
        last_received: Instant::now(),
        ping_sent: false,
        device_pages: Vec::new(),
    };
    let end = match handshake(link, &mut conn, hello, address, fingerprint).await {
        Err(end) => end,
        Ok(()) => match live(link, &mut conn).await {
            Ok(never) => match never {},
            Err(SessionEnd::Lost {
                reason, retry_now, ..
            }) => SessionEnd::Lost {
                reason,
                authenticated: true,
                retry_now,
            },
            Err(end) => end,
        },
    };
    link.sync.connection_lost();
    link.outbox.connection_lost();
    link.flush_answered().await;
    if matches!(end, SessionEnd::Stopped) {
        // Also checkpoints before the close handshake, while nothing else happens.
        link.checkpoint().await;
    }
    close(conn, writer, &end).await;
    end
}

/// Ends the connection: an orderly close when we chose to end it, a drop otherwise.
async fn close(conn: Conn, writer: JoinHandle<Result<(), tungstenite::Error>>, end: &SessionEnd) {
    let Conn {
        mut stream, out, ..
    } = conn;
    drop(out);
    let orderly = !matches!(end, SessionEnd::Lost { .. });
    if !orderly {
        writer.abort();
        return;
    }
    let handshake = async {
        match writer.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::debug!(%error, "closing the connection"),
            Err(error) => tracing::debug!(%error, "writer task ended"),
        }
        // Read until the server's close answer (or the end).
        while let Some(Ok(_)) = stream.next().await {}
    };
    if tokio::time::timeout(CLOSE_TIMEOUT, handshake)
        .await
        .is_err()
    {
        tracing::debug!("the server did not finish the close handshake in time");
    }
}

/// Sends `auth` (or pairs) and waits for `welcome`. `fingerprint` is the certificate
/// the server showed (`None` over plaintext).
async fn handshake(
    link: &mut Link,
    conn: &mut Conn,
    hello: Hello,
    address: &str,
    fingerprint: Option<String>,
) -> Result<(), SessionEnd> {
    let enrolling = matches!(hello, Hello::Pair(_));
    let mut pairing = None;
    let message = match hello {
        Hello::Auth(credentials) => ClientMessage::Auth {
            protocol: PROTOCOL_VERSION,
            device_id: credentials.device_id,
            token: credentials.token,
        },
        Hello::Pair(code) => {
            let (state, spake2) = ClientPairing::start(&code);
            pairing = Some(state);
            ClientMessage::PairStart {
                protocol: PROTOCOL_VERSION,
                code_slot: code.slot().to_owned(),
                device_name: link.config.device_name.clone(),
                spake2: hex::encode(spake2),
            }
        }
    };
    conn.send(&message)?;
    let binding = fingerprint.clone().unwrap_or_default();
    let mut expected_server_mac = None;
    let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
    loop {
        let message = tokio::select! {
            () = stopped(&mut link.stop) => return Err(SessionEnd::Stopped),
            () = tokio::time::sleep_until(deadline) => {
                return Err(lost(format!(
                    "{address} did not welcome this device within {} s",
                    HANDSHAKE_TIMEOUT.as_secs()
                )));
            }
            frame = conn.stream.next() => conn.on_frame(frame)?,
        };
        match message {
            None => {}
            Some(ServerMessage::PairChallenge { spake2 }) => {
                let Some(state) = pairing.take() else {
                    return Err(lost("the server sent an unexpected pairing challenge"));
                };
                let confirmations = hex::decode(&spake2)
                    .map_err(|_| pairing::PairingError::BadMessage)
                    .and_then(|message| state.finish(&message, &binding))
                    .map_err(|error| lost(format!("pairing failed: {error}")))?;
                conn.send(&ClientMessage::PairConfirm {
                    mac: hex::encode(confirmations.client),
                })?;
                expected_server_mac = Some(confirmations.server);
            }
            Some(ServerMessage::Enrolled {
                device_id,
                token,
                role,
                mac,
            }) => {
                // Only a server that knows the code and showed us this very certificate
                // can produce this value; anything else is not our server.
                let confirmed = expected_server_mac
                    .as_ref()
                    .is_some_and(|expected| pairing::confirmation_matches(expected, &mac));
                if !confirmed {
                    link.pairing_code = None;
                    return Err(SessionEnd::NeedsPairing {
                        reason: Some(
                            "the server could not prove it knows the pairing code; \
                             pairing stopped"
                                .to_owned(),
                        ),
                    });
                }
                tracing::info!(device_id, ?role, "paired");
                let credentials = Credentials {
                    device_id,
                    token,
                    server_fingerprint: fingerprint.clone(),
                };
                let saved = credentials.clone();
                let stored = link
                    .store
                    .call(move |store| store.set_credentials(&saved))
                    .await;
                if let Err(error) = stored {
                    tracing::error!(%error, "the device token was not saved");
                    link.emit(LinkEvent::Notice(format!(
                        "this computer could not save its pairing ({error}); \
                         it will need a new pairing code after a restart"
                    )))
                    .await;
                }
                link.credentials = Some(credentials);
                link.pairing_code = None;
            }
            Some(ServerMessage::Welcome {
                protocol,
                server_id,
                site,
                server_version,
                device_id,
                role,
                head_seq,
            }) => {
                tracing::info!(%address, %server_id, %site, %server_version, protocol, head_seq, "welcomed");
                let other_server = link.server_id.as_deref() != Some(server_id.as_str());
                if link.sync.state.seq > 0 && (other_server || head_seq < link.sync.state.seq) {
                    tracing::warn!(
                        have = link.sync.state.seq,
                        head_seq,
                        other_server,
                        "the server does not know our state; starting from a snapshot"
                    );
                    link.sync.forget();
                }
                link.server_id = Some(server_id.clone());
                link.set_status(LinkStatus::Connected {
                    site,
                    server_id,
                    device_id,
                    role,
                })
                .await;
                let address = address.to_owned();
                link.store
                    .run("remembering the server", move |store| {
                        store.set_last_server(&address)
                    })
                    .await;
                return Ok(());
            }
            Some(ServerMessage::Error { code, message, .. }) => {
                return Err(refusal(link, enrolling, code, message).await);
            }
            Some(other) => tracing::debug!(?other, "ignoring a message before welcome"),
        }
    }
}

/// What an error during the handshake (or a revocation later) means.
async fn refusal(link: &mut Link, enrolling: bool, code: ErrorCode, message: String) -> SessionEnd {
    match code {
        ErrorCode::AuthFailed if enrolling => {
            link.pairing_code = None;
            SessionEnd::NeedsPairing {
                reason: Some(message),
            }
        }
        ErrorCode::AuthFailed | ErrorCode::Revoked => {
            link.credentials = None;
            link.pairing_code = None;
            if let Err(error) = link.store.call(|store| store.clear_credentials()).await {
                tracing::error!(%error, "the refused device token was not removed");
            }
            if code == ErrorCode::Revoked {
                SessionEnd::Refused {
                    reason: message,
                    retry: false,
                }
            } else {
                SessionEnd::NeedsPairing {
                    reason: Some(message),
                }
            }
        }
        ErrorCode::VersionMismatch => SessionEnd::Refused {
            reason: message,
            retry: true,
        },
        other => lost(format!(
            "the server refused the connection ({other}): {message}"
        )),
    }
}

/// Subscribes, sends the outbox, and relays until the connection ends.
async fn live(link: &mut Link, conn: &mut Conn) -> Result<Infallible, SessionEnd> {
    let after_seq = link.sync.subscribe();
    conn.send(&ClientMessage::Subscribe { after_seq })?;
    pump(link, conn)?;
    let mut actions = Vec::new();
    let mut checkpoint_at: Option<Instant> = None;
    // Re-armed only when it fires, not on every frame.
    let idle = tokio::time::sleep_until(conn.idle_deadline());
    tokio::pin!(idle);
    loop {
        link.flush_wake();
        link.flush_answered_if_due().await;
        if checkpoint_at.is_none() && link.sync.is_dirty() && !link.sync.replaying() {
            checkpoint_at = Some(Instant::now() + CHECKPOINT_INTERVAL);
        }
        let resume_at = link.outbox.resume_at().map(Instant::from_std);
        tokio::select! {
            () = stopped(&mut link.stop) => return Err(SessionEnd::Stopped),
            frame = conn.stream.next() => {
                if let Some(message) = conn.on_frame(frame)? {
                    on_message(link, conn, message, &mut actions).await?;
                }
            }
            request = link.requests.recv() => {
                let handled = link.take_requests(request, true).await;
                for message in &handled.control {
                    conn.send(message)?;
                }
                if link.stopping {
                    return Err(SessionEnd::Stopped);
                }
                pump(link, conn)?;
            }
            () = &mut idle => {
                if Instant::now() >= conn.idle_deadline() {
                    conn.on_idle()?;
                }
                idle.as_mut().reset(conn.idle_deadline());
            }
            () = sleep_until(checkpoint_at) => {
                checkpoint_at = None;
                link.checkpoint().await;
            }
            () = sleep_until(resume_at) => pump(link, conn)?,
        }
    }
}

/// Sends outbox entries while the window allows.
fn pump(link: &mut Link, conn: &mut Conn) -> Result<(), SessionEnd> {
    let now = std::time::Instant::now();
    while let Some(entry) = link.outbox.next_to_send(now) {
        let message = ClientMessage::Command {
            key: entry.key.clone(),
            command: entry.command.clone(),
        };
        conn.send(&message)?;
    }
    Ok(())
}

async fn on_message(
    link: &mut Link,
    conn: &mut Conn,
    message: ServerMessage,
    actions: &mut Vec<SyncAction>,
) -> Result<(), SessionEnd> {
    match message {
        ServerMessage::Snapshot(snapshot) => link.sync.on_snapshot(snapshot, actions),
        ServerMessage::SnapshotPart {
            seq,
            stores,
            devices,
            orders,
            more,
        } => {
            let part = crate::protocol::Snapshot {
                seq,
                stores,
                orders,
                devices,
                more,
            };
            link.sync.on_snapshot_part(part, actions);
        }
        ServerMessage::Event(event) => link.sync.on_event(event, actions),
        ServerMessage::CaughtUp { seq } => link.sync.on_caught_up(seq, actions),
        ServerMessage::Ack {
            key,
            seq,
            order_id,
            store_id,
        } => {
            if link.outbox.on_ack(&key).is_some() {
                link.answered.push(key.clone());
                link.emit(LinkEvent::Acked {
                    key,
                    seq,
                    order_id,
                    store_id,
                })
                .await;
                pump(link, conn)?;
            } else {
                tracing::debug!(%key, "ack for a command not in flight");
            }
        }
        ServerMessage::Error {
            code,
            message,
            key: Some(key),
        } => match link.outbox.on_error(&key, code, std::time::Instant::now()) {
            ErrorOutcome::Rejected(_) => {
                tracing::info!(%key, %code, %message, "command rejected");
                link.answered.push(key.clone());
                link.emit(LinkEvent::Rejected { key, code, message }).await;
                pump(link, conn)?;
            }
            ErrorOutcome::Retry => tracing::debug!(%key, %code, "command to be sent again"),
            ErrorOutcome::Unknown => {
                link.emit(LinkEvent::Notice(format!("{code}: {message}")))
                    .await;
            }
        },
        ServerMessage::Error {
            code,
            message,
            key: None,
        } => match code {
            ErrorCode::Revoked => return Err(refusal(link, false, code, message).await),
            // A close follows; the reconnect loop reports it.
            ErrorCode::TooSlow | ErrorCode::Unavailable => {
                tracing::info!(%code, %message, "the server is ending this connection");
            }
            _ => link.emit(LinkEvent::Notice(message)).await,
        },
        ServerMessage::SiteStatus(status) => {
            link.emit(LinkEvent::SiteStatus(status)).await;
        }
        ServerMessage::Devices { devices, more } => {
            let last = devices.last().map(|d| d.device_id);
            conn.device_pages.extend(devices);
            match last {
                Some(after_device_id) if more => {
                    conn.send(&ClientMessage::ListDevices { after_device_id })?;
                }
                _ => {
                    let devices = std::mem::take(&mut conn.device_pages);
                    link.emit(LinkEvent::Devices(devices)).await;
                }
            }
        }
        ServerMessage::PairingCode {
            code,
            role,
            expires_at,
        } => {
            link.emit(LinkEvent::PairingCode {
                code,
                role,
                expires_at,
            })
            .await;
        }
        ServerMessage::Enrolled { .. }
        | ServerMessage::Welcome { .. }
        | ServerMessage::PairChallenge { .. } => {
            tracing::debug!("ignoring a handshake message after welcome");
        }
        // The link never asks for the log (that is for auditors' tools).
        ServerMessage::LogPage { .. } => tracing::debug!("ignoring an unasked log page"),
    }
    for action in actions.drain(..) {
        match action {
            SyncAction::Emit(event) => link.emit(event).await,
            SyncAction::Subscribe { after_seq } => {
                conn.send(&ClientMessage::Subscribe { after_seq })?;
            }
            SyncAction::Checkpoint => link.checkpoint().await,
        }
    }
    Ok(())
}
