//! Which alerts an item should have open, and how that differs from what is open.
//!
//! One open alert per item (and lot) and kind: [`reconcile`] raises only what is
//! missing and resolves what no longer holds, so running the check again changes
//! nothing.

use chrono::NaiveDate;

use packbell_shared::protocol::{AlertId, AlertKind, StockItem};

/// Days before its expiry date a lot raises `expiring`, unless configured.
pub const DEFAULT_EXPIRING_DAYS: u32 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertRules {
    /// A lot with stock whose expiry is this many days away or fewer is `expiring`.
    pub expiring_days: u32,
}

impl Default for AlertRules {
    fn default() -> Self {
        AlertRules {
            expiring_days: DEFAULT_EXPIRING_DAYS,
        }
    }
}

/// A condition that should have an open alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub kind: AlertKind,
    pub lot: Option<String>,
    /// The item's quantity (`low`, `over`) or the lot's (`expiring`, `expired`).
    pub quantity: i64,
    pub expiry: Option<NaiveDate>,
}

/// An alert open now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAlert {
    pub alert_id: AlertId,
    pub kind: AlertKind,
    pub lot: Option<String>,
}

/// What to change so that the open alerts match the conditions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reconciled {
    pub raise: Vec<Condition>,
    pub resolve: Vec<AlertId>,
}

/// The conditions `item` is in on local day `today`. A lot is expired the day after
/// its expiry date; lots with no stock left raise nothing.
pub fn conditions(item: &StockItem, today: NaiveDate, rules: &AlertRules) -> Vec<Condition> {
    let mut wanted = Vec::new();
    let item_level = |kind| Condition {
        kind,
        lot: None,
        quantity: item.quantity,
        expiry: None,
    };
    if item.quantity <= item.min {
        wanted.push(item_level(AlertKind::Low));
    }
    if item.quantity > item.max {
        wanted.push(item_level(AlertKind::Over));
    }
    for lot in item.lots.iter().filter(|lot| lot.quantity > 0) {
        let days_left = (lot.expiry - today).num_days();
        let kind = if days_left < 0 {
            AlertKind::Expired
        } else if days_left <= i64::from(rules.expiring_days) {
            AlertKind::Expiring
        } else {
            continue;
        };
        wanted.push(Condition {
            kind,
            lot: Some(lot.lot.clone()),
            quantity: lot.quantity,
            expiry: Some(lot.expiry),
        });
    }
    wanted
}

/// Raises the conditions without an open alert and resolves the open alerts without
/// a condition.
pub fn reconcile(wanted: Vec<Condition>, open: &[OpenAlert]) -> Reconciled {
    let resolve = open
        .iter()
        .filter(|alert| {
            !wanted
                .iter()
                .any(|c| c.kind == alert.kind && c.lot == alert.lot)
        })
        .map(|alert| alert.alert_id)
        .collect();
    let raise = wanted
        .into_iter()
        .filter(|c| !open.iter().any(|a| a.kind == c.kind && a.lot == c.lot))
        .collect();
    Reconciled { raise, resolve }
}

#[cfg(test)]
mod tests {
    use super::*;
    use packbell_shared::protocol::StockLot;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn item(quantity: i64, lots: Vec<StockLot>) -> StockItem {
        StockItem {
            sku: "A".into(),
            name: "A".into(),
            store_id: None,
            quantity,
            unit: "pcs".into(),
            min: 5,
            max: 50,
            pack_size: 1,
            lead_days: 0,
            lots,
        }
    }

    fn kinds(item: &StockItem, today: &str) -> Vec<AlertKind> {
        conditions(item, day(today), &AlertRules::default())
            .into_iter()
            .map(|c| c.kind)
            .collect()
    }

    #[test]
    fn thresholds_are_inclusive_for_low_and_exclusive_for_over() {
        assert_eq!(kinds(&item(5, vec![]), "2026-01-01"), vec![AlertKind::Low]);
        assert!(kinds(&item(6, vec![]), "2026-01-01").is_empty());
        assert!(kinds(&item(50, vec![]), "2026-01-01").is_empty());
        assert_eq!(
            kinds(&item(51, vec![]), "2026-01-01"),
            vec![AlertKind::Over]
        );
    }

    #[test]
    fn a_lot_is_expiring_within_the_window_and_expired_the_day_after() {
        let lot = |expiry| StockLot {
            lot: "L1".into(),
            quantity: 3,
            expiry: day(expiry),
        };
        let on = |expiry, today| kinds(&item(20, vec![lot(expiry)]), today);
        assert!(on("2026-01-09", "2026-01-01").is_empty(), "8 days away");
        assert_eq!(on("2026-01-08", "2026-01-01"), vec![AlertKind::Expiring]);
        assert_eq!(on("2026-01-01", "2026-01-01"), vec![AlertKind::Expiring]);
        assert_eq!(on("2026-01-01", "2026-01-02"), vec![AlertKind::Expired]);
        let empty = StockLot {
            quantity: 0,
            ..lot("2025-01-01")
        };
        assert!(kinds(&item(20, vec![empty]), "2026-01-01").is_empty());
    }

    #[test]
    fn reconciling_twice_changes_nothing_the_second_time() {
        let wanted = conditions(&item(1, vec![]), day("2026-01-01"), &AlertRules::default());
        let first = reconcile(wanted.clone(), &[]);
        assert_eq!(first.raise.len(), 1);
        let open = [OpenAlert {
            alert_id: 7,
            kind: AlertKind::Low,
            lot: None,
        }];
        assert_eq!(reconcile(wanted, &open), Reconciled::default());
        let cleared = reconcile(Vec::new(), &open);
        assert_eq!(cleared.resolve, vec![7]);
    }
}
