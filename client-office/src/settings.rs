//! The office's ui settings, in its data dir beside the link's state. (The orders
//! still waiting for the server are the link's outbox's; it reports them.)

use std::path::Path;

use packbell_client_core::store::{load_json, save_json};
use packbell_shared::protocol::Role;
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

pub const SETTINGS_FILE: &str = "office-ui.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

/// Text size limits: Ctrl + stops at the largest (a 1366×768 screen still shows the
/// form and a few rows), Ctrl − at the smallest.
pub const MIN_TEXT_SCALE: f32 = 0.8;
pub const MAX_TEXT_SCALE: f32 = 2.0;
/// One Ctrl + or Ctrl − press.
pub const TEXT_SCALE_STEP: f32 = 0.1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiSettings {
    /// Chosen language; `None` follows the system locale.
    pub lang: Option<Lang>,
    pub theme: ThemeChoice,
    /// The role of this device when last connected, so admin screens show offline.
    pub last_role: Option<Role>,
    /// How much larger than normal everything is drawn (egui's zoom factor).
    pub text_scale: f32,
    /// Seconds a pending order may go without any warehouse PC ringing before the
    /// office sounds its alarm.
    pub receipt_alarm_secs: u32,
}

fn default_alarm_secs() -> u32 {
    crate::model::DEFAULT_ALARM_SECS
}

impl Default for UiSettings {
    fn default() -> Self {
        UiSettings {
            lang: None,
            theme: ThemeChoice::default(),
            last_role: None,
            text_scale: 1.0,
            receipt_alarm_secs: default_alarm_secs(),
        }
    }
}

/// `scale` moved by `steps` presses, kept within the limits and on whole steps.
pub fn step_text_scale(scale: f32, steps: i32) -> f32 {
    let stepped = scale + steps as f32 * TEXT_SCALE_STEP;
    let rounded = (stepped / TEXT_SCALE_STEP).round() * TEXT_SCALE_STEP;
    rounded.clamp(MIN_TEXT_SCALE, MAX_TEXT_SCALE)
}

impl UiSettings {
    /// Reads the settings; a missing or unreadable file gives the defaults, and a
    /// text size out of bounds the nearest allowed one.
    pub fn load(data_dir: &Path) -> UiSettings {
        let mut settings: UiSettings = load_json(&data_dir.join(SETTINGS_FILE));
        if !settings.text_scale.is_finite() {
            settings.text_scale = 1.0;
        }
        settings.text_scale = settings.text_scale.clamp(MIN_TEXT_SCALE, MAX_TEXT_SCALE);
        settings
    }

    /// Writes the settings; a failure is logged here and told to the caller, which
    /// tells the worker (settings are a convenience: the window goes on).
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        let saved = save_json(&data_dir.join(SETTINGS_FILE), self);
        if let Err(error) = &saved {
            tracing::warn!(%error, "ui settings not saved");
        }
        saved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_default_when_missing() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(UiSettings::load(dir.path()), UiSettings::default());
        let settings = UiSettings {
            lang: Some(Lang::Es),
            theme: ThemeChoice::Dark,
            last_role: Some(Role::Admin),
            text_scale: 1.2,
            receipt_alarm_secs: 45,
        };
        settings.save(dir.path()).expect("saved");
        assert_eq!(UiSettings::load(dir.path()), settings);
    }

    #[test]
    fn text_scale_steps_stay_within_bounds() {
        assert!((step_text_scale(1.0, 1) - 1.1).abs() < 1e-6);
        assert!((step_text_scale(1.0, -1) - 0.9).abs() < 1e-6);
        assert_eq!(step_text_scale(MAX_TEXT_SCALE, 1), MAX_TEXT_SCALE);
        assert_eq!(step_text_scale(MIN_TEXT_SCALE, -1), MIN_TEXT_SCALE);
    }

    #[test]
    fn an_old_file_without_a_text_size_gets_normal_text() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(SETTINGS_FILE), br#"{"theme":"Dark"}"#).expect("written");
        let settings = UiSettings::load(dir.path());
        assert_eq!(settings.text_scale, 1.0);
        assert_eq!(settings.theme, ThemeChoice::Dark);
    }
}
