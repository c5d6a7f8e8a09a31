//! Which devices have a live, authenticated socket right now (for the admin device list).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use packbell_shared::protocol::{DeviceId, Role};

#[derive(Clone, Default)]
pub struct Presence {
    /// Open authenticated sockets per device, with the role they authenticated as.
    connected: Arc<Mutex<HashMap<DeviceId, (Role, usize)>>>,
}

/// Marks a device connected for as long as it is held.
pub struct PresenceGuard {
    presence: Presence,
    device_id: DeviceId,
}

impl Presence {
    pub fn enter(&self, device_id: DeviceId, role: Role) -> PresenceGuard {
        if let Ok(mut map) = self.connected.lock() {
            let entry = map.entry(device_id).or_insert((role, 0));
            entry.0 = role;
            entry.1 += 1;
        }
        PresenceGuard {
            presence: self.clone(),
            device_id,
        }
    }

    /// Open sockets per role: (office, warehouse, admin).
    pub fn sockets_by_role(&self) -> (u32, u32, u32) {
        let mut counts = (0, 0, 0);
        if let Ok(map) = self.connected.lock() {
            for (role, sockets) in map.values() {
                let sockets = u32::try_from(*sockets).unwrap_or(u32::MAX);
                match role {
                    Role::Office => counts.0 += sockets,
                    Role::Warehouse => counts.1 += sockets,
                    Role::Admin => counts.2 += sockets,
                }
            }
        }
        counts
    }

    /// Devices (not sockets) with an open socket in `role`.
    pub fn devices_with_role(&self, role: Role) -> u32 {
        self.connected
            .lock()
            .map(|map| map.values().filter(|(r, _)| *r == role).count())
            .map(|count| u32::try_from(count).unwrap_or(u32::MAX))
            .unwrap_or(0)
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
            && let Some((_, count)) = map.get_mut(&self.device_id)
        {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.device_id);
            }
        }
    }
}
