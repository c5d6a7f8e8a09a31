//! Backups as the shop sees them: a backup every day into `<data dir>/backups/`
//! ([`daily`]), `packbell-server backup --out FILE` ([`backup_to_file`]) and
//! `packbell-server restore FILE` ([`restore`]), which refuses while a server holds
//! the data dir ([`lock`]). The copying itself is [`crate::db::backup`].

pub mod daily;
pub mod lock;
pub mod restore;

use std::path::Path;

use crate::db;
use crate::db::backup::BackupError;

/// Writes an online backup of the database in `data_dir` to `out` (checked, and only
/// named `out` once whole). Works while a server runs: it reads through its own
/// read-only connection. Returns the size in bytes.
pub fn backup_to_file(data_dir: &Path, out: &Path) -> Result<u64, BackupError> {
    if out.exists() {
        return Err(BackupError::Exists(out.to_owned()));
    }
    let source = db::export::open_reader(data_dir)?;
    db::backup::online::write_checked(&source, out)
}
