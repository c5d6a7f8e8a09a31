//! The link's decisions, as pure code: requests, what the store loaded and messages
//! from the server go in; [`Action`]s come out, and the runner and the session carry
//! them out in order. Time comes in as an argument.
//!
//! **Nothing here awaits, opens a socket or touches SQLite**, so every decision can be
//! tested by feeding inputs and reading the actions (see `tests`). The handshake's part
//! is in [`handshake`], the connected part in [`live`].

use std::time::Instant;

use crate::discovery::FoundServer;
use crate::protocol::{ClientMessage, Command, DeviceInfo, ErrorCode};
use crate::state::SiteState;

use super::api::{
    LinkConfig, LinkEvent, LinkRequest, LinkStatus, OutboxItem, OutboxReport, ReceiptNote,
};
use super::outbox::Outbox;
use super::store::{Credentials, OutboxEntry, SavedState};
use super::sync::{StateSync, snapshot_of};

#[cfg(test)]
mod export_tests;
pub mod handshake;
pub mod live;
#[cfg(test)]
mod receipt_tests;
#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests;

/// Answered commands are deleted from the store in batches of this many (or as soon
/// as nothing is in flight), so a stream of acks costs one transaction per batch.
/// Until then a crash would send them again, which the server answers as before.
const ANSWERED_BATCH: usize = 128;

/// Receipts held while not connected; beyond this the oldest are dropped (the office
/// then shows that order as waiting, which is what it could tell anyway).
pub const MAX_HELD_RECEIPTS: usize = 512;

/// Something the link must do, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Tell the owner.
    Emit(LinkEvent),
    /// Send to the server on the current connection.
    Send(ClientMessage),
    /// Make submitted commands durable, in one transaction; the result goes to
    /// [`LinkLogic::on_submits_saved`].
    SaveSubmits(Vec<(String, Command)>),
    /// Save the device's credentials and wait; a failure goes to
    /// [`LinkLogic::on_credentials_not_saved`].
    SaveCredentials(Credentials),
    /// A write nobody waits for; a failure is logged. Writes run in order.
    Write(StoreWrite),
}

/// Writes to the link's store that need no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreWrite {
    /// Delete answered commands from the outbox.
    RemoveAnswered(Vec<String>),
    /// Checkpoint the site state.
    SaveState { server_id: String, state: SiteState },
    /// Remember the server that welcomed us.
    LastServer(String),
    /// Forget a token the server refused.
    ClearCredentials,
    /// Keep the server addresses people gave.
    Servers(Vec<String>),
}

/// How a session ended, and so what the reconnect loop does next.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionEnd {
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

/// A connection ended for `reason`, before authentication.
pub fn lost(reason: impl Into<String>) -> SessionEnd {
    SessionEnd::Lost {
        reason: reason.into(),
        authenticated: false,
        retry_now: false,
    }
}

/// What the store held at start-up.
#[derive(Debug, Default)]
pub struct Loaded {
    pub credentials: Option<Credentials>,
    pub last_server: Option<String>,
    pub saved: Option<SavedState>,
    pub outbox: Vec<OutboxEntry>,
}

/// Everything the link decides with, and nothing it does I/O with.
#[derive(Debug)]
pub struct LinkLogic {
    /// Shown to admins; sent when pairing.
    device_name: String,
    /// Talk plain `ws://` (debugging only).
    insecure_plaintext: bool,
    /// `LinkConfig::pairing_code`, used at start when not paired.
    configured_code: Option<String>,
    /// A `Shutdown` request or a closed request channel was seen.
    stopping: bool,
    sync: StateSync,
    /// Server the state in `sync` came from.
    server_id: Option<String>,
    outbox: Outbox,
    /// Outbox keys answered by the server, deleted from the store in one write.
    answered: Vec<String>,
    credentials: Option<Credentials>,
    /// Code for the next enrolment; cleared once used.
    pairing_code: Option<String>,
    /// The server the owner picked when discovery found several (unpaired only).
    chosen_server: Option<String>,
    last_status: Option<LinkStatus>,
    /// Pages of a `devices` answer received so far on this connection; the owner gets
    /// the whole list once the last page is in.
    device_pages: Vec<DeviceInfo>,
    /// Receipts waiting for a connection (at most [`MAX_HELD_RECEIPTS`]).
    held_receipts: std::collections::VecDeque<ReceiptNote>,
    /// The owner asked for receipts: `watch_receipts` follows every `subscribe`.
    watch_receipts: bool,
    /// Server addresses people gave on this PC (settings, pairing codes).
    servers: Vec<String>,
    /// `servers` changed since the reconnect loop last took them.
    servers_changed: bool,
}

/// The owner's view of an outbox entry.
fn item(entry: &OutboxEntry) -> OutboxItem {
    OutboxItem {
        key: entry.key.clone(),
        command: entry.command.clone(),
        queued_at: entry.queued_at,
    }
}

impl LinkLogic {
    pub fn new(config: &LinkConfig) -> LinkLogic {
        LinkLogic {
            device_name: config.device_name.clone(),
            insecure_plaintext: config.insecure_plaintext,
            configured_code: config.pairing_code.clone().filter(|code| !code.is_empty()),
            stopping: false,
            sync: StateSync::default(),
            server_id: None,
            outbox: Outbox::default(),
            answered: Vec::new(),
            credentials: None,
            pairing_code: None,
            chosen_server: None,
            last_status: None,
            device_pages: Vec::new(),
            held_receipts: std::collections::VecDeque::new(),
            watch_receipts: false,
            servers: Vec::new(),
            servers_changed: false,
        }
    }

    /// The server addresses kept on this PC, as loaded at start-up.
    pub fn set_servers(&mut self, servers: Vec<String>) {
        self.servers = servers;
    }

    /// The kept server addresses, once after each change.
    pub fn take_servers_changed(&mut self) -> Option<Vec<String>> {
        std::mem::take(&mut self.servers_changed).then(|| self.servers.clone())
    }

    /// The server this device is paired with, when it is.
    pub fn paired_server(&self) -> Option<crate::link::diagnosis::Paired> {
        let fingerprint = self.credentials.as_ref()?.server_fingerprint.clone()?;
        Some(crate::link::diagnosis::Paired {
            fingerprint,
            site: None,
        })
    }

    /// Keeps `servers` (people's addresses, normalised, each once) and saves them.
    fn keep_servers(&mut self, servers: Vec<String>, out: &mut Vec<Action>) {
        let joined = servers.join(",");
        let servers = crate::link::target::address_list(&joined);
        if servers == self.servers {
            return;
        }
        self.servers = servers.clone();
        self.servers_changed = true;
        out.push(Action::Write(StoreWrite::Servers(servers)));
    }

    /// Takes a pairing code, keeping the server address that may follow its `@`.
    /// False (and a notice) when that address cannot be read.
    fn take_pairing_code(&mut self, text: &str, out: &mut Vec<Action>) -> bool {
        match crate::link::target::split_pairing_code(text) {
            Ok((code, address)) => {
                self.pairing_code = Some(code);
                if let Some(address) = address {
                    let mut servers = vec![address];
                    servers.extend(self.servers.iter().cloned());
                    self.keep_servers(servers, out);
                }
                true
            }
            Err(message) => {
                out.push(Action::Emit(LinkEvent::Notice(message)));
                false
            }
        }
    }

    /// True once the owner asked the link to stop (or went away).
    pub fn stopping(&self) -> bool {
        self.stopping
    }

    pub fn stop(&mut self) {
        self.stopping = true;
    }

    /// Neither a token nor a code: the owner must give a pairing code.
    pub fn needs_pairing(&self) -> bool {
        self.credentials.is_none() && self.pairing_code.is_none()
    }

    /// The code was refused or unusable; the owner is asked for another.
    pub fn forget_pairing_code(&mut self) {
        self.pairing_code = None;
    }

    /// Takes what the store held at start-up (or why it could not be read), tells the
    /// owner, and returns the last good server.
    pub fn on_loaded(
        &mut self,
        loaded: Result<Loaded, String>,
        out: &mut Vec<Action>,
    ) -> Option<String> {
        let mut last_server = None;
        match loaded {
            Ok(loaded) => {
                if let Some(saved) = loaded.saved {
                    out.push(Action::Emit(LinkEvent::Reset {
                        snapshot: snapshot_of(&saved.state),
                        stale: true,
                    }));
                    self.sync = StateSync::new(saved.state);
                    self.server_id = Some(saved.server_id);
                }
                if !loaded.outbox.is_empty() {
                    tracing::info!(
                        count = loaded.outbox.len(),
                        "commands waiting in the outbox"
                    );
                }
                let waiting = loaded.outbox.iter().map(item).collect();
                out.push(Action::Emit(LinkEvent::Outbox(OutboxReport::Waiting(
                    waiting,
                ))));
                self.outbox = Outbox::new(loaded.outbox);
                self.credentials = loaded.credentials;
                last_server = loaded.last_server;
            }
            Err(error) => {
                tracing::error!(%error, "cannot read the link's local data");
                out.push(Action::Emit(LinkEvent::Notice(format!(
                    "cannot read this computer's saved data: {error}"
                ))));
                out.push(Action::Emit(LinkEvent::Outbox(OutboxReport::Waiting(
                    Vec::new(),
                ))));
            }
        }
        if self.credentials.is_none()
            && let Some(code) = self.configured_code.clone()
        {
            self.take_pairing_code(&code, out);
        }
        self.set_status(LinkStatus::Connecting, out);
        last_server
    }

    /// Reports `status` unless it is the one reported last.
    pub fn set_status(&mut self, status: LinkStatus, out: &mut Vec<Action>) {
        if self.last_status.as_ref() == Some(&status) {
            return;
        }
        tracing::info!(?status, "link status");
        self.last_status = Some(status.clone());
        out.push(Action::Emit(LinkEvent::Status(status)));
    }

    /// Handles a batch of requests from the owner (`None`: the owner is gone).
    /// Messages for the server are sent when `connected`, refused with a notice
    /// otherwise. Returns whether a pairing code or a server choice arrived.
    pub fn on_requests(
        &mut self,
        requests: Option<Vec<LinkRequest>>,
        connected: bool,
        out: &mut Vec<Action>,
    ) -> bool {
        let Some(requests) = requests else {
            self.stopping = true;
            return false;
        };
        let mut paired = false;
        let mut submits: Vec<(String, Command)> = Vec::new();
        let mut control = Vec::new();
        for request in requests {
            match request {
                LinkRequest::Submit { key, command } => submits.push((key, command)),
                LinkRequest::Pair { code } => {
                    paired |= self.take_pairing_code(&code, out);
                }
                LinkRequest::SetServers(servers) => {
                    self.keep_servers(servers, out);
                    // Wakes the reconnect loop so the new addresses are tried now.
                    paired |= self.servers_changed;
                }
                LinkRequest::ListDevices => {
                    control.push(ClientMessage::ListDevices { after_device_id: 0 });
                }
                LinkRequest::NewPairingCode { role } => {
                    control.push(ClientMessage::NewPairingCode { role });
                }
                LinkRequest::SiteStatus => control.push(ClientMessage::SiteStatus {}),
                LinkRequest::ExportStart {
                    export_id,
                    kind,
                    from,
                    to,
                    stores,
                    delimiter,
                } => control.push(ClientMessage::ExportStart {
                    export_id,
                    kind,
                    from,
                    to,
                    stores,
                    delimiter,
                }),
                LinkRequest::ExportNext { export_id } => {
                    control.push(ClientMessage::ExportNext { export_id });
                }
                LinkRequest::ExportCancel { export_id } => {
                    control.push(ClientMessage::ExportCancel { export_id });
                }
                LinkRequest::ChooseServer { server_id } => {
                    self.chosen_server = Some(server_id);
                    paired = true;
                }
                LinkRequest::Receipts(notes) => self.hold_receipts(notes),
                LinkRequest::WatchReceipts => {
                    // Sent now when connected, and after every later subscribe.
                    self.watch_receipts = true;
                    if connected {
                        out.push(Action::Send(ClientMessage::WatchReceipts {}));
                    }
                }
                LinkRequest::Shutdown => self.stopping = true,
            }
        }
        if connected {
            self.send_held_receipts(out);
        }
        if !submits.is_empty() {
            out.push(Action::SaveSubmits(submits));
        }
        if connected {
            out.extend(control.into_iter().map(Action::Send));
        } else if !control.is_empty() && !self.stopping {
            out.push(Action::Emit(LinkEvent::Notice(
                "not connected to the server; try again once connected".into(),
            )));
        }
        paired
    }

    fn hold_receipts(&mut self, notes: Vec<ReceiptNote>) {
        self.held_receipts.extend(notes);
        let excess = self.held_receipts.len().saturating_sub(MAX_HELD_RECEIPTS);
        if excess > 0 {
            tracing::debug!(excess, "not connected: oldest receipts dropped");
            self.held_receipts.drain(..excess);
        }
    }

    /// Sends the receipts held so far (connected).
    pub(super) fn send_held_receipts(&mut self, out: &mut Vec<Action>) {
        out.extend(self.held_receipts.drain(..).map(|note| {
            Action::Send(ClientMessage::Receipt {
                order_id: note.order_id,
                stage: note.stage,
                why: note.why,
            })
        }));
    }

    /// The store answered [`Action::SaveSubmits`] for `keys`: the new entries (a key
    /// already in the outbox is not added twice), or why nothing was saved.
    pub fn on_submits_saved(
        &mut self,
        keys: Vec<String>,
        saved: Result<Vec<OutboxEntry>, String>,
        out: &mut Vec<Action>,
    ) {
        match saved {
            Ok(added) => {
                let queued: Vec<OutboxItem> = added.iter().map(item).collect();
                for entry in added {
                    self.outbox.push(entry);
                }
                for key in keys {
                    out.push(Action::Emit(LinkEvent::Queued { key }));
                }
                if !queued.is_empty() {
                    out.push(Action::Emit(LinkEvent::Outbox(OutboxReport::Queued(
                        queued,
                    ))));
                }
            }
            Err(error) => {
                tracing::error!(%error, count = keys.len(), "commands not saved to the outbox");
                let message = format!("not saved on this computer: {error}");
                for key in keys {
                    out.push(Action::Emit(LinkEvent::Rejected {
                        key,
                        code: ErrorCode::Internal,
                        message: message.clone(),
                    }));
                }
            }
        }
    }

    /// [`Action::SaveCredentials`] failed: the pairing holds for this run only.
    pub fn on_credentials_not_saved(&mut self, error: &str, out: &mut Vec<Action>) {
        tracing::error!(%error, "the device token was not saved");
        out.push(Action::Emit(LinkEvent::Notice(format!(
            "this computer could not save its pairing ({error}); \
             it will need a new pairing code after a restart"
        ))));
    }

    /// Picks the address to connect to among the servers discovery found; `Ok(None)`
    /// when none answered, `Err` when only other servers than ours answered or the
    /// owner must choose first.
    pub fn choose_server(
        &self,
        found: Vec<FoundServer>,
        out: &mut Vec<Action>,
    ) -> Result<Option<String>, String> {
        let pinned = self
            .credentials
            .as_ref()
            .and_then(|credentials| credentials.server_fingerprint.as_ref());
        if let Some(pinned) = pinned {
            // Paired: only our server will do; impostors are skipped before connecting.
            let ours = found.iter().find(|server| &server.server_id == pinned);
            return match ours {
                Some(server) => Ok(Some(server.ws_addr.to_string())),
                None if found.is_empty() => Ok(None),
                // Said apart from "none answered": the window explains it differently.
                None => Err(super::cause::ONLY_OTHER_SERVERS.to_owned()),
            };
        }
        if found.len() > 1 {
            if let Some(chosen) = &self.chosen_server
                && let Some(server) = found.iter().find(|s| &s.server_id == chosen)
            {
                return Ok(Some(server.ws_addr.to_string()));
            }
            tracing::info!(
                count = found.len(),
                "several servers answered; asking the owner"
            );
            out.push(Action::Emit(LinkEvent::ServersFound(found)));
            return Err("several packbell servers answered; choose one".to_owned());
        }
        Ok(found.first().map(|server| server.ws_addr.to_string()))
    }

    /// Deletes answered commands from the store once a batch is full or nothing is in
    /// flight.
    pub fn flush_answered_if_due(&mut self, out: &mut Vec<Action>) {
        if self.answered.len() >= ANSWERED_BATCH || self.outbox.in_flight() == 0 {
            self.flush_answered(out);
        }
    }

    /// Deletes answered commands from the store.
    pub fn flush_answered(&mut self, out: &mut Vec<Action>) {
        if self.answered.is_empty() {
            return;
        }
        let keys = std::mem::take(&mut self.answered);
        out.push(Action::Write(StoreWrite::RemoveAnswered(keys)));
    }

    /// Saves the site state if it changed.
    pub fn checkpoint(&mut self, out: &mut Vec<Action>) {
        let Some(server_id) = self.server_id.clone() else {
            return;
        };
        if !self.sync.take_dirty() {
            return;
        }
        out.push(Action::Write(StoreWrite::SaveState {
            server_id,
            state: self.sync.state.clone(),
        }));
    }

    /// The state changed and catch-up is over: time to plan a checkpoint.
    pub fn wants_checkpoint(&self) -> bool {
        self.sync.is_dirty() && !self.sync.replaying()
    }

    /// When sending may resume after the server asked for a retry.
    pub fn resume_at(&self) -> Option<Instant> {
        self.outbox.resume_at()
    }

    /// Drains the outbox into `Send`s while the window allows, then reports them.
    pub fn pump(&mut self, now: Instant, out: &mut Vec<Action>) {
        let mut sent = Vec::new();
        while let Some(entry) = self.outbox.next_to_send(now) {
            sent.push(entry.key.clone());
            out.push(Action::Send(ClientMessage::Command {
                key: entry.key.clone(),
                command: entry.command.clone(),
            }));
        }
        if !sent.is_empty() {
            out.push(Action::Emit(LinkEvent::Outbox(OutboxReport::Sent(sent))));
        }
    }

    /// The connection ended with `end`: what was in flight is sent again next time,
    /// answered commands are deleted, and the state is saved when stopping.
    pub fn connection_lost(&mut self, end: &SessionEnd, out: &mut Vec<Action>) {
        self.sync.connection_lost();
        self.outbox.connection_lost();
        self.device_pages.clear();
        self.flush_answered(out);
        if matches!(end, SessionEnd::Stopped) {
            // Saved before the close handshake, while nothing else happens.
            self.checkpoint(out);
        }
    }

    /// The link is stopping: delete what was answered and save the state.
    pub fn finish(&mut self, out: &mut Vec<Action>) {
        self.stopping = true;
        self.flush_answered(out);
        self.checkpoint(out);
    }
}
