//! The "Recently packed" drawer: orders packed in the last
//! [`RECENTLY_PACKED_MINUTES`] by any PC, each with one-click "Bring back". Undo for
//! any recent pack, not only this PC's last one.

use chrono::{DateTime, Duration, Utc};
use packbell_shared::protocol::{OrderId, OrderStatus};

use super::Model;

/// How far back the drawer reaches.
pub const RECENTLY_PACKED_MINUTES: i64 = 30;
/// Rows the drawer lists at most, newest first; older packs within the window are
/// left out (a very busy half hour) and can still be recalled from the office.
pub const MAX_RECENTLY_PACKED: usize = 200;

/// One row of the drawer.
#[derive(Debug, Clone, PartialEq)]
pub struct RecentPack {
    pub order_id: OrderId,
    pub order_number: String,
    pub store: String,
    /// When the server recorded the pack; for a pack made here and not confirmed yet,
    /// when it was made (or `now`, if that is not known any more).
    pub packed_at: DateTime<Utc>,
    /// The PC that packed it, by name; empty when unknown or not confirmed yet.
    pub packed_by: String,
}

impl Model {
    /// Orders packed within the last [`RECENTLY_PACKED_MINUTES`] as of `now`, by any
    /// PC, newest first.
    pub fn recently_packed(&self, now: DateTime<Utc>) -> Vec<RecentPack> {
        let since = now - Duration::minutes(RECENTLY_PACKED_MINUTES);
        let mut rows: Vec<RecentPack> = self
            .site
            .orders
            .values()
            .filter(|o| self.effective_status(o) == OrderStatus::Packed)
            .filter_map(|order| {
                let confirmed = order.status == OrderStatus::Packed;
                let (packed_at, packed_by) = match (confirmed, order.status_at) {
                    (true, Some(at)) => (
                        at,
                        order
                            .status_by
                            .and_then(|d| self.site.device_name(d))
                            .unwrap_or("")
                            .to_owned(),
                    ),
                    _ => (self.local_pack_time(order.order_id, now), String::new()),
                };
                (packed_at >= since).then(|| RecentPack {
                    order_id: order.order_id,
                    order_number: order.order_number.clone(),
                    store: self
                        .site
                        .store_name(order.store_id)
                        .unwrap_or("")
                        .to_owned(),
                    packed_at,
                    packed_by,
                })
            })
            .collect();
        rows.sort_by(|a, b| {
            b.packed_at
                .cmp(&a.packed_at)
                .then(b.order_id.cmp(&a.order_id))
        });
        rows.truncate(MAX_RECENTLY_PACKED);
        rows
    }

    fn local_pack_time(&self, order_id: OrderId, now: DateTime<Utc>) -> DateTime<Utc> {
        self.last_packed
            .as_ref()
            .filter(|l| l.order_id == order_id)
            .map_or(now, |l| l.at)
    }

    /// When the oldest drawer row leaves the window.
    pub(super) fn next_recent_expiry(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.recently_packed(now)
            .last()
            .map(|oldest| oldest.packed_at + Duration::minutes(RECENTLY_PACKED_MINUTES))
    }
}
