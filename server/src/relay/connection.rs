//! One client socket, from handshake to close.
//!
//! Phases: WebSocket handshake, authentication (pairing or `auth`, bounded in time and
//! attempts: [`super::auth`]), then the session: commands go to the writer and are answered in the
//! order they came; `subscribe` replays the log and then forwards live events.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use futures_util::stream::{FuturesOrdered, SplitStream};
use tokio::sync::broadcast;
use tokio::time::{Duration, timeout, timeout_at};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::{CapacityError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use packbell_shared::protocol::{
    ClientMessage, Command, ErrorCode, Role, Seq, ServerMessage, close_code,
};

pub use packbell_shared::transport::{Io, websocket_config};

use super::catch_up::CatchUp;
use super::failure_log::Failure;
use super::outgoing::{self, Outgoing, OutgoingQueue, TrySendError};
use super::parse::{self, BadFrame};
use super::receipts::recv_receipt;
use crate::Context;
use crate::config::{EXPORT_PIECE_COST, LOG_PAGE_COST, REQUEST_COST, SUBSCRIBE_COST};
use crate::db::reader::{self, Authenticated};
use crate::fanout::{LiveEvent, message_text};
use crate::validate::Refusal;

/// How long shutdown waits for a connection's in-flight commits to be answered.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How long the sender task gets to deliver a close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// Bytes read from a socket at a time. tungstenite allocates this eagerly for every
/// socket (128 KiB by default); requests are small, and a frame larger than it is
/// still read whole (up to the frame limit), just in more steps.
const READ_BUFFER_BYTES: usize = 8 * 1024;
/// Bytes collected before tungstenite writes to the socket; the sender flushes after
/// every batch anyway, so this only bounds what one socket holds in its write buffer.
const WRITE_BUFFER_BYTES: usize = 16 * 1024;

/// The server's WebSocket settings: the shared frame limits, with small per-socket
/// buffers so that many idle or hostile sockets hold little memory.
pub fn server_websocket_config() -> WebSocketConfig {
    websocket_config()
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(WRITE_BUFFER_BYTES + 2 * packbell_shared::protocol::MAX_FRAME_BYTES)
}

type Answer = Pin<Box<dyn Future<Output = ServerMessage> + Send>>;
pub(super) type Source = SplitStream<WebSocketStream<Box<dyn Io>>>;

/// The fields of a `pair_start` message.
pub(super) struct PairStart {
    pub(super) code_slot: String,
    pub(super) device_name: String,
    pub(super) spake2: String,
}

/// Why a connection ends.
#[derive(Debug)]
pub(super) enum End {
    /// Send this close frame, then stop.
    Close { code: u16, reason: String },
    /// The peer went away or cannot be told anything; just drop the socket.
    Drop,
}

pub(super) fn close(code: u16, reason: impl Into<String>) -> End {
    End::Close {
        code,
        reason: reason.into(),
    }
}

/// Serves one accepted TCP stream until it closes.
pub async fn serve(stream: Box<dyn Io>, peer: SocketAddr, ctx: Arc<Context>) {
    let handshake =
        tokio_tungstenite::accept_async_with_config(stream, Some(server_websocket_config()));
    let ws = match timeout(ctx.limits.auth_timeout, handshake).await {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => {
            tracing::debug!(%peer, "handshake failed: {e}");
            ctx.failures.record(Failure::Handshake);
            return;
        }
        Err(_) => {
            tracing::debug!(%peer, "handshake timed out");
            ctx.failures.record(Failure::Handshake);
            return;
        }
    };
    let (sink, mut source) = ws.split();
    let (out, queue) = OutgoingQueue::new(
        ctx.limits.outgoing_queue,
        ctx.limits.outgoing_bytes,
        ctx.stats.clone(),
    );
    let mut sender = tokio::spawn(outgoing::run(sink, queue));
    let mut session = Session::new(ctx, peer, out.clone());
    let end = session.run(&mut source).await;
    drop(session);
    tracing::debug!(%peer, ?end, "connection ends");
    match end {
        End::Close { code, reason } => {
            let _ = timeout(CLOSE_GRACE, out.send(Outgoing::Close { code, reason })).await;
            drop(out);
            if timeout(CLOSE_GRACE, &mut sender).await.is_err() {
                sender.abort();
            }
        }
        End::Drop => sender.abort(),
    }
}

/// Answers a socket that arrived while the server was full: handshake, then 1013.
/// The caller bounds how long this may take.
pub async fn refuse_full(stream: Box<dyn Io>) {
    let handshake =
        tokio_tungstenite::accept_async_with_config(stream, Some(server_websocket_config()));
    if let Ok(ws) = handshake.await {
        let (sink, _source) = ws.split();
        let (out, queue) = OutgoingQueue::new(2, usize::MAX, Default::default());
        let _ = out.try_send(Outgoing::Text(message_text(&ServerMessage::Error {
            code: ErrorCode::Unavailable,
            message: "the server has too many connections; try again later".into(),
            key: None,
            export_id: None,
        })));
        let _ = out.try_send(Outgoing::Close {
            code: close_code::TRY_AGAIN_LATER,
            reason: "server full".into(),
        });
        drop(out);
        outgoing::run(sink, queue).await;
    }
}

pub(super) struct Session {
    pub(super) ctx: Arc<Context>,
    pub(super) peer: SocketAddr,
    /// Frames to the sender task; bounded in frames and bytes. A queue that stays
    /// full drops the client (it reconnects and catches up), so it cannot hold anyone
    /// else back.
    pub(super) out: OutgoingQueue,
    /// Answers to commands and requests, in the order they came.
    pub(super) answers: FuturesOrdered<Answer>,
    /// Live events, from authentication on (so revocation reaches every socket).
    live: Option<broadcast::Receiver<Arc<LiveEvent>>>,
    /// Whether the client asked for events; until then live events are not forwarded.
    pub(super) subscribed: bool,
    /// Highest seq sent on this socket; live events at or below it are skipped.
    pub(super) last_sent: Seq,
    /// When anything last arrived from the peer (frames, pongs).
    last_heard: Instant,
    /// Whether `auth` or pairing succeeded on this socket.
    authenticated: bool,
    /// Frames this socket sent that the server could not use at all.
    bad_frames: u32,
    /// The snapshot or replay being sent; live events wait until it is done, and a
    /// new `subscribe` replaces it.
    pub(super) catch_up: Option<CatchUp>,
    /// The CSV export this socket is pulling, if any.
    pub(super) export: Option<super::export::RunningExport>,
    /// Receipt frames, for office and admin sockets once they subscribed.
    pub(super) receipts: Option<broadcast::Receiver<tokio_tungstenite::tungstenite::Utf8Bytes>>,
}

impl Session {
    fn new(ctx: Arc<Context>, peer: SocketAddr, out: OutgoingQueue) -> Self {
        Session {
            ctx,
            peer,
            out,
            answers: FuturesOrdered::new(),
            live: None,
            subscribed: false,
            last_sent: 0,
            last_heard: Instant::now(),
            authenticated: false,
            bad_frames: 0,
            catch_up: None,
            export: None,
            receipts: None,
        }
    }

    async fn run(&mut self, source: &mut Source) -> End {
        let device = match self.authenticate(source).await {
            Ok(device) => device,
            Err(end) => return end,
        };
        self.authenticated = true;
        let presence = self.ctx.presence.enter(device.device_id, device.role);
        let warehouse = device.role == Role::Warehouse;
        if warehouse {
            self.ctx.receipts.warehouses_changed(&self.ctx.presence);
        }
        self.live = Some(self.ctx.fanout.subscribe());
        self.ctx.writer.touch(device.device_id);
        let end = self.serve(source, &device).await;
        self.ctx.writer.touch(device.device_id);
        drop(presence);
        if warehouse {
            self.ctx.receipts.warehouses_changed(&self.ctx.presence);
        }
        end
    }

    /// Sends a message, waiting for room in the queue (for answers and replays, which
    /// must not be skipped). A client that does not drain it within the idle timeout is
    /// dropped.
    pub(super) async fn send(&mut self, message: &ServerMessage) -> Result<(), End> {
        let frame = Outgoing::Text(message_text(message));
        match timeout(self.ctx.limits.idle_timeout, self.out.send(frame)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::Drop),
            Err(_) => Err(End::Drop),
        }
    }

    /// Counts a frame the server cannot use; the one that reaches the limit closes
    /// the socket instead of being answered.
    pub(super) fn count_bad_frame(&mut self) -> Result<(), End> {
        self.bad_frames += 1;
        if !self.authenticated {
            self.ctx.failures.record(Failure::BadFrame);
        }
        if self.bad_frames >= self.ctx.limits.max_bad_frames {
            return Err(close(close_code::POLICY, "too many bad frames"));
        }
        Ok(())
    }

    pub(super) async fn send_error(
        &mut self,
        code: ErrorCode,
        message: impl Into<String>,
        key: Option<String>,
    ) -> Result<(), End> {
        self.send(&ServerMessage::Error {
            code,
            message: message.into(),
            key,
            export_id: None,
        })
        .await
    }

    /// Turns a received frame into text, answering the frames that are not.
    /// `Ok(None)`: nothing to handle (ping, pong, binary answered with an error).
    pub(super) async fn read_text(
        &mut self,
        frame: Option<Result<Message, WsError>>,
    ) -> Result<Option<String>, End> {
        self.last_heard = Instant::now();
        let authenticated = self.authenticated;
        match frame {
            None | Some(Ok(Message::Close(_))) => Err(End::Drop),
            Some(Ok(Message::Text(text))) => Ok(Some(text.to_string())),
            Some(Ok(Message::Binary(_))) => {
                self.count_bad_frame()?;
                self.send_error(
                    ErrorCode::MalformedMessage,
                    "binary frames are not used; send JSON text frames",
                    None,
                )
                .await?;
                Ok(None)
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => Ok(None),
            Some(Err(WsError::Capacity(CapacityError::MessageTooLong { size, max_size }))) => {
                self.send_error(
                    ErrorCode::FrameTooLarge,
                    format!("a frame of {size} bytes exceeds the limit of {max_size}"),
                    None,
                )
                .await?;
                Err(close(close_code::TOO_BIG, "frame too large"))
            }
            Some(Err(e)) => {
                tracing::debug!("read error: {e}");
                let end = frame_error_end(&e);
                if !authenticated && matches!(end, End::Close { .. }) {
                    self.ctx.failures.record(Failure::BadFrame);
                }
                Err(end)
            }
        }
    }

    pub(super) async fn refuse_frame(&mut self, bad: BadFrame) -> Result<(), End> {
        let fatal = bad.code == ErrorCode::VersionMismatch;
        self.send_error(bad.code, bad.message, bad.key).await?;
        if fatal {
            return Err(close(
                close_code::VERSION_MISMATCH,
                "protocol version mismatch",
            ));
        }
        Ok(())
    }

    async fn serve(&mut self, source: &mut Source, device: &Authenticated) -> End {
        let mut pings = tokio::time::interval(self.ctx.limits.ping_interval);
        pings.reset();
        let shutdown = self.ctx.shutdown.clone();
        loop {
            let can_read = self.answers.len() < self.ctx.limits.max_in_flight;
            let catching_up = self.catch_up.is_some();
            let catch_up_frame = self.catch_up.as_ref().and_then(CatchUp::next_frame);
            let result = tokio::select! {
                biased;
                _ = shutdown.cancelled() => return self.finish_for_shutdown().await,
                // Answers wait while a catch-up is sent, so the parts of a split
                // snapshot stay together.
                Some(answer) = self.answers.next(), if !self.answers.is_empty() && !catching_up => {
                    self.send(&answer).await
                }
                live = recv_live(&mut self.live), if !catching_up => {
                    self.forward_live(live, device).await
                }
                receipt = recv_receipt(&mut self.receipts), if !catching_up => {
                    self.forward_receipt(receipt).await
                }
                room = reserve_until(&self.out, catch_up_frame), if catch_up_frame.is_some() => {
                    self.push_catch_up(room).await
                }
                frame = source.next(), if can_read => self.handle_frame(frame, device).await,
                _ = pings.tick() => self.keepalive(),
            };
            if let Err(end) = result {
                return end;
            }
        }
    }

    async fn finish_for_shutdown(&mut self) -> End {
        let answers = async {
            while let Some(answer) = self.answers.next().await {
                if self.send(&answer).await.is_err() {
                    break;
                }
            }
        };
        let _ = timeout(SHUTDOWN_GRACE, answers).await;
        close(close_code::GOING_AWAY, "server shutting down")
    }

    fn keepalive(&self) -> Result<(), End> {
        if self.last_heard.elapsed() > self.ctx.limits.idle_timeout {
            tracing::debug!("peer silent for too long, dropping");
            return Err(End::Drop);
        }
        // A full queue already means the peer is behind; it will be dropped elsewhere.
        let _ = self.out.try_send(Outgoing::Ping);
        Ok(())
    }

    async fn handle_frame(
        &mut self,
        frame: Option<Result<Message, WsError>>,
        device: &Authenticated,
    ) -> Result<(), End> {
        let Some(text) = self.read_text(frame).await? else {
            return Ok(());
        };
        let message = match parse::client_message(&text) {
            Ok(message) => message,
            Err(bad) => {
                if is_unusable(&bad) {
                    self.count_bad_frame()?;
                }
                return self.answer_in_order(bad.code, bad.message, bad.key);
            }
        };
        if let Some(cost) = request_cost(&message)
            && !self.charge(device, cost)
        {
            let key = match message {
                ClientMessage::Command { key, .. } => Some(key),
                _ => None,
            };
            return self.refuse_over_budget(key);
        }
        match message {
            ClientMessage::PairStart { .. }
            | ClientMessage::PairConfirm { .. }
            | ClientMessage::Auth { .. } => self.answer_in_order(
                ErrorCode::NotAuthenticated,
                "this socket is already authenticated",
                None,
            ),
            ClientMessage::Subscribe { after_seq } => self.subscribe(after_seq).await,
            ClientMessage::Command { key, command } => self.command(device, key, command).await,
            ClientMessage::ListDevices { after_device_id } => {
                self.list_devices(device, after_device_id)
            }
            ClientMessage::NewPairingCode { role } => self.new_pairing_code(device, role),
            ClientMessage::SiteStatus {} => self.site_status(device),
            ClientMessage::ReadLog { after_seq } => self.read_log(device, after_seq),
            ClientMessage::ExportStart {
                export_id,
                kind,
                from,
                to,
                stores,
                delimiter,
            } => self.export_start(
                device,
                export_id,
                super::export::ExportAsked {
                    kind,
                    from,
                    to,
                    stores,
                    delimiter,
                },
            ),
            ClientMessage::ExportNext { export_id } => self.export_next(device, export_id),
            ClientMessage::ExportCancel { export_id } => self.export_cancel(device, export_id),
            ClientMessage::Receipt {
                order_id,
                stage,
                why,
            } => self.receipt(device, order_id, stage, why).await,
            ClientMessage::WatchReceipts {} => self.watch_receipts(device).await,
        }
    }

    /// Charges a request to its device's budget, shared by all the device's sockets.
    fn charge(&self, device: &Authenticated, cost: f64) -> bool {
        self.ctx.budgets.charge_device(device.device_id, cost)
    }

    fn refuse_over_budget(&mut self, key: Option<String>) -> Result<(), End> {
        self.answer_in_order(
            ErrorCode::RateLimited,
            "this device sends too many requests; slow down and retry",
            key,
        )
    }

    /// Queues an error behind the answers still pending, so answers keep their order.
    pub(super) fn answer_in_order(
        &mut self,
        code: ErrorCode,
        message: impl Into<String>,
        key: Option<String>,
    ) -> Result<(), End> {
        let message = ServerMessage::Error {
            code,
            message: message.into(),
            key,
            export_id: None,
        };
        self.answers
            .push_back(Box::pin(std::future::ready(message)));
        Ok(())
    }

    async fn command(
        &mut self,
        device: &Authenticated,
        key: String,
        command: Command,
    ) -> Result<(), End> {
        if !command.allowed_for(device.role) {
            return self.answer_in_order(
                ErrorCode::Forbidden,
                format!("the {} role may not do this", device.role.as_str()),
                Some(key),
            );
        }
        let pending = self
            .ctx
            .writer
            .command(device.device_id, key.clone(), command)
            .await;
        let answer: Answer = Box::pin(async move {
            let result = match pending {
                Ok(receiver) => receiver.await.unwrap_or_else(|_| {
                    Err(Refusal::new(
                        ErrorCode::Unavailable,
                        "the server is stopping",
                    ))
                }),
                Err(refusal) => Err(refusal),
            };
            match result {
                Ok(done) => ServerMessage::Ack {
                    key,
                    seq: done.seq,
                    order_id: done.order_id,
                    store_id: done.store_id,
                },
                Err(refusal) => ServerMessage::Error {
                    code: refusal.code,
                    message: refusal.message,
                    key: Some(key),
                    export_id: None,
                },
            }
        });
        self.answers.push_back(answer);
        Ok(())
    }

    async fn forward_live(
        &mut self,
        live: Result<Arc<LiveEvent>, broadcast::error::RecvError>,
        device: &Authenticated,
    ) -> Result<(), End> {
        match live {
            Ok(event) => {
                if event.revoked_device == Some(device.device_id) {
                    self.send_error(ErrorCode::Revoked, "this device was revoked", None)
                        .await?;
                    return Err(close(close_code::POLICY, "device revoked"));
                }
                let role_changed = event.role_changed_device == Some(device.device_id);
                if !self.subscribed || event.seq <= self.last_sent {
                    if role_changed {
                        return Err(close(close_code::ROLE_CHANGED, "role changed; reconnect"));
                    }
                    return Ok(());
                }
                let frame = Outgoing::Text(event.frame.clone());
                let sent = match self.out.try_send(frame) {
                    Ok(()) => Ok(()),
                    Err(TrySendError::Full(frame)) => {
                        // Busy or stalled: wait a bounded time, then give up on it.
                        let grace = self.ctx.limits.stalled_client_timeout;
                        match timeout(grace, self.out.send(frame)).await {
                            Ok(sent) => sent.map_err(|_| ()),
                            Err(_) => {
                                tracing::info!(
                                    device_id = device.device_id,
                                    "client stopped reading, dropping"
                                );
                                Err(())
                            }
                        }
                    }
                    Err(TrySendError::Closed) => Err(()),
                };
                match sent {
                    Ok(()) if role_changed => {
                        self.last_sent = event.seq;
                        Err(close(close_code::ROLE_CHANGED, "role changed; reconnect"))
                    }
                    Ok(()) => {
                        self.last_sent = event.seq;
                        Ok(())
                    }
                    Err(()) => Err(End::Drop),
                }
            }
            Err(broadcast::error::RecvError::Lagged(_)) if !self.subscribed => Ok(()),
            Err(broadcast::error::RecvError::Lagged(_)) => {
                // This task fell behind the ring: the log has what it skipped.
                let head = self.read(reader::head_seq).await?;
                let patience = self.ctx.limits.idle_timeout;
                self.start_catch_up(CatchUp::replay(self.last_sent, head, false, patience))
                    .await
            }
            Err(broadcast::error::RecvError::Closed) => {
                Err(close(close_code::GOING_AWAY, "server shutting down"))
            }
        }
    }

    pub(super) async fn read<T, F>(&mut self, f: F) -> Result<T, End>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, crate::db::DbError> + Send + 'static,
    {
        match self.ctx.reader.run(f).await {
            Ok(value) => Ok(value),
            Err(e) => {
                tracing::error!("read failed: {e}");
                let _ = self.send(&internal_error()).await;
                Err(close(close_code::TRY_AGAIN_LATER, "internal error"))
            }
        }
    }
}

pub(super) fn internal_error() -> ServerMessage {
    ServerMessage::Error {
        code: ErrorCode::Internal,
        message: "the server could not read its data; try again".into(),
        key: None,
        export_id: None,
    }
}

/// What a request costs its device's budget; `None` for the messages that are refused
/// anyway on an authenticated socket.
fn request_cost(message: &ClientMessage) -> Option<f64> {
    match message {
        ClientMessage::PairStart { .. }
        | ClientMessage::PairConfirm { .. }
        | ClientMessage::Auth { .. } => None,
        ClientMessage::Subscribe { .. } => Some(SUBSCRIBE_COST),
        ClientMessage::ReadLog { .. }
        | ClientMessage::ExportStart { .. }
        | ClientMessage::WatchReceipts {} => Some(LOG_PAGE_COST),
        ClientMessage::ExportNext { .. } | ClientMessage::ExportCancel { .. } => {
            Some(EXPORT_PIECE_COST)
        }
        ClientMessage::Command { .. }
        | ClientMessage::Receipt { .. }
        | ClientMessage::ListDevices { .. }
        | ClientMessage::NewPairingCode { .. }
        | ClientMessage::SiteStatus { .. } => Some(REQUEST_COST),
    }
}

/// Frames that say nothing the server can use: not JSON, not an object, no or an
/// unknown `type`. (A known message with a bad field is answered, not counted.)
pub(super) fn is_unusable(bad: &BadFrame) -> bool {
    bad.key.is_none()
        && matches!(
            bad.code,
            ErrorCode::MalformedMessage | ErrorCode::UnknownType
        )
}

/// How to end after a read error: RFC 6455 asks for 1002 after a protocol violation
/// and 1007 after text that is not UTF-8; a peer that vanished is just dropped.
fn frame_error_end(error: &WsError) -> End {
    match error {
        WsError::Utf8(_) => close(close_code::INVALID_DATA, "text frame is not UTF-8"),
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => End::Drop,
        WsError::Protocol(_) => close(close_code::PROTOCOL_ERROR, "protocol violation"),
        _ => End::Drop,
    }
}

/// Waits for room for the next catch-up frame of `frame` = (bytes, give-up time).
async fn reserve_until(
    out: &OutgoingQueue,
    frame: Option<(usize, tokio::time::Instant)>,
) -> Option<Result<outgoing::Slot, outgoing::Closed>> {
    let (bytes, give_up_at) = frame?;
    timeout_at(give_up_at, out.reserve(bytes)).await.ok()
}

/// Waits for the next live event, or forever when not subscribed.
async fn recv_live(
    live: &mut Option<broadcast::Receiver<Arc<LiveEvent>>>,
) -> Result<Arc<LiveEvent>, broadcast::error::RecvError> {
    match live {
        Some(receiver) => receiver.recv().await,
        None => std::future::pending().await,
    }
}
