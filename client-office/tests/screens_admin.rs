//! Snapshots of the admin's Today dashboard and Exports screen with realistic data:
//! a seeded day of a few hundred orders in three stores at a fixed clock, and the
//! last seven days' summary answered as the server answers it. Set
//! `PACKBELL_SCREENSHOT_DIR` to also save the images there.

mod common;

use std::path::PathBuf;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::test_zone;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use packbell_client_core::fake::{EventFeed, FakeLink};
use packbell_client_core::lock;
use packbell_office::app::OfficeApp;
use packbell_office::i18n::Lang;
use packbell_office::model::{ExportFile, Progress, Reference, Stage, Transfer};
use packbell_office::ui::{AdminTab, View};
use packbell_shared::link::{LinkEvent, LinkRequest, LinkStatus};
use packbell_shared::protocol::{ExportKind, Order, OrderStatus, Priority, Role, Snapshot, Store};

/// The fixed clock: 18:30 on a Monday.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 18, 30, 0)
        .single()
        .expect("a time")
}

/// Orders per hour from 07:00 to 18:00: a morning rush and an afternoon one.
const ORDERS_PER_HOUR: [u64; 12] = [8, 22, 41, 38, 30, 24, 18, 26, 35, 33, 20, 12];
/// Stores, and their typical wait in seconds (Norte is short-handed).
const STORES: [(&str, i64); 3] = [("Centro", 200), ("Norte", 520), ("Ávila", 320)];

/// A day of orders: created through the day, most packed after their store's usual
/// wait (with spread), those of the last half hour still pending, a few cancelled.
fn seeded_orders() -> Vec<Order> {
    let day_start = now() - Duration::minutes(18 * 60 + 30);
    let mut orders = Vec::new();
    let mut id = 0u64;
    for (slot, count) in ORDERS_PER_HOUR.iter().enumerate() {
        for n in 0..*count {
            id += 1;
            let hour = 7 + slot as i64;
            let created = day_start + Duration::seconds(hour * 3600 + (n * 3600 / count) as i64);
            let store = (id * 7 % 10) as usize % 3;
            let (_, typical) = STORES[store];
            // Spread from half to twice the typical wait, busier hours waiting longer.
            let spread = (id * 37 % 100) as i64;
            let wait = typical / 2 + typical * spread / 66 + (*count as i64) * 3;
            let packed_at = created + Duration::seconds(wait);
            let (status, status_at) = if id.is_multiple_of(41) {
                (
                    OrderStatus::Cancelled,
                    Some(created + Duration::seconds(90)),
                )
            } else if packed_at > now() || created > now() - Duration::minutes(25) {
                (OrderStatus::Pending, None)
            } else {
                (OrderStatus::Packed, Some(packed_at))
            };
            orders.push(Order {
                order_id: id,
                order_number: format!("{}", 4700 + id),
                store_id: store as u64 + 1,
                note: String::new(),
                priority: if id.is_multiple_of(13) {
                    Priority::Rush
                } else {
                    Priority::Normal
                },
                status,
                created_at: created,
                created_by: 5,
                status_at,
                status_by: status_at.map(|_| 9),
                cancel_reason: String::new(),
                acknowledged: false,
            });
        }
    }
    orders
}

/// The summary report of the last seven days, as the server writes it.
const REFERENCE_CSV: &str = "\u{feff}store,orders,packed,cancelled,pending,wait_mean_seconds,wait_median_seconds,wait_p90_seconds,wait_max_seconds\r\n\
Centro,702,690,8,4,231.4,214.0,402.5,1210.0\r\n\
Norte,655,640,11,4,471.0,455.5,820.0,2114.0\r\n\
Ávila,688,675,9,4,301.2,290.0,540.0,1330.0\r\n\
All stores,2045,2005,28,12,333.9,301.0,690.0,2114.0\r\n";

fn admin_app(size: [f32; 2]) -> (Harness<'static, OfficeApp>, EventFeed, FakeLink) {
    let (link, receiver) = FakeLink::new();
    let events = link.feed();
    let mut app = OfficeApp::new(Box::new(link.clone()), receiver, None, Lang::En).expect("app");
    app.set_zone(test_zone());
    app.set_clock(now());
    let harness = Harness::builder()
        .with_size(size)
        .with_max_steps(40)
        .build_ui_state(|ui, app: &mut OfficeApp| app.ui(ui), app);
    events
        .send(LinkEvent::Status(LinkStatus::Connected {
            site: "Tienda Sol".into(),
            server_id: "srv-1".into(),
            device_id: 5,
            role: Role::Admin,
        }))
        .expect("pump alive");
    let stores = STORES
        .iter()
        .enumerate()
        .map(|(index, (name, _))| Store {
            store_id: index as u64 + 1,
            name: (*name).into(),
            active: true,
        })
        .collect();
    events
        .send(LinkEvent::Reset {
            snapshot: Snapshot {
                ageing: None,
                more: false,
                seq: 900,
                stores,
                orders: seeded_orders(),
                devices: Vec::new(),
                items: Vec::new(),
                alerts: Vec::new(),
            },
            stale: false,
        })
        .expect("pump alive");
    events
        .send(LinkEvent::CaughtUp { seq: 900 })
        .expect("pump alive");
    // Warehouse PCs are on: no alarm banner over the screen.
    events
        .send(LinkEvent::WarehousesOnline(2))
        .expect("pump alive");
    (harness, events, link)
}

fn step_until(
    harness: &mut Harness<'_, OfficeApp>,
    what: &str,
    mut done: impl FnMut(&mut Harness<'_, OfficeApp>) -> bool,
) {
    for _ in 0..500 {
        harness.step();
        if done(harness) {
            harness.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

fn save(harness: &mut Harness<'_, OfficeApp>, name: &str) {
    if let Ok(dir) = std::env::var("PACKBELL_SCREENSHOT_DIR") {
        let image = harness.render().expect("rendered");
        std::fs::create_dir_all(&dir).expect("dir");
        image
            .save(PathBuf::from(dir).join(format!("{name}.png")))
            .expect("saved");
    }
    harness.snapshot(name);
}

fn today(size: [f32; 2], name: &str) {
    let (mut harness, events, link) = admin_app(size);
    step_until(&mut harness, "the seeded day", |h| {
        lock(&h.state().model()).site.orders.len() > 300
    });
    // The seeded orders have no warehouse receipts: no alarm banner over the charts.
    lock(&harness.state().model()).receipts.alarm_after = Duration::hours(24);
    harness.state_mut().set_view(View::Admin(AdminTab::Today));
    let mut asked = None;
    step_until(&mut harness, "the reference asked for", |_| {
        asked = link.requests().into_iter().find_map(|r| match r {
            LinkRequest::ExportStart {
                export_id,
                kind: ExportKind::Summary,
                ..
            } => Some(export_id),
            _ => None,
        });
        asked.is_some()
    });
    let export_id = asked.expect("asked");
    events
        .send(LinkEvent::ExportChunk {
            export_id,
            data: REFERENCE_CSV.into(),
            done: true,
            rows: Some(4),
        })
        .expect("pump alive");
    step_until(&mut harness, "the reference loaded", |h| {
        matches!(
            lock(&h.state().model()).dashboard.reference,
            Reference::Loaded { .. }
        )
    });
    save(&mut harness, name);
}

#[test]
fn today_dashboard_1366() {
    today([1366.0, 700.0], "today_1366");
}

#[test]
fn today_dashboard_1920() {
    today([1920.0, 1010.0], "today_1920");
}

fn exports(size: [f32; 2], name: &str) {
    let (mut harness, _events, _link) = admin_app(size);
    step_until(&mut harness, "the seeded day", |h| {
        lock(&h.state().model()).site.orders.len() > 300
    });
    {
        let model = harness.state().model();
        let mut model = lock(&model);
        model.receipts.alarm_after = Duration::hours(24);
        model.exports.folder = Some(PathBuf::from("/home/ana/Documents/packbell-exports"));
        model.exports.form.from = "2026-02-01".into();
        model.exports.form.to = "2026-02-28".into();
        model.exports.form.kind = ExportKind::Audit;
        model.exports.form.stores.insert(2);
        let from = chrono::NaiveDate::from_ymd_opt(2026, 2, 1).expect("a date");
        let to = chrono::NaiveDate::from_ymd_opt(2026, 2, 28).expect("a date");
        // A month's audit report part way through: drawn as it is while it arrives.
        model.exports.transfer = Some(Transfer {
            export_id: 3,
            file: ExportFile {
                folder: PathBuf::from("/home/ana/Documents/packbell-exports"),
                name: "packbell-audit-2026-02-01_2026-02-28.csv".into(),
            },
            kind: ExportKind::Audit,
            from,
            to,
            stage: Stage::Receiving(Progress {
                bytes: 1_843_200,
                rows: 15_360,
                lines: 15_361,
                fraction: Some(0.62),
                unwritten: 0,
                last_piece_received: false,
            }),
        });
    }
    harness.state_mut().set_view(View::Admin(AdminTab::Exports));
    harness.run();
    save(&mut harness, name);
}

#[test]
fn exports_screen_1366() {
    exports([1366.0, 700.0], "exports_1366");
}

#[test]
fn exports_screen_1920() {
    exports([1920.0, 1010.0], "exports_1920");
}

#[test]
fn today_moves_with_the_event_stream() {
    let (mut harness, events, _link) = admin_app([1366.0, 700.0]);
    step_until(&mut harness, "the seeded day", |h| {
        lock(&h.state().model()).site.orders.len() > 300
    });
    harness.state_mut().set_view(View::Admin(AdminTab::Today));
    step_until(&mut harness, "today's count", |h| {
        h.query_by_label("307").is_some()
    });
    let order_id = 10_000;
    let created = packbell_shared::protocol::Event {
        seq: 901,
        at: now(),
        device: 5,
        body: packbell_shared::protocol::EventBody::OrderCreated {
            order_id,
            order_number: "9001".into(),
            store_id: 2,
            note: String::new(),
            priority: Priority::Normal,
            lines: Vec::new(),
        },
    };
    events
        .send(LinkEvent::Event {
            event: created,
            replayed: false,
        })
        .expect("pump alive");
    step_until(&mut harness, "the new order counted", |h| {
        h.query_by_label("308").is_some()
    });
    let packed = packbell_shared::protocol::Event {
        seq: 902,
        at: now(),
        device: 9,
        body: packbell_shared::protocol::EventBody::OrderPacked { order_id },
    };
    events
        .send(LinkEvent::Event {
            event: packed,
            replayed: false,
        })
        .expect("pump alive");
    step_until(&mut harness, "the packing counted", |h| {
        h.query_by_label("291").is_some()
    });
}
