//! Carrying out the [`Action`]s that [`LinkLogic`] decides: events to the owner (with
//! the wake-up call), writes to the store thread, messages to the server. Also the
//! owner's side of the channels: requests in, stop flag.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::protocol::ClientMessage;

use super::api::{LinkEvent, LinkRequest};
use super::logic::{Action, LinkLogic, Loaded, SessionEnd, StoreWrite};
use super::worker::StoreWorker;

/// Requests handled in one go (their submits share one SQLite transaction).
pub const REQUEST_BATCH: usize = 256;
/// When the owner's event queue is full, the link waits this long before trying again
/// (and reads nothing from the server meanwhile: the server's slow-client rule then
/// applies, and the link catches up after reconnecting).
const EVENT_QUEUE_RETRY: Duration = Duration::from_millis(5);

pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// Where [`Action::Send`] goes: the current connection.
pub trait Outgoing {
    fn send(&mut self, message: &ClientMessage) -> Result<(), SessionEnd>;
}

/// No connection: the logic sends nothing then, so a message here is a mistake.
pub struct Offline;

impl Outgoing for Offline {
    fn send(&mut self, message: &ClientMessage) -> Result<(), SessionEnd> {
        tracing::error!(
            ?message,
            "a message for the server while not connected; dropped"
        );
        Ok(())
    }
}

/// The link thread's I/O: everything [`LinkLogic`] does not own.
pub struct Effects {
    /// The SQLite thread; every durable write goes through it, in order.
    store: StoreWorker,
    /// To the owner; bounded. When full the link waits (see `EVENT_QUEUE_RETRY`).
    events: SyncSender<LinkEvent>,
    /// Called once per batch of queued events.
    wake: Wake,
    wake_pending: bool,
    /// Set once the owner dropped its receiver: events are discarded from then on.
    owner_gone: bool,
    /// From the owner; bounded (`LinkHandle::request` answers `Busy` when full).
    pub requests: mpsc::Receiver<LinkRequest>,
    /// Set to true by `LinkHandle::shutdown` (or dropping the handle).
    pub stop: watch::Receiver<bool>,
}

impl Effects {
    pub fn new(
        store: StoreWorker,
        events: SyncSender<LinkEvent>,
        wake: Wake,
        requests: mpsc::Receiver<LinkRequest>,
        stop: watch::Receiver<bool>,
    ) -> Effects {
        Effects {
            store,
            events,
            wake,
            wake_pending: false,
            owner_gone: false,
            requests,
            stop,
        }
    }

    /// The owner asked the link to stop (or dropped its handle).
    pub fn stop_requested(&self) -> bool {
        *self.stop.borrow()
    }

    /// `first` and whatever else is already waiting, up to `REQUEST_BATCH`; `None`
    /// when the owner is gone.
    pub fn batch(&mut self, first: Option<LinkRequest>) -> Option<Vec<LinkRequest>> {
        let mut batch = vec![first?];
        while batch.len() < REQUEST_BATCH {
            match self.requests.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        Some(batch)
    }

    /// Reads everything the link keeps between runs.
    pub async fn load(&self) -> Result<Loaded, String> {
        self.store
            .call(|store| {
                Ok(Loaded {
                    credentials: store.credentials()?,
                    last_server: store.last_server()?,
                    saved: store.saved_state()?,
                    outbox: store.outbox()?,
                })
            })
            .await
            .map_err(|error| error.to_string())
    }

    /// The server addresses kept on this PC; none when they cannot be read (logged).
    pub async fn load_servers(&self) -> Vec<String> {
        match self.store.call(|store| store.servers()).await {
            Ok(servers) => servers,
            Err(error) => {
                tracing::warn!(%error, "cannot read the kept server addresses");
                Vec::new()
            }
        }
    }

    /// Carries out `actions` in order; results the logic waits for go back to it and
    /// its follow-up actions run next. Stops at the first message that cannot be sent.
    pub async fn perform(
        &mut self,
        logic: &mut LinkLogic,
        actions: Vec<Action>,
        outgoing: &mut dyn Outgoing,
    ) -> Result<(), SessionEnd> {
        let mut queue = VecDeque::from(actions);
        while let Some(action) = queue.pop_front() {
            let mut follow_up = Vec::new();
            match action {
                Action::Emit(event) => self.emit(event, logic.stopping()).await,
                Action::Send(message) => outgoing.send(&message)?,
                Action::SaveSubmits(submits) => {
                    let keys = submits.iter().map(|(key, _)| key.clone()).collect();
                    let saved = self
                        .store
                        .call(move |store| store.outbox_push(&submits))
                        .await
                        .map_err(|error| error.to_string());
                    logic.on_submits_saved(keys, saved, &mut follow_up);
                }
                Action::SaveCredentials(credentials) => {
                    let saved = self
                        .store
                        .call(move |store| store.set_credentials(&credentials))
                        .await;
                    if let Err(error) = saved {
                        logic.on_credentials_not_saved(&error.to_string(), &mut follow_up);
                    }
                }
                Action::Write(write) => self.write(write).await,
            }
            for action in follow_up.into_iter().rev() {
                queue.push_front(action);
            }
        }
        Ok(())
    }

    /// Queues a write on the store thread without waiting for it.
    async fn write(&self, write: StoreWrite) {
        match write {
            StoreWrite::RemoveAnswered(keys) => {
                self.store
                    .run("removing answered commands", move |store| {
                        store.outbox_remove(&keys)
                    })
                    .await;
            }
            StoreWrite::SaveState { server_id, state } => {
                self.store
                    .run("saving the site state", move |store| {
                        store.save_state(&server_id, &state)
                    })
                    .await;
            }
            StoreWrite::LastServer(address) => {
                self.store
                    .run("remembering the server", move |store| {
                        store.set_last_server(&address)
                    })
                    .await;
            }
            StoreWrite::Servers(servers) => {
                self.store
                    .run("keeping the server addresses", move |store| {
                        store.set_servers(&servers)
                    })
                    .await;
            }
            StoreWrite::ClearCredentials => {
                self.store
                    .run("removing the refused device token", |store| {
                        store.clear_credentials()
                    })
                    .await;
            }
        }
    }

    /// Hands `event` to the owner, waiting while its queue is full (unless stopping).
    async fn emit(&mut self, event: LinkEvent, stopping: bool) {
        let mut event = event;
        loop {
            match self.events.try_send(event) {
                Ok(()) => {
                    self.wake_pending = true;
                    return;
                }
                Err(TrySendError::Full(back)) => {
                    if stopping || self.stop_requested() {
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
    pub fn flush_wake(&mut self) {
        if std::mem::take(&mut self.wake_pending) {
            (self.wake)();
        }
    }

    /// Waits until the store thread has run every write queued so far, then hands it
    /// back for the caller to finish.
    pub async fn finish(self) -> StoreWorker {
        if let Err(error) = self.store.call(|_| Ok(())).await {
            tracing::error!(%error, "local data may be incomplete");
        }
        self.store
    }
}

/// Resolves once the owner asked the link to stop (or dropped its handle).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    // An error means the handle is gone: that is a stop as well.
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Sleeps until `deadline`, or forever with `None`.
pub async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
