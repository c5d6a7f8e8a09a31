//! The link thread's main loop: start-up from the local store, the reconnect loop
//! (server address, backoff, pairing), request handling, and the orderly stop.

use std::sync::Arc;
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::discovery::{self, DEFAULT_DISCOVERY_PORT, DiscoverOptions};
use crate::protocol::{ClientMessage, Command, ErrorCode};

use super::backoff::Backoff;
use super::outbox::Outbox;
use super::session::{self, SessionEnd};
use super::store::Credentials;
use super::sync::{StateSync, snapshot_of};
use super::target::{Pick, Targets};
use super::worker::StoreWorker;
use super::{LinkConfig, LinkEvent, LinkRequest, LinkStatus};

/// Requests handled in one go (their submits share one SQLite transaction).
pub(super) const REQUEST_BATCH: usize = 256;
/// When the owner's event queue is full, the link waits this long before trying again
/// (and reads nothing from the server meanwhile: the server's slow-client rule then
/// applies, and the link catches up after reconnecting).
const EVENT_QUEUE_RETRY: Duration = Duration::from_millis(5);
/// Answered commands are deleted from the store in batches of this many (or as soon
/// as nothing is in flight), so a stream of acks costs one transaction per batch.
/// Until then a crash would send them again, which the server answers as before.
const ANSWERED_BATCH: usize = 128;
/// After a version mismatch, the server is asked again this often (it may have been
/// upgraded), without any other status change.
const REFUSED_RETRY: Duration = Duration::from_secs(60);

pub(super) type Wake = Arc<dyn Fn() + Send + Sync>;

/// Everything the link thread owns.
pub(super) struct Link {
    pub(super) config: LinkConfig,
    /// The SQLite thread; every durable write goes through it, in order.
    pub(super) store: StoreWorker,
    /// To the owner; bounded. When full the link waits (see `EVENT_QUEUE_RETRY`).
    events: SyncSender<LinkEvent>,
    /// Called once per batch of queued events.
    wake: Wake,
    wake_pending: bool,
    /// Set once the owner dropped its receiver: events are discarded from then on.
    owner_gone: bool,
    /// From the owner; bounded (`LinkHandle::request` answers `Busy` when full).
    pub(super) requests: mpsc::Receiver<LinkRequest>,
    /// Set to true by `LinkHandle::shutdown` (or dropping the handle).
    pub(super) stop: watch::Receiver<bool>,
    /// A `Shutdown` request or a closed request channel was seen.
    pub(super) stopping: bool,
    pub(super) sync: StateSync,
    /// Server the state in `sync` came from.
    pub(super) server_id: Option<String>,
    pub(super) outbox: Outbox,
    /// Outbox keys answered by the server, deleted from the store in one job.
    pub(super) answered: Vec<String>,
    pub(super) credentials: Option<Credentials>,
    /// Code for the next enrolment; cleared once used.
    pub(super) pairing_code: Option<String>,
    /// The server the owner picked when discovery found several (unpaired only).
    chosen_server: Option<String>,
    last_status: Option<LinkStatus>,
}

/// Requests that need the server, collected by [`Link::take_requests`].
#[derive(Default)]
pub(super) struct Handled {
    /// To send, in order, when connected.
    pub(super) control: Vec<ClientMessage>,
    /// A pairing code arrived.
    pub(super) paired: bool,
}

/// Why [`Link::wait`] returned.
enum Woken {
    Elapsed,
    Paired,
    Stop,
}

/// Resolves once the owner asked the link to stop (or dropped its handle).
pub(super) async fn stopped(stop: &mut watch::Receiver<bool>) {
    // An error means the handle is gone: that is a stop as well.
    let _ = stop.wait_for(|stop| *stop).await;
}

/// The body of the link thread.
pub(super) fn run_thread(runtime: tokio::runtime::Runtime, link: Link) {
    let store = runtime.block_on(link.run());
    store.finish();
    drop(runtime);
    tracing::debug!("link thread finished");
}

impl Link {
    pub(super) fn new(
        config: LinkConfig,
        store: StoreWorker,
        events: SyncSender<LinkEvent>,
        wake: Wake,
        requests: mpsc::Receiver<LinkRequest>,
        stop: watch::Receiver<bool>,
    ) -> Link {
        Link {
            config,
            store,
            events,
            wake,
            wake_pending: false,
            owner_gone: false,
            requests,
            stop,
            stopping: false,
            sync: StateSync::default(),
            server_id: None,
            outbox: Outbox::default(),
            answered: Vec::new(),
            credentials: None,
            pairing_code: None,
            chosen_server: None,
            last_status: None,
        }
    }

    /// Hands `event` to the owner, waiting while its queue is full (unless stopping).
    pub(super) async fn emit(&mut self, event: LinkEvent) {
        let mut event = event;
        loop {
            match self.events.try_send(event) {
                Ok(()) => {
                    self.wake_pending = true;
                    return;
                }
                Err(TrySendError::Full(back)) => {
                    if self.stopping || *self.stop.borrow() {
                        tracing::debug!("owner's event queue full while stopping; event dropped");
                        return;
                    }
                    (self.wake)();
                    event = back;
                    tokio::time::sleep(EVENT_QUEUE_RETRY).await;
                }
                Err(TrySendError::Disconnected(_)) => {
                    if !self.owner_gone {
                        tracing::info!(
                            "the owner dropped its event receiver; events are discarded"
                        );
                        self.owner_gone = true;
                    }
                    return;
                }
            }
        }
    }

    /// Calls the wake-up callback if events were queued since the last call.
    pub(super) fn flush_wake(&mut self) {
        if std::mem::take(&mut self.wake_pending) {
            (self.wake)();
        }
    }

    pub(super) async fn set_status(&mut self, status: LinkStatus) {
        if self.last_status.as_ref() == Some(&status) {
            return;
        }
        tracing::info!(?status, "link status");
        self.last_status = Some(status.clone());
        self.emit(LinkEvent::Status(status)).await;
    }

    /// Handles `first` and whatever else is already waiting (up to `REQUEST_BATCH`).
    /// `None` means the owner is gone. Commands for the server are returned when
    /// `connected`, refused with a notice otherwise.
    pub(super) async fn take_requests(
        &mut self,
        first: Option<LinkRequest>,
        connected: bool,
    ) -> Handled {
        let mut handled = Handled::default();
        let Some(first) = first else {
            self.stopping = true;
            return handled;
        };
        let mut submits: Vec<(String, Command)> = Vec::new();
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(request) = next.take() {
            taken += 1;
            match request {
                LinkRequest::Submit { key, command } => submits.push((key, command)),
                LinkRequest::Pair { code } => {
                    self.pairing_code = Some(code);
                    handled.paired = true;
                }
                LinkRequest::ListDevices => handled
                    .control
                    .push(ClientMessage::ListDevices { after_device_id: 0 }),
                LinkRequest::NewPairingCode { role } => {
                    handled.control.push(ClientMessage::NewPairingCode { role });
                }
                LinkRequest::SiteStatus => handled.control.push(ClientMessage::SiteStatus {}),
                LinkRequest::ChooseServer { server_id } => {
                    self.chosen_server = Some(server_id);
                    handled.paired = true;
                }
                LinkRequest::Shutdown => self.stopping = true,
            }
            if taken < REQUEST_BATCH {
                next = self.requests.try_recv().ok();
            }
        }
        if !submits.is_empty() {
            self.queue_submits(submits).await;
        }
        if !connected && !handled.control.is_empty() {
            handled.control.clear();
            if !self.stopping {
                self.emit(LinkEvent::Notice(
                    "not connected to the server; try again once connected".into(),
                ))
                .await;
            }
        }
        handled
    }

    /// Makes submitted commands durable, then reports them queued.
    async fn queue_submits(&mut self, submits: Vec<(String, Command)>) {
        let keys: Vec<String> = submits.iter().map(|(key, _)| key.clone()).collect();
        match self
            .store
            .call(move |store| store.outbox_push(&submits))
            .await
        {
            Ok(added) => {
                for entry in added {
                    self.outbox.push(entry);
                }
                for key in keys {
                    self.emit(LinkEvent::Queued { key }).await;
                }
            }
            Err(error) => {
                tracing::error!(%error, count = keys.len(), "commands not saved to the outbox");
                let message = format!("not saved on this computer: {error}");
                for key in keys {
                    self.emit(LinkEvent::Rejected {
                        key,
                        code: ErrorCode::Internal,
                        message: message.clone(),
                    })
                    .await;
                }
            }
        }
    }

    /// Deletes answered commands from the store once a batch is full or nothing is in
    /// flight (without waiting).
    pub(super) async fn flush_answered_if_due(&mut self) {
        if self.answered.len() >= ANSWERED_BATCH || self.outbox.in_flight() == 0 {
            self.flush_answered().await;
        }
    }

    /// Deletes answered commands from the store (without waiting).
    pub(super) async fn flush_answered(&mut self) {
        if self.answered.is_empty() {
            return;
        }
        let keys = std::mem::take(&mut self.answered);
        self.store
            .run("removing answered commands", move |store| {
                store.outbox_remove(&keys)
            })
            .await;
    }

    /// Saves the site state if it changed (without waiting).
    pub(super) async fn checkpoint(&mut self) {
        let Some(server_id) = self.server_id.clone() else {
            return;
        };
        if !self.sync.take_dirty() {
            return;
        }
        let state = self.sync.state.clone();
        self.store
            .run("saving the site state", move |store| {
                store.save_state(&server_id, &state)
            })
            .await;
    }

    /// Waits for `delay` (forever with `None`) while serving requests.
    async fn wait(&mut self, delay: Option<Duration>) -> Woken {
        let deadline = delay.map(|delay| Instant::now() + delay);
        loop {
            self.flush_wake();
            tokio::select! {
                () = stopped(&mut self.stop) => return Woken::Stop,
                request = self.requests.recv() => {
                    let handled = self.take_requests(request, false).await;
                    if self.stopping {
                        return Woken::Stop;
                    }
                    if handled.paired {
                        return Woken::Paired;
                    }
                }
                () = sleep_until(deadline) => return Woken::Elapsed,
            }
        }
    }

    /// Loads what the store holds and tells the owner.
    async fn start(&mut self) -> Option<String> {
        let loaded = self
            .store
            .call(|store| {
                Ok((
                    store.credentials()?,
                    store.last_server()?,
                    store.saved_state()?,
                    store.outbox()?,
                ))
            })
            .await;
        let mut last_server = None;
        match loaded {
            Ok((credentials, server, saved, outbox)) => {
                if let Some(saved) = saved {
                    self.emit(LinkEvent::Reset {
                        snapshot: snapshot_of(&saved.state),
                        stale: true,
                    })
                    .await;
                    self.sync = StateSync::new(saved.state);
                    self.server_id = Some(saved.server_id);
                }
                if !outbox.is_empty() {
                    tracing::info!(count = outbox.len(), "commands waiting in the outbox");
                }
                self.outbox = Outbox::new(outbox);
                self.credentials = credentials;
                last_server = server;
            }
            Err(error) => {
                tracing::error!(%error, "cannot read the link's local data");
                self.emit(LinkEvent::Notice(format!(
                    "cannot read this computer's saved data: {error}"
                )))
                .await;
            }
        }
        if self.credentials.is_none() {
            self.pairing_code = self.config.pairing_code.clone().filter(|c| !c.is_empty());
        }
        self.set_status(LinkStatus::Connecting).await;
        last_server
    }

    /// Probes for servers; `Ok(None)` when none answered.
    async fn discover(&mut self) -> Result<Option<String>, String> {
        let targets = if self.config.discovery_targets.is_empty() {
            discovery::default_targets(DEFAULT_DISCOVERY_PORT)
        } else {
            self.config.discovery_targets.clone()
        };
        let site = self.config.site.clone();
        let found = tokio::select! {
            () = stopped(&mut self.stop) => return Ok(None),
            found = discovery::discover(&targets, site.as_deref(), DiscoverOptions::default()) => found,
        };
        let found = found.map_err(|error| format!("discovery failed: {error}"))?;
        let pinned = self
            .credentials
            .as_ref()
            .and_then(|credentials| credentials.server_fingerprint.clone());
        if let Some(pinned) = pinned {
            // Paired: only our server will do; impostors are skipped before connecting.
            return Ok(found
                .into_iter()
                .find(|server| server.server_id == pinned)
                .map(|server| server.ws_addr.to_string()));
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
            self.emit(LinkEvent::ServersFound(found)).await;
            return Err("several packbell servers answered; choose one".to_owned());
        }
        Ok(found.first().map(|server| server.ws_addr.to_string()))
    }

    /// The reconnect loop. Returns the store thread for the caller to finish.
    pub(super) async fn run(mut self) -> StoreWorker {
        let last_server = self.start().await;
        let mut targets = Targets::new(self.config.server.clone(), last_server);
        let mut backoff = Backoff::default();
        let mut offline_since: Option<DateTime<Utc>> = None;
        let mut pairing_reason: Option<String> = None;
        while !self.stopping && !*self.stop.borrow() {
            if self.credentials.is_none() && self.pairing_code.is_none() {
                self.set_status(LinkStatus::NeedsPairing {
                    reason: pairing_reason.take(),
                })
                .await;
                match self.wait(None).await {
                    Woken::Stop => break,
                    Woken::Paired | Woken::Elapsed => {
                        self.set_status(LinkStatus::Connecting).await;
                        continue;
                    }
                }
            }
            let address = match targets.pick() {
                Pick::Connect(address) => Ok(address),
                Pick::Discover => match self.discover().await {
                    Ok(Some(address)) => {
                        targets.discovered(address.clone());
                        Ok(address)
                    }
                    Ok(None) => Err("no server answered on the network".to_owned()),
                    Err(reason) => Err(reason),
                },
            };
            let (reason, retry_now) = match address {
                Err(reason) => (reason, false),
                Ok(address) => match session::run(&mut self, &address).await {
                    SessionEnd::Stopped => break,
                    SessionEnd::Lost {
                        reason,
                        authenticated,
                        retry_now,
                    } => {
                        if authenticated {
                            targets.succeeded(&address);
                            backoff.reset();
                            offline_since = None;
                        } else {
                            targets.failed();
                        }
                        (reason, retry_now)
                    }
                    SessionEnd::NeedsPairing { reason } => {
                        self.pairing_code = None;
                        pairing_reason = reason;
                        continue;
                    }
                    SessionEnd::Refused { reason, retry } => {
                        self.set_status(LinkStatus::Refused { reason }).await;
                        match self.wait(retry.then_some(REFUSED_RETRY)).await {
                            Woken::Stop => break,
                            Woken::Paired => {
                                self.set_status(LinkStatus::Connecting).await;
                                continue;
                            }
                            Woken::Elapsed => continue,
                        }
                    }
                },
            };
            if self.stopping || *self.stop.borrow() {
                break;
            }
            let since = *offline_since.get_or_insert_with(Utc::now);
            let delay = backoff.next_delay();
            let delay = if retry_now { Duration::ZERO } else { delay };
            tracing::info!(%reason, attempt = backoff.attempt(), ?delay, "server not reachable; retrying");
            self.set_status(LinkStatus::Reconnecting {
                since,
                attempt: backoff.attempt(),
                reason,
            })
            .await;
            if let Woken::Stop = self.wait(Some(delay)).await {
                break;
            }
        }
        self.finish().await
    }

    /// Drains requests already queued (submits reach the outbox), saves, and hands
    /// back the store thread.
    async fn finish(mut self) -> StoreWorker {
        self.stopping = true;
        while let Ok(request) = self.requests.try_recv() {
            self.take_requests(Some(request), false).await;
        }
        self.flush_answered().await;
        self.checkpoint().await;
        self.flush_wake();
        // Wait for the store thread to have run everything queued so far.
        if let Err(error) = self.store.call(|_| Ok(())).await {
            tracing::error!(%error, "local data may be incomplete");
        }
        self.store
    }
}

/// Sleeps until `deadline`, or forever with `None`.
pub(super) async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
