//! Which devices have a live, authenticated socket right now (for the admin device list).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use packbell_shared::protocol::DeviceId;

#[derive(Clone, Default)]
pub struct Presence {
    connected: Arc<Mutex<HashMap<DeviceId, usize>>>,
}

/// Marks a device connected for as long as it is held.
pub struct PresenceGuard {
    presence: Presence,
    device_id: DeviceId,
}

impl Presence {
    pub fn enter(&self, device_id: DeviceId) -> PresenceGuard {
        if let Ok(mut map) = self.connected.lock() {
            *map.entry(device_id).or_default() += 1;
        }
        PresenceGuard {
            presence: self.clone(),
            device_id,
        }
    }

    pub fn is_connected(&self, device_id: DeviceId) -> bool {
        self.connected
            .lock()
            .map(|map| map.contains_key(&device_id))
            .unwrap_or(false)
    }
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        if let Ok(mut map) = self.presence.connected.lock()
            && let Some(count) = map.get_mut(&self.device_id)
        {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.device_id);
            }
        }
    }
}
