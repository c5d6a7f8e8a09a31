//! The site's stock items as the warehouse knows them (from snapshots and stock
//! events), and the "Count stock" dialog's draft: pick an item, type what the shelf
//! holds, send `count_stock`. Pure: the window draws it, the app sends the command.

use std::collections::{BTreeMap, BTreeSet};

use packbell_shared::protocol::{Command, Event, EventBody, StockItem, StoreId};

/// Items listed under the dialog's search box; typing more of a SKU or name narrows
/// the list to the one wanted.
pub const MAX_MATCHES: usize = 8;
/// The largest count the server accepts (docs/protocol.md, `count_stock`); a bigger
/// number is refused here with the same reason.
pub const MAX_COUNT: i64 = 1_000_000_000;

#[derive(Debug, Default)]
pub struct StockItems {
    by_sku: BTreeMap<String, StockItem>,
}

impl StockItems {
    /// The items of a (re)loaded snapshot.
    pub fn reset(&mut self, items: &[StockItem]) {
        self.by_sku = items
            .iter()
            .map(|item| (item.sku.clone(), item.clone()))
            .collect();
    }

    /// Follows the stock events; the others leave the items as they are.
    pub fn apply(&mut self, event: &Event) {
        match &event.body {
            EventBody::ItemUpserted(item) => {
                self.by_sku.insert(item.sku.clone(), item.clone());
            }
            EventBody::StockAdjusted {
                sku,
                lot,
                quantity,
                lot_quantity,
                ..
            } => self.set_quantity(sku, lot.as_deref(), *quantity, *lot_quantity),
            EventBody::StockCounted {
                sku,
                lot,
                counted,
                quantity,
                ..
            } => self.set_quantity(sku, lot.as_deref(), *quantity, Some(*counted)),
            _ => {}
        }
    }

    fn set_quantity(&mut self, sku: &str, lot: Option<&str>, item: i64, lot_quantity: Option<i64>) {
        let Some(found) = self.by_sku.get_mut(sku) else {
            return;
        };
        found.quantity = item;
        if let (Some(name), Some(quantity)) = (lot, lot_quantity)
            && let Some(entry) = found.lots.iter_mut().find(|l| l.lot == name)
        {
            entry.quantity = quantity;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_sku.is_empty()
    }

    pub fn get(&self, sku: &str) -> Option<&StockItem> {
        self.by_sku.get(sku)
    }

    /// Items of this station's stores (every store when it is empty) and site-wide
    /// ones whose SKU or name contains `query` (any case), SKU order, at most
    /// [`MAX_MATCHES`].
    pub fn search(&self, query: &str, station: &BTreeSet<StoreId>) -> Vec<&StockItem> {
        let query = query.trim().to_lowercase();
        self.by_sku
            .values()
            .filter(|item| {
                station.is_empty() || item.store_id.is_none_or(|store| station.contains(&store))
            })
            .filter(|item| {
                item.sku.to_lowercase().contains(&query)
                    || item.name.to_lowercase().contains(&query)
            })
            .take(MAX_MATCHES)
            .collect()
    }
}

/// Why the dialog cannot send its count yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountProblem {
    NoItem,
    /// Not a whole number from 0 to [`MAX_COUNT`].
    BadNumber,
}

/// What the open "Count stock" dialog holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountDraft {
    /// The search box.
    pub query: String,
    /// The item picked (and its lot, when counting one lot).
    pub sku: Option<String>,
    pub lot: Option<String>,
    /// The counted quantity as typed.
    pub counted: String,
}

impl CountDraft {
    /// The dialog opened from an alert: that item (and lot) already picked.
    pub fn for_item(sku: &str, lot: Option<&str>) -> CountDraft {
        CountDraft {
            query: sku.to_owned(),
            sku: Some(sku.to_owned()),
            lot: lot.map(str::to_owned),
            counted: String::new(),
        }
    }

    /// Picks an item from the search list (the whole item, no lot).
    pub fn pick(&mut self, sku: &str) {
        self.sku = Some(sku.to_owned());
        self.lot = None;
    }

    /// The `count_stock` command, or why not yet.
    pub fn command(&self) -> Result<Command, CountProblem> {
        let sku = self.sku.clone().ok_or(CountProblem::NoItem)?;
        let counted: i64 = self
            .counted
            .trim()
            .parse()
            .map_err(|_| CountProblem::BadNumber)?;
        if !(0..=MAX_COUNT).contains(&counted) {
            return Err(CountProblem::BadNumber);
        }
        Ok(Command::CountStock {
            sku,
            lot: self.lot.clone(),
            counted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn item(sku: &str, name: &str, store_id: Option<StoreId>, quantity: i64) -> StockItem {
        StockItem {
            sku: sku.into(),
            name: name.into(),
            store_id,
            quantity,
            unit: "pcs".into(),
            min: 5,
            max: 50,
            pack_size: 1,
            lead_days: 0,
            lots: Vec::new(),
        }
    }

    fn skus(found: Vec<&StockItem>) -> Vec<&str> {
        found.iter().map(|item| item.sku.as_str()).collect()
    }

    #[test]
    fn search_finds_sku_or_name_in_this_station_and_site_wide() {
        let mut items = StockItems::default();
        items.reset(&[
            item("TEA-100", "Green tea", Some(1), 3),
            item("TEA-200", "Black tea", Some(2), 9),
            item("SALT-1KG", "Sea salt", None, 20),
        ]);
        let station: BTreeSet<StoreId> = [1].into_iter().collect();
        assert_eq!(skus(items.search("tea", &station)), ["TEA-100"]);
        assert_eq!(skus(items.search("SALT", &station)), ["SALT-1KG"]);
        assert_eq!(
            skus(items.search("tea", &BTreeSet::new())),
            ["TEA-100", "TEA-200"]
        );
        assert_eq!(skus(items.search("", &station)), ["SALT-1KG", "TEA-100"]);
    }

    #[test]
    fn counts_and_adjustments_update_the_quantity() {
        let mut items = StockItems::default();
        items.reset(&[item("TEA-100", "Green tea", Some(1), 3)]);
        items.apply(&Event {
            seq: 2,
            at: Utc::now(),
            device: 7,
            body: EventBody::StockCounted {
                sku: "TEA-100".into(),
                lot: None,
                counted: 12,
                delta: 9,
                quantity: 12,
            },
        });
        assert_eq!(items.get("TEA-100").map(|i| i.quantity), Some(12));
    }

    #[test]
    fn the_draft_needs_an_item_and_a_whole_number_in_range() {
        let mut draft = CountDraft {
            counted: "12".into(),
            ..CountDraft::default()
        };
        assert_eq!(draft.command(), Err(CountProblem::NoItem));
        draft.pick("TEA-100");
        draft.counted = "twelve".into();
        assert_eq!(draft.command(), Err(CountProblem::BadNumber));
        draft.counted = "-1".into();
        assert_eq!(draft.command(), Err(CountProblem::BadNumber));
        draft.counted = " 12 ".into();
        assert_eq!(
            draft.command(),
            Ok(Command::CountStock {
                sku: "TEA-100".into(),
                lot: None,
                counted: 12
            })
        );
        let from_alert = CountDraft::for_item("MILK", Some("L7"));
        assert_eq!(from_alert.lot.as_deref(), Some("L7"));
    }
}
