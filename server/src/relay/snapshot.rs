//! Fitting big answers into frames that each stay under the frame limit: snapshots
//! are split into a `snapshot` and `snapshot_part`s; pages of devices and of the log
//! are cut where the next item would not fit.

use serde::Serialize;

use packbell_shared::protocol::{
    DeviceSummary, MAX_FRAME_BYTES, Order, ServerMessage, Snapshot, StockAlert, StockItem, Store,
};

/// Room for one frame's JSON: the frame limit less a margin, so that no frame the
/// server builds is ever refused as too large, whatever its envelope holds.
pub const FRAME_BUDGET: usize = MAX_FRAME_BYTES - 8 * 1024;

/// The lists of one frame of a split snapshot.
#[derive(Default)]
struct Chunk {
    stores: Vec<Store>,
    devices: Vec<DeviceSummary>,
    orders: Vec<Order>,
    items: Vec<StockItem>,
    alerts: Vec<StockAlert>,
}

impl Chunk {
    fn is_empty(&self) -> bool {
        self.stores.is_empty()
            && self.devices.is_empty()
            && self.orders.is_empty()
            && self.items.is_empty()
            && self.alerts.is_empty()
    }
}

/// Fills chunks in order; a chunk is closed when the next item would overflow it.
struct Packer {
    full: Vec<Chunk>,
    current: Chunk,
    /// Bytes `current` would take as a frame so far.
    used: usize,
    /// Bytes of a `snapshot_part` with empty lists.
    part_envelope: usize,
}

impl Packer {
    /// The chunk with room for an item of `size` bytes (a new one if the last is full).
    fn room_for(&mut self, size: usize) -> &mut Chunk {
        if self.used + size > FRAME_BUDGET && !self.current.is_empty() {
            self.full.push(std::mem::take(&mut self.current));
            self.used = self.part_envelope;
        }
        self.used += size;
        &mut self.current
    }

    fn finish(mut self) -> Vec<Chunk> {
        self.full.push(self.current);
        self.full
    }
}

/// Bytes `item` adds to a JSON list (its text plus a separating comma).
fn listed_size<T: Serialize>(item: &T) -> usize {
    serde_json::to_string(item)
        .map(|s| s.len() + 1)
        .unwrap_or(0)
}

fn frame_size(message: &ServerMessage) -> usize {
    serde_json::to_string(message).map(|s| s.len()).unwrap_or(0)
}

/// Splits a snapshot into a `snapshot` frame and as many `snapshot_part`s as its
/// stores, devices and orders need to stay within the frame limit. Each list keeps its
/// order across frames: stores first, then devices, then orders.
pub fn split_snapshot(snapshot: Snapshot) -> Vec<ServerMessage> {
    let Snapshot {
        seq,
        stores,
        orders,
        devices,
        ageing,
        items,
        alerts,
        more: _,
    } = snapshot;
    let first_envelope = frame_size(&ServerMessage::Snapshot(Snapshot {
        seq,
        more: true,
        ageing,
        ..Snapshot::default()
    }));
    let part_envelope = frame_size(&ServerMessage::SnapshotPart {
        seq,
        stores: Vec::new(),
        devices: Vec::new(),
        orders: Vec::new(),
        items: Vec::new(),
        alerts: Vec::new(),
        more: true,
    }) + r#","stores":[],"devices":[],"items":[],"alerts":[]"#.len();
    let mut packer = Packer {
        full: Vec::new(),
        current: Chunk::default(),
        used: first_envelope,
        part_envelope,
    };
    for store in stores {
        let size = listed_size(&store);
        packer.room_for(size).stores.push(store);
    }
    for device in devices {
        let size = listed_size(&device);
        packer.room_for(size).devices.push(device);
    }
    for order in orders {
        let size = listed_size(&order);
        packer.room_for(size).orders.push(order);
    }
    for item in items {
        let size = listed_size(&item);
        packer.room_for(size).items.push(item);
    }
    for alert in alerts {
        let size = listed_size(&alert);
        packer.room_for(size).alerts.push(alert);
    }
    let chunks = packer.finish();
    let parts = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(index, chunk)| {
            let more = index + 1 < parts;
            if index == 0 {
                ServerMessage::Snapshot(Snapshot {
                    seq,
                    ageing,
                    stores: chunk.stores,
                    orders: chunk.orders,
                    devices: chunk.devices,
                    items: chunk.items,
                    alerts: chunk.alerts,
                    more,
                })
            } else {
                ServerMessage::SnapshotPart {
                    seq,
                    stores: chunk.stores,
                    devices: chunk.devices,
                    orders: chunk.orders,
                    items: chunk.items,
                    alerts: chunk.alerts,
                    more,
                }
            }
        })
        .collect()
}

/// The longest prefix of `items` that fits in one frame next to an envelope of
/// `envelope` bytes, and whether anything was left out. At least one item is kept, so
/// a page always makes progress (every single item is far below the budget).
pub fn fitting_page<T: Serialize>(mut items: Vec<T>, envelope: usize) -> (Vec<T>, bool) {
    let mut used = envelope;
    let mut keep = 0;
    for item in &items {
        let size = listed_size(item);
        if keep > 0 && used + size > FRAME_BUDGET {
            break;
        }
        used += size;
        keep += 1;
    }
    let cut = keep < items.len();
    items.truncate(keep);
    (items, cut)
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
            acknowledged: false,
        }
    }

    fn item(id: u64) -> StockItem {
        StockItem {
            sku: format!("SKU-{id}"),
            name: "𝄞".repeat(100),
            store_id: Some(id),
            quantity: 5,
            unit: "pcs".into(),
            min: 1,
            max: 10,
            pack_size: 1,
            lead_days: 0,
            lots: Vec::new(),
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
                ServerMessage::SnapshotPart {
                    orders, more, seq, ..
                } => {
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

    /// Joins the frames back into one snapshot, checking sizes and `more` on the way.
    fn join(frames: &[ServerMessage]) -> Snapshot {
        let mut joined = Snapshot::default();
        for (i, frame) in frames.iter().enumerate() {
            let text = serde_json::to_string(frame).expect("serialises");
            assert!(
                text.len() <= MAX_FRAME_BYTES,
                "frame {i} is {} bytes",
                text.len()
            );
            let more = match frame {
                ServerMessage::Snapshot(s) if i == 0 => {
                    joined = Snapshot {
                        more: false,
                        ..s.clone()
                    };
                    s.more
                }
                ServerMessage::SnapshotPart {
                    seq,
                    stores,
                    devices,
                    orders,
                    items,
                    alerts,
                    more,
                } if i > 0 => {
                    assert_eq!(*seq, joined.seq);
                    joined.stores.extend(stores.iter().cloned());
                    joined.devices.extend(devices.iter().cloned());
                    joined.orders.extend(orders.iter().cloned());
                    joined.items.extend(items.iter().cloned());
                    joined.alerts.extend(alerts.iter().cloned());
                    *more
                }
                other => panic!("unexpected frame {i}: {other:?}"),
            };
            assert_eq!(more, i + 1 < frames.len());
        }
        joined
    }

    #[test]
    fn thousands_of_stores_and_devices_are_split_too() {
        // Names of 64 four-byte characters: the largest a store or device can have.
        let long_name = |id: u64| format!("{id}{}", "𝄞".repeat(60));
        let snapshot = Snapshot {
            ageing: None,
            seq: 77,
            stores: (1..=3000)
                .map(|id| Store {
                    store_id: id,
                    name: long_name(id),
                    active: id % 7 != 0,
                })
                .collect(),
            devices: (1..=3000)
                .map(|id| DeviceSummary {
                    device_id: id,
                    name: long_name(id),
                    role: packbell_shared::protocol::Role::Warehouse,
                    revoked: id % 5 == 0,
                })
                .collect(),
            orders: (1..=500).map(order).collect(),
            items: (1..=2000).map(item).collect(),
            alerts: Vec::new(),
            more: false,
        };
        let frames = split_snapshot(snapshot.clone());
        assert!(frames.len() > 20, "{} frames", frames.len());
        assert_eq!(join(&frames), snapshot);
    }

    #[test]
    fn a_page_stops_before_the_frame_is_full() {
        let orders: Vec<Order> = (1..=1000).map(order).collect();
        let (page, cut) = fitting_page(orders.clone(), 100);
        assert!(cut);
        assert!(!page.is_empty());
        assert_eq!(page[..], orders[..page.len()]);
        let text = serde_json::to_string(&page).expect("serialises");
        assert!(text.len() + 100 <= FRAME_BUDGET);
        let (all, cut) = fitting_page(orders[..3].to_vec(), 100);
        assert!(!cut);
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn a_small_snapshot_is_one_frame() {
        let frames = split_snapshot(Snapshot::default());
        assert!(matches!(frames.as_slice(), [ServerMessage::Snapshot(s)] if !s.more));
    }
}
