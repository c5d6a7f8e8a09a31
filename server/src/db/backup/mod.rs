//! Backups of the database: online copies made through SQLite's backup API (never a
//! file copy, which could catch a live WAL database half written), each checked with
//! `PRAGMA integrity_check` before it counts. The schedule and the command line live
//! in [`crate::backup`]; this module holds what needs SQL or the database's files.

pub mod files;
pub mod online;
pub mod restore;

use std::path::{Path, PathBuf};

use chrono::Local;
use rusqlite::Connection;

use super::schema;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Db(#[from] super::DbError),
    #[error("cannot write or read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} failed the integrity check, so it was not used: {details}")]
    Damaged { path: PathBuf, details: String },
    #[error("{0} is not a packbell database")]
    NotPackbell(PathBuf),
    #[error(
        "{path} was made by a newer packbell (schema {found}; this one knows up to {known}): \
         restore it with that version"
    )]
    Newer {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{0} already exists: choose another file name or delete it first")]
    Exists(PathBuf),
    #[error("the backup of the database stayed blocked by other connections; try again later")]
    Busy,
}

impl BackupError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
        move |source| BackupError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// The schema version (`PRAGMA user_version`) of the database behind `conn`.
pub fn schema_version(conn: &Connection) -> Result<i64, BackupError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Backs the database up into `data_dir`'s backups folder when opening it is about
/// to migrate it to a newer schema (a database at version 0 is new: nothing to
/// keep). Returns the backup written, if any.
pub fn before_migration(
    conn: &Connection,
    data_dir: &Path,
) -> Result<Option<PathBuf>, BackupError> {
    let version = schema_version(conn)?;
    if version == 0 || version >= schema::latest_version() {
        return Ok(None);
    }
    let folder = files::folder(data_dir);
    std::fs::create_dir_all(&folder).map_err(BackupError::io(&folder))?;
    let path = folder.join(files::before_upgrade_name(
        version,
        Local::now().naive_local(),
    ));
    online::write_checked(conn, &path)?;
    tracing::info!(
        "backed up the database before upgrading it from schema {version}: {}",
        path.display()
    );
    for old in files::prune(
        &folder,
        files::Kind::BeforeUpgrade,
        files::BEFORE_UPGRADE_KEPT,
    )? {
        tracing::info!("old pre-upgrade backup deleted: {}", old.display());
    }
    Ok(Some(path))
}
