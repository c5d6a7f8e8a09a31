//! CSV reports for people (accountants, admins): the audit trail, the orders, and the
//! speed of service. Rows stream from a read-only connection straight into the file,
//! so memory stays flat however long the range; the SQL lives in
//! [`crate::db::export`].

pub mod audit;
pub mod cell;
pub mod daily;
pub mod orders;
pub mod output;
pub mod range;
pub mod summary;

use std::io::Write;

use chrono::{Local, NaiveDate};
use rusqlite::Connection;

use packbell_shared::protocol::StoreId;

pub use cell::Delimiter;

use crate::db::{self, DbError};

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Audit,
    Orders,
    Summary,
    /// The summary by local hour of day.
    Hourly,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Audit => "audit",
            Kind::Orders => "orders",
            Kind::Summary => "summary",
            Kind::Hourly => "hourly",
        }
    }
}

/// What to export, as the operator asked for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub kind: Kind,
    /// First local day included.
    pub from: NaiveDate,
    /// Last local day included.
    pub to: NaiveDate,
    /// Store names; empty means every store.
    pub stores: Vec<String>,
    pub delimiter: Delimiter,
}

impl Request {
    /// The export log's line for this request once written: kind, range, stores, rows
    /// and where it went.
    pub fn describe(&self, rows: u64, destination: &str) -> String {
        let stores = if self.stores.is_empty() {
            "all stores".to_owned()
        } else {
            format!("stores {}", self.stores.join(", "))
        };
        format!(
            "{} report, {} to {}, {stores}, {rows} rows, to {destination}",
            self.kind.as_str(),
            self.from,
            self.to
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the range is inverted: --from {from} is after --to {to}")]
    InvertedRange { from: NaiveDate, to: NaiveDate },
    #[error("the date {0} is outside the range this server can report on")]
    DateOutOfRange(NaiveDate),
    #[error("there is no store named {0:?}")]
    UnknownStore(String),
    #[error("cannot write {path}: {source}")]
    Output {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("writing the CSV failed: {0}")]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A request checked against the database: its time span and store ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub span: db::export::Span,
    /// `None`: every store.
    pub stores: Option<Vec<StoreId>>,
}

/// Checks the range and the store names before anything is written.
pub fn check(conn: &Connection, request: &Request) -> Result<Checked, ExportError> {
    let span = range::local_days(request.from, request.to)?;
    if request.stores.is_empty() {
        return Ok(Checked { span, stores: None });
    }
    let mut ids = Vec::new();
    for name in &request.stores {
        let found = db::export::store_ids_named(conn, name)?;
        if found.is_empty() {
            return Err(ExportError::UnknownStore(name.clone()));
        }
        ids.extend(found);
    }
    Ok(Checked {
        span,
        stores: Some(ids),
    })
}

/// Writes the report to `out` (byte order mark, header, rows) from one consistent
/// read of the database. Returns the number of data rows.
pub fn write<W: Write>(
    conn: &Connection,
    request: &Request,
    checked: &Checked,
    out: W,
) -> Result<(W, u64), ExportError> {
    // One read transaction: every query of the report sees the same commit.
    let read = conn.unchecked_transaction().map_err(DbError::from)?;
    let stores = checked.stores.as_deref();
    let header = match request.kind {
        Kind::Audit => audit::HEADER,
        Kind::Orders => orders::HEADER,
        Kind::Summary => summary::HEADER,
        Kind::Hourly => summary::HOURLY_HEADER,
    };
    let mut sheet = cell::Sheet::start(out, request.delimiter, header)?;
    match request.kind {
        Kind::Audit => audit::write(&read, checked.span, stores, &mut sheet)?,
        Kind::Orders => orders::write(&read, checked.span, stores, &mut sheet)?,
        Kind::Summary => summary::write(&read, checked.span, stores, &mut sheet)?,
        Kind::Hourly => summary::write_hourly(&read, checked.span, stores, &mut sheet)?,
    }
    read.finish().map_err(DbError::from)?;
    let rows = sheet.rows();
    Ok((sheet.finish()?, rows))
}

/// The device column of what no device asked for (stores seeded at start-up, data
/// written by the command line).
const SERVER_DEVICE: &str = "server";

/// A stored UTC time as local wall-clock time, ISO 8601 without an offset
/// (`2026-03-31T09:15:02`): spreadsheets read that as a date, not with an offset.
/// [`utc_offset`] gives the offset in a column of its own.
fn local_time(stored: &str) -> Result<String, ExportError> {
    let at = db::time_from_text(stored)?;
    Ok(at
        .with_timezone(&Local)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string())
}

/// The local offset from UTC at a stored time, as `UTC+02:00` (a bare `+02:00` would
/// start like a formula and be made inert).
fn utc_offset(stored: &str) -> Result<String, ExportError> {
    let at = db::time_from_text(stored)?;
    Ok(at.with_timezone(&Local).format("UTC%:z").to_string())
}

/// Milliseconds from `earlier` to `later` (both stored times).
fn millis_between(earlier: &str, later: &str) -> Result<f64, ExportError> {
    let earlier = db::time_from_text(earlier)?;
    let later = db::time_from_text(later)?;
    Ok((later - earlier).num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0)
}
