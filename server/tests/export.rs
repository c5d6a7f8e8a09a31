//! CSV exports: what the files hold, compared with the event log the real server
//! wrote; spreadsheet safety; bad input; and the `export` command of the real binary.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;

use std::path::Path;

use chrono::{DateTime, Duration, Local, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use common::{Raw, enrol, start_site};
use packbell_server::Limits;
use packbell_server::db::{self, apply};
use packbell_server::export::{self, Delimiter, ExportError, Kind, Request, cell};
use packbell_shared::protocol::{Command, EventBody, Priority, Role, ServerMessage};

/// What a text cell may not start with once exported.
const TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r', '\n'];

/// Order numbers a hostile or careless office could type.
const HOSTILE_NUMBERS: &[&str] = &[
    "=1+2",
    "+x",
    "-x",
    "@SUM(A1)",
    "a;=1+2",
    "\"=HYPERLINK(\"\"x\"\")\"",
    "=HYPERLINK(\"x\")",
    "-5",
    "+34 600 000 000",
    "Ñandú café",
];

fn today() -> NaiveDate {
    Local::now().date_naive()
}

fn request(kind: Kind, from: NaiveDate, to: NaiveDate) -> Request {
    Request {
        kind,
        from,
        to,
        stores: Vec::new(),
        delimiter: Delimiter::Comma,
    }
}

/// The export as bytes, checked and written as the command does.
fn export_bytes(data_dir: &Path, request: &Request) -> Result<Vec<u8>, ExportError> {
    let conn = db::export::open_reader(data_dir)?;
    let checked = export::check(&conn, request)?;
    Ok(export::write(&conn, request, &checked, Vec::new())?.0)
}

/// Header and records of an export, after checking its byte order mark.
fn parse(bytes: &[u8], delimiter: u8) -> (Vec<String>, Vec<csv::StringRecord>) {
    let body = bytes
        .strip_prefix(cell::BYTE_ORDER_MARK)
        .expect("the file starts with a UTF-8 byte order mark");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(body);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let records = reader.records().collect::<Result<Vec<_>, _>>().unwrap();
    (header, records)
}

/// How exports show a time: local wall-clock time, ISO 8601, and its offset apart.
fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

fn utc_offset(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("UTC%:z").to_string()
}

/// Sends one command and returns its ack's order id.
async fn command(raw: &mut Raw, key: &str, command: Value) -> Option<u64> {
    raw.send(json!({"type": "command", "key": key, "command": command}))
        .await;
    match raw
        .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
        .await
    {
        ServerMessage::Ack { order_id, .. } => order_id,
        other => panic!("expected an ack for {key}, got {other:?}"),
    }
}

/// Every text cell is inert; the listed columns parse as numbers (or are empty).
fn assert_inert_with_numbers(header: &[String], records: &[csv::StringRecord], numeric: &[&str]) {
    for record in records {
        for (name, value) in header.iter().zip(record.iter()) {
            if numeric.contains(&name.as_str()) {
                assert!(
                    value.is_empty() || value.replace(',', ".").parse::<f64>().is_ok(),
                    "{name} = {value:?} is a number"
                );
            } else {
                assert!(!value.starts_with(TRIGGERS), "{name} = {value:?} is inert");
            }
        }
    }
}

#[tokio::test]
async fn the_audit_export_holds_every_event_the_server_logged_made_inert() {
    let site = start_site(Limits::default()).await;
    let (mut office, ..) = enrol(&site.server, Role::Office, "Oficina =cmd").await;
    let (mut warehouse, ..) = enrol(&site.server, Role::Warehouse, "Almacén").await;
    let mut order_ids = Vec::new();
    for (i, number) in HOSTILE_NUMBERS.iter().enumerate() {
        let id = command(
            &mut office,
            &format!("c{i}"),
            json!({"op": "create_order", "order_number": number, "store_id": site.store,
                   "note": "=HYPERLINK(\"http://x\")"}),
        )
        .await;
        order_ids.push(id.expect("an order id"));
    }
    for (i, id) in order_ids.iter().take(4).enumerate() {
        command(
            &mut warehouse,
            &format!("p{i}"),
            json!({"op": "pack_order", "order_id": id}),
        )
        .await;
    }
    command(
        &mut warehouse,
        "r0",
        json!({"op": "recall_order", "order_id": order_ids[0]}),
    )
    .await;
    command(
        &mut warehouse,
        "p0b",
        json!({"op": "pack_order", "order_id": order_ids[0]}),
    )
    .await;
    command(
        &mut office,
        "x5",
        json!({"op": "cancel_order", "order_id": order_ids[5], "reason": "-sin stock"}),
    )
    .await;

    let day = today();
    let wide = request(
        Kind::Audit,
        day.pred_opt().unwrap(),
        day.succ_opt().unwrap(),
    );
    let (header, records) = parse(&export_bytes(site.dir.path(), &wide).unwrap(), b',');
    assert_eq!(header, export::audit::HEADER);
    assert_inert_with_numbers(&header, &records, &["seq", "wait_seconds"]);

    let conn = db::export::open_reader(site.dir.path()).unwrap();
    let head = db::reader::head_seq(&conn).unwrap();
    let events = db::reader::events_between(&conn, 0, head, 10_000).unwrap();
    assert_eq!(records.len(), events.len(), "one row per event");
    let mut created = std::collections::HashMap::new();
    for (record, event) in records.iter().zip(&events) {
        assert_eq!(record[0], event.seq.to_string());
        assert_eq!(record[1], local_time(event.at));
        assert_eq!(record[10], utc_offset(event.at));
        assert_eq!(&record[2], apply::event_kind(&event.body));
        match &event.body {
            EventBody::OrderCreated {
                order_id,
                order_number,
                note,
                ..
            } => {
                created.insert(*order_id, event.at);
                assert_eq!(record[3], *cell::inert(order_number));
                assert_eq!(&record[4], "Centro");
                assert_eq!(&record[5], "normal");
                assert_eq!(&record[6], "Oficina =cmd");
                assert_eq!(&record[7], "office");
                assert_eq!(record[8], *cell::inert(note));
                assert_eq!(&record[9], "");
            }
            EventBody::OrderPacked { order_id } => {
                let wait = (event.at - created[order_id]).num_milliseconds() as f64 / 1000.0;
                let shown: f64 = record[9].parse().unwrap();
                assert!((shown - wait).abs() <= 0.051, "wait {shown} vs {wait}");
                assert_eq!(&record[6], "Almacén");
                assert_eq!(&record[7], "warehouse");
            }
            EventBody::OrderCancelled { reason, .. } => {
                assert_eq!(record[8], *cell::inert(reason));
                assert_eq!(&record[8], "'-sin stock");
            }
            _ => assert_eq!(&record[9], ""),
        }
    }
    let numbers: Vec<&str> = records.iter().map(|r| &r[3]).collect();
    for inert in [
        "'=1+2",
        "'+x",
        "'-x",
        "'@SUM(A1)",
        "a;=1+2",
        "'-5",
        "'=HYPERLINK(\"x\")",
    ] {
        assert!(numbers.contains(&inert), "{inert} in {numbers:?}");
    }
    assert!(
        numbers.contains(&"\"=HYPERLINK(\"\"x\"\")\""),
        "kept as text"
    );
    assert!(numbers.contains(&"Ñandú café"), "accents survive");
}

/// A site built through the same command functions the writer runs, on a clock the
/// test controls: three orders in "Ñandú" packed after 10, 20 and 65.5 seconds, one
/// cancelled and one pending in "Café".
fn seeded_site() -> (tempfile::TempDir, DateTime<Utc>) {
    let dir = tempfile::tempdir().unwrap();
    let conn = db::open(dir.path()).unwrap();
    let noon = Local
        .from_local_datetime(&today().and_hms_opt(12, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    let mut key = 0;
    let mut run = |command: Command, at: DateTime<Utc>| {
        key += 1;
        apply::command(&conn, 0, &format!("k{key}"), &command, at).unwrap()
    };
    let nandu = run(
        Command::AddStore {
            name: "Ñandú".into(),
        },
        noon,
    )
    .store_id
    .unwrap();
    let cafe = run(
        Command::AddStore {
            name: "Café".into(),
        },
        noon,
    )
    .store_id
    .unwrap();
    let create = |number: &str, store_id| Command::CreateOrder {
        order_number: number.into(),
        store_id,
        note: String::new(),
        priority: Priority::Rush,
        lines: Vec::new(),
    };
    for (i, wait_ms) in [10_000, 20_000, 65_500].into_iter().enumerate() {
        let at = noon + Duration::minutes(i as i64);
        let id = run(create(&format!("N{i}"), nandu), at).order_id.unwrap();
        run(
            Command::PackOrder { order_id: id },
            at + Duration::milliseconds(wait_ms),
        );
    }
    let cancelled = run(create("C1", cafe), noon).order_id.unwrap();
    run(
        Command::CancelOrder {
            order_id: cancelled,
            reason: "café frío".into(),
        },
        noon + Duration::seconds(5),
    );
    run(create("C2", cafe), noon + Duration::seconds(6));
    (dir, noon)
}

#[test]
fn the_summary_gives_counts_and_waits_per_store_and_in_total() {
    let (dir, _) = seeded_site();
    let (header, records) = parse(
        &export_bytes(dir.path(), &request(Kind::Summary, today(), today())).unwrap(),
        b',',
    );
    assert_eq!(header, export::summary::HEADER);
    let rows: Vec<Vec<&str>> = records.iter().map(|r| r.iter().collect()).collect();
    assert_eq!(
        rows,
        vec![
            vec!["Café", "2", "0", "1", "1", "", "", "", ""],
            vec!["Ñandú", "3", "3", "0", "0", "31.8", "20.0", "65.5", "65.5"],
            vec![
                "All stores",
                "5",
                "3",
                "1",
                "1",
                "31.8",
                "20.0",
                "65.5",
                "65.5"
            ],
        ]
    );
}

#[test]
fn a_summary_of_one_store_totals_that_stores_waits() {
    let (dir, _) = seeded_site();
    let mut one_store = request(Kind::Summary, today(), today());
    one_store.stores = vec!["Ñandú".to_owned()];
    let (_, records) = parse(&export_bytes(dir.path(), &one_store).unwrap(), b',');
    let rows: Vec<Vec<&str>> = records.iter().map(|r| r.iter().collect()).collect();
    let figures = ["3", "3", "0", "0", "31.8", "20.0", "65.5", "65.5"];
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][0], "Ñandú");
    assert_eq!(rows[0][1..], figures);
    assert_eq!(rows[1][0], "All stores");
    assert_eq!(rows[1][1..], figures);
}

#[test]
fn the_hourly_summary_groups_orders_by_local_hour_of_creation() {
    let dir = tempfile::tempdir().unwrap();
    let conn = db::open(dir.path()).unwrap();
    let at = |hour: u32, minute: u32| {
        Local
            .from_local_datetime(&today().and_hms_opt(hour, minute, 0).unwrap())
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    };
    let mut key = 0;
    let mut run = |command: Command, when: DateTime<Utc>| {
        key += 1;
        apply::command(&conn, 0, &format!("k{key}"), &command, when).unwrap()
    };
    let store_id = run(
        Command::AddStore {
            name: "Centro".into(),
        },
        at(8, 0),
    )
    .store_id
    .unwrap();
    // 09:05 and 09:55 packed after 30 s and 90 s; 14:30 packed after 60 s; 14:40 open.
    for (hour, minute, wait_s) in [
        (9, 5, Some(30)),
        (9, 55, Some(90)),
        (14, 30, Some(60)),
        (14, 40, None),
    ] {
        let created = at(hour, minute);
        let order_id = run(
            Command::CreateOrder {
                order_number: format!("H{hour}{minute}"),
                store_id,
                note: String::new(),
                priority: Priority::Normal,
                lines: Vec::new(),
            },
            created,
        )
        .order_id
        .unwrap();
        if let Some(wait_s) = wait_s {
            run(
                Command::PackOrder { order_id },
                created + Duration::seconds(wait_s),
            );
        }
    }
    let (header, records) = parse(
        &export_bytes(dir.path(), &request(Kind::Hourly, today(), today())).unwrap(),
        b',',
    );
    assert_eq!(header, export::summary::HOURLY_HEADER);
    let rows: Vec<Vec<&str>> = records.iter().map(|r| r.iter().collect()).collect();
    assert_eq!(
        rows,
        vec![
            vec!["09:00", "2", "2", "0", "0", "60.0", "60.0", "90.0", "90.0"],
            vec!["14:00", "2", "1", "0", "1", "60.0", "60.0", "60.0", "60.0"],
            vec![
                "All hours",
                "4",
                "3",
                "0",
                "1",
                "60.0",
                "60.0",
                "90.0",
                "90.0"
            ],
        ]
    );
}

#[test]
fn semicolon_mode_uses_decimal_commas_and_accents_round_trip() {
    let (dir, _) = seeded_site();
    let mut asked = request(Kind::Summary, today(), today());
    asked.delimiter = Delimiter::Semicolon;
    let bytes = export_bytes(dir.path(), &asked).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(text.starts_with("\u{FEFF}store;orders;"), "{text}");
    assert!(text.contains("Ñandú;3;3;0;0;31,8;20,0;65,5;65,5"), "{text}");
    let (_, records) = parse(&bytes, b';');
    assert_eq!(&records[0][0], "Café");

    asked.kind = Kind::Orders;
    let (header, records) = parse(&export_bytes(dir.path(), &asked).unwrap(), b';');
    assert_inert_with_numbers(&header, &records, &["order_id", "recalls", "wait_seconds"]);
    let cancelled = records.iter().find(|r| &r[2] == "C1").unwrap();
    assert_eq!((&cancelled[6], &cancelled[12]), ("cancelled", "café frío"));
    let slow = records.iter().find(|r| &r[2] == "N2").unwrap();
    assert_eq!((&slow[3], &slow[6], &slow[10]), ("Ñandú", "packed", "65,5"));
}

#[test]
fn the_orders_export_has_one_row_per_order_with_its_outcome() {
    let (dir, noon) = seeded_site();
    let (header, records) = parse(
        &export_bytes(dir.path(), &request(Kind::Orders, today(), today())).unwrap(),
        b',',
    );
    assert_eq!(header, export::orders::HEADER);
    let numbers: Vec<&str> = records.iter().map(|r| &r[2]).collect();
    assert_eq!(numbers, ["N0", "N1", "N2", "C1", "C2"]);
    let first = &records[0];
    assert_eq!(&first[1], local_time(noon));
    assert_eq!(&first[7], local_time(noon + Duration::seconds(10)));
    assert_eq!(&first[13], utc_offset(noon));
    assert_eq!((&first[8], &first[9], &first[10]), ("server", "0", "10.0"));
    let pending = &records[4];
    assert_eq!(
        (&pending[6], &pending[7], &pending[10]),
        ("pending", "", "")
    );
}

#[test]
fn a_store_filter_keeps_only_that_stores_rows() {
    let (dir, _) = seeded_site();
    let mut asked = request(Kind::Audit, today(), today());
    asked.stores = vec!["café".into()];
    let (_, records) = parse(&export_bytes(dir.path(), &asked).unwrap(), b',');
    let stores: Vec<&str> = records.iter().map(|r| &r[4]).collect();
    assert_eq!(
        stores,
        ["Café", "Café", "Café", "Café"],
        "added, created, cancelled, created"
    );
}

#[test]
fn control_characters_from_stored_data_come_out_inert() {
    let (dir, _) = seeded_site();
    // Commands refuse control characters; data from elsewhere (an old version, a hand
    // edit) may still hold them.
    let conn = rusqlite::Connection::open(dir.path().join("packbell.sqlite3")).unwrap();
    conn.execute(
        "UPDATE stores SET name = char(9) || 'x' WHERE name = 'Ñandú'",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE orders SET order_number = char(13) || 'x' WHERE order_number = 'N0'",
        [],
    )
    .unwrap();
    let (header, records) = parse(
        &export_bytes(dir.path(), &request(Kind::Orders, today(), today())).unwrap(),
        b',',
    );
    assert_inert_with_numbers(&header, &records, &["order_id", "recalls", "wait_seconds"]);
    assert_eq!((&records[0][2], &records[0][3]), ("'\rx", "'\tx"));
}

#[test]
fn an_empty_range_gives_the_header_only() {
    let (dir, _) = seeded_site();
    let long_ago = NaiveDate::from_ymd_opt(2001, 1, 1).unwrap();
    for (kind, header) in [
        (Kind::Audit, export::audit::HEADER),
        (Kind::Orders, export::orders::HEADER),
    ] {
        let bytes = export_bytes(dir.path(), &request(kind, long_ago, long_ago)).unwrap();
        let expected = format!("\u{FEFF}{}\n", header.join(","));
        assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    }
}

#[test]
fn an_inverted_range_or_an_unknown_store_is_refused_by_name() {
    let (dir, _) = seeded_site();
    let inverted = request(Kind::Audit, today(), today().pred_opt().unwrap());
    let error = export_bytes(dir.path(), &inverted).unwrap_err();
    assert!(
        matches!(error, ExportError::InvertedRange { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("inverted"), "{error}");
    let mut unknown = request(Kind::Audit, today(), today());
    unknown.stores = vec!["Ñandú".into(), "Nowhere".into()];
    let error = export_bytes(dir.path(), &unknown).unwrap_err();
    assert!(error.to_string().contains("\"Nowhere\""), "{error}");
}

fn run_export(data_dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_packbell-server"))
        .args(["--data-dir", &data_dir.display().to_string(), "export"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_export_command_writes_a_whole_file_while_the_server_runs_and_refuses_bad_input() {
    let (dir, _) = seeded_site();
    let site = packbell_server::testing::TestSite::start(dir.path());
    site.add_store("Nueva");
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("audit.csv");
    let day = today().to_string();
    let output = run_export(
        dir.path(),
        &[
            "--kind",
            "audit",
            "--from",
            &day,
            "--to",
            &day,
            "--out",
            &out.display().to_string(),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (_, records) = parse(&std::fs::read(&out).unwrap(), b',');
    let kinds: Vec<&str> = records.iter().map(|r| &r[2]).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "order_packed").count(), 3);
    assert_eq!(
        kinds.last(),
        Some(&"store_added"),
        "sees the running server's commits"
    );

    let stdout = run_export(
        dir.path(),
        &[
            "--kind",
            "summary",
            "--from",
            &day,
            "--to",
            &day,
            "--delimiter",
            "semicolon",
            "--out",
            "-",
        ],
    );
    assert!(stdout.status.success());
    assert!(
        String::from_utf8(stdout.stdout)
            .unwrap()
            .starts_with("\u{FEFF}store;orders")
    );

    let refused = out_dir.path().join("refused.csv");
    let refused_arg = refused.display().to_string();
    let unwritable = out_dir.path().join("missing-dir").join("x.csv");
    let unwritable_arg = unwritable.display().to_string();
    for (args, problem) in [
        (
            vec!["--from", &day, "--to", "2001-01-01", "--out", &refused_arg],
            "inverted",
        ),
        (
            vec!["--from", "2026-13-01", "--to", &day, "--out", &refused_arg],
            "YYYY-MM-DD",
        ),
        (
            vec![
                "--from",
                &day,
                "--to",
                &day,
                "--store",
                "Nowhere",
                "--out",
                &refused_arg,
            ],
            "Nowhere",
        ),
        (
            vec!["--from", &day, "--to", &day, "--out", &unwritable_arg],
            "cannot write",
        ),
    ] {
        let mut full = vec!["--kind", "orders"];
        full.extend(args);
        let output = run_export(dir.path(), &full);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{full:?} fails");
        assert!(stderr.contains(problem), "{full:?}: {stderr}");
    }
    // Each finished export is in the audit report after the events it could see;
    // the refused ones are not.
    let audit_dir = tempfile::tempdir().unwrap();
    let second = audit_dir.path().join("second.csv");
    let output = run_export(
        dir.path(),
        &[
            "--kind",
            "audit",
            "--from",
            &day,
            "--to",
            &day,
            "--out",
            &second.display().to_string(),
        ],
    );
    assert!(output.status.success());
    let (_, records) = parse(&std::fs::read(&second).unwrap(), b',');
    let exported: Vec<&csv::StringRecord> = records
        .iter()
        .filter(|r| &r[2] == "report_exported")
        .collect();
    assert_eq!(exported.len(), 2, "{records:?}");
    assert_eq!(
        records.len() - 2,
        records
            .iter()
            .position(|r| &r[2] == "report_exported")
            .unwrap(),
        "exports come after every event"
    );
    for (record, expected) in exported.iter().zip([
        format!("audit report, {day} to {day}, all stores"),
        format!("summary report, {day} to {day}, all stores"),
    ]) {
        assert_eq!(&record[0], "", "an export has no seq");
        assert!(record[6].starts_with("command line ("), "{record:?}");
        assert!(record[8].starts_with(&expected), "{record:?}");
    }
    assert!(exported[0][8].ends_with(&format!("to {}", out.display())));
    assert!(exported[1][8].ends_with("to standard output"));

    let empty_dir = tempfile::tempdir().unwrap();
    let output = run_export(
        empty_dir.path(),
        &[
            "--kind",
            "audit",
            "--from",
            &day,
            "--to",
            &day,
            "--out",
            &refused_arg,
        ],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no packbell database"));
    let left: Vec<_> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("audit.csv")],
        "nothing half-written"
    );
}
