//! The wire protocol: every message that crosses the WebSocket, and nothing else.
//!
//! One JSON object per text frame, tagged by `"type"`. `docs/protocol.md` is the
//! human-readable contract; `tests/golden.rs` keeps that page and these types in step.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

mod errors;
mod export;
mod receipts;
mod site;
mod stock;

pub use errors::*;
pub use export::*;
pub use receipts::*;
pub use site::*;
pub use stock::*;

/// Bumped on any incompatible change to the messages below.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest frame either side accepts; larger frames close the connection (code 1009).
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Limits on user-typed fields, in characters (not bytes).
pub const MAX_ORDER_NUMBER_CHARS: usize = 64;
pub const MAX_NOTE_CHARS: usize = 500;
pub const MAX_STORE_NAME_CHARS: usize = 64;
pub const MAX_DEVICE_NAME_CHARS: usize = 64;
pub const MAX_REASON_CHARS: usize = 500;
/// Idempotency keys are client-chosen; 128 chars fits a UUID with room for a prefix.
pub const MAX_KEY_CHARS: usize = 128;

/// Largest id or seq a client may send: SQLite stores them as signed 64-bit integers,
/// so anything above is refused with `invalid_field` before it reaches the database.
pub const MAX_ID: u64 = i64::MAX as u64;

pub type Seq = u64;
pub type OrderId = u64;
pub type StoreId = u64;
pub type DeviceId = u64;

/// What a device may do; enforced by the server on every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Creates, corrects, cancels and reopens orders.
    Office,
    /// Packs and recalls orders.
    Warehouse,
    /// Everything an office device may do, plus stores and devices.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Office => "office",
            Role::Warehouse => "warehouse",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "office" => Some(Role::Office),
            "warehouse" => Some(Role::Warehouse),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    #[default]
    Normal,
    Rush,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Packed,
    Cancelled,
}

/// Messages a client sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// First message of a new device: start pairing (SPAKE2 side A) with the code's
    /// public two-digit slot; the code itself never crosses the wire.
    PairStart {
        protocol: u32,
        code_slot: String,
        device_name: String,
        /// Hex of the 33-byte SPAKE2 message.
        spake2: String,
    },
    /// Key confirmation: hex HMAC-SHA256 proving this side derived the same key and saw
    /// the same certificate fingerprint.
    PairConfirm { mac: String },
    /// First message of an enrolled device.
    Auth {
        protocol: u32,
        device_id: DeviceId,
        token: String,
    },
    /// Start (or restart) the event stream after `after_seq`; 0 asks for a snapshot.
    Subscribe { after_seq: Seq },
    /// A state change. `key` is the idempotency key, unique per device.
    Command { key: String, command: Command },
    /// Admin only: one page of the enrolled devices with an id above `after_device_id`
    /// (0, the default, starts at the first), answered by `devices`.
    ListDevices {
        #[serde(default)]
        after_device_id: DeviceId,
    },
    /// Admin only: a new pairing code for a device of `role`, answered by `pairing_code`.
    NewPairingCode { role: Role },
    /// Admin only: how the server is doing, answered by `site_status`. A struct variant
    /// (not a unit one) so that serde refuses unknown fields in it like everywhere else.
    SiteStatus {},
    /// Admin only: one page of the event log from `after_seq + 1` on, answered by
    /// `log_page`; lets an auditor read the whole log from seq 1.
    ReadLog { after_seq: Seq },
    /// Admin only: start a CSV report of local days `from` to `to` (`YYYY-MM-DD`, `to`
    /// included), answered by its first `export_chunk`. `export_id` is the client's
    /// name for it; a new start on the socket stops the previous export.
    ExportStart {
        export_id: u32,
        kind: ExportKind,
        from: String,
        to: String,
        /// Store names; empty is every store.
        #[serde(default)]
        stores: Vec<String>,
        #[serde(default)]
        delimiter: ExportDelimiter,
    },
    /// Admin only: the next `export_chunk` of export `export_id`. The client pulls, so
    /// a slow disk on its side slows the server's reading, never its memory.
    ExportNext { export_id: u32 },
    /// Admin only: stop export `export_id`; not answered.
    ExportCancel { export_id: u32 },
    /// Warehouse only: how far this PC got with an order (applied to its model, then
    /// rang or not). Not a command: no key, no event, no answer unless refused.
    Receipt {
        order_id: OrderId,
        stage: ReceiptStage,
        /// Why it did not ring; present exactly when `stage` is `not_rung`.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "receipts::present"
        )]
        why: Option<NotRungWhy>,
    },
    /// Office and admin: send this socket the stored receipts of pending and recent
    /// orders and the warehouse count now (after any catch-up), then each new receipt
    /// and every change of the count. A struct variant so unknown fields are refused.
    WatchReceipts {},
}

impl ClientMessage {
    /// Every `type` a client may send, read from the serde tags above.
    pub fn wire_types() -> &'static [&'static str] {
        variants_of::<ClientMessage>(Some("type"))
    }
}

/// State changes; each becomes one event when accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    CreateOrder {
        order_number: String,
        store_id: StoreId,
        #[serde(default)]
        note: String,
        #[serde(default)]
        priority: Priority,
        /// What the order takes off stock when packed; absent for orders without lines.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        lines: Vec<OrderLine>,
    },
    PackOrder {
        order_id: OrderId,
    },
    /// Brings a packed order back to pending. `reason` is optional (older clients
    /// send none), bounded like a cancel's, and left out when empty.
    RecallOrder {
        order_id: OrderId,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
    },
    CancelOrder {
        order_id: OrderId,
        #[serde(default)]
        reason: String,
    },
    /// Corrects a pending order: every field carries its full new value.
    EditOrder {
        order_id: OrderId,
        store_id: StoreId,
        note: String,
        priority: Priority,
    },
    /// Someone saw this pending rush order: every warehouse PC stops repeating its alert.
    AcknowledgeRush {
        order_id: OrderId,
    },
    /// Sets when orders turn amber, red and overdue on every warehouse PC of the site.
    SetAgeing(Ageing),
    AddStore {
        name: String,
    },
    RenameStore {
        store_id: StoreId,
        name: String,
    },
    DeactivateStore {
        store_id: StoreId,
    },
    RevokeDevice {
        device_id: DeviceId,
    },
    /// Gives a device another role; its open sockets are closed so it reconnects
    /// with the new one.
    ChangeRole {
        device_id: DeviceId,
        role: Role,
    },
    /// Admin only: creates an item or changes it. `quantity` and `lots`, when absent,
    /// keep what the item has (a new item starts at 0 without lots).
    UpsertItem {
        sku: String,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        store_id: Option<StoreId>,
        unit: String,
        min: i64,
        max: i64,
        #[serde(default = "stock::default_pack_size")]
        pack_size: u32,
        #[serde(default)]
        lead_days: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quantity: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lots: Option<Vec<StockLot>>,
    },
    /// Admin only: adds `delta` (negative takes away) to an item, or to one of its lots
    /// and the item together, with the reason why.
    AdjustStock {
        sku: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lot: Option<String>,
        delta: i64,
        reason: String,
    },
    /// Warehouse and admin: what a person counted on the shelf replaces the quantity
    /// (of the item, or of one lot and the item by the same difference).
    CountStock {
        sku: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lot: Option<String>,
        counted: i64,
    },
    /// Warehouse and admin: someone saw this open alert; it stops escalating.
    AckAlert {
        alert_id: AlertId,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        comment: String,
    },
}

impl Command {
    /// Every command `op`, read from the serde tags above.
    pub fn wire_ops() -> &'static [&'static str] {
        variants_of::<Command>(Some("op"))
    }

    /// Which roles may issue this command.
    pub fn allowed_for(&self, role: Role) -> bool {
        match self {
            Command::CreateOrder { .. }
            | Command::CancelOrder { .. }
            | Command::EditOrder { .. } => matches!(role, Role::Office | Role::Admin),
            Command::PackOrder { .. } | Command::AcknowledgeRush { .. } => {
                matches!(role, Role::Warehouse | Role::Admin)
            }
            // The warehouse undoes a mistaken "packed"; the office reopens an order
            // the shop sent back.
            Command::RecallOrder { .. } => {
                matches!(role, Role::Office | Role::Warehouse | Role::Admin)
            }
            Command::CountStock { .. } | Command::AckAlert { .. } => {
                matches!(role, Role::Warehouse | Role::Admin)
            }
            Command::UpsertItem { .. } | Command::AdjustStock { .. } => role == Role::Admin,
            Command::AddStore { .. }
            | Command::SetAgeing(_)
            | Command::RenameStore { .. }
            | Command::DeactivateStore { .. }
            | Command::RevokeDevice { .. }
            | Command::ChangeRole { .. } => role == Role::Admin,
        }
    }
}

/// Messages the server sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The server's SPAKE2 message (side B), answer to `pair_start`.
    PairChallenge { spake2: String },
    /// Pairing succeeded: keep `device_id` and `token` (after checking `mac`, the
    /// server's key confirmation); the socket is now authenticated as that device.
    Enrolled {
        device_id: DeviceId,
        token: String,
        role: Role,
        mac: String,
    },
    /// Answer to a successful `auth` (and sent right after `enrolled`).
    Welcome {
        protocol: u32,
        server_id: String,
        site: String,
        server_version: String,
        device_id: DeviceId,
        role: Role,
        head_seq: Seq,
    },
    /// Current state as of `seq`; live events with a larger seq follow. When `more`
    /// is true, the rest of the orders follow in `snapshot_part` frames.
    Snapshot(Snapshot),
    /// More of the snapshot at `seq` (a snapshot may exceed one frame): each list
    /// continues the same list of the frames before it.
    SnapshotPart {
        seq: Seq,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        stores: Vec<Store>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        devices: Vec<DeviceSummary>,
        orders: Vec<Order>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        items: Vec<StockItem>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        alerts: Vec<StockAlert>,
        more: bool,
    },
    /// One state change.
    Event(Event),
    /// Replay is over: everything up to `seq` was sent; live events follow.
    CaughtUp { seq: Seq },
    /// A command was committed (or had been, for a repeated key).
    Ack {
        key: String,
        seq: Seq,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order_id: Option<OrderId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        store_id: Option<StoreId>,
    },
    /// One page of devices, answer to `list_devices`. When `more` is true, ask again
    /// with `after_device_id` = the last device's id.
    Devices {
        devices: Vec<DeviceInfo>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        more: bool,
    },
    /// One page of the event log, answer to `read_log`. When `more` is true, ask again
    /// with `after_seq` = the last event's seq.
    LogPage {
        events: Vec<Event>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        more: bool,
    },
    /// Answer to `site_status`.
    SiteStatus(SiteStatus),
    /// The next piece of an export's CSV text (UTF-8, the first piece starting with
    /// the byte order mark), answer to `export_start` and `export_next`. `rows` is
    /// the number of data rows once `done`.
    ExportChunk {
        export_id: u32,
        data: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        done: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rows: Option<u64>,
    },
    PairingCode {
        code: String,
        role: Role,
        expires_at: DateTime<Utc>,
    },
    /// To office and admin devices: a warehouse PC's receipt for an order, when it is
    /// recorded, and those of pending and recent orders after each `subscribe`.
    Receipt(Receipt),
    /// To office and admin devices: how many warehouse PCs are connected now; sent
    /// after each `subscribe` and whenever the number changes.
    WarehousesOnline { count: u32 },
    /// Something was refused. `key` names the command when the error is about one,
    /// `export_id` the export when it is about an export.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        export_id: Option<u32>,
    },
}

impl ServerMessage {
    /// Every `type` the server may send, read from the serde tags above.
    pub fn wire_types() -> &'static [&'static str] {
        variants_of::<ServerMessage>(Some("type"))
    }
}

/// One committed state change, as stored in the server's event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Strictly increasing, never reused; consecutive events differ by exactly 1.
    pub seq: Seq,
    /// Commit time, UTC.
    pub at: DateTime<Utc>,
    /// The device whose command caused it (0 for the server itself).
    pub device: DeviceId,
    pub body: EventBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    OrderCreated {
        order_id: OrderId,
        order_number: String,
        store_id: StoreId,
        note: String,
        priority: Priority,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        lines: Vec<OrderLine>,
    },
    OrderPacked {
        order_id: OrderId,
    },
    OrderRecalled {
        order_id: OrderId,
        /// Absent in logs written before recalls carried a reason, and when empty.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
    },
    OrderCancelled {
        order_id: OrderId,
        reason: String,
    },
    /// A pending order's store, note or rush corrected; the fields are the new values.
    OrderEdited {
        order_id: OrderId,
        store_id: StoreId,
        note: String,
        priority: Priority,
    },
    /// A rush order was acknowledged; the event's `device` says by whom.
    RushAcknowledged {
        order_id: OrderId,
    },
    /// The site's ageing thresholds changed; warehouse PCs use these from now on.
    AgeingSet(Ageing),
    StoreAdded {
        store_id: StoreId,
        name: String,
    },
    StoreRenamed {
        store_id: StoreId,
        name: String,
    },
    StoreDeactivated {
        store_id: StoreId,
    },
    DeviceEnrolled {
        device_id: DeviceId,
        name: String,
        role: Role,
    },
    DeviceRevoked {
        device_id: DeviceId,
    },
    DeviceRoleChanged {
        device_id: DeviceId,
        role: Role,
    },
    /// An item was created or changed (by an admin or an import); the item as it is now.
    ItemUpserted(StockItem),
    /// Stock added or taken away: by an admin (`reason`), or by packing (negative) or
    /// recalling (positive) order `order_id`. With a `lot`, the lot and the item both
    /// change by `delta`. `quantity` is the item's new quantity, `lot_quantity` the lot's.
    StockAdjusted {
        sku: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lot: Option<String>,
        delta: i64,
        quantity: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lot_quantity: Option<i64>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order_id: Option<OrderId>,
    },
    /// A person counted the shelf (the item, or one lot); the event's `device` says
    /// who. `delta` is the difference from what the books said; the item changes by
    /// it too, to `quantity`.
    StockCounted {
        sku: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lot: Option<String>,
        counted: i64,
        delta: i64,
        quantity: i64,
    },
    /// A stock alert opened at level 1 (`device` 0: the server raised it).
    /// `quantity` is the item's (or the lot's) quantity then; `expiry` the lot's date.
    AlertRaised {
        alert_id: AlertId,
        alert_kind: AlertKind,
        severity: Severity,
        sku: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lot: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        store_id: Option<StoreId>,
        quantity: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expiry: Option<chrono::NaiveDate>,
    },
    /// An open, unacknowledged alert reached a higher level.
    AlertEscalated {
        alert_id: AlertId,
        level: u8,
    },
    /// Someone saw the alert (`device`); it stays open until its condition clears.
    AlertAcknowledged {
        alert_id: AlertId,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        comment: String,
    },
    /// The alert's condition cleared; the alert is closed.
    AlertResolved {
        alert_id: AlertId,
    },
}

impl EventBody {
    /// Every event `kind`, read from the serde tags above.
    pub fn wire_kinds() -> &'static [&'static str] {
        variants_of::<EventBody>(Some("kind"))
    }
}

/// WebSocket close codes the server uses, beyond the standard ones.
pub mod close_code {
    /// Authentication failed too often, timed out, or the device was revoked.
    pub const POLICY: u16 = 1008;
    /// Frame larger than `MAX_FRAME_BYTES`.
    pub const TOO_BIG: u16 = 1009;
    /// WebSocket protocol violation (RFC 6455 framing rules).
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// A text frame that is not valid UTF-8.
    pub const INVALID_DATA: u16 = 1007;
    /// Server shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// Server full (connection cap) or overloaded; retry later.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// The client fell too far behind the event stream; reconnect and catch up.
    pub const TOO_SLOW: u16 = 4000;
    /// Protocol version mismatch.
    pub const VERSION_MISMATCH: u16 = 4001;
    /// The device's role changed; reconnect to continue with the new one.
    pub const ROLE_CHANGED: u16 = 4002;
}

/// The wire tags of a serde-tagged enum, taken from serde itself so that no second
/// list can drift from the `#[serde]` attributes: deserialising a tag no variant has
/// makes serde call [`serde::de::Error::unknown_variant`] with the full list, which
/// [`VariantList`] keeps. `tag`: the tag field (`"type"`, `"op"`, `"kind"`), or `None`
/// for an enum of plain strings.
fn variants_of<T: DeserializeOwned>(tag: Option<&'static str>) -> &'static [&'static str] {
    use serde::de::IntoDeserializer;
    use serde::de::value::{MapDeserializer, StrDeserializer};
    const NO_SUCH_VARIANT: &str = "\u{0}";
    let probed = match tag {
        Some(field) => T::deserialize(MapDeserializer::<_, VariantList>::new(std::iter::once((
            field,
            NO_SUCH_VARIANT,
        )))),
        None => {
            T::deserialize::<StrDeserializer<'_, VariantList>>(NO_SUCH_VARIANT.into_deserializer())
        }
    };
    match probed {
        Err(VariantList(Some(variants))) => variants,
        // Unreachable for the enums above (the wire-tag tests cover each one).
        _ => &[],
    }
}

/// A deserialisation error that remembers the variant list serde offers.
#[derive(Debug)]
struct VariantList(Option<&'static [&'static str]>);

impl std::fmt::Display for VariantList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "variants: {:?}", self.0)
    }
}

impl std::error::Error for VariantList {}

impl serde::de::Error for VariantList {
    fn custom<T: std::fmt::Display>(_message: T) -> Self {
        VariantList(None)
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        VariantList(Some(expected))
    }
}
