//! The watched import folder (`<data>/import/` unless configured).
//!
//! A `*.csv` file there is read only once its size and modification time were the
//! same at two polls in a row, so a file still being copied in is not read early (a
//! program may also write it under a name starting with `.` or ending in `.part` and
//! rename it when done: such names are never read). After the import the file moves
//! to `done/`, or to `failed/` with a `<name>.error.txt` report beside it. A file
//! counts once: the import is keyed by its name, modification time and content, so a
//! restart between the commit and the move does not apply it twice.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use packbell_shared::protocol::ErrorCode;

use super::import;
use crate::db::writer::WriterHandle;

/// How often the folder is looked at unless configured.
pub const DEFAULT_POLL: Duration = Duration::from_secs(2);
pub const DONE_DIR: &str = "done";
pub const FAILED_DIR: &str = "failed";
/// Refusals that say nothing about the file: it stays and is tried at a later poll.
const POSTPONED: [ErrorCode; 3] = [
    ErrorCode::StorageFull,
    ErrorCode::Unavailable,
    ErrorCode::Internal,
];
/// Files looked at per poll at most; the rest wait for the next polls.
pub const MAX_FILES_PER_POLL: usize = 100;

/// What a poll saw of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub len: u64,
    pub modified: SystemTime,
}

/// Remembers what the last poll saw, to tell finished files from growing ones.
#[derive(Debug, Default)]
pub struct Stability {
    last: HashMap<PathBuf, Seen>,
}

impl Stability {
    /// The files seen now exactly as the previous poll saw them.
    pub fn ready(&mut self, now: Vec<(PathBuf, Seen)>) -> Vec<PathBuf> {
        let mut ready: Vec<PathBuf> = now
            .iter()
            .filter(|(path, seen)| self.last.get(path) == Some(seen))
            .map(|(path, _)| path.clone())
            .collect();
        ready.sort();
        self.last = now.into_iter().collect();
        ready
    }

    /// Looks at `path` afresh next time (after it moved, or to retry it).
    pub fn forget(&mut self, path: &Path) {
        self.last.remove(path);
    }
}

/// Whether a file name is one the folder imports.
pub fn is_candidate(name: &str) -> bool {
    !name.starts_with('.')
        && !name.ends_with(".part")
        && name.to_ascii_lowercase().ends_with(".csv")
}

/// The candidate files in `folder` now.
pub fn list(folder: &Path) -> std::io::Result<Vec<(PathBuf, Seen)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        let name = entry.file_name();
        if !meta.is_file() || !name.to_str().is_some_and(is_candidate) {
            continue;
        }
        found.push((
            entry.path(),
            Seen {
                len: meta.len(),
                modified: meta.modified()?,
            },
        ));
        if found.len() == MAX_FILES_PER_POLL {
            break;
        }
    }
    Ok(found)
}

/// Where a finished file goes: `dir/<name>`, or with a time suffix when taken.
fn destination(dir: &Path, name: &str) -> PathBuf {
    let plain = dir.join(name);
    if !plain.exists() {
        return plain;
    }
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S%.f");
    dir.join(format!("{stamp}-{name}"))
}

/// Moves an imported file to `done/`, or a refused one to `failed/` with its report.
pub fn finish(
    folder: &Path,
    path: &Path,
    outcome: &Result<usize, String>,
) -> std::io::Result<PathBuf> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("import.csv")
        .to_owned();
    let dir = folder.join(if outcome.is_ok() {
        DONE_DIR
    } else {
        FAILED_DIR
    });
    std::fs::create_dir_all(&dir)?;
    let target = destination(&dir, &name);
    std::fs::rename(path, &target)?;
    if let Err(report) = outcome {
        let mut report_path = target.clone().into_os_string();
        report_path.push(".error.txt");
        std::fs::write(PathBuf::from(report_path), report)?;
    }
    Ok(target)
}

/// The import key of a file: its name, modification time and content.
fn key_of(path: &Path, seen: Option<Seen>, bytes: &[u8]) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let modified = seen
        .and_then(|s| s.modified.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let digest = hex::encode(Sha256::digest(bytes));
    format!("import:{name}:{modified}:{digest}")
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub moved_to: PathBuf,
    pub outcome: Result<usize, String>,
}

/// The folder and what the last poll saw of it.
#[derive(Debug)]
pub struct Watcher {
    folder: PathBuf,
    stability: Stability,
}

impl Watcher {
    pub fn new(folder: PathBuf) -> Watcher {
        Watcher {
            folder,
            stability: Stability::default(),
        }
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// One poll: imports each file that stood still since the last poll.
    pub async fn poll(&mut self, writer: &WriterHandle) -> Vec<Finished> {
        let folder = self.folder.clone();
        let listed = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&folder)?;
            list(&folder)
        })
        .await;
        let seen = match listed {
            Ok(Ok(seen)) => seen,
            Ok(Err(e)) => {
                tracing::warn!(
                    "cannot read the import folder {}: {e}",
                    self.folder.display()
                );
                return Vec::new();
            }
            Err(e) => {
                tracing::warn!("import folder poll stopped: {e}");
                return Vec::new();
            }
        };
        let stats: HashMap<PathBuf, Seen> = seen.iter().cloned().collect();
        let mut finished = Vec::new();
        for path in self.stability.ready(seen) {
            self.stability.forget(&path);
            if let Some(done) = self
                .import_file(writer, &path, stats.get(&path).copied())
                .await
            {
                finished.push(done);
            }
        }
        finished
    }

    async fn import_file(
        &self,
        writer: &WriterHandle,
        path: &Path,
        seen: Option<Seen>,
    ) -> Option<Finished> {
        let bytes = match tokio::fs::read(path).await {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!("cannot read {}: {e}; tried again later", path.display());
                return None;
            }
        };
        let outcome = match import::parse(&bytes) {
            Ok(items) => {
                let key = key_of(path, seen, &bytes);
                match writer.import_stock(items, Some(key)).await {
                    Ok(imported) => Ok(imported.items),
                    Err(refusal) if POSTPONED.contains(&refusal.code) => {
                        // Full disk or shutting down: the file stays for a later poll.
                        tracing::warn!("import of {} postponed: {refusal}", path.display());
                        return None;
                    }
                    // Unknown stores come as a whole report already.
                    Err(refusal) if refusal.code == ErrorCode::InvalidField => Err(refusal.message),
                    Err(refusal) => Err(format!("Nothing was imported: {}\n", refusal.message)),
                }
            }
            Err(e) => Err(e.report()),
        };
        let folder = self.folder.clone();
        let moving = path.to_owned();
        let moved_outcome = outcome.clone();
        let moved =
            tokio::task::spawn_blocking(move || finish(&folder, &moving, &moved_outcome)).await;
        match moved {
            Ok(Ok(moved_to)) => {
                match &outcome {
                    Ok(items) => tracing::info!(
                        "stock import {}: {items} items; moved to {}",
                        path.display(),
                        moved_to.display()
                    ),
                    Err(_) => tracing::warn!(
                        "stock import {} refused; see {}.error.txt",
                        path.display(),
                        moved_to.display()
                    ),
                }
                Some(Finished { moved_to, outcome })
            }
            Ok(Err(e)) => {
                tracing::error!(
                    "cannot move {} out of the import folder: {e}",
                    path.display()
                );
                None
            }
            Err(e) => {
                tracing::error!("import folder move stopped: {e}");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_ready_only_when_two_polls_agree() {
        let mut stability = Stability::default();
        let path = PathBuf::from("a.csv");
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
        let seen = |len| vec![(path.clone(), Seen { len, modified: at })];
        assert!(stability.ready(seen(10)).is_empty(), "first sight");
        assert!(stability.ready(seen(20)).is_empty(), "still growing");
        assert_eq!(stability.ready(seen(20)), vec![path.clone()]);
    }

    #[test]
    fn temporary_names_are_never_read() {
        assert!(is_candidate("stock.csv"));
        assert!(is_candidate("STOCK.CSV"));
        assert!(!is_candidate(".stock.csv"));
        assert!(!is_candidate("stock.csv.part"));
        assert!(!is_candidate("stock.txt"));
    }
}
