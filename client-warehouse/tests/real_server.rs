//! The real app, alert service and link against a real in-process server, driven
//! through egui_kittest: what a warehouse PC does on the LAN.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod support;

use egui_kittest::kittest::Queryable;
use packbell_shared::protocol::Priority;
use packbell_warehouse::alert::Call;
use packbell_warehouse::settings::SoundId;
use support::site::{Office, Site, warehouse_app};
use support::*;

struct World {
    site: Site,
    office: Office,
    dir: tempfile::TempDir,
}

fn world(stores: &[&str]) -> (World, Vec<u64>) {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start(&dir.path().join("server"));
    let ids = stores.iter().map(|name| site.add_store(name)).collect();
    let office = Office::start(&site, &dir.path().join("office"));
    (World { site, office, dir }, ids)
}

fn wait_connected(harness: &mut AppHarness) {
    step_until(harness, "connected", |h| {
        has_label_containing(h, "Connected · test")
    });
}

#[test]
fn new_order_appears_and_rings() {
    let (mut w, stores) = world(&["Centro"]);
    let (mut harness, recorder) = warehouse_app(
        &w.site,
        &w.dir.path().join("wh"),
        "wh-1",
        true,
        test_settings(),
    );
    wait_connected(&mut harness);
    w.office.create("R-100", stores[0], Priority::Normal);
    step_until(&mut harness, "R-100 listed", |h| listed(h) == ["R-100"]);
    let calls = wait_calls(&recorder, "ring", |c| {
        sounds(c) == 1 && !shown_titles(c).is_empty()
    });
    assert_eq!(shown_titles(&calls), ["Order R-100 — Centro"]);
    assert!(calls.contains(&Call::Sound {
        sound: SoundId::Chime,
        volume: 0.8
    }));
}

#[test]
fn a_store_tab_hides_others_from_the_list_but_not_from_the_ring() {
    let (mut w, stores) = world(&["Centro", "Norte"]);
    let (mut harness, recorder) = warehouse_app(
        &w.site,
        &w.dir.path().join("wh"),
        "wh-1",
        true,
        test_settings(),
    );
    wait_connected(&mut harness);
    w.office.create("C-1", stores[0], Priority::Normal);
    w.office.create("N-1", stores[1], Priority::Normal);
    step_until(&mut harness, "two rows", |h| listed(h).len() == 2);
    assert!(has_label(&harness, "Centro  1"));

    harness.get_by_label("Norte  1").click();
    harness.run();
    assert_eq!(listed(&harness), ["N-1"]);
    wait_calls(&recorder, "two rings", |c| sounds(c) == 2);
    recorder.clear();

    // A new order for the hidden store: counted and not listed, but rung all the same:
    // this PC's station is every store, and a tab only filters the view.
    w.office.create("C-2", stores[0], Priority::Normal);
    step_until(&mut harness, "Centro count", |h| has_label(h, "Centro  2"));
    assert_eq!(listed(&harness), ["N-1"]);
    wait_calls(&recorder, "C-2 rings", |c| sounds(c) == 1);
    // One for the chosen store rings and is listed.
    w.office.create("N-2", stores[1], Priority::Normal);
    step_until(&mut harness, "N-2 listed", |h| listed(h) == ["N-1", "N-2"]);
    let calls = wait_calls(&recorder, "N-2 rings", |c| sounds(c) == 2);
    assert_eq!(
        shown_titles(&calls),
        ["Order C-2 — Centro", "Order N-2 — Norte"]
    );
    assert!(has_label(&harness, "Norte  2"));
    assert!(has_label(&harness, "All  4"));
}

#[test]
fn packed_leaves_both_clients_and_recall_brings_it_back() {
    let (mut w, stores) = world(&["Centro"]);
    let (mut first, first_calls) = warehouse_app(
        &w.site,
        &w.dir.path().join("wh-1"),
        "wh-1",
        true,
        test_settings(),
    );
    let (mut second, second_calls) = warehouse_app(
        &w.site,
        &w.dir.path().join("wh-2"),
        "wh-2",
        true,
        test_settings(),
    );
    wait_connected(&mut first);
    wait_connected(&mut second);
    w.office.create("P-1", stores[0], Priority::Normal);
    w.office.create("P-2", stores[0], Priority::Normal);
    step_until(&mut first, "rows on first", |h| listed(h).len() == 2);
    step_until(&mut second, "rows on second", |h| listed(h).len() == 2);
    wait_calls(&second_calls, "second rang", |c| shown_titles(c).len() == 2);

    first.get_by_label("Packed P-1").click();
    first.run();
    assert_eq!(listed(&first), ["P-2"], "gone here at once");
    step_until(&mut second, "gone on the second PC", |h| {
        listed(h) == ["P-2"]
    });
    // The second PC's notification for P-1 is withdrawn.
    let order_id = second_calls
        .calls()
        .iter()
        .find_map(|c| match c {
            Call::Show(note) if note.title.contains("P-1") => note.order_id,
            _ => None,
        })
        .unwrap();
    wait_calls(&second_calls, "withdrawn", |c| {
        c.contains(&Call::Withdraw(order_id))
    });
    wait_calls(&first_calls, "withdrawn here too", |c| {
        c.contains(&Call::Withdraw(order_id))
    });

    first.get_by_label("Undo P-1").click();
    first.run();
    assert_eq!(listed(&first), ["P-1", "P-2"]);
    step_until(&mut second, "back on the second PC", |h| {
        listed(h) == ["P-1", "P-2"]
    });
}

#[test]
fn rush_orders_go_first() {
    let (mut w, stores) = world(&["Centro"]);
    let (mut harness, recorder) = warehouse_app(
        &w.site,
        &w.dir.path().join("wh"),
        "wh-1",
        true,
        test_settings(),
    );
    wait_connected(&mut harness);
    w.office.create("N-1", stores[0], Priority::Normal);
    w.office.create("N-2", stores[0], Priority::Normal);
    w.office.create("R-1", stores[0], Priority::Rush);
    step_until(&mut harness, "three rows", |h| listed(h).len() == 3);
    assert_eq!(listed(&harness), ["R-1", "N-1", "N-2"]);
    let calls = wait_calls(&recorder, "rush sound", |c| {
        c.contains(&Call::Sound {
            sound: SoundId::Urgent,
            volume: 0.8,
        })
    });
    assert!(shown_titles(&calls).contains(&"RUSH: order R-1 — Centro".to_owned()));
}

#[test]
fn offline_banner_when_the_server_stops_and_back_without_rings() {
    let (mut w, stores) = world(&["Centro"]);
    let (mut harness, recorder) = warehouse_app(
        &w.site,
        &w.dir.path().join("wh"),
        "wh-1",
        true,
        test_settings(),
    );
    wait_connected(&mut harness);
    w.office.create("K-1", stores[0], Priority::Normal);
    step_until(&mut harness, "row", |h| listed(h) == ["K-1"]);
    wait_calls(&recorder, "ring", |c| sounds(c) == 1);

    w.site.stop();
    step_until(&mut harness, "offline banner", |h| {
        has_label_containing(h, "OFFLINE since")
    });
    assert!(has_label_containing(&harness, "may be out of date"));
    assert_eq!(listed(&harness), ["K-1"], "last known list stays");

    w.site.restart();
    wait_connected(&mut harness);
    step_until(&mut harness, "banner gone", |h| {
        !has_label_containing(h, "OFFLINE since")
    });
    assert_eq!(listed(&harness), ["K-1"], "no duplicates after reconnect");
    assert_eq!(sounds(&recorder.calls()), 1, "reconnecting rings nothing");
}

#[test]
fn catch_up_after_restart_makes_one_summary() {
    let (mut w, stores) = world(&["Centro"]);
    let wh_dir = w.dir.path().join("wh");
    {
        let (mut harness, _recorder) =
            warehouse_app(&w.site, &wh_dir, "wh-1", true, test_settings());
        wait_connected(&mut harness);
        w.office.create("A-1", stores[0], Priority::Normal);
        step_until(&mut harness, "row", |h| listed(h) == ["A-1"]);
        // Dropping the harness closes the app and its link (state saved on disk).
    }
    for i in 2..=6 {
        w.office
            .create(&format!("A-{i}"), stores[0], Priority::Normal);
    }
    let (mut harness, recorder) = warehouse_app(&w.site, &wh_dir, "wh-1", false, test_settings());
    step_until(&mut harness, "all rows", |h| listed(h).len() == 6);
    assert_eq!(listed(&harness), ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"]);
    wait_calls(&recorder, "summary", |c| !shown_titles(c).is_empty());
    // A live order after the catch-up: events are applied in seq order, so once it
    // has rung, any stray per-order alert of the catch-up would have rung before it.
    w.office.create("A-7", stores[0], Priority::Normal);
    let calls = wait_calls(&recorder, "the live order", |c| {
        shown_titles(c).iter().any(|t| t.contains("A-7"))
    });
    assert_eq!(
        shown_titles(&calls),
        ["5 new orders while offline", "Order A-7 — Centro"],
        "one summary, no storm: {calls:?}"
    );
    assert_eq!(sounds(&calls), 2);
}
