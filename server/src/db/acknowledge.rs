//! `acknowledge_rush`: the projection side of one PC saying "Got it" for every PC.

use rusqlite::{Connection, OptionalExtension};

use packbell_shared::protocol::{ErrorCode, OrderId};

use super::apply::{ApplyError, run};
use crate::validate::Refusal;

/// Marks a pending rush order acknowledged. Refused for unknown orders, orders that
/// are not pending or not rush, and orders already acknowledged (a retry with the same
/// key is answered from the idempotency table before this runs).
pub(super) fn acknowledge_rush(conn: &Connection, order_id: OrderId) -> Result<(), ApplyError> {
    let row: Option<(String, String, bool)> = conn
        .query_row(
            "SELECT status, priority, acknowledged FROM orders WHERE order_id = ?1",
            [order_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let refuse = |message: String| Err(Refusal::new(ErrorCode::InvalidState, message).into());
    match row {
        None => Err(Refusal::new(ErrorCode::UnknownOrder, format!("no order {order_id}")).into()),
        Some((status, _, _)) if status != "pending" => {
            refuse(format!("order {order_id} is {status}, not pending"))
        }
        Some((_, priority, _)) if priority != "rush" => {
            refuse(format!("order {order_id} is not a rush order"))
        }
        Some((_, _, true)) => refuse(format!("order {order_id} is already acknowledged")),
        Some(_) => {
            run(
                conn,
                "UPDATE orders SET acknowledged = 1 WHERE order_id = ?1",
                [order_id],
            )?;
            Ok(())
        }
    }
}
