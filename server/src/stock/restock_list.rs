//! The restock list: every item's suggestion as CSV (`packbell-server restock`), for
//! whoever places the orders. Items with no use in the window say so instead of a
//! number.

use std::io::Write;

use chrono::NaiveDate;
use rusqlite::Connection;

use super::restock::{self, Restock, RestockInput, RestockSettings};
use crate::db;
use crate::export::cell::Sheet;
use crate::export::{Delimiter, ExportError};

pub const HEADER: &[&str] = &[
    "sku",
    "name",
    "store",
    "quantity",
    "unit",
    "min",
    "max",
    "pack_size",
    "lead_days",
    "daily_use",
    "deviation",
    "reorder_point",
    "suggested",
];

/// Shown instead of figures for an item with no use in the window.
pub const NO_HISTORY: &str = "no history";

/// Writes the list as of local day `today`; returns the writer and the row count.
pub fn write<W: Write>(
    conn: &Connection,
    settings: &RestockSettings,
    today: NaiveDate,
    delimiter: Delimiter,
    out: W,
) -> Result<(W, u64), ExportError> {
    let stores = db::stock::store_names(conn)?;
    let mut sheet = Sheet::start(out, delimiter, HEADER)?;
    let decimal =
        |value: f64| format!("{value:.2}").replace('.', &delimiter.decimal_mark().to_string());
    for item in db::stock::items(conn)? {
        let daily_use = db::stock::daily_use(conn, &item.sku, today, settings.window_days)?;
        let input = RestockInput {
            quantity: item.quantity,
            min: item.min,
            max: item.max,
            pack_size: item.pack_size,
            lead_days: item.lead_days,
            daily_use: &daily_use,
        };
        sheet.text(&item.sku)?;
        sheet.text(&item.name)?;
        let store = item
            .store_id
            .and_then(|id| stores.iter().find(|(sid, _)| *sid == id))
            .map(|(_, name)| name.as_str());
        sheet.maybe_text(store)?;
        sheet.integer(item.quantity)?;
        sheet.text(&item.unit)?;
        sheet.integer(item.min)?;
        sheet.integer(item.max)?;
        sheet.integer(i64::from(item.pack_size))?;
        sheet.integer(i64::from(item.lead_days))?;
        match restock::suggest(&input, settings.z) {
            Restock::NoHistory => {
                for _ in 0..3 {
                    sheet.maybe_text(None)?;
                }
                sheet.text(NO_HISTORY)?;
            }
            Restock::Suggested(suggestion) => {
                sheet.text(&decimal(suggestion.mean))?;
                sheet.text(&decimal(suggestion.deviation))?;
                sheet.text(&decimal(suggestion.reorder_point))?;
                sheet.integer(suggestion.quantity)?;
            }
        }
        sheet.end_row()?;
    }
    let rows = sheet.rows();
    Ok((sheet.finish()?, rows))
}
