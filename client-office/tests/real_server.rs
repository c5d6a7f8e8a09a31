//! The real office app against a real in-process server, over the real client link:
//! keyboard entry, validation, duplicates, packing seen live, cancel, admin screens,
//! and the durable outbox across a restart of both the app and the server.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::site::{BareLink, NET_WAIT, Site, office_app, paired_office, start_site};
use common::{App, frames, step_until, wait_for_text, with_model};
use egui::Key;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use packbell_office::model::RowStatus;
use packbell_shared::link::{LinkEvent, LinkStatus};
use packbell_shared::protocol::{Command, OrderStatus, Role};

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

fn focused_label(app: &App<'_>) -> Option<String> {
    app.root()
        .children_recursive()
        .find(|n| n.is_focused())
        .and_then(|n| n.accesskit_node().label())
}

/// Puts the cursor in the order number, as after start-up or a send.
fn focus_number(app: &mut App<'_>) {
    app.get_by_label("Order number").focus();
    frames(app, 2);
}

/// Types an order by keyboard only: number, Tab, store text, Enter.
fn enter_order(app: &mut App<'_>, number: &str, store: &str) {
    type_text(app, number);
    press(app, Key::Tab);
    type_text(app, store);
    press(app, Key::Enter);
}

fn rows_with(app: &App<'_>, number: &str) -> Vec<RowStatus> {
    let day_start = app.state().day_start();
    with_model(app, |m| {
        m.today_rows(day_start)
            .into_iter()
            .filter(|r| r.order_number == number)
            .map(|r| r.status)
            .collect()
    })
}

struct World {
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
    site: Site,
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_owned();
    let site = start_site(&path.join("server"));
    for name in ["Centro", "Centro Comercial", "Norte", "Ávila"] {
        site.add_store(name);
    }
    World {
        _dir: dir,
        dir: path,
        site,
    }
}

#[test]
fn keyboard_only_entry_is_committed_and_confirmed() {
    let w = world();
    let mut app = paired_office(&w.site, &w.dir.join("office"), Role::Office, "Oficina 1");
    frames(&mut app, 2);
    assert_eq!(focused_label(&app).as_deref(), Some("Order number"));

    type_text(&mut app, "F-2001");
    press(&mut app, Key::Tab);
    type_text(&mut app, "avi");
    assert!(
        app.query_by_label("▶ Ávila").is_some(),
        "accent-insensitive"
    );
    press(&mut app, Key::Enter);
    assert_eq!(focused_label(&app).as_deref(), Some("Order number"));

    wait_for_text(
        &mut app,
        "F-2001 for Ávila: received by the server",
        NET_WAIT,
    );
    step_until(&mut app, "the created event", NET_WAIT, |m| {
        m.site.orders.values().any(|o| o.order_number == "F-2001")
    });
    assert_eq!(rows_with(&app, "F-2001"), [RowStatus::Pending]);
    assert!(app.query_by_label("🕓 pending").is_some());
}

#[test]
fn validation_messages_name_the_problem() {
    let w = world();
    let mut app = paired_office(&w.site, &w.dir.join("office"), Role::Office, "Oficina 1");
    frames(&mut app, 2);
    press(&mut app, Key::Enter);
    assert!(app.query_by_label("Type the order number.").is_some());
    assert!(app.query_by_label("Choose a store.").is_some());

    type_text(&mut app, "G-1");
    press(&mut app, Key::Tab);
    type_text(&mut app, "Oeste");
    press(&mut app, Key::Enter);
    assert!(app.query_by_label("No store matches “Oeste”.").is_some());
    assert!(app.query_by_label("Type the order number.").is_none());

    app.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    type_text(&mut app, "Norte");
    press(&mut app, Key::Tab);
    type_text(&mut app, &"n".repeat(501));
    assert!(
        app.query_by_label("The note is too long (501/500 characters).")
            .is_some()
    );
    press(&mut app, Key::Enter);
    with_model(&app, |m| assert!(m.submissions.is_empty(), "nothing sent"));
}

#[test]
fn same_number_pending_for_the_same_store_is_warned_but_sendable() {
    let w = world();
    let mut app = paired_office(&w.site, &w.dir.join("office"), Role::Office, "Oficina 1");
    frames(&mut app, 2);
    enter_order(&mut app, "H-7", "nor");
    step_until(&mut app, "H-7 pending", NET_WAIT, |m| {
        m.site.orders.values().any(|o| o.order_number == "H-7")
    });
    // The store stays picked; the same number again.
    type_text(&mut app, "h-7");
    wait_for_text(&mut app, "H-7 is already pending for Norte", NET_WAIT);
    press(&mut app, Key::Enter);
    // Sending asks first; "Cancel" sends nothing and keeps what was typed.
    wait_for_text(
        &mut app,
        "Order H-7 for Norte is already pending, sent ",
        NET_WAIT,
    );
    app.get_by_label("Cancel").click();
    frames(&mut app, 3);
    assert!(
        app.query_by_label("Send anyway").is_none(),
        "the warning is gone"
    );
    with_model(&app, |m| {
        assert_eq!(m.submissions.len(), 1, "nothing more sent");
        assert_eq!(m.form.number, "h-7");
    });
    // The cursor is back in the number: Enter asks again, and "Send anyway" sends.
    press(&mut app, Key::Enter);
    wait_for_text(
        &mut app,
        "Order H-7 for Norte is already pending, sent ",
        NET_WAIT,
    );
    app.get_by_label("Send anyway").click();
    frames(&mut app, 3);
    step_until(&mut app, "both on the server", NET_WAIT, |m| {
        m.site
            .orders
            .values()
            .filter(|o| o.order_number.eq_ignore_ascii_case("h-7"))
            .count()
            == 2
    });
}

#[test]
fn status_turns_packed_when_the_warehouse_packs_it() {
    let w = world();
    let mut app = paired_office(&w.site, &w.dir.join("office"), Role::Office, "Oficina 1");
    let mut warehouse = BareLink::start(&w.site, &w.dir.join("wh"), Role::Warehouse, "Almacén 1");
    frames(&mut app, 2);
    enter_order(&mut app, "J-55", "centro c");
    wait_for_text(&mut app, "J-55 for Centro Comercial: received", NET_WAIT);

    let order_id = loop {
        if let Some(order) = warehouse
            .state
            .orders
            .values()
            .find(|o| o.order_number == "J-55")
        {
            break order.order_id;
        }
        warehouse.wait_for("the order", |e| matches!(e, LinkEvent::Event { .. }));
    };
    warehouse.command(Command::PackOrder { order_id });

    step_until(&mut app, "packed", NET_WAIT, |m| {
        m.site.orders[&order_id].status == OrderStatus::Packed
    });
    assert_eq!(rows_with(&app, "J-55"), [RowStatus::Packed]);
    assert!(app.query_by_label("✔ packed").is_some());
    assert!(app.query_by_label_contains("Almacén 1 at ").is_some());
}

#[test]
fn cancel_with_a_reason_reaches_the_server() {
    let w = world();
    let mut app = paired_office(&w.site, &w.dir.join("office"), Role::Office, "Oficina 1");
    frames(&mut app, 2);
    enter_order(&mut app, "K-1", "norte");
    enter_order(&mut app, "K-2", "norte");
    step_until(&mut app, "both pending", NET_WAIT, |m| {
        m.site.orders.len() == 2
    });
    frames(&mut app, 2);

    // Find K-1 with the search, then cancel it.
    app.get_by_label("Search number").focus();
    frames(&mut app, 2);
    type_text(&mut app, "k-1");
    app.get_by_label("Cancel…").click();
    frames(&mut app, 3);
    type_text(&mut app, "customer called");
    press(&mut app, Key::Enter);
    step_until(&mut app, "cancelled", NET_WAIT, |m| {
        m.site
            .orders
            .values()
            .any(|o| o.order_number == "K-1" && o.status == OrderStatus::Cancelled)
    });
    with_model(&app, |m| {
        let order = m
            .site
            .orders
            .values()
            .find(|o| o.order_number == "K-1")
            .expect("K-1");
        assert_eq!(order.cancel_reason, "customer called");
    });
    wait_for_text(&mut app, "K-1 cancelled.", NET_WAIT);
    assert!(app.query_by_label("✖ cancelled").is_some());
    assert_eq!(rows_with(&app, "K-2"), [RowStatus::Pending]);
}

#[test]
fn admin_screens_are_hidden_for_the_office_role() {
    let w = world();
    let mut office = paired_office(&w.site, &w.dir.join("office"), Role::Office, "Oficina 1");
    frames(&mut office, 2);
    assert!(office.query_by_label("Admin").is_none());
    assert!(office.query_by_label("Role: office").is_some());

    let mut admin = paired_office(&w.site, &w.dir.join("admin"), Role::Admin, "Dueña");
    frames(&mut admin, 2);
    admin.get_by_label("Admin").click();
    frames(&mut admin, 2);
    assert!(admin.query_by_label("Stores").is_some());
    assert!(admin.query_by_label("Devices").is_some());
}

#[test]
fn ageing_thresholds_saved_by_an_admin_reach_the_other_pcs() {
    let w = world();
    let mut admin = paired_office(&w.site, &w.dir.join("admin"), Role::Admin, "Dueña");
    let mut office = paired_office(&w.site, &w.dir.join("office"), Role::Office, "Oficina 1");
    admin.get_by_label("Admin").click();
    frames(&mut admin, 2);
    admin.get_by_label("Site").click();
    frames(&mut admin, 2);
    admin.get_by_label("Save for all warehouse PCs").click();
    wait_for_text(
        &mut admin,
        "Every warehouse PC now shows orders amber from 5 min, red from 10 min, overdue from 20 min.",
        NET_WAIT,
    );
    step_until(&mut office, "the site's thresholds", NET_WAIT, |m| {
        m.site.ageing == Some(packbell_office::model::DEFAULT_AGEING)
    });
}

#[test]
fn a_store_added_by_an_admin_appears_in_another_office_picker() {
    let w = world();
    let mut admin = paired_office(&w.site, &w.dir.join("admin"), Role::Admin, "Dueña");
    let mut office = paired_office(&w.site, &w.dir.join("office"), Role::Office, "Oficina 1");

    admin.get_by_label("Admin").click();
    frames(&mut admin, 2);
    admin.get_by_label("New store name").focus();
    frames(&mut admin, 2);
    type_text(&mut admin, "Logroño");
    press(&mut admin, Key::Enter);
    wait_for_text(&mut admin, "Store Logroño added.", NET_WAIT);

    step_until(&mut office, "the new store", NET_WAIT, |m| {
        m.site.stores.values().any(|s| s.name == "Logroño")
    });
    focus_number(&mut office);
    type_text(&mut office, "L-1");
    press(&mut office, Key::Tab);
    type_text(&mut office, "logrono");
    assert!(office.query_by_label("▶ Logroño").is_some());
    press(&mut office, Key::Enter);
    wait_for_text(
        &mut office,
        "L-1 for Logroño: received by the server",
        NET_WAIT,
    );
}

#[test]
fn twenty_orders_entered_offline_survive_an_app_restart_and_exist_once() {
    let mut w = world();
    let office_dir = w.dir.join("office");
    let mut app = paired_office(&w.site, &office_dir, Role::Office, "Oficina 1");

    w.site.stop();
    step_until(&mut app, "offline", NET_WAIT, |m| {
        matches!(m.link, LinkStatus::Reconnecting { .. })
    });
    frames(&mut app, 2);
    enter_order(&mut app, "Q-01", "centro");
    for n in 2..=20 {
        // The store stays picked: number, Enter.
        type_text(&mut app, &format!("Q-{n:02}"));
        press(&mut app, Key::Enter);
    }
    step_until(&mut app, "20 durable in the outbox", NET_WAIT, |m| {
        m.submissions.len() == 20
            && m.submissions
                .values()
                .all(|s| s.state == packbell_office::model::SubmissionState::Queued)
    });
    assert!(app.query_by_label("20 waiting to be sent").is_some());
    assert_eq!(rows_with(&app, "Q-07"), [RowStatus::Queued]);

    // Close the app, start it again: still shown as queued.
    drop(app);
    let mut app = office_app(&w.site, &office_dir, None, "Oficina 1");
    step_until(&mut app, "queued orders restored", NET_WAIT, |m| {
        m.outbox_len() == 20
    });
    wait_for_text(&mut app, "20 waiting to be sent", NET_WAIT);

    w.site.restart();
    step_until(&mut app, "all 20 committed", Duration::from_secs(60), |m| {
        m.outbox_len() == 0
            && m.site
                .orders
                .values()
                .filter(|o| o.order_number.starts_with("Q-"))
                .count()
                == 20
    });
    for n in 1..=20 {
        assert_eq!(rows_with(&app, &format!("Q-{n:02}")), [RowStatus::Pending]);
    }

    // A fresh client sees each order exactly once.
    let checker = BareLink::start(&w.site, &w.dir.join("checker"), Role::Warehouse, "Checker");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for order in checker.state.orders.values() {
        *counts.entry(order.order_number.clone()).or_default() += 1;
    }
    assert_eq!(counts.len(), 20, "{counts:?}");
    assert!(counts.values().all(|&c| c == 1), "{counts:?}");
}

#[test]
fn an_admin_changes_another_devices_role_and_the_list_follows() {
    let w = world();
    let mut admin = paired_office(&w.site, &w.dir.join("admin"), Role::Admin, "Dueña");
    let mut warehouse = BareLink::start(&w.site, &w.dir.join("wh"), Role::Warehouse, "Almacén 1");
    let listed = |m: &packbell_office::model::Model| {
        m.devices.as_ref().and_then(|(list, at)| {
            list.iter()
                .find(|d| d.name == "Almacén 1")
                .map(|d| (d.device_id, d.role, *at))
        })
    };

    admin.get_by_label("Admin").click();
    frames(&mut admin, 2);
    admin.get_by_label("Devices").click();
    step_until(&mut admin, "the device list", NET_WAIT, |m| {
        listed(m).is_some()
    });
    let (device_id, role, _) = with_model(&admin, |m| listed(m)).expect("listed");
    assert_eq!(role, Role::Warehouse);

    admin.get_by_label("Role of Almacén 1").click();
    frames(&mut admin, 3);
    admin.get_by_label("office").click();
    frames(&mut admin, 3);
    admin.get_by_label("Change to office ✔").click();
    step_until(&mut admin, "the role changed event", NET_WAIT, |m| {
        m.site.devices.get(&device_id).map(|d| d.role) == Some(Role::Office)
    });
    wait_for_text(
        &mut admin,
        "Almacén 1 is now office; it reconnects with the new role.",
        NET_WAIT,
    );
    with_model(&admin, |m| {
        assert_eq!(listed(m).map(|(_, role, _)| role), Some(Role::Office));
    });

    // The device itself is put back on the link with its new role.
    warehouse.wait_for("reconnected as office", |e| {
        matches!(
            e,
            LinkEvent::Status(LinkStatus::Connected {
                role: Role::Office,
                ..
            })
        )
    });

    // What the server lists says the same.
    let before = with_model(&admin, |m| listed(m).map(|(_, _, at)| at)).expect("listed");
    std::thread::sleep(Duration::from_millis(20));
    admin.get_by_label("Refresh").click();
    step_until(&mut admin, "a fresh device list", NET_WAIT, |m| {
        listed(m).is_some_and(|(_, _, at)| at > before)
    });
    with_model(&admin, |m| {
        assert_eq!(listed(m).map(|(_, role, _)| role), Some(Role::Office));
    });
    assert!(admin.query_by_label("Role of Almacén 1").is_some());
}
