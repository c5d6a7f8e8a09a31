//! The daily reports: the previous day's audit, orders and summary written to the
//! reports folder at a set local time, days missed while the server was off caught up
//! at start, and files older than the retention pruned.
//!
//! What is done is read from the folder itself (a day is done when its three files
//! exist), so a crash, a restart or a second run never writes a day twice and a file
//! someone deleted is written again.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use rusqlite::Connection;
use tokio_util::sync::CancellationToken;

use super::{Delimiter, ExportError, Kind, Request};
use crate::db;
use crate::db::export_log::ExportRecord;
use crate::db::writer::WriterHandle;

/// Local time the previous day's reports are written at, unless configured.
pub const DEFAULT_AT: NaiveTime = match NaiveTime::from_hms_opt(6, 0, 0) {
    Some(time) => time,
    None => panic!("06:00 is a time"),
};

/// Days a daily report file is kept, unless configured.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// Days looked back for missed reports at most. A server off for longer gets the last
/// week; older days can still be exported by hand (`packbell-server export`).
pub const CATCH_UP_DAYS: u32 = 7;

/// Longest sleep of the scheduler: it wakes at least this often, so a changed clock
/// (daylight saving, a corrected time) delays a report by at most this much.
const MAX_SLEEP: Duration = Duration::from_secs(60 * 60);

/// The reports of one day, in the order they are written.
const KINDS: [(Kind, &str); 3] = [
    (Kind::Audit, "audit"),
    (Kind::Orders, "orders"),
    (Kind::Summary, "summary"),
];

/// How the daily reports are made.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyReports {
    /// Where the files go; created when missing.
    pub folder: PathBuf,
    /// Local time of day the previous day's reports are due.
    pub at: NaiveTime,
    /// Files of days older than this many days are deleted.
    pub retention_days: u32,
    pub delimiter: Delimiter,
}

impl DailyReports {
    /// The defaults, writing into `folder`.
    pub fn in_folder(folder: PathBuf) -> Self {
        DailyReports {
            folder,
            at: DEFAULT_AT,
            retention_days: DEFAULT_RETENTION_DAYS,
            delimiter: Delimiter::Comma,
        }
    }
}

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RunOutcome {
    pub written: Vec<PathBuf>,
    /// What the export log records, one per written file.
    pub exports: Vec<String>,
    pub pruned: Vec<PathBuf>,
}

/// Who the export log names for the daily reports.
pub const EXPORTED_BY: &str = "daily report";

/// The file of `kind`'s report for `day`: `packbell-2026-03-31-audit.csv`.
pub fn file_name(day: NaiveDate, kind: &str) -> String {
    format!(
        "packbell-{}-{kind}.csv",
        day.format(super::range::DATE_FORMAT)
    )
}

/// The day a daily report file is of, if `name` is one.
fn day_of_file(name: &str) -> Option<NaiveDate> {
    let rest = name.strip_prefix("packbell-")?.strip_suffix(".csv")?;
    let (day, kind) = rest.split_at_checked(10)?;
    let kind = kind.strip_prefix('-')?;
    if !KINDS.iter().any(|(_, known)| *known == kind) {
        return None;
    }
    NaiveDate::parse_from_str(day, super::range::DATE_FORMAT).ok()
}

/// The last day whose reports are due at local time `now`: yesterday once `at` has
/// passed today, the day before otherwise.
fn last_due_day(now: NaiveDateTime, at: NaiveTime) -> Option<NaiveDate> {
    let yesterday = now.date().pred_opt()?;
    if now.time() >= at {
        Some(yesterday)
    } else {
        yesterday.pred_opt()
    }
}

/// Days whose reports are due and missing: from `CATCH_UP_DAYS` back (never before
/// the site's first event) to the last due day.
pub fn due_days(
    folder: &Path,
    now: NaiveDateTime,
    at: NaiveTime,
    first_event_day: Option<NaiveDate>,
) -> Vec<NaiveDate> {
    let (Some(last), Some(first_event_day)) = (last_due_day(now, at), first_event_day) else {
        return Vec::new();
    };
    let window_start = last - chrono::Days::new(u64::from(CATCH_UP_DAYS - 1));
    let mut day = window_start.max(first_event_day);
    let mut due = Vec::new();
    while day <= last {
        let complete = KINDS
            .iter()
            .all(|(_, kind)| folder.join(file_name(day, kind)).exists());
        if !complete {
            due.push(day);
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    due
}

/// Writes every due report and prunes old ones, as of local time `now`.
pub fn run_due(
    conn: &Connection,
    config: &DailyReports,
    now: NaiveDateTime,
) -> Result<RunOutcome, ExportError> {
    let output_error = |source| ExportError::Output {
        path: config.folder.clone(),
        source,
    };
    std::fs::create_dir_all(&config.folder).map_err(output_error)?;
    let first_event_day =
        db::export::first_event_time(conn)?.map(|at| at.with_timezone(&Local).date_naive());
    let mut outcome = RunOutcome::default();
    for day in due_days(&config.folder, now, config.at, first_event_day) {
        for (kind, name) in KINDS {
            let path = config.folder.join(file_name(day, name));
            if path.exists() {
                continue;
            }
            let request = Request {
                kind,
                from: day,
                to: day,
                stores: Vec::new(),
                delimiter: config.delimiter,
            };
            let checked = super::check(conn, &request)?;
            let rows = super::output::write_whole_file(&path, |file| {
                Ok(super::write(conn, &request, &checked, file)?.1)
            })?;
            outcome
                .exports
                .push(request.describe(rows, &path.display().to_string()));
            outcome.written.push(path);
        }
    }
    outcome.pruned = prune(&config.folder, now.date(), config.retention_days)?;
    Ok(outcome)
}

/// Deletes daily report files of days more than `retention_days` before `today`.
/// Other files in the folder are never touched.
fn prune(
    folder: &Path,
    today: NaiveDate,
    retention_days: u32,
) -> Result<Vec<PathBuf>, ExportError> {
    let output_error = |source| ExportError::Output {
        path: folder.to_owned(),
        source,
    };
    let oldest_kept = today - chrono::Days::new(u64::from(retention_days));
    let mut pruned = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(output_error)? {
        let entry = entry.map_err(output_error)?;
        let name = entry.file_name();
        let Some(day) = name.to_str().and_then(day_of_file) else {
            continue;
        };
        if day < oldest_kept {
            std::fs::remove_file(entry.path()).map_err(output_error)?;
            pruned.push(entry.path());
        }
    }
    pruned.sort();
    Ok(pruned)
}

/// How long to sleep after a run at `now`: until the next `at`, at most [`MAX_SLEEP`].
fn sleep_after(now: DateTime<Local>, at: NaiveTime) -> Duration {
    let today_at = now.date_naive().and_time(at);
    let next = if now.naive_local() < today_at {
        today_at
    } else {
        today_at + chrono::Days::new(1)
    };
    let next = Local
        .from_local_datetime(&next)
        .earliest()
        .unwrap_or(now + MAX_SLEEP);
    (next - now)
        .to_std()
        .unwrap_or(Duration::ZERO)
        .clamp(Duration::from_secs(1), MAX_SLEEP)
}

/// Runs the daily reports until `stop`: once at start (catching up), then at every
/// `at`. Exports run on the blocking pool with their own read-only connection; the
/// writer records each in the export log.
pub async fn schedule(
    data_dir: PathBuf,
    config: DailyReports,
    writer: WriterHandle,
    stop: CancellationToken,
) {
    loop {
        let run_config = config.clone();
        let run_dir = data_dir.clone();
        let ran = tokio::task::spawn_blocking(move || {
            let conn = db::export::open_reader(&run_dir)?;
            run_due(&conn, &run_config, Local::now().naive_local())
        })
        .await;
        match ran {
            Ok(Ok(outcome)) => {
                for path in &outcome.written {
                    tracing::info!("daily report written: {}", path.display());
                }
                for details in outcome.exports {
                    writer
                        .record_export(ExportRecord {
                            at: chrono::Utc::now(),
                            by: EXPORTED_BY.to_owned(),
                            details,
                        })
                        .await;
                }
                for path in &outcome.pruned {
                    tracing::info!("old daily report deleted: {}", path.display());
                }
            }
            Ok(Err(e)) => tracing::error!("daily reports: {e}"),
            Err(e) => tracing::error!("daily reports stopped: {e}"),
        }
        let pause = sleep_after(Local::now(), config.at);
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(pause) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time")
    }

    #[test]
    fn yesterday_is_due_only_once_the_time_has_passed() {
        assert_eq!(
            last_due_day(at("2026-03-31 05:59"), DEFAULT_AT),
            Some(day("2026-03-29"))
        );
        assert_eq!(
            last_due_day(at("2026-03-31 06:00"), DEFAULT_AT),
            Some(day("2026-03-30"))
        );
    }

    #[test]
    fn file_names_round_trip_and_strangers_are_ignored() {
        let name = file_name(day("2026-03-31"), "orders");
        assert_eq!(name, "packbell-2026-03-31-orders.csv");
        assert_eq!(day_of_file(&name), Some(day("2026-03-31")));
        for stranger in [
            "packbell-2026-03-31-other.csv",
            "notes-2026-03-31-audit.csv",
            "packbell-2026-3-31-audit.csv",
            "packbell-2026-03-31-audit.csv.bak",
        ] {
            assert_eq!(day_of_file(stranger), None, "{stranger}");
        }
    }

    #[test]
    fn catch_up_stops_at_the_first_event_and_the_window() {
        let folder = tempfile::tempdir().expect("tempdir");
        let now = at("2026-03-31 09:00");
        assert_eq!(
            due_days(folder.path(), now, DEFAULT_AT, Some(day("2026-03-29"))),
            vec![day("2026-03-29"), day("2026-03-30")]
        );
        let long_ago = due_days(folder.path(), now, DEFAULT_AT, Some(day("2025-01-01")));
        assert_eq!(long_ago.len(), CATCH_UP_DAYS as usize);
        assert_eq!(long_ago.last(), Some(&day("2026-03-30")));
        assert!(due_days(folder.path(), now, DEFAULT_AT, None).is_empty());
    }

    #[test]
    fn the_scheduler_sleeps_until_the_next_run_but_never_long() {
        let now = Local
            .from_local_datetime(&at("2026-07-15 05:59"))
            .earliest()
            .expect("a plain summer morning exists");
        assert_eq!(sleep_after(now, DEFAULT_AT), Duration::from_secs(60));
        let after = now + chrono::Duration::minutes(2);
        assert_eq!(sleep_after(after, DEFAULT_AT), MAX_SLEEP);
    }
}
