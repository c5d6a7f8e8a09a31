//! Small files of this PC's office client, in its data dir beside the link's state:
//! ui settings, and the orders entered here that the server has not acknowledged yet
//! (so they are still shown as queued after a restart; the link's own outbox is what
//! actually sends them).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use packbell_client_core::lock;
use packbell_client_core::store::{load_json, save_json};
use packbell_shared::protocol::Role;
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::model::Submission;

pub const SETTINGS_FILE: &str = "office-ui.json";
pub const SUBMISSIONS_FILE: &str = "office-unacked.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UiSettings {
    /// Chosen language; `None` follows the system locale.
    pub lang: Option<Lang>,
    pub theme: ThemeChoice,
    /// The role of this device when last connected, so admin screens show offline.
    pub last_role: Option<Role>,
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

/// The unacknowledged orders file. Written by the ui thread after a submit and by
/// the pump after acks; `rev` keeps an older copy from overwriting a newer one.
#[derive(Debug)]
pub struct SubmissionFile {
    path: PathBuf,
    /// The `submissions_rev` last written.
    written: Mutex<u64>,
}

impl SubmissionFile {
    pub fn new(data_dir: &Path) -> SubmissionFile {
        SubmissionFile {
            path: data_dir.join(SUBMISSIONS_FILE),
            written: Mutex::new(0),
        }
    }

    pub fn load(&self) -> Vec<Submission> {
        load_json(&self.path)
    }

    pub fn save(&self, rev: u64, submissions: &[Submission]) {
        let mut written = lock(&self.written);
        if rev <= *written {
            return;
        }
        match save_json(&self.path, &submissions) {
            Ok(()) => *written = rev,
            Err(error) => tracing::warn!(%error, "queued orders list not saved"),
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
        };
        settings.save(dir.path());
        assert_eq!(UiSettings::load(dir.path()), settings);
    }

    #[test]
    fn an_older_revision_never_overwrites_a_newer_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = SubmissionFile::new(dir.path());
        file.save(2, &[]);
        let stale = Submission {
            key: "k".into(),
            order_number: "A".into(),
            store_id: 1,
            note: String::new(),
            priority: Default::default(),
            submitted_at: chrono::Utc::now(),
            state: crate::model::SubmissionState::Queued,
        };
        file.save(1, std::slice::from_ref(&stale));
        assert!(file.load().is_empty());
        file.save(3, std::slice::from_ref(&stale));
        assert_eq!(file.load(), vec![stale]);
    }
}
