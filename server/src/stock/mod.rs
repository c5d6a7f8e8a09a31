//! Stock alerts: the rules that decide which alerts are open ([`alerts`]), when an
//! unacknowledged one escalates ([`escalation`]), restock suggestions ([`restock`]),
//! the CSV import format ([`import`]) and the watched import folder ([`watch`]).
//!
//! Everything here is pure or file-system only: the SQL lives in `crate::db::stock`,
//! and the writer thread applies the outcome in the same transaction as the change
//! that caused it. [`schedule`] runs the time-driven checks (expiry, escalation).

pub mod alerts;
pub mod clock;
pub mod escalation;
pub mod fields;
pub mod import;
pub mod restock;
pub mod restock_list;
pub mod schedule;
pub mod watch;

use std::path::PathBuf;
use std::time::Duration;

pub use clock::{Clock, ManualClock};

/// How often the scheduled check runs unless configured: expiry is about days, so
/// a minute is plenty, and escalation is late by at most this much.
pub const DEFAULT_CHECK_INTERVAL: Duration = Duration::from_secs(60);

/// What the writer needs to keep alerts in step with stock.
#[derive(Debug, Clone)]
pub struct StockRules {
    pub alerts: alerts::AlertRules,
    pub escalation: escalation::Escalation,
    /// The time alerts are judged at (a manual one in tests).
    pub clock: Clock,
}

impl Default for StockRules {
    fn default() -> Self {
        StockRules {
            alerts: alerts::AlertRules::default(),
            escalation: escalation::Escalation::default(),
            clock: Clock::system(),
        }
    }
}

/// Stock settings of a server.
#[derive(Debug, Clone)]
pub struct StockConfig {
    pub rules: StockRules,
    /// How often expiry and escalation are checked (also once at start).
    pub check_interval: Duration,
    /// The watched import folder; `None` turns it off.
    pub import_folder: Option<PathBuf>,
    /// How often the import folder is looked at.
    pub import_poll: Duration,
    pub restock: restock::RestockSettings,
}

impl StockConfig {
    /// The defaults, with the import folder `folder` (or none).
    pub fn with_import_folder(import_folder: Option<PathBuf>) -> Self {
        StockConfig {
            rules: StockRules::default(),
            check_interval: DEFAULT_CHECK_INTERVAL,
            import_folder,
            import_poll: watch::DEFAULT_POLL,
            restock: restock::RestockSettings::default(),
        }
    }
}
