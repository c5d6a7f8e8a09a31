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

use chrono::{DateTime, Local, NaiveDate, NaiveTime, Utc};
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

/// A stored UTC time read once for every cell made of it (local time, offset, waits):
/// parsing and converting each stored time once is most of a row's cost.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stamp {
    utc: DateTime<Utc>,
    local: DateTime<Local>,
}

impl Stamp {
    fn read(stored: &str) -> Result<Self, ExportError> {
        let utc = stored_time(stored)?;
        Ok(Stamp {
            utc,
            local: utc.with_timezone(&Local),
        })
    }

    /// Milliseconds from `earlier` to this time.
    fn millis_since(&self, earlier: &Stamp) -> f64 {
        (self.utc - earlier.utc)
            .num_microseconds()
            .unwrap_or(i64::MAX) as f64
            / 1000.0
    }
}

/// Length of the form the database writes ([`db::time_to_text`]):
/// `2026-03-31T09:15:02.123456Z`.
const STORED_TIME_LEN: usize = 27;

/// A stored time: the database's own fixed form is read directly, anything else
/// (other offsets or precision, from older data) by the general RFC 3339 parser.
fn stored_time(text: &str) -> Result<DateTime<Utc>, ExportError> {
    match fixed_form_time(text.as_bytes()) {
        Some(at) => Ok(at),
        None => Ok(db::time_from_text(text)?),
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, or `None` when `bytes` is not exactly that form
/// with a valid date and time.
fn fixed_form_time(bytes: &[u8]) -> Option<DateTime<Utc>> {
    if bytes.len() != STORED_TIME_LEN
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || bytes[10] != b'T'
        || bytes[13] != b':'
        || bytes[16] != b':'
        || bytes[19] != b'.'
        || bytes[26] != b'Z'
    {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u32> {
        bytes[from..to].iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(number(0, 4)?).ok()?,
        number(5, 7)?,
        number(8, 10)?,
    )?;
    let time = NaiveTime::from_hms_micro_opt(
        number(11, 13)?,
        number(14, 16)?,
        number(17, 19)?,
        number(20, 26)?,
    )?;
    Some(date.and_time(time).and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_form_reads_as_the_general_parser_reads_it() {
        let now = Utc::now();
        let samples = [
            db::time_to_text(now),
            db::time_to_text(now + chrono::Duration::days(200)),
            "2026-03-29T01:00:00.000000Z".to_owned(),
            "2026-12-31T23:59:59.999999Z".to_owned(),
            "2024-02-29T12:00:00.000001Z".to_owned(),
        ];
        for sample in &samples {
            assert_eq!(
                fixed_form_time(sample.as_bytes()),
                Some(db::time_from_text(sample).expect("valid")),
                "{sample}"
            );
        }
    }

    #[test]
    fn other_forms_fall_back_to_the_general_parser_or_fail_as_before() {
        for other in [
            "2026-03-31T09:15:02Z",
            "2026-03-31T09:15:02.123+02:00",
            "2026-03-31T09:15:02.123456+00:00",
            "2026-03-31 09:15:02.123456Z",
        ] {
            assert_eq!(fixed_form_time(other.as_bytes()), None, "{other}");
            assert_eq!(
                stored_time(other).ok(),
                db::time_from_text(other).ok(),
                "{other}"
            );
        }
        for bad in [
            "2026-02-30T09:15:02.123456Z",
            "2026-13-01T09:15:02.123456Z",
            "2026-03-31T24:15:02.123456Z",
            "2026-0x-31T09:15:02.123456Z",
            "",
        ] {
            assert_eq!(fixed_form_time(bad.as_bytes()), None, "{bad}");
            assert!(stored_time(bad).is_err(), "{bad}");
        }
    }
}
