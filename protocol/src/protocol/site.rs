//! The site's state as a snapshot carries it: stores, orders, devices, ageing
//! thresholds, and the admin's views of devices and of the server.

use super::*;

/// State of the site at `seq`: what a client needs to draw its screens.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Snapshot {
    pub seq: Seq,
    /// Every store, active or not (old orders still name deactivated stores).
    pub stores: Vec<Store>,
    /// Every pending order, plus orders packed or cancelled in the last 24 hours.
    pub orders: Vec<Order>,
    /// Enrolled devices (names and roles only; never tokens).
    pub devices: Vec<DeviceSummary>,
    /// The site's ageing thresholds; absent until an admin set them (warehouse PCs
    /// then use their own settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ageing: Option<Ageing>,
    /// Every stock item (absent in snapshots of servers without stock, and when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<StockItem>,
    /// Every open stock alert, acknowledged or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<StockAlert>,
    /// More stores, devices or orders follow in `snapshot_part` frames (absent or
    /// false: complete).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
}

/// When a pending order's age turns amber, then red, then overdue (its ticket pulses
/// and chimes once more), in whole minutes: `0 < amber < red < overdue ≤` [`MAX_AGEING_MINUTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ageing {
    pub amber_minutes: u32,
    pub red_minutes: u32,
    pub overdue_minutes: u32,
}

/// The longest threshold [`Ageing`] may have: a day.
pub const MAX_AGEING_MINUTES: u32 = 24 * 60;

impl Ageing {
    /// Whether the thresholds grow strictly and stay within a day.
    pub fn is_valid(&self) -> bool {
        0 < self.amber_minutes
            && self.amber_minutes < self.red_minutes
            && self.red_minutes < self.overdue_minutes
            && self.overdue_minutes <= MAX_AGEING_MINUTES
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    pub store_id: StoreId,
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub order_id: OrderId,
    pub order_number: String,
    pub store_id: StoreId,
    pub note: String,
    pub priority: Priority,
    pub status: OrderStatus,
    pub created_at: DateTime<Utc>,
    pub created_by: DeviceId,
    /// When the status last changed (packed, recalled or cancelled) and by whom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_by: Option<DeviceId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cancel_reason: String,
    /// A rush order someone acknowledged (`rush_acknowledged`): no more repeats.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub acknowledged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSummary {
    pub device_id: DeviceId,
    pub name: String,
    pub role: Role,
    pub revoked: bool,
}

/// Admin view of a device, answer to `list_devices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub device_id: DeviceId,
    pub name: String,
    pub role: Role,
    pub enrolled_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<DateTime<Utc>>,
    pub connected: bool,
    pub revoked: bool,
}

/// Answer to `site_status`: what an admin checks when something seems wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteStatus {
    pub server_version: String,
    pub started_at: DateTime<Utc>,
    pub uptime_seconds: u64,
    /// Authenticated sockets open now, per role.
    pub connected_office: u32,
    pub connected_warehouse: u32,
    pub connected_admin: u32,
    /// Size of the database files (main file plus write-ahead log), in bytes.
    pub database_bytes: u64,
    pub head_seq: Seq,
}
