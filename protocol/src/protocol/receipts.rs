//! Warehouse receipts: how far a warehouse PC got with an order. Not commands and not
//! events; see docs/protocol.md, "Warehouse receipts".

use super::*;

/// An optional field that, when present, must hold a value: `null` is refused like
/// everywhere else on the wire.
pub(super) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// How far a warehouse PC got with an order. Later stages replace earlier ones; a
/// late `applied` never replaces `rang` or `not_rung`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStage {
    /// The order is in the PC's list.
    Applied,
    /// The PC played its sound for it (alone or in a summary of several).
    Rang,
    /// The PC has it but did not ring; `why` says why.
    NotRung,
}

impl ReceiptStage {
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptStage::Applied => "applied",
            ReceiptStage::Rang => "rang",
            ReceiptStage::NotRung => "not_rung",
        }
    }

    pub fn parse(text: &str) -> Option<ReceiptStage> {
        match text {
            "applied" => Some(ReceiptStage::Applied),
            "rang" => Some(ReceiptStage::Rang),
            "not_rung" => Some(ReceiptStage::NotRung),
            _ => None,
        }
    }
}

/// Why a warehouse PC that has an order did not ring for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotRungWhy {
    /// Muted, or the volume is at zero.
    SoundOff,
    /// The sound could not be played (no audio device).
    NoAudio,
    /// The order's store is not one this PC's station rings for.
    OtherStation,
    /// The order was already waiting when the PC started: shown, not rung.
    ShownAtStart,
}

impl NotRungWhy {
    pub fn as_str(self) -> &'static str {
        match self {
            NotRungWhy::SoundOff => "sound_off",
            NotRungWhy::NoAudio => "no_audio",
            NotRungWhy::OtherStation => "other_station",
            NotRungWhy::ShownAtStart => "shown_at_start",
        }
    }

    pub fn parse(text: &str) -> Option<NotRungWhy> {
        match text {
            "sound_off" => Some(NotRungWhy::SoundOff),
            "no_audio" => Some(NotRungWhy::NoAudio),
            "other_station" => Some(NotRungWhy::OtherStation),
            "shown_at_start" => Some(NotRungWhy::ShownAtStart),
            _ => None,
        }
    }
}

/// What the server recorded about one order on one warehouse PC (the latest only),
/// sent to office and admin devices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub order_id: OrderId,
    pub device_id: DeviceId,
    pub device_name: String,
    pub stage: ReceiptStage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<NotRungWhy>,
    /// When the server recorded it, UTC.
    pub at: DateTime<Utc>,
}
