//! The office client's side of the client link: the only module that knows it.
//!
//! [`LinkPort`] is what the app needs from a link (submit, request, shut down);
//! [`LinkHandle`] is the real one, [`testing::FakeLink`] records what a test's app
//! sent. [`spawn_pump`] drains link events into the shared model on its own thread.
//!
//! **The UI thread never waits on the network:** `submit` and `request` only queue.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::Utc;
use packbell_shared::link::{LinkConfig, LinkEvent, LinkHandle, LinkRequest};
use packbell_shared::protocol::Command;

use crate::app::Waker;
use crate::model::Model;
use crate::settings::SubmissionFile;

/// What the app needs from a link. Both calls only queue; neither waits.
pub trait LinkPort: Send {
    /// Hands a command to the outbox; answers its idempotency key.
    fn submit(&self, command: Command) -> Result<String, String>;
    /// Pairing, device list, pairing codes.
    fn request(&self, request: LinkRequest) -> Result<(), String>;
    /// Stops the link after queued commands have reached the durable outbox.
    fn shutdown(self: Box<Self>);
}

impl LinkPort for LinkHandle {
    fn submit(&self, command: Command) -> Result<String, String> {
        LinkHandle::submit(self, command).map_err(|e| e.to_string())
    }

    fn request(&self, request: LinkRequest) -> Result<(), String> {
        LinkHandle::request(self, request).map_err(|e| e.to_string())
    }

    fn shutdown(self: Box<Self>) {
        LinkHandle::shutdown(*self);
    }
}

/// Locks the model; a panic elsewhere while holding it leaves the data usable.
pub fn lock(model: &Mutex<Model>) -> MutexGuard<'_, Model> {
    model
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Starts the real link for `config`. Its wake-up callback does nothing: the pump
/// thread is already woken by the event channel, and it is the one that repaints.
pub fn spawn_link(config: LinkConfig) -> std::io::Result<(Box<dyn LinkPort>, Receiver<LinkEvent>)> {
    let (handle, events) = LinkHandle::spawn(config, Arc::new(|| {}))?;
    Ok((Box::new(handle), events))
}

/// Tells the pump to finish: once set, it drains what is waiting and returns.
pub type PumpStop = Arc<AtomicBool>;

/// How often the pump looks at its stop flag while no event arrives.
const PUMP_POLL: Duration = Duration::from_millis(100);

/// Drains link events into the model until the link stops (or `stop` is set),
/// asking egui to repaint after each batch and saving the unacknowledged orders
/// when they change.
pub fn spawn_pump(
    events: Receiver<LinkEvent>,
    model: Arc<Mutex<Model>>,
    waker: Waker,
    submissions: Option<Arc<SubmissionFile>>,
    stop: PumpStop,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("packbell-office-pump".into())
        .spawn(move || {
            loop {
                let first = match events.recv_timeout(PUMP_POLL) {
                    Ok(event) => event,
                    Err(RecvTimeoutError::Timeout) if !stop.load(Ordering::Acquire) => continue,
                    Err(_) => break,
                };
                let mut model = lock(&model);
                let rev = model.submissions_rev;
                model.apply_link_event(first, Utc::now());
                while let Ok(next) = events.try_recv() {
                    model.apply_link_event(next, Utc::now());
                }
                if let Some(file) = &submissions
                    && model.submissions_rev != rev
                {
                    file.save(model.submissions_rev, &model.unacked_submissions());
                }
                drop(model);
                waker.wake();
            }
            tracing::debug!("link events ended; pump stops");
        })
}

/// Where the link keeps its state for `data_dir` (used by settings and tests).
pub fn link_config(data_dir: PathBuf, device_name: String) -> LinkConfig {
    LinkConfig {
        insecure_plaintext: false,
        data_dir,
        server: None,
        discovery_targets: Vec::new(),
        site: None,
        device_name,
        pairing_code: None,
    }
}

/// A link that records what the app sent, for tests that feed events by hand.
#[cfg(any(test, feature = "testing"))]
pub mod testing {
    use std::sync::{Arc, Mutex};

    use packbell_shared::link::LinkRequest;
    use packbell_shared::protocol::Command;

    use super::LinkPort;

    /// Everything a [`FakeLink`] was asked to do.
    #[derive(Debug, Default)]
    pub struct Sent {
        pub commands: Vec<(String, Command)>,
        pub requests: Vec<LinkRequest>,
        pub shut_down: bool,
    }

    #[derive(Debug, Clone, Default)]
    pub struct FakeLink {
        pub sent: Arc<Mutex<Sent>>,
    }

    impl FakeLink {
        fn sent(&self) -> std::sync::MutexGuard<'_, Sent> {
            self.sent.lock().unwrap_or_else(|p| p.into_inner())
        }
    }

    impl LinkPort for FakeLink {
        fn submit(&self, command: Command) -> Result<String, String> {
            let mut sent = self.sent();
            let key = format!("key-{}", sent.commands.len() + 1);
            sent.commands.push((key.clone(), command));
            Ok(key)
        }

        fn request(&self, request: LinkRequest) -> Result<(), String> {
            self.sent().requests.push(request);
            Ok(())
        }

        fn shutdown(self: Box<Self>) {
            self.sent().shut_down = true;
        }
    }
}
