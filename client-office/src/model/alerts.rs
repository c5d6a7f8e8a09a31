//! The Alerts screen: the stock alerts this window saw (open ones from the snapshot,
//! resolved ones since), filtered by severity, store and status; a summary by severity
//! and store over the last day or week; acknowledging with a comment.

use chrono::{DateTime, Duration, Utc};
use packbell_shared::protocol::{AlertId, Command, MAX_COMMENT_CHARS, Role, Severity, StoreId};
use packbell_shared::state::{AlertEntry, SiteState};

use super::{Model, Operation, StockOperation};

/// Where an alert stands, for the status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    /// Open, nobody acknowledged it yet (it escalates).
    Open,
    /// Open, someone saw it.
    Acknowledged,
    /// Its condition cleared.
    Resolved,
}

impl AlertStatus {
    pub const ALL: [AlertStatus; 3] = [
        AlertStatus::Open,
        AlertStatus::Acknowledged,
        AlertStatus::Resolved,
    ];

    pub fn of(entry: &AlertEntry) -> AlertStatus {
        if !entry.is_open() {
            AlertStatus::Resolved
        } else if entry.alert.acknowledged.is_some() {
            AlertStatus::Acknowledged
        } else {
            AlertStatus::Open
        }
    }
}

/// Which store an alert belongs to: one store, or the site as a whole.
pub type StoreChoice = Option<StoreId>;

/// The history's filters; `None` is "any".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlertFilter {
    pub severity: Option<Severity>,
    pub store: Option<StoreChoice>,
    pub status: Option<AlertStatus>,
}

impl AlertFilter {
    pub fn keeps(&self, entry: &AlertEntry) -> bool {
        self.severity.is_none_or(|s| s == entry.alert.severity)
            && self.store.is_none_or(|s| s == entry.alert.store_id)
            && self.status.is_none_or(|s| s == AlertStatus::of(entry))
    }
}

/// The summary's span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SummarySpan {
    #[default]
    Day,
    Week,
}

impl SummarySpan {
    pub fn length(self) -> Duration {
        match self {
            SummarySpan::Day => Duration::hours(24),
            SummarySpan::Week => Duration::days(7),
        }
    }
}

/// Alerts raised in the span for one store (or site-wide), by severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub store: StoreChoice,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
}

/// The acknowledge dialog: which alert, and the comment typed.
#[derive(Debug, Clone, PartialEq)]
pub struct AckDialog {
    pub alert_id: AlertId,
    pub sku: String,
    pub comment: String,
    pub too_long: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertsScreen {
    pub filter: AlertFilter,
    pub span: SummarySpan,
    pub ack: Option<AckDialog>,
}

/// The history, newest raised first.
pub fn alert_history<'a>(site: &'a SiteState, filter: &AlertFilter) -> Vec<&'a AlertEntry> {
    let mut shown: Vec<&AlertEntry> = site.alerts.values().filter(|e| filter.keeps(e)).collect();
    shown.sort_by_key(|e| std::cmp::Reverse((e.alert.raised_at, e.alert.alert_id)));
    shown
}

/// Alerts raised in the `span` before `now`, counted per store and severity; stores in
/// id order, site-wide first.
pub fn alert_summary(site: &SiteState, span: SummarySpan, now: DateTime<Utc>) -> Vec<SummaryRow> {
    let since = now - span.length();
    let mut rows: std::collections::BTreeMap<StoreChoice, SummaryRow> = Default::default();
    for entry in site.alerts.values() {
        if entry.alert.raised_at < since || entry.alert.raised_at > now {
            continue;
        }
        let row = rows.entry(entry.alert.store_id).or_insert(SummaryRow {
            store: entry.alert.store_id,
            critical: 0,
            high: 0,
            medium: 0,
        });
        match entry.alert.severity {
            Severity::Critical => row.critical += 1,
            Severity::High => row.high += 1,
            Severity::Medium => row.medium += 1,
        }
    }
    rows.into_values().collect()
}

/// Whether this role may acknowledge alerts: what the server allows.
pub fn may_acknowledge(role: Option<Role>) -> bool {
    role.is_some_and(|role| {
        Command::AckAlert {
            alert_id: 0,
            comment: String::new(),
        }
        .allowed_for(role)
    })
}

impl Model {
    /// Opens the acknowledge dialog for an open, unacknowledged alert.
    pub fn open_ack(&mut self, alert_id: AlertId) {
        if !may_acknowledge(self.role) {
            return;
        }
        if let Some(entry) = self.site.alerts.get(&alert_id)
            && AlertStatus::of(entry) == AlertStatus::Open
        {
            self.alerts.ack = Some(AckDialog {
                alert_id,
                sku: entry.alert.sku.clone(),
                comment: String::new(),
                too_long: false,
            });
        }
    }

    /// The `ack_alert` command of the dialog, when its comment fits.
    pub fn confirm_ack(&mut self) -> Option<(Command, Operation)> {
        let dialog = self.alerts.ack.as_mut()?;
        let comment = dialog.comment.trim();
        if comment.chars().count() > MAX_COMMENT_CHARS {
            dialog.too_long = true;
            return None;
        }
        let command = Command::AckAlert {
            alert_id: dialog.alert_id,
            comment: comment.to_owned(),
        };
        let operation = Operation::Stock(StockOperation::Acknowledge {
            alert_id: dialog.alert_id,
            sku: dialog.sku.clone(),
        });
        self.alerts.ack = None;
        Some((command, operation))
    }
}

#[cfg(test)]
#[path = "alerts_tests.rs"]
mod tests;
