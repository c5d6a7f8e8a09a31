//! The Stock screen: items with their lots and quantities; for admins an item editor
//! (`upsert_item`) and adjustments with a reason (`adjust_stock`). The forms refuse
//! what the server would refuse (docs/protocol.md, Stock commands).

use packbell_shared::protocol::{
    AlertId, Command, MAX_ITEM_NAME_CHARS, MAX_LEAD_DAYS, MAX_PACK_SIZE, MAX_REASON_CHARS,
    MAX_SKU_CHARS, MAX_STOCK_QUANTITY, MAX_UNIT_CHARS, Role, StockItem, StoreId,
};

use super::{ImportProblem, Model, Operation, import_commands};

/// A stock command waiting for the server, for the message line.
#[derive(Debug, Clone, PartialEq)]
pub enum StockOperation {
    SaveItem { sku: String },
    Adjust { sku: String, delta: i64 },
    Acknowledge { alert_id: AlertId, sku: String },
}

/// A field of the stock forms, to say which one is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockField {
    Sku,
    Name,
    Unit,
    Min,
    Max,
    PackSize,
    LeadDays,
    Quantity,
    Delta,
    Reason,
}

/// Why a stock form was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockProblem {
    /// Empty, too long, not a whole number or out of range.
    Invalid(StockField),
    /// The minimum is above the maximum.
    MinAboveMax,
}

/// The item editor: a new item, or an existing one's fields as typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemEditor {
    /// Editing an existing item: its sku cannot change and its stock is kept.
    pub existing: bool,
    pub sku: String,
    pub name: String,
    pub store: Option<StoreId>,
    pub unit: String,
    pub min: String,
    pub max: String,
    pub pack_size: String,
    pub lead_days: String,
    /// A new item's starting quantity (empty is 0).
    pub quantity: String,
    pub problem: Option<StockProblem>,
}

/// An adjustment being typed: how much more (or less, negative) and why.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdjustForm {
    pub sku: String,
    /// The lot to adjust with the item; `None` is the item alone.
    pub lot: Option<String>,
    pub delta: String,
    pub reason: String,
    pub problem: Option<StockProblem>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StockScreen {
    pub editor: Option<ItemEditor>,
    pub adjust: Option<AdjustForm>,
    /// The file to import as typed: a full path, or a name in the exports folder.
    pub import_path: String,
    pub import: Option<ImportOutcome>,
}

/// What the last import did.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportOutcome {
    /// The file could not be read; the system's words.
    Unreadable(String),
    /// Bad rows: nothing was sent.
    Refused(Vec<ImportProblem>),
    /// This many items were sent, one `upsert_item` each.
    Sent(usize),
}

/// Whether this role may create, edit and adjust items: what the server allows.
pub fn may_edit_stock(role: Option<Role>) -> bool {
    role == Some(Role::Admin)
}

fn whole(text: &str, field: StockField, max: i64, min: i64) -> Result<i64, StockProblem> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|value| (min..=max).contains(value))
        .ok_or(StockProblem::Invalid(field))
}

fn optional_whole(
    text: &str,
    field: StockField,
    max: i64,
    default: i64,
) -> Result<i64, StockProblem> {
    if text.trim().is_empty() {
        Ok(default)
    } else {
        whole(text, field, max, 0)
    }
}

fn text(value: &str, field: StockField, max_chars: usize) -> Result<String, StockProblem> {
    let value = value.trim();
    let chars = value.chars().count();
    if chars == 0 || chars > max_chars || value.chars().any(char::is_control) {
        return Err(StockProblem::Invalid(field));
    }
    Ok(value.to_owned())
}

impl ItemEditor {
    pub fn new_item() -> ItemEditor {
        ItemEditor {
            pack_size: "1".into(),
            lead_days: "0".into(),
            ..ItemEditor::default()
        }
    }

    pub fn of(item: &StockItem) -> ItemEditor {
        ItemEditor {
            existing: true,
            sku: item.sku.clone(),
            name: item.name.clone(),
            store: item.store_id,
            unit: item.unit.clone(),
            min: item.min.to_string(),
            max: item.max.to_string(),
            pack_size: item.pack_size.to_string(),
            lead_days: item.lead_days.to_string(),
            quantity: String::new(),
            problem: None,
        }
    }

    /// The `upsert_item` command, or the first field in error. Editing leaves
    /// `quantity` and `lots` out, so the item keeps its stock.
    pub fn command(&self) -> Result<Command, StockProblem> {
        let sku = text(&self.sku, StockField::Sku, MAX_SKU_CHARS)?;
        let name = text(&self.name, StockField::Name, MAX_ITEM_NAME_CHARS)?;
        let unit = text(&self.unit, StockField::Unit, MAX_UNIT_CHARS)?;
        let min = whole(&self.min, StockField::Min, MAX_STOCK_QUANTITY, 0)?;
        let max = whole(&self.max, StockField::Max, MAX_STOCK_QUANTITY, 0)?;
        if min > max {
            return Err(StockProblem::MinAboveMax);
        }
        let pack_size = whole(
            &self.pack_size,
            StockField::PackSize,
            MAX_PACK_SIZE.into(),
            1,
        )?;
        let lead_days = optional_whole(
            &self.lead_days,
            StockField::LeadDays,
            MAX_LEAD_DAYS.into(),
            0,
        )?;
        let quantity = if self.existing {
            None
        } else {
            Some(optional_whole(
                &self.quantity,
                StockField::Quantity,
                MAX_STOCK_QUANTITY,
                0,
            )?)
        };
        Ok(Command::UpsertItem {
            sku,
            name,
            store_id: self.store,
            unit,
            min,
            max,
            // In range by the checks above.
            pack_size: u32::try_from(pack_size).unwrap_or(1),
            lead_days: u32::try_from(lead_days).unwrap_or(0),
            quantity,
            lots: None,
        })
    }
}

impl AdjustForm {
    /// The `adjust_stock` command, or the first field in error.
    pub fn command(&self) -> Result<(Command, i64), StockProblem> {
        let delta = whole(
            &self.delta,
            StockField::Delta,
            MAX_STOCK_QUANTITY,
            -MAX_STOCK_QUANTITY,
        )?;
        if delta == 0 {
            return Err(StockProblem::Invalid(StockField::Delta));
        }
        let reason = text(&self.reason, StockField::Reason, MAX_REASON_CHARS)?;
        Ok((
            Command::AdjustStock {
                sku: self.sku.clone(),
                lot: self.lot.clone(),
                delta,
                reason,
            },
            delta,
        ))
    }
}

impl Model {
    /// Opens the editor on a new item, or on `sku`'s item; admins only.
    pub fn open_item_editor(&mut self, sku: Option<&str>) {
        if !may_edit_stock(self.role) {
            return;
        }
        self.stock.editor = match sku {
            None => Some(ItemEditor::new_item()),
            Some(sku) => self.site.items.get(sku).map(ItemEditor::of),
        };
    }

    /// The editor's command when its fields are right; the editor closes.
    pub fn save_item(&mut self) -> Option<(Command, Operation)> {
        let editor = self.stock.editor.as_mut()?;
        match editor.command() {
            Ok(command) => {
                let operation = Operation::Stock(StockOperation::SaveItem {
                    sku: editor.sku.trim().to_owned(),
                });
                self.stock.editor = None;
                Some((command, operation))
            }
            Err(problem) => {
                editor.problem = Some(problem);
                None
            }
        }
    }

    /// Opens the adjustment form for an item; admins only.
    pub fn open_adjust(&mut self, sku: &str) {
        if may_edit_stock(self.role) && self.site.items.contains_key(sku) {
            self.stock.adjust = Some(AdjustForm {
                sku: sku.to_owned(),
                ..AdjustForm::default()
            });
        }
    }

    /// The adjustment's command when its fields are right; the form closes.
    pub fn confirm_adjust(&mut self) -> Option<(Command, Operation)> {
        let form = self.stock.adjust.as_mut()?;
        match form.command() {
            Ok((command, delta)) => {
                let operation = Operation::Stock(StockOperation::Adjust {
                    sku: form.sku.clone(),
                    delta,
                });
                self.stock.adjust = None;
                Some((command, operation))
            }
            Err(problem) => {
                form.problem = Some(problem);
                None
            }
        }
    }

    /// The file to read for an import: the typed path, or a bare name in `folder`.
    pub fn import_file(&self, folder: Option<&std::path::Path>) -> Option<std::path::PathBuf> {
        let typed = self.stock.import_path.trim();
        if typed.is_empty() || !may_edit_stock(self.role) {
            return None;
        }
        let path = std::path::PathBuf::from(typed);
        Some(match folder {
            Some(folder) if path.is_relative() => folder.join(path),
            _ => path,
        })
    }

    /// The commands of an import file's bytes (all of them, or none when a row is
    /// bad: the outcome says which lines).
    pub fn import_stock(&mut self, read: Result<Vec<u8>, String>) -> Vec<(Command, Operation)> {
        let bytes = match read {
            Ok(bytes) => bytes,
            Err(error) => {
                self.stock.import = Some(ImportOutcome::Unreadable(error));
                return Vec::new();
            }
        };
        match import_commands(&bytes, &self.site) {
            Ok(commands) => {
                self.stock.import = Some(ImportOutcome::Sent(commands.len()));
                commands
                    .into_iter()
                    .map(|command| {
                        let sku = match &command {
                            Command::UpsertItem { sku, .. } => sku.clone(),
                            _ => String::new(),
                        };
                        (command, Operation::Stock(StockOperation::SaveItem { sku }))
                    })
                    .collect()
            }
            Err(problems) => {
                self.stock.import = Some(ImportOutcome::Refused(problems));
                Vec::new()
            }
        }
    }

    /// Items in store order (site-wide first), then by sku.
    pub fn stock_items(&self) -> Vec<&StockItem> {
        let mut items: Vec<&StockItem> = self.site.items.values().collect();
        items.sort_by(|a, b| (a.store_id, &a.sku).cmp(&(b.store_id, &b.sku)));
        items
    }
}

#[cfg(test)]
#[path = "stock_tests.rs"]
mod tests;
