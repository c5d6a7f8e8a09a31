//! What the warehouse PCs said about each order (their receipts), how many are
//! connected, and the office's alarm when no warehouse PC has rung for a pending
//! order after a while. Pure: the caller passes `now`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use packbell_shared::protocol::{DeviceId, NotRungWhy, OrderId, Receipt, ReceiptStage};
use packbell_shared::state::SiteState;

/// Seconds a pending order may go without any warehouse PC ringing before the office
/// raises its alarm, unless the settings say otherwise.
pub const DEFAULT_ALARM_SECS: u32 = 30;
/// While an alarm is on, its sound repeats this often.
pub const ALARM_REPEAT_SECS: i64 = 20;
/// Orders with receipts kept; beyond this the lowest order ids (the oldest) are
/// forgotten. A day of a busy site fits many times over.
pub const MAX_ORDERS_WITH_RECEIPTS: usize = 20_000;

/// The line an order's receipts make in the orders table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptSummary {
    /// No receipt yet and no warehouse PC connected.
    NoWarehouse,
    /// No receipt yet; warehouse PCs are connected.
    Waiting,
    /// `rang` PCs rang out of `of` (connected, or that sent a receipt).
    Rang { rang: usize, of: usize },
    /// On the PCs that have it, nobody rang; the first one's reason.
    NotRung { device: String, why: NotRungWhy },
    /// In `count` PCs' lists; the sound is still to come.
    Delivered { count: usize },
}

/// The receipts side of the office model.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipts {
    /// The latest receipt of each warehouse PC, per order.
    by_order: BTreeMap<OrderId, BTreeMap<DeviceId, Receipt>>,
    /// Warehouse PCs connected, as the server last said; `None` before it has.
    online: Option<u32>,
    /// How long a pending order may go without a ring before the alarm.
    pub alarm_after: Duration,
    /// Orders whose alarm was silenced here: still shown, no more sound.
    silenced: BTreeSet<OrderId>,
    /// When the alarm sound last played.
    last_sounded: Option<DateTime<Utc>>,
}

impl Default for Receipts {
    fn default() -> Self {
        Receipts {
            by_order: BTreeMap::new(),
            online: None,
            alarm_after: Duration::seconds(i64::from(DEFAULT_ALARM_SECS)),
            silenced: BTreeSet::new(),
            last_sounded: None,
        }
    }
}

impl Receipts {
    /// Keeps `receipt` unless a newer one of the same PC is already here (stored
    /// receipts sent after a subscribe can arrive behind live ones).
    pub fn record(&mut self, receipt: Receipt) {
        let of_order = self.by_order.entry(receipt.order_id).or_default();
        let newer_known = of_order
            .get(&receipt.device_id)
            .is_some_and(|known| known.at > receipt.at);
        if !newer_known {
            of_order.insert(receipt.device_id, receipt);
        }
        while self.by_order.len() > MAX_ORDERS_WITH_RECEIPTS {
            self.by_order.pop_first();
        }
    }

    pub fn set_online(&mut self, count: u32) {
        self.online = Some(count);
    }

    /// Warehouse PCs connected, as the server last said (0 before it has).
    pub fn online(&self) -> u32 {
        self.online.unwrap_or(0)
    }

    pub fn summary(&self, order_id: OrderId) -> ReceiptSummary {
        let online = usize::try_from(self.online()).unwrap_or(usize::MAX);
        let Some(receipts) = self.by_order.get(&order_id).filter(|r| !r.is_empty()) else {
            return if online == 0 {
                ReceiptSummary::NoWarehouse
            } else {
                ReceiptSummary::Waiting
            };
        };
        let rang = receipts
            .values()
            .filter(|r| r.stage == ReceiptStage::Rang)
            .count();
        if rang > 0 {
            return ReceiptSummary::Rang {
                rang,
                of: online.max(receipts.len()),
            };
        }
        let not_rung = receipts.values().find_map(|r| match (r.stage, r.why) {
            (ReceiptStage::NotRung, Some(why)) => Some((r.device_name.clone(), why)),
            _ => None,
        });
        match not_rung {
            Some((device, why)) => ReceiptSummary::NotRung { device, why },
            None => ReceiptSummary::Delivered {
                count: receipts.len(),
            },
        }
    }

    fn rang(&self, order_id: OrderId) -> bool {
        self.by_order
            .get(&order_id)
            .is_some_and(|receipts| receipts.values().any(|r| r.stage == ReceiptStage::Rang))
    }

    /// Pending orders that no warehouse PC rang for within `alarm_after` of being
    /// entered, oldest first. Only meaningful while connected (offline, the
    /// office cannot hear from the warehouse and says so instead).
    pub fn alarms(&self, site: &SiteState, now: DateTime<Utc>) -> Vec<(OrderId, String)> {
        let mut late: Vec<_> = site
            .pending_orders()
            .filter(|order| now - order.created_at >= self.alarm_after)
            .filter(|order| !self.rang(order.order_id))
            .map(|order| (order.created_at, order.order_id, order.order_number.clone()))
            .collect();
        late.sort();
        late.into_iter()
            .map(|(_, id, number)| (id, number))
            .collect()
    }

    /// Whether the alarm sound should play now: an alarm that is not silenced is on,
    /// and the sound has not played in the last [`ALARM_REPEAT_SECS`]. Marks it played.
    pub fn sound_due(&mut self, site: &SiteState, now: DateTime<Utc>) -> bool {
        let loud = self
            .alarms(site, now)
            .iter()
            .any(|(id, _)| !self.silenced.contains(id));
        if !loud {
            return false;
        }
        let due = self
            .last_sounded
            .is_none_or(|at| now - at >= Duration::seconds(ALARM_REPEAT_SECS));
        if due {
            self.last_sounded = Some(now);
        }
        due
    }

    /// Stops the sound for the alarms on now (they stay shown until a PC rings).
    pub fn silence(&mut self, site: &SiteState, now: DateTime<Utc>) {
        let on: Vec<OrderId> = self
            .alarms(site, now)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        self.silenced.extend(on);
    }

    pub fn is_silenced(&self, order_id: OrderId) -> bool {
        self.silenced.contains(&order_id)
    }
}

impl super::Model {
    fn hears_the_warehouse(&self) -> bool {
        matches!(
            self.link,
            packbell_shared::link::LinkStatus::Connected { .. }
        ) && !self.stale
    }

    /// The orders the office alarm is on for at `now` (none while not connected and
    /// caught up: then the office cannot know, and its offline state says so).
    pub fn receipt_alarms(&self, now: DateTime<Utc>) -> Vec<(OrderId, String)> {
        if !self.hears_the_warehouse() {
            return Vec::new();
        }
        self.receipts.alarms(&self.site, now)
    }

    /// Whether to play the alarm sound now; see [`Receipts::sound_due`].
    pub fn alarm_sound_due(&mut self, now: DateTime<Utc>) -> bool {
        self.hears_the_warehouse() && self.receipts.sound_due(&self.site, now)
    }

    /// "Silence": the alarms on now stop sounding; they stay shown.
    pub fn silence_alarms(&mut self, now: DateTime<Utc>) {
        self.receipts.silence(&self.site, now);
    }

    pub fn receipt_summary(&self, order_id: OrderId) -> ReceiptSummary {
        self.receipts.summary(order_id)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests {
    use packbell_shared::link::{LinkEvent, LinkStatus};
    use packbell_shared::protocol::{Order, OrderStatus, Priority, Role, Snapshot, Store};

    use super::*;
    use crate::model::Model;

    fn t0() -> DateTime<Utc> {
        "2026-03-02T09:00:00Z".parse().unwrap()
    }

    fn connected_with_order() -> Model {
        let mut model = Model::default();
        model.apply_link_event(
            LinkEvent::Status(LinkStatus::Connected {
                site: "test".into(),
                server_id: "s".into(),
                device_id: 1,
                role: Role::Office,
            }),
            t0(),
        );
        model.apply_link_event(
            LinkEvent::Reset {
                snapshot: Snapshot {
                    ageing: None,
                    seq: 2,
                    stores: vec![Store {
                        store_id: 1,
                        name: "Norte".into(),
                        active: true,
                    }],
                    orders: vec![Order {
                        order_id: 7,
                        order_number: "80001".into(),
                        store_id: 1,
                        note: String::new(),
                        priority: Priority::Normal,
                        status: OrderStatus::Pending,
                        created_at: t0(),
                        created_by: 1,
                        status_at: None,
                        status_by: None,
                        cancel_reason: String::new(),
                        acknowledged: false,
                    }],
                    devices: vec![],
                    more: false,
                    items: Vec::new(),
                    alerts: Vec::new(),
                },
                stale: false,
            },
            t0(),
        );
        model
    }

    fn receipt(device_id: DeviceId, name: &str, stage: ReceiptStage) -> LinkEvent {
        LinkEvent::Receipt(Receipt {
            order_id: 7,
            device_id,
            device_name: name.into(),
            stage,
            why: (stage == ReceiptStage::NotRung).then_some(NotRungWhy::SoundOff),
            at: t0() + Duration::seconds(1),
        })
    }

    #[test]
    fn the_summary_for_no_one_and_two_warehouse_pcs() {
        let mut model = connected_with_order();
        model.apply_link_event(LinkEvent::WarehousesOnline(0), t0());
        assert_eq!(model.receipt_summary(7), ReceiptSummary::NoWarehouse);

        model.apply_link_event(LinkEvent::WarehousesOnline(1), t0());
        assert_eq!(model.receipt_summary(7), ReceiptSummary::Waiting);
        model.apply_link_event(receipt(10, "Bodega-1", ReceiptStage::Applied), t0());
        assert_eq!(
            model.receipt_summary(7),
            ReceiptSummary::Delivered { count: 1 }
        );
        model.apply_link_event(receipt(10, "Bodega-1", ReceiptStage::Rang), t0());
        assert_eq!(
            model.receipt_summary(7),
            ReceiptSummary::Rang { rang: 1, of: 1 }
        );

        model.apply_link_event(LinkEvent::WarehousesOnline(2), t0());
        assert_eq!(
            model.receipt_summary(7),
            ReceiptSummary::Rang { rang: 1, of: 2 }
        );
        model.apply_link_event(receipt(11, "Bodega-2", ReceiptStage::Rang), t0());
        assert_eq!(
            model.receipt_summary(7),
            ReceiptSummary::Rang { rang: 2, of: 2 }
        );
    }

    #[test]
    fn not_rung_names_the_pc_and_the_reason() {
        let mut model = connected_with_order();
        model.apply_link_event(LinkEvent::WarehousesOnline(1), t0());
        model.apply_link_event(receipt(11, "Bodega-2", ReceiptStage::NotRung), t0());
        assert_eq!(
            model.receipt_summary(7),
            ReceiptSummary::NotRung {
                device: "Bodega-2".into(),
                why: NotRungWhy::SoundOff
            }
        );
        // An older receipt arriving late does not replace it.
        let mut old = Receipt {
            order_id: 7,
            device_id: 11,
            device_name: "Bodega-2".into(),
            stage: ReceiptStage::Applied,
            why: None,
            at: t0(),
        };
        model.apply_link_event(LinkEvent::Receipt(old.clone()), t0());
        assert!(matches!(
            model.receipt_summary(7),
            ReceiptSummary::NotRung { .. }
        ));
        old.at = t0() + Duration::seconds(5);
        old.stage = ReceiptStage::Rang;
        model.apply_link_event(LinkEvent::Receipt(old), t0());
        assert_eq!(
            model.receipt_summary(7),
            ReceiptSummary::Rang { rang: 1, of: 1 }
        );
    }

    #[test]
    fn the_alarm_fires_after_the_timeout_not_before_and_clears_when_a_pc_rings() {
        let mut model = connected_with_order();
        model.apply_link_event(LinkEvent::WarehousesOnline(0), t0());
        let before = t0() + Duration::seconds(29);
        let after = t0() + Duration::seconds(30);
        assert!(model.receipt_alarms(before).is_empty());
        assert!(!model.alarm_sound_due(before));
        assert_eq!(model.receipt_alarms(after), [(7, "80001".to_owned())]);
        assert!(model.alarm_sound_due(after), "the alarm is audible");
        assert!(
            !model.alarm_sound_due(after + Duration::seconds(1)),
            "not every tick"
        );
        assert!(model.alarm_sound_due(after + Duration::seconds(ALARM_REPEAT_SECS)));

        // A PC that has it but did not ring keeps the alarm on.
        model.apply_link_event(LinkEvent::WarehousesOnline(1), t0());
        model.apply_link_event(receipt(10, "Bodega-1", ReceiptStage::NotRung), t0());
        assert_eq!(model.receipt_alarms(after).len(), 1);
        model.apply_link_event(receipt(10, "Bodega-1", ReceiptStage::Rang), t0());
        assert!(model.receipt_alarms(after).is_empty());
        assert!(!model.alarm_sound_due(after + Duration::seconds(100)));
    }

    #[test]
    fn the_timeout_is_a_setting_and_silence_stops_the_sound_only() {
        let mut model = connected_with_order();
        model.receipts.alarm_after = Duration::seconds(5);
        assert!(model.receipt_alarms(t0() + Duration::seconds(4)).is_empty());
        let on = t0() + Duration::seconds(5);
        assert_eq!(model.receipt_alarms(on).len(), 1);
        model.silence_alarms(on);
        assert!(!model.alarm_sound_due(on));
        assert_eq!(model.receipt_alarms(on).len(), 1, "still shown");
    }

    #[test]
    fn no_alarm_while_offline() {
        let mut model = connected_with_order();
        model.apply_link_event(
            LinkEvent::Status(LinkStatus::Reconnecting {
                since: t0(),
                attempt: 1,
                reason: "lost".into(),
            }),
            t0(),
        );
        assert!(
            model
                .receipt_alarms(t0() + Duration::seconds(60))
                .is_empty()
        );
    }
}
