//! Small files of this PC's office client, in its data dir beside the link's state:
//! ui settings, and the orders entered here that the server has not acknowledged yet
//! (so they are still shown as queued after a restart; the link's own outbox is what
//! actually sends them).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
        let path = data_dir.join(SETTINGS_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|error| {
                tracing::warn!(path = %path.display(), %error, "ui settings unreadable; using defaults");
                UiSettings::default()
            }),
            Err(_) => UiSettings::default(),
        }
    }

    /// Writes the settings; a failure is logged (settings are a convenience).
    pub fn save(&self, data_dir: &Path) {
        if let Err(error) = write_json(&data_dir.join(SETTINGS_FILE), self) {
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
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|error| {
                tracing::warn!(path = %self.path.display(), %error, "queued orders list unreadable");
                Vec::new()
            }),
            Err(_) => Vec::new(),
        }
    }

    pub fn save(&self, rev: u64, submissions: &[Submission]) {
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        if rev <= *written {
            return;
        }
        match write_json(&self.path, &submissions) {
            Ok(()) => *written = rev,
            Err(error) => tracing::warn!(%error, "queued orders list not saved"),
        }
    }
}

/// Writes through a temporary file and a rename, so a crash leaves the old or the
/// new file, never half of one.
fn write_json(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    let bytes = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
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
