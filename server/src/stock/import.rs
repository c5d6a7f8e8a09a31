//! The stock import format: a CSV file with a header row naming at least
//! `sku,name,store,quantity,unit,min,max`, optionally `pack_size,lead_days,lot,expiry`
//! (in any order), separated by `,` or `;` (whichever the header uses more), UTF-8
//! with or without a byte order mark. Each row is an item, or one lot of an item:
//! rows sharing a `sku` must agree on everything but `quantity`, `lot` and `expiry`,
//! and the item's quantity is the sum of its rows. `store` empty is site-wide.
//!
//! Parsing checks every row and reports each bad one by line number: a file with any
//! error changes nothing.

use std::collections::HashMap;

use chrono::NaiveDate;

use packbell_shared::protocol::StockLot;

use super::fields::{self, ItemFields};

/// Largest import file read; a bigger one is refused whole (its report says so).
pub const MAX_IMPORT_BYTES: u64 = 16 * 1024 * 1024;
/// Most rows one file may have; more is refused whole.
pub const MAX_IMPORT_ROWS: usize = 50_000;
/// Bad rows named in a report at most; the count says how many more there were.
pub const MAX_REPORTED_ERRORS: usize = 100;

pub const REQUIRED_COLUMNS: [&str; 7] = ["sku", "name", "store", "quantity", "unit", "min", "max"];
pub const OPTIONAL_COLUMNS: [&str; 4] = ["pack_size", "lead_days", "lot", "expiry"];

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One item as the file gives it, with the line of its first row.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedItem {
    pub line: u64,
    pub sku: String,
    pub name: String,
    /// A store name; `None` is site-wide.
    pub store: Option<String>,
    pub quantity: i64,
    pub unit: String,
    pub min: i64,
    pub max: i64,
    pub pack_size: u32,
    pub lead_days: u32,
    pub lots: Vec<StockLot>,
}

/// A bad row: its line in the file (the header is line 1) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is {0} bytes; at most {MAX_IMPORT_BYTES} are imported")]
    TooBig(u64),
    #[error("the header row is wrong: {0}")]
    Header(String),
    #[error("{} bad row(s)", .0.len())]
    Rows(Vec<LineError>),
}

impl ImportError {
    /// The report for a person: what was wrong, line by line, and that nothing changed.
    pub fn report(&self) -> String {
        let mut text = format!("Nothing was imported: {self}.\n");
        if let ImportError::Rows(errors) = self {
            for error in errors.iter().take(MAX_REPORTED_ERRORS) {
                text.push_str(&format!("line {}: {}\n", error.line, error.message));
            }
            if errors.len() > MAX_REPORTED_ERRORS {
                text.push_str(&format!(
                    "… and {} more bad rows\n",
                    errors.len() - MAX_REPORTED_ERRORS
                ));
            }
        }
        text
    }

    /// Errors found after parsing (an unknown store name), reported like row errors.
    pub fn at_lines(errors: Vec<LineError>) -> ImportError {
        ImportError::Rows(errors)
    }
}

/// `;` when the header has more of them than `,`.
fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let semicolons = header.matches(';').count();
    let commas = header.matches(',').count();
    if semicolons > commas { b';' } else { b',' }
}

/// Parses and checks a whole file.
pub fn parse(bytes: &[u8]) -> Result<Vec<ImportedItem>, ImportError> {
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(ImportError::TooBig(bytes.len() as u64));
    }
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            return Err(ImportError::Rows(vec![LineError {
                line,
                message: "not UTF-8 text (save the file as UTF-8)".into(),
            }]));
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(text))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| ImportError::Header(e.to_string()))?
        .clone();
    let columns = Columns::find(&header)?;
    let mut items: Vec<ImportedItem> = Vec::new();
    let mut by_sku: HashMap<String, usize> = HashMap::new();
    let mut errors = Vec::new();
    let mut rows = 0;
    for record in reader.records() {
        rows += 1;
        if rows > MAX_IMPORT_ROWS {
            return Err(ImportError::Header(format!(
                "the file has more than {MAX_IMPORT_ROWS} rows; split it"
            )));
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                errors.push(LineError {
                    line,
                    message: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        match columns
            .row(&record)
            .and_then(|row| merge(&mut items, &mut by_sku, row, line))
        {
            Ok(()) => {}
            Err(message) => errors.push(LineError { line, message }),
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Rows(errors));
    }
    Ok(items)
}

/// One row's values.
struct Row {
    item: ImportedItem,
    lot: Option<StockLot>,
}

/// Adds a row to the item of its sku (a new one for a new sku).
fn merge(
    items: &mut Vec<ImportedItem>,
    by_sku: &mut HashMap<String, usize>,
    row: Row,
    line: u64,
) -> Result<(), String> {
    let Row { mut item, lot } = row;
    item.line = line;
    let Some(&index) = by_sku.get(&item.sku) else {
        item.lots.extend(lot);
        by_sku.insert(item.sku.clone(), items.len());
        items.push(item);
        return Ok(());
    };
    let first = &mut items[index];
    let same = first.name == item.name
        && first.store == item.store
        && first.unit == item.unit
        && (first.min, first.max) == (item.min, item.max)
        && (first.pack_size, first.lead_days) == (item.pack_size, item.lead_days);
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
        .filter(|sum| *sum <= packbell_shared::protocol::MAX_STOCK_QUANTITY)
        .ok_or_else(|| format!("the rows of sku {:?} add up to too much", item.sku))?;
    first.lots.push(lot);
    Ok(())
}

/// Where each column is.
struct Columns {
    required: [usize; 7],
    optional: [Option<usize>; 4],
}

impl Columns {
    fn find(header: &csv::StringRecord) -> Result<Columns, ImportError> {
        let position = |name: &str| {
            header
                .iter()
                .position(|cell| cell.trim().eq_ignore_ascii_case(name))
        };
        let missing: Vec<&str> = REQUIRED_COLUMNS
            .iter()
            .copied()
            .filter(|name| position(name).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::Header(format!(
                "line 1 lacks the column(s) {}; it needs at least {}",
                missing.join(", "),
                REQUIRED_COLUMNS.join(",")
            )));
        }
        Ok(Columns {
            required: REQUIRED_COLUMNS.map(|name| position(name).unwrap_or_default()),
            optional: OPTIONAL_COLUMNS.map(position),
        })
    }

    fn row(&self, record: &csv::StringRecord) -> Result<Row, String> {
        let cell = |index: usize| record.get(index).unwrap_or_default();
        let [sku, name, store, quantity, unit, min, max] = self.required.map(cell);
        let [pack_size, lead_days, lot, expiry] = self.optional.map(|i| i.map_or("", cell));
        let quantity = whole("quantity", quantity)?;
        let pack_size = if pack_size.is_empty() {
            1
        } else {
            small("pack_size", pack_size)?
        };
        let lead_days = if lead_days.is_empty() {
            0
        } else {
            small("lead_days", lead_days)?
        };
        let lot = match (lot, expiry) {
            ("", "") => None,
            ("", _) => return Err("expiry is given without a lot".into()),
            (_, "") => return Err(format!("lot {lot:?} needs an expiry date (YYYY-MM-DD)")),
            (lot, expiry) => Some(StockLot {
                lot: lot.to_owned(),
                quantity,
                expiry: NaiveDate::parse_from_str(expiry, "%Y-%m-%d")
                    .map_err(|_| format!("expiry {expiry:?} is not a date as YYYY-MM-DD"))?,
            }),
        };
        let item = ImportedItem {
            line: 0,
            sku: sku.to_owned(),
            name: name.to_owned(),
            store: (!store.is_empty()).then(|| store.to_owned()),
            quantity,
            unit: unit.to_owned(),
            min: whole("min", min)?,
            max: whole("max", max)?,
            pack_size,
            lead_days,
            lots: Vec::new(),
        };
        fields::item(&ItemFields {
            sku: &item.sku,
            name: &item.name,
            unit: &item.unit,
            min: item.min,
            max: item.max,
            pack_size: item.pack_size,
            lead_days: item.lead_days,
            quantity: Some(item.quantity),
            lots: lot.as_ref().map(std::slice::from_ref),
        })
        .map_err(|refusal| refusal.message)?;
        Ok(Row { item, lot })
    }
}

fn whole(field: &str, text: &str) -> Result<i64, String> {
    text.parse()
        .map_err(|_| format!("{field} {text:?} is not a whole number"))
}

fn small(field: &str, text: &str) -> Result<u32, String> {
    text.parse()
        .map_err(|_| format!("{field} {text:?} is not a whole number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_a_bom_and_lots_are_read() {
        let file = "\u{feff}sku;name;store;quantity;unit;min;max;pack_size;lot;expiry\n\
                    A-1;Milk;Centro;4;l;5;40;6;L1;2026-03-01\n\
                    A-1;Milk;Centro;3;l;5;40;6;L2;2026-03-09\n\
                    B-2;Salt;;10;kg;2;20;;;\n";
        let items = parse(file.as_bytes()).expect("a good file");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].quantity, 7, "the lots add up");
        assert_eq!(items[0].lots.len(), 2);
        assert_eq!(items[0].pack_size, 6);
        assert_eq!(items[1].store, None, "empty store is site-wide");
        assert_eq!(items[1].pack_size, 1);
    }

    #[test]
    fn every_bad_row_is_named_by_its_line() {
        let file = "sku,name,store,quantity,unit,min,max\n\
                    A-1,Milk,,4,l,5,40\n\
                    B-2,Salt,,ten,kg,2,20\n\
                    C-3,Rice,,1,kg,9,2\n";
        match parse(file.as_bytes()) {
            Err(ImportError::Rows(errors)) => {
                let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
                assert_eq!(lines, vec![3, 4], "{errors:?}");
                assert!(errors[0].message.contains("quantity"), "{errors:?}");
                assert!(errors[1].message.contains("min"), "{errors:?}");
            }
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_column_is_a_header_error() {
        let file = "sku,name,quantity,unit,min,max\nA,B,1,l,1,2\n";
        match parse(file.as_bytes()) {
            Err(ImportError::Header(message)) => assert!(message.contains("store"), "{message}"),
            other => panic!("expected a header error, got {other:?}"),
        }
    }
}
