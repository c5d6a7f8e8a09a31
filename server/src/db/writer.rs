//! The writer thread: the only owner of the write connection.
//!
//! Async tasks send it requests over a bounded channel, each with a oneshot for the
//! answer. It drains whatever is waiting (up to [`MAX_BATCH`]) into one transaction,
//! commits once (fsync), then publishes the events and answers: group commit, so
//! durability costs one fsync per batch instead of one per order.

use std::thread::JoinHandle;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use packbell_shared::protocol::{Command, DeviceId, ErrorCode, OrderId, Role, Seq, StoreId};

use super::apply::{self, ApplyError};
use super::time_to_text;
use crate::fanout::Fanout;
use crate::validate::Refusal;

/// Requests waiting for the writer; senders wait (back-pressure) when it is full.
pub const WRITER_QUEUE: usize = 4096;
/// Most requests committed in one transaction; bounds commit latency under load.
pub const MAX_BATCH: usize = 512;

/// What a committed command returns to its sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandResult {
    pub seq: Seq,
    pub order_id: Option<OrderId>,
    pub store_id: Option<StoreId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolResult {
    pub device_id: DeviceId,
    pub token: String,
    pub role: Role,
}

pub type Reply<T> = oneshot::Sender<Result<T, Refusal>>;

pub enum WriteRequest {
    Command {
        device: DeviceId,
        key: String,
        command: Command,
        reply: Reply<CommandResult>,
    },
    Enrol {
        code: String,
        device_name: String,
        reply: Reply<EnrolResult>,
    },
    NewPairingCode {
        role: Role,
        expires_at: DateTime<Utc>,
        reply: Reply<String>,
    },
    /// Counts a failed pairing attempt; answers with the replacement code when the
    /// code was voided.
    PairingFailed {
        code: String,
        ttl: chrono::Duration,
        reply: Reply<Option<apply::Replacement>>,
    },
    /// Records when a device was last connected; nobody waits for it.
    Touch { device_id: DeviceId },
}

#[derive(Clone)]
pub struct WriterHandle {
    sender: mpsc::Sender<WriteRequest>,
}

fn unavailable() -> Refusal {
    Refusal::new(ErrorCode::Unavailable, "the server is shutting down")
}

impl WriterHandle {
    /// Queues a command; the returned receiver resolves once it is committed (or refused).
    pub async fn command(
        &self,
        device: DeviceId,
        key: String,
        command: Command,
    ) -> Result<oneshot::Receiver<Result<CommandResult, Refusal>>, Refusal> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(WriteRequest::Command {
                device,
                key,
                command,
                reply,
            })
            .await
            .map_err(|_| unavailable())?;
        Ok(answer)
    }

    pub async fn enrol(&self, code: String, device_name: String) -> Result<EnrolResult, Refusal> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(WriteRequest::Enrol {
                code,
                device_name,
                reply,
            })
            .await
            .map_err(|_| unavailable())?;
        answer.await.map_err(|_| unavailable())?
    }

    pub async fn new_pairing_code(
        &self,
        role: Role,
        expires_at: DateTime<Utc>,
    ) -> Result<String, Refusal> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(WriteRequest::NewPairingCode {
                role,
                expires_at,
                reply,
            })
            .await
            .map_err(|_| unavailable())?;
        answer.await.map_err(|_| unavailable())?
    }

    pub async fn pairing_failed(
        &self,
        code: String,
        ttl: chrono::Duration,
    ) -> Result<Option<apply::Replacement>, Refusal> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(WriteRequest::PairingFailed { code, ttl, reply })
            .await
            .map_err(|_| unavailable())?;
        answer.await.map_err(|_| unavailable())?
    }

    /// Best effort: dropped when the writer is busy.
    pub fn touch(&self, device_id: DeviceId) {
        let _ = self.sender.try_send(WriteRequest::Touch { device_id });
    }
}

/// Starts the writer thread. It ends when every [`WriterHandle`] is dropped, after
/// committing what was queued.
pub fn spawn(conn: Connection, fanout: Fanout) -> std::io::Result<(WriterHandle, JoinHandle<()>)> {
    let (sender, receiver) = mpsc::channel(WRITER_QUEUE);
    let thread = std::thread::Builder::new()
        .name("packbell-writer".into())
        .spawn(move || run(conn, receiver, fanout))?;
    Ok((WriterHandle { sender }, thread))
}

fn run(mut conn: Connection, mut receiver: mpsc::Receiver<WriteRequest>, fanout: Fanout) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = receiver.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        commit_batch(&mut conn, &mut batch, &fanout);
    }
    tracing::debug!("writer stopped: all handles dropped");
}

/// A request's outcome, held until the batch's commit is known.
enum Done {
    Command(Reply<CommandResult>, Result<apply::Applied, Refusal>),
    Enrol(Reply<EnrolResult>, Result<apply::Enrolment, Refusal>),
    Code(Reply<String>, Result<String, Refusal>),
    Replacement(
        Reply<Option<apply::Replacement>>,
        Result<Option<apply::Replacement>, Refusal>,
    ),
    Nothing,
}

fn commit_batch(conn: &mut Connection, batch: &mut Vec<WriteRequest>, fanout: &Fanout) {
    let now = Utc::now();
    let mut done = Vec::with_capacity(batch.len());
    let result = (|| -> Result<(), rusqlite::Error> {
        let mut tx = conn.transaction()?;
        for request in batch.drain(..) {
            let mut savepoint = tx.savepoint()?;
            let outcome = apply_one(&savepoint, request, now);
            if outcome.succeeded() {
                savepoint.commit()?;
            } else {
                savepoint.rollback()?;
            }
            done.push(outcome);
        }
        tx.commit()
    })();
    if let Err(e) = result {
        tracing::error!("commit failed, {} requests refused: {e}", done.len());
        batch.clear();
        let refusal = Refusal::new(ErrorCode::Internal, "the server could not store this");
        for outcome in done {
            outcome.fail(refusal.clone());
        }
        return;
    }
    for outcome in done {
        outcome.finish(fanout);
    }
}

fn apply_one(conn: &Connection, request: WriteRequest, now: DateTime<Utc>) -> Done {
    match request {
        WriteRequest::Command {
            device,
            key,
            command,
            reply,
        } => Done::Command(
            reply,
            refusal(apply::command(conn, device, &key, &command, now)),
        ),
        WriteRequest::Enrol {
            code,
            device_name,
            reply,
        } => Done::Enrol(reply, refusal(apply::enrol(conn, &code, &device_name, now))),
        WriteRequest::NewPairingCode {
            role,
            expires_at,
            reply,
        } => Done::Code(
            reply,
            refusal(apply::new_pairing_code(conn, role, now, expires_at).map_err(Into::into)),
        ),
        WriteRequest::PairingFailed { code, ttl, reply } => Done::Replacement(
            reply,
            refusal(apply::pairing_failed(conn, &code, now, ttl).map_err(Into::into)),
        ),
        WriteRequest::Touch { device_id } => {
            if let Err(e) = conn.execute(
                "UPDATE devices SET last_seen = ?1 WHERE device_id = ?2",
                rusqlite::params![time_to_text(now), device_id],
            ) {
                tracing::warn!("could not record last_seen of device {device_id}: {e}");
            }
            Done::Nothing
        }
    }
}

/// Database errors become `internal` for the client; they are logged here, once.
fn refusal<T>(result: Result<T, ApplyError>) -> Result<T, Refusal> {
    result.map_err(|e| match e {
        ApplyError::Refused(refusal) => refusal,
        ApplyError::Db(e) => {
            tracing::error!("write failed: {e}");
            Refusal::new(ErrorCode::Internal, "the server could not store this")
        }
    })
}

impl Done {
    fn succeeded(&self) -> bool {
        match self {
            Done::Command(_, r) => r.is_ok(),
            Done::Enrol(_, r) => r.is_ok(),
            Done::Code(_, r) => r.is_ok(),
            Done::Replacement(_, r) => r.is_ok(),
            Done::Nothing => true,
        }
    }

    fn fail(self, refusal: Refusal) {
        // A sender that went away no longer needs the answer.
        match self {
            Done::Command(reply, _) => drop(reply.send(Err(refusal))),
            Done::Enrol(reply, _) => drop(reply.send(Err(refusal))),
            Done::Code(reply, _) => drop(reply.send(Err(refusal))),
            Done::Replacement(reply, _) => drop(reply.send(Err(refusal))),
            Done::Nothing => {}
        }
    }

    /// After commit: publish first, then answer, so a sender that sees its ack can
    /// rely on the event being on its way to everyone.
    fn finish(self, fanout: &Fanout) {
        match self {
            Done::Command(reply, result) => {
                let result = result.map(|applied| {
                    if let Some(event) = applied.event {
                        fanout.publish(event);
                    }
                    CommandResult {
                        seq: applied.seq,
                        order_id: applied.order_id,
                        store_id: applied.store_id,
                    }
                });
                let _ = reply.send(result);
            }
            Done::Enrol(reply, result) => {
                let result = result.map(|enrolment| {
                    fanout.publish(enrolment.event);
                    EnrolResult {
                        device_id: enrolment.device_id,
                        token: enrolment.token,
                        role: enrolment.role,
                    }
                });
                let _ = reply.send(result);
            }
            Done::Code(reply, result) => {
                let _ = reply.send(result);
            }
            Done::Replacement(reply, result) => {
                let _ = reply.send(result);
            }
            Done::Nothing => {}
        }
    }
}
