//! A client's copy of the site state, kept in step with the server by seq.
//!
//! Pure: no I/O, no clock. The link feeds it snapshots and events; both desktop
//! clients build their models on top of it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::protocol::{
    Ageing, AlertAck, AlertId, DeviceId, DeviceSummary, Event, EventBody, Order, OrderId,
    OrderStatus, Seq, Snapshot, StockAlert, StockItem, Store, StoreId,
};

/// Resolved alerts kept for the history screens; past it the oldest resolved one is
/// forgotten (open alerts are always kept: the server bounds those per item).
pub const MAX_CLOSED_ALERTS: usize = 2_000;

/// A stock alert as this client saw it: open, or resolved and kept for history.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlertEntry {
    pub alert: StockAlert,
    /// The item's (or lot's) quantity when it was raised; unknown for an alert that
    /// was already open in the snapshot this client loaded.
    pub quantity: Option<i64>,
    /// When its condition cleared; `None` while open.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl AlertEntry {
    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }
}

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
    /// Stock items by sku, with their lots.
    #[serde(default)]
    pub items: BTreeMap<String, StockItem>,
    /// Stock alerts by id: every open one, and the resolved ones seen since (at most
    /// [`MAX_CLOSED_ALERTS`]). A snapshot carries open alerts only, so the history
    /// starts at what this client saw.
    #[serde(default)]
    pub alerts: BTreeMap<AlertId, AlertEntry>,
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
        self.items = snapshot
            .items
            .into_iter()
            .map(|item| (item.sku.clone(), item))
            .collect();
        // Resolved history stays; alerts we held open that the snapshot no longer
        // lists closed while we were away, at a time we do not know: forgotten.
        let known: BTreeMap<AlertId, i64> = self
            .alerts
            .values()
            .filter_map(|entry| Some((entry.alert.alert_id, entry.quantity?)))
            .collect();
        self.alerts.retain(|_, entry| !entry.is_open());
        for alert in snapshot.alerts {
            let quantity = known.get(&alert.alert_id).copied();
            self.alerts.insert(
                alert.alert_id,
                AlertEntry {
                    alert,
                    quantity,
                    resolved_at: None,
                },
            );
        }
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
            EventBody::ItemUpserted(item) => {
                self.items.insert(item.sku.clone(), item.clone());
            }
            EventBody::StockAdjusted {
                sku,
                lot,
                quantity,
                lot_quantity,
                ..
            } => self.set_quantity(sku, *quantity, lot.as_deref(), *lot_quantity),
            EventBody::StockCounted {
                sku,
                lot,
                counted,
                quantity,
                ..
            } => self.set_quantity(sku, *quantity, lot.as_deref(), Some(*counted)),
            EventBody::AlertRaised {
                alert_id,
                alert_kind,
                severity,
                sku,
                lot,
                store_id,
                quantity,
                ..
            } => {
                self.alerts.insert(
                    *alert_id,
                    AlertEntry {
                        alert: StockAlert {
                            alert_id: *alert_id,
                            alert_kind: *alert_kind,
                            severity: *severity,
                            sku: sku.clone(),
                            lot: lot.clone(),
                            store_id: *store_id,
                            level: 1,
                            raised_at: event.at,
                            acknowledged: None,
                        },
                        quantity: Some(*quantity),
                        resolved_at: None,
                    },
                );
            }
            EventBody::AlertEscalated { alert_id, level } => {
                if let Some(entry) = self.alerts.get_mut(alert_id) {
                    entry.alert.level = *level;
                }
            }
            EventBody::AlertAcknowledged { alert_id, comment } => {
                if let Some(entry) = self.alerts.get_mut(alert_id) {
                    entry.alert.acknowledged = Some(AlertAck {
                        by: event.device,
                        at: event.at,
                        comment: comment.clone(),
                    });
                }
            }
            EventBody::AlertResolved { alert_id } => {
                if let Some(entry) = self.alerts.get_mut(alert_id) {
                    entry.resolved_at = Some(event.at);
                }
                self.forget_oldest_closed();
            }
        }
    }

    /// The item's new quantity, and its lot's when the event names one.
    fn set_quantity(
        &mut self,
        sku: &str,
        quantity: i64,
        lot: Option<&str>,
        lot_quantity: Option<i64>,
    ) {
        let Some(item) = self.items.get_mut(sku) else {
            return;
        };
        item.quantity = quantity;
        if let (Some(lot), Some(lot_quantity)) = (lot, lot_quantity)
            && let Some(entry) = item.lots.iter_mut().find(|l| l.lot == lot)
        {
            entry.quantity = lot_quantity;
        }
    }

    /// Keeps at most [`MAX_CLOSED_ALERTS`] resolved alerts: the lowest ids (the
    /// oldest raised) go first.
    fn forget_oldest_closed(&mut self) {
        let closed = self.alerts.values().filter(|e| !e.is_open()).count();
        if closed <= MAX_CLOSED_ALERTS {
            return;
        }
        let excess: Vec<AlertId> = self
            .alerts
            .values()
            .filter(|e| !e.is_open())
            .map(|e| e.alert.alert_id)
            .take(closed - MAX_CLOSED_ALERTS)
            .collect();
        for alert_id in excess {
            self.alerts.remove(&alert_id);
        }
    }

    /// The open stock alerts, oldest first.
    pub fn open_alerts(&self) -> impl Iterator<Item = &AlertEntry> {
        self.alerts.values().filter(|e| e.is_open())
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

    fn item(sku: &str, quantity: i64, lots: Vec<crate::protocol::StockLot>) -> StockItem {
        StockItem {
            sku: sku.into(),
            name: format!("{sku} name"),
            store_id: Some(1),
            quantity,
            unit: "box".into(),
            min: 4,
            max: 20,
            pack_size: 6,
            lead_days: 2,
            lots,
        }
    }

    fn raised(seq: Seq, alert_id: AlertId, sku: &str) -> Event {
        event(
            seq,
            EventBody::AlertRaised {
                alert_id,
                alert_kind: crate::protocol::AlertKind::Low,
                severity: crate::protocol::Severity::Critical,
                sku: sku.into(),
                lot: None,
                store_id: Some(1),
                quantity: 3,
                expiry: None,
            },
        )
    }

    #[test]
    fn stock_events_move_items_and_lots() {
        let lot = crate::protocol::StockLot {
            lot: "L1".into(),
            quantity: 10,
            expiry: chrono::NaiveDate::from_ymd_opt(2026, 3, 20).expect("date"),
        };
        let mut state = SiteState::default();
        state.apply(&event(
            1,
            EventBody::ItemUpserted(item("TEA", 10, vec![lot])),
        ));
        state.apply(&event(
            2,
            EventBody::StockAdjusted {
                sku: "TEA".into(),
                lot: Some("L1".into()),
                delta: -4,
                quantity: 6,
                lot_quantity: Some(6),
                reason: "damaged".into(),
                order_id: None,
            },
        ));
        assert_eq!(
            (
                state.items["TEA"].quantity,
                state.items["TEA"].lots[0].quantity
            ),
            (6, 6)
        );
        state.apply(&event(
            3,
            EventBody::StockCounted {
                sku: "TEA".into(),
                lot: Some("L1".into()),
                counted: 2,
                delta: -4,
                quantity: 2,
            },
        ));
        assert_eq!(
            (
                state.items["TEA"].quantity,
                state.items["TEA"].lots[0].quantity
            ),
            (2, 2)
        );
        state.apply(&event(
            4,
            EventBody::StockAdjusted {
                sku: "UNKNOWN".into(),
                lot: None,
                delta: 1,
                quantity: 1,
                lot_quantity: None,
                reason: String::new(),
                order_id: None,
            },
        ));
        assert_eq!(state.items.len(), 1, "an unknown sku adds nothing");
    }

    #[test]
    fn alerts_open_escalate_are_acknowledged_and_resolve_into_history() {
        let mut state = SiteState::default();
        state.apply(&raised(1, 5, "TEA"));
        state.apply(&event(
            2,
            EventBody::AlertEscalated {
                alert_id: 5,
                level: 2,
            },
        ));
        state.apply(&event(
            3,
            EventBody::AlertAcknowledged {
                alert_id: 5,
                comment: "ordered".into(),
            },
        ));
        let entry = &state.alerts[&5];
        assert_eq!(entry.alert.level, 2);
        assert_eq!(entry.quantity, Some(3));
        let ack = entry.alert.acknowledged.as_ref().expect("acknowledged");
        assert_eq!((ack.by, ack.comment.as_str()), (7, "ordered"));
        assert_eq!(state.open_alerts().count(), 1);
        state.apply(&event(4, EventBody::AlertResolved { alert_id: 5 }));
        assert_eq!(state.open_alerts().count(), 0);
        assert!(state.alerts[&5].resolved_at.is_some(), "kept as history");
    }

    #[test]
    fn a_snapshot_replaces_items_and_open_alerts_but_keeps_resolved_history() {
        let mut state = SiteState::default();
        state.apply(&raised(1, 1, "OLD"));
        state.apply(&event(2, EventBody::AlertResolved { alert_id: 1 }));
        state.apply(&raised(3, 2, "GONE"));
        state.apply(&raised(4, 3, "STILL"));
        let mut still = state.alerts[&3].alert.clone();
        still.level = 3;
        let snapshot = Snapshot {
            seq: 10,
            items: vec![item("STILL", 1, Vec::new())],
            alerts: vec![still],
            ..Snapshot::default()
        };
        state.load_snapshot(snapshot);
        let ids: Vec<AlertId> = state.alerts.keys().copied().collect();
        assert_eq!(ids, vec![1, 3], "alert 2 closed while away, time unknown");
        assert_eq!(state.alerts[&3].alert.level, 3);
        assert_eq!(state.alerts[&3].quantity, Some(3), "what we knew stays");
        assert_eq!(state.items.keys().collect::<Vec<_>>(), vec!["STILL"]);
    }

    #[test]
    fn resolved_history_is_bounded_and_forgets_the_oldest_first() {
        let mut state = SiteState::default();
        let mut seq = 0;
        state.apply(&raised(1, 1, "OPEN"));
        seq += 1;
        for alert_id in 2..(MAX_CLOSED_ALERTS as AlertId + 4) {
            seq += 1;
            state.apply(&raised(seq, alert_id, "X"));
            seq += 1;
            state.apply(&event(seq, EventBody::AlertResolved { alert_id }));
        }
        let closed: Vec<AlertId> = state
            .alerts
            .values()
            .filter(|e| !e.is_open())
            .map(|e| e.alert.alert_id)
            .collect();
        assert_eq!(closed.len(), MAX_CLOSED_ALERTS);
        assert_eq!(closed[0], 4, "alerts 2 and 3 were the oldest resolved");
        assert!(
            state.alerts[&1].is_open(),
            "open alerts are never forgotten"
        );
    }
}
