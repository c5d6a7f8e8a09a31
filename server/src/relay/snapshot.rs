//! Splitting a snapshot into frames that each stay under the frame limit.

use packbell_shared::protocol::{MAX_FRAME_BYTES, Order, ServerMessage, Snapshot};

/// Room for orders in one snapshot frame: the frame limit less a margin for the
/// envelope, so no snapshot frame is ever refused as too large.
const SNAPSHOT_FRAME_BUDGET: usize = MAX_FRAME_BYTES - 8 * 1024;

/// Splits a snapshot into a `snapshot` frame and as many `snapshot_part`s as its
/// orders need to stay within the frame limit.
pub fn split_snapshot(mut snapshot: Snapshot) -> Vec<ServerMessage> {
    let seq = snapshot.seq;
    let envelope = serde_json::to_string(&Snapshot {
        orders: Vec::new(),
        ..snapshot.clone()
    })
    .map(|s| s.len())
    .unwrap_or(0);
    let mut chunks: Vec<Vec<Order>> = vec![Vec::new()];
    let mut used = envelope;
    for order in std::mem::take(&mut snapshot.orders) {
        let size = serde_json::to_string(&order)
            .map(|s| s.len() + 1)
            .unwrap_or(0);
        if used + size > SNAPSHOT_FRAME_BUDGET && !chunks.last().is_some_and(Vec::is_empty) {
            chunks.push(Vec::new());
            used = 64;
        }
        used += size;
        if let Some(chunk) = chunks.last_mut() {
            chunk.push(order);
        }
    }
    let parts = chunks.len();
    let mut chunks = chunks.into_iter().enumerate();
    let mut frames = Vec::with_capacity(parts);
    if let Some((_, first)) = chunks.next() {
        snapshot.orders = first;
        snapshot.more = parts > 1;
        frames.push(ServerMessage::Snapshot(snapshot));
    }
    for (index, orders) in chunks {
        frames.push(ServerMessage::SnapshotPart {
            seq,
            orders,
            more: index + 1 < parts,
        });
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;
    use packbell_shared::protocol::{OrderStatus, Priority};

    fn order(id: u64) -> Order {
        Order {
            order_id: id,
            order_number: format!("N-{id}"),
            store_id: 1,
            note: "n".repeat(400),
            priority: Priority::Normal,
            status: OrderStatus::Pending,
            created_at: chrono::Utc::now(),
            created_by: 1,
            status_at: None,
            status_by: None,
            cancel_reason: String::new(),
        }
    }

    #[test]
    fn every_frame_fits_and_nothing_is_lost() {
        let snapshot = Snapshot {
            seq: 9,
            orders: (1..=2000).map(order).collect(),
            ..Snapshot::default()
        };
        let frames = split_snapshot(snapshot);
        assert!(frames.len() > 10);
        let mut ids = Vec::new();
        for (i, frame) in frames.iter().enumerate() {
            let text = serde_json::to_string(frame).expect("serialises");
            assert!(
                text.len() < MAX_FRAME_BYTES,
                "frame {i} is {} bytes",
                text.len()
            );
            let more = match frame {
                ServerMessage::Snapshot(s) => {
                    assert_eq!(i, 0);
                    ids.extend(s.orders.iter().map(|o| o.order_id));
                    s.more
                }
                ServerMessage::SnapshotPart { orders, more, seq } => {
                    assert_eq!(*seq, 9);
                    ids.extend(orders.iter().map(|o| o.order_id));
                    *more
                }
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!(more, i + 1 < frames.len());
        }
        assert_eq!(ids, (1..=2000).collect::<Vec<_>>());
    }

    #[test]
    fn a_small_snapshot_is_one_frame() {
        let frames = split_snapshot(Snapshot::default());
        assert!(matches!(frames.as_slice(), [ServerMessage::Snapshot(s)] if !s.more));
    }
}
