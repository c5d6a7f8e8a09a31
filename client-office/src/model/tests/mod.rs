use chrono::{DateTime, Duration, TimeZone, Utc};
use packbell_shared::link::{LinkEvent, LinkStatus, OutboxItem, OutboxReport};
use packbell_shared::protocol::{
    Command, DeviceSummary, ErrorCode, Event, EventBody, MAX_NOTE_CHARS, Priority, Role, Snapshot,
    Store,
};

use super::*;

const ME: DeviceId = 5;
const PACKER: DeviceId = 9;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 14, 9, 0, 0).unwrap()
}

fn day_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 14, 0, 0, 0).unwrap()
}

fn store(id: StoreId, name: &str, active: bool) -> Store {
    Store {
        store_id: id,
        name: name.into(),
        active,
    }
}

/// A connected office model with stores Centro (1), Norte (2), Ávila (3),
/// Centro Comercial (4) and a deactivated Sur (5).
fn model() -> Model {
    let mut m = Model::default();
    m.apply_link_event(
        LinkEvent::Status(LinkStatus::Connected {
            site: "shop".into(),
            server_id: "srv".into(),
            device_id: ME,
            role: Role::Office,
        }),
        t0(),
    );
    m.apply_link_event(
        LinkEvent::Reset {
            snapshot: Snapshot {
                ageing: None,
                more: false,
                seq: 10,
                stores: vec![
                    store(1, "Centro", true),
                    store(2, "Norte", true),
                    store(3, "Ávila", true),
                    store(4, "Centro Comercial", true),
                    store(5, "Sur", false),
                ],
                orders: vec![],
                devices: vec![
                    DeviceSummary {
                        device_id: ME,
                        name: "Oficina 1".into(),
                        role: Role::Office,
                        revoked: false,
                    },
                    DeviceSummary {
                        device_id: PACKER,
                        name: "Almacén".into(),
                        role: Role::Warehouse,
                        revoked: false,
                    },
                ],
                items: Vec::new(),
                alerts: Vec::new(),
            },
            stale: false,
        },
        t0(),
    );
    m
}

fn event(m: &mut Model, at: DateTime<Utc>, device: DeviceId, body: EventBody) {
    let seq = m.site.seq + 1;
    m.apply_link_event(
        LinkEvent::Event {
            event: Event {
                seq,
                at,
                device,
                body,
            },
            replayed: false,
        },
        at,
    );
}

fn created(m: &mut Model, order_id: OrderId, number: &str, store_id: StoreId, at: DateTime<Utc>) {
    event(
        m,
        at,
        ME,
        EventBody::OrderCreated {
            order_id,
            order_number: number.into(),
            store_id,
            note: String::new(),
            priority: Priority::Normal,
            lines: Vec::new(),
        },
    );
}

fn fill(m: &mut Model, number: &str, store: &str) {
    m.set_number(number.into());
    m.set_store_query(store.into());
}

mod admin;
mod entry;
mod orders;
mod undo;
