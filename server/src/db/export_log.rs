//! Who exported what: every CSV report leaves a row here, and the audit report shows
//! these rows as `report_exported` among the events.
//!
//! They are not events of the log: an export changes nothing on the site, and the
//! command line exports from another process, which must never write the event
//! stream the server's writer numbers and fans out.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::{DbError, time_to_text};

/// One finished export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRecord {
    pub at: DateTime<Utc>,
    /// Who asked: a device's name, "command line (user)", "daily report".
    pub by: String,
    /// What was written, as the audit report's details column shows it.
    pub details: String,
}

/// Stores `record`, placed after the last event committed so far.
pub fn record(conn: &Connection, record: &ExportRecord) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO exports (at_utc, after_seq, by_whom, details)
         VALUES (?1, (SELECT COALESCE(max(seq), 0) FROM events), ?2, ?3)",
        params![time_to_text(record.at), record.by, record.details],
    )?;
    Ok(())
}
