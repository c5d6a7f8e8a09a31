//! One client socket, from handshake to close.
//!
//! Phases: WebSocket handshake, authentication (pairing or `auth`, bounded in time and
//! attempts), then the session: commands go to the writer and are answered in the
//! order they came; `subscribe` replays the log and then forwards live events.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use futures_util::stream::{FuturesOrdered, SplitStream};
use tokio::sync::{broadcast, mpsc};
use tokio::time::{Duration, timeout, timeout_at};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use packbell_shared::protocol::{
    ClientMessage, Command, DeviceId, ErrorCode, PROTOCOL_VERSION, Role, Seq, ServerMessage,
    close_code,
};

pub use packbell_shared::transport::{Io, websocket_config};

use super::outgoing::{self, Outgoing};
use super::parse::{self, BadFrame};
use super::rate::TokenBucket;
use crate::Context;
use crate::config::{DEVICES_PAGE, LOG_PAGE};
use crate::db::reader::{self, AuthOutcome, Authenticated};
use crate::fanout::{LiveEvent, message_text};
use crate::validate::Refusal;

/// Events read from the log per query while replaying.
const REPLAY_PAGE: usize = 1000;
/// How long shutdown waits for a connection's in-flight commits to be answered.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How long the sender task gets to deliver a close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

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
    let handshake = tokio_tungstenite::accept_async_with_config(stream, Some(websocket_config()));
    let ws = match timeout(ctx.limits.auth_timeout, handshake).await {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => {
            tracing::debug!(%peer, "handshake failed: {e}");
            return;
        }
        Err(_) => {
            tracing::debug!(%peer, "handshake timed out");
            return;
        }
    };
    let (sink, mut source) = ws.split();
    let (out, queue) = mpsc::channel(ctx.limits.outgoing_queue);
    let mut sender = tokio::spawn(outgoing::run(sink, queue));
    let mut session = Session::new(ctx, out.clone());
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
pub async fn refuse_full(stream: Box<dyn Io>) {
    let handshake = tokio_tungstenite::accept_async_with_config(stream, Some(websocket_config()));
    if let Ok(Ok(ws)) = timeout(CLOSE_GRACE, handshake).await {
        let (sink, _source) = ws.split();
        let (out, queue) = mpsc::channel(2);
        let _ = out.try_send(Outgoing::Text(message_text(&ServerMessage::Error {
            code: ErrorCode::Unavailable,
            message: "the server has too many connections; try again later".into(),
            key: None,
        })));
        let _ = out.try_send(Outgoing::Close {
            code: close_code::TRY_AGAIN_LATER,
            reason: "server full".into(),
        });
        drop(out);
        let _ = timeout(CLOSE_GRACE, outgoing::run(sink, queue)).await;
    }
}

pub(super) struct Session {
    pub(super) ctx: Arc<Context>,
    /// Frames to the sender task; bounded. A queue that stays full drops the client
    /// (it reconnects and catches up), so it cannot hold anyone else back.
    out: mpsc::Sender<Outgoing>,
    /// Answers to commands and requests, in the order they came.
    answers: FuturesOrdered<Answer>,
    /// Live events, from authentication on (so revocation reaches every socket).
    live: Option<broadcast::Receiver<Arc<LiveEvent>>>,
    /// Whether the client asked for events; until then live events are not forwarded.
    subscribed: bool,
    /// Highest seq sent on this socket; live events at or below it are skipped.
    last_sent: Seq,
    /// When anything last arrived from the peer (frames, pongs).
    last_heard: Instant,
    bucket: TokenBucket,
}

impl Session {
    fn new(ctx: Arc<Context>, out: mpsc::Sender<Outgoing>) -> Self {
        let limits = &ctx.limits;
        let bucket = TokenBucket::new(
            limits.commands_per_second,
            limits.command_burst,
            Instant::now(),
        );
        Session {
            ctx,
            out,
            answers: FuturesOrdered::new(),
            live: None,
            subscribed: false,
            last_sent: 0,
            last_heard: Instant::now(),
            bucket,
        }
    }

    async fn run(&mut self, source: &mut Source) -> End {
        let device = match self.authenticate(source).await {
            Ok(device) => device,
            Err(end) => return end,
        };
        let _presence = self.ctx.presence.enter(device.device_id, device.role);
        self.live = Some(self.ctx.fanout.subscribe());
        self.ctx.writer.touch(device.device_id);
        let end = self.serve(source, &device).await;
        self.ctx.writer.touch(device.device_id);
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
        })
        .await
    }

    async fn authenticate(&mut self, source: &mut Source) -> Result<Authenticated, End> {
        let deadline = tokio::time::Instant::now() + self.ctx.limits.auth_timeout;
        let mut failures = 0;
        loop {
            if failures >= self.ctx.limits.max_auth_failures {
                return Err(close(close_code::POLICY, "too many failed attempts"));
            }
            let shutdown = self.ctx.shutdown.clone();
            let next = tokio::select! {
                _ = shutdown.cancelled() => {
                    return Err(close(close_code::GOING_AWAY, "server shutting down"));
                }
                next = timeout_at(deadline, source.next()) => next,
            };
            let frame = match next {
                Err(_) => {
                    self.send_error(
                        ErrorCode::NotAuthenticated,
                        "authentication timed out",
                        None,
                    )
                    .await?;
                    return Err(close(close_code::POLICY, "authentication timed out"));
                }
                Ok(frame) => frame,
            };
            let text = match self.read_text(frame).await? {
                Some(text) => text,
                None => continue,
            };
            match parse::client_message(&text) {
                Err(bad) => {
                    self.refuse_frame(bad).await?;
                    failures += 1;
                }
                Ok(ClientMessage::PairStart {
                    code_slot,
                    device_name,
                    spake2,
                    ..
                }) => {
                    let start = PairStart {
                        code_slot,
                        device_name,
                        spake2,
                    };
                    match self.pair(source, deadline, start).await? {
                        Some(device) => return Ok(device),
                        None => failures += 1,
                    }
                }
                Ok(ClientMessage::Auth {
                    device_id, token, ..
                }) => {
                    let outcome = self
                        .ctx
                        .reader
                        .run(move |conn| reader::authenticate(conn, device_id, &token))
                        .await;
                    match outcome {
                        Ok(AuthOutcome::Ok(device)) => {
                            self.welcome(&device).await?;
                            return Ok(device);
                        }
                        Ok(AuthOutcome::Revoked) => {
                            self.send_error(ErrorCode::Revoked, "this device was revoked", None)
                                .await?;
                            return Err(close(close_code::POLICY, "device revoked"));
                        }
                        Ok(AuthOutcome::Failed) => {
                            self.send_error(
                                ErrorCode::AuthFailed,
                                "unknown device or wrong token",
                                None,
                            )
                            .await?;
                            failures += 1;
                        }
                        Err(e) => {
                            tracing::error!("authentication lookup failed: {e}");
                            self.send_error(ErrorCode::Internal, "try again later", None)
                                .await?;
                            return Err(close(close_code::TRY_AGAIN_LATER, "internal error"));
                        }
                    }
                }
                Ok(_) => {
                    self.send_error(
                        ErrorCode::NotAuthenticated,
                        "send pair_start or auth first",
                        None,
                    )
                    .await?;
                    failures += 1;
                }
            }
        }
    }

    pub(super) async fn welcome(&mut self, device: &Authenticated) -> Result<(), End> {
        let head_seq = self.ctx.reader.run(reader::head_seq).await.map_err(|e| {
            tracing::error!("reading head seq failed: {e}");
            close(close_code::TRY_AGAIN_LATER, "internal error")
        })?;
        self.send(&ServerMessage::Welcome {
            protocol: PROTOCOL_VERSION,
            server_id: self.ctx.server_id.clone(),
            site: self.ctx.site.clone(),
            server_version: env!("CARGO_PKG_VERSION").to_owned(),
            device_id: device.device_id,
            role: device.role,
            head_seq,
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
        match frame {
            None | Some(Ok(Message::Close(_))) => Err(End::Drop),
            Some(Ok(Message::Text(text))) => Ok(Some(text.to_string())),
            Some(Ok(Message::Binary(_))) => {
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
                Err(End::Drop)
            }
        }
    }

    async fn refuse_frame(&mut self, bad: BadFrame) -> Result<(), End> {
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
            let result = tokio::select! {
                biased;
                _ = shutdown.cancelled() => return self.finish_for_shutdown().await,
                Some(answer) = self.answers.next(), if !self.answers.is_empty() => {
                    self.send(&answer).await
                }
                live = recv_live(&mut self.live) => self.forward_live(live, device).await,
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
            Err(bad) => return self.answer_in_order(bad.code, bad.message, bad.key),
        };
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
        }
    }

    /// Queues an error behind the answers still pending, so answers keep their order.
    fn answer_in_order(
        &mut self,
        code: ErrorCode,
        message: impl Into<String>,
        key: Option<String>,
    ) -> Result<(), End> {
        let message = ServerMessage::Error {
            code,
            message: message.into(),
            key,
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
        if !self.bucket.take(Instant::now()) {
            return self.answer_in_order(
                ErrorCode::RateLimited,
                "too many commands; slow down and retry",
                Some(key),
            );
        }
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
                },
            }
        });
        self.answers.push_back(answer);
        Ok(())
    }

    fn list_devices(&mut self, device: &Authenticated, after: DeviceId) -> Result<(), End> {
        if device.role != Role::Admin {
            return self.answer_in_order(ErrorCode::Forbidden, "admins only", None);
        }
        let reader = self.ctx.reader.clone();
        let presence = self.ctx.presence.clone();
        self.answers.push_back(Box::pin(async move {
            // One more than a page, to know whether another page follows.
            let read = reader
                .run(move |conn| reader::devices(conn, after, DEVICES_PAGE + 1))
                .await;
            match read {
                Ok(mut devices) => {
                    let beyond_page = devices.len() > DEVICES_PAGE;
                    devices.truncate(DEVICES_PAGE);
                    for d in &mut devices {
                        d.connected = presence.is_connected(d.device_id);
                    }
                    let envelope = r#"{"type":"devices","devices":[],"more":true}"#.len();
                    let (devices, cut) = super::snapshot::fitting_page(devices, envelope);
                    ServerMessage::Devices {
                        devices,
                        more: beyond_page || cut,
                    }
                }
                Err(e) => {
                    tracing::error!("listing devices failed: {e}");
                    internal_error()
                }
            }
        }));
        Ok(())
    }

    /// One page of the log after `after`, for auditors; bounded like every answer.
    fn read_log(&mut self, device: &Authenticated, after: Seq) -> Result<(), End> {
        if device.role != Role::Admin {
            return self.answer_in_order(ErrorCode::Forbidden, "admins only", None);
        }
        let reader = self.ctx.reader.clone();
        self.answers.push_back(Box::pin(async move {
            let read = reader
                .run(move |conn| {
                    let head = reader::head_seq(conn)?;
                    Ok((reader::events_between(conn, after, head, LOG_PAGE)?, head))
                })
                .await;
            match read {
                Ok((events, head)) => {
                    let envelope = r#"{"type":"log_page","events":[],"more":true}"#.len();
                    let (events, _) = super::snapshot::fitting_page(events, envelope);
                    let more = events.last().is_some_and(|last| last.seq < head);
                    ServerMessage::LogPage { events, more }
                }
                Err(e) => {
                    tracing::error!("reading the log failed: {e}");
                    internal_error()
                }
            }
        }));
        Ok(())
    }

    fn site_status(&mut self, device: &Authenticated) -> Result<(), End> {
        if device.role != Role::Admin {
            return self.answer_in_order(ErrorCode::Forbidden, "admins only", None);
        }
        let ctx = self.ctx.clone();
        self.answers.push_back(Box::pin(async move {
            let head_seq = match ctx.reader.run(reader::head_seq).await {
                Ok(seq) => seq,
                Err(e) => {
                    tracing::error!("reading head seq failed: {e}");
                    return internal_error();
                }
            };
            let db = crate::db::db_path(&ctx.data_dir);
            let mut database_bytes = 0;
            for suffix in ["", "-wal"] {
                let mut path = db.clone().into_os_string();
                path.push(suffix);
                if let Ok(meta) = tokio::fs::metadata(&path).await {
                    database_bytes += meta.len();
                }
            }
            let (office, warehouse, admin) = ctx.presence.sockets_by_role();
            let now = chrono::Utc::now();
            ServerMessage::SiteStatus(packbell_shared::protocol::SiteStatus {
                server_version: env!("CARGO_PKG_VERSION").to_owned(),
                started_at: ctx.started_at,
                uptime_seconds: u64::try_from((now - ctx.started_at).num_seconds()).unwrap_or(0),
                connected_office: office,
                connected_warehouse: warehouse,
                connected_admin: admin,
                database_bytes,
                head_seq,
            })
        }));
        Ok(())
    }

    fn new_pairing_code(&mut self, device: &Authenticated, role: Role) -> Result<(), End> {
        if device.role != Role::Admin {
            return self.answer_in_order(ErrorCode::Forbidden, "admins only", None);
        }
        let writer = self.ctx.writer.clone();
        let expires_at = chrono::Utc::now()
            + chrono::Duration::from_std(self.ctx.limits.pairing_code_ttl)
                .unwrap_or(chrono::Duration::minutes(10));
        self.answers.push_back(Box::pin(async move {
            match writer.new_pairing_code(role, expires_at).await {
                Ok(code) => ServerMessage::PairingCode {
                    code,
                    role,
                    expires_at,
                },
                Err(refusal) => ServerMessage::Error {
                    code: refusal.code,
                    message: refusal.message,
                    key: None,
                },
            }
        }));
        Ok(())
    }

    /// Subscribes to live events first, then sends the log from `after_seq` (or a
    /// snapshot), so nothing committed in between can be missed; live events at or
    /// below what was sent are skipped, so nothing is sent twice.
    async fn subscribe(&mut self, after_seq: Seq) -> Result<(), End> {
        self.subscribed = true;
        let head = self.read(reader::head_seq).await?;
        let behind = head.saturating_sub(after_seq);
        if after_seq == 0 || after_seq > head || behind > self.ctx.limits.max_replay {
            let snapshot = self
                .read(|conn| reader::snapshot(conn, chrono::Utc::now()))
                .await?;
            self.last_sent = snapshot.seq;
            for frame in super::snapshot::split_snapshot(snapshot) {
                self.send(&frame).await?;
            }
        } else {
            self.replay(after_seq, head).await?;
        }
        self.send(&ServerMessage::CaughtUp {
            seq: self.last_sent,
        })
        .await
    }

    /// Sends the logged events in `(after, up_to]`.
    async fn replay(&mut self, mut after: Seq, up_to: Seq) -> Result<(), End> {
        while after < up_to {
            let page = self
                .read(move |conn| reader::events_between(conn, after, up_to, REPLAY_PAGE))
                .await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for event in page {
                self.send(&ServerMessage::Event(event)).await?;
            }
        }
        self.last_sent = self.last_sent.max(up_to);
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
                    Err(mpsc::error::TrySendError::Full(frame)) => {
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
                    Err(mpsc::error::TrySendError::Closed(_)) => Err(()),
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
                self.replay(self.last_sent, head).await
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

fn internal_error() -> ServerMessage {
    ServerMessage::Error {
        code: ErrorCode::Internal,
        message: "the server could not read its data; try again".into(),
        key: None,
    }
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
