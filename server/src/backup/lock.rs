//! The data dir lock: a running server holds an exclusive lock on
//! `<data dir>/server.lock` for as long as it runs, so `restore` can tell that the
//! database is in use. The OS drops the lock when the process ends, however it ends,
//! so a crash never leaves a stale lock behind.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// File name of the lock inside the data dir. The file stays; only the lock matters.
pub const LOCK_FILE: &str = "server.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "a packbell server is running on {data_dir} ({holder}); stop it first \
         (for a service: systemctl stop packbell-server, or stop it in Windows Services)"
    )]
    Held { data_dir: PathBuf, holder: String },
    #[error("cannot lock {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Held while a server (or a restore) uses the data dir; dropping it unlocks.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Takes the lock, or says who holds it.
    pub fn acquire(data_dir: &Path) -> Result<DataDirLock, LockError> {
        let path = data_dir.join(LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        packbell_shared::private_dir::create_private_dir(data_dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path)
                    .ok()
                    .map(|text| text.trim().to_owned())
                    .filter(|text| !text.is_empty())
                    .unwrap_or_else(|| "another process".to_owned());
                return Err(LockError::Held {
                    data_dir: data_dir.to_owned(),
                    holder,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        // Only a help for the error message above; the lock itself is the truth.
        file.set_len(0).map_err(io)?;
        writeln!(file, "process {}", std::process::id()).map_err(io)?;
        Ok(DataDirLock { _file: file })
    }
}
