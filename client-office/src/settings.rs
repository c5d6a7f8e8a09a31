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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiSettings {
    /// Chosen language; `None` follows the system locale.
    pub lang: Option<Lang>,
    pub theme: ThemeChoice,
    /// The role of this device when last connected, so admin screens show offline.
    pub last_role: Option<Role>,
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
            receipt_alarm_secs: default_alarm_secs(),
        }
    }
}

impl UiSettings {
    /// Reads the settings; a missing or unreadable file gives the defaults.
    pub fn load(data_dir: &Path) -> UiSettings {
        load_json(&data_dir.join(SETTINGS_FILE))
    }

    /// Writes the settings; a failure is logged (settings are a convenience).
    pub fn save(&self, data_dir: &Path) {
        if let Err(error) = save_json(&data_dir.join(SETTINGS_FILE), self) {
            tracing::warn!(%error, "ui settings not saved");
        }
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
            receipt_alarm_secs: 45,
        };
        settings.save(dir.path());
        assert_eq!(UiSettings::load(dir.path()), settings);
    }
}
