//! The Exports screen (admin): the form, and one export's way from the request to a
//! whole file in place.
//!
//! Pure like the rest of the model: it decides, and hands out what others do. The
//! pump's writer (`crate::export_files`) performs the [`ExportJob`]s (append to a
//! temporary file beside the destination, rename it into place, or remove it) and
//! reports back; the app sends the [`LinkRequest`]s. The next piece is asked for only
//! once the last one is written, so the server reads no faster than this PC writes.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};
use packbell_shared::link::LinkRequest;
use packbell_shared::protocol::{ErrorCode, ExportDelimiter, ExportKind, StoreId};

/// Longest file name accepted in the form; a longer one is refused as a bad name
/// (file systems allow 255 bytes, and accents take two).
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// The date format of the form and of `export_start`.
pub const DATE_FORMAT: &str = "%Y-%m-%d";

/// The kinds offered, in the order of the picker.
pub const KINDS: [ExportKind; 4] = [
    ExportKind::Audit,
    ExportKind::Orders,
    ExportKind::Summary,
    ExportKind::Hourly,
];

/// What the admin chose.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportForm {
    /// Local days of the server, `YYYY-MM-DD`; empty until the screen fills in today.
    pub from: String,
    pub to: String,
    /// None ticked is every store.
    pub stores: BTreeSet<StoreId>,
    pub kind: ExportKind,
    /// `None` until chosen: the screen then shows the default for its language.
    pub delimiter: Option<ExportDelimiter>,
    /// Empty: [`ExportForm::default_file_name`].
    pub file_name: String,
}

impl Default for ExportForm {
    fn default() -> Self {
        ExportForm {
            from: String::new(),
            to: String::new(),
            stores: BTreeSet::new(),
            kind: ExportKind::Orders,
            delimiter: None,
            file_name: String::new(),
        }
    }
}

impl ExportForm {
    /// "packbell-orders-2026-03-01_2026-03-31.csv".
    pub fn default_file_name(&self) -> String {
        format!(
            "packbell-{}-{}_{}.csv",
            kind_tag(self.kind),
            self.from.trim(),
            self.to.trim()
        )
    }
}

/// What is wrong with the form; the export is not asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormProblem {
    FromDate,
    ToDate,
    /// `from` is after `to`.
    Inverted,
    /// Empty after trimming, a path rather than a name, hidden, or too long.
    FileName,
    /// There is no folder to write to (no home directory).
    NoFolder,
    NotConnected,
}

/// Why an export ended without its file.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportProblem {
    /// The server refused or stopped it: its code and technical words.
    Server(ErrorCode, String),
    /// The file could not be written here: the system's words.
    Write(String),
    /// The connection dropped before the last piece.
    ConnectionLost,
}

/// Where one export is going.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportFile {
    pub folder: PathBuf,
    pub name: String,
}

impl ExportFile {
    pub fn path(&self) -> PathBuf {
        self.folder.join(&self.name)
    }

    /// The temporary file beside it, hidden, renamed into place at the end.
    pub fn part_path(&self) -> PathBuf {
        self.folder.join(format!(".{}.part", self.name))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Asked for; no piece yet.
    Requested,
    Receiving(Progress),
    /// The file is in place.
    Done {
        rows: u64,
        bytes: u64,
    },
    /// `cleaned` once the temporary file is gone.
    Failed {
        problem: ExportProblem,
        cleaned: bool,
    },
    Cancelled {
        cleaned: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Progress {
    pub bytes: u64,
    /// Data rows received so far (exact once the last piece came).
    pub rows: u64,
    /// Line ends received so far, the header's included.
    pub lines: u64,
    /// How far through the range the last row is, when its time could be read.
    pub fraction: Option<f32>,
    /// Pieces handed to the writer and not yet written.
    pub unwritten: u32,
    pub last_piece_received: bool,
}

/// One export, the latest.
#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    pub export_id: u32,
    pub file: ExportFile,
    pub kind: ExportKind,
    /// The range asked for, to place the rows received in it.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub stage: Stage,
}

impl Transfer {
    /// Still asking or receiving: Cancel is offered, Export is not.
    pub fn is_running(&self) -> bool {
        matches!(self.stage, Stage::Requested | Stage::Receiving(_))
    }
}

/// File work for the pump's writer.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportJob {
    /// Append `data` to `part` (created, with its folder, by the first piece).
    Append {
        export_id: u32,
        part: PathBuf,
        data: String,
        first: bool,
    },
    /// Flush `part` to disk and rename it to `path`.
    Finish {
        export_id: u32,
        part: PathBuf,
        path: PathBuf,
    },
    /// Remove `part` if it is there.
    Discard { export_id: u32, part: PathBuf },
}

/// What the writer reports for a job.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome {
    Appended {
        export_id: u32,
    },
    Finished {
        export_id: u32,
    },
    Discarded {
        export_id: u32,
    },
    /// A job failed; the system's words.
    Failed {
        export_id: u32,
        error: String,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Exports {
    pub form: ExportForm,
    /// Where files go; set by the app (the user's documents folder).
    pub folder: Option<PathBuf>,
    pub transfer: Option<Transfer>,
    pub problem: Option<FormProblem>,
    next_id: u32,
    jobs: Vec<ExportJob>,
    requests: Vec<LinkRequest>,
}

impl Exports {
    /// Checks the form and asks for the export; `store_name` names the ticked stores.
    pub fn start(
        &mut self,
        connected: bool,
        store_name: impl Fn(StoreId) -> String,
        default_delimiter: ExportDelimiter,
    ) -> Result<(), FormProblem> {
        let checked = self.check(connected);
        self.problem = checked.as_ref().err().copied();
        let (from, to, file) = checked?;
        if self.transfer.as_ref().is_some_and(Transfer::is_running) {
            return Ok(());
        }
        self.next_id = self.next_id.wrapping_add(1);
        let export_id = self.next_id;
        self.requests.push(LinkRequest::ExportStart {
            export_id,
            kind: self.form.kind,
            from: from.format(DATE_FORMAT).to_string(),
            to: to.format(DATE_FORMAT).to_string(),
            stores: self.form.stores.iter().map(|id| store_name(*id)).collect(),
            delimiter: self.form.delimiter.unwrap_or(default_delimiter),
        });
        self.transfer = Some(Transfer {
            export_id,
            file,
            kind: self.form.kind,
            from,
            to,
            stage: Stage::Requested,
        });
        Ok(())
    }

    fn check(&self, connected: bool) -> Result<(NaiveDate, NaiveDate, ExportFile), FormProblem> {
        let from = NaiveDate::parse_from_str(self.form.from.trim(), DATE_FORMAT)
            .map_err(|_| FormProblem::FromDate)?;
        let to = NaiveDate::parse_from_str(self.form.to.trim(), DATE_FORMAT)
            .map_err(|_| FormProblem::ToDate)?;
        if from > to {
            return Err(FormProblem::Inverted);
        }
        let name = file_name(&self.form).ok_or(FormProblem::FileName)?;
        let folder = self.folder.clone().ok_or(FormProblem::NoFolder)?;
        if !connected {
            return Err(FormProblem::NotConnected);
        }
        Ok((from, to, ExportFile { folder, name }))
    }

    /// A piece from the server: counted, and handed to the writer.
    pub fn on_piece(&mut self, export_id: u32, data: String, done: bool, rows: Option<u64>) {
        let Some(transfer) = running(&mut self.transfer, export_id) else {
            return;
        };
        let first = transfer.stage == Stage::Requested;
        let mut progress = match &transfer.stage {
            Stage::Receiving(progress) => progress.clone(),
            _ => Progress::default(),
        };
        progress.bytes += data.len() as u64;
        // Rows end in CRLF; the header's line is not a row.
        progress.lines += data.matches('\n').count() as u64;
        progress.rows = progress.lines.saturating_sub(1);
        if let Some(fraction) = fraction_through(&data, transfer.from, transfer.to) {
            progress.fraction = Some(fraction);
        }
        progress.unwritten += 1;
        let part = transfer.file.part_path();
        self.jobs.push(ExportJob::Append {
            export_id,
            part: part.clone(),
            data,
            first,
        });
        if done {
            progress.last_piece_received = true;
            progress.fraction = Some(1.0);
            if let Some(rows) = rows {
                progress.rows = rows;
            }
            self.jobs.push(ExportJob::Finish {
                export_id,
                part,
                path: transfer.file.path(),
            });
        }
        transfer.stage = Stage::Receiving(progress);
    }

    /// The server refused or stopped the export.
    pub fn on_refused(&mut self, export_id: u32, code: ErrorCode, message: String) {
        if self.running(export_id).is_some() {
            self.fail(ExportProblem::Server(code, message));
        }
    }

    /// The link is no longer connected: a running export is lost with the socket.
    pub fn on_disconnected(&mut self) {
        if self.transfer.as_ref().is_some_and(Transfer::is_running) {
            self.fail(ExportProblem::ConnectionLost);
        }
    }

    /// The admin pressed Cancel.
    pub fn cancel(&mut self) {
        let Some(transfer) = self.transfer.as_mut().filter(|t| t.is_running()) else {
            return;
        };
        transfer.stage = Stage::Cancelled { cleaned: false };
        let export_id = transfer.export_id;
        let part = transfer.file.part_path();
        self.requests.push(LinkRequest::ExportCancel { export_id });
        self.jobs.push(ExportJob::Discard { export_id, part });
    }

    /// What the writer did.
    pub fn on_written(&mut self, outcome: WriteOutcome) {
        match outcome {
            WriteOutcome::Appended { export_id } => {
                let Some(transfer) = self.running(export_id) else {
                    return;
                };
                if let Stage::Receiving(progress) = &mut transfer.stage {
                    progress.unwritten = progress.unwritten.saturating_sub(1);
                    if progress.unwritten == 0 && !progress.last_piece_received {
                        self.requests.push(LinkRequest::ExportNext { export_id });
                    }
                }
            }
            WriteOutcome::Finished { export_id } => {
                let Some(transfer) = self.running(export_id) else {
                    return;
                };
                if let Stage::Receiving(progress) = &transfer.stage {
                    transfer.stage = Stage::Done {
                        rows: progress.rows,
                        bytes: progress.bytes,
                    };
                }
            }
            WriteOutcome::Discarded { export_id } => {
                if let Some(transfer) = self.transfer.as_mut().filter(|t| t.export_id == export_id)
                    && let Stage::Failed { cleaned, .. } | Stage::Cancelled { cleaned } =
                        &mut transfer.stage
                {
                    *cleaned = true;
                }
            }
            WriteOutcome::Failed { export_id, error } => {
                if self.running(export_id).is_some() {
                    self.requests.push(LinkRequest::ExportCancel { export_id });
                    self.fail(ExportProblem::Write(error));
                }
            }
        }
    }

    /// Ends the running export with `problem`; its temporary file is removed.
    fn fail(&mut self, problem: ExportProblem) {
        let Some(transfer) = self.transfer.as_mut() else {
            return;
        };
        transfer.stage = Stage::Failed {
            problem,
            cleaned: false,
        };
        self.jobs.push(ExportJob::Discard {
            export_id: transfer.export_id,
            part: transfer.file.part_path(),
        });
    }

    fn running(&mut self, export_id: u32) -> Option<&mut Transfer> {
        running(&mut self.transfer, export_id)
    }

    /// File work for the writer, oldest first.
    pub fn take_jobs(&mut self) -> Vec<ExportJob> {
        std::mem::take(&mut self.jobs)
    }

    /// Requests for the link, oldest first.
    pub fn take_requests(&mut self) -> Vec<LinkRequest> {
        std::mem::take(&mut self.requests)
    }
}

impl super::Model {
    /// The Export button: checks the form and asks for the export (see
    /// [`Exports::start`]), naming the ticked stores as the server knows them.
    pub fn start_export(&mut self, connected: bool, default_delimiter: ExportDelimiter) {
        let site = &self.site;
        let _ = self.exports.start(
            connected,
            |store_id| super::store_label(site, store_id),
            default_delimiter,
        );
    }
}

/// `transfer` when it is export `export_id` and still running.
fn running(transfer: &mut Option<Transfer>, export_id: u32) -> Option<&mut Transfer> {
    transfer
        .as_mut()
        .filter(|t| t.export_id == export_id && t.is_running())
}

/// The file name to write: the form's (".csv" added when it has no extension) or the
/// default; `None` when it is not a plain name.
fn file_name(form: &ExportForm) -> Option<String> {
    let typed = form.file_name.trim();
    let name = if typed.is_empty() {
        form.default_file_name()
    } else if typed.contains('.') {
        typed.to_owned()
    } else {
        format!("{typed}.csv")
    };
    let plain = !name.starts_with('.')
        && !name.contains(['/', '\\', ':'])
        && !name.chars().any(char::is_control)
        && name.chars().count() <= MAX_FILE_NAME_CHARS;
    plain.then_some(name)
}

fn kind_tag(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::Audit => "audit",
        ExportKind::Orders => "orders",
        ExportKind::Summary => "summary",
        ExportKind::Hourly => "hourly",
    }
}

/// How far through the days `from`..=`to` the last whole row of `data` is, from the
/// time in its second column (audit and orders rows have one; summaries do not).
fn fraction_through(data: &str, from: NaiveDate, to: NaiveDate) -> Option<f32> {
    let body = data.strip_suffix("\r\n")?;
    let line = body.rsplit("\r\n").next()?;
    let time = line.split([',', ';']).nth(1)?;
    let at = chrono::DateTime::parse_from_rfc3339(time)
        .map(|t| t.naive_local())
        .or_else(|_| NaiveDateTime::parse_from_str(time, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    let start = from.and_hms_opt(0, 0, 0)?;
    let end = to.succ_opt()?.and_hms_opt(0, 0, 0)?;
    let span = (end - start).num_seconds() as f32;
    let done = (at - start).num_seconds() as f32;
    Some((done / span).clamp(0.0, 1.0))
}

#[cfg(test)]
#[path = "exports_tests.rs"]
mod tests;
