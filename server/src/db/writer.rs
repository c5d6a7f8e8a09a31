//! The writer thread: the only owner of the write connection.
//!
//! Async tasks send it requests over a bounded channel, each with a oneshot for the
//! answer. It drains whatever is waiting (up to [`MAX_BATCH`]) into one transaction,
//! commits once (fsync), then publishes the events and answers: group commit, so
//! durability costs one fsync per batch instead of one per order. Pairing guesses
//! and diagnostics run on their own, between groups, in request order.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use packbell_shared::protocol::{
    Command, DeviceId, ErrorCode, Event, OrderId, Receipt, Role, Seq, StoreId,
};

use super::apply::{self, ApplyError};
use super::guess::{GuessTally, PairingAttempt, PairingVerdict};
use super::receipts::NewReceipt;
use super::{DurabilitySettings, pairing, receipts, status, time_to_text};
use crate::fanout::Fanout;
use crate::stock::StockRules;
use crate::validate::Refusal;

/// Requests waiting for the writer; senders wait (back-pressure) when it is full.
pub const WRITER_QUEUE: usize = 4096;
/// Most requests committed in one transaction; bounds commit latency under load.
pub const MAX_BATCH: usize = 512;

/// What a client is told when the disk is full; the command is retried with its key.
pub const STORAGE_FULL: &str = "the server's disk is full, so nothing was stored; it is \
                                retried once space is freed on the server PC";

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

/// The start-up codes: one per role, `None` when every slot was taken.
pub type StartupCodes = Vec<(Role, Option<String>)>;

pub enum WriteRequest {
    /// Committed with whatever else is waiting, in one transaction.
    Group(Grouped),
    /// Runs outside any group transaction.
    Alone(Alone),
}

pub enum Grouped {
    Command {
        device: DeviceId,
        key: String,
        command: Command,
        reply: Reply<CommandResult>,
    },
    NewPairingCode {
        role: Role,
        expires_at: DateTime<Utc>,
        reply: Reply<String>,
    },
    StartupCodes {
        expires_at: DateTime<Utc>,
        reply: Reply<StartupCodes>,
    },
    /// Records when a device was last connected; nobody waits for it.
    Touch { device_id: DeviceId },
    /// Records a finished export in the export log; nobody waits for it.
    RecordExport {
        record: super::export_log::ExportRecord,
    },
    /// A warehouse receipt ([`receipts`]); answers the receipt as offices see it, or
    /// `None` when it changed nothing.
    Receipt {
        receipt: NewReceipt,
        reply: Reply<Option<Receipt>>,
    },
    /// Deletes receipts of orders past their retention; added by the writer itself.
    PruneReceipts,
    /// The scheduled stock check ([`super::stock::tick`]); answers how many events it
    /// wrote.
    StockTick { reply: Reply<usize> },
    /// A checked stock import file, all or nothing ([`super::stock::import`]).
    ImportStock {
        items: Vec<crate::stock::import::ImportedItem>,
        key: Option<String>,
        reply: Reply<super::stock::Imported>,
    },
}

/// Receipts of closed orders are pruned at most this often (on a group holding a
/// receipt), so the delete costs little however many receipts arrive.
const RECEIPT_PRUNE_INTERVAL: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

pub enum Alone {
    /// One pairing guess, checked only once its failure is stored ([`super::pairing`]).
    CheckPairing {
        attempt: PairingAttempt,
        reply: Reply<PairingVerdict>,
    },
    /// Reads the write connection's own durability settings.
    Durability { reply: Reply<DurabilitySettings> },
    /// Caps the database at its size plus `extra_pages` ([`status::limit_pages`]).
    LimitPages { extra_pages: u32, reply: Reply<u64> },
}

/// Whether the last write found the disk full. Set and cleared by the writer, which
/// logs each change once; read by `status` and the relay.
#[derive(Clone, Default)]
pub struct StorageHealth {
    full: Arc<AtomicBool>,
}

impl StorageHealth {
    pub fn is_full(&self) -> bool {
        self.full.load(Ordering::Relaxed)
    }

    fn mark_full(&self, data_dir: &Path) {
        if !self.full.swap(true, Ordering::Relaxed) {
            tracing::error!(
                "the disk holding the database is full ({}): new orders, pairings and pairing \
                 codes are refused (storage_full) until space is freed there; clients keep \
                 their orders and send them again",
                data_dir.display()
            );
        }
    }

    pub(super) fn mark_writable(&self) {
        if self.full.swap(false, Ordering::Relaxed) {
            tracing::info!("the database can be written again: the disk is no longer full");
        }
    }
}

#[derive(Clone)]
pub struct WriterHandle {
    sender: mpsc::Sender<WriteRequest>,
    health: StorageHealth,
}

fn unavailable() -> Refusal {
    Refusal::new(ErrorCode::Unavailable, "the server is shutting down")
}

impl WriterHandle {
    async fn ask<T>(&self, request: impl FnOnce(Reply<T>) -> WriteRequest) -> Result<T, Refusal> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(request(reply))
            .await
            .map_err(|_| unavailable())?;
        answer.await.map_err(|_| unavailable())?
    }

    /// Queues a command; the returned receiver resolves once it is committed (or refused).
    pub async fn command(
        &self,
        device: DeviceId,
        key: String,
        command: Command,
    ) -> Result<oneshot::Receiver<Result<CommandResult, Refusal>>, Refusal> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(WriteRequest::Group(Grouped::Command {
                device,
                key,
                command,
                reply,
            }))
            .await
            .map_err(|_| unavailable())?;
        Ok(answer)
    }

    pub async fn new_pairing_code(
        &self,
        role: Role,
        expires_at: DateTime<Utc>,
    ) -> Result<String, Refusal> {
        self.ask(|reply| {
            WriteRequest::Group(Grouped::NewPairingCode {
                role,
                expires_at,
                reply,
            })
        })
        .await
    }

    pub async fn startup_codes(&self, expires_at: DateTime<Utc>) -> Result<StartupCodes, Refusal> {
        self.ask(|reply| WriteRequest::Group(Grouped::StartupCodes { expires_at, reply }))
            .await
    }

    pub async fn check_pairing(&self, attempt: PairingAttempt) -> Result<PairingVerdict, Refusal> {
        self.ask(|reply| WriteRequest::Alone(Alone::CheckPairing { attempt, reply }))
            .await
    }

    pub async fn durability(&self) -> Result<DurabilitySettings, Refusal> {
        self.ask(|reply| WriteRequest::Alone(Alone::Durability { reply }))
            .await
    }

    pub async fn limit_pages(&self, extra_pages: u32) -> Result<u64, Refusal> {
        self.ask(|reply| WriteRequest::Alone(Alone::LimitPages { extra_pages, reply }))
            .await
    }

    /// Best effort: dropped when the writer is busy.
    pub fn touch(&self, device_id: DeviceId) {
        let _ = self
            .sender
            .try_send(WriteRequest::Group(Grouped::Touch { device_id }));
    }

    /// Waits for room in the queue: an export must not go unrecorded because the
    /// writer was busy.
    pub async fn record_export(&self, record: super::export_log::ExportRecord) {
        if self
            .sender
            .send(WriteRequest::Group(Grouped::RecordExport { record }))
            .await
            .is_err()
        {
            tracing::warn!("the writer has stopped: an export was not recorded");
        }
    }

    /// [`WriterHandle::record_export`] from a blocking thread.
    pub fn record_export_blocking(&self, record: super::export_log::ExportRecord) {
        if self
            .sender
            .blocking_send(WriteRequest::Group(Grouped::RecordExport { record }))
            .is_err()
        {
            tracing::warn!("the writer has stopped: an export was not recorded");
        }
    }

    /// Queues a warehouse receipt; the receiver resolves once it is committed (or
    /// refused).
    pub async fn receipt(
        &self,
        receipt: NewReceipt,
    ) -> Result<oneshot::Receiver<Result<Option<Receipt>, Refusal>>, Refusal> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(WriteRequest::Group(Grouped::Receipt { receipt, reply }))
            .await
            .map_err(|_| unavailable())?;
        Ok(answer)
    }

    /// Runs the stock check now (expiry, escalation) and answers how many events it
    /// wrote.
    pub async fn stock_tick(&self) -> Result<usize, Refusal> {
        self.ask(|reply| WriteRequest::Group(Grouped::StockTick { reply }))
            .await
    }

    /// Imports checked stock items in one transaction; `key` makes a file count once.
    pub async fn import_stock(
        &self,
        items: Vec<crate::stock::import::ImportedItem>,
        key: Option<String>,
    ) -> Result<super::stock::Imported, Refusal> {
        self.ask(|reply| WriteRequest::Group(Grouped::ImportStock { items, key, reply }))
            .await
    }

    pub fn storage(&self) -> &StorageHealth {
        &self.health
    }
}

/// Starts the writer thread. It ends when every [`WriterHandle`] is dropped, after
/// committing what was queued. `data_dir` is named in the disk-full message.
pub fn spawn(
    conn: Connection,
    fanout: Fanout,
    data_dir: PathBuf,
    stock: StockRules,
) -> std::io::Result<(WriterHandle, JoinHandle<()>)> {
    let (sender, receiver) = mpsc::channel(WRITER_QUEUE);
    let health = StorageHealth::default();
    let writer = Writer {
        conn,
        fanout,
        health: health.clone(),
        data_dir,
        guesses: GuessTally::default(),
        receipts_pruned_at: None,
        stock,
    };
    let thread = std::thread::Builder::new()
        .name("packbell-writer".into())
        .spawn(move || run(writer, receiver))?;
    Ok((WriterHandle { sender, health }, thread))
}

pub(super) struct Writer {
    pub(super) conn: Connection,
    pub(super) fanout: Fanout,
    pub(super) health: StorageHealth,
    pub(super) data_dir: PathBuf,
    /// Wrong pairing guesses per code, in memory too.
    pub(super) guesses: GuessTally,
    /// When receipts were last pruned ([`RECEIPT_PRUNE_INTERVAL`]).
    pub(super) receipts_pruned_at: Option<DateTime<Utc>>,
    /// How stock alerts are judged (and by which clock).
    pub(super) stock: StockRules,
}

fn run(mut writer: Writer, mut receiver: mpsc::Receiver<WriteRequest>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut group = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = receiver.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        for request in batch.drain(..) {
            match request {
                WriteRequest::Alone(alone) => {
                    writer.commit_group(&mut group);
                    writer.run_alone(alone);
                }
                WriteRequest::Group(grouped) => group.push(grouped),
            }
        }
        writer.commit_group(&mut group);
    }
    tracing::debug!("writer stopped: all handles dropped");
}

/// A request's outcome, held until the batch's commit is known.
enum Done {
    Command(Reply<CommandResult>, Result<apply::Applied, Refusal>),
    Code(Reply<String>, Result<String, Refusal>),
    Startup(Reply<StartupCodes>, Result<StartupCodes, Refusal>),
    Receipt(Reply<Option<Receipt>>, Result<Option<Receipt>, Refusal>),
    StockTick(Reply<usize>, Result<Vec<Event>, Refusal>),
    Import(
        Reply<super::stock::Imported>,
        Result<(super::stock::Imported, Vec<Event>), Refusal>,
    ),
    Nothing,
}

impl Writer {
    /// Refuses with `storage_full` (and says so on the console, once) when the disk is
    /// full, else with `internal` (logged here, once).
    pub(super) fn refusal(&self, error: ApplyError, storage_full: &str) -> Refusal {
        match error {
            ApplyError::Refused(refusal) => refusal,
            ApplyError::Db(e) if e.is_disk_full() => {
                self.health.mark_full(&self.data_dir);
                Refusal::new(ErrorCode::StorageFull, storage_full)
            }
            ApplyError::Db(e) => {
                tracing::error!("write failed: {e}");
                Refusal::new(ErrorCode::Internal, "the server could not store this")
            }
        }
    }

    /// Runs `f` in a transaction of its own and commits it.
    pub(super) fn transaction<T>(
        &mut self,
        f: impl FnOnce(&Connection) -> Result<T, ApplyError>,
    ) -> Result<T, ApplyError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    fn run_alone(&mut self, alone: Alone) {
        // A sender that went away no longer needs the answer.
        match alone {
            Alone::CheckPairing { attempt, reply } => {
                let _ = reply.send(self.check_pairing(attempt));
            }
            Alone::Durability { reply } => {
                let settings = super::durability_settings(&self.conn)
                    .map_err(|e| self.refusal(e.into(), STORAGE_FULL));
                let _ = reply.send(settings);
            }
            Alone::LimitPages { extra_pages, reply } => {
                let cap = status::limit_pages(&self.conn, extra_pages)
                    .map_err(|e| self.refusal(e.into(), STORAGE_FULL));
                let _ = reply.send(cap);
            }
        }
    }

    fn commit_group(&mut self, group: &mut Vec<Grouped>) {
        if group.is_empty() {
            return;
        }
        let now = Utc::now();
        let has_receipt = group.iter().any(|g| matches!(g, Grouped::Receipt { .. }));
        if has_receipt
            && self
                .receipts_pruned_at
                .is_none_or(|at| now - at >= RECEIPT_PRUNE_INTERVAL)
        {
            self.receipts_pruned_at = Some(now);
            group.push(Grouped::PruneReceipts);
        }
        let (done, committed) = apply_group(&mut self.conn, group, now, &self.stock);
        if let Err(e) = committed {
            // SQLite may roll the whole transaction back on SQLITE_FULL; the savepoint
            // or commit that fails next then reports that, not the full disk.
            let refusal = if done.iter().any(Done::refused_for_space) {
                self.health.mark_full(&self.data_dir);
                Refusal::new(ErrorCode::StorageFull, STORAGE_FULL)
            } else {
                self.refusal(ApplyError::from(e), STORAGE_FULL)
            };
            tracing::warn!("commit failed, {} requests refused: {refusal}", done.len());
            for outcome in done {
                outcome.fail(refusal.clone());
            }
            return;
        }
        let mut wrote = false;
        let mut full = false;
        for outcome in done {
            wrote |= outcome.wrote();
            full |= outcome.refused_for_space();
            outcome.finish(&self.fanout);
        }
        if full {
            self.health.mark_full(&self.data_dir);
        } else if wrote {
            self.health.mark_writable();
        }
    }
}

/// Applies each request in a savepoint of one transaction and commits it. The
/// outcomes count only if the commit succeeded.
fn apply_group(
    conn: &mut Connection,
    group: &mut Vec<Grouped>,
    now: DateTime<Utc>,
    stock: &StockRules,
) -> (Vec<Done>, rusqlite::Result<()>) {
    let mut done = Vec::with_capacity(group.len());
    let mut tx = match conn.transaction() {
        Ok(tx) => tx,
        Err(e) => {
            done.extend(group.drain(..).map(Done::unapplied));
            return (done, Err(e));
        }
    };
    // After an error that may have rolled the whole transaction back, nothing more is
    // applied: the rest are refused with the commit. After a full disk, the rest are
    // refused alike, so no later command commits ahead of the refused one here.
    let mut broken = None;
    let mut disk_full = false;
    for request in group.drain(..) {
        if broken.is_some() {
            done.push(Done::unapplied(request));
            continue;
        }
        if disk_full {
            done.push(Done::refused(
                request,
                Refusal::new(ErrorCode::StorageFull, STORAGE_FULL),
            ));
            continue;
        }
        let mut savepoint = match tx.savepoint() {
            Ok(savepoint) => savepoint,
            Err(e) => {
                broken = Some(e);
                done.push(Done::unapplied(request));
                continue;
            }
        };
        let outcome = apply_one(&savepoint, request, now, stock);
        let settled = if outcome.succeeded() {
            savepoint.commit()
        } else {
            savepoint.rollback()
        };
        disk_full |= outcome.refused_for_space();
        done.push(outcome);
        if let Err(e) = settled {
            broken = Some(e);
        }
    }
    let committed = match broken {
        Some(e) => Err(e),
        None => tx.commit(),
    };
    (done, committed)
}

fn apply_one(conn: &Connection, request: Grouped, now: DateTime<Utc>, stock: &StockRules) -> Done {
    match request {
        Grouped::Command {
            device,
            key,
            command,
            reply,
        } => Done::Command(
            reply,
            refusal(apply::command_with(
                conn, device, &key, &command, now, stock,
            )),
        ),
        Grouped::StockTick { reply } => {
            Done::StockTick(reply, refusal(super::stock::tick(conn, now, stock)))
        }
        Grouped::ImportStock { items, key, reply } => Done::Import(
            reply,
            refusal(super::stock::import(
                conn,
                &items,
                key.as_deref(),
                now,
                stock,
            )),
        ),
        Grouped::NewPairingCode {
            role,
            expires_at,
            reply,
        } => Done::Code(
            reply,
            refusal(pairing::new_pairing_code(conn, role, now, expires_at)),
        ),
        Grouped::StartupCodes { expires_at, reply } => Done::Startup(
            reply,
            refusal(pairing::startup_codes(
                conn,
                &[Role::Office, Role::Warehouse, Role::Admin],
                now,
                expires_at,
            )),
        ),
        Grouped::Touch { device_id } => {
            if let Err(e) = conn.execute(
                "UPDATE devices SET last_seen = ?1 WHERE device_id = ?2",
                rusqlite::params![time_to_text(now), device_id],
            ) {
                tracing::warn!("could not record last_seen of device {device_id}: {e}");
            }
            Done::Nothing
        }
        Grouped::RecordExport { record } => {
            if let Err(e) = super::export_log::record(conn, &record) {
                tracing::error!("could not record an export ({}): {e}", record.details);
            }
            Done::Nothing
        }
        Grouped::Receipt { receipt, reply } => {
            Done::Receipt(reply, refusal(receipts::record(conn, receipt, now)))
        }
        Grouped::PruneReceipts => {
            match receipts::prune(conn, now) {
                Ok(0) => {}
                Ok(pruned) => tracing::debug!(pruned, "pruned receipts of closed orders"),
                Err(e) => tracing::warn!("could not prune receipts: {e}"),
            }
            Done::Nothing
        }
    }
}

/// Refusals pass through; a full disk becomes `storage_full` (the group marks the
/// health); other database errors become `internal`, logged here, once.
fn refusal<T>(result: Result<T, ApplyError>) -> Result<T, Refusal> {
    result.map_err(|e| match e {
        ApplyError::Refused(refusal) => refusal,
        ApplyError::Db(e) if e.is_disk_full() => Refusal::new(ErrorCode::StorageFull, STORAGE_FULL),
        ApplyError::Db(e) => {
            tracing::error!("write failed: {e}");
            Refusal::new(ErrorCode::Internal, "the server could not store this")
        }
    })
}

impl Done {
    /// A request that was not applied; its answer is the refusal given to [`Done::fail`].
    fn unapplied(request: Grouped) -> Done {
        Done::refused(request, unavailable())
    }

    /// A request refused without being applied.
    fn refused(request: Grouped, refusal: Refusal) -> Done {
        match request {
            Grouped::Command { reply, .. } => Done::Command(reply, Err(refusal)),
            Grouped::NewPairingCode { reply, .. } => Done::Code(reply, Err(refusal)),
            Grouped::StartupCodes { reply, .. } => Done::Startup(reply, Err(refusal)),
            Grouped::Receipt { reply, .. } => Done::Receipt(reply, Err(refusal)),
            Grouped::StockTick { reply } => Done::StockTick(reply, Err(refusal)),
            Grouped::ImportStock { reply, .. } => Done::Import(reply, Err(refusal)),
            Grouped::Touch { .. } | Grouped::RecordExport { .. } | Grouped::PruneReceipts => {
                Done::Nothing
            }
        }
    }

    fn succeeded(&self) -> bool {
        match self {
            Done::Command(_, r) => r.is_ok(),
            Done::Code(_, r) => r.is_ok(),
            Done::Startup(_, r) => r.is_ok(),
            Done::Receipt(_, r) => r.is_ok(),
            Done::StockTick(_, r) => r.is_ok(),
            Done::Import(_, r) => r.is_ok(),
            Done::Nothing => true,
        }
    }

    /// Stored something new: proof that the disk takes writes again.
    fn wrote(&self) -> bool {
        match self {
            Done::Command(_, Ok(applied)) => applied.event.is_some(),
            Done::Code(_, r) => r.is_ok(),
            Done::Startup(_, r) => r.is_ok(),
            Done::StockTick(_, Ok(events)) => !events.is_empty(),
            Done::Import(_, Ok((_, events))) => !events.is_empty(),
            _ => false,
        }
    }

    fn refused_for_space(&self) -> bool {
        let code = match self {
            Done::Command(_, Err(refusal)) => refusal.code,
            Done::Code(_, Err(refusal)) => refusal.code,
            Done::Startup(_, Err(refusal)) => refusal.code,
            Done::Receipt(_, Err(refusal)) => refusal.code,
            Done::StockTick(_, Err(refusal)) => refusal.code,
            Done::Import(_, Err(refusal)) => refusal.code,
            _ => return false,
        };
        code == ErrorCode::StorageFull
    }

    fn fail(self, refusal: Refusal) {
        // A sender that went away no longer needs the answer.
        match self {
            Done::Command(reply, _) => drop(reply.send(Err(refusal))),
            Done::Code(reply, _) => drop(reply.send(Err(refusal))),
            Done::Startup(reply, _) => drop(reply.send(Err(refusal))),
            Done::Receipt(reply, _) => drop(reply.send(Err(refusal))),
            Done::StockTick(reply, _) => drop(reply.send(Err(refusal))),
            Done::Import(reply, _) => drop(reply.send(Err(refusal))),
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
                    for event in applied.followups {
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
            Done::Code(reply, result) => {
                let _ = reply.send(result);
            }
            Done::Startup(reply, result) => {
                let _ = reply.send(result);
            }
            Done::Receipt(reply, result) => {
                let _ = reply.send(result);
            }
            Done::StockTick(reply, result) => {
                let result = result.map(|events| {
                    let count = events.len();
                    for event in events {
                        fanout.publish(event);
                    }
                    count
                });
                let _ = reply.send(result);
            }
            Done::Import(reply, result) => {
                let result = result.map(|(imported, events)| {
                    for event in events {
                        fanout.publish(event);
                    }
                    imported
                });
                let _ = reply.send(result);
            }
            Done::Nothing => {}
        }
    }
}
