//! The store filter: which pending orders this PC shows, and per-store counts.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use packbell_shared::protocol::{Order, OrderId, OrderStatus, StoreId};

use super::Model;

/// Per-store counts for the filter chips.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreCount {
    pub store_id: StoreId,
    pub name: String,
    pub pending: usize,
    pub packed_today: usize,
}

impl Model {
    /// Whether `order` belongs to this PC's station (the stores it rings for).
    pub fn in_station(&self, order: &Order) -> bool {
        self.settings.station.is_empty() || self.settings.station.contains(&order.store_id)
    }

    /// The active stores, by name, for the station picker.
    pub fn active_stores(&self) -> Vec<(StoreId, String)> {
        let mut stores: Vec<(StoreId, String)> = self
            .site
            .stores
            .values()
            .filter(|s| s.active)
            .map(|s| (s.store_id, s.name.clone()))
            .collect();
        stores.sort_by(|a, b| a.1.cmp(&b.1));
        stores
    }

    pub fn matches_filter(&self, order: &Order) -> bool {
        self.settings.store_filter.is_empty()
            || self.settings.store_filter.contains(&order.store_id)
    }

    /// Shows only `stores` (empty: all). Ringing follows the station, not this.
    pub fn set_store_filter(&mut self, stores: BTreeSet<StoreId>) {
        self.settings.store_filter = stores;
        self.touch();
    }

    pub fn toggle_store(&mut self, store_id: StoreId) {
        let mut filter = self.settings.store_filter.clone();
        if !filter.remove(&store_id) {
            filter.insert(store_id);
        }
        self.set_store_filter(filter);
    }

    /// Pending orders this PC shows (store tabs and search applied), in display order
    /// (rush, then oldest).
    pub fn visible(&mut self) -> &[OrderId] {
        if self.view_dirty {
            let filter = &self.settings.store_filter;
            let orders = &self.site.orders;
            let search = &self.search;
            self.view = self
                .pending
                .iter()
                .map(|(_, _, id)| *id)
                .filter(|id| {
                    orders.get(id).is_some_and(|o| {
                        (filter.is_empty() || filter.contains(&o.store_id)) && search.matches(o)
                    })
                })
                .collect();
            self.view_dirty = false;
        }
        &self.view
    }

    /// Total pending orders (all stores).
    pub fn pending_total(&self) -> usize {
        self.pending.len()
    }

    /// Per-store counts for the chips: pending now, and packed since `day_start`.
    /// Active stores, plus inactive ones that still have pending orders.
    pub fn store_counts(&self, day_start: DateTime<Utc>) -> Vec<StoreCount> {
        let mut counts: BTreeMap<StoreId, StoreCount> = self
            .site
            .stores
            .values()
            .filter(|s| s.active)
            .map(|s| {
                (
                    s.store_id,
                    StoreCount {
                        store_id: s.store_id,
                        name: s.name.clone(),
                        ..StoreCount::default()
                    },
                )
            })
            .collect();
        for (_, _, id) in &self.pending {
            if let Some(order) = self.site.orders.get(id) {
                counts
                    .entry(order.store_id)
                    .or_insert_with(|| StoreCount {
                        store_id: order.store_id,
                        name: self
                            .site
                            .store_name(order.store_id)
                            .unwrap_or_default()
                            .to_owned(),
                        ..StoreCount::default()
                    })
                    .pending += 1;
            }
        }
        for order in self.site.orders.values() {
            if self.effective_status(order) == OrderStatus::Packed
                && order.status_at.is_none_or(|at| at >= day_start)
                && let Some(count) = counts.get_mut(&order.store_id)
            {
                count.packed_today += 1;
            }
        }
        counts.into_values().collect()
    }
}
