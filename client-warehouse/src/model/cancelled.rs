//! Cancelled orders are announced, not just dropped: someone may be packing one. An
//! order cancelled while pending here stays on screen, struck through, for
//! [`CANCEL_NOTICE_SECS`], with its own sound; then it goes.

use chrono::{DateTime, Duration, Utc};
use packbell_shared::protocol::OrderId;

use super::{AlertAction, Model};

/// How long a cancelled order stays on screen after the cancel arrived.
pub const CANCEL_NOTICE_SECS: i64 = 60;
/// Cancelled orders shown at once; beyond this the oldest notice goes early (a mass
/// cancel still rings once per order, but the screen keeps room for the list).
pub const MAX_CANCEL_NOTICES: usize = 12;

/// An order cancelled while it was pending here, shown until `until`.
#[derive(Debug, Clone, PartialEq)]
pub struct CancelledNotice {
    pub order_id: OrderId,
    pub order_number: String,
    pub store: String,
    pub reason: String,
    pub until: DateTime<Utc>,
}

impl Model {
    /// `order_id` was pending here and is now cancelled: show it for a minute and,
    /// if it is this PC's station's, sound the cancel chime.
    pub(super) fn announce_cancel(
        &mut self,
        order_id: OrderId,
        now: DateTime<Utc>,
        actions: &mut Vec<AlertAction>,
    ) {
        let Some(order) = self.site.orders.get(&order_id) else {
            return;
        };
        let store = self
            .site
            .store_name(order.store_id)
            .unwrap_or("")
            .to_owned();
        let notice = CancelledNotice {
            order_id,
            order_number: order.order_number.clone(),
            store: store.clone(),
            reason: order.cancel_reason.clone(),
            until: now + Duration::seconds(CANCEL_NOTICE_SECS),
        };
        if self.in_station(order) && !self.initial_replay {
            actions.push(AlertAction::Cancelled {
                order_id,
                order_number: order.order_number.clone(),
                store,
            });
        }
        self.cancelled.retain(|n| n.order_id != order_id);
        self.cancelled.push(notice);
        if self.cancelled.len() > MAX_CANCEL_NOTICES {
            self.cancelled.remove(0);
        }
        self.touch();
    }

    /// Drops notices whose minute is over.
    pub(super) fn expire_cancelled(&mut self, now: DateTime<Utc>) {
        let before = self.cancelled.len();
        self.cancelled.retain(|n| n.until > now);
        if self.cancelled.len() != before {
            self.touch();
        }
    }

    /// Cancelled orders to show at `now`, newest first, within the store tabs' view.
    pub fn cancelled_shown(&self, now: DateTime<Utc>) -> Vec<&CancelledNotice> {
        let filter = &self.settings.store_filter;
        self.cancelled
            .iter()
            .rev()
            .filter(|n| n.until > now)
            .filter(|n| {
                filter.is_empty()
                    || self
                        .site
                        .orders
                        .get(&n.order_id)
                        .is_some_and(|o| filter.contains(&o.store_id))
            })
            .collect()
    }

    /// When the next shown cancelled order leaves the screen.
    pub(super) fn next_cancel_expiry(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cancelled
            .iter()
            .map(|n| n.until)
            .filter(|until| *until > now)
            .min()
    }
}
