//! The database schema, as append-only migrations tracked in `PRAGMA user_version`.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

/// Never edit a released step; append a new one.
const STEPS: &[&str] = &[
    r#"
-- The event log is the truth; every other table is a projection kept in the same
-- transaction. AUTOINCREMENT: a seq is never reused, even after deletes.
CREATE TABLE events (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at_utc  TEXT    NOT NULL,
    device  INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    body    TEXT    NOT NULL
);
CREATE TABLE stores (
    store_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name     TEXT    NOT NULL,
    active   INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE orders (
    order_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number  TEXT    NOT NULL,
    store_id      INTEGER NOT NULL REFERENCES stores(store_id),
    note          TEXT    NOT NULL,
    priority      TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    created_by    INTEGER NOT NULL,
    created_seq   INTEGER NOT NULL,
    status_at     TEXT,
    status_by     INTEGER,
    cancel_reason TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX orders_by_status ON orders(status, status_at);
CREATE TABLE devices (
    device_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL,
    enrolled_at TEXT    NOT NULL,
    last_seen   TEXT,
    revoked     INTEGER NOT NULL DEFAULT 0
);
-- (device, key) -> what the first command with that key produced.
CREATE TABLE idempotency (
    device       INTEGER NOT NULL,
    key          TEXT    NOT NULL,
    payload_hash TEXT    NOT NULL,
    seq          INTEGER NOT NULL,
    order_id     INTEGER,
    store_id     INTEGER,
    PRIMARY KEY (device, key)
) WITHOUT ROWID;
CREATE TABLE pairing_codes (
    code       TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE meta (
    k TEXT PRIMARY KEY,
    v TEXT NOT NULL
);
"#,
    // Failed pairing attempts per code; at the limit the code is void.
    "ALTER TABLE pairing_codes ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;",
    r#"
-- A guess is being checked: the code counts as spent until the outcome is stored,
-- so a disk that fills up in between leaves it void rather than open.
ALTER TABLE pairing_codes ADD COLUMN checking INTEGER NOT NULL DEFAULT 0;
-- 'startup': printed when the server started; the next start replaces them.
-- 'operator': asked for (command line, admin window) or made to replace a voided one.
ALTER TABLE pairing_codes ADD COLUMN origin TEXT NOT NULL DEFAULT 'operator';
"#,
    r#"
-- Every CSV export ([`super::export_log`]); `after_seq` places it among the events.
CREATE TABLE exports (
    export_id INTEGER PRIMARY KEY,
    at_utc    TEXT NOT NULL,
    after_seq INTEGER NOT NULL,
    by_whom   TEXT NOT NULL,
    details   TEXT NOT NULL
);
"#,
    // A rush order someone acknowledged (`acknowledge_rush`); snapshots carry it.
    "ALTER TABLE orders ADD COLUMN acknowledged INTEGER NOT NULL DEFAULT 0;",
    r#"
-- Warehouse receipts: the latest stage each warehouse PC reported for each order.
-- Not events: never in the log, pruned with the order's retention.
CREATE TABLE receipts (
    order_id  INTEGER NOT NULL REFERENCES orders(order_id),
    device_id INTEGER NOT NULL REFERENCES devices(device_id),
    stage     TEXT    NOT NULL,
    why       TEXT,
    at_utc    TEXT    NOT NULL,
    PRIMARY KEY (order_id, device_id)
) WITHOUT ROWID;
"#,
    r#"
-- Stock ([`super::stock`]): items, their lots, open and closed alerts, order lines
-- and what packing took. Projections of the stock events, changed in their transaction.
CREATE TABLE stock_items (
    sku       TEXT PRIMARY KEY,
    name      TEXT    NOT NULL,
    store_id  INTEGER REFERENCES stores(store_id),
    quantity  INTEGER NOT NULL,
    unit      TEXT    NOT NULL,
    min_qty   INTEGER NOT NULL,
    max_qty   INTEGER NOT NULL,
    pack_size INTEGER NOT NULL DEFAULT 1,
    lead_days INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE stock_lots (
    sku      TEXT    NOT NULL REFERENCES stock_items(sku),
    lot      TEXT    NOT NULL,
    quantity INTEGER NOT NULL,
    expiry   TEXT    NOT NULL,
    PRIMARY KEY (sku, lot)
) WITHOUT ROWID;
-- `lot` is '' for alerts about the whole item, so one index keeps one open alert per
-- item, lot and kind.
CREATE TABLE stock_alerts (
    alert_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    sku         TEXT    NOT NULL,
    lot         TEXT    NOT NULL DEFAULT '',
    kind        TEXT    NOT NULL,
    severity    TEXT    NOT NULL,
    store_id    INTEGER,
    level       INTEGER NOT NULL DEFAULT 1,
    raised_at   TEXT    NOT NULL,
    acked_by    INTEGER,
    acked_at    TEXT,
    ack_comment TEXT    NOT NULL DEFAULT '',
    resolved_at TEXT
);
CREATE UNIQUE INDEX stock_alerts_one_open ON stock_alerts(sku, lot, kind)
    WHERE resolved_at IS NULL;
CREATE TABLE order_lines (
    order_id INTEGER NOT NULL REFERENCES orders(order_id),
    line_no  INTEGER NOT NULL,
    sku      TEXT    NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;
-- What packing took, per order, item and lot ('' for none): recalling puts exactly
-- this back, and restock suggestions read the daily use from it.
CREATE TABLE stock_usage (
    order_id INTEGER NOT NULL REFERENCES orders(order_id),
    sku      TEXT    NOT NULL,
    lot      TEXT    NOT NULL,
    quantity INTEGER NOT NULL,
    at_utc   TEXT    NOT NULL
);
CREATE INDEX stock_usage_by_order ON stock_usage(order_id);
CREATE INDEX stock_usage_by_sku ON stock_usage(sku, at_utc);
"#,
];

fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

/// The schema version (`user_version`) [`migrate`] brings a database to.
pub fn latest_version() -> i64 {
    STEPS.len() as i64
}

/// Brings a database to schema `version` only: tests make databases of older
/// releases with it.
#[cfg(any(test, feature = "testing"))]
pub fn migrate_to_version(
    conn: &mut Connection,
    version: usize,
) -> Result<(), rusqlite_migration::Error> {
    migrations().to_version(conn, version)
}

/// Brings a database up to the current schema.
pub fn migrate(conn: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    migrations().to_latest(conn)
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
