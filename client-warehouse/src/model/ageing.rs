//! Ageing: the colour band of each order's wait, the overdue chime, and the oldest
//! waiting order that the list keeps on screen.
//!
//! **The list stays rush first; the oldest order is never below the fold.** When the
//! oldest waiting order (usually a normal one behind newer rush orders) would be
//! below the last row on screen, the UI pins it above the list: see
//! [`Model::pinned_oldest`].

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use packbell_shared::protocol::{Ageing, OrderId, Priority};

use super::{AgeLevel, AlertAction, Model};

/// Orders remembered as having had their overdue chime. Past this the set is emptied
/// and already-overdue orders are not chimed again (they are marked, not re-rung).
pub const MAX_OVERDUE_REMEMBERED: usize = 100_000;

/// Which orders had their one overdue chime.
#[derive(Debug, Default)]
pub(super) struct Overdue {
    rung: BTreeSet<OrderId>,
    /// Set at the first check after the first load: orders already overdue then are
    /// marked without a chime (a restart does not chime the whole backlog again).
    primed: bool,
}

impl Model {
    /// The thresholds an admin set for the whole site, if any.
    pub fn site_ageing(&self) -> Option<Ageing> {
        self.site.ageing
    }

    /// The thresholds in force: the site's once an admin set them, this PC's settings
    /// until then.
    pub fn ageing(&self) -> Ageing {
        self.site.ageing.unwrap_or(Ageing {
            amber_minutes: self.settings.amber_after_min,
            red_minutes: self.settings.red_after_min,
            overdue_minutes: self.settings.overdue_after_min,
        })
    }

    /// The colour band of an order created at `created_at`, by this site's thresholds.
    pub fn age_level(&self, created_at: DateTime<Utc>, now: DateTime<Utc>) -> AgeLevel {
        let minutes = now.signed_duration_since(created_at).num_minutes();
        let ageing = self.ageing();
        if minutes >= i64::from(ageing.overdue_minutes) {
            AgeLevel::Overdue
        } else if minutes >= i64::from(ageing.red_minutes) {
            AgeLevel::Red
        } else if minutes >= i64::from(ageing.amber_minutes) {
            AgeLevel::Amber
        } else {
            AgeLevel::Fresh
        }
    }

    /// Pending rush orders, all stores (the header's rush figure).
    pub fn rush_total(&self) -> usize {
        self.pending
            .iter()
            .take_while(|(rank, _, _)| *rank == 0)
            .count()
    }

    /// When the longest-waiting pending order was created, all stores (the header's
    /// oldest wait): the first rush or the first normal order, whichever is older.
    pub fn oldest_pending_since(&self) -> Option<DateTime<Utc>> {
        let first = self.pending.first().map(|(_, at, _)| *at);
        let first_normal = self
            .pending
            .range((1, DateTime::<Utc>::MIN_UTC, 0)..)
            .next()
            .map(|(_, at, _)| *at);
        first.into_iter().chain(first_normal).min()
    }

    /// The oldest order in the list as shown (search and tabs applied): its row and id.
    /// The list is rush first, then oldest, so it is the first rush row or the first
    /// normal row, whichever is older: cost grows with the rush orders only.
    pub fn oldest_waiting(&mut self) -> Option<(usize, OrderId)> {
        self.visible();
        let orders = &self.site.orders;
        let view = &self.view;
        let first_normal = view.iter().position(|id| {
            orders
                .get(id)
                .is_some_and(|o| o.priority == Priority::Normal)
        });
        let created = |row: usize| {
            view.get(row)
                .and_then(|id| orders.get(id))
                .map(|o| o.created_at)
        };
        let row = match (created(0), first_normal.and_then(created)) {
            (Some(first), Some(normal)) if normal < first => first_normal?,
            (Some(_), _) => 0,
            (None, _) => return None,
        };
        Some((row, view[row]))
    }

    /// The order to pin above the list when the rows `on_screen` are shown: the
    /// oldest waiting one, if it is not among them (below the fold, or scrolled past).
    pub fn pinned_oldest(&mut self, on_screen: std::ops::Range<usize>) -> Option<OrderId> {
        self.oldest_waiting()
            .filter(|(row, _)| !on_screen.contains(row))
            .map(|(_, id)| id)
    }

    /// Orders of this PC's station that just passed the overdue threshold: their
    /// chime sounds once more, once per order, all of this tick together.
    pub(super) fn overdue_alerts(&mut self, now: DateTime<Utc>, actions: &mut Vec<AlertAction>) {
        if !self.loaded {
            return;
        }
        let limit = now - Duration::minutes(i64::from(self.ageing().overdue_minutes));
        let site = &self.site;
        let pending = &self.pending;
        self.overdue.rung.retain(|id| {
            site.orders
                .get(id)
                .is_some_and(|o| pending.contains(&super::pending_key(o)))
        });
        if self.overdue.rung.len() >= MAX_OVERDUE_REMEMBERED {
            self.overdue.rung.clear();
        }
        // Pending is sorted by (rank, created_at): within each rank, stop at the first
        // order that is not overdue yet.
        let mut due = Vec::new();
        for rank in [0u8, 1] {
            for (_, created_at, id) in self.pending.iter().filter(|(r, _, _)| *r == rank) {
                if *created_at > limit {
                    break;
                }
                if self.overdue.rung.contains(id) {
                    continue;
                }
                let Some(order) = self.site.orders.get(id) else {
                    continue;
                };
                self.overdue.rung.insert(*id);
                if self.in_station(order) {
                    due.push(order.order_number.clone());
                }
            }
        }
        let primed = std::mem::replace(&mut self.overdue.primed, true);
        if primed && !due.is_empty() && !self.catching_up() {
            actions.push(AlertAction::Overdue { order_numbers: due });
        }
    }
}
