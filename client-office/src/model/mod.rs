//! The office client's state and the reducers that change it.
//!
//! **Pure: no egui, no I/O, no clock.** Link events and user intents come in, the
//! caller passes the current time where it matters, and the ui reads what it needs.
//! Tests drive this module directly.

mod admin;
mod alerts;
mod exports;
mod form;
mod orders;
mod receipts;
mod stock;
mod stock_import;
mod today;
mod trouble;
mod undo;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use packbell_shared::discovery::FoundServer;
use packbell_shared::link::{LinkEvent, LinkStatus, OutboxItem, OutboxReport};
use packbell_shared::protocol::{
    Command, DeviceId, DeviceInfo, ErrorCode, EventBody, OrderId, OrderStatus, Priority, Role,
    StoreId,
};
use packbell_shared::state::SiteState;

pub use admin::{AdminForms, DEFAULT_AGEING, NameError, RoleChange, RoleLock};
pub use alerts::{
    AckDialog, AlertFilter, AlertStatus, AlertsScreen, StoreChoice, SummaryRow, SummarySpan,
    alert_history, alert_summary, may_acknowledge,
};
pub use exports::{
    ExportFile, ExportForm, ExportJob, ExportProblem, Exports, FormProblem, KINDS, Progress, Stage,
    Transfer, WriteOutcome,
};
pub use form::{Duplicate, EntryForm, FieldError, FormErrors, ReadyOrder};
pub use orders::{ListFilter, OrderRow, RowStatus};
pub use receipts::{ALARM_REPEAT_SECS, DEFAULT_ALARM_SECS, ReceiptSummary, Receipts};
pub use stock::{
    AdjustForm, ImportOutcome, ItemEditor, StockField, StockOperation, StockProblem, StockScreen,
    may_edit_stock,
};
pub use stock_import::{ImportProblem, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, import_commands};
pub use today::{
    Dashboard, MAX_REFERENCE_BYTES, OldestPending, REFERENCE_DAYS, Reference, StoreWaits,
    TodayFigures, WaitFigures, today_figures,
};
pub use trouble::{MESSAGE_FADES_AFTER, MessageClock, NoticeKind, OutboxView, Trouble, Waiting};
pub use undo::{
    DuplicateConfirm, EditDialog, EditProblem, ReopenDialog, SendStep, UndoDialogs, UndoOperation,
};

/// An order this client submitted, remembered until the server has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub key: String,
    pub order_number: String,
    pub store_id: StoreId,
    pub note: String,
    pub priority: Priority,
    pub submitted_at: DateTime<Utc>,
    pub state: SubmissionState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SubmissionState {
    /// Handed to the link; not yet confirmed durable in the outbox.
    Handed,
    /// Durable in the local outbox; sent when the server is reachable.
    Queued,
    /// Committed by the server.
    Acked { order_id: Option<OrderId> },
    /// Refused by the server; it will not be retried.
    Refused { code: ErrorCode, message: String },
}

impl Submission {
    pub fn is_unacked(&self) -> bool {
        matches!(
            self.state,
            SubmissionState::Handed | SubmissionState::Queued
        )
    }

    pub fn order_id(&self) -> Option<OrderId> {
        match self.state {
            SubmissionState::Acked { order_id } => order_id,
            _ => None,
        }
    }
}

/// A command other than an order entry, waiting for the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    Cancel {
        order_id: OrderId,
        order_number: String,
    },
    AddStore {
        name: String,
    },
    RenameStore {
        store_id: StoreId,
        name: String,
    },
    DeactivateStore {
        store_id: StoreId,
        name: String,
    },
    RevokeDevice {
        device_id: DeviceId,
        name: String,
    },
    ChangeRole {
        device_id: DeviceId,
        name: String,
        role: Role,
    },
    /// Reopening or correcting an order.
    Undo(UndoOperation),
    /// New ageing thresholds for every warehouse PC of the site.
    SetAgeing(packbell_shared::protocol::Ageing),
    /// An item saved, stock adjusted or an alert acknowledged.
    Stock(StockOperation),
}

impl Operation {
    /// Admin operations report on the admin screens, the others under the order form.
    pub fn is_admin(&self) -> bool {
        // Stock screens are not admin tabs: their outcome goes to the message line.
        !matches!(
            self,
            Operation::Cancel { .. } | Operation::Undo(_) | Operation::Stock(_)
        )
    }
}

/// The last outcome worth telling the worker, shown where they look.
#[derive(Debug, Clone, PartialEq)]
pub enum Feedback {
    /// The server committed this order.
    Confirmed {
        order_number: String,
        store: String,
    },
    /// Durable in the outbox; the server is not reachable right now.
    Queued {
        order_number: String,
        store: String,
    },
    /// The server refused an order; `message` is its technical detail.
    OrderRefused {
        order_number: String,
        code: ErrorCode,
        message: String,
    },
    OperationDone(Operation),
    /// The server refused an operation with this code (and technical detail).
    OperationRefused(Operation, ErrorCode, String),
    /// The link did not take the command (it is shutting down or overloaded); the
    /// link's own words.
    NotSent(String),
    /// The server refused a reopen or an edit, for the reason `ErrorCode` names.
    UndoRefused(UndoOperation, ErrorCode),
    /// A problem the link reported outside any command, and its own words.
    Notice(NoticeKind, String),
}

/// Where the link stands, as the status bar shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    Connecting,
    Connected {
        site: String,
    },
    Reconnecting {
        since: DateTime<Utc>,
        attempt: u32,
        reason: String,
    },
    NeedsPairing,
    Refused {
        reason: String,
    },
}

/// What the server told us about itself and this device when we last connected.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SiteInfo {
    pub site: String,
    pub server_id: String,
    pub device_id: Option<DeviceId>,
}

/// A pairing code issued for another device.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedCode {
    pub code: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

/// The pairing dialog's state; open while the link needs a code or a choice.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pairing {
    pub needed: bool,
    pub reason: Option<String>,
    pub code: String,
    /// A code was sent; waiting for the link to connect or ask again.
    pub sent: bool,
    /// Several servers answered discovery and this PC is not paired: the worker
    /// picks one (by site, address and short id) instead of the link guessing.
    pub servers: Vec<FoundServer>,
    /// The server id picked from `servers`.
    pub chosen: Option<String>,
}

impl Pairing {
    /// The dialog is shown while there is a code to type or a server to pick.
    pub fn open(&self) -> bool {
        self.needed || !self.servers.is_empty()
    }
}

/// The cancel dialog's state.
#[derive(Debug, Clone, PartialEq)]
pub struct CancelDialog {
    pub order_id: OrderId,
    pub order_number: String,
    pub reason: String,
    pub reason_missing: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The site as the server last told us (or as loaded from disk, see `stale`).
    pub site: SiteState,
    pub link: LinkStatus,
    /// True while the state is the copy from disk, not yet confirmed by the server.
    pub stale: bool,
    /// This device's role; remembered from the last connection so that admin
    /// screens stay usable offline (the server still checks every command).
    pub role: Option<Role>,
    pub site_info: SiteInfo,
    pub form: EntryForm,
    /// Orders entered here, by idempotency key (those of an earlier run come back
    /// from the link's outbox report).
    pub submissions: BTreeMap<String, Submission>,
    /// Cancels and admin commands waiting for the server, by key.
    pub operations: BTreeMap<String, Operation>,
    pub feedback: Option<Feedback>,
    pub admin_feedback: Option<Feedback>,
    /// The last answer to `list_devices`, and when it came.
    pub devices: Option<(Vec<DeviceInfo>, DateTime<Utc>)>,
    /// The last answer to `site_status`, and when it came.
    pub site_status: Option<(packbell_shared::protocol::SiteStatus, DateTime<Utc>)>,
    pub issued_code: Option<IssuedCode>,
    /// The link's outbox as it reports it: what the offline banner counts.
    pub outbox: OutboxView,
    /// When the message line's message appeared, so that successes fade.
    pub message_clock: MessageClock,
    pub filter: ListFilter,
    pub cancel: Option<CancelDialog>,
    pub pairing: Pairing,
    pub admin: AdminForms,
    pub undo: UndoDialogs,
    /// What the warehouse PCs said about each order, and the no-warehouse alarm.
    pub receipts: Receipts,
    /// The Exports screen's form and the latest export.
    pub exports: Exports,
    /// The Today dashboard's reference days.
    pub dashboard: Dashboard,
    /// The link's last look for the server, for the Connection screen.
    pub connection_report: Option<Box<packbell_shared::link::diagnosis::ConnectionReport>>,
    /// The Alerts screen's filters and acknowledge dialog.
    pub alerts: AlertsScreen,
    /// The Stock screen's item editor and adjustment form.
    pub stock: StockScreen,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            site: SiteState::default(),
            link: LinkStatus::Connecting,
            stale: true,
            role: None,
            site_info: SiteInfo::default(),
            form: EntryForm::default(),
            submissions: BTreeMap::new(),
            operations: BTreeMap::new(),
            feedback: None,
            admin_feedback: None,
            devices: None,
            site_status: None,
            issued_code: None,
            outbox: OutboxView::default(),
            message_clock: MessageClock::default(),
            filter: ListFilter::default(),
            cancel: None,
            pairing: Pairing::default(),
            admin: AdminForms::default(),
            undo: UndoDialogs::default(),
            receipts: Receipts::default(),
            exports: Exports::default(),
            dashboard: Dashboard::default(),
            connection_report: None,
            alerts: AlertsScreen::default(),
            stock: StockScreen::default(),
        }
    }
}

impl Model {
    /// A model that remembers `role` from an earlier run. The orders still waiting
    /// for the server come back from the link's outbox report.
    pub fn restored(role: Option<Role>) -> Self {
        Model {
            role,
            ..Model::default()
        }
    }

    /// Applies one event from the link that arrived at `now`.
    pub fn apply_link_event(&mut self, event: LinkEvent, now: DateTime<Utc>) {
        match event {
            LinkEvent::Status(status) => self.set_status(status),
            LinkEvent::Reset { snapshot, stale } => {
                self.site.load_snapshot(snapshot);
                self.stale = stale;
                self.claim_created_orders();
            }
            LinkEvent::Event { event, .. } => {
                let created = matches!(event.body, EventBody::OrderCreated { .. });
                self.site.apply(&event);
                if created {
                    self.claim_created_orders();
                }
                self.update_device_list(&event.body);
            }
            LinkEvent::CaughtUp { .. } => self.stale = false,
            LinkEvent::Queued { key } => {
                if let Some(submission) = self.submissions.get_mut(&key)
                    && submission.state == SubmissionState::Handed
                {
                    submission.state = SubmissionState::Queued;
                    if !matches!(self.link, LinkStatus::Connected { .. }) {
                        self.feedback = Some(Feedback::Queued {
                            order_number: submission.order_number.clone(),
                            store: store_label(&self.site, submission.store_id),
                        });
                    }
                }
            }
            LinkEvent::Acked { key, order_id, .. } => self.acked(&key, order_id),
            LinkEvent::Rejected { key, code, message } => self.rejected(&key, code, message),
            LinkEvent::Devices(devices) => {
                self.devices = Some((devices, now));
            }
            LinkEvent::SiteStatus(status) => {
                self.site_status = Some((status, now));
            }
            LinkEvent::PairingCode {
                code,
                role,
                expires_at,
            } => {
                self.issued_code = Some(IssuedCode {
                    code,
                    role,
                    expires_at,
                });
            }
            LinkEvent::ServersFound(servers) => {
                self.pairing.chosen = None;
                self.pairing.servers = servers;
            }
            LinkEvent::Notice(text) => self.notice(text),
            LinkEvent::Outbox(report) => {
                self.outbox.apply(&report);
                // This run's submissions are tracked from `Queued`, `Acked` and `Rejected`.
                if let OutboxReport::Waiting(items) = report {
                    self.restore_waiting(items, now);
                }
            }
            LinkEvent::Receipt(receipt) => self.receipts.record(receipt),
            LinkEvent::WarehousesOnline(count) => self.receipts.set_online(count),
            LinkEvent::ExportChunk {
                export_id,
                data,
                done,
                rows,
            } => {
                if Dashboard::owns(export_id) {
                    self.dashboard.on_piece(export_id, &data, done);
                } else {
                    self.exports.on_piece(export_id, data, done, rows);
                }
            }
            LinkEvent::ExportFailed {
                export_id,
                code,
                message,
            } => {
                if Dashboard::owns(export_id) {
                    self.dashboard.on_refused(export_id, code);
                } else {
                    self.exports.on_refused(export_id, code, message);
                }
            }
            LinkEvent::Connection(report) => self.connection_report = Some(report),
        }
    }

    /// The worker picked one of the servers that answered discovery.
    pub fn choose_server(&mut self, server_id: &str) -> Option<String> {
        let found = self
            .pairing
            .servers
            .iter()
            .any(|s| s.server_id == server_id);
        found.then(|| {
            self.pairing.chosen = Some(server_id.to_owned());
            server_id.to_owned()
        })
    }

    /// Keeps the last device list in step with device events, so that the Devices
    /// screen shows a new role or a revocation before the next refresh.
    fn update_device_list(&mut self, body: &EventBody) {
        let Some((devices, _)) = self.devices.as_mut() else {
            return;
        };
        match body {
            EventBody::DeviceRoleChanged { device_id, role } => {
                if let Some(device) = devices.iter_mut().find(|d| d.device_id == *device_id) {
                    device.role = *role;
                }
            }
            EventBody::DeviceRevoked { device_id } => {
                if let Some(device) = devices.iter_mut().find(|d| d.device_id == *device_id) {
                    device.revoked = true;
                    device.connected = false;
                }
            }
            _ => {}
        }
    }

    fn set_status(&mut self, status: LinkStatus) {
        if !matches!(status, LinkStatus::Connected { .. }) {
            // An export lives on one socket: it ends with it.
            self.exports.on_disconnected();
            self.dashboard.on_disconnected();
        }
        match &status {
            LinkStatus::Connected {
                site,
                server_id,
                device_id,
                role,
            } => {
                self.role = Some(*role);
                self.site_info = SiteInfo {
                    site: site.clone(),
                    server_id: server_id.clone(),
                    device_id: Some(*device_id),
                };
                self.pairing = Pairing::default();
            }
            LinkStatus::NeedsPairing { reason } => {
                self.pairing.needed = true;
                self.pairing.sent = false;
                self.pairing.reason = reason.clone();
            }
            LinkStatus::Refused { .. } => self.pairing.sent = false,
            LinkStatus::Connecting | LinkStatus::Reconnecting { .. } => {}
        }
        self.link = status;
    }

    fn acked(&mut self, key: &str, order_id: Option<OrderId>) {
        if let Some(submission) = self.submissions.get_mut(key) {
            if submission.is_unacked() {
                submission.state = SubmissionState::Acked { order_id };
                self.feedback = Some(Feedback::Confirmed {
                    order_number: submission.order_number.clone(),
                    store: store_label(&self.site, submission.store_id),
                });
            }
        } else if let Some(operation) = self.operations.remove(key) {
            let feedback = Some(Feedback::OperationDone(operation.clone()));
            if operation.is_admin() {
                self.admin_feedback = feedback;
            } else {
                self.feedback = feedback;
            }
        }
    }

    fn rejected(&mut self, key: &str, code: ErrorCode, message: String) {
        if let Some(submission) = self.submissions.get_mut(key) {
            self.feedback = Some(Feedback::OrderRefused {
                order_number: submission.order_number.clone(),
                code,
                message: message.clone(),
            });
            submission.state = SubmissionState::Refused { code, message };
        } else if let Some(operation) = self.operations.remove(key) {
            if let Operation::Undo(undo) = operation {
                self.undo_refused(undo, code);
                return;
            }
            let feedback = Some(Feedback::OperationRefused(operation.clone(), code, message));
            if operation.is_admin() {
                self.admin_feedback = feedback;
            } else {
                self.feedback = feedback;
            }
        } else {
            self.feedback = Some(Feedback::Notice(
                NoticeKind::Server(code),
                format!("{code}: {message}"),
            ));
        }
    }

    /// Orders entered here in an earlier run that the link's outbox still holds are
    /// shown as queued again (they are sent when the server is back). Other commands
    /// left over are sent too, but not shown. `now` stands in for entries saved by a
    /// version that did not record when they were queued.
    fn restore_waiting(&mut self, items: Vec<OutboxItem>, now: DateTime<Utc>) {
        for item in items {
            let Command::CreateOrder {
                order_number,
                store_id,
                note,
                priority,
                ..
            } = item.command
            else {
                continue;
            };
            self.submissions
                .entry(item.key.clone())
                .or_insert(Submission {
                    key: item.key,
                    order_number,
                    store_id,
                    note,
                    priority,
                    submitted_at: item.queued_at.unwrap_or(now),
                    state: SubmissionState::Queued,
                });
        }
        self.claim_created_orders();
    }

    /// Ties orders we submitted to the orders the server created for them, when the
    /// ack itself was missed (the app was closed in between) or is still on its way.
    fn claim_created_orders(&mut self) {
        let Some(device_id) = self.site_info.device_id else {
            return;
        };
        let claimed: Vec<OrderId> = self
            .submissions
            .values()
            .filter_map(Submission::order_id)
            .collect();
        let mut confirmed = None;
        for submission in self.submissions.values_mut().filter(|s| s.is_unacked()) {
            let earliest = submission.submitted_at - chrono::Duration::minutes(5);
            let found = self.site.orders.values().find(|o| {
                o.created_by == device_id
                    && o.store_id == submission.store_id
                    && o.order_number == submission.order_number
                    && o.created_at >= earliest
                    && !claimed.contains(&o.order_id)
            });
            if let Some(order) = found {
                submission.state = SubmissionState::Acked {
                    order_id: Some(order.order_id),
                };
                // The event is the server's word too: confirm now, the ack adds nothing.
                confirmed = Some(Feedback::Confirmed {
                    order_number: submission.order_number.clone(),
                    store: store_label(&self.site, submission.store_id),
                });
            }
        }
        if confirmed.is_some() {
            self.feedback = confirmed;
        }
    }

    /// A problem outside any command: it takes the message line.
    pub fn notice(&mut self, text: String) {
        self.feedback = Some(Feedback::Notice(NoticeKind::of(&text), text));
    }

    /// Admin screens are shown to admins only (the server enforces it anyway).
    pub fn is_admin(&self) -> bool {
        self.role == Some(Role::Admin)
    }

    pub fn connection(&self) -> Connection {
        match &self.link {
            LinkStatus::Connecting => Connection::Connecting,
            LinkStatus::Connected { site, .. } => Connection::Connected { site: site.clone() },
            LinkStatus::Reconnecting {
                since,
                attempt,
                reason,
            } => Connection::Reconnecting {
                since: *since,
                attempt: *attempt,
                reason: reason.clone(),
            },
            LinkStatus::NeedsPairing { .. } => Connection::NeedsPairing,
            LinkStatus::Refused { reason } => Connection::Refused {
                reason: reason.clone(),
            },
        }
    }

    /// Commands handed to the link that the server has not answered yet.
    pub fn outbox_len(&self) -> usize {
        self.submissions.values().filter(|s| s.is_unacked()).count() + self.operations.len()
    }

    /// Records a command the link accepted under `key`.
    pub fn operation_sent(&mut self, key: String, operation: Operation) {
        self.operations.insert(key, operation);
    }

    /// The link refused to take a command (it is stopping or its queue is full).
    pub fn not_sent(&mut self, admin: bool, message: String) {
        let feedback = Some(Feedback::NotSent(message));
        if admin {
            self.admin_feedback = feedback;
        } else {
            self.feedback = feedback;
        }
    }

    /// Opens the cancel dialog for a pending order.
    pub fn open_cancel(&mut self, order_id: OrderId) {
        if let Some(order) = self.site.orders.get(&order_id)
            && order.status == OrderStatus::Pending
        {
            self.cancel = Some(CancelDialog {
                order_id,
                order_number: order.order_number.clone(),
                reason: String::new(),
                reason_missing: false,
            });
        }
    }

    /// Validates the cancel dialog; the command to send when the reason is there.
    pub fn confirm_cancel(&mut self) -> Option<(Command, Operation)> {
        let dialog = self.cancel.as_mut()?;
        let reason = dialog.reason.trim();
        if reason.is_empty() || reason.chars().count() > packbell_shared::protocol::MAX_REASON_CHARS
        {
            dialog.reason_missing = true;
            return None;
        }
        let command = Command::CancelOrder {
            order_id: dialog.order_id,
            reason: reason.to_owned(),
        };
        let operation = Operation::Cancel {
            order_id: dialog.order_id,
            order_number: dialog.order_number.clone(),
        };
        self.cancel = None;
        Some((command, operation))
    }

    /// The pairing code to send, if one was typed.
    pub fn pairing_code_to_send(&mut self) -> Option<String> {
        let code = self.pairing.code.trim().to_owned();
        if code.is_empty() {
            return None;
        }
        self.pairing.sent = true;
        Some(code)
    }

    pub fn store_name(&self, store_id: StoreId) -> String {
        store_label(&self.site, store_id)
    }

    /// Who a device is, for "packed by …".
    pub fn device_label(&self, device_id: DeviceId) -> String {
        self.site
            .device_name(device_id)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("#{device_id}"))
    }

    /// Connected devices by role, from the last device list.
    pub fn connected_by_role(&self) -> Option<[(Role, usize); 3]> {
        let (devices, _) = self.devices.as_ref()?;
        let count = |role: Role| {
            devices
                .iter()
                .filter(|d| d.connected && !d.revoked && d.role == role)
                .count()
        };
        Some([
            (Role::Office, count(Role::Office)),
            (Role::Warehouse, count(Role::Warehouse)),
            (Role::Admin, count(Role::Admin)),
        ])
    }
}

fn store_label(site: &SiteState, store_id: StoreId) -> String {
    site.store_name(store_id)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("#{store_id}"))
}

#[cfg(test)]
mod tests;
