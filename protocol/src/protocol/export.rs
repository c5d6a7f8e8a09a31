//! The choices of an `export_start`: which CSV report and which field separator.

use super::*;

/// Which CSV report `export_start` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    Audit,
    Orders,
    Summary,
    Hourly,
}

/// Field separator of an export; `semicolon` also writes decimals with a comma.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportDelimiter {
    #[default]
    Comma,
    Semicolon,
}
