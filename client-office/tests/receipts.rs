//! The Warehouse column and the no-warehouse alarm, in the real office app against a
//! real in-process server, with 0, 1 and 2 warehouse links sending receipts.

mod common;

use chrono::{Duration as TimeDelta, Utc};
use common::site::{BareLink, NET_WAIT, Site, paired_office, start_site};
use common::{App, frames, wait_for_text, with_model};
use egui::Key;
use egui_kittest::kittest::Queryable as _;
use packbell_shared::link::{LinkRequest, ReceiptNote};
use packbell_shared::protocol::{NotRungWhy, OrderId, ReceiptStage, Role};

struct World {
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
    site: Site,
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_owned();
    let site = start_site(&path.join("server"));
    site.add_store("Norte");
    World {
        _dir: dir,
        dir: path,
        site,
    }
}

fn type_text(app: &mut App<'_>, text: &str) {
    app.event(egui::Event::Text(text.into()));
    frames(app, 2);
}

fn press(app: &mut App<'_>, key: Key) {
    app.key_press(key);
    frames(app, 2);
}

/// Enters `number` for Norte by keyboard and waits until the server has it.
fn send_order(app: &mut App<'_>, number: &str) -> OrderId {
    app.get_by_label("Order number").focus();
    frames(app, 2);
    type_text(app, number);
    press(app, Key::Tab);
    type_text(app, "norte");
    press(app, Key::Enter);
    common::step_until(app, "the order on the server", NET_WAIT, |m| {
        m.site.orders.values().any(|o| o.order_number == number)
    });
    with_model(app, |m| {
        m.site
            .orders
            .values()
            .find(|o| o.order_number == number)
            .map(|o| o.order_id)
            .expect("listed")
    })
}

/// A warehouse link reports order `order_id` applied, then rung (or why not).
fn report(warehouse: &BareLink, order_id: OrderId, rung: Result<(), NotRungWhy>) {
    let (stage, why) = match rung {
        Ok(()) => (ReceiptStage::Rang, None),
        Err(why) => (ReceiptStage::NotRung, Some(why)),
    };
    let notes = vec![
        ReceiptNote {
            order_id,
            stage: ReceiptStage::Applied,
            why: None,
        },
        ReceiptNote {
            order_id,
            stage,
            why,
        },
    ];
    warehouse
        .handle
        .as_ref()
        .expect("running")
        .request(LinkRequest::Receipts(notes))
        .expect("link takes it");
}

/// Waits until the office counts `count` connected warehouse PCs.
fn wait_online(app: &mut App<'_>, count: u32) {
    common::step_until(app, "the warehouse count", NET_WAIT, |m| {
        m.receipts.online() == count
    });
}

#[test]
fn receipts_are_shown_for_zero_one_and_two_warehouse_links() {
    let w = world();
    let mut office = paired_office(&w.site, &w.dir.join("office"), Role::Office, "Oficina 1");
    send_order(&mut office, "80001");
    wait_for_text(&mut office, "no warehouse PC connected", NET_WAIT);

    let first = BareLink::start(&w.site, &w.dir.join("wh1"), Role::Warehouse, "Bodega-1");
    wait_online(&mut office, 1);
    wait_for_text(&mut office, "waiting…", NET_WAIT);
    let order_id = send_order(&mut office, "80002");
    report(&first, order_id, Ok(()));
    wait_for_text(&mut office, "rang on 1 of 1 warehouse PC", NET_WAIT);

    let second = BareLink::start(&w.site, &w.dir.join("wh2"), Role::Warehouse, "Bodega-2");
    wait_online(&mut office, 2);
    wait_for_text(&mut office, "rang on 1 of 2 warehouse PCs", NET_WAIT);
    report(&second, order_id, Ok(()));
    wait_for_text(&mut office, "rang on 2 of 2 warehouse PCs", NET_WAIT);

    // A PC that has an order but did not ring says why.
    let muted = send_order(&mut office, "80003");
    report(&second, muted, Err(NotRungWhy::SoundOff));
    wait_for_text(
        &mut office,
        "delivered, not rung (sound off on PC Bodega-2)",
        NET_WAIT,
    );
}

#[test]
fn the_no_warehouse_alarm_shows_after_the_timeout_and_clears_when_a_pc_rings() {
    let w = world();
    let mut office = paired_office(&w.site, &w.dir.join("office"), Role::Office, "Oficina 1");
    let start = Utc::now();
    office.state_mut().set_clock(start);
    let order_id = send_order(&mut office, "80001");
    wait_online(&mut office, 0);
    let headline = "No warehouse PC has order 80001";

    office.state_mut().set_clock(start + TimeDelta::seconds(10));
    frames(&mut office, 3);
    assert!(
        office.query_by_label_contains(headline).is_none(),
        "not before the timeout"
    );

    office.state_mut().set_clock(start + TimeDelta::seconds(90));
    wait_for_text(&mut office, headline, NET_WAIT);
    wait_for_text(&mut office, "No warehouse PC is connected", NET_WAIT);
    assert!(office.query_by_label("Silence").is_some());

    let warehouse = BareLink::start(&w.site, &w.dir.join("wh1"), Role::Warehouse, "Bodega-1");
    report(&warehouse, order_id, Ok(()));
    wait_for_text(&mut office, "rang on 1 of 1 warehouse PC", NET_WAIT);
    frames(&mut office, 2);
    assert!(
        office.query_by_label_contains(headline).is_none(),
        "cleared by the ring"
    );
}
