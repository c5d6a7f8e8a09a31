//! Read-side queries: snapshots, replay, authentication. Each call runs on tokio's
//! blocking pool with a pooled read connection, never on the async workers.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use packbell_shared::protocol::{
    DeviceId, DeviceInfo, DeviceSummary, Event, EventBody, Order, OrderStatus, Priority, Role, Seq,
    Snapshot, Store,
};

use super::apply::hash_token;
use super::{DbError, time_from_text, time_to_text};

/// Read connections kept for reuse; more may be open at once, only this many are kept.
const POOL_KEEP: usize = 4;

/// Orders packed or cancelled within this window stay in snapshots (today's list).
pub(super) const RECENT_WINDOW_HOURS: i64 = 24;

#[derive(Clone)]
pub struct Reader {
    data_dir: PathBuf,
    pool: Arc<Mutex<Vec<Connection>>>,
}

/// A device that presented a valid token.
#[derive(Debug, Clone, PartialEq)]
pub struct Authenticated {
    pub device_id: DeviceId,
    pub role: Role,
    pub name: String,
}

#[derive(Debug, PartialEq)]
pub enum AuthOutcome {
    Ok(Authenticated),
    Revoked,
    Failed,
}

impl Reader {
    pub fn new(data_dir: PathBuf) -> Self {
        Reader {
            data_dir,
            pool: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Runs `f` with a read connection on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.run_blocking(f))
            .await
            .map_err(|e| DbError::Corrupt(format!("read task failed: {e}")))?
    }

    pub fn run_blocking<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let pooled = self.pool.lock().map(|mut p| p.pop()).unwrap_or(None);
        let conn = match pooled {
            Some(conn) => conn,
            None => self.open()?,
        };
        let result = f(&conn);
        if let Ok(mut pool) = self.pool.lock()
            && pool.len() < POOL_KEEP
        {
            pool.push(conn);
        }
        result
    }

    fn open(&self) -> Result<Connection, DbError> {
        let conn = Connection::open_with_flags(
            super::db_path(&self.data_dir),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(conn)
    }
}

pub fn head_seq(conn: &Connection) -> Result<Seq, DbError> {
    Ok(conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?)
}

/// Events with `after < seq <= up_to`, in order, at most `limit`.
pub fn events_between(
    conn: &Connection,
    after: Seq,
    up_to: Seq,
    limit: usize,
) -> Result<Vec<Event>, DbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at_utc, device, body FROM events
         WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![after, up_to, limit as i64], |r| {
        Ok((
            r.get::<_, Seq>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, DeviceId>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut events = Vec::new();
    for row in rows {
        let (seq, at, device, body) = row?;
        let body: EventBody = serde_json::from_str(&body)
            .map_err(|e| DbError::Corrupt(format!("event {seq}: {e}")))?;
        events.push(Event {
            seq,
            at: time_from_text(&at)?,
            device,
            body,
        });
    }
    Ok(events)
}

/// Current state and the seq it reflects, read in one transaction.
pub fn snapshot(conn: &Connection, now: DateTime<Utc>) -> Result<Snapshot, DbError> {
    let tx = conn.unchecked_transaction()?;
    let seq = head_seq(&tx)?;
    let stores = tx
        .prepare_cached("SELECT store_id, name, active FROM stores ORDER BY store_id")?
        .query_map([], |r| {
            Ok(Store {
                store_id: r.get(0)?,
                name: r.get(1)?,
                active: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let since = time_to_text(now - Duration::hours(RECENT_WINDOW_HOURS));
    let mut stmt = tx.prepare_cached(
        "SELECT order_id, order_number, store_id, note, priority, status, created_at,
                created_by, status_at, status_by, cancel_reason, acknowledged
         FROM orders WHERE status = 'pending' OR status_at >= ?1 ORDER BY order_id",
    )?;
    let raw = stmt
        .query_map([since], |r| {
            Ok((
                (
                    r.get::<_, u64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u64>(2)?,
                    r.get::<_, String>(3)?,
                ),
                (r.get::<_, String>(4)?, r.get::<_, String>(5)?),
                (r.get::<_, String>(6)?, r.get::<_, u64>(7)?),
                (
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, Option<u64>>(9)?,
                    r.get::<_, String>(10)?,
                ),
                r.get::<_, bool>(11)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    drop(stmt);
    let mut orders = Vec::with_capacity(raw.len());
    for (
        (order_id, order_number, store_id, note),
        (priority, status),
        (created_at, created_by),
        (status_at, status_by, cancel_reason),
        acknowledged,
    ) in raw
    {
        orders.push(Order {
            order_id,
            order_number,
            store_id,
            note,
            priority: parse_priority(&priority)?,
            status: parse_status(&status)?,
            created_at: time_from_text(&created_at)?,
            created_by,
            status_at: status_at.as_deref().map(time_from_text).transpose()?,
            status_by,
            cancel_reason,
            acknowledged,
        });
    }
    let devices = tx
        .prepare_cached("SELECT device_id, name, role, revoked FROM devices ORDER BY device_id")?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })?
        .collect::<Result<Vec<(DeviceId, String, String, bool)>, _>>()?
        .into_iter()
        .map(|(device_id, name, role, revoked)| {
            Ok(DeviceSummary {
                device_id,
                name,
                role: parse_role(&role)?,
                revoked,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    let ageing = super::ageing::load(&tx)?;
    let items = super::stock::items(&tx)?;
    let alerts = super::stock::open_alerts(&tx)?;
    tx.finish()?;
    Ok(Snapshot {
        more: false,
        seq,
        stores,
        orders,
        devices,
        ageing,
        items,
        alerts,
    })
}

/// Checks a device token against its stored hash.
pub fn authenticate(
    conn: &Connection,
    device_id: DeviceId,
    token: &str,
) -> Result<AuthOutcome, DbError> {
    let row: Option<(String, String, String, bool)> = conn
        .query_row(
            "SELECT name, role, token_hash, revoked FROM devices WHERE device_id = ?1",
            [device_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((name, role, stored_hash, revoked)) = row else {
        return Ok(AuthOutcome::Failed);
    };
    if stored_hash != hash_token(token) {
        return Ok(AuthOutcome::Failed);
    }
    if revoked {
        return Ok(AuthOutcome::Revoked);
    }
    Ok(AuthOutcome::Ok(Authenticated {
        device_id,
        role: parse_role(&role)?,
        name,
    }))
}

/// An open pairing code, found by its public two-digit slot.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCode {
    pub code: String,
    pub role: Role,
}

/// The open (unused, unexpired, not voided) code whose digits start with `slot`.
pub fn open_code_by_slot(
    conn: &Connection,
    slot: &str,
    now: DateTime<Utc>,
) -> Result<Option<OpenCode>, DbError> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT code, role FROM pairing_codes
             WHERE substr(code, 1, 2) = ?1 AND used = 0 AND checking = 0 AND expires_at > ?2
               AND failures < ?3
             ORDER BY created_at DESC LIMIT 1",
            params![
                slot,
                time_to_text(now),
                super::pairing::MAX_PAIRING_FAILURES
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(code, role)| {
        Ok(OpenCode {
            code,
            role: parse_role(&role)?,
        })
    })
    .transpose()
}

/// Up to `limit` enrolled devices with an id above `after`, by id; `connected` is
/// filled in by the caller, which knows the sockets.
pub fn devices(
    conn: &Connection,
    after: DeviceId,
    limit: usize,
) -> Result<Vec<DeviceInfo>, DbError> {
    let rows = conn
        .prepare_cached(
            "SELECT device_id, name, role, enrolled_at, last_seen, revoked
             FROM devices WHERE device_id > ?1 ORDER BY device_id LIMIT ?2",
        )?
        .query_map(params![after, limit as i64], |r| {
            Ok((
                r.get::<_, DeviceId>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(device_id, name, role, enrolled_at, last_seen, revoked)| {
            Ok(DeviceInfo {
                device_id,
                name,
                role: parse_role(&role)?,
                enrolled_at: time_from_text(&enrolled_at)?,
                last_seen: last_seen.as_deref().map(time_from_text).transpose()?,
                connected: false,
                revoked,
            })
        })
        .collect()
}

fn parse_role(text: &str) -> Result<Role, DbError> {
    Role::parse(text).ok_or_else(|| DbError::Corrupt(format!("role {text:?}")))
}

fn parse_priority(text: &str) -> Result<Priority, DbError> {
    match text {
        "normal" => Ok(Priority::Normal),
        "rush" => Ok(Priority::Rush),
        other => Err(DbError::Corrupt(format!("priority {other:?}"))),
    }
}

fn parse_status(text: &str) -> Result<OrderStatus, DbError> {
    match text {
        "pending" => Ok(OrderStatus::Pending),
        "packed" => Ok(OrderStatus::Packed),
        "cancelled" => Ok(OrderStatus::Cancelled),
        other => Err(DbError::Corrupt(format!("status {other:?}"))),
    }
}
