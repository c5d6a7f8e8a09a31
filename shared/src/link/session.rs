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

use crate::protocol::{ClientMessage, ServerMessage, close_code};
use crate::transport::{self, ConnectError, WsStream};

use super::effects::{Effects, Outgoing, REQUEST_BATCH, sleep_until, stopped};
use super::logic::handshake::{Hello, Step};
use super::logic::{Action, LinkLogic, SessionEnd, lost};
use super::outbox::MAX_IN_FLIGHT;

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

/// The connection: our half of the socket plus the writer task's queue.
struct Conn {
    stream: SplitStream<Socket>,
    /// To the writer task; closed when the writer failed.
    out: mpsc::Sender<Message>,
    /// When the last frame of any kind arrived.
    last_received: Instant,
    /// A ping went out since `last_received`.
    ping_sent: bool,
}

impl Conn {
    fn send_frame(&mut self, frame: Message) -> Result<(), SessionEnd> {
        self.out.try_send(frame).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => lost("the connection is not keeping up"),
            mpsc::error::TrySendError::Closed(_) => lost("the connection failed while sending"),
        })
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

impl Outgoing for Conn {
    fn send(&mut self, message: &ClientMessage) -> Result<(), SessionEnd> {
        let json = serde_json::to_string(message)
            .map_err(|error| lost(format!("cannot encode a message: {error}")))?;
        self.send_frame(Message::text(json))
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

/// Runs one connection to `address` (`HOST:PORT`) from connect to end.
pub(super) async fn run(logic: &mut LinkLogic, effects: &mut Effects, address: &str) -> SessionEnd {
    let (hello, security) = match logic.hello() {
        Ok(hello) => hello,
        Err(end) => return end,
    };
    let connect = tokio::time::timeout(CONNECT_TIMEOUT, transport::connect(address, &security));
    let (socket, fingerprint) = tokio::select! {
        () = stopped(&mut effects.stop) => return SessionEnd::Stopped,
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
    };
    let mut session = Session {
        logic,
        effects,
        conn: &mut conn,
    };
    let end = match session.handshake(hello, address, fingerprint).await {
        Err(end) => end,
        Ok(()) => match session.live().await {
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
    let mut actions = Vec::new();
    session.logic.connection_lost(&end, &mut actions);
    // Only store writes come out of this; the connection is no longer used.
    let _ = session.perform(actions).await;
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

/// One connection's loops: the logic, the link's I/O and the socket together.
struct Session<'a> {
    logic: &'a mut LinkLogic,
    effects: &'a mut Effects,
    conn: &'a mut Conn,
}

impl Session<'_> {
    async fn perform(&mut self, actions: Vec<Action>) -> Result<(), SessionEnd> {
        self.effects
            .perform(self.logic, actions, &mut *self.conn)
            .await
    }

    /// Sends `auth` (or pairs) and waits for `welcome`. `fingerprint` is the
    /// certificate the server showed (`None` over plaintext).
    async fn handshake(
        &mut self,
        hello: Hello,
        address: &str,
        fingerprint: Option<String>,
    ) -> Result<(), SessionEnd> {
        let mut actions = Vec::new();
        let mut handshake = self
            .logic
            .start_handshake(hello, address, fingerprint, &mut actions);
        self.perform(actions).await?;
        let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
        loop {
            let message = tokio::select! {
                () = stopped(&mut self.effects.stop) => return Err(SessionEnd::Stopped),
                () = tokio::time::sleep_until(deadline) => {
                    return Err(lost(format!(
                        "{address} did not welcome this device within {} s",
                        HANDSHAKE_TIMEOUT.as_secs()
                    )));
                }
                frame = self.conn.stream.next() => self.conn.on_frame(frame)?,
            };
            let Some(message) = message else { continue };
            let mut actions = Vec::new();
            let step = self
                .logic
                .on_handshake_message(&mut handshake, message, &mut actions);
            self.perform(actions).await?;
            if step? == Step::Welcomed {
                return Ok(());
            }
        }
    }

    /// Subscribes, sends the outbox, and relays until the connection ends.
    async fn live(&mut self) -> Result<Infallible, SessionEnd> {
        let mut actions = Vec::new();
        self.logic
            .subscribe(std::time::Instant::now(), &mut actions);
        self.perform(actions).await?;
        let mut checkpoint_at: Option<Instant> = None;
        // Re-armed only when it fires, not on every frame.
        let idle = tokio::time::sleep_until(self.conn.idle_deadline());
        tokio::pin!(idle);
        loop {
            self.effects.flush_wake();
            let mut actions = Vec::new();
            self.logic.flush_answered_if_due(&mut actions);
            self.perform(actions).await?;
            if checkpoint_at.is_none() && self.logic.wants_checkpoint() {
                checkpoint_at = Some(Instant::now() + CHECKPOINT_INTERVAL);
            }
            let resume_at = self.logic.resume_at().map(Instant::from_std);
            let mut actions = Vec::new();
            tokio::select! {
                () = stopped(&mut self.effects.stop) => return Err(SessionEnd::Stopped),
                frame = self.conn.stream.next() => {
                    if let Some(message) = self.conn.on_frame(frame)? {
                        let handled = self.logic.on_live_message(
                            message,
                            std::time::Instant::now(),
                            &mut actions,
                        );
                        self.perform(actions).await?;
                        handled?;
                    }
                }
                request = self.effects.requests.recv() => {
                    let batch = self.effects.batch(request);
                    self.logic.on_requests(batch, true, &mut actions);
                    self.perform(actions).await?;
                    if self.logic.stopping() {
                        return Err(SessionEnd::Stopped);
                    }
                    let mut actions = Vec::new();
                    self.logic.pump(std::time::Instant::now(), &mut actions);
                    self.perform(actions).await?;
                }
                () = &mut idle => {
                    if Instant::now() >= self.conn.idle_deadline() {
                        self.conn.on_idle()?;
                    }
                    idle.as_mut().reset(self.conn.idle_deadline());
                }
                () = sleep_until(checkpoint_at) => {
                    checkpoint_at = None;
                    self.logic.checkpoint(&mut actions);
                    self.perform(actions).await?;
                }
                () = sleep_until(resume_at) => {
                    self.logic.pump(std::time::Instant::now(), &mut actions);
                    self.perform(actions).await?;
                }
            }
        }
    }
}
