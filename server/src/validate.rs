//! Field checks for incoming commands. Pure: no database, so they are cheap to test.

use packbell_shared::protocol::{
    Command, ErrorCode, MAX_AGEING_MINUTES, MAX_DEVICE_NAME_CHARS, MAX_KEY_CHARS, MAX_NOTE_CHARS,
    MAX_REASON_CHARS, MAX_STORE_NAME_CHARS,
};
use packbell_shared::validate as shared;

use crate::stock::fields as stock;

/// A command the server will not apply, with the code and message the client sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

impl Refusal {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }
}

/// Checks a text field: trimmed length within `min..=max` characters, no control
/// characters (they would garble the warehouse screen and the CSV exports).
pub fn text_field(field: &str, value: &str, min: usize, max: usize) -> Result<(), Refusal> {
    let chars = value.chars().count();
    if value.trim().chars().count() < min {
        return Err(Refusal::new(
            ErrorCode::InvalidField,
            format!("{field} must not be empty"),
        ));
    }
    if chars > max {
        return Err(Refusal::new(
            ErrorCode::InvalidField,
            format!("{field} is {chars} characters long; the maximum is {max}"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Refusal::new(
            ErrorCode::InvalidField,
            format!("{field} must not contain control characters"),
        ));
    }
    Ok(())
}

pub fn key(key: &str) -> Result<(), Refusal> {
    text_field("key", key, 1, MAX_KEY_CHARS)
}

pub fn device_name(name: &str) -> Result<(), Refusal> {
    text_field("device_name", name, 1, MAX_DEVICE_NAME_CHARS)
}

/// Checks the fields a command carries; existence checks happen against the database.
pub fn command(command: &Command) -> Result<(), Refusal> {
    match command {
        Command::CreateOrder {
            order_number,
            note,
            lines,
            ..
        } => {
            // The same check as the office form's, so both refuse the same numbers.
            shared::order_number(order_number).map_err(|problem| {
                Refusal::new(ErrorCode::InvalidField, format!("order_number {problem}"))
            })?;
            stock::order_lines(lines)?;
            text_field("note", note, 0, MAX_NOTE_CHARS)
        }
        Command::UpsertItem {
            sku,
            name,
            unit,
            min,
            max,
            pack_size,
            lead_days,
            quantity,
            lots,
            ..
        } => stock::item(&stock::ItemFields {
            sku,
            name,
            unit,
            min: *min,
            max: *max,
            pack_size: *pack_size,
            lead_days: *lead_days,
            quantity: *quantity,
            lots: lots.as_deref(),
        }),
        Command::AdjustStock {
            sku,
            lot,
            delta,
            reason,
        } => {
            stock::sku(sku)?;
            lot.as_deref().map(stock::lot).transpose()?;
            stock::delta(*delta)?;
            stock::reason(reason)
        }
        Command::CountStock { sku, lot, counted } => {
            stock::sku(sku)?;
            lot.as_deref().map(stock::lot).transpose()?;
            stock::amount("counted", *counted)
        }
        Command::AckAlert { comment, .. } => stock::comment(comment),
        Command::CancelOrder { reason, .. } | Command::RecallOrder { reason, .. } => {
            text_field("reason", reason, 0, MAX_REASON_CHARS)
        }
        Command::EditOrder { note, .. } => text_field("note", note, 0, MAX_NOTE_CHARS),
        Command::AddStore { name } | Command::RenameStore { name, .. } => {
            text_field("name", name, 1, MAX_STORE_NAME_CHARS)
        }
        Command::SetAgeing(ageing) if !ageing.is_valid() => Err(Refusal::new(
            ErrorCode::InvalidField,
            format!(
                "ageing thresholds must grow: 0 < amber < red < overdue ≤ {MAX_AGEING_MINUTES} minutes"
            ),
        )),
        Command::PackOrder { .. }
        | Command::SetAgeing(_)
        | Command::AcknowledgeRush { .. }
        | Command::DeactivateStore { .. }
        | Command::RevokeDevice { .. }
        | Command::ChangeRole { .. } => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use packbell_shared::protocol::Priority;

    fn create(number: &str, note: &str) -> Command {
        Command::CreateOrder {
            order_number: number.into(),
            store_id: 1,
            note: note.into(),
            priority: Priority::Normal,
            lines: Vec::new(),
        }
    }

    #[test]
    fn order_fields_are_bounded() {
        assert!(command(&create("A-1", "")).is_ok());
        assert!(command(&create(&"9".repeat(64), &"n".repeat(500))).is_ok());
        assert_eq!(
            command(&create("  ", "")).map_err(|r| r.code),
            Err(ErrorCode::InvalidField)
        );
        let too_long = command(&create(&"9".repeat(65), "")).expect_err("65 chars");
        assert!(too_long.message.contains("order_number"), "{too_long}");
        assert!(command(&create("A-1", &"n".repeat(501))).is_err());
        assert!(command(&create("A\u{7}1", "")).is_err());
    }

    #[test]
    fn spoofing_order_numbers_are_refused_and_named() {
        for number in [
            "A\u{2028}1",
            "1042\u{202E}",
            "\u{200B}\u{200B}",
            "\u{3164}",
            "12🍕",
        ] {
            let refused = command(&create(number, "")).expect_err(number);
            assert_eq!(refused.code, ErrorCode::InvalidField, "{number:?}");
            assert!(refused.message.starts_with("order_number "), "{refused}");
        }
        // Notes are neutralised when stored, not refused.
        assert!(command(&create("A-1", "abc\u{202E}def\u{2028}")).is_ok());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(command(&create(&"ñ".repeat(64), "")).is_ok());
    }
}
