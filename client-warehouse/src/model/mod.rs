//! The warehouse client's state and its reducers: pure, no egui, no I/O, no clock.
//!
//! **Every decision to ring is made here**, from link events, by [`Model::handle`] and
//! [`Model::tick`]; the alert service carries the decisions out and the UI only draws.
//! Callers pass `now` in, so tests control time.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, Duration, Utc};
use packbell_shared::discovery::FoundServer;
use packbell_shared::link::{LinkEvent, LinkStatus};
use packbell_shared::protocol::{
    Event, EventBody, NotRungWhy, Order, OrderId, OrderStatus, Priority, Snapshot, StoreId,
};
use packbell_shared::state::{Applied, SiteState};

use crate::settings::Settings;

mod ageing;
mod alerts;
mod cancelled;
mod edits;
mod filter;
mod recall;
mod receipts;
mod repaint;
mod search;
pub mod stock_alerts;
pub mod stock_count;

pub use alerts::{Alert, AlertAction};
pub use cancelled::{CANCEL_NOTICE_SECS, CancelledNotice};
pub use edits::{EDIT_HIGHLIGHT_SECS, EditMark};
pub use filter::StoreCount;
pub use recall::{RECENTLY_PACKED_MINUTES, RecentPack};
pub use search::{MAX_SEARCH_CHARS, ScanOutcome, ScanRefusal};

/// How long the last packed order can be brought back with "Undo".
pub const UNDO_WINDOW_SECS: i64 = 180;
/// A catch-up summary names at most this many order numbers.
pub const SUMMARY_MAX_NUMBERS: usize = 6;
/// If a reconnect brought a snapshot but no `CaughtUp` follows, the catch-up summary
/// goes out after this long anyway.
pub const CATCH_UP_GRACE_SECS: i64 = 3;
/// Live orders rung one by one within [`BURST_WINDOW_SECS`]; past this a burst has
/// begun, and the orders that follow are held and rung together as one summary
/// (one sound, one notification) when the window ends.
pub const BURST_RINGS: usize = 3;
/// The window over which rings are counted, and how long a burst is collected.
pub const BURST_WINDOW_SECS: i64 = 2;
/// Notices (refused commands, server messages) kept for the UI; older ones drop.
pub const MAX_NOTICES: usize = 8;

/// Where the connection stands, as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Connection {
    /// Start-up, looking for the server.
    #[default]
    Connecting,
    /// Needs a pairing code from the user.
    NeedsPairing {
        reason: Option<String>,
    },
    Connected {
        site: String,
    },
    /// Lost the server (or never reached it) at `since`; retrying.
    Offline {
        since: DateTime<Utc>,
        attempt: u32,
        reason: String,
    },
    /// The server will not take this device (revoked, version mismatch).
    Refused {
        reason: String,
    },
}

/// Age colour band of a pending order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeLevel {
    Fresh,
    Amber,
    Red,
    /// Past the third threshold: the ticket pulses, the chime sounds once more.
    Overdue,
}

/// Something the UI should show once (backend failures, refused commands).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hint {
    NoSound(String),
    NoNotifications(String),
    /// A command was refused: order number, server message.
    Rejected {
        order_number: String,
        message: String,
    },
    /// The link did not take a request: busy for a moment, or stopped.
    NotSent {
        busy: bool,
    },
    Notice(String),
}

/// The last order packed on this PC, for "Undo".
#[derive(Debug, Clone, PartialEq)]
pub struct LastPacked {
    pub order_id: OrderId,
    pub order_number: String,
    pub at: DateTime<Utc>,
}

/// A change made here that the server has not confirmed yet (packed or recalled).
#[derive(Debug, Clone, PartialEq)]
struct Override {
    status: OrderStatus,
    key: String,
}

/// Sort key of the pending list: rush first, then oldest, then by id.
type PendingKey = (u8, DateTime<Utc>, OrderId);

fn pending_key(order: &Order) -> PendingKey {
    let rank = match order.priority {
        Priority::Rush => 0,
        Priority::Normal => 1,
    };
    (rank, order.created_at, order.order_id)
}

#[derive(Debug, Default)]
pub struct Model {
    site: SiteState,
    pub settings: Settings,
    connection: Connection,
    /// The list is a copy from disk or from before a disconnect, not confirmed live.
    stale: bool,
    /// Whether any state (disk copy or server) has been loaded; the very first load
    /// at start-up does not ring.
    loaded: bool,
    /// A first-ever replay (nothing known before it) is a load, not news: it does not
    /// ring. Ends at `CaughtUp` or the first live event.
    initial_replay: bool,
    /// The PC has had the server's state once (snapshot, catch-up or a live event):
    /// from then on a snapshot's orders are news, not what was shown at start-up.
    receipts_started: bool,
    /// Every order whose effective status is pending, in display order.
    pending: BTreeSet<PendingKey>,
    overrides: BTreeMap<OrderId, Override>,
    /// Orders that became pending while catching up; summarised at `CaughtUp`.
    catch_up: BTreeSet<OrderId>,
    /// Set when a reconnect snapshot arrived: flush the summary by then at the latest.
    catch_up_deadline: Option<DateTime<Utc>>,
    /// When the last live orders rang one by one (at most [`BURST_RINGS`] kept).
    recent_rings: VecDeque<DateTime<Utc>>,
    /// Live orders held during a burst, rung together when `burst_until` passes.
    burst: BTreeSet<OrderId>,
    burst_until: Option<DateTime<Utc>>,
    /// Orders with a notification on screen (withdrawn when they leave the list).
    notified: BTreeSet<OrderId>,
    /// Next re-alert time of each waiting rush order.
    rush_next: BTreeMap<OrderId, DateTime<Utc>>,
    /// Rush orders acknowledged here (the server's flag on the order covers the
    /// others, and this PC's after the event comes back): no more re-alerts.
    acknowledged: BTreeSet<OrderId>,
    /// What the office changed on an order lately (see `edits`).
    edits: BTreeMap<OrderId, EditMark>,
    /// Orders cancelled while pending here, still shown struck through.
    cancelled: Vec<CancelledNotice>,
    last_packed: Option<LastPacked>,
    /// Row the keyboard points at.
    selected: Option<OrderId>,
    /// Decisions made outside `handle`/`tick` (local packs); drained by `tick`.
    queued: Vec<AlertAction>,
    hints: Vec<Hint>,
    /// Several servers answered discovery and this PC is not paired: the user picks
    /// one (site, address, short fingerprint). Empty once connected.
    servers: Vec<FoundServer>,
    /// The server id picked from `servers`, while the link tries it.
    chosen_server: Option<String>,
    /// Cached filtered list, rebuilt when `view_dirty`.
    view: Vec<OrderId>,
    view_dirty: bool,
    /// Bumped on every change the UI may cache (list, stores, filter).
    generation: u64,
    /// The search box's filter (see `search.rs`).
    search: search::Search,
    /// Orders that had their overdue chime (see `ageing.rs`).
    overdue: ageing::Overdue,
    /// Receipts for the office, waiting for the pump to send them.
    receipts: VecDeque<packbell_shared::link::ReceiptNote>,
    /// Orders the alert service was asked to ring; their receipt waits for the outcome.
    awaiting_ring: Vec<OrderId>,
    /// The link's last look for the server, for the Connection screen.
    pub connection_report: Option<Box<packbell_shared::link::diagnosis::ConnectionReport>>,
    /// Open stock alerts for the banner (see `stock_alerts`).
    stock: stock_alerts::StockBanner,
    /// The site's stock items, for the "Count stock" dialog (see `stock_count`).
    items: stock_count::StockItems,
}

impl Model {
    pub fn new(settings: Settings) -> Model {
        Model {
            settings,
            view_dirty: true,
            ..Model::default()
        }
    }

    /// The open stock alerts this PC's station shows, for the banner.
    pub fn stock_alerts(&self) -> Vec<&packbell_shared::protocol::StockAlert> {
        self.stock.visible(&self.settings.station)
    }

    /// Items of this station (and site-wide) matching the count dialog's search.
    pub fn search_items(&self, query: &str) -> Vec<&packbell_shared::protocol::StockItem> {
        self.items.search(query, &self.settings.station)
    }

    /// Whether the site tracks any stock (the header offers "Count stock" then).
    pub fn has_stock_items(&self) -> bool {
        !self.items.is_empty()
    }

    pub fn stock_item(&self, sku: &str) -> Option<&packbell_shared::protocol::StockItem> {
        self.items.get(sku)
    }

    /// New stock alerts and escalations of this station to announce, once each.
    pub fn take_stock_notices(&mut self) -> Vec<stock_alerts::StockNotice> {
        self.stock.take_notices(&self.settings.station)
    }

    // ----------------------------------------------------------------------------
    // Reducers

    /// Applies one link event and says what to ring or withdraw.
    pub fn handle(&mut self, event: LinkEvent, now: DateTime<Utc>) -> Vec<AlertAction> {
        let mut actions = Vec::new();
        match event {
            LinkEvent::Status(status) => self.set_status(status),
            LinkEvent::Reset { snapshot, stale } => {
                self.reset(snapshot, stale, now, &mut actions);
            }
            LinkEvent::Event { event, replayed } => {
                if !replayed {
                    // The first live event ends any catch-up, even without `CaughtUp`.
                    self.initial_replay = false;
                    self.flush_catch_up(&mut actions);
                } else if !self.loaded {
                    self.initial_replay = true;
                }
                self.apply_event(&event, replayed, now, &mut actions);
            }
            LinkEvent::CaughtUp { .. } => {
                self.receipts_started = true;
                self.stale = false;
                self.initial_replay = false;
                self.flush_catch_up(&mut actions);
            }
            LinkEvent::Rejected { key, message, .. } => {
                let undone: Vec<OrderId> = self
                    .overrides
                    .iter()
                    .filter(|(_, o)| o.key == key)
                    .map(|(id, _)| *id)
                    .collect();
                for order_id in undone {
                    self.overrides.remove(&order_id);
                    self.refresh(order_id);
                    let order_number = self
                        .site
                        .orders
                        .get(&order_id)
                        .map(|o| o.order_number.clone())
                        .unwrap_or_else(|| order_id.to_string());
                    self.push_hint(Hint::Rejected {
                        order_number,
                        message: message.clone(),
                    });
                }
            }
            LinkEvent::Notice(text) => self.push_hint(Hint::Notice(text)),
            // Admin answers; a warehouse device never asks for them.
            LinkEvent::SiteStatus(_) => {}
            LinkEvent::ServersFound(servers) => {
                // Asked again: the one picked before did not answer this time.
                self.chosen_server = None;
                self.servers = servers;
            }
            LinkEvent::Queued { .. }
            | LinkEvent::Acked { .. }
            | LinkEvent::Outbox(_)
            | LinkEvent::Devices(_)
            | LinkEvent::PairingCode { .. }
            | LinkEvent::Receipt(_)
            | LinkEvent::WarehousesOnline(_)
            | LinkEvent::ExportChunk { .. }
            | LinkEvent::ExportFailed { .. } => {}
            LinkEvent::Connection(report) => self.connection_report = Some(report),
        }
        actions
    }

    /// Time-driven decisions: rush re-alerts, a late catch-up summary, and anything
    /// queued by local actions. Call about once a second, window visible or not.
    pub fn tick(&mut self, now: DateTime<Utc>) -> Vec<AlertAction> {
        let mut actions = std::mem::take(&mut self.queued);
        self.expire_edits(now);
        if self
            .catch_up_deadline
            .is_some_and(|deadline| now >= deadline)
        {
            self.flush_catch_up(&mut actions);
        }
        if self.burst_until.is_some_and(|until| now >= until) {
            self.flush_burst(&mut actions);
        }
        self.expire_cancelled(now);
        if self.last_packed.as_ref().is_some_and(|last| {
            now.signed_duration_since(last.at) > Duration::seconds(UNDO_WINDOW_SECS)
        }) {
            self.last_packed = None;
        }
        let interval = Duration::seconds(i64::from(self.settings.rush_repeat_secs));
        let waiting: Vec<(OrderId, String)> = self
            .pending
            .iter()
            .take_while(|(rank, _, _)| *rank == 0)
            .filter_map(|(_, _, id)| self.site.orders.get(id))
            .filter(|order| self.in_station(order) && !self.is_acknowledged(order.order_id))
            .map(|order| (order.order_id, order.order_number.clone()))
            .collect();
        self.rush_next
            .retain(|id, _| waiting.iter().any(|(w, _)| w == id));
        let mut due = Vec::new();
        for (order_id, number) in waiting {
            let next = self.rush_next.entry(order_id).or_insert(now + interval);
            if now >= *next {
                *next = now + interval;
                due.push(number);
            }
        }
        if !due.is_empty() && !self.catching_up() {
            actions.push(AlertAction::Repeat { order_numbers: due });
        }
        self.overdue_alerts(now, &mut actions);
        actions
    }

    fn set_status(&mut self, status: LinkStatus) {
        self.connection = match status {
            LinkStatus::Connecting => Connection::Connecting,
            LinkStatus::NeedsPairing { reason } => Connection::NeedsPairing { reason },
            LinkStatus::Connected { site, .. } => {
                self.servers.clear();
                self.chosen_server = None;
                Connection::Connected { site }
            }
            LinkStatus::Reconnecting {
                since,
                attempt,
                reason,
            } => {
                self.stale = true;
                Connection::Offline {
                    since,
                    attempt,
                    reason,
                }
            }
            LinkStatus::Refused { reason } => {
                self.stale = true;
                Connection::Refused { reason }
            }
        };
    }

    fn reset(
        &mut self,
        snapshot: Snapshot,
        stale: bool,
        now: DateTime<Utc>,
        actions: &mut Vec<AlertAction>,
    ) {
        let before: BTreeSet<OrderId> = self.pending.iter().map(|(_, _, id)| *id).collect();
        let first_load = !self.loaded;
        self.stock.reset(&snapshot.alerts);
        self.items.reset(&snapshot.items);
        self.site.load_snapshot(snapshot);
        self.loaded = true;
        self.stale = stale;
        // Local changes the snapshot already reflects are confirmed.
        let site = &self.site;
        self.overrides.retain(|id, o| {
            site.orders
                .get(id)
                .is_some_and(|order| order.status != o.status)
        });
        self.rebuild_pending();
        let after: BTreeSet<OrderId> = self.pending.iter().map(|(_, _, id)| *id).collect();
        for gone in before.difference(&after) {
            self.forget(*gone, actions);
            if self
                .site
                .orders
                .get(gone)
                .is_some_and(|o| o.status == OrderStatus::Cancelled)
            {
                self.announce_cancel(*gone, now, actions);
            }
        }
        if !stale && !first_load {
            self.catch_up.extend(after.difference(&before));
            self.catch_up_deadline = Some(now + Duration::seconds(CATCH_UP_GRACE_SECS));
        }
        if !stale {
            // The server's copy: every pending order is in this PC's list. Those that
            // will not ring (shown at start, or already known) say so once.
            for order_id in &after {
                self.receipt_applied(*order_id);
            }
            if !self.receipts_started {
                let shown: Vec<OrderId> = after.difference(&self.catch_up).copied().collect();
                for order_id in shown {
                    self.receipt_not_rung(order_id, NotRungWhy::ShownAtStart);
                }
            }
            self.receipts_started = true;
        }
    }

    fn apply_event(
        &mut self,
        event: &Event,
        replayed: bool,
        now: DateTime<Utc>,
        actions: &mut Vec<AlertAction>,
    ) {
        // An edit changes the list's sort key: keep the order as it was.
        let before_edit = match &event.body {
            EventBody::OrderEdited { order_id, .. } => self.site.orders.get(order_id).cloned(),
            _ => None,
        };
        if self.site.apply(event) != Applied::Changed {
            // Duplicates are ignored; a gap makes the link resync with a snapshot.
            return;
        }
        self.loaded = true;
        self.stock
            .apply(event, replayed || self.initial_replay || self.catching_up());
        self.items.apply(event);
        match &event.body {
            EventBody::OrderCreated { order_id, .. } => {
                self.refresh(*order_id);
                if !self.is_pending(*order_id) {
                    return;
                }
                self.receipt_applied(*order_id);
                if self.initial_replay {
                    // Part of the first load: shown, not rung.
                    self.receipt_not_rung(*order_id, NotRungWhy::ShownAtStart);
                } else if replayed || self.catching_up() {
                    self.catch_up.insert(*order_id);
                } else if self.alert_for(*order_id).is_none() {
                    self.receipt_not_rung(*order_id, NotRungWhy::OtherStation);
                } else if self.in_burst(now) {
                    self.burst.insert(*order_id);
                } else if let Some(alert) = self.alert_for(*order_id) {
                    self.recent_rings.push_back(now);
                    if self.recent_rings.len() > BURST_RINGS {
                        self.recent_rings.pop_front();
                    }
                    if alert.priority == Priority::Rush {
                        let interval = Duration::seconds(i64::from(self.settings.rush_repeat_secs));
                        self.rush_next.insert(*order_id, now + interval);
                    }
                    self.notified.insert(*order_id);
                    self.receipt_ringing([*order_id]);
                    actions.push(AlertAction::Ring(alert));
                }
            }
            EventBody::OrderPacked { order_id } | EventBody::OrderCancelled { order_id, .. } => {
                let confirmed = matches!(event.body, EventBody::OrderCancelled { .. })
                    || self
                        .overrides
                        .get(order_id)
                        .is_some_and(|o| o.status == OrderStatus::Packed);
                if confirmed {
                    self.overrides.remove(order_id);
                }
                // The pending set is keyed by priority and age, not status: still there.
                let was_pending = self.is_pending(*order_id);
                self.refresh(*order_id);
                if !self.is_pending(*order_id) {
                    self.forget(*order_id, actions);
                }
                let cancelled = matches!(event.body, EventBody::OrderCancelled { .. });
                if cancelled && was_pending && !self.initial_replay {
                    self.announce_cancel(*order_id, now, actions);
                }
            }
            EventBody::OrderEdited { order_id, .. } => {
                self.order_edited(before_edit, *order_id, event.at, replayed, now, actions);
            }
            EventBody::OrderRecalled { order_id, .. } => {
                if self
                    .overrides
                    .get(order_id)
                    .is_some_and(|o| o.status == OrderStatus::Pending)
                {
                    self.overrides.remove(order_id);
                }
                self.refresh(*order_id);
            }
            EventBody::RushAcknowledged { order_id } => {
                self.rush_next.remove(order_id);
                self.touch();
            }
            // Ages are coloured afresh on the next frame.
            EventBody::AgeingSet(_)
            | EventBody::StoreAdded { .. }
            | EventBody::StoreRenamed { .. }
            | EventBody::StoreDeactivated { .. } => self.touch(),
            EventBody::DeviceEnrolled { .. }
            | EventBody::DeviceRevoked { .. }
            | EventBody::DeviceRoleChanged { .. } => {}
            // Stock and its alerts are not part of the order list.
            EventBody::ItemUpserted(_)
            | EventBody::StockAdjusted { .. }
            | EventBody::StockCounted { .. }
            | EventBody::AlertRaised { .. }
            | EventBody::AlertEscalated { .. }
            | EventBody::AlertAcknowledged { .. }
            | EventBody::AlertResolved { .. } => {}
        }
    }

    /// An order left the list: drop its alert state and withdraw its notification.
    fn forget(&mut self, order_id: OrderId, actions: &mut Vec<AlertAction>) {
        self.catch_up.remove(&order_id);
        self.rush_next.remove(&order_id);
        self.acknowledged.remove(&order_id);
        if self.notified.remove(&order_id) {
            actions.push(AlertAction::Withdraw { order_id });
        }
        if self.selected == Some(order_id) {
            self.selected = None;
        }
    }

    fn touch(&mut self) {
        self.view_dirty = true;
        self.generation += 1;
    }

    /// Changes whenever the list, the stores or the filter change.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    // ----------------------------------------------------------------------------
    // Pending set upkeep

    fn effective_status(&self, order: &Order) -> OrderStatus {
        if order.status == OrderStatus::Cancelled {
            return OrderStatus::Cancelled;
        }
        self.overrides
            .get(&order.order_id)
            .map_or(order.status, |o| o.status)
    }

    fn refresh(&mut self, order_id: OrderId) {
        let Some(order) = self.site.orders.get(&order_id) else {
            return;
        };
        let key = pending_key(order);
        if self.effective_status(order) == OrderStatus::Pending {
            self.pending.insert(key);
        } else {
            self.pending.remove(&key);
        }
        self.touch();
    }

    fn rebuild_pending(&mut self) {
        self.pending = self
            .site
            .orders
            .values()
            .filter(|o| self.effective_status(o) == OrderStatus::Pending)
            .map(pending_key)
            .collect();
        self.touch();
    }

    fn is_pending(&self, order_id: OrderId) -> bool {
        self.site
            .orders
            .get(&order_id)
            .is_some_and(|o| self.pending.contains(&pending_key(o)))
    }

    // ----------------------------------------------------------------------------
    // Intents from the UI

    /// The user packed an order and the link took the command under `key`: it leaves
    /// the list now, its notification goes, and it becomes the one "Undo" brings back.
    pub fn mark_packed(&mut self, order_id: OrderId, key: String, now: DateTime<Utc>) {
        let Some(order) = self.site.orders.get(&order_id) else {
            return;
        };
        let order_number = order.order_number.clone();
        let next_selection = self.selected.and_then(|_| self.neighbour_after(order_id));
        self.overrides.insert(
            order_id,
            Override {
                status: OrderStatus::Packed,
                key,
            },
        );
        self.refresh(order_id);
        let mut actions = Vec::new();
        self.forget(order_id, &mut actions);
        self.queued.extend(actions);
        if next_selection.is_some() {
            self.selected = next_selection;
        }
        self.last_packed = Some(LastPacked {
            order_id,
            order_number,
            at: now,
        });
    }

    /// "Undo" was pressed and the link took the recall under `key`.
    pub fn mark_recalled(&mut self, order_id: OrderId, key: String) {
        if !self.site.orders.contains_key(&order_id) {
            return;
        }
        self.overrides.insert(
            order_id,
            Override {
                status: OrderStatus::Pending,
                key,
            },
        );
        self.refresh(order_id);
        if self
            .last_packed
            .as_ref()
            .is_some_and(|l| l.order_id == order_id)
        {
            self.last_packed = None;
        }
    }

    /// The order "Undo" would bring back, while the undo window is open.
    pub fn undo_target(&self, now: DateTime<Utc>) -> Option<&LastPacked> {
        self.last_packed.as_ref().filter(|last| {
            now.signed_duration_since(last.at) <= Duration::seconds(UNDO_WINDOW_SECS)
        })
    }

    pub fn select(&mut self, order_id: Option<OrderId>) {
        self.selected = order_id;
    }

    pub fn selected(&self) -> Option<OrderId> {
        self.selected.filter(|id| self.is_pending(*id))
    }

    /// Moves the selection `delta` rows (clamped); selects the first row when none.
    pub fn move_selection(&mut self, delta: isize) -> Option<usize> {
        let current = self.selected();
        let view = self.visible();
        if view.is_empty() {
            return None;
        }
        let index = match current.and_then(|id| view.iter().position(|v| *v == id)) {
            Some(i) => i.saturating_add_signed(delta).min(view.len() - 1),
            None => 0,
        };
        self.selected = Some(view[index]);
        Some(index)
    }

    /// Selects the first row (Home) or the last (End).
    pub fn select_edge(&mut self, last: bool) -> Option<usize> {
        let view = self.visible();
        let index = if last { view.len().checked_sub(1)? } else { 0 };
        let order_id = *view.get(index)?;
        self.selected = Some(order_id);
        Some(index)
    }

    fn neighbour_after(&mut self, order_id: OrderId) -> Option<OrderId> {
        let view = self.visible();
        let index = view.iter().position(|id| *id == order_id)?;
        view.get(index + 1)
            .or_else(|| index.checked_sub(1).and_then(|i| view.get(i)))
            .copied()
    }

    /// The user picked one of the servers that answered discovery: its id, for the
    /// link, when it was one of them.
    pub fn choose_server(&mut self, server_id: &str) -> Option<String> {
        let offered = self.servers.iter().any(|s| s.server_id == server_id);
        offered.then(|| {
            self.chosen_server = Some(server_id.to_owned());
            server_id.to_owned()
        })
    }

    /// Servers to choose from (empty unless several answered and none is paired).
    pub fn found_servers(&self) -> &[FoundServer] {
        &self.servers
    }

    pub fn chosen_server(&self) -> Option<&FoundServer> {
        let chosen = self.chosen_server.as_deref()?;
        self.servers.iter().find(|s| s.server_id == chosen)
    }

    /// The pairing dialog is up: a code to type or a server to choose.
    pub fn pairing_open(&self) -> bool {
        matches!(self.connection, Connection::NeedsPairing { .. }) || !self.servers.is_empty()
    }

    pub fn push_hint(&mut self, hint: Hint) {
        if !self.hints.contains(&hint) {
            self.hints.push(hint);
            if self.hints.len() > MAX_NOTICES {
                self.hints.remove(0);
            }
        }
    }

    pub fn hints(&self) -> &[Hint] {
        &self.hints
    }

    pub fn dismiss_hint(&mut self, index: usize) {
        if index < self.hints.len() {
            self.hints.remove(index);
        }
    }

    // ----------------------------------------------------------------------------
    // Views

    pub fn order(&self, order_id: OrderId) -> Option<&Order> {
        self.site.orders.get(&order_id)
    }

    pub fn store_name(&self, store_id: StoreId) -> Option<&str> {
        self.site.store_name(store_id)
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The list is not confirmed by a live server (disk copy, or offline).
    pub fn is_stale(&self) -> bool {
        self.stale || !matches!(self.connection, Connection::Connected { .. })
    }

    /// Commands sent from here that the server has not confirmed yet.
    pub fn unconfirmed(&self) -> usize {
        self.overrides.len()
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod views_tests;
