//! `packbell-server restore FILE`: the backup checked, the data dir locked (so no
//! server runs on it meanwhile), the database replaced and the old one kept aside.

use std::path::Path;

use chrono::Local;

use super::lock::{DataDirLock, LockError};
use crate::db::backup::BackupError;
use crate::db::backup::restore::{self as db_restore, Restored};

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(transparent)]
    Locked(#[from] LockError),
    #[error(transparent)]
    Backup(#[from] BackupError),
}

/// Restores `backup` into `data_dir`. Fails, changing nothing, when the backup is
/// damaged or not a packbell database, or while a server runs on `data_dir`.
pub fn restore(data_dir: &Path, backup: &Path) -> Result<Restored, RestoreError> {
    // Checked before locking so a bad file is reported even while a server runs.
    db_restore::check_backup(backup)?;
    let _lock = DataDirLock::acquire(data_dir)?;
    Ok(db_restore::replace_database(
        data_dir,
        backup,
        Local::now().naive_local(),
    )?)
}
