//! CSV exports over the link, for the office's admin: the report the `export` command
//! writes, cut into `export_chunk` pieces the client pulls one at a time.
//!
//! A blocking task writes the report into a channel of one piece; it waits while the
//! client has not asked for the next, so a slow client holds one piece of memory, and
//! a client that goes away (or starts another export) makes the next send fail and the
//! task stop.

use std::io::Write;
use std::sync::Arc;

use chrono::Utc;
use tokio::sync::{Mutex, mpsc};

use packbell_shared::protocol::{ErrorCode, ExportDelimiter, ExportKind, Role, ServerMessage};

use super::connection::{End, Session};
use crate::db::export_log::ExportRecord;
use crate::db::reader::Authenticated;
use crate::db::writer::WriterHandle;
use crate::export::{self, ExportError};

/// JSON-escaped text in one piece at most: with the envelope, far below the 64 KiB
/// frame limit, whatever the text holds.
pub const PIECE_ESCAPED_BYTES: usize = 32 * 1024;

/// What the export task hands to the socket.
enum Piece {
    Data(String),
    Done { data: String, rows: u64 },
    Refused(ErrorCode, String),
}

/// The export running on a socket.
pub(super) struct RunningExport {
    id: u32,
    pieces: Arc<Mutex<mpsc::Receiver<Piece>>>,
}

impl Session {
    pub(super) fn export_start(
        &mut self,
        device: &Authenticated,
        export_id: u32,
        request: ExportAsked,
    ) -> Result<(), End> {
        if device.role != Role::Admin {
            return self.refuse_export(export_id, ErrorCode::Forbidden, "admins only");
        }
        // Dropping the previous receiver stops the previous task at its next piece.
        let (sender, receiver) = mpsc::channel(1);
        let data_dir = self.ctx.data_dir.clone();
        let writer = self.ctx.writer.clone();
        let by = device.name.clone();
        tokio::task::spawn_blocking(move || produce(&data_dir, request, &by, &writer, &sender));
        let pieces = Arc::new(Mutex::new(receiver));
        self.export = Some(RunningExport {
            id: export_id,
            pieces: pieces.clone(),
        });
        self.answer_next_piece(export_id, pieces);
        Ok(())
    }

    pub(super) fn export_next(
        &mut self,
        device: &Authenticated,
        export_id: u32,
    ) -> Result<(), End> {
        if device.role != Role::Admin {
            return self.refuse_export(export_id, ErrorCode::Forbidden, "admins only");
        }
        match &self.export {
            Some(running) if running.id == export_id => {
                let pieces = running.pieces.clone();
                self.answer_next_piece(export_id, pieces);
                Ok(())
            }
            _ => {
                self.answers
                    .push_back(Box::pin(std::future::ready(not_running(export_id))));
                Ok(())
            }
        }
    }

    fn refuse_export(&mut self, export_id: u32, code: ErrorCode, message: &str) -> Result<(), End> {
        let error = export_error(export_id, code, message.to_owned());
        self.answers.push_back(Box::pin(std::future::ready(error)));
        Ok(())
    }

    pub(super) fn export_cancel(
        &mut self,
        device: &Authenticated,
        export_id: u32,
    ) -> Result<(), End> {
        if device.role != Role::Admin {
            return self.refuse_export(export_id, ErrorCode::Forbidden, "admins only");
        }
        if self.export.as_ref().is_some_and(|r| r.id == export_id) {
            self.export = None;
        }
        Ok(())
    }

    fn answer_next_piece(&mut self, export_id: u32, pieces: Arc<Mutex<mpsc::Receiver<Piece>>>) {
        self.answers.push_back(Box::pin(async move {
            let piece = pieces.lock().await.recv().await;
            match piece {
                Some(Piece::Data(data)) => ServerMessage::ExportChunk {
                    export_id,
                    data,
                    done: false,
                    rows: None,
                },
                Some(Piece::Done { data, rows }) => ServerMessage::ExportChunk {
                    export_id,
                    data,
                    done: true,
                    rows: Some(rows),
                },
                Some(Piece::Refused(code, message)) => export_error(export_id, code, message),
                None => not_running(export_id),
            }
        }));
    }
}

fn export_error(export_id: u32, code: ErrorCode, message: String) -> ServerMessage {
    ServerMessage::Error {
        code,
        message,
        key: None,
        export_id: Some(export_id),
    }
}

fn not_running(export_id: u32) -> ServerMessage {
    export_error(
        export_id,
        ErrorCode::InvalidState,
        format!("export {export_id} is not running"),
    )
}

/// The fields of an `export_start`.
pub(super) struct ExportAsked {
    pub kind: ExportKind,
    pub from: String,
    pub to: String,
    pub stores: Vec<String>,
    pub delimiter: ExportDelimiter,
}

/// Writes the report into `pieces` (on the blocking pool) and records it once whole.
fn produce(
    data_dir: &std::path::Path,
    asked: ExportAsked,
    by: &str,
    writer: &WriterHandle,
    pieces: &mpsc::Sender<Piece>,
) {
    let refuse = |code, message: String| {
        let _ = pieces.blocking_send(Piece::Refused(code, message));
    };
    let request = match request_of(asked) {
        Ok(request) => request,
        Err(message) => return refuse(ErrorCode::InvalidField, message),
    };
    let conn = crate::db::export::open_reader(data_dir).map_err(ExportError::from);
    let written = conn.and_then(|conn| {
        let checked = export::check(&conn, &request)?;
        let out = PieceWriter::new(pieces);
        let (out, rows) = export::write(&conn, &request, &checked, out)?;
        Ok((out, rows))
    });
    match written {
        Ok((out, rows)) => {
            let details = request.describe(rows, &format!("the office of {by}"));
            writer.record_export_blocking(ExportRecord {
                at: Utc::now(),
                by: by.to_owned(),
                details,
            });
            out.finish(rows);
        }
        // The client went away or started another export: nobody to tell.
        Err(ExportError::Output { .. }) | Err(ExportError::Csv(_)) if pieces.is_closed() => {}
        Err(e @ (ExportError::InvertedRange { .. } | ExportError::DateOutOfRange(_))) => {
            refuse(ErrorCode::InvalidField, e.to_string());
        }
        Err(e @ ExportError::UnknownStore(_)) => refuse(ErrorCode::UnknownStore, e.to_string()),
        Err(e) => {
            tracing::error!("an export over the link failed: {e}");
            refuse(
                ErrorCode::Internal,
                "the server could not write this report".into(),
            );
        }
    }
}

fn request_of(asked: ExportAsked) -> Result<export::Request, String> {
    Ok(export::Request {
        kind: match asked.kind {
            ExportKind::Audit => export::Kind::Audit,
            ExportKind::Orders => export::Kind::Orders,
            ExportKind::Summary => export::Kind::Summary,
            ExportKind::Hourly => export::Kind::Hourly,
        },
        from: export::range::parse_date(&asked.from)?,
        to: export::range::parse_date(&asked.to)?,
        stores: asked.stores,
        delimiter: match asked.delimiter {
            ExportDelimiter::Comma => export::Delimiter::Comma,
            ExportDelimiter::Semicolon => export::Delimiter::Semicolon,
        },
    })
}

/// Cuts the report's bytes into pieces of whole UTF-8 characters, each at most
/// [`PIECE_ESCAPED_BYTES`] once JSON-escaped, and sends each as it fills.
struct PieceWriter<'a> {
    pieces: &'a mpsc::Sender<Piece>,
    /// Whole characters not sent yet.
    text: String,
    /// `text`'s length once JSON-escaped.
    escaped: usize,
    /// The start of a character split across two writes.
    partial: Vec<u8>,
}

impl<'a> PieceWriter<'a> {
    fn new(pieces: &'a mpsc::Sender<Piece>) -> Self {
        PieceWriter {
            pieces,
            text: String::new(),
            escaped: 0,
            partial: Vec::new(),
        }
    }

    fn send(&mut self, piece: Piece) -> std::io::Result<()> {
        self.escaped = 0;
        self.pieces
            .blocking_send(piece)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "export stopped"))
    }

    /// Sends what is left as the last piece.
    fn finish(mut self, rows: u64) {
        let data = std::mem::take(&mut self.text);
        let _ = self.send(Piece::Done { data, rows });
    }

    fn push(&mut self, c: char) -> std::io::Result<()> {
        let escaped = escaped_len(c);
        if self.escaped + escaped > PIECE_ESCAPED_BYTES {
            let data = std::mem::take(&mut self.text);
            self.send(Piece::Data(data))?;
        }
        self.text.push(c);
        self.escaped += escaped;
        Ok(())
    }
}

impl Write for PieceWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.partial.extend_from_slice(bytes);
        let whole = match std::str::from_utf8(&self.partial) {
            Ok(text) => text.len(),
            // An incomplete character at the end waits for the next write.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "a report is not UTF-8",
                ));
            }
        };
        let rest = self.partial.split_off(whole);
        let done = std::mem::replace(&mut self.partial, rest);
        let text = String::from_utf8(done)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        for c in text.chars() {
            self.push(c)?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How many bytes `c` takes inside a JSON string.
fn escaped_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_lengths_match_serde_json() {
        for c in [
            'a', 'ñ', '€', '😀', '"', '\\', '\n', '\t', '\u{1}', '\u{1f}', '\u{feff}',
        ] {
            let json = serde_json::to_string(&c.to_string()).expect("a string serialises");
            assert_eq!(escaped_len(c), json.len() - 2, "{c:?}");
        }
    }

    #[test]
    fn pieces_hold_whole_characters_and_fit() {
        let (sender, mut receiver) = mpsc::channel(1_000);
        let text = "ñandú \"café\"\n".repeat(10_000);
        let mut writer = PieceWriter::new(&sender);
        // Writes split in the middle of characters, as a buffered writer may.
        for chunk in text.as_bytes().chunks(7) {
            writer.write_all(chunk).expect("written");
        }
        writer.finish(3);
        drop(sender);
        let mut joined = String::new();
        let mut last_done = false;
        while let Some(piece) = receiver.blocking_recv() {
            let (data, done) = match piece {
                Piece::Data(data) => (data, false),
                Piece::Done { data, rows } => {
                    assert_eq!(rows, 3);
                    (data, true)
                }
                Piece::Refused(..) => panic!("refused"),
            };
            let json = serde_json::to_string(&data).expect("a string serialises");
            assert!(json.len() - 2 <= PIECE_ESCAPED_BYTES, "{}", json.len());
            joined.push_str(&data);
            last_done = done;
        }
        assert!(last_done);
        assert_eq!(joined, text);
    }
}
