//! Fan-out of committed events to every subscribed connection.
//!
//! Each event is serialised once; every connection gets the same shared frame. The
//! broadcast ring never blocks the writer: a connection that falls behind it gets
//! `Lagged` and re-reads what it missed from the log.

use std::sync::Arc;

use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use packbell_shared::protocol::{DeviceId, Event, EventBody, Seq, ServerMessage};

/// Events held for connections that are momentarily busy; one that falls further
/// behind than this re-reads from the log instead.
pub const FANOUT_CAPACITY: usize = 8192;

/// One committed event, ready to send.
#[derive(Debug)]
pub struct LiveEvent {
    pub seq: Seq,
    /// The `{"type":"event",...}` frame, serialised once for all connections.
    pub frame: Utf8Bytes,
    /// Set for `device_revoked`, so that device's connections close themselves.
    pub revoked_device: Option<DeviceId>,
    /// Set for `device_role_changed`: that device's connections close so it
    /// reconnects with its new role.
    pub role_changed_device: Option<DeviceId>,
}

#[derive(Clone)]
pub struct Fanout {
    sender: broadcast::Sender<Arc<LiveEvent>>,
}

impl Default for Fanout {
    fn default() -> Self {
        Fanout {
            sender: broadcast::channel(FANOUT_CAPACITY).0,
        }
    }
}

impl Fanout {
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.sender.subscribe()
    }

    /// Publishes a committed event. Called by the writer thread only, in seq order.
    pub fn publish(&self, event: Event) {
        let revoked_device = match event.body {
            EventBody::DeviceRevoked { device_id } => Some(device_id),
            _ => None,
        };
        let role_changed_device = match event.body {
            EventBody::DeviceRoleChanged { device_id, .. } => Some(device_id),
            _ => None,
        };
        let live = LiveEvent {
            seq: event.seq,
            frame: event_frame(event),
            revoked_device,
            role_changed_device,
        };
        // No receivers is fine: nobody is connected.
        let _ = self.sender.send(Arc::new(live));
    }
}

pub fn event_frame(event: Event) -> Utf8Bytes {
    message_text(&ServerMessage::Event(event))
}

pub fn message_text(message: &ServerMessage) -> Utf8Bytes {
    serde_json::to_string(message)
        .expect("server messages always serialise")
        .into()
}
