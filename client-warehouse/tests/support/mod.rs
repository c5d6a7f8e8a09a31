//! Shared by the warehouse UI tests: building the real app around a fake or real link,
//! with recording alert outputs, and bounded waits on a harness.
#![allow(dead_code, reason = "each test file uses part of this")]
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use packbell_client_core::fake::{EventFeed, FakeLink};
use packbell_client_core::port::LinkPort;
use packbell_client_core::waker::Waker;
use packbell_shared::link::{LinkEvent, LinkStatus};
use packbell_shared::protocol::{
    Event, EventBody, Order, OrderId, OrderStatus, Priority, Role, Snapshot, Store, StoreId,
};
use packbell_shared::zone::Zone;
use packbell_warehouse::alert::{Call, Recorder};
use packbell_warehouse::app::{WarehouseApp, new_model};
use packbell_warehouse::i18n::Language;
use packbell_warehouse::settings::Settings;

/// Cap on any single wait; a test that needs longer has failed.
pub const WAIT: Duration = Duration::from_secs(20);
/// Window size of the harness: a small warehouse monitor.
pub const SIZE: egui::Vec2 = egui::Vec2::new(1100.0, 720.0);

pub type AppHarness = Harness<'static, WarehouseApp>;

/// English, default sounds: what the tests read labels in.
pub fn test_settings() -> Settings {
    Settings {
        language: Some(Language::En),
        ..Settings::default()
    }
}

/// The zone every test window shows times in, whatever the machine's `TZ`.
pub fn test_zone() -> Zone {
    Zone::utc()
}

/// The real app around `link` and `events`, alert outputs recorded by the returned
/// `Recorder`, in a harness of [`SIZE`], showing times in [`test_zone`].
pub fn app_harness(
    link: Box<dyn LinkPort>,
    events: Receiver<LinkEvent>,
    settings: Settings,
    clock: Option<DateTime<Utc>>,
) -> (AppHarness, Recorder) {
    app_harness_in(test_zone(), link, events, settings, clock)
}

/// Like [`app_harness`], showing times in `zone`.
pub fn app_harness_in(
    zone: Zone,
    link: Box<dyn LinkPort>,
    events: Receiver<LinkEvent>,
    settings: Settings,
    clock: Option<DateTime<Utc>>,
) -> (AppHarness, Recorder) {
    let (model, hints) = new_model(settings);
    let recorder = Recorder::default();
    let executor = recorder.executor(hints);
    let mut app = WarehouseApp::start(model, link, events, executor, Waker::default(), None)
        .unwrap()
        .with_zone(zone);
    if let Some(now) = clock {
        app = app.with_clock(Box::new(move || now));
    }
    let harness = Harness::builder()
        .with_size(SIZE)
        .with_max_steps(16)
        .build_ui_state(|ui, app: &mut WarehouseApp| app.show(ui), app);
    (harness, recorder)
}

/// The app on a fake link: the test feeds link events through the feed.
pub fn fake_app(
    settings: Settings,
    clock: Option<DateTime<Utc>>,
) -> (AppHarness, EventFeed, FakeLink, Recorder) {
    fake_app_in(test_zone(), settings, clock)
}

/// Like [`fake_app`], showing times in `zone`.
pub fn fake_app_in(
    zone: Zone,
    settings: Settings,
    clock: Option<DateTime<Utc>>,
) -> (AppHarness, EventFeed, FakeLink, Recorder) {
    let (link, events_rx) = FakeLink::new();
    let (harness, recorder) =
        app_harness_in(zone, Box::new(link.clone()), events_rx, settings, clock);
    (harness, link.feed(), link, recorder)
}

/// Steps the harness until `done` holds; panics (after saving nothing) at [`WAIT`].
pub fn step_until(harness: &mut AppHarness, what: &str, done: impl Fn(&AppHarness) -> bool) {
    let deadline = Instant::now() + WAIT;
    loop {
        harness.step();
        if done(harness) {
            // One more frame so that layouts depending on the new state settle.
            harness.step();
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn has_label(harness: &AppHarness, label: &str) -> bool {
    harness.query_by_label(label).is_some()
}

pub fn has_label_containing(harness: &AppHarness, label: &str) -> bool {
    harness.query_all_by_label_contains(label).next().is_some()
}

/// Order numbers of the "Packed …" ("Empaquetado …") buttons, top to bottom.
pub fn listed(harness: &AppHarness) -> Vec<String> {
    const PREFIXES: [&str; 2] = ["Packed ", "Empaquetado "];
    let number = |label: &str| {
        PREFIXES
            .iter()
            .find_map(|p| label.strip_prefix(p))
            .map(str::to_owned)
    };
    let mut rows: Vec<(f32, String)> = harness
        .query_all_by(|node| {
            node.role() == egui::accesskit::Role::Button
                && node.label().is_some_and(|l| number(&l).is_some())
        })
        .filter_map(|node| {
            let label = node.accesskit_node().label()?;
            Some((node.rect().min.y, number(&label)?))
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    rows.into_iter().map(|(_, n)| n).collect()
}

/// Waits until the pump has executed calls matching `done` on the recorder.
pub fn wait_calls(recorder: &Recorder, what: &str, done: impl Fn(&[Call]) -> bool) -> Vec<Call> {
    let deadline = Instant::now() + WAIT;
    loop {
        let calls = recorder.calls();
        if done(&calls) {
            return calls;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {calls:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn sounds(calls: &[Call]) -> usize {
    calls
        .iter()
        .filter(|c| matches!(c, Call::Sound { .. }))
        .count()
}

pub fn shown_titles(calls: &[Call]) -> Vec<String> {
    calls
        .iter()
        .filter_map(|c| match c {
            Call::Show(note) => Some(note.title.clone()),
            _ => None,
        })
        .collect()
}

// ------------------------------------------------------------------------------------
// Link events for the fake link

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

pub fn connected(site: &str) -> LinkEvent {
    LinkEvent::Status(LinkStatus::Connected {
        site: site.into(),
        server_id: "srv".into(),
        device_id: 7,
        role: Role::Warehouse,
    })
}

pub fn store(store_id: StoreId, name: &str) -> Store {
    Store {
        store_id,
        name: name.into(),
        active: true,
    }
}

pub fn order(
    order_id: OrderId,
    number: &str,
    store_id: StoreId,
    priority: Priority,
    created_at: DateTime<Utc>,
    note: &str,
) -> Order {
    Order {
        order_id,
        order_number: number.into(),
        store_id,
        note: note.into(),
        priority,
        status: OrderStatus::Pending,
        created_at,
        created_by: 1,
        status_at: None,
        status_by: None,
        cancel_reason: String::new(),
        acknowledged: false,
    }
}

pub fn reset(seq: u64, stores: Vec<Store>, orders: Vec<Order>) -> LinkEvent {
    LinkEvent::Reset {
        snapshot: Snapshot {
            ageing: None,
            more: false,
            seq,
            stores,
            orders,
            devices: Vec::new(),
            items: Vec::new(),
            alerts: Vec::new(),
        },
        stale: false,
    }
}

pub fn created_event(
    seq: u64,
    order_id: OrderId,
    number: &str,
    store_id: StoreId,
    priority: Priority,
    at: DateTime<Utc>,
) -> Event {
    Event {
        seq,
        at,
        device: 1,
        body: EventBody::OrderCreated {
            order_id,
            order_number: number.into(),
            store_id,
            note: String::new(),
            priority,
            lines: Vec::new(),
        },
    }
}

pub fn live(event: Event) -> LinkEvent {
    LinkEvent::Event {
        event,
        replayed: false,
    }
}

pub fn replayed(event: Event) -> LinkEvent {
    LinkEvent::Event {
        event,
        replayed: true,
    }
}

// ------------------------------------------------------------------------------------
// A real server and real links

pub mod site;
