//! The audit report: one row per event, oldest first.

use std::io::Write;

use rusqlite::Connection;

use super::cell::Sheet;
use super::{ExportError, SERVER_DEVICE, Stamp};
use crate::db::export::{AuditRow, Span, StoreFilter, audit_rows};

pub const HEADER: &[&str] = &[
    "seq",
    "time",
    "event",
    "order_number",
    "store",
    "priority",
    "device",
    "role",
    "details",
    "wait_seconds",
    "utc_offset",
];

/// Streams the events of `span` into `sheet`.
pub fn write<W: Write>(
    conn: &Connection,
    span: Span,
    stores: StoreFilter<'_>,
    sheet: &mut Sheet<W>,
) -> Result<(), ExportError> {
    audit_rows(conn, span, stores, |row: &AuditRow<'_>| {
        match row.seq {
            Some(seq) => sheet.integer(seq)?,
            None => sheet.maybe_text(None)?,
        }
        let at = Stamp::read(row.at_utc)?;
        sheet.local_time(&at.local)?;
        sheet.text(row.kind)?;
        sheet.maybe_text(row.order_number)?;
        sheet.maybe_text(row.store)?;
        sheet.maybe_text(row.priority)?;
        sheet.text(row.device.unwrap_or(SERVER_DEVICE))?;
        sheet.maybe_text(row.role)?;
        sheet.text(row.details)?;
        let wait = match row.order_created_at {
            Some(created) => Some(at.millis_since(&Stamp::read(created)?)),
            None => None,
        };
        sheet.seconds(wait)?;
        sheet.utc_offset(&at.local)?;
        sheet.end_row()?;
        Ok(())
    })
}
