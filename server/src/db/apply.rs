//! Turns one accepted command into one event plus its projection updates, inside the
//! writer's open transaction. Runs only on the writer thread.

use chrono::{DateTime, Utc};
use rand::Rng;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use packbell_shared::protocol::{
    Command, DeviceId, ErrorCode, Event, EventBody, OrderId, Priority, Seq, StoreId,
};

use packbell_shared::validate::neutralise_free_text;

use super::{DbError, time_to_text};
use crate::config::MAX_STORES;
use crate::stock::StockRules;
use crate::validate::{self, Refusal};

/// What an applied (or repeated) command produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub seq: Seq,
    pub order_id: Option<OrderId>,
    pub store_id: Option<StoreId>,
    /// `None` when the key had been used before with the same payload: nothing new happened.
    pub event: Option<Event>,
    /// Events the command caused after its own, in seq order: stock moved by packing
    /// or recalling, stock alerts raised or resolved ([`super::stock::after_command`]).
    pub followups: Vec<Event>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for ApplyError {
    fn from(e: rusqlite::Error) -> Self {
        ApplyError::Db(DbError::Sqlite(e))
    }
}

/// Applies `command` from `device` under idempotency `key`, with the default stock
/// rules (the system clock).
pub fn command(
    conn: &Connection,
    device: DeviceId,
    key: &str,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Applied, ApplyError> {
    command_with(conn, device, key, command, now, &StockRules::default())
}

/// Applies `command` from `device` under idempotency `key`; stock alerts follow `stock`.
pub fn command_with(
    conn: &Connection,
    device: DeviceId,
    key: &str,
    command: &Command,
    now: DateTime<Utc>,
    stock: &StockRules,
) -> Result<Applied, ApplyError> {
    validate::key(key)?;
    require_not_revoked(conn, device)?;
    let hash = payload_hash(command);
    if let Some(previous) = previous_result(conn, device, key, &hash)? {
        return Ok(previous);
    }
    validate::command(command)?;
    let (body, order_id, store_id) = project(conn, device, command, now)?;
    let event = insert_event(conn, device, now, body)?;
    let followups = super::stock::after_command(conn, command, now, stock)?;
    if let Some(order_id) = order_id
        && matches!(command, Command::CreateOrder { .. })
    {
        run(
            conn,
            "UPDATE orders SET created_seq = ?1 WHERE order_id = ?2",
            params![event.seq, order_id],
        )?;
    }
    run(
        conn,
        "INSERT INTO idempotency (device, key, payload_hash, seq, order_id, store_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![device, key, hash, event.seq, order_id, store_id],
    )?;
    Ok(Applied {
        seq: event.seq,
        order_id,
        store_id,
        event: Some(event),
        followups,
    })
}

/// Hash of the command as the server understood it: the same key with a different
/// payload must be told apart from an honest retry.
fn payload_hash(command: &Command) -> String {
    let canonical = serde_json::to_vec(command).expect("commands always serialise");
    hex::encode(Sha256::digest(&canonical))
}

fn previous_result(
    conn: &Connection,
    device: DeviceId,
    key: &str,
    hash: &str,
) -> Result<Option<Applied>, ApplyError> {
    let row = conn
        .prepare_cached(
            "SELECT payload_hash, seq, order_id, store_id FROM idempotency
             WHERE device = ?1 AND key = ?2",
        )?
        .query_row(params![device, key], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Seq>(1)?,
                r.get::<_, Option<OrderId>>(2)?,
                r.get::<_, Option<StoreId>>(3)?,
            ))
        })
        .optional()?;
    match row {
        None => Ok(None),
        Some((stored, seq, order_id, store_id)) if stored == hash => Ok(Some(Applied {
            seq,
            order_id,
            store_id,
            event: None,
            followups: Vec::new(),
        })),
        Some(_) => Err(Refusal::new(
            ErrorCode::KeyReused,
            format!("key {key:?} was already used for a different command"),
        )
        .into()),
    }
}

/// Checks the command against current state and updates the projections. Returns the
/// event body and the ids the ack carries.
fn project(
    conn: &Connection,
    device: DeviceId,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<(EventBody, Option<OrderId>, Option<StoreId>), ApplyError> {
    let at = time_to_text(now);
    Ok(match command {
        Command::CreateOrder {
            order_number,
            store_id,
            note,
            priority,
            lines,
        } => {
            require_active_store(conn, *store_id)?;
            super::stock::require_items(conn, lines)?;
            let order_number = order_number.trim().to_owned();
            let note = neutralise_free_text(note);
            run(
                conn,
                "INSERT INTO orders (order_number, store_id, note, priority, status,
                                     created_at, created_by, created_seq)
                 VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, 0)",
                params![
                    order_number,
                    store_id,
                    note,
                    priority_text(*priority),
                    at,
                    device
                ],
            )?;
            let order_id = conn.last_insert_rowid() as OrderId;
            super::stock::store_lines(conn, order_id, lines)?;
            let body = EventBody::OrderCreated {
                order_id,
                order_number,
                store_id: *store_id,
                note,
                priority: *priority,
                lines: lines.clone(),
            };
            (body, Some(order_id), Some(*store_id))
        }
        Command::PackOrder { order_id } => {
            change_status(conn, *order_id, "pending", "packed", device, &at, "")?;
            (
                EventBody::OrderPacked {
                    order_id: *order_id,
                },
                Some(*order_id),
                None,
            )
        }
        Command::RecallOrder { order_id, reason } => {
            // The reason lives in the event (the log is the audit trail); the order's
            // `cancel_reason` column is for cancellations only.
            let reason = neutralise_free_text(reason);
            change_status(conn, *order_id, "packed", "pending", device, &at, "")?;
            (
                EventBody::OrderRecalled {
                    order_id: *order_id,
                    reason,
                },
                Some(*order_id),
                None,
            )
        }
        Command::CancelOrder { order_id, reason } => {
            let reason = neutralise_free_text(reason);
            change_status(
                conn,
                *order_id,
                "pending",
                "cancelled",
                device,
                &at,
                &reason,
            )?;
            (
                EventBody::OrderCancelled {
                    order_id: *order_id,
                    reason,
                },
                Some(*order_id),
                None,
            )
        }
        Command::EditOrder {
            order_id,
            store_id,
            note,
            priority,
        } => {
            require_status(conn, *order_id, "pending")?;
            require_active_store(conn, *store_id)?;
            let note = neutralise_free_text(note);
            run(
                conn,
                "UPDATE orders SET store_id = ?1, note = ?2, priority = ?3 WHERE order_id = ?4",
                params![store_id, note, priority_text(*priority), order_id],
            )?;
            (
                EventBody::OrderEdited {
                    order_id: *order_id,
                    store_id: *store_id,
                    note,
                    priority: *priority,
                },
                Some(*order_id),
                Some(*store_id),
            )
        }
        Command::AcknowledgeRush { order_id } => {
            super::acknowledge::acknowledge_rush(conn, *order_id)?;
            (
                EventBody::RushAcknowledged {
                    order_id: *order_id,
                },
                Some(*order_id),
                None,
            )
        }
        Command::AddStore { name } => {
            let name = name.trim().to_owned();
            require_room(conn, "SELECT COUNT(*) FROM stores", MAX_STORES, "stores")?;
            require_unused_store_name(conn, &name, None)?;
            run(conn, "INSERT INTO stores (name) VALUES (?1)", [&name])?;
            let store_id = conn.last_insert_rowid() as StoreId;
            (
                EventBody::StoreAdded { store_id, name },
                None,
                Some(store_id),
            )
        }
        Command::RenameStore { store_id, name } => {
            let name = name.trim().to_owned();
            require_active_store(conn, *store_id)?;
            require_unused_store_name(conn, &name, Some(*store_id))?;
            run(
                conn,
                "UPDATE stores SET name = ?1 WHERE store_id = ?2",
                params![name, store_id],
            )?;
            (
                EventBody::StoreRenamed {
                    store_id: *store_id,
                    name,
                },
                None,
                Some(*store_id),
            )
        }
        Command::SetAgeing(ageing) => {
            super::ageing::store(conn, ageing)?;
            (EventBody::AgeingSet(*ageing), None, None)
        }
        Command::DeactivateStore { store_id } => {
            require_active_store(conn, *store_id)?;
            run(
                conn,
                "UPDATE stores SET active = 0 WHERE store_id = ?1",
                [store_id],
            )?;
            (
                EventBody::StoreDeactivated {
                    store_id: *store_id,
                },
                None,
                Some(*store_id),
            )
        }
        Command::RevokeDevice { device_id } => {
            let changed = run(
                conn,
                "UPDATE devices SET revoked = 1 WHERE device_id = ?1 AND revoked = 0",
                [device_id],
            )?;
            if changed == 0 {
                return Err(Refusal::new(
                    ErrorCode::UnknownDevice,
                    format!("no active device {device_id}"),
                )
                .into());
            }
            (
                EventBody::DeviceRevoked {
                    device_id: *device_id,
                },
                None,
                None,
            )
        }
        Command::UpsertItem {
            sku,
            name,
            store_id,
            unit,
            min,
            max,
            pack_size,
            lead_days,
            quantity,
            lots,
        } => {
            let fields = super::stock::Upsert {
                sku,
                name,
                store_id: *store_id,
                unit,
                min: *min,
                max: *max,
                pack_size: *pack_size,
                lead_days: *lead_days,
                quantity: *quantity,
                lots: lots.as_deref(),
            };
            (super::stock::upsert(conn, &fields)?, None, *store_id)
        }
        Command::AdjustStock {
            sku,
            lot,
            delta,
            reason,
        } => (
            super::stock::adjust(conn, sku.trim(), lot.as_deref(), *delta, reason)?,
            None,
            None,
        ),
        Command::CountStock { sku, lot, counted } => (
            super::stock::count(conn, sku.trim(), lot.as_deref(), *counted)?,
            None,
            None,
        ),
        Command::AckAlert { alert_id, comment } => (
            super::stock::acknowledge(conn, *alert_id, device, comment, now)?,
            None,
            None,
        ),
        Command::ChangeRole { device_id, role } => {
            let changed = run(
                conn,
                "UPDATE devices SET role = ?1 WHERE device_id = ?2 AND revoked = 0",
                params![role.as_str(), device_id],
            )?;
            if changed == 0 {
                return Err(Refusal::new(
                    ErrorCode::UnknownDevice,
                    format!("no active device {device_id}"),
                )
                .into());
            }
            (
                EventBody::DeviceRoleChanged {
                    device_id: *device_id,
                    role: *role,
                },
                None,
                None,
            )
        }
    })
}

/// Refuses to add one more row when `count_sql` already counts `cap` of them.
pub(super) fn require_room(
    conn: &Connection,
    count_sql: &str,
    cap: u64,
    what: &str,
) -> Result<(), ApplyError> {
    let count: u64 = one_row(conn, count_sql, [], |r| r.get(0))?;
    if count >= cap {
        return Err(Refusal::new(
            ErrorCode::LimitReached,
            format!("this site already has {count} {what}, the most the server allows ({cap})"),
        )
        .into());
    }
    Ok(())
}

/// A revoked device's commands are refused even if its socket is still open.
fn require_not_revoked(conn: &Connection, device: DeviceId) -> Result<(), ApplyError> {
    let revoked: Option<bool> = conn
        .prepare_cached("SELECT revoked FROM devices WHERE device_id = ?1")?
        .query_row([device], |r| r.get(0))
        .optional()?;
    if revoked == Some(true) {
        return Err(Refusal::new(ErrorCode::Revoked, "this device was revoked").into());
    }
    Ok(())
}

fn require_active_store(conn: &Connection, store_id: StoreId) -> Result<(), ApplyError> {
    let active: Option<bool> = conn
        .prepare_cached("SELECT active FROM stores WHERE store_id = ?1")?
        .query_row([store_id], |r| r.get(0))
        .optional()?;
    match active {
        Some(true) => Ok(()),
        Some(false) => Err(Refusal::new(
            ErrorCode::UnknownStore,
            format!("store {store_id} is deactivated"),
        )
        .into()),
        None => Err(Refusal::new(ErrorCode::UnknownStore, format!("no store {store_id}")).into()),
    }
}

fn require_unused_store_name(
    conn: &Connection,
    name: &str,
    except: Option<StoreId>,
) -> Result<(), ApplyError> {
    let taken: Option<StoreId> = conn
        .prepare_cached(
            "SELECT store_id FROM stores
             WHERE active = 1 AND lower(name) = lower(?1) AND store_id IS NOT ?2",
        )?
        .query_row(params![name, except], |r| r.get(0))
        .optional()?;
    match taken {
        Some(_) => Err(Refusal::new(
            ErrorCode::InvalidField,
            format!("a store named {name:?} already exists"),
        )
        .into()),
        None => Ok(()),
    }
}

/// Refuses unless order `order_id` exists (`unknown_order`) and is in `status`
/// (`invalid_state`).
fn require_status(conn: &Connection, order_id: OrderId, status: &str) -> Result<(), ApplyError> {
    let current: Option<String> = conn
        .prepare_cached("SELECT status FROM orders WHERE order_id = ?1")?
        .query_row([order_id], |r| r.get(0))
        .optional()?;
    match current {
        None => Err(Refusal::new(ErrorCode::UnknownOrder, format!("no order {order_id}")).into()),
        Some(current) if current != status => Err(Refusal::new(
            ErrorCode::InvalidState,
            format!("order {order_id} is {current}, not {status}"),
        )
        .into()),
        Some(_) => Ok(()),
    }
}

fn change_status(
    conn: &Connection,
    order_id: OrderId,
    from: &str,
    to: &str,
    device: DeviceId,
    at: &str,
    reason: &str,
) -> Result<(), ApplyError> {
    require_status(conn, order_id, from)?;
    run(
        conn,
        "UPDATE orders SET status = ?1, status_at = ?2, status_by = ?3, cancel_reason = ?4
         WHERE order_id = ?5",
        params![to, at, device, reason, order_id],
    )?;
    Ok(())
}

pub fn priority_text(priority: Priority) -> &'static str {
    match priority {
        Priority::Normal => "normal",
        Priority::Rush => "rush",
    }
}

/// Executes a statement through the connection's statement cache: the writer runs the
/// same few statements all day, and parsing them again was a third of its time.
pub(super) fn run(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// One row through the statement cache (see [`run`]).
pub(super) fn one_row<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    read: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(params, read)
}

/// Appends one event to the log; SQLite assigns its seq.
pub fn insert_event(
    conn: &Connection,
    device: DeviceId,
    at: DateTime<Utc>,
    body: EventBody,
) -> Result<Event, DbError> {
    let json = serde_json::to_string(&body).expect("event bodies always serialise");
    run(
        conn,
        "INSERT INTO events (at_utc, device, kind, body) VALUES (?1, ?2, ?3, ?4)",
        params![time_to_text(at), device, event_kind(&body), json],
    )?;
    Ok(Event {
        seq: conn.last_insert_rowid() as Seq,
        at,
        device,
        body,
    })
}

/// The `kind` tag of an event body, kept in its own column for audit queries.
pub fn event_kind(body: &EventBody) -> &'static str {
    match body {
        EventBody::OrderCreated { .. } => "order_created",
        EventBody::OrderPacked { .. } => "order_packed",
        EventBody::OrderRecalled { .. } => "order_recalled",
        EventBody::OrderCancelled { .. } => "order_cancelled",
        EventBody::OrderEdited { .. } => "order_edited",
        EventBody::RushAcknowledged { .. } => "rush_acknowledged",
        EventBody::AgeingSet(_) => "ageing_set",
        EventBody::StoreAdded { .. } => "store_added",
        EventBody::StoreRenamed { .. } => "store_renamed",
        EventBody::StoreDeactivated { .. } => "store_deactivated",
        EventBody::DeviceEnrolled { .. } => "device_enrolled",
        EventBody::DeviceRevoked { .. } => "device_revoked",
        EventBody::DeviceRoleChanged { .. } => "device_role_changed",
        EventBody::ItemUpserted(_) => "item_upserted",
        EventBody::StockAdjusted { .. } => "stock_adjusted",
        EventBody::StockCounted { .. } => "stock_counted",
        EventBody::AlertRaised { .. } => "alert_raised",
        EventBody::AlertEscalated { .. } => "alert_escalated",
        EventBody::AlertAcknowledged { .. } => "alert_acknowledged",
        EventBody::AlertResolved { .. } => "alert_resolved",
    }
}

/// 256 random bits, hex: unguessable, and only its hash is stored.
pub(super) fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fills `table` up to `count` rows in one statement (the caps are in the
    /// thousands; one command per row would make this test slow for nothing).
    fn fill(conn: &Connection, table: &str, count: u64) {
        let values = match table {
            "stores" => "'Store ' || n, 1",
            _ => "'Device ' || n, 'office', 'hash', '2025-01-01T00:00:00.000000Z', n % 2",
        };
        let columns = match table {
            "stores" => "name, active",
            _ => "name, role, token_hash, enrolled_at, revoked",
        };
        conn.execute(
            &format!(
                "WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers
                 WHERE n < ?1) INSERT INTO {table} ({columns}) SELECT {values} FROM numbers"
            ),
            [count],
        )
        .expect("rows inserted");
    }

    fn add_store(conn: &Connection, key: &str) -> Result<Applied, ApplyError> {
        let name = format!("Store {key}");
        command(conn, 0, key, &Command::AddStore { name }, Utc::now())
    }

    #[test]
    fn stores_stop_at_the_cap_deactivated_ones_included() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = crate::db::open(dir.path()).expect("db");
        fill(&conn, "stores", MAX_STORES - 1);
        conn.execute("UPDATE stores SET active = 0 WHERE store_id <= 10", [])
            .expect("some deactivated");
        assert!(add_store(&conn, "last").is_ok(), "room for one more");
        match add_store(&conn, "one-too-many") {
            Err(ApplyError::Refused(refusal)) => {
                assert_eq!(refusal.code, ErrorCode::LimitReached);
                assert!(refusal.message.contains("stores"), "{refusal}");
            }
            other => panic!("expected limit_reached, got {other:?}"),
        }
    }
}
