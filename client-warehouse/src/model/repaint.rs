//! When the window must draw again by itself: the next instant something on screen
//! changes with time alone (an age label turns a minute, a cancelled order's minute
//! ends, "Undo" expires). Everything else that changes the screen arrives as an
//! event or an input, which wakes the window anyway; between those, it sleeps.

use chrono::{DateTime, Duration, Utc};
use packbell_shared::protocol::OrderId;

use super::{Model, UNDO_WINDOW_SECS};

/// How late an age label may turn: the labels due within this much of the first one
/// turn together in one frame, so rows created seconds apart cost one redraw, and a
/// screen of any number of rows redraws at most 60 / 15 = 4 times a minute for ages.
pub const AGE_LABEL_SLACK_SECS: i64 = 15;

/// The next time an age counted from `since` ("new", "7 min", "1 h 05") reads
/// differently: the next whole minute after `since` that is later than `now`.
pub fn next_minute_after(since: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let whole_minutes = now.signed_duration_since(since).num_minutes().max(0);
    since + Duration::minutes(whole_minutes + 1)
}

impl Model {
    /// The next instant the screen changes by itself, given the orders whose rows are
    /// on screen and whether the "Recently packed" drawer is open; `None` when
    /// nothing shown changes with time.
    pub fn next_visible_change(
        &self,
        on_screen: &[OrderId],
        drawer_open: bool,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let slack = Duration::seconds(AGE_LABEL_SLACK_SECS);
        let ages = on_screen
            .iter()
            .filter_map(|id| self.site.orders.get(id))
            .map(|order| next_minute_after(order.created_at, now))
            .min()
            .map(|first| first + slack);
        let undo_ends = self
            .undo_target(now)
            .map(|last| last.at + Duration::seconds(UNDO_WINDOW_SECS) + Duration::milliseconds(1));
        let drawer = drawer_open
            .then(|| {
                let rows = self.recently_packed(now);
                let labels = rows
                    .iter()
                    .map(|row| next_minute_after(row.packed_at, now))
                    .min()
                    .map(|first| first + slack);
                labels.into_iter().chain(self.next_recent_expiry(now)).min()
            })
            .flatten();
        ages.into_iter()
            .chain(self.next_cancel_expiry(now))
            .chain(undo_ends)
            .chain(drawer)
            .min()
    }
}
