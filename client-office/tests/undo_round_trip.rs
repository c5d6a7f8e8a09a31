//! Undoing mistakes from the real office window against a real in-process server:
//! reopening a packed order with a reason, and correcting a pending one.

mod common;

use common::site::{BareLink, NET_WAIT, paired_office, start_site};
use common::{App, frames, step_until, wait_for_text, with_model};
use egui::Key;
use egui_kittest::kittest::Queryable as _;
use packbell_shared::link::LinkEvent;
use packbell_shared::protocol::{Command, EventBody, OrderId, OrderStatus, Priority, Role};

fn type_text(app: &mut App<'_>, text: &str) {
    app.event(egui::Event::Text(text.into()));
    app.step();
    app.step();
}

fn press(app: &mut App<'_>, key: Key) {
    app.key_press(key);
    app.step();
    app.step();
}

/// Types an order by keyboard only, from the number field: number, Tab, store, Enter.
fn enter_order(app: &mut App<'_>, number: &str, store: &str) {
    type_text(app, number);
    press(app, Key::Tab);
    type_text(app, store);
    press(app, Key::Enter);
}

/// Waits until the bare link knows order `number`; its id.
fn order_on(link: &mut BareLink, number: &str) -> OrderId {
    loop {
        if let Some(order) = link
            .state
            .orders
            .values()
            .find(|o| o.order_number == number)
        {
            return order.order_id;
        }
        link.wait_for("the order", |e| matches!(e, LinkEvent::Event { .. }));
    }
}

#[test]
fn a_packed_order_is_reopened_from_the_office_with_a_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = start_site(&dir.path().join("server"));
    site.add_store("Norte");
    let mut app = paired_office(&site, &dir.path().join("office"), Role::Office, "Oficina 1");
    let mut warehouse = BareLink::start(&site, &dir.path().join("wh"), Role::Warehouse, "Almacén");
    frames(&mut app, 2);
    enter_order(&mut app, "R-1", "norte");
    let order_id = order_on(&mut warehouse, "R-1");
    warehouse.command(Command::PackOrder { order_id });
    step_until(&mut app, "packed", NET_WAIT, |m| {
        m.site.orders[&order_id].status == OrderStatus::Packed
    });
    frames(&mut app, 2);

    app.get_by_label("Reopen…").click();
    wait_for_text(&mut app, "Reopen order R-1", NET_WAIT);
    frames(&mut app, 2);
    // Enter without a reason asks for one.
    press(&mut app, Key::Enter);
    assert!(app.query_by_label("A reason is required.").is_some());
    type_text(&mut app, "two boxes missing");
    press(&mut app, Key::Enter);

    step_until(&mut app, "pending again", NET_WAIT, |m| {
        m.site.orders[&order_id].status == OrderStatus::Pending
    });
    wait_for_text(&mut app, "R-1 is pending again", NET_WAIT);
    warehouse.wait_for("the recall with its reason", |e| {
        matches!(e, LinkEvent::Event { event, .. } if event.body == EventBody::OrderRecalled {
            order_id,
            reason: "two boxes missing".into(),
        })
    });
    assert_eq!(
        warehouse.state.orders[&order_id].status,
        OrderStatus::Pending
    );
}

#[test]
fn a_pending_order_is_corrected_from_the_office() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = start_site(&dir.path().join("server"));
    site.add_store("Centro");
    let norte = site.add_store("Norte");
    let mut app = paired_office(&site, &dir.path().join("office"), Role::Office, "Oficina 1");
    let mut warehouse = BareLink::start(&site, &dir.path().join("wh"), Role::Warehouse, "Almacén");
    frames(&mut app, 2);
    enter_order(&mut app, "E-1", "centro");
    let order_id = order_on(&mut warehouse, "E-1");
    step_until(&mut app, "the order listed", NET_WAIT, |m| {
        m.site.orders.contains_key(&order_id)
    });
    frames(&mut app, 2);

    app.get_by_label("Edit…").click();
    wait_for_text(&mut app, "Correct order E-1", NET_WAIT);
    frames(&mut app, 2);
    // Saving what is already there says so and sends nothing.
    app.get_by_label("Save").click();
    frames(&mut app, 2);
    assert!(app.query_by_label("Nothing was changed.").is_some());

    app.get_by_label("Send to store").click();
    frames(&mut app, 2);
    app.get_by_label("Norte").click();
    frames(&mut app, 2);
    app.get_by_label("Note for the warehouse").focus();
    frames(&mut app, 2);
    type_text(&mut app, "fragile");
    app.get_by_label("Rush: ring it now").click();
    frames(&mut app, 2);
    app.get_by_label("Save").click();
    frames(&mut app, 2);

    step_until(&mut app, "corrected", NET_WAIT, |m| {
        let order = &m.site.orders[&order_id];
        order.store_id == norte && order.priority == Priority::Rush
    });
    wait_for_text(&mut app, "E-1 corrected", NET_WAIT);
    with_model(&app, |m| {
        assert_eq!(m.site.orders[&order_id].note, "fragile");
        assert_eq!(m.site.orders[&order_id].status, OrderStatus::Pending);
    });
    warehouse.wait_for("the edit", |e| {
        matches!(e, LinkEvent::Event { event, .. } if event.body == EventBody::OrderEdited {
            order_id,
            store_id: norte,
            note: "fragile".into(),
            priority: Priority::Rush,
        })
    });
}
