//! Snapshots of the Stock and Alerts screens at 1366×768 with a realistic site: a
//! dozen items in three stores and site-wide, lots with expiry dates, open alerts of
//! every kind (one acknowledged) and a few resolved ones. Set
//! `PACKBELL_SCREENSHOT_DIR` to also save the images there.

mod common;

use std::path::PathBuf;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::test_zone;
use egui_kittest::Harness;
use packbell_client_core::fake::{EventFeed, FakeLink};
use packbell_client_core::lock;
use packbell_office::app::OfficeApp;
use packbell_office::i18n::Lang;
use packbell_office::ui::View;
use packbell_shared::link::{LinkEvent, LinkStatus};
use packbell_shared::protocol::{
    AlertAck, AlertKind, DeviceSummary, Event, EventBody, Role, Snapshot, StockAlert, StockItem,
    StockLot, Store, StoreId,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 16, 30, 0)
        .single()
        .expect("a time")
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, day).expect("a date")
}

#[allow(clippy::too_many_arguments)]
fn item(
    sku: &str,
    name: &str,
    store_id: Option<StoreId>,
    quantity: i64,
    unit: &str,
    min: i64,
    max: i64,
    lots: Vec<StockLot>,
) -> StockItem {
    StockItem {
        sku: sku.into(),
        name: name.into(),
        store_id,
        quantity,
        unit: unit.into(),
        min,
        max,
        pack_size: 6,
        lead_days: 2,
        lots,
    }
}

fn lot(lot: &str, quantity: i64, day: u32) -> StockLot {
    StockLot {
        lot: lot.into(),
        quantity,
        expiry: date(day),
    }
}

fn items() -> Vec<StockItem> {
    vec![
        item(
            "BAG-PAPER",
            "Paper bags, large",
            None,
            1_450,
            "pcs",
            500,
            3_000,
            vec![],
        ),
        item(
            "TAPE-48",
            "Packing tape 48 mm",
            None,
            3,
            "roll",
            6,
            40,
            vec![],
        ),
        item(
            "MILK-1L",
            "Milk 1 l",
            Some(1),
            28,
            "carton",
            12,
            60,
            vec![lot("L0312", 16, 17), lot("L0320", 12, 27)],
        ),
        item("TEA-100", "Tea 100 bags", Some(1), 3, "box", 4, 20, vec![]),
        item("SALT-1KG", "Salt 1 kg", Some(1), 34, "bag", 5, 40, vec![]),
        item(
            "YOG-NAT",
            "Natural yoghurt 4×125 g",
            Some(2),
            18,
            "pack",
            6,
            30,
            vec![lot("Y0301", 6, 13), lot("Y0309", 12, 21)],
        ),
        item("RICE-5KG", "Rice 5 kg", Some(2), 52, "bag", 8, 40, vec![]),
        item(
            "OIL-OLIVE",
            "Olive oil 1 l",
            Some(2),
            14,
            "bottle",
            6,
            36,
            vec![],
        ),
        item(
            "EGGS-12",
            "Eggs, dozen",
            Some(3),
            9,
            "tray",
            10,
            50,
            vec![lot("E0310", 9, 24)],
        ),
        item(
            "COFFEE-250",
            "Ground coffee 250 g",
            Some(3),
            22,
            "pack",
            8,
            48,
            vec![],
        ),
        item(
            "WATER-6",
            "Still water 6×1.5 l",
            Some(3),
            61,
            "pack",
            12,
            80,
            vec![],
        ),
    ]
}

fn alert(
    alert_id: u64,
    kind: AlertKind,
    sku: &str,
    lot: Option<&str>,
    store_id: Option<StoreId>,
    hours_ago: i64,
) -> StockAlert {
    StockAlert {
        alert_id,
        alert_kind: kind,
        severity: kind.severity(),
        sku: sku.into(),
        lot: lot.map(str::to_owned),
        store_id,
        level: if hours_ago >= 4 {
            3
        } else if hours_ago >= 1 {
            2
        } else {
            1
        },
        raised_at: now() - Duration::hours(hours_ago) - Duration::minutes(12),
        acknowledged: None,
    }
}

fn open_alerts() -> Vec<StockAlert> {
    let mut expired = alert(11, AlertKind::Expired, "YOG-NAT", Some("Y0301"), Some(2), 9);
    expired.acknowledged = Some(AlertAck {
        by: 7,
        at: now() - Duration::hours(6),
        comment: "taken off the shelf, counting tomorrow".into(),
    });
    vec![
        alert(8, AlertKind::Over, "RICE-5KG", None, Some(2), 30),
        expired,
        alert(
            12,
            AlertKind::Expiring,
            "MILK-1L",
            Some("L0312"),
            Some(1),
            5,
        ),
        alert(14, AlertKind::Low, "TAPE-48", None, None, 2),
        alert(15, AlertKind::Low, "EGGS-12", None, Some(3), 1),
        alert(16, AlertKind::Low, "TEA-100", None, Some(1), 0),
    ]
}

fn screen_app(size: [f32; 2], lang: Lang) -> (Harness<'static, OfficeApp>, EventFeed) {
    let (link, receiver) = FakeLink::new();
    let events = link.feed();
    let mut app = OfficeApp::new(Box::new(link), receiver, None, lang).expect("app");
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
    let stores = ["Centro", "Norte", "Ávila"]
        .iter()
        .enumerate()
        .map(|(index, name)| Store {
            store_id: index as u64 + 1,
            name: (*name).into(),
            active: true,
        })
        .collect();
    let devices = vec![DeviceSummary {
        device_id: 7,
        name: "Packing bench 2".into(),
        role: Role::Warehouse,
        revoked: false,
    }];
    events
        .send(LinkEvent::Reset {
            snapshot: Snapshot {
                seq: 900,
                stores,
                devices,
                items: items(),
                alerts: open_alerts(),
                ..Snapshot::default()
            },
            stale: false,
        })
        .expect("pump alive");
    // Two alerts raised and resolved while this window watched.
    let mut seq = 900;
    for (alert_id, kind, sku, store_id, hours_ago) in [
        (17, AlertKind::Low, "COFFEE-250", Some(3), 20),
        (18, AlertKind::Over, "WATER-6", Some(3), 50),
    ] {
        seq += 1;
        let raised_at = now() - Duration::hours(hours_ago);
        events
            .send(LinkEvent::Event {
                event: Event {
                    seq,
                    at: raised_at,
                    device: 0,
                    body: EventBody::AlertRaised {
                        alert_id,
                        alert_kind: kind,
                        severity: kind.severity(),
                        sku: sku.into(),
                        lot: None,
                        store_id,
                        quantity: if kind == AlertKind::Low { 7 } else { 84 },
                        expiry: None,
                    },
                },
                replayed: true,
            })
            .expect("pump alive");
        seq += 1;
        events
            .send(LinkEvent::Event {
                event: Event {
                    seq,
                    at: raised_at + Duration::hours(3),
                    device: 0,
                    body: EventBody::AlertResolved { alert_id },
                },
                replayed: true,
            })
            .expect("pump alive");
    }
    events
        .send(LinkEvent::CaughtUp { seq })
        .expect("pump alive");
    events
        .send(LinkEvent::WarehousesOnline(2))
        .expect("pump alive");
    (harness, events)
}

fn settle(harness: &mut Harness<'_, OfficeApp>) {
    for _ in 0..500 {
        harness.step();
        if lock(&harness.state().model()).site.seq == 904 {
            harness.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the seeded site never arrived");
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

#[test]
fn stock_screen_1366() {
    let (mut harness, _events) = screen_app([1366.0, 768.0], Lang::En);
    settle(&mut harness);
    harness.state_mut().set_view(View::Stock);
    lock(&harness.state().model()).open_adjust("TEA-100");
    harness.run();
    save(&mut harness, "stock_1366");
}

#[test]
fn alerts_screen_1366() {
    let (mut harness, _events) = screen_app([1366.0, 768.0], Lang::En);
    settle(&mut harness);
    harness.state_mut().set_view(View::Alerts);
    harness.run();
    save(&mut harness, "alerts_1366");
}

#[test]
fn alerts_screen_spanish_1366() {
    let (mut harness, _events) = screen_app([1366.0, 768.0], Lang::Es);
    settle(&mut harness);
    harness.state_mut().set_view(View::Alerts);
    harness.run();
    save(&mut harness, "alerts_es_1366");
}
