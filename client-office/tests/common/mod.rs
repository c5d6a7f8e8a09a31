//! Helpers shared by the ui tests: a harness around the real app, and waiting for
//! events that arrive on other threads.

#![allow(dead_code)]

pub mod site;

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use packbell_client_core::lock;
use packbell_office::app::OfficeApp;
use packbell_office::model::Model;
use packbell_shared::zone::Zone;

pub type App<'a> = Harness<'a, OfficeApp>;

/// The zone every test window shows times in, whatever the machine's `TZ`.
pub fn test_zone() -> Zone {
    Zone::utc()
}

/// The real app in a test harness the size of a small office screen, showing times
/// in [`test_zone`].
pub fn harness(mut app: OfficeApp) -> App<'static> {
    app.set_zone(test_zone());
    Harness::builder()
        .with_size([1200.0, 800.0])
        .with_max_steps(40)
        .build_ui_state(|ui, app: &mut OfficeApp| app.ui(ui), app)
}

/// Runs `f` on the app's model (read what the screen is drawn from, or feed it).
pub fn with_model<R>(harness: &App<'_>, f: impl FnOnce(&mut Model) -> R) -> R {
    let model = harness.state().model();
    let mut guard = lock(&model);
    f(&mut guard)
}

/// Steps the ui until `done` holds for the model, or panics after `timeout` with
/// what the screen showed.
#[track_caller]
pub fn step_until(
    harness: &mut App<'_>,
    what: &str,
    timeout: Duration,
    done: impl Fn(&Model) -> bool,
) {
    let start = Instant::now();
    loop {
        harness.step();
        if with_model(harness, |m| done(m)) {
            harness.step();
            return;
        }
        if start.elapsed() > timeout {
            let labels: Vec<String> = harness
                .root()
                .children_recursive()
                .filter_map(|n| n.accesskit_node().label())
                .collect();
            panic!("timed out waiting for {what}; screen shows: {labels:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Steps until a node whose label contains `text` is on screen.
#[track_caller]
pub fn wait_for_text(harness: &mut App<'_>, text: &str, timeout: Duration) {
    let start = Instant::now();
    loop {
        harness.step();
        if harness.query_by_label_contains(text).is_some() {
            return;
        }
        if start.elapsed() > timeout {
            let labels: Vec<String> = harness
                .root()
                .children_recursive()
                .filter_map(|n| n.accesskit_node().label())
                .collect();
            panic!("timed out waiting for {text:?}; screen shows: {labels:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A few frames, so that focus changes and key presses settle.
pub fn frames(harness: &mut App<'_>, n: usize) {
    for _ in 0..n {
        harness.step();
    }
}
