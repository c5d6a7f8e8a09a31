//! A really full disk, not a simulated one: the server's data dir is on a small tmpfs
//! that a filler file then fills. Orders sent meanwhile are refused (never
//! acknowledged) and wait in the office's outbox, the server keeps serving reads,
//! and once there is room again each order is committed exactly once, the database
//! intact. Mounting needs root: without it the test says so and passes
//! (`storage_full.rs` and `link_storage_full.rs` cover the same path with SQLite's
//! page limit, everywhere).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;
mod link_support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use std::collections::{BTreeSet, HashMap};

use packbell_shared::link::{LinkEvent, OutboxReport};
use packbell_shared::protocol::{Role, ServerMessage};

use link_support::*;

/// Size of the tmpfs: room for the empty database and its WAL, little more.
const TMPFS_SIZE: &str = "4m";
/// Orders submitted while the disk is full: more than any WAL slack can take.
const ORDERS: usize = 300;
/// Bytes written per step while filling the disk.
const FILL_STEP: usize = 64 * 1024;
/// How often the test looks at the server while waiting.
const POLL: Duration = Duration::from_millis(10);

/// A tmpfs mounted for this test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(at).map_err(|e| e.to_string())?;
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={TMPFS_SIZE}"), "tmpfs"])
            .arg(at)
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if output.status.success() {
            Ok(Tmpfs(at.to_owned()))
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes until the file system says it is full; returns the filler's path.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = vec![0xA5u8; FILL_STEP];
    // Bounded: the tmpfs holds at most TMPFS_SIZE.
    for _ in 0..(64 * 1024 * 1024 / FILL_STEP) {
        if file.write_all(&block).is_err() {
            break;
        }
    }
    let mut byte = [0u8; 1];
    while file.write_all(&byte).is_ok() {
        byte[0] = byte[0].wrapping_add(1);
    }
    path
}

/// What the office link reported: acks (each key once) and what its outbox holds.
#[derive(Default)]
struct Ledger {
    acked: HashMap<String, u64>,
    waiting: BTreeSet<String>,
}

impl Ledger {
    fn note(&mut self, event: &LinkEvent) {
        match event {
            LinkEvent::Acked { key, order_id, .. } => {
                let id = order_id.expect("create_order acks name the order");
                assert!(
                    self.acked.insert(key.clone(), id).is_none(),
                    "{key} acked twice"
                );
            }
            LinkEvent::Rejected { key, code, .. } => {
                panic!("{key} given up ({code}): nothing may be dropped for a full disk")
            }
            LinkEvent::Outbox(OutboxReport::Waiting(items) | OutboxReport::Queued(items)) => {
                self.waiting.extend(items.iter().map(|i| i.key.clone()));
            }
            LinkEvent::Outbox(OutboxReport::Answered(keys)) => {
                for key in keys {
                    self.waiting.remove(key);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn orders_wait_while_the_tmpfs_is_full_reads_go_on_and_each_commits_once_after() {
    let dir = tempfile::tempdir().unwrap();
    let disk = match Tmpfs::mount(&dir.path().join("disk")) {
        Ok(disk) => disk,
        Err(reason) => {
            eprintln!("SKIPPED: cannot mount a tmpfs for the data dir (needs root): {reason}");
            return;
        }
    };
    let site = Site::start_on(&disk.0.join("server"), 0);
    let store = site.add_store("Centro");
    let mut office = Client::start(link_config(
        &dir.path().join("office"),
        site.addr(),
        "office",
        Some(site.code(Role::Office)),
    ));
    office.wait_connected();
    office.wait_caught_up();
    let before = submit_all(&mut office, &numbers("B", 5), store);
    assert_eq!(before.len(), 5);

    // A paired reader, connected before the disk fills (pairing itself writes).
    let (mut reader, _, _) =
        site.runtime
            .block_on(common::enrol(site.server(), Role::Warehouse, "reader"));

    let filler = fill(&disk.0);
    let keys: Vec<String> = numbers("F", ORDERS)
        .iter()
        .map(|n| office.handle().submit(order(n, store)).unwrap())
        .collect();
    // Full, and the orders waiting in the outbox for it (the flag may be raised first
    // by another write, before the link has reported its queue).
    let mut ledger = Ledger::default();
    let deadline = Instant::now() + WAIT;
    loop {
        for event in office.events.try_iter() {
            ledger.note(&event);
            office.seen.push(event);
        }
        if site.server().storage_full() && !ledger.waiting.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the full tmpfs never refused a commit while orders waited"
        );
        std::thread::sleep(POLL);
    }
    let acked_before_full = ledger.acked.len();

    // Reads go on while the disk is full: the whole state, as a new screen asks for it.
    let snapshot_orders = site.runtime.block_on(async {
        reader
            .send(serde_json::json!({"type": "subscribe", "after_seq": 0}))
            .await;
        match reader
            .recv_until(|m| matches!(m, ServerMessage::Snapshot(_)))
            .await
        {
            ServerMessage::Snapshot(snapshot) => snapshot.orders.len(),
            _ => unreachable!("recv_until returns a snapshot"),
        }
    });
    assert!(
        snapshot_orders >= 5,
        "the snapshot has the orders from before"
    );
    drop(reader);

    std::fs::remove_file(filler).unwrap();
    let deadline = Instant::now() + WAIT;
    // Every ack, then the outbox's report that each is answered (it follows the ack).
    while ledger.acked.len() < ORDERS || !ledger.waiting.is_empty() {
        assert!(
            Instant::now() < deadline,
            "orders not committed after space returned"
        );
        if let Ok(event) = office.events.recv_timeout(POLL) {
            ledger.note(&event);
            office.seen.push(event);
        }
    }
    office.shutdown();
    assert!(
        ledger.waiting.is_empty(),
        "the outbox emptied: {:?}",
        ledger.waiting
    );
    assert!(
        keys.iter().all(|k| ledger.acked.contains_key(k)),
        "every submitted order was acknowledged"
    );
    eprintln!(
        "disk full on a {TMPFS_SIZE} tmpfs: {acked_before_full} of {ORDERS} orders committed \
         before it filled, the rest waited in the outbox (reads served meanwhile: a snapshot \
         of {snapshot_orders} orders) and committed once after"
    );
    assert!(!site.server().storage_full());

    let db = rusqlite::Connection::open(disk.0.join("server/packbell.sqlite3")).unwrap();
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let (rows, distinct): (usize, usize) = db
        .query_row(
            "SELECT COUNT(*), COUNT(DISTINCT order_number) FROM orders WHERE order_number LIKE 'F-%'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (rows, distinct),
        (ORDERS, ORDERS),
        "each order exactly once"
    );
}
