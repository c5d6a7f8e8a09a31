//! Trouble is loud, messages stay in one line, and the keyboard always finds its way
//! back to the order number: the real app's ui through egui_kittest, with link
//! events fed by hand.

mod common;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use common::{App, frames, harness, step_until, wait_for_text, with_model};
use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use packbell_client_core::fake::{EventFeed, FakeLink};
use packbell_office::app::OfficeApp;
use packbell_office::i18n::Lang;
use packbell_office::settings::UiSettings;
use packbell_shared::link::{LinkEvent, LinkStatus, OutboxItem, OutboxReport};
use packbell_shared::protocol::{Command, Priority, Role, Snapshot, Store};
use packbell_shared::transport::ConnectError;

const WAIT: Duration = Duration::from_secs(5);

struct Rig {
    harness: App<'static>,
    events: EventFeed,
    link: FakeLink,
}

/// 2026-03-02 10:42 UTC (the tests show times in UTC).
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 10, 42, 0)
        .single()
        .expect("a valid instant")
}

fn connected() -> LinkEvent {
    LinkEvent::Status(LinkStatus::Connected {
        site: "Tienda Sol".into(),
        server_id: "srv-1".into(),
        device_id: 5,
        role: Role::Office,
    })
}

/// The app connected as an office PC, with stores Centro and Norte, its clock at t0.
fn rig_in(data_dir: Option<std::path::PathBuf>) -> Rig {
    let (link, receiver) = FakeLink::new();
    let events = link.feed();
    let mut app =
        OfficeApp::new(Box::new(link.clone()), receiver, data_dir, Lang::En).expect("app");
    app.set_clock(t0());
    let mut harness = harness(app);
    events.send(connected()).expect("pump alive");
    events
        .send(LinkEvent::Reset {
            snapshot: Snapshot {
                ageing: None,
                more: false,
                seq: 3,
                stores: vec![
                    Store {
                        store_id: 1,
                        name: "Centro".into(),
                        active: true,
                    },
                    Store {
                        store_id: 2,
                        name: "Norte".into(),
                        active: true,
                    },
                ],
                orders: vec![],
                devices: vec![],
                items: Vec::new(),
                alerts: Vec::new(),
            },
            stale: false,
        })
        .expect("pump alive");
    step_until(&mut harness, "the snapshot", WAIT, |m| {
        m.site.stores.len() == 2
    });
    Rig {
        harness,
        events,
        link,
    }
}

fn rig() -> Rig {
    rig_in(None)
}

fn type_text(harness: &mut App<'_>, text: &str) {
    harness.event(egui::Event::Text(text.into()));
    harness.step();
    harness.step();
}

fn press(harness: &mut App<'_>, key: Key) {
    harness.key_press(key);
    harness.step();
    harness.step();
}

fn focused_label(harness: &App<'_>) -> Option<String> {
    harness
        .root()
        .children_recursive()
        .find(|n| n.is_focused())
        .and_then(|n| n.accesskit_node().label())
}

fn order_item(key: &str, number: &str) -> OutboxItem {
    OutboxItem {
        key: key.into(),
        command: Command::CreateOrder {
            order_number: number.into(),
            store_id: 1,
            note: String::new(),
            priority: Priority::Normal,
            lines: Vec::new(),
        },
        queued_at: Some(t0()),
    }
}

fn offline(reason: &str) -> LinkEvent {
    LinkEvent::Status(LinkStatus::Reconnecting {
        since: t0(),
        attempt: 3,
        reason: reason.into(),
    })
}

#[test]
fn the_offline_banner_says_since_when_and_how_many_wait_then_clears() {
    let Rig {
        mut harness,
        events,
        ..
    } = rig();
    frames(&mut harness, 2);
    assert!(harness.query_by_label_contains("Offline since").is_none());

    events
        .send(offline(
            "cannot reach 192.168.1.10:47801: Connection refused (os error 111)",
        ))
        .expect("pump alive");
    events
        .send(LinkEvent::Outbox(OutboxReport::Queued(vec![
            order_item("k1", "A-1"),
            order_item("k2", "A-2"),
            order_item("k3", "A-3"),
        ])))
        .expect("pump alive");
    wait_for_text(
        &mut harness,
        "Offline since 10:42 — 3 orders waiting to be sent.",
        WAIT,
    );
    assert!(
        harness
            .query_by_label_contains("Check that the server PC is on")
            .is_some()
    );
    assert!(
        harness.query_by_label_contains("os error").is_none(),
        "the raw cause stays behind Details"
    );
    harness.get_by_label("Details").click();
    frames(&mut harness, 2);
    assert!(harness.query_by_label_contains("os error 111").is_some());

    // One answered: the count follows the link's outbox report.
    events
        .send(LinkEvent::Outbox(OutboxReport::Answered(vec!["k1".into()])))
        .expect("pump alive");
    wait_for_text(&mut harness, "2 orders waiting to be sent.", WAIT);

    events.send(connected()).expect("pump alive");
    step_until(&mut harness, "connected", WAIT, |m| {
        matches!(m.link, LinkStatus::Connected { .. })
    });
    frames(&mut harness, 2);
    assert!(harness.query_by_label_contains("Offline since").is_none());
    assert!(harness.query_by_label_contains("Check that").is_none());
}

#[test]
fn another_server_and_no_server_have_their_own_banners() {
    let Rig {
        mut harness,
        events,
        ..
    } = rig();
    let impostor = ConnectError::NotPairedServer {
        seen: "ab:cd:ef".into(),
    };
    events
        .send(offline(&impostor.to_string()))
        .expect("pump alive");
    wait_for_text(&mut harness, "Another packbell server answered", WAIT);
    assert!(
        harness
            .query_by_label_contains("pair this PC again")
            .is_some()
    );
    assert!(harness.query_by_label_contains("certificate").is_none());

    events
        .send(offline(packbell_shared::link::cause::NO_SERVER_ANSWERED))
        .expect("pump alive");
    wait_for_text(&mut harness, "No packbell server found", WAIT);
    assert!(
        harness
            .query_by_label_contains("Another packbell server")
            .is_none()
    );
}

#[test]
fn two_sends_leave_one_message_line_and_success_fades() {
    let Rig {
        mut harness,
        events,
        link,
    } = rig();
    frames(&mut harness, 2);
    for number in ["F-1", "F-2"] {
        type_text(&mut harness, number);
        press(&mut harness, Key::Tab);
        type_text(&mut harness, "centro");
        press(&mut harness, Key::Enter);
        let (key, _) = link.commands().last().cloned().expect("sent");
        events
            .send(LinkEvent::Acked {
                key,
                seq: 4,
                order_id: None,
                store_id: Some(1),
            })
            .expect("pump alive");
        wait_for_text(&mut harness, &format!("{number} for Centro"), WAIT);
    }
    let lines = harness
        .query_all_by_label_contains("received by the server")
        .count();
    assert_eq!(lines, 1, "the latest message replaces the earlier one");
    assert!(harness.query_by_label_contains("F-1 for Centro").is_none());

    harness
        .state_mut()
        .set_clock(t0() + chrono::Duration::seconds(7));
    frames(&mut harness, 2);
    assert!(
        harness
            .query_by_label_contains("received by the server")
            .is_none(),
        "a success message fades"
    );
}

#[test]
fn errors_stay_until_dismissed_and_are_friendly() {
    let Rig {
        mut harness,
        events,
        link,
    } = rig();
    frames(&mut harness, 2);
    type_text(&mut harness, "G-1");
    press(&mut harness, Key::Tab);
    type_text(&mut harness, "norte");
    press(&mut harness, Key::Enter);
    let (key, _) = link.commands().last().cloned().expect("sent");
    events
        .send(LinkEvent::Rejected {
            key,
            code: packbell_shared::protocol::ErrorCode::UnknownStore,
            message: "store_id 2 does not exist".into(),
        })
        .expect("pump alive");
    wait_for_text(&mut harness, "G-1 was not accepted", WAIT);
    assert!(harness.query_by_label_contains("store_id").is_none());
    harness
        .state_mut()
        .set_clock(t0() + chrono::Duration::minutes(5));
    frames(&mut harness, 2);
    assert!(
        harness
            .query_by_label_contains("G-1 was not accepted")
            .is_some()
    );
    harness.get_by_label("Dismiss").click();
    frames(&mut harness, 2);
    assert!(
        harness
            .query_by_label_contains("G-1 was not accepted")
            .is_none()
    );
}

#[test]
fn ctrl_n_f2_and_escape_bring_the_cursor_back_to_the_order_number() {
    let Rig { mut harness, .. } = rig();
    frames(&mut harness, 2);
    press(&mut harness, Key::Tab);
    press(&mut harness, Key::Tab);
    assert_eq!(focused_label(&harness).as_deref(), Some("Note (optional)"));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    frames(&mut harness, 2);
    assert_eq!(focused_label(&harness).as_deref(), Some("Order number"));

    press(&mut harness, Key::Tab);
    assert_eq!(focused_label(&harness).as_deref(), Some("Store"));
    press(&mut harness, Key::F2);
    assert_eq!(focused_label(&harness).as_deref(), Some("Order number"));
    press(&mut harness, Key::Tab);
    press(&mut harness, Key::Escape);
    assert_eq!(focused_label(&harness).as_deref(), Some("Order number"));

    // A filter drop-down: pick a store, then Escape or plain typing lands in the number.
    harness.get_by_value("All stores").click();
    frames(&mut harness, 2);
    harness.get_by_label("Norte").click();
    frames(&mut harness, 2);
    with_model(&harness, |m| assert_eq!(m.filter.store, Some(2)));
    type_text(&mut harness, "H-9");
    with_model(&harness, |m| assert_eq!(m.form.number, "H-9"));

    harness.get_by_value("Norte").click();
    frames(&mut harness, 2);
    press(&mut harness, Key::Escape);
    assert_eq!(focused_label(&harness).as_deref(), Some("Order number"));
    assert!(harness.query_by_label_contains("Ctrl+N").is_some());
}

#[test]
fn ctrl_plus_zooms_and_the_size_is_saved() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Rig { mut harness, .. } = rig_in(Some(dir.path().into()));
    frames(&mut harness, 2);
    assert_eq!(harness.ctx.zoom_factor(), 1.0);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Plus);
    frames(&mut harness, 3);
    assert!((harness.ctx.zoom_factor() - 1.1).abs() < 0.001);
    assert!((UiSettings::load(dir.path()).text_scale - 1.1).abs() < 0.001);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num0);
    frames(&mut harness, 3);
    assert_eq!(harness.ctx.zoom_factor(), 1.0);
    assert_eq!(UiSettings::load(dir.path()).text_scale, 1.0);
}

#[test]
fn a_saved_text_size_is_used_at_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    UiSettings {
        text_scale: 1.3,
        ..UiSettings::default()
    }
    .save(dir.path())
    .expect("saved");
    let Rig { mut harness, .. } = rig_in(Some(dir.path().into()));
    frames(&mut harness, 3);
    assert!((harness.ctx.zoom_factor() - 1.3).abs() < 0.001);
}

#[test]
fn a_first_run_does_not_speak_of_a_last_known_state() {
    let (link, receiver) = FakeLink::new();
    let events = link.feed();
    let app = OfficeApp::new(Box::new(link), receiver, None, Lang::En).expect("app");
    let mut harness = harness(app);
    events
        .send(offline(packbell_shared::link::cause::NO_SERVER_ANSWERED))
        .expect("pump alive");
    wait_for_text(&mut harness, "No packbell server found", WAIT);
    assert!(harness.query_by_label_contains("last known").is_none());
}

#[test]
fn settings_that_cannot_be_saved_are_told_in_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A file where the data dir should be: nothing can be written inside it.
    let not_a_dir = dir.path().join("occupied");
    std::fs::write(&not_a_dir, b"").expect("written");
    let Rig { mut harness, .. } = rig_in(Some(not_a_dir));
    frames(&mut harness, 2);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Plus);
    frames(&mut harness, 3);
    wait_for_text(&mut harness, "could not be saved on this PC", WAIT);
    assert!(harness.query_by_label_contains("os error").is_none());
    assert!(harness.query_by_label_contains("occupied").is_none());
}
