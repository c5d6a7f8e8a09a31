//! Warehouse receipts: the latest stage each warehouse PC reported for each order.
//!
//! They live beside the event log, not in it: a receipt changes no state anyone acts
//! on, so it gets no seq, no idempotency key and no place in the audit log. Written by
//! the writer thread like everything else; read for offices that (re)subscribe.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use packbell_shared::protocol::{DeviceId, ErrorCode, NotRungWhy, OrderId, Receipt, ReceiptStage};

use super::apply::ApplyError;
use super::reader::RECENT_WINDOW_HOURS;
use super::{DbError, time_from_text, time_to_text};
use crate::validate::Refusal;

/// Receipts sent to an office after its `subscribe`, newest first; older ones are
/// left out (the office shows "waiting…" for them until a new receipt arrives).
pub const MAX_RECEIPTS_ON_SUBSCRIBE: usize = 4000;

/// A receipt as a warehouse PC sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewReceipt {
    pub device_id: DeviceId,
    pub order_id: OrderId,
    pub stage: ReceiptStage,
    pub why: Option<NotRungWhy>,
}

/// Stores `receipt` as its device's latest for the order. A late `applied` does not
/// replace `rang` or `not_rung`. Returns the receipt as offices see it, or `None`
/// when nothing changed. An unknown order is refused (`unknown_order`).
pub fn record(
    conn: &Connection,
    receipt: NewReceipt,
    now: DateTime<Utc>,
) -> Result<Option<Receipt>, ApplyError> {
    let known: Option<u64> = conn
        .prepare_cached("SELECT order_id FROM orders WHERE order_id = ?1")?
        .query_row([receipt.order_id], |r| r.get(0))
        .optional()?;
    if known.is_none() {
        return Err(Refusal::new(
            ErrorCode::UnknownOrder,
            format!("there is no order {}", receipt.order_id),
        )
        .into());
    }
    let changed = conn
        .prepare_cached(
            "INSERT INTO receipts (order_id, device_id, stage, why, at_utc)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (order_id, device_id) DO UPDATE
                SET stage = excluded.stage, why = excluded.why, at_utc = excluded.at_utc
                WHERE (receipts.stage = 'applied' OR excluded.stage != 'applied')
                  AND (receipts.stage != excluded.stage
                       OR receipts.why IS NOT excluded.why)",
        )?
        .execute(params![
            receipt.order_id,
            receipt.device_id,
            receipt.stage.as_str(),
            receipt.why.map(NotRungWhy::as_str),
            time_to_text(now),
        ])?;
    if changed == 0 {
        return Ok(None);
    }
    let device_name: String = conn
        .prepare_cached("SELECT name FROM devices WHERE device_id = ?1")?
        .query_row([receipt.device_id], |r| r.get(0))
        .optional()?
        .unwrap_or_default();
    Ok(Some(Receipt {
        order_id: receipt.order_id,
        device_id: receipt.device_id,
        device_name,
        stage: receipt.stage,
        why: receipt.why,
        at: now,
    }))
}

/// Deletes the receipts of orders packed or cancelled longer ago than snapshots keep
/// them, so the table holds only what an office can still show.
pub fn prune(conn: &Connection, now: DateTime<Utc>) -> Result<usize, rusqlite::Error> {
    let before = time_to_text(now - Duration::hours(RECENT_WINDOW_HOURS));
    conn.prepare_cached(
        "DELETE FROM receipts WHERE order_id IN
            (SELECT order_id FROM orders WHERE status != 'pending' AND status_at < ?1)",
    )?
    .execute([before])
}

/// The receipts of pending orders and of orders closed within the snapshot window,
/// newest first, at most `limit`.
pub fn recent(
    conn: &Connection,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Receipt>, DbError> {
    let since = time_to_text(now - Duration::hours(RECENT_WINDOW_HOURS));
    let mut stmt = conn.prepare_cached(
        "SELECT r.order_id, r.device_id, COALESCE(d.name, ''), r.stage, r.why, r.at_utc
         FROM receipts r
         JOIN orders o ON o.order_id = r.order_id
         LEFT JOIN devices d ON d.device_id = r.device_id
         WHERE o.status = 'pending' OR o.status_at >= ?1
         ORDER BY r.at_utc DESC LIMIT ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map(params![since, limit], |r| {
            Ok((
                r.get::<_, u64>(0)?,
                r.get::<_, u64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(order_id, device_id, device_name, stage, why, at)| {
            let stage = ReceiptStage::parse(&stage)
                .ok_or_else(|| DbError::Corrupt(format!("bad receipt stage {stage:?}")))?;
            let why = match why {
                Some(why) => Some(
                    NotRungWhy::parse(&why)
                        .ok_or_else(|| DbError::Corrupt(format!("bad receipt why {why:?}")))?,
                ),
                None => None,
            };
            Ok(Receipt {
                order_id,
                device_id,
                device_name,
                stage,
                why,
                at: time_from_text(&at)?,
            })
        })
        .collect()
}

/// How many receipts are stored (for `site_status` and tests).
pub fn count(conn: &Connection) -> Result<u64, DbError> {
    Ok(conn.query_row("SELECT COUNT(*) FROM receipts", [], |r| r.get(0))?)
}
