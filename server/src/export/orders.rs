//! The orders report: one row per order created in the range.

use std::io::Write;

use rusqlite::Connection;

use super::cell::Sheet;
use super::{ExportError, SERVER_DEVICE, Stamp};
use crate::db::export::{OrderRow, Span, StoreFilter, order_rows};

pub const HEADER: &[&str] = &[
    "order_id",
    "created",
    "order_number",
    "store",
    "priority",
    "created_by",
    "status",
    "closed",
    "closed_by",
    "recalls",
    "wait_seconds",
    "note",
    "cancel_reason",
    "utc_offset",
];

/// Streams the orders created in `span` into `sheet`. `closed` is when the order was
/// packed or cancelled (empty while pending); `wait_seconds` runs from creation to
/// the last packing (packed orders only). Times are local; `utc_offset` is the
/// offset at creation.
pub fn write<W: Write>(
    conn: &Connection,
    span: Span,
    stores: StoreFilter<'_>,
    sheet: &mut Sheet<W>,
) -> Result<(), ExportError> {
    order_rows(conn, span, stores, |row: &OrderRow<'_>| {
        sheet.integer(row.order_id)?;
        let created = Stamp::read(row.created_at)?;
        sheet.local_time(&created.local)?;
        sheet.text(row.order_number)?;
        sheet.text(row.store)?;
        sheet.text(row.priority)?;
        sheet.text(row.created_by.unwrap_or(SERVER_DEVICE))?;
        sheet.text(row.status)?;
        let closed = row.closed_at.map(Stamp::read).transpose()?;
        match &closed {
            Some(closed) => {
                sheet.local_time(&closed.local)?;
                sheet.text(row.closed_by.unwrap_or(SERVER_DEVICE))?;
            }
            None => {
                sheet.text("")?;
                sheet.text("")?;
            }
        }
        sheet.integer(row.recalls)?;
        let wait = match (row.status, &closed) {
            ("packed", Some(closed)) => Some(closed.millis_since(&created)),
            _ => None,
        };
        sheet.seconds(wait)?;
        sheet.text(row.note)?;
        sheet.text(row.cancel_reason)?;
        sheet.utc_offset(&created.local)?;
        sheet.end_row()?;
        Ok(())
    })
}
