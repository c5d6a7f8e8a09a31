//! A client's copy of the site state, kept in step with the server by seq.
//!
//! Pure: no I/O, no clock. The link feeds it snapshots and events; both desktop
//! clients build their models on top of it.

use std::collections::BTreeMap;

use crate::protocol::{
    Ageing, DeviceId, DeviceSummary, Event, EventBody, Order, OrderId, OrderStatus, Seq, Snapshot,
    Store, StoreId,
};

/// What applying one event did, so callers can react (ring, withdraw a notification).
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// The event was the next one and changed state.
    Changed,
    /// The event's seq was at or below ours: already applied, ignored.
    Duplicate,
    /// The event's seq skipped ahead: something is missing; resync from `have`.
    Gap { have: Seq, got: Seq },
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SiteState {
    /// Seq of the last event reflected here; 0 when nothing is known yet.
    pub seq: Seq,
    pub stores: BTreeMap<StoreId, Store>,
    pub orders: BTreeMap<OrderId, Order>,
    pub devices: BTreeMap<DeviceId, DeviceSummary>,
    /// The site's ageing thresholds, once an admin set them.
    pub ageing: Option<Ageing>,
}

impl SiteState {
    /// Replaces everything with a snapshot.
    pub fn load_snapshot(&mut self, snapshot: Snapshot) {
        self.seq = snapshot.seq;
        self.stores = snapshot
            .stores
            .into_iter()
            .map(|s| (s.store_id, s))
            .collect();
        self.orders = snapshot
            .orders
            .into_iter()
            .map(|o| (o.order_id, o))
            .collect();
        self.devices = snapshot
            .devices
            .into_iter()
            .map(|d| (d.device_id, d))
            .collect();
        self.ageing = snapshot.ageing;
    }

    /// Applies the next event; refuses duplicates and reports gaps.
    pub fn apply(&mut self, event: &Event) -> Applied {
        if event.seq <= self.seq {
            return Applied::Duplicate;
        }
        if event.seq != self.seq + 1 {
            return Applied::Gap {
                have: self.seq,
                got: event.seq,
            };
        }
        self.seq = event.seq;
        self.apply_body(event);
        Applied::Changed
    }

    fn apply_body(&mut self, event: &Event) {
        match &event.body {
            EventBody::OrderCreated {
                order_id,
                order_number,
                store_id,
                note,
                priority,
                ..
            } => {
                self.orders.insert(
                    *order_id,
                    Order {
                        order_id: *order_id,
                        order_number: order_number.clone(),
                        store_id: *store_id,
                        note: note.clone(),
                        priority: *priority,
                        status: OrderStatus::Pending,
                        created_at: event.at,
                        created_by: event.device,
                        status_at: None,
                        status_by: None,
                        cancel_reason: String::new(),
                        acknowledged: false,
                    },
                );
            }
            EventBody::OrderPacked { order_id } => {
                self.set_status(*order_id, OrderStatus::Packed, event, "");
            }
            EventBody::OrderRecalled { order_id, .. } => {
                self.set_status(*order_id, OrderStatus::Pending, event, "");
            }
            EventBody::OrderCancelled { order_id, reason } => {
                self.set_status(*order_id, OrderStatus::Cancelled, event, reason);
            }
            EventBody::OrderEdited {
                order_id,
                store_id,
                note,
                priority,
            } => {
                // Status and its time stay: an edit corrects the order, it does not
                // move it along.
                if let Some(order) = self.orders.get_mut(order_id) {
                    order.store_id = *store_id;
                    order.note = note.clone();
                    order.priority = *priority;
                }
            }
            EventBody::RushAcknowledged { order_id } => {
                if let Some(order) = self.orders.get_mut(order_id) {
                    order.acknowledged = true;
                }
            }
            EventBody::AgeingSet(ageing) => self.ageing = Some(*ageing),
            EventBody::StoreAdded { store_id, name } => {
                self.stores.insert(
                    *store_id,
                    Store {
                        store_id: *store_id,
                        name: name.clone(),
                        active: true,
                    },
                );
            }
            EventBody::StoreRenamed { store_id, name } => {
                if let Some(store) = self.stores.get_mut(store_id) {
                    store.name = name.clone();
                }
            }
            EventBody::StoreDeactivated { store_id } => {
                if let Some(store) = self.stores.get_mut(store_id) {
                    store.active = false;
                }
            }
            EventBody::DeviceEnrolled {
                device_id,
                name,
                role,
            } => {
                self.devices.insert(
                    *device_id,
                    DeviceSummary {
                        device_id: *device_id,
                        name: name.clone(),
                        role: *role,
                        revoked: false,
                    },
                );
            }
            EventBody::DeviceRoleChanged { device_id, role } => {
                if let Some(device) = self.devices.get_mut(device_id) {
                    device.role = *role;
                }
            }
            EventBody::DeviceRevoked { device_id } => {
                if let Some(device) = self.devices.get_mut(device_id) {
                    device.revoked = true;
                }
            }
            // Stock is not part of the order state these windows keep.
            EventBody::ItemUpserted(_)
            | EventBody::StockAdjusted { .. }
            | EventBody::StockCounted { .. }
            | EventBody::AlertRaised { .. }
            | EventBody::AlertEscalated { .. }
            | EventBody::AlertAcknowledged { .. }
            | EventBody::AlertResolved { .. } => {}
        }
    }

    fn set_status(&mut self, order_id: OrderId, status: OrderStatus, event: &Event, reason: &str) {
        if let Some(order) = self.orders.get_mut(&order_id) {
            order.status = status;
            order.status_at = Some(event.at);
            order.status_by = Some(event.device);
            order.cancel_reason = reason.to_owned();
        }
    }

    pub fn store_name(&self, store_id: StoreId) -> Option<&str> {
        self.stores.get(&store_id).map(|s| s.name.as_str())
    }

    pub fn device_name(&self, device_id: DeviceId) -> Option<&str> {
        self.devices.get(&device_id).map(|d| d.name.as_str())
    }

    pub fn pending_orders(&self) -> impl Iterator<Item = &Order> {
        self.orders
            .values()
            .filter(|o| o.status == OrderStatus::Pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Priority;
    use chrono::Utc;

    fn event(seq: Seq, body: EventBody) -> Event {
        Event {
            seq,
            at: Utc::now(),
            device: 7,
            body,
        }
    }

    #[test]
    fn applies_in_order_and_reports_duplicates_and_gaps() {
        let mut state = SiteState::default();
        let add = event(
            1,
            EventBody::StoreAdded {
                store_id: 1,
                name: "Centro".into(),
            },
        );
        assert_eq!(state.apply(&add), Applied::Changed);
        assert_eq!(state.apply(&add), Applied::Duplicate);
        let create = event(
            3,
            EventBody::OrderCreated {
                order_id: 1,
                order_number: "A-1".into(),
                store_id: 1,
                note: String::new(),
                priority: Priority::Rush,
                lines: Vec::new(),
            },
        );
        assert_eq!(state.apply(&create), Applied::Gap { have: 1, got: 3 });
        assert!(state.orders.is_empty());
        let create = Event { seq: 2, ..create };
        assert_eq!(state.apply(&create), Applied::Changed);
        assert_eq!(state.pending_orders().count(), 1);
        assert_eq!(
            state.apply(&event(3, EventBody::OrderPacked { order_id: 1 })),
            Applied::Changed
        );
        assert_eq!(state.pending_orders().count(), 0);
        assert_eq!(state.orders[&1].status_by, Some(7));
    }

    #[test]
    fn an_edit_changes_store_note_and_rush_but_not_the_status() {
        let mut state = SiteState::default();
        let create = event(
            1,
            EventBody::OrderCreated {
                order_id: 1,
                order_number: "A-1".into(),
                store_id: 1,
                note: "old".into(),
                priority: Priority::Normal,
                lines: Vec::new(),
            },
        );
        state.apply(&create);
        let created_at = state.orders[&1].created_at;
        let edit = event(
            2,
            EventBody::OrderEdited {
                order_id: 1,
                store_id: 2,
                note: "new".into(),
                priority: Priority::Rush,
            },
        );
        assert_eq!(state.apply(&edit), Applied::Changed);
        let order = &state.orders[&1];
        assert_eq!(
            (order.store_id, order.note.as_str(), order.priority),
            (2, "new", Priority::Rush)
        );
        assert_eq!(order.status, OrderStatus::Pending);
        assert_eq!((order.created_at, order.status_at), (created_at, None));
    }
}
