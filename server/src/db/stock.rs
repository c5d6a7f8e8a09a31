//! Stock projections: items, lots, alerts, order lines and what packing took. Every
//! change here happens in the transaction of the event that records it; alerts are
//! checked in the same transaction as the change that may raise or clear them.

use chrono::{DateTime, Local, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use packbell_shared::protocol::{
    AlertAck, AlertId, AlertKind, Command, DeviceId, ErrorCode, Event, EventBody, OrderId,
    OrderLine, Severity, StockAlert, StockItem, StockLot, StoreId,
};

use super::apply::{ApplyError, insert_event, one_row, run};
use super::{DbError, time_from_text, time_to_text};
use crate::config::MAX_STOCK_ITEMS;
use crate::stock::StockRules;
use crate::stock::alerts::{self, OpenAlert};
use crate::stock::import::{ImportedItem, LineError};
use crate::validate::Refusal;

fn invalid(message: String) -> ApplyError {
    Refusal::new(ErrorCode::InvalidField, message).into()
}

fn corrupt(what: &str) -> DbError {
    DbError::Corrupt(what.to_owned())
}

/// The local day alerts judge expiry by.
fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Local).date_naive()
}

fn lot_key(lot: Option<&str>) -> &str {
    lot.unwrap_or_default()
}

fn lot_of(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

pub fn load_item(conn: &Connection, sku: &str) -> Result<Option<StockItem>, DbError> {
    let item = conn
        .prepare_cached(
            "SELECT sku, name, store_id, quantity, unit, min_qty, max_qty, pack_size, lead_days
             FROM stock_items WHERE sku = ?1",
        )?
        .query_row([sku], read_item)
        .optional()?;
    let Some(mut item) = item else {
        return Ok(None);
    };
    item.lots = lots_of(conn, sku)?;
    Ok(Some(item))
}

fn read_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<StockItem> {
    Ok(StockItem {
        sku: r.get(0)?,
        name: r.get(1)?,
        store_id: r.get(2)?,
        quantity: r.get(3)?,
        unit: r.get(4)?,
        min: r.get(5)?,
        max: r.get(6)?,
        pack_size: r.get(7)?,
        lead_days: r.get(8)?,
        lots: Vec::new(),
    })
}

fn parse_day(text: &str) -> Result<NaiveDate, DbError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| DbError::Corrupt(format!("bad expiry date {text:?}")))
}

fn lots_of(conn: &Connection, sku: &str) -> Result<Vec<StockLot>, DbError> {
    let raw = conn
        .prepare_cached(
            "SELECT lot, quantity, expiry FROM stock_lots WHERE sku = ?1 ORDER BY expiry, lot",
        )?
        .query_map([sku], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, String>(2)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    raw.into_iter()
        .map(|(lot, quantity, expiry)| {
            Ok(StockLot {
                lot,
                quantity,
                expiry: parse_day(&expiry)?,
            })
        })
        .collect()
}

/// Every item with its lots, by sku: what snapshots carry.
pub fn items(conn: &Connection) -> Result<Vec<StockItem>, DbError> {
    let mut items = conn
        .prepare_cached(
            "SELECT sku, name, store_id, quantity, unit, min_qty, max_qty, pack_size, lead_days
             FROM stock_items ORDER BY sku",
        )?
        .query_map([], read_item)?
        .collect::<Result<Vec<_>, _>>()?;
    let lots = conn
        .prepare_cached(
            "SELECT sku, lot, quantity, expiry FROM stock_lots ORDER BY sku, expiry, lot",
        )?
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (sku, lot, quantity, expiry) in lots {
        if let Ok(index) = items.binary_search_by(|item| item.sku.as_str().cmp(&sku)) {
            items[index].lots.push(StockLot {
                lot,
                quantity,
                expiry: parse_day(&expiry)?,
            });
        }
    }
    Ok(items)
}

fn parse_kind(text: &str) -> Result<AlertKind, DbError> {
    AlertKind::parse(text).ok_or_else(|| corrupt("unknown alert kind"))
}

/// Every open alert, oldest first: what snapshots carry.
pub fn open_alerts(conn: &Connection) -> Result<Vec<StockAlert>, DbError> {
    type RawAlert = (
        (AlertId, String, String, String),
        (Option<StoreId>, u8, String),
        (Option<DeviceId>, Option<String>, String),
    );
    let raw: Vec<RawAlert> = conn
        .prepare_cached(
            "SELECT alert_id, kind, sku, lot, store_id, level, raised_at, acked_by, acked_at,
                    ack_comment
             FROM stock_alerts WHERE resolved_at IS NULL ORDER BY alert_id",
        )?
        .query_map([], |r| {
            Ok((
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                (r.get(4)?, r.get(5)?, r.get(6)?),
                (r.get(7)?, r.get(8)?, r.get(9)?),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    raw.into_iter()
        .map(
            |((alert_id, kind, sku, lot), (store_id, level, raised_at), (by, at, comment))| {
                let alert_kind = parse_kind(&kind)?;
                let acknowledged = match (by, at) {
                    (Some(by), Some(at)) => Some(AlertAck {
                        by,
                        at: time_from_text(&at)?,
                        comment,
                    }),
                    _ => None,
                };
                Ok(StockAlert {
                    alert_id,
                    alert_kind,
                    severity: alert_kind.severity(),
                    sku,
                    lot: lot_of(lot),
                    store_id,
                    level,
                    raised_at: time_from_text(&raised_at)?,
                    acknowledged,
                })
            },
        )
        .collect()
}

fn open_alerts_of(conn: &Connection, sku: &str) -> Result<Vec<OpenAlert>, DbError> {
    let raw = conn
        .prepare_cached(
            "SELECT alert_id, kind, lot FROM stock_alerts
             WHERE sku = ?1 AND resolved_at IS NULL ORDER BY alert_id",
        )?
        .query_map([sku], |r| {
            Ok((
                r.get::<_, AlertId>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    raw.into_iter()
        .map(|(alert_id, kind, lot)| {
            Ok(OpenAlert {
                alert_id,
                kind: parse_kind(&kind)?,
                lot: lot_of(lot),
            })
        })
        .collect()
}

fn require_item(conn: &Connection, sku: &str) -> Result<StockItem, ApplyError> {
    load_item(conn, sku)?.ok_or_else(|| invalid(format!("no item with sku {sku:?}")))
}

fn require_store(conn: &Connection, store_id: Option<StoreId>) -> Result<(), ApplyError> {
    let Some(store_id) = store_id else {
        return Ok(());
    };
    let active: Option<bool> = conn
        .prepare_cached("SELECT active FROM stores WHERE store_id = ?1")?
        .query_row([store_id], |r| r.get(0))
        .optional()?;
    match active {
        Some(true) => Ok(()),
        _ => Err(Refusal::new(
            ErrorCode::UnknownStore,
            format!("no active store {store_id}"),
        )
        .into()),
    }
}

/// The fields of `upsert_item`.
pub struct Upsert<'a> {
    pub sku: &'a str,
    pub name: &'a str,
    pub store_id: Option<StoreId>,
    pub unit: &'a str,
    pub min: i64,
    pub max: i64,
    pub pack_size: u32,
    pub lead_days: u32,
    pub quantity: Option<i64>,
    pub lots: Option<&'a [StockLot]>,
}

/// Creates or changes an item; `None` keeps the quantity and lots it has.
pub fn upsert(conn: &Connection, fields: &Upsert<'_>) -> Result<EventBody, ApplyError> {
    require_store(conn, fields.store_id)?;
    let sku = fields.sku.trim();
    if load_item(conn, sku)?.is_none() {
        super::apply::require_room(
            conn,
            "SELECT COUNT(*) FROM stock_items",
            MAX_STOCK_ITEMS,
            "stock items",
        )?;
    }
    run(
        conn,
        "INSERT INTO stock_items (sku, name, store_id, quantity, unit, min_qty, max_qty,
                                  pack_size, lead_days)
         VALUES (?1, ?2, ?3, COALESCE(?4, 0), ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(sku) DO UPDATE SET name = excluded.name, store_id = excluded.store_id,
            quantity = COALESCE(?4, quantity), unit = excluded.unit,
            min_qty = excluded.min_qty, max_qty = excluded.max_qty,
            pack_size = excluded.pack_size, lead_days = excluded.lead_days",
        params![
            sku,
            fields.name.trim(),
            fields.store_id,
            fields.quantity,
            fields.unit.trim(),
            fields.min,
            fields.max,
            fields.pack_size,
            fields.lead_days
        ],
    )?;
    if let Some(lots) = fields.lots {
        run(conn, "DELETE FROM stock_lots WHERE sku = ?1", [sku])?;
        for lot in lots {
            run(
                conn,
                "INSERT INTO stock_lots (sku, lot, quantity, expiry) VALUES (?1, ?2, ?3, ?4)",
                params![sku, lot.lot.trim(), lot.quantity, lot.expiry.to_string()],
            )?;
        }
    }
    let item = require_item(conn, sku)?;
    Ok(EventBody::ItemUpserted(item))
}

/// Adds `delta` to the item, and to `lot` when given; returns the new quantities.
fn add(
    conn: &Connection,
    sku: &str,
    lot: Option<&str>,
    delta: i64,
) -> Result<(i64, Option<i64>), ApplyError> {
    let lot_quantity = match lot {
        Some(lot) => {
            let changed = run(
                conn,
                "UPDATE stock_lots SET quantity = quantity + ?3 WHERE sku = ?1 AND lot = ?2",
                params![sku, lot, delta],
            )?;
            if changed == 0 {
                return Err(invalid(format!("item {sku:?} has no lot {lot:?}")));
            }
            Some(one_row(
                conn,
                "SELECT quantity FROM stock_lots WHERE sku = ?1 AND lot = ?2",
                params![sku, lot],
                |r| r.get(0),
            )?)
        }
        None => None,
    };
    run(
        conn,
        "UPDATE stock_items SET quantity = quantity + ?2 WHERE sku = ?1",
        params![sku, delta],
    )?;
    let quantity = one_row(
        conn,
        "SELECT quantity FROM stock_items WHERE sku = ?1",
        [sku],
        |r| r.get(0),
    )?;
    Ok((quantity, lot_quantity))
}

/// An admin's adjustment; refused when it would leave less than nothing.
pub fn adjust(
    conn: &Connection,
    sku: &str,
    lot: Option<&str>,
    delta: i64,
    reason: &str,
) -> Result<EventBody, ApplyError> {
    require_item(conn, sku)?;
    let (quantity, lot_quantity) = add(conn, sku, lot, delta)?;
    if quantity < 0 || lot_quantity.is_some_and(|q| q < 0) {
        return Err(Refusal::new(
            ErrorCode::InvalidState,
            format!("taking {} would leave less than nothing of {sku:?}", -delta),
        )
        .into());
    }
    Ok(EventBody::StockAdjusted {
        sku: sku.to_owned(),
        lot: lot.map(str::to_owned),
        delta,
        quantity,
        lot_quantity,
        reason: packbell_shared::validate::neutralise_free_text(reason),
        order_id: None,
    })
}

/// A count replaces the item's (or the lot's) quantity; the item changes by the same
/// difference.
pub fn count(
    conn: &Connection,
    sku: &str,
    lot: Option<&str>,
    counted: i64,
) -> Result<EventBody, ApplyError> {
    let item = require_item(conn, sku)?;
    let before = match lot {
        Some(name) => {
            item.lots
                .iter()
                .find(|l| l.lot == name)
                .ok_or_else(|| invalid(format!("item {sku:?} has no lot {name:?}")))?
                .quantity
        }
        None => item.quantity,
    };
    let delta = counted - before;
    let (quantity, _) = add(conn, sku, lot, delta)?;
    Ok(EventBody::StockCounted {
        sku: sku.to_owned(),
        lot: lot.map(str::to_owned),
        counted,
        delta,
        quantity,
    })
}

pub fn acknowledge(
    conn: &Connection,
    alert_id: AlertId,
    device: DeviceId,
    comment: &str,
    at: DateTime<Utc>,
) -> Result<EventBody, ApplyError> {
    let state: Option<(Option<String>, Option<DeviceId>)> = conn
        .prepare_cached("SELECT resolved_at, acked_by FROM stock_alerts WHERE alert_id = ?1")?
        .query_row([alert_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match state {
        None => return Err(invalid(format!("no alert {alert_id}"))),
        Some((Some(_), _)) => {
            return Err(Refusal::new(
                ErrorCode::InvalidState,
                format!("alert {alert_id} is resolved"),
            )
            .into());
        }
        Some((None, Some(_))) => {
            return Err(Refusal::new(
                ErrorCode::InvalidState,
                format!("alert {alert_id} is acknowledged already"),
            )
            .into());
        }
        Some((None, None)) => {}
    }
    let comment = packbell_shared::validate::neutralise_free_text(comment);
    run(
        conn,
        "UPDATE stock_alerts SET acked_by = ?2, acked_at = ?3, ack_comment = ?4
         WHERE alert_id = ?1",
        params![alert_id, device, time_to_text(at), comment],
    )?;
    Ok(EventBody::AlertAcknowledged { alert_id, comment })
}

/// Refuses lines naming an item that does not exist.
pub fn require_items(conn: &Connection, lines: &[OrderLine]) -> Result<(), ApplyError> {
    for line in lines {
        require_item(conn, &line.sku)?;
    }
    Ok(())
}

pub fn store_lines(
    conn: &Connection,
    order_id: OrderId,
    lines: &[OrderLine],
) -> Result<(), ApplyError> {
    for (line_no, line) in lines.iter().enumerate() {
        run(
            conn,
            "INSERT INTO order_lines (order_id, line_no, sku, quantity) VALUES (?1, ?2, ?3, ?4)",
            params![order_id, line_no as i64, line.sku, line.quantity],
        )?;
    }
    Ok(())
}

fn lines_of(conn: &Connection, order_id: OrderId) -> Result<Vec<OrderLine>, DbError> {
    Ok(conn
        .prepare_cached(
            "SELECT sku, quantity FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
        )?
        .query_map([order_id], |r| {
            Ok(OrderLine {
                sku: r.get(0)?,
                quantity: r.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?)
}

/// Packing takes each line off stock: from the lots soonest to expire first while
/// they have stock, the rest from the item alone. The books may go below zero (the
/// shelf had more than they said); a count puts them right.
fn take_for_order(
    conn: &Connection,
    order_id: OrderId,
    at: &str,
) -> Result<Vec<EventBody>, ApplyError> {
    let mut bodies = Vec::new();
    for line in lines_of(conn, order_id)? {
        let item = require_item(conn, &line.sku)?;
        let mut left = line.quantity;
        let mut taken: Vec<(Option<String>, i64)> = Vec::new();
        for lot in item.lots.iter().filter(|lot| lot.quantity > 0) {
            if left == 0 {
                break;
            }
            let from_lot = left.min(lot.quantity);
            taken.push((Some(lot.lot.clone()), from_lot));
            left -= from_lot;
        }
        if left > 0 {
            taken.push((None, left));
        }
        for (lot, quantity) in taken {
            let (new_quantity, lot_quantity) = add(conn, &line.sku, lot.as_deref(), -quantity)?;
            run(
                conn,
                "INSERT INTO stock_usage (order_id, sku, lot, quantity, at_utc)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![order_id, line.sku, lot_key(lot.as_deref()), quantity, at],
            )?;
            bodies.push(EventBody::StockAdjusted {
                sku: line.sku.clone(),
                lot,
                delta: -quantity,
                quantity: new_quantity,
                lot_quantity,
                reason: String::new(),
                order_id: Some(order_id),
            });
        }
    }
    Ok(bodies)
}

/// Recalling puts back exactly what packing took (to lots that still exist).
fn put_back_for_order(conn: &Connection, order_id: OrderId) -> Result<Vec<EventBody>, ApplyError> {
    let taken = conn
        .prepare_cached(
            "SELECT u.sku, CASE WHEN l.lot IS NULL THEN '' ELSE u.lot END, SUM(u.quantity)
             FROM stock_usage u
             LEFT JOIN stock_lots l ON l.sku = u.sku AND l.lot = u.lot
             WHERE u.order_id = ?1 GROUP BY 1, 2 ORDER BY MIN(u.rowid)",
        )?
        .query_map([order_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    run(
        conn,
        "DELETE FROM stock_usage WHERE order_id = ?1",
        [order_id],
    )?;
    let mut bodies = Vec::new();
    for (sku, lot, quantity) in taken {
        let lot = lot_of(lot);
        let (new_quantity, lot_quantity) = add(conn, &sku, lot.as_deref(), quantity)?;
        bodies.push(EventBody::StockAdjusted {
            sku,
            lot,
            delta: quantity,
            quantity: new_quantity,
            lot_quantity,
            reason: String::new(),
            order_id: Some(order_id),
        });
    }
    Ok(bodies)
}

/// Raises and resolves `sku`'s alerts so they match its stock at `now`.
fn check(
    conn: &Connection,
    sku: &str,
    rules: &StockRules,
    now: DateTime<Utc>,
) -> Result<Vec<EventBody>, ApplyError> {
    let Some(item) = load_item(conn, sku)? else {
        return Ok(Vec::new());
    };
    let wanted = alerts::conditions(&item, today(now), &rules.alerts);
    let open = open_alerts_of(conn, sku)?;
    let changes = alerts::reconcile(wanted, &open);
    let mut bodies = Vec::new();
    let at = time_to_text(now);
    for alert_id in changes.resolve {
        run(
            conn,
            "UPDATE stock_alerts SET resolved_at = ?2 WHERE alert_id = ?1",
            params![alert_id, at],
        )?;
        bodies.push(EventBody::AlertResolved { alert_id });
    }
    for condition in changes.raise {
        let severity: Severity = condition.kind.severity();
        run(
            conn,
            "INSERT INTO stock_alerts (sku, lot, kind, severity, store_id, level, raised_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
            params![
                sku,
                lot_key(condition.lot.as_deref()),
                condition.kind.as_str(),
                severity.as_str(),
                item.store_id,
                at
            ],
        )?;
        bodies.push(EventBody::AlertRaised {
            alert_id: conn.last_insert_rowid() as AlertId,
            alert_kind: condition.kind,
            severity,
            sku: sku.to_owned(),
            lot: condition.lot,
            store_id: item.store_id,
            quantity: condition.quantity,
            expiry: condition.expiry,
        });
    }
    Ok(bodies)
}

/// Moves unacknowledged open alerts up to the level their age calls for.
fn escalate(
    conn: &Connection,
    rules: &StockRules,
    now: DateTime<Utc>,
) -> Result<Vec<EventBody>, ApplyError> {
    let open = conn
        .prepare_cached(
            "SELECT alert_id, level, raised_at FROM stock_alerts
             WHERE resolved_at IS NULL AND acked_by IS NULL AND level < 3 ORDER BY alert_id",
        )?
        .query_map([], |r| {
            Ok((
                r.get::<_, AlertId>(0)?,
                r.get::<_, u8>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut bodies = Vec::new();
    for (alert_id, level, raised_at) in open {
        let steps = rules
            .escalation
            .steps(level, time_from_text(&raised_at)?, now);
        if let Some(&top) = steps.last() {
            run(
                conn,
                "UPDATE stock_alerts SET level = ?2 WHERE alert_id = ?1",
                params![alert_id, top],
            )?;
        }
        bodies.extend(
            steps
                .into_iter()
                .map(|level| EventBody::AlertEscalated { alert_id, level }),
        );
    }
    Ok(bodies)
}

fn insert_all(
    conn: &Connection,
    device: DeviceId,
    at: DateTime<Utc>,
    bodies: Vec<EventBody>,
) -> Result<Vec<Event>, ApplyError> {
    bodies
        .into_iter()
        .map(|body| Ok(insert_event(conn, device, at, body)?))
        .collect()
}

/// The stock side of `command`, once its own event is in: stock moved by packing or
/// recalling, and alerts raised or resolved by the change. Events of the server (0).
pub fn after_command(
    conn: &Connection,
    command: &Command,
    at: DateTime<Utc>,
    rules: &StockRules,
) -> Result<Vec<Event>, ApplyError> {
    let (moved, skus): (Vec<EventBody>, Vec<String>) = match command {
        Command::PackOrder { order_id } => {
            let moved = take_for_order(conn, *order_id, &time_to_text(at))?;
            let skus = skus_of(&moved);
            (moved, skus)
        }
        Command::RecallOrder { order_id, .. } => {
            let moved = put_back_for_order(conn, *order_id)?;
            let skus = skus_of(&moved);
            (moved, skus)
        }
        Command::UpsertItem { sku, .. }
        | Command::AdjustStock { sku, .. }
        | Command::CountStock { sku, .. } => (Vec::new(), vec![sku.trim().to_owned()]),
        _ => return Ok(Vec::new()),
    };
    let mut events = insert_all(conn, 0, at, moved)?;
    let now = rules.clock.now();
    for sku in skus {
        let bodies = check(conn, &sku, rules, now)?;
        events.extend(insert_all(conn, 0, at, bodies)?);
    }
    Ok(events)
}

fn skus_of(bodies: &[EventBody]) -> Vec<String> {
    let mut skus: Vec<String> = Vec::new();
    for body in bodies {
        if let EventBody::StockAdjusted { sku, .. } = body
            && !skus.contains(sku)
        {
            skus.push(sku.clone());
        }
    }
    skus
}

/// The scheduled check at the clock's `now`: every item's alerts (expiry moves with
/// time), then escalation.
pub fn tick(
    conn: &Connection,
    at: DateTime<Utc>,
    rules: &StockRules,
) -> Result<Vec<Event>, ApplyError> {
    let now = rules.clock.now();
    let skus = conn
        .prepare_cached("SELECT sku FROM stock_items ORDER BY sku")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut bodies = Vec::new();
    for sku in skus {
        bodies.extend(check(conn, &sku, rules, now)?);
    }
    bodies.extend(escalate(conn, rules, now)?);
    insert_all(conn, 0, at, bodies)
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub items: usize,
    /// False when this file had been imported before (same key): nothing changed.
    pub applied: bool,
}

/// Applies a checked import file: each item upserted with the file's quantity and
/// lots, then its alerts checked. `key` (when given) makes the same file count once.
/// Store names that do not exist are refused, naming their lines.
pub fn import(
    conn: &Connection,
    items: &[ImportedItem],
    key: Option<&str>,
    at: DateTime<Utc>,
    rules: &StockRules,
) -> Result<(Imported, Vec<Event>), ApplyError> {
    if let Some(key) = key {
        let seen: Option<i64> = conn
            .prepare_cached("SELECT seq FROM idempotency WHERE device = 0 AND key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        if seen.is_some() {
            return Ok((
                Imported {
                    items: items.len(),
                    applied: false,
                },
                Vec::new(),
            ));
        }
    }
    let mut unknown = Vec::new();
    let mut stores = Vec::with_capacity(items.len());
    for item in items {
        let store_id = match &item.store {
            None => None,
            Some(name) => {
                let found: Option<StoreId> = conn
                    .prepare_cached(
                        "SELECT store_id FROM stores WHERE active = 1 AND lower(name) = lower(?1)
                         ORDER BY store_id LIMIT 1",
                    )?
                    .query_row([name], |r| r.get(0))
                    .optional()?;
                if found.is_none() {
                    unknown.push(LineError {
                        line: item.line,
                        message: format!("no active store named {name:?}"),
                    });
                }
                found
            }
        };
        stores.push(store_id);
    }
    if !unknown.is_empty() {
        let report = crate::stock::import::ImportError::at_lines(unknown).report();
        return Err(invalid(report));
    }
    let mut events = Vec::new();
    for (item, store_id) in items.iter().zip(stores) {
        let body = upsert(
            conn,
            &Upsert {
                sku: &item.sku,
                name: &item.name,
                store_id,
                unit: &item.unit,
                min: item.min,
                max: item.max,
                pack_size: item.pack_size,
                lead_days: item.lead_days,
                quantity: Some(item.quantity),
                lots: Some(&item.lots),
            },
        )?;
        events.push(insert_event(conn, 0, at, body)?);
        let bodies = check(conn, &item.sku, rules, rules.clock.now())?;
        events.extend(insert_all(conn, 0, at, bodies)?);
    }
    if let (Some(key), Some(last)) = (key, events.last()) {
        run(
            conn,
            "INSERT INTO idempotency (device, key, payload_hash, seq) VALUES (0, ?1, '', ?2)",
            params![key, last.seq],
        )?;
    }
    Ok((
        Imported {
            items: items.len(),
            applied: true,
        },
        events,
    ))
}

/// Units of `sku` packed on each of the `days` local days up to `today` (included),
/// oldest first: the history restock suggestions use.
pub fn daily_use(
    conn: &Connection,
    sku: &str,
    today: NaiveDate,
    days: u32,
) -> Result<Vec<f64>, DbError> {
    let first = today - chrono::Days::new(u64::from(days.saturating_sub(1)));
    let per_day = conn
        .prepare_cached(
            "SELECT date(at_utc, 'localtime'), SUM(quantity) FROM stock_usage
             WHERE sku = ?1 GROUP BY 1",
        )?
        .query_map([sku], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut used = vec![0.0; days as usize];
    for (day, quantity) in per_day {
        let day = parse_day(&day)?;
        if day >= first && day <= today {
            let index = (day - first).num_days() as usize;
            if let Some(slot) = used.get_mut(index) {
                *slot += quantity as f64;
            }
        }
    }
    Ok(used)
}

/// Every store's id and name, for lists that show an item's store.
pub fn store_names(conn: &Connection) -> Result<Vec<(StoreId, String)>, DbError> {
    Ok(conn
        .prepare_cached("SELECT store_id, name FROM stores ORDER BY store_id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upsert_sku(conn: &Connection, sku: &str) -> Result<EventBody, ApplyError> {
        upsert(
            conn,
            &Upsert {
                sku,
                name: "n",
                store_id: None,
                unit: "pcs",
                min: 0,
                max: 1,
                pack_size: 1,
                lead_days: 0,
                quantity: None,
                lots: None,
            },
        )
    }

    #[test]
    fn items_stop_at_the_cap_but_existing_ones_still_change() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = crate::db::open(dir.path()).expect("db");
        conn.execute(
            "WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers
             WHERE n < ?1) INSERT INTO stock_items (sku, name, quantity, unit, min_qty, max_qty)
             SELECT 'S' || n, 'n', 0, 'pcs', 0, 1 FROM numbers",
            [MAX_STOCK_ITEMS - 1],
        )
        .expect("rows inserted");
        assert!(upsert_sku(&conn, "LAST").is_ok(), "room for one more");
        match upsert_sku(&conn, "ONE-TOO-MANY") {
            Err(ApplyError::Refused(refusal)) => {
                assert_eq!(refusal.code, ErrorCode::LimitReached, "{refusal}");
            }
            other => panic!("expected limit_reached, got {other:?}"),
        }
        assert!(
            upsert_sku(&conn, "S1").is_ok(),
            "an existing item still changes"
        );
    }
}
