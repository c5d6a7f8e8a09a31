//! Where backups go and what they are called: `<data dir>/backups/`, one file per
//! backup, named by kind and local time so a sorted listing is time order:
//! `packbell-daily-2026-03-31-000512.sqlite3`,
//! `packbell-before-upgrade-from-5-2026-03-31-080000.sqlite3`.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};

use super::BackupError;

/// Folder of the backups inside the data dir.
pub const FOLDER: &str = "backups";

/// Daily backups kept unless configured: two weeks.
pub const DEFAULT_DAILY_KEPT: u32 = 14;

/// Backups made before a schema upgrade that are kept: one per upgrade, so these
/// reach back several releases; older ones are deleted when a new one is made.
pub const BEFORE_UPGRADE_KEPT: u32 = 5;

const PREFIX: &str = "packbell-";
const EXTENSION: &str = ".sqlite3";
const TIME_FORMAT: &str = "%Y-%m-%d-%H%M%S";
/// Length of a time written with [`TIME_FORMAT`].
const TIME_LEN: usize = "2026-03-31-000512".len();

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Daily,
    BeforeUpgrade,
}

pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join(FOLDER)
}

pub fn daily_name(at: NaiveDateTime) -> String {
    format!("{PREFIX}daily-{}{EXTENSION}", at.format(TIME_FORMAT))
}

pub fn before_upgrade_name(from_version: i64, at: NaiveDateTime) -> String {
    format!(
        "{PREFIX}before-upgrade-from-{from_version}-{}{EXTENSION}",
        at.format(TIME_FORMAT)
    )
}

/// The kind and local time of a backup file called `name`; `None` for other files.
pub fn parse_name(name: &str) -> Option<(Kind, NaiveDateTime)> {
    let rest = name.strip_prefix(PREFIX)?.strip_suffix(EXTENSION)?;
    let split = rest.len().checked_sub(TIME_LEN)?;
    let (label, time) = rest.split_at_checked(split)?;
    let at = NaiveDateTime::parse_from_str(time, TIME_FORMAT).ok()?;
    let kind = if label == "daily-" {
        Kind::Daily
    } else {
        let version = label
            .strip_prefix("before-upgrade-from-")?
            .strip_suffix('-')?;
        version.parse::<i64>().ok()?;
        Kind::BeforeUpgrade
    };
    Some((kind, at))
}

/// Backups of `kind` in `folder`, oldest first. A missing folder has none.
pub fn list(folder: &Path, kind: Kind) -> Result<Vec<(NaiveDateTime, PathBuf)>, BackupError> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(BackupError::io(folder)(e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(BackupError::io(folder))?;
        let name = entry.file_name();
        if let Some((found_kind, at)) = name.to_str().and_then(parse_name)
            && found_kind == kind
        {
            found.push((at, entry.path()));
        }
    }
    found.sort();
    Ok(found)
}

/// Whether `folder` holds a daily backup made on local day `day`.
pub fn has_daily_of(folder: &Path, day: NaiveDate) -> Result<bool, BackupError> {
    Ok(list(folder, Kind::Daily)?
        .iter()
        .any(|(at, _)| at.date() == day))
}

/// Deletes the oldest backups of `kind` beyond the newest `keep`, and copies left
/// half written by a crash. Other files in the folder are never touched.
pub fn prune(folder: &Path, kind: Kind, keep: u32) -> Result<Vec<PathBuf>, BackupError> {
    let backups = list(folder, kind)?;
    let excess = backups.len().saturating_sub(keep as usize);
    let mut pruned = Vec::new();
    for (_, path) in backups.into_iter().take(excess) {
        std::fs::remove_file(&path).map_err(BackupError::io(&path))?;
        pruned.push(path);
    }
    for entry in std::fs::read_dir(folder).map_err(BackupError::io(folder))? {
        let path = entry.map_err(BackupError::io(folder))?.path();
        let stem_is_ours = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(PREFIX));
        if stem_is_ours && super::online::is_partial(&path) {
            std::fs::remove_file(&path).map_err(BackupError::io(&path))?;
            pruned.push(path);
        }
    }
    Ok(pruned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("time")
    }

    #[test]
    fn names_round_trip_and_strangers_are_ignored() {
        let when = at("2026-03-31 00:05:12");
        assert_eq!(daily_name(when), "packbell-daily-2026-03-31-000512.sqlite3");
        assert_eq!(parse_name(&daily_name(when)), Some((Kind::Daily, when)));
        assert_eq!(
            parse_name(&before_upgrade_name(5, when)),
            Some((Kind::BeforeUpgrade, when))
        );
        for stranger in [
            "packbell-daily-2026-03-31-000512.sqlite3.partial",
            "packbell-weekly-2026-03-31-000512.sqlite3",
            "packbell-before-upgrade-from-x-2026-03-31-000512.sqlite3",
            "notes.txt",
            "packbell-daily-2026-3-31-000512.sqlite3",
        ] {
            assert_eq!(parse_name(stranger), None, "{stranger}");
        }
    }
}
