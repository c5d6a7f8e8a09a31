//! The only place that touches the client link: starts it and forwards the UI's
//! intents. The rest of the crate sees [`Commands`], so tests can swap in [`FakeLink`].

use std::sync::Arc;
use std::sync::mpsc::Receiver;

use packbell_shared::link::{LinkConfig, LinkError, LinkEvent, LinkHandle, LinkRequest};
use packbell_shared::protocol::Command;

/// Why the link did not take a request (the UI says it in the user's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// Its queue is full for a moment; trying again works.
    Busy,
    /// The link thread has stopped.
    Stopped,
}

impl From<LinkError> for SendError {
    fn from(err: LinkError) -> SendError {
        match err {
            LinkError::Busy => SendError::Busy,
            LinkError::Stopped => SendError::Stopped,
        }
    }
}

/// What the UI asks of the link. Never blocks.
pub trait Commands: Send {
    /// Queues `command`; returns its idempotency key, or why it was not taken.
    fn submit(&self, command: Command) -> Result<String, SendError>;
    /// Enrols with a pairing code.
    fn pair(&self, code: String) -> Result<(), SendError>;
    /// Connects to this one of several servers found by discovery.
    fn choose_server(&self, server_id: String) -> Result<(), SendError>;
}

/// The real link.
pub struct RealLink {
    handle: Option<LinkHandle>,
}

impl RealLink {
    /// Starts the link thread; `wake` is called when events are waiting.
    pub fn spawn(
        config: LinkConfig,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> std::io::Result<(RealLink, Receiver<LinkEvent>)> {
        let (handle, events) = LinkHandle::spawn(config, wake)?;
        Ok((
            RealLink {
                handle: Some(handle),
            },
            events,
        ))
    }

    /// Stops the link and waits for it (submitted commands reach the outbox first).
    pub fn shutdown(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.shutdown();
        }
    }
}

impl Drop for RealLink {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Commands for RealLink {
    fn submit(&self, command: Command) -> Result<String, SendError> {
        let handle = self.handle.as_ref().ok_or(SendError::Stopped)?;
        Ok(handle.submit(command)?)
    }

    fn pair(&self, code: String) -> Result<(), SendError> {
        let handle = self.handle.as_ref().ok_or(SendError::Stopped)?;
        Ok(handle.request(LinkRequest::Pair { code })?)
    }

    fn choose_server(&self, server_id: String) -> Result<(), SendError> {
        let handle = self.handle.as_ref().ok_or(SendError::Stopped)?;
        Ok(handle.request(LinkRequest::ChooseServer { server_id })?)
    }
}

/// Records intents instead of sending them (tests, screenshots).
#[cfg(any(test, feature = "testing"))]
#[derive(Debug, Clone, Default)]
pub struct FakeLink {
    log: Arc<std::sync::Mutex<Vec<LinkRequest>>>,
}

#[cfg(any(test, feature = "testing"))]
impl FakeLink {
    pub fn requests(&self) -> Vec<LinkRequest> {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn push(&self, request: LinkRequest) {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(request);
    }
}

#[cfg(any(test, feature = "testing"))]
impl Commands for FakeLink {
    fn submit(&self, command: Command) -> Result<String, SendError> {
        let key = format!("fake-{}", self.requests().len() + 1);
        self.push(LinkRequest::Submit {
            key: key.clone(),
            command,
        });
        Ok(key)
    }

    fn pair(&self, code: String) -> Result<(), SendError> {
        self.push(LinkRequest::Pair { code });
        Ok(())
    }

    fn choose_server(&self, server_id: String) -> Result<(), SendError> {
        self.push(LinkRequest::ChooseServer { server_id });
        Ok(())
    }
}
