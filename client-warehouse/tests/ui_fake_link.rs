//! The real app and alert service, driven through egui_kittest, with link events fed
//! by the test: fast, deterministic checks of what the warehouse sees and hears.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod support;

use chrono::Duration;
use egui_kittest::kittest::Queryable;
use packbell_shared::link::{LinkEvent, LinkRequest, LinkStatus};
use packbell_shared::protocol::{Command, Order, OrderStatus, Priority};
use packbell_shared::zone::Zone;
use packbell_warehouse::alert::Call;
use packbell_warehouse::settings::SoundId;
use support::*;

fn two_stores() -> Vec<packbell_shared::protocol::Store> {
    vec![store(1, "Centro"), store(2, "Norte")]
}

#[test]
fn new_order_appears_rings_and_notifies() {
    let (mut harness, events, _link, recorder) = fake_app(test_settings(), None);
    events.send(connected("Tienda Sur")).unwrap();
    events.send(reset(10, two_stores(), Vec::new())).unwrap();
    events.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
    step_until(&mut harness, "connected status", |h| {
        has_label(h, "Connected · Tienda Sur")
    });
    assert!(has_label(&harness, "No pending orders"));

    events
        .send(live(created_event(
            11,
            1,
            "A-1001",
            1,
            Priority::Normal,
            chrono::Utc::now(),
        )))
        .unwrap();
    step_until(&mut harness, "order row", |h| has_label(h, "Packed A-1001"));
    assert!(has_label(&harness, "A-1001"));
    let calls = wait_calls(&recorder, "chime and notification", |c| {
        sounds(c) == 1 && !shown_titles(c).is_empty()
    });
    assert!(calls.contains(&Call::Sound {
        sound: SoundId::Chime,
        volume: 0.8
    }));
    assert_eq!(shown_titles(&calls), ["Order A-1001 — Centro"]);
    assert!(calls.contains(&Call::Attention { urgent: false }));
}

#[test]
fn filter_by_store_hides_others_and_counts_stay_visible() {
    let (mut harness, events, _link, _recorder) = fake_app(test_settings(), None);
    let now = chrono::Utc::now();
    events.send(connected("Tienda")).unwrap();
    events
        .send(reset(
            10,
            two_stores(),
            vec![
                order(1, "C-1", 1, Priority::Normal, now, ""),
                order(2, "C-2", 1, Priority::Normal, now, ""),
                order(3, "N-1", 2, Priority::Normal, now, ""),
            ],
        ))
        .unwrap();
    step_until(&mut harness, "three rows", |h| listed(h).len() == 3);
    assert!(has_label(&harness, "All  3"));
    assert!(has_label(&harness, "Centro  2"));
    assert!(has_label(&harness, "Norte  1"));

    harness.get_by_label("Norte  1").click();
    harness.run();
    assert_eq!(listed(&harness), ["N-1"]);
    // The counts of every store stay on the chips.
    assert!(has_label(&harness, "Centro  2"));
    assert!(has_label_containing(&harness, "1 pending"));

    harness.get_by_label("Centro  2").click();
    harness.run();
    assert_eq!(listed(&harness).len(), 3, "both stores chosen");

    harness.get_by_label("All  3").click();
    harness.run();
    assert_eq!(listed(&harness).len(), 3);
}

#[test]
fn packed_button_and_undo_send_commands_and_update_the_list() {
    let (mut harness, events, link, _recorder) = fake_app(test_settings(), None);
    let now = chrono::Utc::now();
    events.send(connected("Tienda")).unwrap();
    events
        .send(reset(
            10,
            two_stores(),
            vec![
                order(1, "A-1", 1, Priority::Normal, now, ""),
                order(2, "A-2", 2, Priority::Normal, now, ""),
            ],
        ))
        .unwrap();
    step_until(&mut harness, "rows", |h| listed(h).len() == 2);

    harness.get_by_label("Packed A-1").click();
    harness.run();
    assert_eq!(listed(&harness), ["A-2"]);
    assert!(matches!(
        link.sent().as_slice(),
        [LinkRequest::Submit {
            command: Command::PackOrder { order_id: 1 },
            ..
        }]
    ));

    harness.get_by_label("Undo A-1").click();
    harness.run();
    assert_eq!(listed(&harness), ["A-1", "A-2"]);
    assert!(matches!(
        link.sent().last(),
        Some(LinkRequest::Submit {
            command: Command::RecallOrder { order_id: 1, .. },
            ..
        })
    ));
    assert!(harness.query_by_label("Undo A-1").is_none());
}

#[test]
fn keyboard_selects_and_packs() {
    let (mut harness, events, link, _recorder) = fake_app(test_settings(), None);
    let now = chrono::Utc::now();
    events.send(connected("Tienda")).unwrap();
    events
        .send(reset(
            10,
            two_stores(),
            vec![
                order(1, "A-1", 1, Priority::Normal, now, ""),
                order(
                    2,
                    "A-2",
                    1,
                    Priority::Normal,
                    now + Duration::seconds(1),
                    "",
                ),
            ],
        ))
        .unwrap();
    step_until(&mut harness, "rows", |h| listed(h).len() == 2);
    harness.key_press(egui::Key::ArrowDown);
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert_eq!(listed(&harness), ["A-1"]);
    assert!(matches!(
        link.sent().as_slice(),
        [LinkRequest::Submit {
            command: Command::PackOrder { order_id: 2 },
            ..
        }]
    ));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run();
    assert_eq!(listed(&harness), ["A-1", "A-2"]);
}

/// `count` normal orders of store 1 numbered `prefix-1`, `prefix-2`, …, a second apart.
fn numbered_orders(prefix: &str, count: u64, now: chrono::DateTime<chrono::Utc>) -> Vec<Order> {
    (1..=count)
        .map(|i| {
            let number = format!("{prefix}-{i}");
            order(
                i,
                &number,
                1,
                Priority::Normal,
                now + Duration::seconds(i as i64),
                "",
            )
        })
        .collect()
}

/// The orders the window asked the link to mark packed, in order.
fn packed_ids(link: &packbell_client_core::fake::FakeLink) -> Vec<u64> {
    link.sent()
        .iter()
        .filter_map(|r| match r {
            LinkRequest::Submit {
                command: Command::PackOrder { order_id },
                ..
            } => Some(*order_id),
            _ => None,
        })
        .collect()
}

#[test]
fn home_end_and_pages_move_through_a_long_list_and_esc_closes_settings() {
    let (mut harness, events, link, _recorder) = fake_app(test_settings(), None);
    let now = chrono::Utc::now();
    events.send(connected("Tienda")).unwrap();
    let orders = numbered_orders("B", 40, now);
    events.send(reset(10, two_stores(), orders)).unwrap();
    step_until(&mut harness, "rows", |h| !listed(h).is_empty());
    harness.key_press(egui::Key::End);
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert_eq!(packed_ids(&link), [40], "End selects the last row");
    harness.key_press(egui::Key::Home);
    harness.run();
    harness.key_press(egui::Key::PageDown);
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
    let second = packed_ids(&link)[1];
    assert!(
        second > 2 && second < 40,
        "a page down from the top: {second}"
    );

    harness.get_by_label("Settings").click();
    harness.run();
    assert!(has_label(&harness, "Ring for"));
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(!has_label(&harness, "Ring for"), "Esc closes Settings");
}

#[test]
fn a_double_click_on_packed_packs_one_order() {
    let (mut harness, events, link, _recorder) = fake_app(test_settings(), None);
    let now = chrono::Utc::now();
    events.send(connected("Tienda")).unwrap();
    let orders = numbered_orders("D", 3, now);
    events.send(reset(10, two_stores(), orders)).unwrap();
    step_until(&mut harness, "rows", |h| listed(h).len() == 3);
    // Two clicks a frame apart on the first row's button: the second lands on the row
    // that slid up under the pointer.
    let at = harness.get_by_label("Packed D-1").rect().center();
    harness.event(egui::Event::PointerMoved(at));
    harness.step();
    for _ in 0..2 {
        for pressed in [true, false] {
            harness.event(egui::Event::PointerButton {
                pos: at,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: egui::Modifiers::NONE,
            });
            harness.step();
        }
    }
    harness.run();
    let packs = packed_ids(&link).len();
    assert_eq!(packs, 1, "{:?}", link.sent());
    assert_eq!(listed(&harness), ["D-2", "D-3"]);
}

#[test]
fn rush_orders_come_first_and_can_be_acknowledged() {
    let (mut harness, events, _link, recorder) = fake_app(test_settings(), None);
    let now = chrono::Utc::now();
    events.send(connected("Tienda")).unwrap();
    events
        .send(reset(
            10,
            two_stores(),
            vec![
                order(
                    1,
                    "OLD",
                    1,
                    Priority::Normal,
                    now - Duration::minutes(20),
                    "",
                ),
                order(
                    2,
                    "MID",
                    2,
                    Priority::Normal,
                    now - Duration::minutes(7),
                    "",
                ),
            ],
        ))
        .unwrap();
    events.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
    events
        .send(live(created_event(11, 3, "RUSH-1", 2, Priority::Rush, now)))
        .unwrap();
    step_until(&mut harness, "rush row", |h| listed(h).len() == 3);
    assert_eq!(listed(&harness), ["RUSH-1", "OLD", "MID"]);
    assert!(has_label(&harness, "RUSH"));
    let calls = wait_calls(&recorder, "rush chime", |c| sounds(c) == 1);
    assert!(calls.contains(&Call::Sound {
        sound: SoundId::Urgent,
        volume: 0.8
    }));
    assert_eq!(shown_titles(&calls), ["RUSH: order RUSH-1 — Norte"]);

    assert!(has_label(&harness, "Silence rush (1)"));
    harness.get_by_label("Got it RUSH-1").click();
    harness.run();
    assert!(harness.query_by_label("Silence rush (1)").is_none());
    assert!(harness.query_by_label("Got it RUSH-1").is_none());
}

#[test]
fn offline_banner_keeps_the_last_list() {
    let (mut harness, events, _link, _recorder) = fake_app(test_settings(), None);
    let now = chrono::Utc::now();
    events.send(connected("Tienda")).unwrap();
    events
        .send(reset(
            10,
            two_stores(),
            vec![order(1, "A-1", 1, Priority::Normal, now, "")],
        ))
        .unwrap();
    events.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
    step_until(&mut harness, "row", |h| listed(h).len() == 1);
    events
        .send(LinkEvent::Status(LinkStatus::Reconnecting {
            since: now,
            attempt: 3,
            reason: "connection refused".into(),
        }))
        .unwrap();
    step_until(&mut harness, "offline banner", |h| {
        has_label_containing(h, "reconnecting (attempt 3)")
    });
    assert!(has_label_containing(&harness, "OFFLINE since"));
    assert!(has_label_containing(&harness, "may be out of date"));
    assert_eq!(listed(&harness), ["A-1"], "the last known list stays");
}

#[test]
fn times_and_today_follow_the_windows_zone() {
    // Bogotá (UTC-5): t0, 09:00 UTC, is 04:00 there.
    let bogota = Zone::hours_east(-5).unwrap();
    let (mut harness, events, _link, _recorder) = fake_app_in(bogota, test_settings(), Some(t0()));
    let packed = |order_id, number: &str, at| Order {
        status: OrderStatus::Packed,
        status_at: Some(at),
        status_by: Some(3),
        ..order(order_id, number, 1, Priority::Normal, at, "")
    };
    events.send(connected("Tienda")).unwrap();
    events
        .send(reset(
            10,
            two_stores(),
            vec![
                // 23:00 the evening before in Bogotá, 04:00 UTC: not today there.
                packed(1, "P-1", t0() - Duration::hours(5)),
                // 01:00 in Bogotá: today.
                packed(2, "P-2", t0() - Duration::hours(3)),
                order(3, "A-3", 1, Priority::Normal, t0(), ""),
            ],
        ))
        .unwrap();
    events.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
    step_until(&mut harness, "row", |h| listed(h) == ["A-3"]);
    assert!(
        has_label(&harness, "1 pending · 1 packed today"),
        "only P-2 was packed after midnight in Bogotá"
    );
    events
        .send(LinkEvent::Status(LinkStatus::Reconnecting {
            since: t0() - Duration::minutes(3),
            attempt: 2,
            reason: "connection refused".into(),
        }))
        .unwrap();
    step_until(&mut harness, "offline banner", |h| {
        has_label_containing(h, "reconnecting (attempt 2)")
    });
    assert!(
        has_label_containing(&harness, "OFFLINE since 03:57"),
        "08:57 UTC on Bogotá's wall clock"
    );
}

#[test]
fn pairing_dialog_sends_the_code() {
    let (mut harness, events, link, _recorder) = fake_app(test_settings(), None);
    events
        .send(LinkEvent::Status(LinkStatus::NeedsPairing { reason: None }))
        .unwrap();
    step_until(&mut harness, "pairing dialog", |h| {
        has_label(h, "Pair this PC")
    });
    harness.get_by_label("Pairing code").focus();
    harness.run();
    harness.get_by_label("Pairing code").type_text("K7P-4QX");
    harness.run();
    harness.get_by_label("Pair").click();
    // A spinner keeps repainting while pairing: step instead of settling.
    harness.run_steps(3);
    assert!(matches!(
        link.sent().as_slice(),
        [LinkRequest::Pair { code }] if code == "K7P-4QX"
    ));
    assert!(has_label(&harness, "Pairing…"));
}

#[test]
fn settings_switch_language_and_mute() {
    let (mut harness, events, _link, recorder) = fake_app(test_settings(), None);
    let now = chrono::Utc::now();
    events.send(connected("Tienda")).unwrap();
    events
        .send(reset(
            10,
            two_stores(),
            vec![order(1, "A-1", 1, Priority::Normal, now, "")],
        ))
        .unwrap();
    events.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
    step_until(&mut harness, "row", |h| listed(h).len() == 1);

    harness.get_by_label("Settings").click();
    harness.run();
    harness.get_by_label("Mute sounds").click();
    harness.run();
    harness.get_by_label("Language").click();
    harness.run();
    harness.get_by_label("Español").click();
    harness.run();
    assert!(has_label(&harness, "Empaquetado A-1"));
    assert!(has_label(&harness, "Idioma"));
    harness.get_by_label("Cerrar").click();
    harness.run();

    // Muted: a new order still notifies, without sound.
    events
        .send(live(created_event(11, 2, "A-2", 1, Priority::Normal, now)))
        .unwrap();
    step_until(&mut harness, "second row", |h| {
        has_label(h, "Empaquetado A-2")
    });
    let calls = wait_calls(&recorder, "notification", |c| !shown_titles(c).is_empty());
    assert_eq!(sounds(&calls), 0);
    assert_eq!(shown_titles(&calls), ["Pedido A-2 — Centro"]);
}

#[test]
fn the_station_is_chosen_in_settings_and_decides_what_rings() {
    let (mut harness, events, _link, recorder) = fake_app(test_settings(), None);
    let now = chrono::Utc::now();
    events.send(connected("Tienda")).unwrap();
    events.send(reset(10, two_stores(), Vec::new())).unwrap();
    events.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
    step_until(&mut harness, "stores", |h| has_label(h, "Norte  0"));

    harness.get_by_label("Settings").click();
    harness.run();
    assert!(has_label(&harness, "Ring for"));
    harness.get_by_label("Norte").click();
    harness.run();
    harness.get_by_label("Close").click();
    harness.run();

    // Norte is no longer this PC's station: listed, not rung. Centro still rings.
    events
        .send(live(created_event(11, 1, "N-1", 2, Priority::Rush, now)))
        .unwrap();
    events
        .send(live(created_event(12, 2, "C-1", 1, Priority::Normal, now)))
        .unwrap();
    step_until(&mut harness, "both rows", |h| listed(h).len() == 2);
    let calls = wait_calls(&recorder, "Centro's ring", |c| !shown_titles(c).is_empty());
    assert_eq!(shown_titles(&calls), ["Order C-1 — Centro"]);
}

#[test]
fn a_failing_sound_shows_one_hint_and_the_list_keeps_working() {
    let (link, events_rx) = packbell_client_core::fake::FakeLink::new();
    let events_tx = link.feed();
    let (model, hints) = packbell_warehouse::app::new_model(test_settings());
    let mut recorder = packbell_warehouse::alert::Recorder::default();
    recorder.fail_sound = Some("no audio device".into());
    let app = packbell_warehouse::app::WarehouseApp::start(
        model,
        Box::new(link),
        events_rx,
        recorder.executor(hints),
        packbell_client_core::waker::Waker::default(),
        None,
    )
    .unwrap();
    let mut harness = egui_kittest::Harness::builder()
        .with_size(SIZE)
        .build_ui_state(
            |ui, app: &mut packbell_warehouse::app::WarehouseApp| app.show(ui),
            app,
        );
    let now = chrono::Utc::now();
    events_tx.send(connected("Tienda")).unwrap();
    events_tx.send(reset(10, two_stores(), Vec::new())).unwrap();
    events_tx.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
    for i in 0..3 {
        events_tx
            .send(live(created_event(
                11 + i,
                1 + i,
                &format!("A-{i}"),
                1,
                Priority::Normal,
                now,
            )))
            .unwrap();
    }
    step_until(&mut harness, "rows", |h| listed(h).len() == 3);
    step_until(&mut harness, "hint", |h| {
        has_label_containing(h, "No sound on this PC: check that the speakers")
    });
    // The raw cause stays out of the words a packer reads (it is the hover detail).
    assert!(!has_label_containing(&harness, "no audio device"));
    assert_eq!(
        harness
            .query_all_by_label_contains("No sound on this PC")
            .count(),
        1,
        "shown once"
    );
    harness.get_by_label("OK").click();
    harness.run();
    assert!(!has_label_containing(&harness, "No sound on this PC"));
    let calls = recorder.calls();
    assert_eq!(shown_titles(&calls).len(), 3, "notifications still go out");
}

#[test]
fn ten_thousand_pending_lay_out_only_the_visible_rows() {
    let (mut harness, events, _link, _recorder) = fake_app(test_settings(), None);
    let now = chrono::Utc::now();
    let orders = (1..=10_000u64)
        .map(|i| {
            let priority = if i % 500 == 0 {
                Priority::Rush
            } else {
                Priority::Normal
            };
            order(
                i,
                &format!("B-{i}"),
                1 + i % 2,
                priority,
                now - Duration::seconds(20_000 - i as i64),
                "",
            )
        })
        .collect();
    events.send(connected("Tienda")).unwrap();
    events.send(reset(20_000, two_stores(), orders)).unwrap();
    events.send(LinkEvent::CaughtUp { seq: 20_000 }).unwrap();
    step_until(&mut harness, "rows", |h| !listed(h).is_empty());
    let shown = listed(&harness);
    assert!(
        shown.len() < 20,
        "only rows on screen exist: {}",
        shown.len()
    );
    // The oldest order, behind 20 rush ones, is pinned above them (model/ageing.rs).
    assert_eq!(
        shown[..2],
        ["B-1", "B-500"],
        "oldest pinned, then rush first"
    );
    assert!(has_label(&harness, "All  10000"));
    assert!(has_label_containing(&harness, "more below"));

    // Frames stay cheap (generous bound: debug build, software rendering off).
    let started = std::time::Instant::now();
    for _ in 0..20 {
        harness.step();
    }
    let per_frame = started.elapsed() / 20;
    assert!(
        per_frame < std::time::Duration::from_millis(100),
        "{per_frame:?} per frame"
    );

    // Keyboard paging through the list scrolls it.
    for _ in 0..30 {
        harness.key_press(egui::Key::ArrowDown);
    }
    harness.run();
    // Row 30: after the 20 rush orders, the tenth oldest normal one.
    let shown = listed(&harness);
    assert!(shown.contains(&"B-10".to_owned()), "{shown:?}");
    assert!(!shown.contains(&"B-500".to_owned()), "scrolled: {shown:?}");
}

#[test]
fn a_store_tab_is_forgotten_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        let (link, events) = packbell_client_core::fake::FakeLink::new();
        let feed = link.feed();
        let settings = packbell_warehouse::settings::load(dir.path());
        let (model, hints) = packbell_warehouse::app::new_model(settings);
        let recorder = packbell_warehouse::alert::Recorder::default();
        let app = packbell_warehouse::app::WarehouseApp::start(
            model,
            Box::new(link),
            events,
            recorder.executor(hints),
            packbell_client_core::waker::Waker::default(),
            Some(dir.path().to_owned()),
        )
        .unwrap();
        let harness = egui_kittest::Harness::builder()
            .with_size(SIZE)
            .build_ui_state(
                |ui, app: &mut packbell_warehouse::app::WarehouseApp| app.show(ui),
                app,
            );
        (harness, feed)
    };
    let now = chrono::Utc::now();
    let orders = vec![
        order(1, "C-1", 1, Priority::Normal, now, ""),
        order(2, "N-1", 2, Priority::Normal, now, ""),
    ];
    let (mut harness, tx) = start();
    tx.send(connected("Tienda")).unwrap();
    tx.send(reset(10, two_stores(), orders.clone())).unwrap();
    step_until(&mut harness, "rows", |h| listed(h).len() == 2);
    harness.get_by_label("Norte  1").click();
    harness.run();
    assert_eq!(listed(&harness), ["N-1"]);
    drop(harness);

    // A tab clicked to look something up does not outlive the window: the next start
    // shows every store again (what rings is the station, a setting of its own).
    let (mut harness, tx) = start();
    tx.send(connected("Tienda")).unwrap();
    tx.send(reset(10, two_stores(), orders)).unwrap();
    step_until(&mut harness, "rows", |h| listed(h).len() == 2);
    assert_eq!(listed(&harness), ["C-1", "N-1"]);
}

#[test]
fn several_servers_are_offered_and_a_click_chooses_one() {
    let (mut harness, events, link, _recorder) = fake_app(test_settings(), None);
    let server = |id: &str, last: u8| packbell_shared::discovery::FoundServer {
        ws_addr: std::net::SocketAddr::from(([192, 168, 1, last], 47801)),
        site: "Tienda Sol".into(),
        server_id: id.into(),
        protocol: 1,
    };
    // A pairing code was given on the command line: the link is looking for the
    // server when several answer.
    events
        .send(LinkEvent::ServersFound(vec![
            server("3f2a9c1e77b0d4e5aa", 10),
            server("b7c0d4e5129f3a61bb", 11),
        ]))
        .unwrap();
    events
        .send(LinkEvent::Status(LinkStatus::Reconnecting {
            since: chrono::Utc::now(),
            attempt: 1,
            reason: "several packbell servers answered; choose one".into(),
        }))
        .unwrap();
    step_until(&mut harness, "the chooser", |h| {
        has_label_containing(h, "Several packbell servers answered")
    });
    assert!(has_label(
        &harness,
        "Tienda Sol · 192.168.1.10:47801 · id 3f2a:9c1e:77b0:d4e5"
    ));
    assert!(
        !has_label(&harness, "Pairing code"),
        "no code asked: the link has one"
    );
    harness
        .get_by_label("Tienda Sol · 192.168.1.11:47801 · id b7c0:d4e5:129f:3a61")
        .click();
    // A spinner keeps repainting while connecting: step instead of settling.
    harness.run_steps(3);
    assert!(matches!(
        link.sent().as_slice(),
        [LinkRequest::ChooseServer { server_id }] if server_id == "b7c0d4e5129f3a61bb"
    ));
    assert!(has_label(
        &harness,
        "Connecting to Tienda Sol (192.168.1.11:47801)…"
    ));

    events.send(connected("Tienda Sol")).unwrap();
    step_until(&mut harness, "the chooser closes", |h| {
        !has_label_containing(h, "Several packbell servers answered")
    });
    assert!(has_label(&harness, "Connected · Tienda Sol"));
}

#[test]
fn the_chooser_sits_above_the_pairing_code_when_both_are_needed() {
    let (mut harness, events, link, _recorder) = fake_app(test_settings(), None);
    events
        .send(LinkEvent::Status(LinkStatus::NeedsPairing { reason: None }))
        .unwrap();
    events
        .send(LinkEvent::ServersFound(vec![
            packbell_shared::discovery::FoundServer {
                ws_addr: std::net::SocketAddr::from(([10, 0, 0, 2], 47801)),
                site: "Norte".into(),
                server_id: "aa11bb22cc33dd44ee".into(),
                protocol: 1,
            },
            packbell_shared::discovery::FoundServer {
                ws_addr: std::net::SocketAddr::from(([10, 0, 0, 3], 47801)),
                site: "Sur".into(),
                server_id: "ff11bb22cc33dd44ee".into(),
                protocol: 1,
            },
        ]))
        .unwrap();
    step_until(&mut harness, "chooser and code", |h| {
        has_label_containing(h, "Several packbell servers answered") && has_label(h, "Pairing code")
    });
    harness
        .get_by_label("Sur · 10.0.0.3:47801 · id ff11:bb22:cc33:dd44")
        .click();
    harness.run_steps(3);
    assert!(matches!(
        link.sent().as_slice(),
        [LinkRequest::ChooseServer { server_id }] if server_id == "ff11bb22cc33dd44ee"
    ));
}
