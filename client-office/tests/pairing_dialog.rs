//! The first-run pairing dialog, used as a person would: click into the code field,
//! type the code, press Pair. Link events are fed by hand; the link records requests.
//!
//! The window is left unfocused, as on an X server without a window manager or while
//! another window is in front: egui then reports no focus for any widget, although
//! typed text still reaches the one that holds the keyboard focus.

mod common;

use std::time::Duration;

use common::{App, frames, harness, wait_for_text, with_model};
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use packbell_client_core::fake::{EventFeed, FakeLink};
use packbell_office::app::OfficeApp;
use packbell_office::i18n::Lang;
use packbell_shared::link::{LinkEvent, LinkRequest, LinkStatus};

const WAIT: Duration = Duration::from_secs(5);

/// Frames watched while the dialog only waits.
const IDLE_FRAMES: usize = 10;

/// A fresh, unpaired office in an unfocused window, its pairing dialog open.
fn unpaired() -> (App<'static>, EventFeed, FakeLink) {
    let (link, receiver) = FakeLink::new();
    let events = link.feed();
    let app = OfficeApp::new(Box::new(link.clone()), receiver, None, Lang::En).expect("app");
    let mut harness = harness(app);
    harness.input_mut().focused = false;
    events
        .send(LinkEvent::Status(LinkStatus::NeedsPairing { reason: None }))
        .expect("pump alive");
    wait_for_text(&mut harness, "Pair this PC", WAIT);
    frames(&mut harness, 2);
    (harness, events, link)
}

/// Whether the last frame asked the platform to restart text input. winit then
/// rebuilds the X input context (keystrokes in flight are lost) and wakes the window,
/// so a dialog that asks every frame never lets anyone type and never stops drawing.
fn resets_text_input(harness: &App<'_>) -> bool {
    harness
        .output()
        .platform_output
        .ime
        .as_ref()
        .is_some_and(|ime| ime.should_interrupt_composition)
}

/// How many of `n` frames asked the platform to restart text input.
fn text_input_resets(harness: &mut App<'_>, n: usize) -> usize {
    (0..n)
        .filter(|_| {
            harness.step();
            resets_text_input(harness)
        })
        .count()
}

fn pair_requests(link: &FakeLink) -> Vec<String> {
    link.requests()
        .into_iter()
        .filter_map(|request| match request {
            LinkRequest::Pair { code } => Some(code),
            _ => None,
        })
        .collect()
}

#[test]
fn pairing_dialog_takes_a_clicked_and_typed_code() {
    let (mut harness, _events, link) = unpaired();
    assert_eq!(
        text_input_resets(&mut harness, IDLE_FRAMES),
        0,
        "the waiting dialog keeps restarting text input"
    );

    harness.get_by_label("Pairing code").click();
    frames(&mut harness, 2);
    for key in "3011-6127".chars() {
        harness.event(egui::Event::Text(key.to_string()));
        harness.step();
        assert!(
            !resets_text_input(&harness),
            "text input restarted while typing {key:?}"
        );
    }
    frames(&mut harness, 2);
    assert_eq!(
        with_model(&harness, |m| m.pairing.code.clone()),
        "3011-6127"
    );
    assert_eq!(
        harness
            .get_by_label("Pairing code")
            .accesskit_node()
            .value()
            .as_deref(),
        Some("3011-6127"),
        "the dialog shows the typed code"
    );

    harness.get_by_label("Pair").click();
    frames(&mut harness, 2);
    assert_eq!(pair_requests(&link), ["3011-6127"]);
    assert!(with_model(&harness, |m| m.pairing.sent));
    assert!(harness.query_by_label("Checking the code…").is_some());
}

#[test]
fn a_refused_code_can_be_corrected_and_sent_again() {
    let (mut harness, events, link) = unpaired();
    harness.get_by_label("Pairing code").click();
    frames(&mut harness, 2);
    harness.event(egui::Event::Text("1111-2222".into()));
    frames(&mut harness, 2);
    harness.key_press(egui::Key::Enter);
    frames(&mut harness, 2);
    assert_eq!(pair_requests(&link), ["1111-2222"]);

    events
        .send(LinkEvent::Status(LinkStatus::NeedsPairing {
            reason: Some("wrong pairing code".into()),
        }))
        .expect("pump alive");
    // In words for people; the link's own words only behind Details.
    wait_for_text(&mut harness, "That code did not work", WAIT);
    assert!(harness.query_by_label("wrong pairing code").is_none());
    assert_eq!(text_input_resets(&mut harness, IDLE_FRAMES), 0);

    harness.get_by_label("Pairing code").click();
    frames(&mut harness, 2);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.event(egui::Event::Text("3011-6127".into()));
    frames(&mut harness, 2);
    harness.get_by_label("Pair").click();
    frames(&mut harness, 2);
    assert_eq!(pair_requests(&link), ["1111-2222", "3011-6127"]);
}

#[test]
fn after_pairing_typing_goes_to_the_order_number() {
    let (mut harness, events, _link) = unpaired();
    harness.get_by_label("Pairing code").click();
    frames(&mut harness, 2);
    harness.event(egui::Event::Text("3011-6127".into()));
    harness.key_press(egui::Key::Enter);
    frames(&mut harness, 2);
    events
        .send(LinkEvent::Status(LinkStatus::Connected {
            site: "Tienda Sol".into(),
            server_id: "srv-1".into(),
            device_id: 5,
            role: packbell_shared::protocol::Role::Office,
        }))
        .expect("pump alive");
    common::step_until(&mut harness, "the dialog to close", WAIT, |m| {
        !m.pairing.open()
    });
    frames(&mut harness, 2);
    harness.event(egui::Event::Text("A-1".into()));
    frames(&mut harness, 2);
    assert_eq!(with_model(&harness, |m| m.form.number.clone()), "A-1");
}

#[test]
fn a_first_run_does_not_claim_to_show_a_last_known_state() {
    let (mut harness, _events, _link) = unpaired();
    frames(&mut harness, 2);
    assert!(
        harness
            .query_by_label("Not paired: enter the pairing code")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("last known state")
            .is_none(),
        "nothing was ever received, so there is no last known state"
    );
}
