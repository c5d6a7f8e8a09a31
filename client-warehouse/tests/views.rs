//! Search and scan, and wall mode, through the real app on a fake link: the keys a
//! packer (or a barcode scanner) uses, and the wall's layout at two screen sizes.
//! Refresh the wall snapshots with `UPDATE_SNAPSHOTS=1`; `PACKBELL_SCREENSHOT_DIR=dir`
//! also writes the list and wall screenshots for docs/ there.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod support;

use chrono::Duration;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use packbell_client_core::fake::{EventFeed, FakeLink};
use packbell_client_core::waker::Waker;
use packbell_shared::link::{LinkEvent, LinkRequest};
use packbell_shared::protocol::{Command, Order, OrderStatus, Priority, Store};
use packbell_warehouse::alert::Recorder;
use packbell_warehouse::app::{WarehouseApp, new_model};
use packbell_warehouse::settings::Settings;
use support::*;

/// Full HD and the common laptop screen.
const FULL_HD: egui::Vec2 = egui::Vec2::new(1920.0, 1080.0);
const LAPTOP: egui::Vec2 = egui::Vec2::new(1366.0, 768.0);

/// The app on a fake link in a harness of `size`, clock pinned at [`t0`].
fn sized_app(size: egui::Vec2, settings: Settings) -> (AppHarness, EventFeed, FakeLink) {
    let (link, events) = FakeLink::new();
    let (model, hints) = new_model(settings);
    let recorder = Recorder::default();
    let app = WarehouseApp::start(
        model,
        Box::new(link.clone()),
        events,
        recorder.executor(hints),
        Waker::default(),
        None,
    )
    .unwrap()
    .with_zone(test_zone())
    .with_clock(Box::new(t0));
    let harness = Harness::builder()
        .with_size(size)
        .with_max_steps(16)
        .build_ui_state(|ui, app: &mut WarehouseApp| app.show(ui), app);
    (harness, link.feed(), link)
}

fn stores() -> Vec<Store> {
    ["Centro", "Norte", "Online", "Outlet Sur", "Mayorista"]
        .iter()
        .enumerate()
        .map(|(i, name)| store(i as u64 + 1, name))
        .collect()
}

const NOTES: [&str; 6] = [
    "",
    "Frágil: 2 cajas de vidrio, no apilar",
    "",
    "Recoge el cliente a las 12:00 en el mostrador; llamar al 600 123 456 si se retrasa, pagado con tarjeta",
    "",
    "Sin factura",
];

/// `count` pending orders spread over the last `span_min` minutes, every 7th rush
/// and recent, notes of every length.
fn backlog(count: u64, span_min: i64) -> Vec<Order> {
    (0..count)
        .map(|i| {
            let rush = i % 7 == 3;
            let age = if rush {
                Duration::seconds(30 + i as i64 * 5)
            } else {
                Duration::seconds(span_min * 60 * (count - i) as i64 / count as i64)
            };
            order(
                i + 1,
                &format!("{}", 80_000 + i * 3),
                1 + i % 5,
                if rush {
                    Priority::Rush
                } else {
                    Priority::Normal
                },
                t0() - age,
                NOTES[i as usize % NOTES.len()],
            )
        })
        .collect()
}

fn load(harness: &mut AppHarness, events: &EventFeed, orders: Vec<Order>) {
    events.send(connected("Almacén Central")).unwrap();
    events.send(reset(500, stores(), orders)).unwrap();
    events.send(LinkEvent::CaughtUp { seq: 500 }).unwrap();
    step_until(harness, "loaded", |h| {
        !listed(h).is_empty() || has_label_containing(h, "Order ")
    });
    harness.run();
}

fn packed_ids(link: &FakeLink) -> Vec<u64> {
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

fn type_text(harness: &mut AppHarness, text: &str) {
    harness.event(egui::Event::Text(text.to_owned()));
    harness.run();
}

/// The order selected in the window's model.
fn selected(harness: &AppHarness) -> Option<u64> {
    harness.state().model().lock().unwrap().selected()
}

#[test]
fn slash_focuses_the_search_box_which_filters_by_number() {
    let (mut harness, events, _link) = sized_app(LAPTOP, test_settings());
    load(&mut harness, &events, backlog(20, 30));
    assert!(listed(&harness).len() > 2);
    harness.key_press(egui::Key::Slash);
    harness.run();
    type_text(&mut harness, "8003");
    // 80030, 80033, 80036, 80039 (and no '/' in the box).
    assert_eq!(listed(&harness).len(), 4, "{:?}", listed(&harness));
    for number in listed(&harness) {
        assert!(number.contains("8003"), "{number}");
    }
    // F3 too, from the list, after Esc left the box.
    harness.key_press(egui::Key::Escape);
    harness.run();
    harness.key_press(egui::Key::F3);
    harness.run();
    type_text(&mut harness, "9");
    let shown = listed(&harness);
    assert!(!shown.is_empty() && shown.len() < 20, "{shown:?}");
    assert!(shown.iter().all(|n| n.contains('9')), "{shown:?}");
}

#[test]
fn a_scanned_number_selects_enter_packs_and_unknown_is_refused() {
    let (mut harness, events, link) = sized_app(LAPTOP, test_settings());
    let mut orders = backlog(20, 30);
    orders[4].status = OrderStatus::Packed; // 80012
    load(&mut harness, &events, orders);

    // A scanner types the number and Enter, with nothing focused.
    type_text(&mut harness, "80042");
    assert!(
        has_label(&harness, "Scanning: 80042"),
        "what was typed shows"
    );
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert!(has_label(&harness, "Order 80042 selected: Enter packs it"));
    assert_eq!(selected(&harness), Some(15));
    assert!(
        listed(&harness).contains(&"80042".to_owned()),
        "scrolled to: {:?}",
        listed(&harness)
    );
    assert!(has_label(&harness, "Order 80042 selected: Enter packs it"));
    assert!(packed_ids(&link).is_empty(), "the first Enter only selects");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert_eq!(packed_ids(&link), [15]);
    assert!(!listed(&harness).contains(&"80042".to_owned()));

    type_text(&mut harness, "99999");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert!(has_label(
        &harness,
        "Order 99999 is not pending: no such order"
    ));
    type_text(&mut harness, "80012");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert!(has_label(
        &harness,
        "Order 80012 is not pending: already packed"
    ));
    type_text(&mut harness, "80042");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert!(has_label(
        &harness,
        "Order 80042 is not pending: already packed"
    ));
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert_eq!(packed_ids(&link), [15], "refusals pack nothing");
}

#[test]
fn scan_packs_packs_on_the_first_enter_and_refuses_in_spanish() {
    let settings = Settings {
        scan_packs: true,
        language: Some(packbell_warehouse::i18n::Language::Es),
        ..Settings::default()
    };
    let (mut harness, events, link) = sized_app(LAPTOP, settings);
    load(&mut harness, &events, backlog(20, 30));
    type_text(&mut harness, "80003");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert_eq!(packed_ids(&link), [2]);
    type_text(&mut harness, "12345");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert!(has_label(
        &harness,
        "El pedido 12345 no está pendiente: no existe"
    ));
}

/// Tickets on the wall (their accessible names start with "Order ").
fn tickets(harness: &AppHarness) -> usize {
    harness
        .query_all_by(|node| {
            node.role() == egui::accesskit::Role::ListItem
                && node.label().is_some_and(|l| l.starts_with("Order "))
        })
        .count()
}

fn wall(size: egui::Vec2, name: &str) -> usize {
    let settings = Settings {
        wall_mode: true,
        ..test_settings()
    };
    let (mut harness, events, _link) = sized_app(size, settings);
    load(&mut harness, &events, backlog(200, 45));
    step_until(&mut harness, "tickets", |h| tickets(h) > 0);
    assert!(has_label(&harness, "200"), "the pending figure");
    let shown = tickets(&harness);
    assert!(
        has_label(&harness, &format!("+{} more", 200 - shown)),
        "+N more tile counts every order not on a ticket ({shown} tickets)"
    );
    save_screenshot(
        &mut harness,
        &format!("warehouse-{}", name.replace('_', "-")),
    );
    harness.snapshot(name);
    tickets(&harness)
}

#[test]
fn wall_mode_fills_full_hd_with_tickets() {
    let shown = wall(FULL_HD, "wall_1920x1080");
    assert!((12..=24).contains(&(shown + 1)), "{shown} tickets + more");
}

#[test]
fn wall_mode_on_a_laptop_screen() {
    let shown = wall(LAPTOP, "wall_1366x768");
    assert!((5..=12).contains(&(shown + 1)), "{shown} tickets + more");
}

#[test]
fn f11_switches_wall_mode_and_ctrl_plus_grows_the_text() {
    let (mut harness, events, _link) = sized_app(FULL_HD, test_settings());
    load(&mut harness, &events, backlog(200, 45));
    assert_eq!(tickets(&harness), 0);
    harness.key_press(egui::Key::F11);
    harness.run();
    let before = tickets(&harness);
    assert!(before >= 12, "{before}");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Plus);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Plus);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Plus);
    harness.run();
    let bigger = tickets(&harness);
    assert!(
        bigger < before,
        "bigger text, fewer tickets: {bigger} < {before}"
    );
    harness.key_press(egui::Key::F11);
    harness.run();
    assert_eq!(tickets(&harness), 0, "back to the list");
    assert!(!listed(&harness).is_empty());
}

fn save_screenshot(harness: &mut AppHarness, name: &str) {
    if let Ok(dir) = std::env::var("PACKBELL_SCREENSHOT_DIR") {
        let image = harness.render().unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        image
            .save(std::path::Path::new(&dir).join(format!("{name}.png")))
            .unwrap();
    }
}

/// The list at 20 and 200 pending on both screens, for docs/screenshots (written only
/// with `PACKBELL_SCREENSHOT_DIR`); checks that the oldest wait is on screen.
#[test]
fn list_screenshots_at_20_and_200_pending() {
    for (size, label) in [(LAPTOP, "1366x768"), (FULL_HD, "1920x1080")] {
        for count in [20, 200] {
            let (mut harness, events, _link) = sized_app(size, test_settings());
            load(
                &mut harness,
                &events,
                backlog(count, if count > 20 { 45 } else { 14 }),
            );
            assert!(has_label(&harness, &count.to_string()), "pending figure");
            let oldest = backlog(count, 45)[0].order_number.clone();
            if count == 200 {
                assert!(
                    listed(&harness).contains(&oldest),
                    "the oldest order is on screen: {:?}",
                    listed(&harness)
                );
            }
            save_screenshot(&mut harness, &format!("warehouse-list-{count}-{label}"));
        }
    }
}

#[test]
fn a_long_note_opens_in_full_on_click_and_esc_closes_it() {
    let (mut harness, events, _link) = sized_app(LAPTOP, test_settings());
    load(&mut harness, &events, backlog(20, 14));
    let note = NOTES[3];
    let before = harness.query_all_by_label(note).count();
    assert!(before >= 1, "a row with the long note is on screen");
    harness.query_all_by_label(note).next().unwrap().click();
    harness.run();
    assert!(
        has_label_containing(&harness, "Note · "),
        "its window opened"
    );
    assert_eq!(harness.query_all_by_label(note).count(), before + 1);
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(!has_label_containing(&harness, "Note · "), "Esc closed it");
}

/// How soon the window asked to be drawn again after its last frame.
fn repaint_delay(harness: &AppHarness) -> std::time::Duration {
    harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay
}

#[test]
fn overdue_tickets_pulse_once_a_second_and_only_while_shown() {
    // Nothing past 20 minutes: no pulse, the window sleeps for seconds.
    let (mut harness, events, _link) = sized_app(LAPTOP, test_settings());
    load(&mut harness, &events, backlog(20, 14));
    harness.step();
    let calm = repaint_delay(&harness);
    assert!(calm >= std::time::Duration::from_secs(2), "{calm:?}");

    // An overdue order on screen: one repaint a second, not every frame.
    let (mut harness, events, _link) = sized_app(LAPTOP, test_settings());
    load(&mut harness, &events, backlog(20, 45));
    harness.step();
    let pulsing = repaint_delay(&harness);
    assert!(
        pulsing > std::time::Duration::from_millis(500)
            && pulsing <= std::time::Duration::from_secs(1),
        "{pulsing:?}"
    );
}
