//! Admin → Exports against a real in-process server over the real link: the file
//! written holds the seeded orders, a large report shows its progress while it
//! arrives, and Cancel leaves no file behind.

mod common;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, NaiveTime, TimeZone, Utc};
use common::site::{NET_WAIT, Site, paired_office};
use common::{App, frames, step_until, with_model};
use egui_kittest::kittest::Queryable as _;
use packbell_office::model::Stage;
use packbell_server::ServerConfig;
use packbell_server::db;
use packbell_shared::protocol::{ExportKind, Role};

/// Orders of the small report: every row can be compared.
const FEW_ORDERS: u64 = 25;
/// The large reports' day: old enough that its orders are not in the snapshot.
const LARGE_REPORT_DAYS_AGO: u64 = 2;
/// Orders of the large report: two events each, so the audit report needs many
/// pieces (each asked for after the last one is written).
const MANY_ORDERS: u64 = 3_000;

struct World {
    _dir: tempfile::TempDir,
    site: Site,
    app: App<'static>,
    out: PathBuf,
    /// The server's local day the orders were created on.
    day: String,
}

/// A server whose log holds `orders` packed orders from 00:30 (the server's local
/// time) `days_ago` on, and an admin office showing Admin → Exports for that day.
/// Large reports are of days past: the office's orders list then stays short.
fn world(orders: u64, days_ago: u64) -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let server_dir = dir.path().join("server");
    std::fs::create_dir_all(&server_dir).expect("server dir");
    let start = half_past_midnight(days_ago);
    let mut conn = db::open(&server_dir).expect("db");
    db::export::seed_packed_orders(&mut conn, orders, start).expect("seeded");
    drop(conn);
    let mut config = ServerConfig::for_tests(server_dir);
    config.site = "Tienda Sol".into();
    let site = Site::start_with(config, 0);
    let mut app = paired_office(&site, &dir.path().join("office"), Role::Admin, "Oficina");
    let out = dir.path().join("reports");
    app.state().set_export_folder(out.clone());
    app.get_by_label("Admin").click();
    frames(&mut app, 2);
    app.get_by_label("Exports").click();
    frames(&mut app, 2);
    let day = start.with_timezone(&Local).format("%Y-%m-%d").to_string();
    with_model(&app, |m| {
        m.exports.form.from = day.clone();
        m.exports.form.to = day.clone();
    });
    World {
        _dir: dir,
        site,
        app,
        out,
        day,
    }
}

fn half_past_midnight(days_ago: u64) -> DateTime<Utc> {
    let half_past = NaiveTime::from_hms_opt(0, 30, 0).expect("a time");
    let day = Local::now()
        .date_naive()
        .checked_sub_days(chrono::Days::new(days_ago))
        .expect("a day");
    Local
        .from_local_datetime(&day.and_time(half_past))
        .earliest()
        .expect("a local time")
        .with_timezone(&Utc)
}

fn choose_kind(app: &mut App<'_>, kind: ExportKind) {
    with_model(app, |m| m.exports.form.kind = kind);
    frames(app, 1);
}

fn press_export(app: &mut App<'_>) {
    app.get_by_label("Export CSV…").click();
    frames(app, 1);
}

fn stage(app: &App<'_>) -> Option<Stage> {
    with_model(app, |m| {
        m.exports.transfer.as_ref().map(|t| t.stage.clone())
    })
}

/// The data rows of a CSV report, header first.
fn read_report(path: &Path) -> Vec<csv::StringRecord> {
    let text = std::fs::read_to_string(path).expect("the report is there");
    let text = text
        .strip_prefix('\u{feff}')
        .expect("the report starts with the byte order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|record| record.expect("a valid CSV record"))
        .collect()
}

fn files_in(folder: &Path) -> Vec<String> {
    match std::fs::read_dir(folder) {
        Ok(entries) => entries
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn the_orders_report_lands_in_the_exports_folder_with_the_seeded_orders() {
    let World {
        mut app,
        out,
        day,
        site: _site,
        _dir,
    } = world(FEW_ORDERS, 0);
    choose_kind(&mut app, ExportKind::Orders);
    press_export(&mut app);
    step_until(&mut app, "the report saved", NET_WAIT, |m| {
        matches!(
            m.exports.transfer.as_ref().map(|t| &t.stage),
            Some(Stage::Done { .. })
        )
    });
    let path = out.join(format!("packbell-orders-{day}_{day}.csv"));
    assert_eq!(files_in(&out), [format!("packbell-orders-{day}_{day}.csv")]);
    let records = read_report(&path);
    let header = &records[0];
    let number_column = header
        .iter()
        .position(|h| h == "order_number")
        .expect("an order_number column");
    let store_column = header.iter().position(|h| h == "store").expect("store");
    let mut numbers: Vec<String> = records[1..]
        .iter()
        .map(|r| r[number_column].to_owned())
        .collect();
    numbers.sort();
    let mut seeded: Vec<String> = (0..FEW_ORDERS).map(|n| format!("B-{n}")).collect();
    seeded.sort();
    assert_eq!(numbers, seeded);
    assert!(records[1..].iter().all(|r| &r[store_column] == "Centro"));
    assert_eq!(
        stage(&app),
        Some(Stage::Done {
            rows: FEW_ORDERS,
            bytes: std::fs::metadata(&path).expect("size").len(),
        })
    );
    assert!(
        app.query_by_label_contains(&format!("Saved {FEW_ORDERS} rows to"))
            .is_some()
    );
}

#[test]
fn a_large_report_shows_its_progress_before_it_is_saved() {
    let World {
        mut app,
        out,
        day,
        site: _site,
        _dir,
    } = world(MANY_ORDERS, LARGE_REPORT_DAYS_AGO);
    choose_kind(&mut app, ExportKind::Audit);
    press_export(&mut app);
    let mut progress_shown = 0;
    let deadline = std::time::Instant::now() + NET_WAIT;
    while !matches!(stage(&app), Some(Stage::Done { .. })) {
        assert!(std::time::Instant::now() < deadline, "not saved in time");
        app.step();
        if app.query_by_label_contains("MB so far").is_some() {
            progress_shown += 1;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(progress_shown > 0, "no frame showed the progress");
    let records = read_report(&out.join(format!("packbell-audit-{day}_{day}.csv")));
    let created = records[1..]
        .iter()
        .filter(|r| &r[2] == "order_created")
        .count() as u64;
    let packed = records[1..]
        .iter()
        .filter(|r| &r[2] == "order_packed")
        .count() as u64;
    assert_eq!((created, packed), (MANY_ORDERS, MANY_ORDERS));
}

#[test]
fn cancel_during_a_large_report_leaves_no_file() {
    let World {
        mut app,
        out,
        site: _site,
        _dir,
        ..
    } = world(MANY_ORDERS, LARGE_REPORT_DAYS_AGO);
    choose_kind(&mut app, ExportKind::Audit);
    press_export(&mut app);
    step_until(&mut app, "the first pieces", NET_WAIT, |m| {
        matches!(
            m.exports.transfer.as_ref().map(|t| &t.stage),
            Some(Stage::Receiving(progress)) if progress.rows > 0 && progress.unwritten == 0
        )
    });
    assert!(!files_in(&out).is_empty(), "the temporary file is written");
    app.get_by_label("Cancel export").click();
    step_until(&mut app, "the temporary file removed", NET_WAIT, |m| {
        matches!(
            m.exports.transfer.as_ref().map(|t| &t.stage),
            Some(Stage::Cancelled { cleaned: true })
        )
    });
    assert_eq!(files_in(&out), Vec::<String>::new());
    assert!(app.query_by_label_contains("Export cancelled").is_some());
}
