//! Stock: items, their lots, order lines and stock alerts, as commands, events and
//! snapshots carry them.

use chrono::NaiveDate;

use super::*;

pub type AlertId = u64;

/// Limits on stock fields, in characters (not bytes); longer is `invalid_field`.
pub const MAX_SKU_CHARS: usize = 64;
pub const MAX_ITEM_NAME_CHARS: usize = 128;
pub const MAX_UNIT_CHARS: usize = 16;
pub const MAX_LOT_CHARS: usize = 64;
pub const MAX_COMMENT_CHARS: usize = 500;
/// Lots one item may list; more is `invalid_field` (an item editor, or an import
/// file, with more lots is refused whole).
pub const MAX_LOTS_PER_ITEM: usize = 100;
/// Lines one order may carry; more is `invalid_field`.
pub const MAX_ORDER_LINES: usize = 100;
/// Largest quantity, threshold or delta: far above any shelf, small enough that sums
/// of many never overflow. Larger is `invalid_field`.
pub const MAX_STOCK_QUANTITY: i64 = 1_000_000_000;
/// Longest lead time and largest pack size accepted.
pub const MAX_LEAD_DAYS: u32 = 365;
pub const MAX_PACK_SIZE: u32 = 1_000_000;

/// One lot of an item: how much of it is on the shelf and when it expires.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockLot {
    pub lot: String,
    pub quantity: i64,
    /// Last day the lot may be used (local date of the site).
    pub expiry: NaiveDate,
}

/// An item as snapshots and `item_upserted` carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockItem {
    /// The item's identity across the site.
    pub sku: String,
    pub name: String,
    /// The store whose shelf this is; absent for a site-wide item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<StoreId>,
    /// On hand, in `unit`s.
    pub quantity: i64,
    pub unit: String,
    /// Reorder point: at or below it, a `low` alert.
    pub min: i64,
    /// Above it, an `over` alert.
    pub max: i64,
    /// Restock suggestions round up to whole packs of this many units.
    pub pack_size: u32,
    /// Days a restock takes to arrive.
    pub lead_days: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lots: Vec<StockLot>,
}

/// One line of an order: packing takes `quantity` of `sku` off stock.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    pub sku: String,
    pub quantity: i64,
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Quantity at or below the item's minimum.
    Low,
    /// Quantity above the item's maximum.
    Over,
    /// A lot with stock expires within the site's warning window.
    Expiring,
    /// A lot with stock is past its expiry date.
    Expired,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Low => "low",
            AlertKind::Over => "over",
            AlertKind::Expiring => "expiring",
            AlertKind::Expired => "expired",
        }
    }

    /// The severity an alert of this kind is raised with.
    pub fn severity(self) -> Severity {
        match self {
            AlertKind::Low | AlertKind::Expired => Severity::Critical,
            AlertKind::Expiring => Severity::High,
            AlertKind::Over => Severity::Medium,
        }
    }

    pub fn parse(text: &str) -> Option<AlertKind> {
        [
            AlertKind::Low,
            AlertKind::Over,
            AlertKind::Expiring,
            AlertKind::Expired,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Who acknowledged an open alert, when, and what they said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertAck {
    pub by: DeviceId,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

/// An open alert, as snapshots carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAlert {
    pub alert_id: AlertId,
    /// Not `kind`: events are tagged by `kind`.
    pub alert_kind: AlertKind,
    pub severity: Severity,
    pub sku: String,
    /// The lot, for `expiring` and `expired`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<StoreId>,
    /// 1 when raised; 2 and 3 as it stays unacknowledged.
    pub level: u8,
    pub raised_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<AlertAck>,
}

pub(super) fn default_pack_size() -> u32 {
    1
}
