//! Pixel snapshots of the list as the warehouse sees it: a normal morning and a busy
//! one, on a pinned clock. Refresh with `UPDATE_SNAPSHOTS=1` after a deliberate change;
//! `PACKBELL_SCREENSHOT_DIR=dir` also writes the PNGs there (for docs/).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod support;

use chrono::Duration;
use egui_kittest::kittest::Queryable;
use packbell_shared::link::LinkEvent;
use packbell_shared::protocol::{Order, Priority, Store};
use packbell_warehouse::settings::{Settings, Theme};
use support::*;

fn stores() -> Vec<Store> {
    ["Centro", "Norte", "Online", "Outlet Sur", "Mayorista"]
        .iter()
        .enumerate()
        .map(|(i, name)| store(i as u64 + 1, name))
        .collect()
}

fn normal_orders() -> Vec<Order> {
    let now = t0();
    vec![
        order(
            1,
            "10423",
            1,
            Priority::Normal,
            now - Duration::minutes(12),
            "2 cajas, frágil",
        ),
        order(
            2,
            "10424",
            2,
            Priority::Normal,
            now - Duration::minutes(6),
            "",
        ),
        order(
            3,
            "10427",
            3,
            Priority::Rush,
            now - Duration::minutes(2),
            "Recoge a las 12:00",
        ),
        order(
            4,
            "10428",
            1,
            Priority::Normal,
            now - Duration::seconds(40),
            "",
        ),
        order(
            5,
            "W-88213",
            3,
            Priority::Normal,
            now - Duration::minutes(3),
            "Envío urgente por mensajería, factura dentro",
        ),
    ]
}

fn busy_orders() -> Vec<Order> {
    let now = t0();
    let notes = ["", "", "Frágil", "", "2 bultos", "", "Sin factura", ""];
    (0..40u64)
        .map(|i| {
            let priority = if i % 13 == 5 {
                Priority::Rush
            } else {
                Priority::Normal
            };
            order(
                100 + i,
                &format!("{}", 20_100 + i * 7),
                1 + i % 5,
                priority,
                now - Duration::minutes(45) + Duration::seconds(i as i64 * 67),
                notes[i as usize % notes.len()],
            )
        })
        .collect()
}

fn shoot(name: &str, settings: Settings, orders: Vec<Order>, offline: bool) {
    shoot_with(name, settings, orders, offline, false);
}

fn shoot_with(
    name: &str,
    settings: Settings,
    orders: Vec<Order>,
    offline: bool,
    open_settings: bool,
) {
    let (mut harness, events, _link, _recorder) = fake_app(settings, Some(t0()));
    events.send(connected("Almacén Central")).unwrap();
    let count = orders.len();
    events.send(reset(500, stores(), orders)).unwrap();
    events.send(LinkEvent::CaughtUp { seq: 500 }).unwrap();
    if offline {
        events
            .send(LinkEvent::Status(
                packbell_shared::link::LinkStatus::Reconnecting {
                    since: t0() - Duration::minutes(3),
                    attempt: 4,
                    reason: "connection refused".into(),
                },
            ))
            .unwrap();
        step_until(&mut harness, "offline banner", |h| {
            has_label_containing(h, "attempt 4")
        });
    }
    step_until(&mut harness, "rows", |h| !listed(h).is_empty());
    assert!(listed(&harness).len() <= count);
    if open_settings {
        harness.get_by_label("Settings").click();
        harness.run();
    }
    harness.run();
    if let Ok(dir) = std::env::var("PACKBELL_SCREENSHOT_DIR") {
        let image = harness.render().unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        image
            .save(std::path::Path::new(&dir).join(format!("{name}.png")))
            .unwrap();
    }
    harness.snapshot(name);
}

#[test]
fn normal_list_dark() {
    shoot("normal_dark", test_settings(), normal_orders(), false);
}

#[test]
fn busy_list_light_spanish() {
    let settings = Settings {
        language: Some(packbell_warehouse::i18n::Language::Es),
        theme: Theme::Light,
        ..Settings::default()
    };
    shoot("busy_light_es", settings, busy_orders(), false);
}

#[test]
fn offline_list() {
    shoot("offline_dark", test_settings(), normal_orders(), true);
}

#[test]
fn settings_with_the_station_picker() {
    let settings = Settings {
        station: [1].into_iter().collect(),
        ..test_settings()
    };
    shoot_with("settings_dark", settings, normal_orders(), false, true);
}
