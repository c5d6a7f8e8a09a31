//! Alert decisions: what to ring, summarise or withdraw, and rush acknowledgement.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use packbell_shared::protocol::{NotRungWhy, OrderId, Priority};

use super::{BURST_RINGS, BURST_WINDOW_SECS, Model, SUMMARY_MAX_NUMBERS, pending_key};

/// What to tell the warehouse about one order.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub order_id: OrderId,
    pub order_number: String,
    pub store: String,
    pub note: String,
    pub priority: Priority,
}

/// One decision of the alert logic; the alert service executes it.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertAction {
    /// A new live order for this PC: sound for its priority, a notification, attention.
    Ring(Alert),
    /// Unacknowledged rush orders are still waiting: rush sound and attention again.
    Repeat { order_numbers: Vec<String> },
    /// Several orders at once: one notification, one sound. `live` is a burst of live
    /// orders; otherwise they arrived while this PC was away.
    Summary {
        count: usize,
        rush: usize,
        order_numbers: Vec<String>,
        live: bool,
    },
    /// These orders just passed the overdue threshold: the chime once more, and
    /// attention. Each order gets this once.
    Overdue { order_numbers: Vec<String> },
    /// This order's notification is obsolete (packed, cancelled): take it down.
    Withdraw { order_id: OrderId },
    /// A pending order was cancelled: its own sound and a notification, so whoever
    /// is packing it stops.
    Cancelled {
        order_id: OrderId,
        order_number: String,
        store: String,
    },
    /// A critical stock alert of this station was raised or escalated: the stock
    /// sound (never an order's), a notification and attention.
    StockCritical { sku: String, level: u8 },
}

impl Model {
    pub(super) fn catching_up(&self) -> bool {
        self.catch_up_deadline.is_some()
    }

    /// Ends a catch-up: one order rings as if live, several make one summary.
    pub(super) fn flush_catch_up(&mut self, actions: &mut Vec<AlertAction>) {
        self.catch_up_deadline = None;
        let ids = std::mem::take(&mut self.catch_up);
        self.ring_together(ids, false, actions);
    }

    /// Whether live orders arriving `now` belong to a burst: already collecting one,
    /// or [`BURST_RINGS`] rang one by one within the last [`BURST_WINDOW_SECS`].
    pub(super) fn in_burst(&mut self, now: DateTime<Utc>) -> bool {
        if self.burst_until.is_some() {
            return true;
        }
        let window = Duration::seconds(BURST_WINDOW_SECS);
        let started = self.recent_rings.len() >= BURST_RINGS
            && self
                .recent_rings
                .front()
                .is_some_and(|first| now.signed_duration_since(*first) < window);
        if started {
            self.burst_until = Some(now + window);
        }
        started
    }

    /// Ends a burst: what it held rings together, and counting starts afresh.
    pub(super) fn flush_burst(&mut self, actions: &mut Vec<AlertAction>) {
        self.burst_until = None;
        self.recent_rings.clear();
        let ids = std::mem::take(&mut self.burst);
        self.ring_together(ids, true, actions);
    }

    /// One order still pending rings as if live; several make one summary.
    fn ring_together(
        &mut self,
        ids: BTreeSet<OrderId>,
        live: bool,
        actions: &mut Vec<AlertAction>,
    ) {
        let pending: Vec<OrderId> = ids.into_iter().filter(|id| self.is_pending(*id)).collect();
        let mut alerts: Vec<Alert> = Vec::new();
        for id in pending {
            match self.alert_for(id) {
                Some(alert) => alerts.push(alert),
                None => self.receipt_not_rung(id, NotRungWhy::OtherStation),
            }
        }
        self.receipt_ringing(alerts.iter().map(|a| a.order_id));
        match alerts.len() {
            0 => {}
            1 => {
                let alert = alerts.remove(0);
                self.notified.insert(alert.order_id);
                actions.push(AlertAction::Ring(alert));
            }
            count => {
                // Same order as the list: rush first, then oldest.
                alerts.sort_by_key(|a| {
                    self.site
                        .orders
                        .get(&a.order_id)
                        .map(pending_key)
                        .unwrap_or((2, DateTime::<Utc>::MIN_UTC, a.order_id))
                });
                let rush = alerts
                    .iter()
                    .filter(|a| a.priority == Priority::Rush)
                    .count();
                actions.push(AlertAction::Summary {
                    count,
                    rush,
                    order_numbers: alerts
                        .into_iter()
                        .take(SUMMARY_MAX_NUMBERS)
                        .map(|a| a.order_number)
                        .collect(),
                    live,
                });
            }
        }
    }

    /// The alert for a pending order of this PC's station; `None` for other stores.
    /// Reads the station, never the view's store tabs.
    pub(super) fn alert_for(&self, order_id: OrderId) -> Option<Alert> {
        let order = self.site.orders.get(&order_id)?;
        if !self.in_station(order) {
            return None;
        }
        Some(Alert {
            order_id,
            order_number: order.order_number.clone(),
            store: self
                .site
                .store_name(order.store_id)
                .unwrap_or("")
                .to_owned(),
            note: order.note.clone(),
            priority: order.priority,
        })
    }

    /// Someone saw this rush order: stop re-alerting it.
    pub fn acknowledge(&mut self, order_id: OrderId) {
        self.acknowledged.insert(order_id);
        self.rush_next.remove(&order_id);
    }

    /// Acknowledges every rush order shown here.
    pub fn acknowledge_all(&mut self) {
        for id in self.ringing_rush() {
            self.acknowledge(id);
        }
    }

    /// Rush orders of this PC's station that still re-alert.
    pub fn ringing_rush(&self) -> Vec<OrderId> {
        self.pending
            .iter()
            .take_while(|(rank, _, _)| *rank == 0)
            .map(|(_, _, id)| *id)
            .filter(|id| !self.is_acknowledged(*id))
            .filter(|id| self.site.orders.get(id).is_some_and(|o| self.in_station(o)))
            .collect()
    }

    /// Acknowledged here, or by any PC (the order's flag, from the log).
    pub fn is_acknowledged(&self, order_id: OrderId) -> bool {
        self.acknowledged.contains(&order_id)
            || self
                .site
                .orders
                .get(&order_id)
                .is_some_and(|o| o.acknowledged)
    }
}
