//! The "Recently packed" drawer, cancelled orders and the shared "Got it", through the
//! real app on a fake link; and the screenshots a packer judges them by. Refresh the
//! snapshots with `UPDATE_SNAPSHOTS=1`; `PACKBELL_SCREENSHOT_DIR=dir` also writes the
//! PNGs there (for docs/screenshots).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod support;

use chrono::Duration;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use packbell_client_core::fake::FakeLink;
use packbell_client_core::waker::Waker;
use packbell_shared::link::{LinkEvent, LinkRequest};
use packbell_shared::protocol::{
    Command, DeviceSummary, Event, EventBody, Order, OrderStatus, Priority, Role, Snapshot,
};
use packbell_warehouse::alert::{Call, Recorder};
use packbell_warehouse::app::{WarehouseApp, new_model};
use packbell_warehouse::settings::{Settings, SoundId};
use support::*;

/// The screen the issue was judged on: a small laptop or an old wall monitor.
const SCREEN: egui::Vec2 = egui::Vec2::new(1366.0, 768.0);

fn stores() -> Vec<packbell_shared::protocol::Store> {
    vec![store(1, "Centro"), store(2, "Norte")]
}

fn packed(order_id: u64, number: &str, minutes_ago: i64, by: u64) -> Order {
    let at = t0() - Duration::minutes(minutes_ago);
    Order {
        status: OrderStatus::Packed,
        status_at: Some(at),
        status_by: Some(by),
        ..order(
            order_id,
            number,
            1 + order_id % 2,
            Priority::Normal,
            at - Duration::minutes(9),
            "",
        )
    }
}

fn benches() -> Vec<DeviceSummary> {
    [(3, "Bench 1"), (4, "Bench 2")]
        .into_iter()
        .map(|(device_id, name)| DeviceSummary {
            device_id,
            name: name.into(),
            role: Role::Warehouse,
            revoked: false,
        })
        .collect()
}

/// A site at seq 10 with `orders` and two packing benches, caught up.
fn load(events: &packbell_client_core::fake::EventFeed, orders: Vec<Order>) {
    events.send(connected("Tienda")).unwrap();
    events
        .send(LinkEvent::Reset {
            snapshot: Snapshot {
                ageing: None,
                seq: 10,
                stores: stores(),
                orders,
                devices: benches(),
                more: false,
                items: Vec::new(),
                alerts: Vec::new(),
            },
            stale: false,
        })
        .unwrap();
    events.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
}

fn cancel_event(seq: u64, order_id: u64) -> LinkEvent {
    live(Event {
        seq,
        at: t0(),
        device: 1,
        body: EventBody::OrderCancelled {
            order_id,
            reason: "customer called".into(),
        },
    })
}

#[test]
fn bring_back_in_the_drawer_sends_a_recall_and_the_order_returns() {
    let (mut harness, events, link, _recorder) = fake_app(test_settings(), Some(t0()));
    load(
        &events,
        vec![
            packed(1, "P-1", 4, 3),
            packed(2, "P-2", 40, 4),
            order(3, "A-3", 1, Priority::Normal, t0(), ""),
        ],
    );
    step_until(&mut harness, "row", |h| listed(h) == ["A-3"]);
    assert!(
        !has_label(&harness, "Bring back P-1"),
        "the drawer starts closed"
    );

    harness.key_press(egui::Key::F4);
    harness.run();
    assert!(has_label(&harness, "Bring back P-1"));
    assert!(
        !has_label(&harness, "Bring back P-2"),
        "packed 40 minutes ago: out of the drawer"
    );
    assert!(has_label_containing(&harness, "4 min ago · Bench 1"));

    harness.get_by_label("Bring back P-1").click();
    harness.run();
    assert!(
        link.sent().iter().any(|r| matches!(
            r,
            LinkRequest::Submit {
                command: Command::RecallOrder { order_id: 1, .. },
                ..
            }
        )),
        "sent: {:?}",
        link.sent()
    );
    assert_eq!(
        listed(&harness),
        ["P-1", "A-3"],
        "back in the list (older first)"
    );
    assert!(!has_label(&harness, "Bring back P-1"));

    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(
        !has_label_containing(&harness, "Nothing packed"),
        "Esc closed the drawer"
    );
    assert!(has_label_containing(&harness, "Recently packed (0)"));
}

#[test]
fn a_cancelled_order_shows_the_banner_and_sounds_its_own_chime() {
    let (mut harness, events, _link, recorder) = fake_app(test_settings(), Some(t0()));
    load(
        &events,
        vec![
            order(1, "A-1", 1, Priority::Normal, t0(), ""),
            order(2, "A-2", 1, Priority::Normal, t0(), ""),
        ],
    );
    step_until(&mut harness, "rows", |h| listed(h).len() == 2);
    events.send(cancel_event(11, 1)).unwrap();
    step_until(&mut harness, "the banner", |h| {
        has_label(h, "A-1 CANCELLED — stop packing")
    });
    assert_eq!(
        listed(&harness),
        ["A-2"],
        "no Packed button for it any more"
    );
    let calls = wait_calls(&recorder, "cancel chime", |c| {
        c.iter().any(|call| {
            matches!(
                call,
                Call::Sound {
                    sound: SoundId::Cancelled,
                    ..
                }
            )
        })
    });
    assert_eq!(shown_titles(&calls), ["CANCELLED: order A-1 — Centro"]);
}

#[test]
fn got_it_is_shown_on_a_rush_row_and_tells_the_server() {
    let settings = Settings {
        theme: packbell_warehouse::settings::Theme::Light,
        ..test_settings()
    };
    let (mut harness, events, link, _recorder) = fake_app(settings, Some(t0()));
    load(&events, vec![order(7, "R-7", 1, Priority::Rush, t0(), "")]);
    step_until(&mut harness, "rush row", |h| listed(h) == ["R-7"]);
    harness.get_by_label("Got it R-7").click();
    harness.run();
    assert!(
        link.sent().iter().any(|r| matches!(
            r,
            LinkRequest::Submit {
                command: Command::AcknowledgeRush { order_id: 7 },
                ..
            }
        )),
        "sent: {:?}",
        link.sent()
    );
    assert!(
        !has_label(&harness, "Got it R-7"),
        "acknowledged: the button goes"
    );
}

#[test]
fn another_pcs_got_it_takes_the_button_away_here() {
    let (mut harness, events, _link, _recorder) = fake_app(test_settings(), Some(t0()));
    load(&events, vec![order(7, "R-7", 1, Priority::Rush, t0(), "")]);
    step_until(&mut harness, "button", |h| has_label(h, "Got it R-7"));
    events
        .send(live(Event {
            seq: 11,
            at: t0(),
            device: 4,
            body: EventBody::RushAcknowledged { order_id: 7 },
        }))
        .unwrap();
    step_until(&mut harness, "button gone", |h| !has_label(h, "Got it R-7"));
}

// ------------------------------------------------------------------------------------
// Screenshots at 1366×768

type ScreenHarness = Harness<'static, WarehouseApp>;

fn screen_app(settings: Settings) -> (ScreenHarness, packbell_client_core::fake::EventFeed) {
    let (link, events_rx) = FakeLink::new();
    let (model, hints) = new_model(settings);
    let executor = Recorder::default().executor(hints);
    let app = WarehouseApp::start(
        model,
        Box::new(link.clone()),
        events_rx,
        executor,
        Waker::default(),
        None,
    )
    .unwrap()
    .with_zone(test_zone())
    .with_clock(Box::new(t0));
    let harness = Harness::builder()
        .with_size(SCREEN)
        .with_max_steps(16)
        .build_ui_state(|ui, app: &mut WarehouseApp| app.show(ui), app);
    (harness, link.feed())
}

fn wait_for(harness: &mut ScreenHarness, what: &str, done: impl Fn(&ScreenHarness) -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    while !done(harness) {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    harness.run();
}

fn save(harness: &mut ScreenHarness, name: &str) {
    if let Ok(dir) = std::env::var("PACKBELL_SCREENSHOT_DIR") {
        let image = harness.render().unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        image
            .save(std::path::Path::new(&dir).join(format!("{name}.png")))
            .unwrap();
    }
    harness.snapshot(name);
}

fn morning() -> Vec<Order> {
    let now = t0();
    let mut orders = vec![
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
            1,
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
            "10431",
            2,
            Priority::Normal,
            now - Duration::minutes(3),
            "",
        ),
    ];
    orders.extend([
        packed(20, "10401", 1, 3),
        packed(21, "10398", 3, 4),
        packed(22, "10399", 7, 3),
        packed(23, "10395", 12, 4),
        packed(24, "10390", 26, 3),
    ]);
    orders
}

#[test]
fn screenshot_recently_packed_drawer() {
    let (mut harness, events) = screen_app(test_settings());
    load(&events, morning());
    wait_for(&mut harness, "rows", |h| {
        h.query_by_label("Packed 10423").is_some()
    });
    harness.key_press(egui::Key::F4);
    harness.run();
    assert!(harness.query_by_label("Bring back 10401").is_some());
    save(&mut harness, "recently_packed_1366");
}

#[test]
fn screenshot_cancelled_order() {
    let (mut harness, events) = screen_app(test_settings());
    load(&events, morning());
    wait_for(&mut harness, "rows", |h| {
        h.query_by_label("Packed 10424").is_some()
    });
    events.send(cancel_event(11, 2)).unwrap();
    wait_for(&mut harness, "banner", |h| {
        h.query_by_label("10424 CANCELLED — stop packing").is_some()
    });
    save(&mut harness, "cancelled_1366");
}
