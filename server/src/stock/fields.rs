//! Field checks of stock commands and import rows: the same limits either way.

use packbell_shared::protocol::{
    ErrorCode, MAX_COMMENT_CHARS, MAX_ITEM_NAME_CHARS, MAX_LEAD_DAYS, MAX_LOT_CHARS,
    MAX_LOTS_PER_ITEM, MAX_ORDER_LINES, MAX_PACK_SIZE, MAX_REASON_CHARS, MAX_SKU_CHARS,
    MAX_STOCK_QUANTITY, MAX_UNIT_CHARS, OrderLine, StockLot,
};

use crate::validate::{Refusal, text_field};

fn invalid(message: String) -> Refusal {
    Refusal::new(ErrorCode::InvalidField, message)
}

pub fn sku(value: &str) -> Result<(), Refusal> {
    text_field("sku", value, 1, MAX_SKU_CHARS)
}

pub fn lot(value: &str) -> Result<(), Refusal> {
    text_field("lot", value, 1, MAX_LOT_CHARS)
}

pub fn reason(value: &str) -> Result<(), Refusal> {
    text_field("reason", value, 1, MAX_REASON_CHARS)
}

pub fn comment(value: &str) -> Result<(), Refusal> {
    text_field("comment", value, 0, MAX_COMMENT_CHARS)
}

/// A quantity or threshold: `0..=MAX_STOCK_QUANTITY`.
pub fn amount(field: &str, value: i64) -> Result<(), Refusal> {
    if !(0..=MAX_STOCK_QUANTITY).contains(&value) {
        return Err(invalid(format!(
            "{field} must be a whole number from 0 to {MAX_STOCK_QUANTITY}, not {value}"
        )));
    }
    Ok(())
}

/// A change of stock: not zero, at most `MAX_STOCK_QUANTITY` either way.
pub fn delta(value: i64) -> Result<(), Refusal> {
    if value == 0 || value.unsigned_abs() > MAX_STOCK_QUANTITY.unsigned_abs() {
        return Err(invalid(format!(
            "delta must be a whole number from -{MAX_STOCK_QUANTITY} to {MAX_STOCK_QUANTITY}, \
             not 0"
        )));
    }
    Ok(())
}

/// What an item is, as the editor or an import row gives it.
pub struct ItemFields<'a> {
    pub sku: &'a str,
    pub name: &'a str,
    pub unit: &'a str,
    pub min: i64,
    pub max: i64,
    pub pack_size: u32,
    pub lead_days: u32,
    pub quantity: Option<i64>,
    pub lots: Option<&'a [StockLot]>,
}

pub fn item(fields: &ItemFields<'_>) -> Result<(), Refusal> {
    sku(fields.sku)?;
    text_field("name", fields.name, 1, MAX_ITEM_NAME_CHARS)?;
    text_field("unit", fields.unit, 1, MAX_UNIT_CHARS)?;
    amount("min", fields.min)?;
    amount("max", fields.max)?;
    if fields.min > fields.max {
        return Err(invalid(format!(
            "min ({}) must not be above max ({})",
            fields.min, fields.max
        )));
    }
    if !(1..=MAX_PACK_SIZE).contains(&fields.pack_size) {
        return Err(invalid(format!(
            "pack_size must be from 1 to {MAX_PACK_SIZE}, not {}",
            fields.pack_size
        )));
    }
    if fields.lead_days > MAX_LEAD_DAYS {
        return Err(invalid(format!(
            "lead_days must be at most {MAX_LEAD_DAYS}, not {}",
            fields.lead_days
        )));
    }
    if let Some(quantity) = fields.quantity {
        amount("quantity", quantity)?;
    }
    if let Some(lots) = fields.lots {
        if lots.len() > MAX_LOTS_PER_ITEM {
            return Err(invalid(format!(
                "an item may have at most {MAX_LOTS_PER_ITEM} lots, not {}",
                lots.len()
            )));
        }
        for (index, entry) in lots.iter().enumerate() {
            lot(&entry.lot)?;
            amount("lot quantity", entry.quantity)?;
            if lots[..index].iter().any(|other| other.lot == entry.lot) {
                return Err(invalid(format!("lot {:?} is listed twice", entry.lot)));
            }
        }
    }
    Ok(())
}

pub fn order_lines(lines: &[OrderLine]) -> Result<(), Refusal> {
    if lines.len() > MAX_ORDER_LINES {
        return Err(invalid(format!(
            "an order may have at most {MAX_ORDER_LINES} lines, not {}",
            lines.len()
        )));
    }
    for line in lines {
        sku(&line.sku)?;
        if line.quantity <= 0 {
            return Err(invalid(format!(
                "line quantity must be at least 1, not {}",
                line.quantity
            )));
        }
        amount("line quantity", line.quantity)?;
    }
    Ok(())
}
