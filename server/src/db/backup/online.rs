//! One online backup: the live database copied page by page into a new file through
//! SQLite's backup API, then checked with `PRAGMA integrity_check`.

use std::ffi::c_int;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::BackupError;

/// Pages copied per step (4 KiB pages: 4 MiB). The source keeps one read snapshot for
/// the whole copy, so in WAL mode the writer goes on writing meanwhile and the copy
/// stays consistent; steps only keep each burst of disk work short.
const PAGES_PER_STEP: c_int = 1024;

/// Pause between steps, leaving the disk to the writer.
const STEP_PAUSE: Duration = Duration::from_millis(2);

/// Steps that may find the destination busy or locked; past this the backup gives up
/// with [`BackupError::Busy`] (nothing else should hold a brand-new file).
const MAX_BUSY_STEPS: u32 = 500;

/// Problems listed by a failed integrity check at most; the first ones are enough to
/// tell what is wrong.
const MAX_INTEGRITY_PROBLEMS: i64 = 10;

/// Suffix of a backup being written; it gets its real name only once checked.
const PARTIAL_SUFFIX: &str = ".partial";

/// Copies the database behind `source` into `dest`, checks the copy and only then
/// gives it its name. A copy that fails the check is deleted. Returns its size.
pub fn write_checked(source: &Connection, dest: &Path) -> Result<u64, BackupError> {
    let partial = partial_path(dest);
    let written = copy(source, &partial).and_then(|()| check_integrity(&partial));
    if let Err(e) = written {
        // A failed or damaged copy must never be mistaken for a backup.
        let _ = std::fs::remove_file(&partial);
        if matches!(e, BackupError::Damaged { .. }) {
            tracing::error!("a backup failed its integrity check and was deleted: {e}");
        }
        return Err(e);
    }
    std::fs::rename(&partial, dest).map_err(BackupError::io(dest))?;
    let size = std::fs::metadata(dest)
        .map_err(BackupError::io(dest))?
        .len();
    Ok(size)
}

/// Whether `path` is a name [`write_checked`] uses while writing.
pub fn is_partial(path: &Path) -> bool {
    path.to_str().is_some_and(|p| p.ends_with(PARTIAL_SUFFIX))
}

fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.as_os_str().to_owned();
    name.push(PARTIAL_SUFFIX);
    PathBuf::from(name)
}

fn copy(source: &Connection, dest: &Path) -> Result<(), BackupError> {
    if dest.exists() {
        std::fs::remove_file(dest).map_err(BackupError::io(dest))?;
    }
    let mut target = Connection::open(dest)?;
    {
        // One read snapshot for every step: other connections' commits never restart
        // the copy, and in WAL mode a reader never blocks the writer.
        let snapshot = source.unchecked_transaction()?;
        snapshot.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })?;
        let backup = Backup::new(source, &mut target)?;
        let mut busy_steps = 0;
        loop {
            match backup.step(PAGES_PER_STEP)? {
                StepResult::Done => break,
                StepResult::More => {}
                // Busy, Locked, or a kind of result added later: try again, bounded.
                _ => {
                    busy_steps += 1;
                    if busy_steps > MAX_BUSY_STEPS {
                        return Err(BackupError::Busy);
                    }
                }
            }
            std::thread::sleep(STEP_PAUSE);
        }
        drop(backup);
        snapshot.finish()?;
    }
    // A backup is one self-contained file, not a WAL database with side files.
    target.pragma_update(None, "journal_mode", "DELETE")?;
    target.close().map_err(|(_, e)| BackupError::Sqlite(e))?;
    Ok(())
}

/// Runs `PRAGMA integrity_check` on the database file at `path` (read-only).
pub fn check_integrity(path: &Path) -> Result<(), BackupError> {
    let damaged = |details: String| BackupError::Damaged {
        path: path.to_owned(),
        details,
    };
    if !path.is_file() {
        return Err(BackupError::Io {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let problems = (|| -> rusqlite::Result<Vec<String>> {
        let mut stmt =
            conn.prepare(&format!("PRAGMA integrity_check({MAX_INTEGRITY_PROBLEMS})"))?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect()
    })()
    .map_err(|e| damaged(e.to_string()))?;
    if problems == ["ok"] {
        Ok(())
    } else {
        Err(damaged(problems.join("; ")))
    }
}
