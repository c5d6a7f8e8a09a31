//! The report queries behind CSV exports. Each streams its rows to a callback one at a
//! time, straight from SQLite, so an export of any size holds one row in memory.
//! They run on a read-only connection ([`open_reader`]), never the writer's.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, Row, params};

use packbell_shared::protocol::{EventBody, OrderId, Priority, StoreId};

use super::{DbError, time_to_text};

/// Commit times from `start` (included) to `end` (excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Which stores a report covers: `None` is every store.
pub type StoreFilter<'a> = Option<&'a [StoreId]>;

/// A read-only connection to the database in `data_dir`; fails if there is none.
/// WAL lets it read while the server writes.
pub fn open_reader(data_dir: &Path) -> Result<Connection, DbError> {
    let path = super::db_path(data_dir);
    if !path.exists() {
        return Err(DbError::NoDatabase(data_dir.to_owned()));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

/// Ids of the stores called `name` (case-insensitive; a deactivated store may share
/// its name with a newer one). Empty when there is none.
pub fn store_ids_named(conn: &Connection, name: &str) -> Result<Vec<StoreId>, DbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT store_id FROM stores WHERE lower(name) = lower(?1) ORDER BY store_id",
    )?;
    let ids = stmt
        .query_map([name.trim()], |r| r.get(0))?
        .collect::<Result<Vec<StoreId>, _>>()?;
    Ok(ids)
}

/// When the first event was committed; `None` on a new site.
pub fn first_event_time(conn: &Connection) -> Result<Option<DateTime<Utc>>, DbError> {
    let first: Option<String> =
        conn.query_row("SELECT min(at_utc) FROM events", [], |r| r.get(0))?;
    first.as_deref().map(super::time_from_text).transpose()
}

/// One event as the audit report shows it. Texts borrow from the current row.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow<'a> {
    /// `None` for a `report_exported` row (exports are not events; see
    /// [`super::export_log`]).
    pub seq: Option<i64>,
    pub at_utc: &'a str,
    pub kind: &'a str,
    pub order_number: Option<&'a str>,
    pub store: Option<&'a str>,
    pub priority: Option<&'a str>,
    /// The device whose command caused it (`None`: the server itself).
    pub device: Option<&'a str>,
    /// That device's role now (a `device_role_changed` row shows when it changed).
    pub role: Option<&'a str>,
    /// Note (new note for an edit), cancel or recall reason, new name or role,
    /// depending on the kind.
    pub details: &'a str,
    /// For `order_packed`: when the order was created.
    pub order_created_at: Option<&'a str>,
}

/// Events committed in `span`, oldest first, with the exports made in `span` each
/// after the last event it could see; with a store filter only the events of those
/// stores and their orders, and no exports.
pub fn audit_rows<E: From<DbError>>(
    conn: &Connection,
    span: Span,
    stores: StoreFilter<'_>,
    mut each: impl FnMut(&AuditRow<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let mut stmt = conn
        .prepare(
            "SELECT e.seq, e.at_utc, e.kind, o.order_number, s.name, o.priority, d.name, d.role,
                CASE e.kind
                    WHEN 'order_created' THEN json_extract(e.body, '$.note')
                    WHEN 'order_cancelled' THEN json_extract(e.body, '$.reason')
                    WHEN 'order_recalled' THEN COALESCE(json_extract(e.body, '$.reason'), '')
                    WHEN 'order_edited' THEN json_extract(e.body, '$.note')
                    WHEN 'ageing_set' THEN 'amber ' || json_extract(e.body, '$.amber_minutes')
                        || ' min, red ' || json_extract(e.body, '$.red_minutes')
                        || ' min, overdue ' || json_extract(e.body, '$.overdue_minutes') || ' min'
                    WHEN 'store_added' THEN json_extract(e.body, '$.name')
                    WHEN 'store_renamed' THEN json_extract(e.body, '$.name')
                    WHEN 'device_enrolled' THEN json_extract(e.body, '$.name')
                        || ' (' || json_extract(e.body, '$.role') || ')'
                    WHEN 'device_revoked' THEN t.name
                    WHEN 'device_role_changed' THEN t.name
                        || ' (' || json_extract(e.body, '$.role') || ')'
                    WHEN 'item_upserted' THEN json_extract(e.body, '$.sku') || ' '
                        || json_extract(e.body, '$.name') || ': '
                        || json_extract(e.body, '$.quantity') || ' '
                        || json_extract(e.body, '$.unit') || ', min '
                        || json_extract(e.body, '$.min') || ', max '
                        || json_extract(e.body, '$.max')
                    WHEN 'stock_adjusted' THEN json_extract(e.body, '$.sku')
                        || COALESCE(' lot ' || json_extract(e.body, '$.lot'), '') || ' '
                        || printf('%+d', json_extract(e.body, '$.delta')) || ' = '
                        || json_extract(e.body, '$.quantity')
                        || COALESCE(': ' || json_extract(e.body, '$.reason'), '')
                    WHEN 'stock_counted' THEN json_extract(e.body, '$.sku')
                        || COALESCE(' lot ' || json_extract(e.body, '$.lot'), '') || ' counted '
                        || json_extract(e.body, '$.counted') || ' ('
                        || printf('%+d', json_extract(e.body, '$.delta')) || ')'
                    WHEN 'alert_raised' THEN 'alert ' || json_extract(e.body, '$.alert_id') || ' '
                        || json_extract(e.body, '$.alert_kind') || ' ('
                        || json_extract(e.body, '$.severity') || '): '
                        || json_extract(e.body, '$.sku')
                        || COALESCE(' lot ' || json_extract(e.body, '$.lot'), '')
                        || ', quantity ' || json_extract(e.body, '$.quantity')
                        || COALESCE(', expiry ' || json_extract(e.body, '$.expiry'), '')
                    WHEN 'alert_escalated' THEN 'alert ' || json_extract(e.body, '$.alert_id')
                        || ' level ' || json_extract(e.body, '$.level')
                    WHEN 'alert_acknowledged' THEN 'alert '
                        || json_extract(e.body, '$.alert_id')
                        || COALESCE(': ' || json_extract(e.body, '$.comment'), '')
                    WHEN 'alert_resolved' THEN 'alert ' || json_extract(e.body, '$.alert_id')
                    ELSE '' END,
                CASE WHEN e.kind = 'order_packed' THEN o.created_at END,
                e.seq AS after_seq, 0 AS tie
             FROM events e
             LEFT JOIN orders o ON o.order_id = json_extract(e.body, '$.order_id')
             LEFT JOIN stores s ON s.store_id = COALESCE(o.store_id, json_extract(e.body, '$.store_id'))
             LEFT JOIN devices d ON d.device_id = e.device
             LEFT JOIN devices t ON t.device_id = json_extract(e.body, '$.device_id')
             WHERE e.at_utc >= ?1 AND e.at_utc < ?2
               AND (?3 IS NULL OR s.store_id IN (SELECT value FROM json_each(?3)))
             UNION ALL
             SELECT NULL, x.at_utc, 'report_exported', NULL, NULL, NULL, x.by_whom, NULL,
                x.details, NULL, x.after_seq, x.export_id
             FROM exports x
             WHERE x.at_utc >= ?1 AND x.at_utc < ?2 AND ?3 IS NULL
             ORDER BY after_seq, tie",
        )
        .map_err(DbError::from)?;
    each_row_in_span(&mut stmt, span, stores, |row| {
        each(&read_audit_row(row).map_err(DbError::from)?)
    })
}

fn read_audit_row<'a>(row: &'a Row<'_>) -> rusqlite::Result<AuditRow<'a>> {
    Ok(AuditRow {
        seq: row.get(0)?,
        at_utc: text(row, 1)?.unwrap_or_default(),
        kind: text(row, 2)?.unwrap_or_default(),
        order_number: text(row, 3)?,
        store: text(row, 4)?,
        priority: text(row, 5)?,
        device: text(row, 6)?,
        role: text(row, 7)?,
        details: text(row, 8)?.unwrap_or_default(),
        order_created_at: text(row, 9)?,
    })
}

/// One order as the orders report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRow<'a> {
    pub order_id: i64,
    pub created_at: &'a str,
    pub order_number: &'a str,
    pub store: &'a str,
    pub priority: &'a str,
    pub created_by: Option<&'a str>,
    /// `pending`, `packed` or `cancelled`.
    pub status: &'a str,
    /// When and by whom it was packed or cancelled (`None` while pending).
    pub closed_at: Option<&'a str>,
    pub closed_by: Option<&'a str>,
    pub recalls: i64,
    pub note: &'a str,
    pub cancel_reason: &'a str,
}

/// Orders created in `span`, in the order they were created.
pub fn order_rows<E: From<DbError>>(
    conn: &Connection,
    span: Span,
    stores: StoreFilter<'_>,
    mut each: impl FnMut(&OrderRow<'_>) -> Result<(), E>,
) -> Result<(), E> {
    // Recalls are counted in one grouped pass rather than one lookup per order (the
    // log has no index by order).
    let mut stmt = conn
        .prepare(
            "WITH recalls AS (
                SELECT json_extract(body, '$.order_id') AS order_id, COUNT(*) AS n
                FROM events WHERE kind = 'order_recalled' AND at_utc >= ?1 GROUP BY 1)
             SELECT o.order_id, o.created_at, o.order_number, s.name, o.priority, c.name,
                    o.status, CASE WHEN o.status <> 'pending' THEN o.status_at END,
                    CASE WHEN o.status <> 'pending' THEN b.name END,
                    COALESCE(r.n, 0), o.note, o.cancel_reason
             FROM orders o
             JOIN stores s ON s.store_id = o.store_id
             LEFT JOIN devices c ON c.device_id = o.created_by
             LEFT JOIN devices b ON b.device_id = o.status_by
             LEFT JOIN recalls r ON r.order_id = o.order_id
             WHERE o.created_at >= ?1 AND o.created_at < ?2
               AND (?3 IS NULL OR o.store_id IN (SELECT value FROM json_each(?3)))
             ORDER BY o.order_id",
        )
        .map_err(DbError::from)?;
    each_row_in_span(&mut stmt, span, stores, |row| {
        each(&read_order_row(row).map_err(DbError::from)?)
    })
}

fn read_order_row<'a>(row: &'a Row<'_>) -> rusqlite::Result<OrderRow<'a>> {
    Ok(OrderRow {
        order_id: row.get(0)?,
        created_at: text(row, 1)?.unwrap_or_default(),
        order_number: text(row, 2)?.unwrap_or_default(),
        store: text(row, 3)?.unwrap_or_default(),
        priority: text(row, 4)?.unwrap_or_default(),
        created_by: text(row, 5)?,
        status: text(row, 6)?.unwrap_or_default(),
        closed_at: text(row, 7)?,
        closed_by: text(row, 8)?,
        recalls: row.get(9)?,
        note: text(row, 10)?.unwrap_or_default(),
        cancel_reason: text(row, 11)?.unwrap_or_default(),
    })
}

/// One order of the summary: its store, status and, once packed, its wait.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitRow<'a> {
    /// The group: a store id, or an hour of day.
    pub store_id: StoreId,
    /// The group's name.
    pub store: &'a str,
    pub status: &'a str,
    /// Milliseconds from creation to packing (packed orders only).
    pub wait_ms: Option<i64>,
    /// How many packed orders this row's group has (the store's, or all of them).
    pub packed_in_group: u64,
}

/// The wait of an order, rounded to the millisecond.
const WAIT_MS: &str = "CASE WHEN o.status = 'packed' THEN
    CAST(round((julianday(o.status_at) - julianday(o.created_at)) * 86400000) AS INTEGER) END";

/// Orders created in `span`, grouped by store (by name), each store's unpacked orders
/// first and then its packed ones from the shortest wait to the longest, so medians
/// can be read off in one pass.
pub fn waits_by_store<E: From<DbError>>(
    conn: &Connection,
    span: Span,
    stores: StoreFilter<'_>,
    each: impl FnMut(&WaitRow<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let sql = format!(
        "SELECT s.store_id, s.name, o.status, {WAIT_MS} AS wait_ms,
                COUNT(CASE WHEN o.status = 'packed' THEN 1 END) OVER (PARTITION BY s.store_id)
         FROM orders o JOIN stores s ON s.store_id = o.store_id
         WHERE o.created_at >= ?1 AND o.created_at < ?2
           AND (?3 IS NULL OR o.store_id IN (SELECT value FROM json_each(?3)))
         ORDER BY s.name, s.store_id, wait_ms"
    );
    wait_rows(conn, &sql, span, stores, each)
}

/// Orders created in `span`, grouped by the local hour of their creation (the group
/// id is the hour, its name `09:00`), ordered as in [`waits_by_store`].
pub fn waits_by_hour<E: From<DbError>>(
    conn: &Connection,
    span: Span,
    stores: StoreFilter<'_>,
    each: impl FnMut(&WaitRow<'_>) -> Result<(), E>,
) -> Result<(), E> {
    // SQLite's 'localtime' and chrono's `Local` both follow the system zone (TZ).
    let sql = format!(
        "SELECT hour, printf('%02d:00', hour), status, wait_ms,
                COUNT(CASE WHEN status = 'packed' THEN 1 END) OVER (PARTITION BY hour)
         FROM (SELECT CAST(strftime('%H', o.created_at, 'localtime') AS INTEGER) AS hour,
                      o.status AS status, {WAIT_MS} AS wait_ms
               FROM orders o
               WHERE o.created_at >= ?1 AND o.created_at < ?2
                 AND (?3 IS NULL OR o.store_id IN (SELECT value FROM json_each(?3))))
         ORDER BY hour, wait_ms"
    );
    wait_rows(conn, &sql, span, stores, each)
}

/// The packed orders of [`waits_by_store`] over all stores, shortest wait first.
pub fn packed_waits<E: From<DbError>>(
    conn: &Connection,
    span: Span,
    stores: StoreFilter<'_>,
    each: impl FnMut(&WaitRow<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let sql = format!(
        "SELECT 0, '', o.status, {WAIT_MS} AS wait_ms, COUNT(*) OVER ()
         FROM orders o
         WHERE o.status = 'packed' AND o.created_at >= ?1 AND o.created_at < ?2
           AND (?3 IS NULL OR o.store_id IN (SELECT value FROM json_each(?3)))
         ORDER BY wait_ms"
    );
    wait_rows(conn, &sql, span, stores, each)
}

fn wait_rows<E: From<DbError>>(
    conn: &Connection,
    sql: &str,
    span: Span,
    stores: StoreFilter<'_>,
    mut each: impl FnMut(&WaitRow<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let mut stmt = conn.prepare(sql).map_err(DbError::from)?;
    each_row_in_span(&mut stmt, span, stores, |row| {
        let wait = WaitRow {
            store_id: row.get(0).map_err(DbError::from)?,
            store: text(row, 1).map_err(DbError::from)?.unwrap_or_default(),
            status: text(row, 2).map_err(DbError::from)?.unwrap_or_default(),
            wait_ms: row.get(3).map_err(DbError::from)?,
            packed_in_group: row.get(4).map_err(DbError::from)?,
        };
        each(&wait)
    })
}

/// Runs `stmt` (parameters: span start, span end, store filter) and hands each row to
/// `each`, one at a time: the one streaming loop every report shares.
fn each_row_in_span<E: From<DbError>>(
    stmt: &mut rusqlite::Statement<'_>,
    span: Span,
    stores: StoreFilter<'_>,
    mut each: impl FnMut(&Row<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let (start, end, filter) = bounds(span, stores);
    let mut rows = stmt
        .query(params![start, end, filter])
        .map_err(DbError::from)?;
    while let Some(row) = rows.next().map_err(DbError::from)? {
        each(row)?;
    }
    Ok(())
}

/// The query parameters of a span and a store filter (a JSON array of ids, or NULL).
fn bounds(span: Span, stores: StoreFilter<'_>) -> (String, String, Option<String>) {
    let filter = stores.map(|ids| {
        let ids: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
        format!("[{}]", ids.join(","))
    });
    (time_to_text(span.start), time_to_text(span.end), filter)
}

fn text<'a>(row: &'a Row<'_>, index: usize) -> rusqlite::Result<Option<&'a str>> {
    row.get_ref(index)?
        .as_str_or_null()
        .map_err(rusqlite::Error::from)
}

/// Fills a database for the export benchmark in one transaction: `orders` orders in
/// one store, created `ORDER_INTERVAL_MS` apart from `start`, each packed 30 s to
/// 10 min later by the server itself. Two events per order, written through the same
/// event insert the writer uses. Returns the number of events written.
pub fn seed_packed_orders(
    conn: &mut Connection,
    orders: u64,
    start: DateTime<Utc>,
) -> Result<u64, DbError> {
    /// 500 000 orders then span about 11 hours: one local day holds them.
    const ORDER_INTERVAL_MS: i64 = 80;
    let tx = conn.transaction()?;
    tx.execute("INSERT INTO stores (name) VALUES ('Centro')", [])?;
    let store_id = tx.last_insert_rowid() as StoreId;
    let mut events = 0;
    for n in 0..orders {
        let created = start + chrono::Duration::milliseconds(n as i64 * ORDER_INTERVAL_MS);
        let packed = created + chrono::Duration::seconds(30 + (n % 570) as i64);
        let order_number = format!("B-{n}");
        tx.prepare_cached(
            "INSERT INTO orders (order_number, store_id, note, priority, status, created_at,
                                 created_by, created_seq, status_at, status_by)
             VALUES (?1, ?2, '', 'normal', 'packed', ?3, 0, 0, ?4, 0)",
        )?
        .execute(params![
            order_number,
            store_id,
            time_to_text(created),
            time_to_text(packed)
        ])?;
        let order_id = tx.last_insert_rowid() as OrderId;
        let body = EventBody::OrderCreated {
            order_id,
            order_number,
            store_id,
            note: String::new(),
            priority: Priority::Normal,
            lines: Vec::new(),
        };
        super::apply::insert_event(&tx, 0, created, body)?;
        super::apply::insert_event(&tx, 0, packed, EventBody::OrderPacked { order_id })?;
        events += 2;
    }
    tx.commit()?;
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_orders_stream_back_with_their_waits_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = crate::db::open(dir.path()).expect("db");
        let start = Utc::now();
        assert_eq!(seed_packed_orders(&mut conn, 3, start).expect("seeded"), 6);
        let reader = open_reader(dir.path()).expect("reader");
        let span = Span {
            start,
            end: start + chrono::Duration::hours(1),
        };
        let mut kinds = Vec::new();
        audit_rows::<DbError>(&reader, span, None, |row| {
            kinds.push(row.kind.to_owned());
            Ok(())
        })
        .expect("audit rows");
        assert_eq!(kinds.len(), 6);
        assert_eq!(kinds.iter().filter(|k| *k == "order_packed").count(), 3);

        let mut waits = Vec::new();
        waits_by_store::<DbError>(&reader, span, None, |row| {
            waits.push((row.wait_ms, row.packed_in_group));
            Ok(())
        })
        .expect("waits");
        assert_eq!(
            waits,
            [(Some(30_000), 3), (Some(31_000), 3), (Some(32_000), 3)]
        );
        let other_store = store_ids_named(&reader, "nowhere").expect("lookup");
        assert!(other_store.is_empty());
        let mut filtered = 0;
        audit_rows::<DbError>(&reader, span, Some(&[999]), |_| {
            filtered += 1;
            Ok(())
        })
        .expect("filtered rows");
        assert_eq!(filtered, 0, "a store filter leaves other stores out");
    }
}
