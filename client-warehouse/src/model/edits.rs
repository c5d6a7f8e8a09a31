//! Orders the office corrected (`order_edited`): what changed and when, so the list
//! can show it for a while, and whether the change is news that rings.

use chrono::{DateTime, Duration, Utc};
use packbell_shared::protocol::{Order, OrderId, Priority};

use super::{AlertAction, BURST_RINGS, Model, pending_key};

/// How long a corrected order's row shows what changed. Past it the row looks like
/// any other (the change itself stays).
pub const EDIT_HIGHLIGHT_SECS: i64 = 120;

/// What an edit changed on an order, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct EditMark {
    pub store: bool,
    pub note: bool,
    pub rush: bool,
    /// When the office made the change (the event's commit time).
    pub at: DateTime<Utc>,
    /// When this PC learnt of it; the highlight is timed from here.
    pub seen_at: DateTime<Utc>,
}

impl EditMark {
    fn changed_anything(&self) -> bool {
        self.store || self.note || self.rush
    }
}

impl Model {
    /// Applies the bookkeeping of an `order_edited` already applied to the site state;
    /// `before` is the order as it was.
    pub(super) fn order_edited(
        &mut self,
        before: Option<Order>,
        order_id: OrderId,
        at: DateTime<Utc>,
        replayed: bool,
        now: DateTime<Utc>,
        actions: &mut Vec<AlertAction>,
    ) {
        let Some(before) = before else {
            self.refresh(order_id);
            return;
        };
        // The list is sorted by priority: the old key must go before the new one is in.
        self.pending.remove(&pending_key(&before));
        self.refresh(order_id);
        let Some(after) = self.site.orders.get(&order_id).cloned() else {
            return;
        };
        if !self.is_pending(order_id) {
            return;
        }
        let mark = EditMark {
            store: before.store_id != after.store_id,
            note: before.note != after.note,
            rush: before.priority != after.priority,
            at,
            seen_at: now,
        };
        if !mark.changed_anything() {
            return;
        }
        self.edits.insert(order_id, mark);
        let was_here = self.in_station(&before);
        let is_here = self.in_station(&after);
        let rush_raised = before.priority == Priority::Normal && after.priority == Priority::Rush;
        if was_here && !is_here {
            // Moved to another station's store: its notification here is obsolete.
            let mut gone = Vec::new();
            self.forget(order_id, &mut gone);
            actions.extend(gone);
            return;
        }
        if is_here && (rush_raised || !was_here) {
            // A rush raised, or an order newly for this station: news, like a new order.
            self.acknowledged.remove(&order_id);
            self.announce_again(order_id, replayed, now, actions);
        }
    }

    /// Rings an order as if it had just been created, with the same catch-up and
    /// burst rules as a creation.
    fn announce_again(
        &mut self,
        order_id: OrderId,
        replayed: bool,
        now: DateTime<Utc>,
        actions: &mut Vec<AlertAction>,
    ) {
        if self.initial_replay {
            return;
        }
        if replayed || self.catching_up() {
            self.catch_up.insert(order_id);
            return;
        }
        let Some(alert) = self.alert_for(order_id) else {
            return;
        };
        if self.in_burst(now) {
            self.burst.insert(order_id);
            return;
        }
        self.recent_rings.push_back(now);
        if self.recent_rings.len() > BURST_RINGS {
            self.recent_rings.pop_front();
        }
        if alert.priority == Priority::Rush {
            let interval = Duration::seconds(i64::from(self.settings.rush_repeat_secs));
            self.rush_next.insert(order_id, now + interval);
        }
        self.notified.insert(order_id);
        actions.push(AlertAction::Ring(alert));
    }

    /// What the office changed on this order, while the change is recent.
    pub fn recent_edit(&self, order_id: OrderId, now: DateTime<Utc>) -> Option<&EditMark> {
        self.edits
            .get(&order_id)
            .filter(|mark| now.signed_duration_since(mark.seen_at) < highlight())
    }

    /// Drops the marks whose highlight is over.
    pub(super) fn expire_edits(&mut self, now: DateTime<Utc>) {
        self.edits
            .retain(|_, mark| now.signed_duration_since(mark.seen_at) < highlight());
    }
}

fn highlight() -> Duration {
    Duration::seconds(EDIT_HIGHLIGHT_SECS)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

    use std::collections::BTreeSet;

    use chrono::TimeZone;
    use packbell_shared::link::{LinkEvent, LinkStatus};
    use packbell_shared::protocol::{Event, EventBody, Role, Snapshot, Store, StoreId};

    use super::*;
    use crate::settings::Settings;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + Duration::seconds(secs)
    }

    fn live(seq: u64, secs: i64, body: EventBody) -> LinkEvent {
        LinkEvent::Event {
            event: Event {
                seq,
                at: at(secs),
                device: 1,
                body,
            },
            replayed: false,
        }
    }

    /// A connected model at seq 10 with stores Centro (1) and Norte (2), ringing for
    /// `station` (empty: every store), and one normal order A-1 for Centro at seq 11.
    fn with_order(station: &[StoreId]) -> Model {
        let mut model = Model::new(Settings {
            station: station.iter().copied().collect::<BTreeSet<_>>(),
            ..Settings::default()
        });
        model.handle(
            LinkEvent::Status(LinkStatus::Connected {
                site: "Tienda".into(),
                server_id: "s".into(),
                device_id: 9,
                role: Role::Warehouse,
            }),
            at(0),
        );
        let store = |store_id, name: &str| Store {
            store_id,
            name: name.into(),
            active: true,
        };
        model.handle(
            LinkEvent::Reset {
                snapshot: Snapshot {
                    ageing: None,
                    more: false,
                    seq: 10,
                    stores: vec![store(1, "Centro"), store(2, "Norte")],
                    orders: Vec::new(),
                    devices: Vec::new(),
                    items: Vec::new(),
                    alerts: Vec::new(),
                },
                stale: false,
            },
            at(0),
        );
        model.handle(LinkEvent::CaughtUp { seq: 10 }, at(0));
        model.handle(
            live(
                11,
                0,
                EventBody::OrderCreated {
                    order_id: 1,
                    order_number: "A-1".into(),
                    store_id: 1,
                    note: String::new(),
                    priority: Priority::Normal,
                    lines: Vec::new(),
                },
            ),
            at(0),
        );
        model
    }

    fn edited(store_id: StoreId, note: &str, priority: Priority) -> EventBody {
        EventBody::OrderEdited {
            order_id: 1,
            store_id,
            note: note.into(),
            priority,
        }
    }

    fn rings(actions: &[AlertAction]) -> Vec<(String, Priority)> {
        actions
            .iter()
            .filter_map(|a| match a {
                AlertAction::Ring(alert) => Some((alert.order_number.clone(), alert.priority)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_edit_is_announced_with_what_changed_for_a_while() {
        let mut model = with_order(&[]);
        let actions = model.handle(
            live(12, 30, edited(2, "two boxes", Priority::Normal)),
            at(31),
        );
        assert!(
            rings(&actions).is_empty(),
            "a new store or note is not a new order here"
        );
        let mark = model.recent_edit(1, at(31)).expect("announced");
        assert_eq!(
            (mark.store, mark.note, mark.rush, mark.at),
            (true, true, false, at(30))
        );
        assert_eq!(model.order(1).map(|o| o.store_id), Some(2));
        assert!(model.recent_edit(1, at(31 + EDIT_HIGHLIGHT_SECS)).is_none());
        model.tick(at(31 + EDIT_HIGHLIGHT_SECS));
        assert!(model.edits.is_empty(), "expired marks are dropped");
    }

    #[test]
    fn a_rush_raised_by_an_edit_rings_and_moves_up_the_list() {
        let mut model = with_order(&[1]);
        model.handle(
            live(
                12,
                5,
                EventBody::OrderCreated {
                    order_id: 2,
                    order_number: "A-2".into(),
                    store_id: 1,
                    note: String::new(),
                    priority: Priority::Rush,
                    lines: Vec::new(),
                },
            ),
            at(5),
        );
        assert_eq!(model.visible(), [2, 1]);
        let actions = model.handle(live(13, 40, edited(1, "", Priority::Rush)), at(40));
        assert_eq!(rings(&actions), [("A-1".to_owned(), Priority::Rush)]);
        assert_eq!(model.visible(), [1, 2], "rush first, then oldest");
        assert!(model.recent_edit(1, at(41)).expect("announced").rush);
        assert!(
            model.ringing_rush().contains(&1),
            "and it re-alerts like a rush"
        );

        // Lowering it again rings nothing.
        let actions = model.handle(live(14, 50, edited(1, "", Priority::Normal)), at(50));
        assert!(rings(&actions).is_empty());
        assert_eq!(model.visible(), [2, 1]);
    }

    #[test]
    fn a_rush_raised_for_another_station_does_not_ring_here() {
        let mut model = with_order(&[2]);
        let actions = model.handle(live(12, 40, edited(1, "", Priority::Rush)), at(40));
        assert!(rings(&actions).is_empty());
        assert!(
            model.recent_edit(1, at(41)).is_some(),
            "but the row shows it"
        );

        // Moved to this station's store: news here.
        let actions = model.handle(live(13, 50, edited(2, "", Priority::Rush)), at(50));
        assert_eq!(rings(&actions), [("A-1".to_owned(), Priority::Rush)]);
    }
}
