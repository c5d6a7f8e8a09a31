//! The export's states: asked, receiving (one piece asked for at a time, only once the
//! last is written), done, failed or cancelled with the temporary file removed.

use super::*;

fn exports() -> Exports {
    let mut exports = Exports {
        folder: Some(PathBuf::from("/exports")),
        ..Exports::default()
    };
    exports.form.from = "2026-03-01".into();
    exports.form.to = "2026-03-02".into();
    exports
}

fn name(id: StoreId) -> String {
    format!("store-{id}")
}

fn started() -> (Exports, u32) {
    let mut exports = exports();
    exports.form.stores.insert(7);
    exports
        .start(true, name, ExportDelimiter::Comma)
        .expect("a valid form");
    let id = exports.transfer.as_ref().expect("a transfer").export_id;
    (exports, id)
}

fn stage(exports: &Exports) -> Stage {
    exports.transfer.as_ref().expect("a transfer").stage.clone()
}

const PART: &str = "/exports/.packbell-orders-2026-03-01_2026-03-02.csv.part";
const FILE: &str = "/exports/packbell-orders-2026-03-01_2026-03-02.csv";

#[test]
fn start_asks_for_the_chosen_range_stores_and_separator() {
    let (mut exports, id) = started();
    assert!(matches!(
        exports.take_requests().as_slice(),
        [LinkRequest::ExportStart {
            export_id,
            kind: ExportKind::Orders,
            from,
            to,
            stores,
            delimiter: ExportDelimiter::Comma,
        }] if *export_id == id && from == "2026-03-01" && to == "2026-03-02" && stores == &["store-7"]
    ));
    assert_eq!(stage(&exports), Stage::Requested);
}

#[test]
fn a_bad_form_asks_for_nothing_and_says_why() {
    let cases: [(&str, &str, &str, bool, FormProblem); 6] = [
        ("2026-13-01", "2026-03-02", "", true, FormProblem::FromDate),
        ("2026-03-01", "tomorrow", "", true, FormProblem::ToDate),
        ("2026-03-03", "2026-03-02", "", true, FormProblem::Inverted),
        (
            "2026-03-01",
            "2026-03-02",
            "../x.csv",
            true,
            FormProblem::FileName,
        ),
        (
            "2026-03-01",
            "2026-03-02",
            ".hidden",
            true,
            FormProblem::FileName,
        ),
        (
            "2026-03-01",
            "2026-03-02",
            "",
            false,
            FormProblem::NotConnected,
        ),
    ];
    for (from, to, file, connected, problem) in cases {
        let mut exports = exports();
        exports.form.from = from.into();
        exports.form.to = to.into();
        exports.form.file_name = file.into();
        assert_eq!(
            exports.start(connected, name, ExportDelimiter::Comma),
            Err(problem)
        );
        assert_eq!(exports.problem, Some(problem));
        assert!(exports.take_requests().is_empty());
        assert!(exports.transfer.is_none());
    }
}

#[test]
fn a_typed_name_gets_csv_and_the_default_name_follows_the_form() {
    let mut exports = exports();
    exports.form.file_name = "marzo".into();
    exports
        .start(true, name, ExportDelimiter::Semicolon)
        .expect("valid");
    let file = &exports.transfer.as_ref().expect("transfer").file;
    assert_eq!(file.path(), PathBuf::from("/exports/marzo.csv"));
    assert_eq!(file.part_path(), PathBuf::from("/exports/.marzo.csv.part"));
}

#[test]
fn the_next_piece_is_asked_for_only_once_the_last_is_written() {
    let (mut exports, id) = started();
    exports.take_requests();
    let header = "\u{feff}order_id,created,order_number\r\n";
    let rows = "1,2026-03-01T12:00:00+01:00,A-1\r\n2,2026-03-01T12:00:00+01:00,A-2\r\n";
    exports.on_piece(id, format!("{header}{rows}"), false, None);
    assert_eq!(
        exports.take_jobs(),
        [ExportJob::Append {
            export_id: id,
            part: PathBuf::from(PART),
            data: format!("{header}{rows}"),
            first: true,
        }]
    );
    let Stage::Receiving(progress) = stage(&exports) else {
        panic!("receiving");
    };
    assert_eq!(progress.rows, 2);
    // Noon of the first of two days: a quarter of the way.
    assert_eq!(progress.fraction, Some(0.25));
    assert!(exports.take_requests().is_empty(), "not written yet");
    exports.on_written(WriteOutcome::Appended { export_id: id });
    assert_eq!(
        exports.take_requests(),
        [LinkRequest::ExportNext { export_id: id }]
    );

    let last = "3,2026-03-02T00:00:00+01:00,A-3\r\n";
    exports.on_piece(id, last.into(), true, Some(3));
    let jobs = exports.take_jobs();
    assert!(
        matches!(&jobs[..], [ExportJob::Append { first: false, .. }, ExportJob::Finish { path, .. }] if path == &PathBuf::from(FILE))
    );
    exports.on_written(WriteOutcome::Appended { export_id: id });
    assert!(
        exports.take_requests().is_empty(),
        "that was the last piece"
    );
    exports.on_written(WriteOutcome::Finished { export_id: id });
    let bytes = (header.len() + rows.len() + last.len()) as u64;
    assert_eq!(stage(&exports), Stage::Done { rows: 3, bytes });
}

#[test]
fn cancel_tells_the_server_removes_the_temporary_file_and_ignores_late_pieces() {
    let (mut exports, id) = started();
    exports.take_requests();
    exports.on_piece(id, "\u{feff}h\r\n1\r\n".into(), false, None);
    exports.take_jobs();
    exports.cancel();
    assert_eq!(
        exports.take_requests(),
        [LinkRequest::ExportCancel { export_id: id }]
    );
    assert_eq!(
        exports.take_jobs(),
        [ExportJob::Discard {
            export_id: id,
            part: PathBuf::from(PART)
        }]
    );
    assert_eq!(stage(&exports), Stage::Cancelled { cleaned: false });
    exports.on_piece(id, "2\r\n".into(), true, Some(2));
    exports.on_written(WriteOutcome::Appended { export_id: id });
    assert!(exports.take_jobs().is_empty());
    assert!(exports.take_requests().is_empty());
    exports.on_written(WriteOutcome::Discarded { export_id: id });
    assert_eq!(stage(&exports), Stage::Cancelled { cleaned: true });
}

#[test]
fn a_refusal_a_write_error_or_a_lost_connection_fails_and_cleans_up() {
    let (mut exports, id) = started();
    exports.on_refused(id, ErrorCode::UnknownStore, "no store".into());
    assert!(matches!(
        stage(&exports),
        Stage::Failed {
            problem: ExportProblem::Server(ErrorCode::UnknownStore, _),
            cleaned: false
        }
    ));
    assert!(matches!(
        exports.take_jobs().as_slice(),
        [ExportJob::Discard { .. }]
    ));

    let (mut exports, id) = started();
    exports.take_requests();
    exports.on_piece(id, "\u{feff}h\r\n".into(), false, None);
    exports.take_jobs();
    exports.on_written(WriteOutcome::Failed {
        export_id: id,
        error: "disk full".into(),
    });
    assert_eq!(
        exports.take_requests(),
        [LinkRequest::ExportCancel { export_id: id }]
    );
    assert!(matches!(
        stage(&exports),
        Stage::Failed {
            problem: ExportProblem::Write(_),
            ..
        }
    ));
    assert!(matches!(
        exports.take_jobs().as_slice(),
        [ExportJob::Discard { .. }]
    ));

    let (mut exports, _) = started();
    exports.on_disconnected();
    assert!(matches!(
        stage(&exports),
        Stage::Failed {
            problem: ExportProblem::ConnectionLost,
            ..
        }
    ));
}

#[test]
fn a_second_start_while_one_runs_asks_for_nothing() {
    let (mut exports, id) = started();
    exports.take_requests();
    exports
        .start(true, name, ExportDelimiter::Comma)
        .expect("valid");
    assert!(exports.take_requests().is_empty());
    assert_eq!(exports.transfer.as_ref().map(|t| t.export_id), Some(id));
}
