//! The stock alert banner on the two common warehouse screens, with the order list
//! below it: the banner stays small enough that orders are still listed, and says how
//! many more alerts are open beyond the lines it shows.
//! `PACKBELL_SCREENSHOT_DIR=dir` also writes the screenshots there (see
//! scripts/warehouse-screenshots.sh).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod support;

use chrono::Duration;
use egui_kittest::Harness;
use packbell_client_core::waker::Waker;
use packbell_shared::link::LinkEvent;
use packbell_shared::protocol::{AlertKind, Order, Priority, Snapshot, StockAlert};
use packbell_warehouse::alert::Recorder;
use packbell_warehouse::app::{WarehouseApp, new_model};
use packbell_warehouse::settings::Settings;
use support::*;

const FULL_HD: egui::Vec2 = egui::Vec2::new(1920.0, 1080.0);
const LAPTOP: egui::Vec2 = egui::Vec2::new(1366.0, 768.0);
/// Order rows the laptop screen must still list below the banner: fewer, and the
/// banner has pushed the work off screen.
const MIN_ROWS_ON_LAPTOP: usize = 3;

fn sized_app(size: egui::Vec2, alerts: Vec<StockAlert>) -> AppHarness {
    sized_app_with(size, alerts, test_settings())
}

fn sized_app_with(size: egui::Vec2, alerts: Vec<StockAlert>, settings: Settings) -> AppHarness {
    let (link, events) = packbell_client_core::fake::FakeLink::new();
    let (model, hints) = new_model(settings);
    let recorder = Recorder::default();
    let feed = link.feed();
    let app = WarehouseApp::start(
        model,
        Box::new(link),
        events,
        recorder.executor(hints),
        Waker::default(),
        None,
    )
    .unwrap()
    .with_zone(test_zone())
    .with_clock(Box::new(t0));
    let mut harness = Harness::builder()
        .with_size(size)
        .with_max_steps(16)
        .build_ui_state(|ui, app: &mut WarehouseApp| app.show(ui), app);
    feed.send(connected("Almacén Central")).unwrap();
    feed.send(LinkEvent::Reset {
        snapshot: Snapshot {
            seq: 500,
            stores: vec![store(1, "Centro"), store(2, "Norte")],
            orders: orders(),
            alerts,
            ..Snapshot::default()
        },
        stale: false,
    })
    .unwrap();
    feed.send(LinkEvent::CaughtUp { seq: 500 }).unwrap();
    step_until(&mut harness, "loaded", |h| {
        !listed(h).is_empty() || has_label_containing(h, "80000")
    });
    harness.run();
    harness
}

fn orders() -> Vec<Order> {
    (0..12)
        .map(|i| {
            order(
                i + 1,
                &format!("{}", 80_000 + i * 3),
                1 + i % 2,
                if i == 3 {
                    Priority::Rush
                } else {
                    Priority::Normal
                },
                t0() - Duration::minutes(40 - i as i64 * 3),
                "",
            )
        })
        .collect()
}

fn alert(alert_id: u64, kind: AlertKind, sku: &str, lot: Option<&str>, level: u8) -> StockAlert {
    StockAlert {
        alert_id,
        alert_kind: kind,
        severity: kind.severity(),
        sku: sku.into(),
        lot: lot.map(str::to_owned),
        store_id: Some(1),
        level,
        raised_at: t0() - Duration::minutes(alert_id as i64),
        acknowledged: None,
    }
}

fn shoot(harness: &mut AppHarness, name: &str) {
    if let Ok(dir) = std::env::var("PACKBELL_SCREENSHOT_DIR") {
        let image = harness.render().unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        image
            .save(std::path::Path::new(&dir).join(format!("{name}.png")))
            .unwrap();
    }
}

#[test]
fn a_critical_and_a_high_alert_above_the_list_on_both_screens() {
    let alerts = vec![
        alert(1, AlertKind::Low, "TEA-100", None, 2),
        alert(2, AlertKind::Expiring, "MILK-1L", Some("L7"), 1),
    ];
    for (size, label) in [(LAPTOP, "1366x768"), (FULL_HD, "1920x1080")] {
        let mut harness = sized_app(size, alerts.clone());
        assert!(has_label(&harness, "LOW STOCK: TEA-100 — level 2"));
        assert!(has_label(&harness, "EXPIRING: MILK-1L (lot L7) — level 1"));
        assert!(
            listed(&harness).len() >= MIN_ROWS_ON_LAPTOP,
            "{label}: {:?}",
            listed(&harness)
        );
        shoot(&mut harness, &format!("warehouse-stock-alerts-{label}"));
    }
}

#[test]
fn many_alerts_are_capped_with_a_count_and_the_list_stays_on_screen() {
    let alerts = (1..=9)
        .map(|id| alert(id, AlertKind::Low, &format!("SKU-{id}"), None, 1))
        .collect();
    let mut harness = sized_app(LAPTOP, alerts);
    assert!(
        listed(&harness).len() >= MIN_ROWS_ON_LAPTOP,
        "{:?}",
        listed(&harness)
    );
    assert!(
        has_label(&harness, "+6 more"),
        "three lines fit a laptop screen; the banner counts the other six"
    );
    shoot(&mut harness, "warehouse-stock-alerts-many-1366x768");
}

#[test]
fn wall_mode_shows_the_stock_banner_too() {
    let alerts = vec![alert(1, AlertKind::Low, "TEA-100", None, 2)];
    let settings = Settings {
        wall_mode: true,
        ..test_settings()
    };
    let mut harness = sized_app_with(FULL_HD, alerts, settings);
    assert!(has_label(&harness, "LOW STOCK: TEA-100 — level 2"));
    shoot(&mut harness, "warehouse-stock-alerts-wall-1920x1080");
}
