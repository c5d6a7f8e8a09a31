//! The daily backup: one online backup per local day into `<data dir>/backups/`,
//! made at start when today has none yet and otherwise soon after midnight, with the
//! oldest beyond the retention deleted. As with the daily reports, what is done is
//! read from the folder, so restarts never make a second backup of a day.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{Local, NaiveDateTime};
use tokio_util::sync::CancellationToken;

use crate::db;
use crate::db::backup::BackupError;
use crate::db::backup::files::{self, Kind};

/// How often the scheduler looks whether today's backup is due: a new day's backup
/// comes at most this long after midnight (or after a changed clock).
const CHECK_EVERY: Duration = Duration::from_secs(60 * 60);

/// How the daily backups are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyBackups {
    /// Newest daily backups kept; older ones are deleted after each new one.
    pub keep: u32,
}

impl Default for DailyBackups {
    fn default() -> Self {
        DailyBackups {
            keep: files::DEFAULT_DAILY_KEPT,
        }
    }
}

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DailyOutcome {
    pub written: Option<PathBuf>,
    pub pruned: Vec<PathBuf>,
}

/// Makes today's backup unless the folder has one, as of local time `now`, then
/// prunes. Uses a read-only connection of its own: the server's writer goes on.
pub fn run_due(
    data_dir: &Path,
    config: &DailyBackups,
    now: NaiveDateTime,
) -> Result<DailyOutcome, BackupError> {
    let folder = files::folder(data_dir);
    let mut outcome = DailyOutcome::default();
    if !files::has_daily_of(&folder, now.date())? {
        std::fs::create_dir_all(&folder).map_err(BackupError::io(&folder))?;
        let path = folder.join(files::daily_name(now));
        let source = db::export::open_reader(data_dir)?;
        db::backup::online::write_checked(&source, &path)?;
        outcome.written = Some(path);
    }
    if folder.is_dir() {
        outcome.pruned = files::prune(&folder, Kind::Daily, config.keep)?;
    }
    Ok(outcome)
}

/// Runs the daily backup until `stop`: at start, then every [`CHECK_EVERY`], each on
/// the blocking pool so the async runtime never waits for the disk.
pub async fn schedule(data_dir: PathBuf, config: DailyBackups, stop: CancellationToken) {
    loop {
        let run_dir = data_dir.clone();
        let run_config = config.clone();
        let ran = tokio::task::spawn_blocking(move || {
            run_due(&run_dir, &run_config, Local::now().naive_local())
        })
        .await;
        match ran {
            Ok(Ok(outcome)) => {
                if let Some(path) = &outcome.written {
                    tracing::info!("daily backup written and checked: {}", path.display());
                }
                for path in &outcome.pruned {
                    tracing::info!("old backup deleted: {}", path.display());
                }
            }
            Ok(Err(e)) => tracing::error!("daily backup failed: {e}"),
            Err(e) => tracing::error!("daily backup stopped: {e}"),
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(CHECK_EVERY) => {}
        }
    }
}
