//! What this PC remembers between runs: station, language, theme, sounds, ages, wall mode.
//!
//! The struct is plain data the model reads; [`load`] and [`save`] are the only I/O,
//! called by the app at start and whenever the settings change.

use std::collections::BTreeSet;
use std::path::Path;

use packbell_client_core::store::{load_json, save_json};
use packbell_shared::protocol::StoreId;
use serde::{Deserialize, Serialize};

use crate::i18n::Language;

/// File name inside the data dir.
pub const SETTINGS_FILE: &str = "warehouse-settings.json";

/// Bounds of the user-adjustable numbers; values outside are clamped on load and in the UI.
pub const MAX_AGE_MINUTES: u32 = 24 * 60;
pub const MIN_RUSH_REPEAT_SECS: u32 = 10;
pub const MAX_RUSH_REPEAT_SECS: u32 = 600;
/// Wall-mode text scale: below the lower bound a 24-inch screen is unreadable at 3 m;
/// above the upper one a 1366×768 screen holds fewer than two tickets.
pub const MIN_WALL_TEXT_SCALE: f32 = 0.6;
pub const MAX_WALL_TEXT_SCALE: f32 = 2.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    #[default]
    Dark,
}

/// The chimes shipped in `assets/sounds/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SoundId {
    Chime,
    Bell,
    Urgent,
    /// Played for a cancelled order only; not offered in the settings.
    Cancelled,
    /// Played for a critical stock alert (and each escalation) only; never an order's.
    StockCritical,
}

impl SoundId {
    /// The sounds a user may pick for new orders.
    pub const ALL: [SoundId; 3] = [SoundId::Chime, SoundId::Bell, SoundId::Urgent];
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// `None` follows the system locale.
    pub language: Option<Language>,
    pub theme: Theme,
    /// This PC's station: the stores it rings and notifies for; empty means every
    /// store. Only the settings window changes it, never the store tabs.
    pub station: BTreeSet<StoreId>,
    /// Stores the list shows (the tabs); empty means every store. A view only: not
    /// saved, and never consulted to decide whether to ring, so a tab clicked to look
    /// something up cannot silence other stores.
    #[serde(skip)]
    pub store_filter: BTreeSet<StoreId>,
    pub normal_sound: SoundId,
    pub rush_sound: SoundId,
    /// 0.0 ..= 1.0.
    pub volume: f32,
    pub muted: bool,
    /// An order's age turns amber at this many minutes...
    pub amber_after_min: u32,
    /// ...and red at this many.
    pub red_after_min: u32,
    /// Unacknowledged rush orders ring again after this many seconds.
    pub rush_repeat_secs: u32,
    /// Past this many minutes an order is overdue: its ticket pulses and the chime
    /// sounds once more for it.
    pub overdue_after_min: u32,
    /// A scanned order number packs the order at once, instead of selecting it for a
    /// second Enter.
    pub scan_packs: bool,
    /// The wall screen: fullscreen grid of big tickets (F11). Remembered.
    pub wall_mode: bool,
    /// Text size of wall mode, 1.0 = default (Ctrl + and Ctrl − in wall mode).
    pub wall_text_scale: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            language: None,
            theme: Theme::Dark,
            station: BTreeSet::new(),
            store_filter: BTreeSet::new(),
            normal_sound: SoundId::Chime,
            rush_sound: SoundId::Urgent,
            volume: 0.8,
            muted: false,
            amber_after_min: 5,
            red_after_min: 10,
            rush_repeat_secs: 30,
            overdue_after_min: 20,
            scan_packs: false,
            wall_mode: false,
            wall_text_scale: 1.0,
        }
    }
}

impl Settings {
    /// Brings every number back into its range (a hand-edited file may hold anything).
    pub fn clamp(&mut self) {
        if !self.volume.is_finite() {
            self.volume = Settings::default().volume;
        }
        self.volume = self.volume.clamp(0.0, 1.0);
        self.amber_after_min = self.amber_after_min.clamp(1, MAX_AGE_MINUTES);
        self.red_after_min = self
            .red_after_min
            .clamp(self.amber_after_min, MAX_AGE_MINUTES);
        self.rush_repeat_secs = self
            .rush_repeat_secs
            .clamp(MIN_RUSH_REPEAT_SECS, MAX_RUSH_REPEAT_SECS);
        self.overdue_after_min = self
            .overdue_after_min
            .clamp(self.red_after_min, MAX_AGE_MINUTES);
        if !self.wall_text_scale.is_finite() {
            self.wall_text_scale = 1.0;
        }
        self.wall_text_scale = self
            .wall_text_scale
            .clamp(MIN_WALL_TEXT_SCALE, MAX_WALL_TEXT_SCALE);
    }
}

/// Reads the settings file; a missing file gives the defaults, a broken one too (logged).
pub fn load(dir: &Path) -> Settings {
    let mut settings: Settings = load_json(&dir.join(SETTINGS_FILE));
    settings.clamp();
    settings
}

/// Writes the settings file atomically and durably (see `packbell_client_core::store`).
pub fn save(dir: &Path, settings: &Settings) -> std::io::Result<()> {
    save_json(&dir.join(SETTINGS_FILE), settings)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_clamps() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()), Settings::default());
        let mut settings = Settings {
            station: [2, 5].into_iter().collect(),
            volume: 3.0,
            amber_after_min: 20,
            red_after_min: 3,
            ..Settings::default()
        };
        save(dir.path(), &settings).unwrap();
        let loaded = load(dir.path());
        settings.clamp();
        assert_eq!(loaded, settings);
        assert_eq!(loaded.volume, 1.0);
        assert_eq!(loaded.red_after_min, 20);
        std::fs::write(dir.path().join(SETTINGS_FILE), b"{ nope").unwrap();
        assert_eq!(load(dir.path()), Settings::default());
    }
}
