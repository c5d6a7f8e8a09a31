//! [`LinkPort`]: what a window needs from the client link, so that the window runs the
//! same way on the real link and on the fake one (`fake`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use packbell_shared::link::{LinkConfig, LinkError, LinkEvent, LinkHandle, LinkRequest};
use packbell_shared::protocol::Command;

/// What a window asks of its link. Both calls only queue; neither waits.
pub trait LinkPort: Send {
    /// Hands `command` to the durable outbox; answers its idempotency key.
    fn submit(&self, command: Command) -> Result<String, LinkError>;
    /// Pairing, server choice, device list, pairing codes, site status.
    fn request(&self, request: LinkRequest) -> Result<(), LinkError>;
    /// A way to send requests from another thread (the warehouse's pump sends its
    /// receipts through it); it never waits, like [`LinkPort::request`].
    fn requester(&self) -> Requester;
    /// Stops the link after queued commands have reached the outbox. When it returns,
    /// the link's event channel is closed (that is what ends the pump).
    fn shutdown(self: Box<Self>);
}

impl LinkPort for LinkHandle {
    fn submit(&self, command: Command) -> Result<String, LinkError> {
        LinkHandle::submit(self, command)
    }

    fn request(&self, request: LinkRequest) -> Result<(), LinkError> {
        LinkHandle::request(self, request)
    }

    fn requester(&self) -> Requester {
        let sender = self.sender();
        Arc::new(move |request| sender.request(request))
    }

    fn shutdown(self: Box<Self>) {
        LinkHandle::shutdown(*self);
    }
}

/// Sends a request to the link from any thread; see [`LinkPort::requester`].
pub type Requester = Arc<dyn Fn(LinkRequest) -> Result<(), LinkError> + Send + Sync>;

/// Starts the real link for `config`. Its own wake-up callback does nothing: the pump
/// is woken by the event channel, and it wakes the window once the model has changed
/// (waking it earlier would draw the old model).
pub fn spawn_link(config: LinkConfig) -> std::io::Result<(Box<dyn LinkPort>, Receiver<LinkEvent>)> {
    let (handle, events) = LinkHandle::spawn(config, Arc::new(|| {}))?;
    Ok((Box::new(handle), events))
}

/// A link configuration that keeps its state in `data_dir` and finds the server by
/// discovery; callers set what else they need.
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
