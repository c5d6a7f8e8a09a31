//! The alert service with recording outputs and no window at all: ringing must not
//! depend on frames being drawn (a minimised window gets none).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod support;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use packbell_client_core::fake::{EventFeed, FakeLink};
use packbell_client_core::pump::Owner;
use packbell_client_core::waker::Waker;
use packbell_shared::link::{LinkEvent, LinkStatus};
use packbell_shared::protocol::{Event, EventBody, Priority};
use packbell_warehouse::alert::{AlertPump, Call, Recorder};
use packbell_warehouse::app::new_model;
use packbell_warehouse::model::Model;
use packbell_warehouse::settings::SoundId;
use support::*;

struct Pump {
    events: EventFeed,
    recorder: Recorder,
    model: Arc<Mutex<Model>>,
    /// Stops the fake link, then the pump, when the test ends.
    _owner: Owner,
}

/// The pump on a PC whose station is store 1 ("Centro"), connected at seq 10.
fn pump() -> Pump {
    let mut settings = test_settings();
    settings.station = BTreeSet::from([1]);
    let (model, hints) = new_model(settings);
    let recorder = Recorder::default();
    let (link, rx) = FakeLink::new();
    let events = link.feed();
    let (alert_pump, _requests) = AlertPump::new(Arc::clone(&model), recorder.executor(hints));
    let owner = Owner::start(
        "test-alerts",
        Box::new(link),
        rx,
        alert_pump,
        Waker::default(),
    )
    .unwrap();
    events.send(connected("Tienda")).unwrap();
    events
        .send(reset(
            10,
            vec![store(1, "Centro"), store(2, "Norte")],
            Vec::new(),
        ))
        .unwrap();
    events.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
    Pump {
        events,
        recorder,
        model,
        _owner: owner,
    }
}

#[test]
fn matching_live_orders_ring_and_others_do_not() {
    let p = pump();
    let now = chrono::Utc::now();
    p.events
        .send(live(created_event(11, 1, "N-1", 2, Priority::Normal, now)))
        .unwrap();
    p.events
        .send(live(created_event(12, 2, "C-1", 1, Priority::Normal, now)))
        .unwrap();
    p.events
        .send(live(created_event(13, 3, "N-2", 2, Priority::Rush, now)))
        .unwrap();
    p.events
        .send(live(created_event(14, 4, "C-2", 1, Priority::Rush, now)))
        .unwrap();
    // A last Centro order as a marker: events are handled in order, so once it rang,
    // a ring for a Norte order (had there been one) would have come before it.
    p.events
        .send(live(created_event(15, 5, "C-3", 1, Priority::Normal, now)))
        .unwrap();
    let calls = wait_calls(&p.recorder, "the marker's ring", |c| {
        shown_titles(c).iter().any(|t| t.contains("C-3"))
    });
    assert_eq!(
        shown_titles(&calls),
        [
            "Order C-1 — Centro",
            "RUSH: order C-2 — Centro",
            "Order C-3 — Centro"
        ],
        "only store Centro rings: {calls:?}"
    );
    let played: Vec<SoundId> = calls
        .iter()
        .filter_map(|c| match c {
            Call::Sound { sound, .. } => Some(*sound),
            _ => None,
        })
        .collect();
    assert_eq!(played, [SoundId::Chime, SoundId::Urgent, SoundId::Chime]);
    assert!(calls.contains(&Call::Attention { urgent: true }));
    // Every store is listed all the same: the station decides what rings, and the
    // store tabs only what is shown.
    let mut model = p.model.lock().unwrap();
    assert_eq!(model.visible(), [3, 4, 1, 2, 5]);
    model.set_store_filter(BTreeSet::from([1]));
    assert_eq!(model.visible(), [4, 2, 5]);
    assert_eq!(model.pending_total(), 5);
}

#[test]
fn catch_up_flood_rings_once_with_a_summary() {
    let p = pump();
    let now = chrono::Utc::now();
    p.events
        .send(LinkEvent::Status(LinkStatus::Reconnecting {
            since: now,
            attempt: 1,
            reason: "lost".into(),
        }))
        .unwrap();
    p.events.send(connected("Tienda")).unwrap();
    for i in 0..200u64 {
        let store_id = if i % 4 == 0 { 2 } else { 1 };
        p.events
            .send(replayed(created_event(
                11 + i,
                1 + i,
                &format!("F-{i}"),
                store_id,
                Priority::Normal,
                now,
            )))
            .unwrap();
    }
    // Some of the missed orders were packed meanwhile; they are not news.
    for i in 0..10u64 {
        p.events
            .send(replayed(Event {
                seq: 211 + i,
                at: now,
                device: 3,
                body: EventBody::OrderPacked {
                    order_id: 2 + i * 4,
                },
            }))
            .unwrap();
    }
    p.events.send(LinkEvent::CaughtUp { seq: 220 }).unwrap();

    // The next live order rings on its own again; events are handled in order, so
    // once it rang, any stray ring of the catch-up would have come before it.
    p.events
        .send(live(created_event(
            221,
            500,
            "L-1",
            1,
            Priority::Normal,
            now,
        )))
        .unwrap();
    let calls = wait_calls(&p.recorder, "live ring", |c| {
        shown_titles(c).iter().any(|t| t.contains("L-1"))
    });
    assert_eq!(
        shown_titles(&calls),
        ["140 new orders while offline", "Order L-1 — Centro"],
        "150 for Centro, 10 packed meanwhile: one summary, then the live order"
    );
    assert_eq!(sounds(&calls), 2);
}

#[test]
fn rush_re_alerts_without_any_frame() {
    let p = pump();
    // Below the settings' minimum, which only the UI and the settings file enforce.
    p.model.lock().unwrap().settings.rush_repeat_secs = 1;
    let now = chrono::Utc::now();
    p.events
        .send(live(created_event(11, 1, "R-1", 1, Priority::Rush, now)))
        .unwrap();
    wait_calls(&p.recorder, "first ring", |c| sounds(c) == 1);
    // The first repeat is due 1 s after the order; no egui frame is ever drawn here.
    let calls = wait_calls(&p.recorder, "repeat", |c| sounds(c) == 2);
    assert!(calls.ends_with(&[
        Call::Sound {
            sound: SoundId::Urgent,
            volume: 0.8
        },
        Call::Attention { urgent: true }
    ]));
    // Acknowledged: whatever the pump's next ticks ask the model, it decides nothing
    // more for R-1 (the pump only executes the model's decisions). Asked here directly,
    // well past the next due time, instead of waiting to see that nothing rings.
    let mut model = p.model.lock().unwrap();
    model.acknowledge(1);
    let later = chrono::Utc::now() + chrono::Duration::seconds(30);
    assert_eq!(model.tick(later), []);
}

/// Windows shows a toast as packbell's only when it carries the app id of the shortcut
/// that started the program, so the installer's id and the toasts' id must agree.
#[test]
fn toasts_carry_the_app_id_the_windows_installer_gives_the_warehouse_shortcuts() {
    let nsi_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../installer/windows/packbell.nsi"
    );
    let nsi = std::fs::read_to_string(nsi_path).unwrap();
    let installer_id = nsi
        .lines()
        .find_map(|line| line.strip_prefix("!define AUMID_WAREHOUSE "))
        .map(|value| value.trim().trim_matches('"'))
        .expect("AUMID_WAREHOUSE defined in packbell.nsi");
    assert_eq!(packbell_warehouse::alert::WINDOWS_APP_ID, installer_id);
}
