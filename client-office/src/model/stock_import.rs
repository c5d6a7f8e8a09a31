//! Importing a stock file from the office: the file format of docs/stock.md, read
//! here because the link has no import command. Every row is checked first; a file
//! with any bad row sends nothing, and each bad row is named by its line (the header
//! is line 1). A good file becomes one `upsert_item` per item, with its quantity and
//! lots, exactly as `packbell-server import stock` would set them.

use std::collections::HashMap;

use chrono::NaiveDate;
use packbell_shared::protocol::{
    Command, MAX_ITEM_NAME_CHARS, MAX_LEAD_DAYS, MAX_LOT_CHARS, MAX_LOTS_PER_ITEM, MAX_PACK_SIZE,
    MAX_SKU_CHARS, MAX_STOCK_QUANTITY, MAX_UNIT_CHARS, StockLot, StoreId,
};
use packbell_shared::state::SiteState;

/// Largest file read, as the server's import: a bigger one is refused whole.
pub const MAX_IMPORT_BYTES: u64 = 16 * 1024 * 1024;
/// Most rows one file may have, as the server's import; more is refused whole.
pub const MAX_IMPORT_ROWS: usize = 50_000;

const REQUIRED: [&str; 7] = ["sku", "name", "store", "quantity", "unit", "min", "max"];
const OPTIONAL: [&str; 4] = ["pack_size", "lead_days", "lot", "expiry"];
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a file was refused: its line (1 is the header, 0 the file as a whole) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub line: u64,
    pub message: String,
}

fn problem(line: u64, message: impl Into<String>) -> ImportProblem {
    ImportProblem {
        line,
        message: message.into(),
    }
}

/// One item as the file gives it, with the line of its first row.
#[derive(Debug, Clone, PartialEq)]
struct FileItem {
    line: u64,
    sku: String,
    name: String,
    store: Option<StoreId>,
    quantity: i64,
    unit: String,
    min: i64,
    max: i64,
    pack_size: u32,
    lead_days: u32,
    lots: Vec<StockLot>,
}

impl FileItem {
    fn command(self) -> Command {
        Command::UpsertItem {
            sku: self.sku,
            name: self.name,
            store_id: self.store,
            unit: self.unit,
            min: self.min,
            max: self.max,
            pack_size: self.pack_size,
            lead_days: self.lead_days,
            quantity: Some(self.quantity),
            // An import sets the lots too: none listed is none kept.
            lots: Some(self.lots),
        }
    }
}

/// `;` when the header has more of them than `,`.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// The `upsert_item` commands of a whole file, or every problem found in it.
/// Store names are matched against the site's active stores, ignoring letter case.
pub fn import_commands(bytes: &[u8], site: &SiteState) -> Result<Vec<Command>, Vec<ImportProblem>> {
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(vec![problem(
            0,
            format!(
                "the file is {} bytes; at most {MAX_IMPORT_BYTES} are imported",
                bytes.len()
            ),
        )]);
    }
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        vec![problem(line, "not UTF-8 text (save the file as UTF-8)")]
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| vec![problem(1, e.to_string())])?
        .clone();
    let position = |name: &str| header.iter().position(|c| c.eq_ignore_ascii_case(name));
    let missing: Vec<&str> = REQUIRED
        .into_iter()
        .filter(|n| position(n).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(vec![problem(
            1,
            format!("the header lacks the column(s) {}", missing.join(", ")),
        )]);
    }
    let required = REQUIRED.map(|n| position(n).unwrap_or_default());
    let optional = OPTIONAL.map(position);
    let stores: HashMap<String, StoreId> = site
        .stores
        .values()
        .filter(|s| s.active)
        .map(|s| (s.name.to_lowercase(), s.store_id))
        .collect();
    let mut items: Vec<FileItem> = Vec::new();
    let mut by_sku: HashMap<String, usize> = HashMap::new();
    let mut problems = Vec::new();
    for (index, record) in reader.records().enumerate() {
        if index >= MAX_IMPORT_ROWS {
            return Err(vec![problem(
                0,
                format!("the file has more than {MAX_IMPORT_ROWS} rows; split it"),
            )]);
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                problems.push(problem(line, format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |i: usize| record.get(i).unwrap_or_default();
        let result = read_row(
            required.map(cell),
            optional.map(|i| i.map_or("", cell)),
            &stores,
        )
        .and_then(|(item, lot)| merge(&mut items, &mut by_sku, item, lot, line));
        if let Err(message) = result {
            problems.push(problem(line, message));
        }
    }
    for item in &items {
        if item.lots.len() > MAX_LOTS_PER_ITEM {
            problems.push(problem(
                item.line,
                format!("sku {:?} has more than {MAX_LOTS_PER_ITEM} lots", item.sku),
            ));
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(problems);
    }
    Ok(items.into_iter().map(FileItem::command).collect())
}

fn whole(field: &str, text: &str) -> Result<i64, String> {
    let value: i64 = text
        .parse()
        .map_err(|_| format!("{field} {text:?} is not a whole number"))?;
    if !(0..=MAX_STOCK_QUANTITY).contains(&value) {
        return Err(format!(
            "{field} ({value}) must be 0 to {MAX_STOCK_QUANTITY}"
        ));
    }
    Ok(value)
}

fn ranged(field: &str, text: &str, default: u32, min: u32, max: u32) -> Result<u32, String> {
    if text.is_empty() {
        return Ok(default);
    }
    let value: u32 = text
        .parse()
        .map_err(|_| format!("{field} {text:?} is not a whole number"))?;
    if !(min..=max).contains(&value) {
        return Err(format!("{field} ({value}) must be {min} to {max}"));
    }
    Ok(value)
}

fn text(field: &str, value: &str, max_chars: usize) -> Result<String, String> {
    let chars = value.chars().count();
    if chars == 0 {
        return Err(format!("{field} is empty"));
    }
    if chars > max_chars {
        return Err(format!("{field} is longer than {max_chars} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{field} has control characters"));
    }
    Ok(value.to_owned())
}

fn read_row(
    [sku, name, store, quantity, unit, min, max]: [&str; 7],
    [pack_size, lead_days, lot, expiry]: [&str; 4],
    stores: &HashMap<String, StoreId>,
) -> Result<(FileItem, Option<StockLot>), String> {
    let quantity = whole("quantity", quantity)?;
    let (min, max) = (whole("min", min)?, whole("max", max)?);
    if min > max {
        return Err(format!("min ({min}) must not be above max ({max})"));
    }
    let store = match store {
        "" => None,
        name => Some(
            *stores
                .get(&name.to_lowercase())
                .ok_or_else(|| format!("store {name:?} is not an active store"))?,
        ),
    };
    let lot = match (lot, expiry) {
        ("", "") => None,
        ("", _) => return Err("expiry is given without a lot".into()),
        (_, "") => return Err(format!("lot {lot:?} needs an expiry date (YYYY-MM-DD)")),
        (lot, expiry) => Some(StockLot {
            lot: text("lot", lot, MAX_LOT_CHARS)?,
            quantity,
            expiry: NaiveDate::parse_from_str(expiry, "%Y-%m-%d")
                .map_err(|_| format!("expiry {expiry:?} is not a date as YYYY-MM-DD"))?,
        }),
    };
    let item = FileItem {
        line: 0,
        sku: text("sku", sku, MAX_SKU_CHARS)?,
        name: text("name", name, MAX_ITEM_NAME_CHARS)?,
        store,
        quantity,
        unit: text("unit", unit, MAX_UNIT_CHARS)?,
        min,
        max,
        pack_size: ranged("pack_size", pack_size, 1, 1, MAX_PACK_SIZE)?,
        lead_days: ranged("lead_days", lead_days, 0, 0, MAX_LEAD_DAYS)?,
        lots: Vec::new(),
    };
    Ok((item, lot))
}

/// Adds a row to the item of its sku: rows sharing a sku are its lots and must agree
/// on everything else.
fn merge(
    items: &mut Vec<FileItem>,
    by_sku: &mut HashMap<String, usize>,
    mut item: FileItem,
    lot: Option<StockLot>,
    line: u64,
) -> Result<(), String> {
    item.line = line;
    let Some(&index) = by_sku.get(&item.sku) else {
        item.lots.extend(lot);
        by_sku.insert(item.sku.clone(), items.len());
        items.push(item);
        return Ok(());
    };
    let first = &mut items[index];
    let same = (&first.name, first.store, &first.unit) == (&item.name, item.store, &item.unit)
        && (first.min, first.max, first.pack_size, first.lead_days)
            == (item.min, item.max, item.pack_size, item.lead_days);
    if !same {
        return Err(format!(
            "sku {:?} is on line {} too, with another name, store, unit or threshold",
            item.sku, first.line
        ));
    }
    let Some(lot) = lot else {
        return Err(format!(
            "sku {:?} is on line {} already; a repeated sku needs a lot",
            item.sku, first.line
        ));
    };
    if first.lots.iter().any(|other| other.lot == lot.lot) {
        return Err(format!(
            "lot {:?} of sku {:?} is listed twice",
            lot.lot, item.sku
        ));
    }
    first.quantity = first
        .quantity
        .checked_add(item.quantity)
        .filter(|sum| *sum <= MAX_STOCK_QUANTITY)
        .ok_or_else(|| format!("the rows of sku {:?} add up to too much", item.sku))?;
    first.lots.push(lot);
    Ok(())
}

#[cfg(test)]
#[path = "stock_import_tests.rs"]
mod tests;
