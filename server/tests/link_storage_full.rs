//! The client link against a server whose disk is full (SQLite's page limit on the
//! writer's connection): orders stay in the link's outbox, are sent again with a
//! growing delay, and commit exactly once when there is room again.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod link_support;

use std::time::{Duration, Instant};

use packbell_shared::protocol::Role;

use link_support::*;

/// Orders submitted while the database is capped: more than fit, so some must wait.
const ORDERS: usize = 400;
/// How often the test looks at the server's storage state while waiting for it.
const POLL: Duration = Duration::from_millis(10);

#[test]
fn orders_wait_in_the_outbox_while_the_disk_is_full_and_commit_once_after() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start_on(&dir.path().join("server"), 0);
    let store = site.add_store("Centro");
    let mut office = Client::start(link_config(
        &dir.path().join("office"),
        site.addr(),
        "office",
        Some(site.code(Role::Office)),
    ));
    office.wait_connected();
    office.wait_caught_up();

    site.runtime
        .block_on(site.server().limit_database_pages(0))
        .unwrap();
    let wanted = numbers("D", ORDERS);
    let keys: Vec<String> = wanted
        .iter()
        .map(|n| office.handle().submit(order(n, store)).unwrap())
        .collect();
    let deadline = Instant::now() + WAIT;
    while !site.server().storage_full() {
        assert!(
            Instant::now() < deadline,
            "the capped database never filled"
        );
        std::thread::sleep(POLL);
    }

    site.runtime
        .block_on(site.server().limit_database_pages(100_000))
        .unwrap();
    // Panics on a `Rejected`: nothing may be given up while the disk is full.
    let order_ids = wait_acked(&mut office, &keys);
    assert_eq!(order_ids.len(), ORDERS);
    office.shutdown();
    assert!(!site.server().storage_full());

    let db = rusqlite::Connection::open(dir.path().join("server/packbell.sqlite3")).unwrap();
    let (rows, distinct): (usize, usize) = db
        .query_row(
            "SELECT COUNT(*), COUNT(DISTINCT order_number) FROM orders WHERE order_number LIKE 'D-%'",
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
