//! The file work of exports, on the pump thread (never the window's): the model's
//! [`ExportJob`]s performed, each answered with a [`WriteOutcome`].
//!
//! Pieces go to a hidden temporary file beside the destination, which is flushed to
//! disk and renamed into place after the last one: a half-written report is never
//! left under the report's name, and a cancelled or failed one leaves nothing.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::model::{ExportJob, WriteOutcome};

/// The temporary file being written, kept open between pieces.
struct OpenPart {
    export_id: u32,
    part: PathBuf,
    file: File,
}

#[derive(Default)]
pub struct ExportFiles {
    open: Option<OpenPart>,
}

impl ExportFiles {
    pub fn run(&mut self, job: ExportJob) -> WriteOutcome {
        match job {
            ExportJob::Append {
                export_id,
                part,
                data,
                first,
            } => self.outcome(export_id, WriteOutcome::Appended { export_id }, |files| {
                files.append(export_id, &part, data.as_bytes(), first)
            }),
            ExportJob::Finish {
                export_id,
                part,
                path,
            } => self.outcome(export_id, WriteOutcome::Finished { export_id }, |files| {
                files.finish(export_id, &part, &path)
            }),
            ExportJob::Discard { export_id, part } => {
                self.close(export_id);
                match fs::remove_file(&part) {
                    Ok(()) => WriteOutcome::Discarded { export_id },
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                        WriteOutcome::Discarded { export_id }
                    }
                    Err(error) => WriteOutcome::Failed {
                        export_id,
                        error: format!("{}: {error}", part.display()),
                    },
                }
            }
        }
    }

    fn outcome(
        &mut self,
        export_id: u32,
        done: WriteOutcome,
        work: impl FnOnce(&mut Self) -> std::io::Result<()>,
    ) -> WriteOutcome {
        match work(self) {
            Ok(()) => done,
            Err(error) => {
                self.close(export_id);
                WriteOutcome::Failed {
                    export_id,
                    error: error.to_string(),
                }
            }
        }
    }

    fn append(
        &mut self,
        export_id: u32,
        part: &Path,
        data: &[u8],
        first: bool,
    ) -> std::io::Result<()> {
        let reopen = self
            .open
            .as_ref()
            .is_none_or(|open| open.export_id != export_id || open.part != part);
        if first || reopen {
            if let Some(folder) = part.parent() {
                fs::create_dir_all(folder)?;
            }
            let file = if first {
                File::create(part)?
            } else {
                OpenOptions::new().append(true).open(part)?
            };
            self.open = Some(OpenPart {
                export_id,
                part: part.to_owned(),
                file,
            });
        }
        match self.open.as_mut() {
            Some(open) => open.file.write_all(data),
            None => Err(std::io::Error::other("no file open")),
        }
    }

    fn finish(&mut self, export_id: u32, part: &Path, path: &Path) -> std::io::Result<()> {
        if let Some(open) = self.open.take()
            && open.export_id == export_id
        {
            open.file.sync_all()?;
        }
        fs::rename(part, path)?;
        // The rename itself reaches the disk with the folder's entry.
        if let Some(folder) = path.parent()
            && let Ok(dir) = File::open(folder)
        {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    fn close(&mut self, export_id: u32) {
        if self
            .open
            .as_ref()
            .is_some_and(|open| open.export_id == export_id)
        {
            self.open = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_land_in_the_temporary_file_which_becomes_the_report_at_the_end() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("packbell-exports");
        let part = folder.join(".r.csv.part");
        let path = folder.join("r.csv");
        let mut files = ExportFiles::default();
        let append = |data: &str, first| ExportJob::Append {
            export_id: 1,
            part: part.clone(),
            data: data.into(),
            first,
        };
        assert_eq!(
            files.run(append("a\r\n", true)),
            WriteOutcome::Appended { export_id: 1 }
        );
        assert_eq!(
            files.run(append("b\r\n", false)),
            WriteOutcome::Appended { export_id: 1 }
        );
        assert!(!path.exists(), "not under its name before the end");
        let finish = ExportJob::Finish {
            export_id: 1,
            part: part.clone(),
            path: path.clone(),
        };
        assert_eq!(files.run(finish), WriteOutcome::Finished { export_id: 1 });
        assert_eq!(fs::read_to_string(&path).expect("report"), "a\r\nb\r\n");
        assert!(!part.exists());
    }

    #[test]
    fn discard_removes_the_temporary_file_and_a_missing_one_is_fine() {
        let dir = tempfile::tempdir().expect("temp dir");
        let part = dir.path().join(".r.csv.part");
        let mut files = ExportFiles::default();
        let append = ExportJob::Append {
            export_id: 2,
            part: part.clone(),
            data: "a".into(),
            first: true,
        };
        files.run(append);
        let discard = ExportJob::Discard {
            export_id: 2,
            part: part.clone(),
        };
        assert_eq!(
            files.run(discard.clone()),
            WriteOutcome::Discarded { export_id: 2 }
        );
        assert!(!part.exists());
        assert_eq!(files.run(discard), WriteOutcome::Discarded { export_id: 2 });
    }

    #[test]
    fn an_unwritable_folder_is_a_failure_with_the_systems_words() {
        let dir = tempfile::tempdir().expect("temp dir");
        let blocker = dir.path().join("not-a-folder");
        fs::write(&blocker, "x").expect("file");
        let append = ExportJob::Append {
            export_id: 3,
            part: blocker.join(".r.csv.part"),
            data: "a".into(),
            first: true,
        };
        let outcome = ExportFiles::default().run(append);
        assert!(
            matches!(outcome, WriteOutcome::Failed { export_id: 3, .. }),
            "{outcome:?}"
        );
    }
}
