//! The daily reports against a database the real server wrote, with the clock given:
//! a day's files appear once, missed days are caught up, old files are pruned.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;

use std::path::Path;

use chrono::{Days, Local, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::json;

use common::{enrol, start_site};
use packbell_server::Limits;
use packbell_server::db;
use packbell_server::export::daily::{self, DailyReports};
use packbell_server::export::{self, cell};
use packbell_shared::protocol::{Role, ServerMessage};

fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// Local time `time` on `day`.
fn on(day: NaiveDate, time: &str) -> NaiveDateTime {
    day.and_time(NaiveTime::parse_from_str(time, "%H:%M").unwrap())
}

/// Data rows of a report file (its header and byte order mark checked).
fn data_rows(path: &Path, header: &[&str]) -> Vec<csv::StringRecord> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes.strip_prefix(cell::BYTE_ORDER_MARK).unwrap();
    let mut reader = csv::Reader::from_reader(body);
    assert_eq!(reader.headers().unwrap(), header);
    reader.records().collect::<Result<_, _>>().unwrap()
}

fn report_files(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_days_reports_appear_once_missed_days_are_caught_up_and_old_ones_pruned() {
    let site = start_site(Limits::default()).await;
    let (mut office, ..) = enrol(&site.server, Role::Office, "Oficina").await;
    for (i, number) in ["D-1", "D-2", "D-3"].iter().enumerate() {
        office
            .send(json!({"type": "command", "key": format!("c{i}"), "command":
                {"op": "create_order", "order_number": number, "store_id": site.store}}))
            .await;
        let ack = office
            .recv_until(|m| matches!(m, ServerMessage::Ack { .. }))
            .await;
        assert!(matches!(ack, ServerMessage::Ack { .. }), "{ack:?}");
    }
    let reports = tempfile::tempdir().unwrap();
    let config = DailyReports::in_folder(reports.path().join("reports"));
    let conn = db::export::open_reader(site.dir.path()).unwrap();
    let day = today();
    let next_day = day + Days::new(1);

    // Before 06:00 the next morning nothing of today is due yet.
    let early = daily::run_due(&conn, &config, on(next_day, "05:59")).unwrap();
    assert!(early.written.is_empty(), "{early:?}");

    let first = daily::run_due(&conn, &config, on(next_day, "06:00")).unwrap();
    let expected: Vec<String> = ["audit", "orders", "summary"]
        .iter()
        .map(|kind| daily::file_name(day, kind))
        .collect();
    assert_eq!(report_files(&config.folder), expected);
    assert_eq!(first.written.len(), 3);
    let orders = data_rows(
        &config.folder.join(daily::file_name(day, "orders")),
        export::orders::HEADER,
    );
    let numbers: Vec<&str> = orders.iter().map(|r| &r[2]).collect();
    assert_eq!(numbers.len(), 3, "{orders:?}");
    for number in ["D-1", "D-2", "D-3"] {
        assert!(numbers.iter().any(|n| n.ends_with(number)), "{numbers:?}");
    }
    let audit = data_rows(
        &config.folder.join(daily::file_name(day, "audit")),
        export::audit::HEADER,
    );
    assert!(audit.len() >= 3, "{audit:?}");

    // A second run the same morning writes nothing again.
    let again = daily::run_due(&conn, &config, on(next_day, "07:00")).unwrap();
    assert!(again.written.is_empty(), "{again:?}");

    // The server was off for three days: every missed day is written at start, the
    // empty ones as header-only files, and a deleted file of today comes back.
    std::fs::remove_file(config.folder.join(daily::file_name(day, "summary"))).unwrap();
    let later = day + Days::new(3);
    let caught_up = daily::run_due(&conn, &config, on(later, "09:00")).unwrap();
    let mut written: Vec<String> = caught_up
        .written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected = vec![daily::file_name(day, "summary")];
    for offset in [1, 2] {
        for kind in ["audit", "orders", "summary"] {
            expected.push(daily::file_name(day + Days::new(offset), kind));
        }
    }
    expected.sort();
    assert_eq!(written, expected);
    let empty_day = config
        .folder
        .join(daily::file_name(day + Days::new(1), "orders"));
    assert!(data_rows(&empty_day, export::orders::HEADER).is_empty());

    // Retention: files of days more than 90 days old go, other files stay.
    let old = config
        .folder
        .join(daily::file_name(later - Days::new(91), "audit"));
    let kept_old = config
        .folder
        .join(daily::file_name(later - Days::new(90), "audit"));
    let stranger = config.folder.join("notes for the accountant.csv");
    for path in [&old, &kept_old, &stranger] {
        std::fs::write(path, "x").unwrap();
    }
    let pruned = daily::run_due(&conn, &config, on(later, "10:00")).unwrap();
    assert_eq!(pruned.pruned, vec![old.clone()]);
    assert!(!old.exists());
    assert!(kept_old.exists() && stranger.exists());
}

#[tokio::test]
async fn a_new_site_has_no_daily_reports_to_write() {
    let site = start_site(Limits::default()).await;
    let reports = tempfile::tempdir().unwrap();
    let config = DailyReports::in_folder(reports.path().to_owned());
    let conn = db::export::open_reader(site.dir.path()).unwrap();
    // The test site seeds a store, so it has a first event today; nothing before it
    // is ever written, however long ago the clock says the server was off.
    let outcome = daily::run_due(&conn, &config, on(today(), "23:00")).unwrap();
    assert!(outcome.written.is_empty(), "{outcome:?}");
}
