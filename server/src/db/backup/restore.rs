//! Putting a backup in place of the database. The caller holds the data dir lock
//! ([`crate::backup::lock`]), so no server has the database open meanwhile.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rusqlite::{Connection, OpenFlags};

use super::{BackupError, online, schema_version};
use crate::db::{db_path, rolled_back, schema};

/// Side files SQLite keeps next to a WAL database; they move with it.
const SIDE_FILES: [&str; 2] = ["-wal", "-shm"];

/// Suffix of the copy being put in place, until it replaces the database.
const RESTORING_SUFFIX: &str = ".restoring";

/// Checks that `backup` is whole and a packbell database this version can run;
/// returns its schema version.
pub fn check_backup(backup: &Path) -> Result<i64, BackupError> {
    online::check_integrity(backup)?;
    let conn = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let has_events: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'events'",
        [],
        |r| r.get(0),
    )?;
    let version = schema_version(&conn)?;
    if !has_events || version < 1 {
        return Err(BackupError::NotPackbell(backup.to_owned()));
    }
    if version > schema::latest_version() {
        return Err(BackupError::Newer {
            path: backup.to_owned(),
            found: version,
            known: schema::latest_version(),
        });
    }
    Ok(version)
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// Where the database that was replaced now is; `None` if there was none.
    pub replaced: Option<PathBuf>,
    pub schema_version: i64,
}

/// Copies `backup` (checked first) into the data dir as its database. A database
/// already there is renamed to `<name>.replaced-<now>`, its side files with it, so it
/// can still be opened. The caller must hold the data dir lock.
pub fn replace_database(
    data_dir: &Path,
    backup: &Path,
    now: NaiveDateTime,
) -> Result<Restored, BackupError> {
    let schema_version = check_backup(backup)?;
    let database = db_path(data_dir);
    let restoring = with_suffix(&database, RESTORING_SUFFIX);
    {
        let source = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        online::write_checked(&source, &restoring)?;
    }
    if database.exists() {
        match read_replaced(&database) {
            Ok(replaced) => {
                let marked =
                    Connection::open_with_flags(&restoring, OpenFlags::SQLITE_OPEN_READ_WRITE)
                        .map_err(BackupError::from)
                        .and_then(|mut restored| {
                            Ok(rolled_back::mark_restored(&mut restored, &replaced)?)
                        });
                if let Err(e) = marked {
                    let _ = std::fs::remove_file(&restoring);
                    return Err(e);
                }
            }
            // A damaged database is a reason to restore, so it must not stop one.
            Err(e) => tracing::warn!(
                "could not read which seqs {} gave out, so PCs that saw events missing from \
                 the backup are not told to reload everything: {e}",
                database.display()
            ),
        }
    }
    let replaced = if database.exists() {
        let aside = with_suffix(
            &database,
            &format!(".replaced-{}", now.format("%Y-%m-%d-%H%M%S")),
        );
        for side in SIDE_FILES {
            let file = with_suffix(&database, side);
            if file.exists() {
                let target = with_suffix(&aside, side);
                std::fs::rename(&file, &target).map_err(BackupError::io(&file))?;
            }
        }
        std::fs::rename(&database, &aside).map_err(BackupError::io(&database))?;
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&restoring, &database).map_err(BackupError::io(&database))?;
    Ok(Restored {
        replaced,
        schema_version,
    })
}

/// What the database about to be replaced gave out: PCs saw those seqs, so the restored
/// copy must never give them to other events ([`rolled_back`]).
fn read_replaced(database: &Path) -> Result<rolled_back::Replaced, BackupError> {
    let conn = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    Ok(rolled_back::read_replaced(&conn)?)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
