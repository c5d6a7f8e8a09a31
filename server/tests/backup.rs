//! Backups of the server database: online copies checked after writing, the daily
//! job with the clock given, retention, the backup made before a schema upgrade,
//! restore refused while a server runs, and a backup restored into a fresh data dir
//! that a paired client catches up from over real sockets.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod link_support;

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rusqlite::{Connection, OpenFlags};

use link_support::*;
use packbell_server::backup::{self, daily, lock, restore::RestoreError};
use packbell_server::db::backup::files::{self, Kind};
use packbell_server::db::backup::{BackupError, online, schema_version};
use packbell_server::db::{self, schema};
use packbell_server::identity::Identity;
use packbell_server::{RunningServer, ServerConfig};
use packbell_shared::link::LinkEvent;
use packbell_shared::protocol::{EventBody, OrderStatus, Role};

fn read_only(path: &Path) -> Connection {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

fn events_in(path: &Path) -> u64 {
    db::status::site_counts(&read_only(path)).unwrap().events
}

fn on(day: NaiveDate, time: &str) -> NaiveDateTime {
    day.and_time(NaiveTime::parse_from_str(time, "%H:%M").unwrap())
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn daily_backups(data_dir: &Path) -> Vec<(NaiveDateTime, PathBuf)> {
    files::list(&files::folder(data_dir), Kind::Daily).unwrap()
}

#[test]
fn a_backup_taken_while_the_server_runs_is_whole_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start(dir.path());
    for name in ["Centro", "Norte", "Sur"] {
        site.add_store(name);
    }
    let out = dir.path().join("copy.sqlite3");
    let bytes = backup::backup_to_file(dir.path(), &out).unwrap();
    assert!(bytes > 0);
    online::check_integrity(&out).unwrap();
    assert_eq!(
        events_in(&out),
        3,
        "the three stores' events are in the copy"
    );
    let copy = read_only(&out);
    assert_eq!(
        schema_version(&copy).unwrap(),
        schema::latest_version(),
        "the copy carries the schema version"
    );
    let journal: String = copy
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(
        journal, "delete",
        "a backup is one file, not a WAL database"
    );

    let again = backup::backup_to_file(dir.path(), &out).unwrap_err();
    assert!(matches!(again, BackupError::Exists(_)), "{again}");
}

#[test]
fn the_daily_job_makes_one_backup_per_day_and_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    drop(db::open(dir.path()).unwrap());
    let config = daily::DailyBackups { keep: 3 };
    let first = day("2026-03-01");

    let made = daily::run_due(dir.path(), &config, on(first, "10:00")).unwrap();
    assert!(made.written.is_some(), "{made:?}");
    let later_that_day = daily::run_due(dir.path(), &config, on(first, "23:59")).unwrap();
    assert_eq!(later_that_day, daily::DailyOutcome::default());
    assert_eq!(daily_backups(dir.path()).len(), 1);

    for offset in 1..6 {
        let next = first + chrono::Days::new(offset);
        let run = daily::run_due(dir.path(), &config, on(next, "00:01")).unwrap();
        assert!(run.written.is_some(), "day {next}: {run:?}");
    }
    let kept: Vec<NaiveDate> = daily_backups(dir.path())
        .iter()
        .map(|(at, _)| at.date())
        .collect();
    assert_eq!(
        kept,
        vec![day("2026-03-04"), day("2026-03-05"), day("2026-03-06")],
        "the newest three are kept"
    );
    for (_, path) in daily_backups(dir.path()) {
        online::check_integrity(&path).unwrap();
    }
}

#[test]
fn pruning_leaves_other_files_and_removes_half_written_copies() {
    let dir = tempfile::tempdir().unwrap();
    drop(db::open(dir.path()).unwrap());
    let folder = files::folder(dir.path());
    std::fs::create_dir_all(&folder).unwrap();
    let stranger = folder.join("notes.txt");
    std::fs::write(&stranger, "mine").unwrap();
    let half = folder.join(format!(
        "{}.partial",
        files::daily_name(on(day("2026-01-01"), "00:00"))
    ));
    std::fs::write(&half, "half a copy").unwrap();

    let run = daily::run_due(
        dir.path(),
        &daily::DailyBackups { keep: 1 },
        on(day("2026-03-01"), "09:00"),
    )
    .unwrap();
    assert_eq!(run.pruned, vec![half.clone()]);
    assert!(stranger.exists() && !half.exists());
}

#[test]
fn upgrading_an_old_database_backs_it_up_first() {
    let dir = tempfile::tempdir().unwrap();
    let old_version = 2;
    {
        let mut conn = Connection::open(db::db_path(dir.path())).unwrap();
        schema::migrate_to_version(&mut conn, old_version).unwrap();
    }
    assert!(
        schema::latest_version() > old_version as i64,
        "there is an upgrade to make"
    );

    let conn = db::open(dir.path()).unwrap();
    assert_eq!(schema_version(&conn).unwrap(), schema::latest_version());
    let before = files::list(&files::folder(dir.path()), Kind::BeforeUpgrade).unwrap();
    assert_eq!(before.len(), 1, "{before:?}");
    let (_, path) = &before[0];
    online::check_integrity(path).unwrap();
    assert_eq!(
        schema_version(&read_only(path)).unwrap(),
        old_version as i64
    );
    assert!(
        path.file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .contains("before-upgrade-from-2-"),
        "{path:?}"
    );
    drop(conn);

    drop(db::open(dir.path()).unwrap());
    let after_reopen = files::list(&files::folder(dir.path()), Kind::BeforeUpgrade).unwrap();
    assert_eq!(
        after_reopen.len(),
        1,
        "a current database is not backed up on open"
    );
}

#[test]
fn restore_refuses_while_a_server_runs_and_keeps_the_replaced_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = Site::start(dir.path());
    site.add_store("Centro");
    let saved = dir.path().join("saved.sqlite3");
    backup::backup_to_file(dir.path(), &saved).unwrap();
    site.add_store("Norte");

    let refused = backup::restore::restore(dir.path(), &saved).unwrap_err();
    assert!(
        matches!(refused, RestoreError::Locked(lock::LockError::Held { .. })),
        "{refused}"
    );
    assert!(refused.to_string().contains("stop it first"), "{refused}");

    site.stop();
    let restored = backup::restore::restore(dir.path(), &saved).unwrap();
    let aside = restored.replaced.expect("the old database is kept aside");
    assert!(
        aside
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .contains(".replaced-"),
        "{aside:?}"
    );
    assert_eq!(
        events_in(&aside),
        2,
        "the replaced database still opens, whole"
    );
    assert_eq!(
        events_in(&db::db_path(dir.path())),
        1,
        "the backup's one store"
    );
}

#[test]
fn a_damaged_backup_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let site_dir = dir.path().join("server");
    drop(db::open(&site_dir).unwrap());
    let good = dir.path().join("good.sqlite3");
    backup::backup_to_file(&site_dir, &good).unwrap();

    let damaged = dir.path().join("damaged.sqlite3");
    let mut bytes = std::fs::read(&good).unwrap();
    let page = 4096;
    assert!(
        bytes.len() > 2 * page,
        "the database has more than one page"
    );
    for byte in &mut bytes[page..2 * page] {
        *byte = 0xA5;
    }
    std::fs::write(&damaged, bytes).unwrap();
    let not_a_database = dir.path().join("notes.txt");
    std::fs::write(
        &not_a_database,
        "just some text, long enough to look like a file",
    )
    .unwrap();

    for bad in [&damaged, &not_a_database] {
        let refused = backup::restore::restore(&site_dir, bad).unwrap_err();
        assert!(
            matches!(refused, RestoreError::Backup(BackupError::Damaged { .. })),
            "{bad:?}: {refused}"
        );
    }
    let missing = backup::restore::restore(&site_dir, &dir.path().join("nowhere")).unwrap_err();
    assert!(
        matches!(missing, RestoreError::Backup(BackupError::Io { .. })),
        "{missing}"
    );
    let left: Vec<_> = std::fs::read_dir(&site_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.contains("replaced") || name.contains("restoring"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_second_server_on_the_same_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _site = Site::start(dir.path());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let second = runtime.block_on(RunningServer::start(ServerConfig::for_tests(
        dir.path().to_owned(),
    )));
    let error = format!("{:#}", second.err().expect("the second server is refused"));
    assert!(error.contains("a packbell server is running"), "{error}");
}

#[test]
fn the_command_line_backs_up_a_running_server_and_refuses_to_restore_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start(dir.path());
    site.add_store("Centro");
    let out = dir.path().join("cli.sqlite3");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_packbell-server"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let backed_up = run(&["backup", "--out", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&backed_up.stderr);
    assert!(backed_up.status.success(), "{stderr}");
    assert!(stderr.contains("integrity checked"), "{stderr}");
    assert_eq!(events_in(&out), 1);

    let refused = run(&["restore", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(stderr.contains("a packbell server is running"), "{stderr}");
}

#[test]
fn a_backup_restored_into_a_fresh_data_dir_serves_its_orders_to_a_paired_client() {
    let dir = tempfile::tempdir().unwrap();
    let old_dir = dir.path().join("old-server");
    let mut site = Site::start_on(&old_dir, 0);
    let store = site.add_store("Centro");
    let mut office = Client::start(link_config(
        &dir.path().join("office"),
        site.addr(),
        "office",
        Some(site.code(Role::Office)),
    ));
    office.wait_connected();
    let warehouse_dir = dir.path().join("warehouse");
    let mut warehouse = Client::start(link_config(
        &warehouse_dir,
        site.addr(),
        "warehouse",
        Some(site.code(Role::Warehouse)),
    ));
    warehouse.wait_connected();
    warehouse.wait_caught_up();
    // The warehouse PC is off while the office sends the orders.
    warehouse.shutdown();
    let wanted = numbers("MOVE", 5);
    submit_all(&mut office, &wanted, store);

    // Moving the server: a backup and the identity, taken while it runs.
    let backup_file = dir.path().join("moving.sqlite3");
    backup::backup_to_file(&old_dir, &backup_file).unwrap();
    let identity_file = dir.path().join("identity.pem");
    Identity::export(&old_dir, &identity_file).unwrap();
    office.shutdown();
    site.stop();

    let new_dir = dir.path().join("new-server");
    Identity::import(&new_dir, &identity_file).unwrap();
    let restored = backup::restore::restore(&new_dir, &backup_file).unwrap();
    assert_eq!(restored.replaced, None, "the new data dir had no database");
    let new_site = Site::start_on(&new_dir, 0);

    let mut warehouse = Client::start(link_config(
        &warehouse_dir,
        new_site.addr(),
        "warehouse",
        None,
    ));
    warehouse.wait_connected();
    warehouse.wait_caught_up();
    let caught_up: Vec<String> = warehouse
        .created_since(0)
        .into_iter()
        .map(|(_, number, _)| number)
        .collect();
    assert_eq!(
        caught_up, wanted,
        "the orders in the backup reach the paired PC"
    );
    warehouse.shutdown();
}

/// Order numbers of the pending orders in the last fresh (not loaded from disk)
/// snapshot `client` received from index `from` of what it saw.
fn pending_in_last_snapshot(client: &Client, from: usize) -> Option<Vec<String>> {
    client.seen[from..].iter().rev().find_map(|e| match e {
        LinkEvent::Reset {
            snapshot,
            stale: false,
        } => {
            let mut pending: Vec<String> = snapshot
                .orders
                .iter()
                .filter(|o| o.status == OrderStatus::Pending)
                .map(|o| o.order_number.clone())
                .collect();
            pending.sort();
            Some(pending)
        }
        _ => None,
    })
}

#[test]
fn a_pc_that_saw_events_a_restore_rolled_back_is_sent_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let server_dir = dir.path().join("server");
    let mut site = Site::start_on(&server_dir, 0);
    let store = site.add_store("Centro");
    let office_dir = dir.path().join("office");
    let mut office = Client::start(link_config(
        &office_dir,
        site.addr(),
        "office",
        Some(site.code(Role::Office)),
    ));
    office.wait_connected();
    let warehouse_dir = dir.path().join("warehouse");
    let mut warehouse = Client::start(link_config(
        &warehouse_dir,
        site.addr(),
        "warehouse",
        Some(site.code(Role::Warehouse)),
    ));
    warehouse.wait_connected();
    warehouse.wait_caught_up();

    let kept = numbers("KEPT", 3);
    submit_all(&mut office, &kept, store);
    let backup_file = dir.path().join("earlier.sqlite3");
    backup::backup_to_file(&server_dir, &backup_file).unwrap();
    let lost = numbers("LOST", 2);
    submit_all(&mut office, &lost, store);
    let last_lost = lost.last().unwrap().clone();
    let last_seen = warehouse.wait_for("the last order before the restore", |e| match e {
        LinkEvent::Event { event, .. } => match &event.body {
            EventBody::OrderCreated { order_number, .. } if *order_number == last_lost => {
                Some(event.seq)
            }
            _ => None,
        },
        _ => None,
    });
    warehouse.shutdown();
    office.shutdown();
    site.stop();

    backup::restore::restore(&server_dir, &backup_file).unwrap();
    let site = Site::start_on(&server_dir, 0);
    let mut office = Client::start(link_config(&office_dir, site.addr(), "office", None));
    office.wait_connected();
    office.wait_caught_up();
    // More new orders than were rolled back, so the log's head passes the seq the
    // warehouse PC last saw and a plain replay would look possible.
    let new = numbers("NEW", lost.len() + 1);
    submit_all(&mut office, &new, store);

    let mut warehouse = Client::start(link_config(&warehouse_dir, site.addr(), "warehouse", None));
    let from = warehouse.seen.len();
    warehouse.wait_connected();
    let caught_up = warehouse.wait_caught_up();
    assert!(
        caught_up > last_seen,
        "the new orders pass seq {last_seen}: caught up at {caught_up}"
    );
    let mut expected: Vec<String> = kept.iter().chain(&new).cloned().collect();
    expected.sort();
    assert_eq!(
        pending_in_last_snapshot(&warehouse, from),
        Some(expected),
        "the warehouse PC, which saw seq {last_seen} before the restore, is reset to the \
         restored orders plus the new ones; it saw: {:#?}",
        warehouse.created_since(from)
    );
    warehouse.shutdown();
    office.shutdown();
}

#[test]
fn a_replaced_database_too_damaged_to_read_does_not_stop_a_restore() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = Site::start(dir.path());
    site.add_store("Centro");
    let saved = dir.path().join("saved.sqlite3");
    backup::backup_to_file(dir.path(), &saved).unwrap();
    site.stop();
    let database = db::db_path(dir.path());
    std::fs::write(&database, b"not a database at all").unwrap();

    let restored = backup::restore::restore(dir.path(), &saved).unwrap();
    assert!(
        restored.replaced.is_some(),
        "the damaged file is kept aside"
    );
    assert_eq!(events_in(&database), 1, "the backup's one store");
}
