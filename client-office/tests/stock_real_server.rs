//! The Stock and Alerts screens against a real in-process server over the real link:
//! an admin creates an item, adjusts it below its minimum, sees the low-stock alert
//! and acknowledges it with a comment, which the server records; an office PC only
//! reads.

mod common;

use common::site::{BareLink, NET_WAIT, paired_office, start_site};
use common::{App, frames, step_until, wait_for_text, with_model};
use egui_kittest::kittest::Queryable as _;
use packbell_shared::protocol::{AlertKind, Role};

fn fill(app: &mut App<'_>, label: &str, text: &str) {
    app.get_by_label(label).focus();
    frames(app, 2);
    app.event(egui::Event::Text(text.into()));
    frames(app, 2);
}

fn click(app: &mut App<'_>, label: &str) {
    app.get_by_label(label).click();
    frames(app, 2);
}

#[test]
fn an_admin_creates_adjusts_and_acknowledges_the_low_stock_alert() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = start_site(&dir.path().join("server"));
    let centro = site.add_store("Centro");
    let mut admin = paired_office(
        &site,
        &dir.path().join("admin"),
        Role::Admin,
        "Oficina admin",
    );

    click(&mut admin, "Stock");
    click(&mut admin, "New item");
    fill(&mut admin, "SKU", "TEA-100");
    fill(&mut admin, "Name", "Tea 100 bags");
    fill(&mut admin, "Unit", "box");
    fill(&mut admin, "Min", "4");
    fill(&mut admin, "Max", "20");
    fill(&mut admin, "Starting quantity", "10");
    click(&mut admin, "Save");
    step_until(&mut admin, "the item on the server", NET_WAIT, |m| {
        m.site
            .items
            .get("TEA-100")
            .is_some_and(|i| i.quantity == 10)
    });
    wait_for_text(&mut admin, "Item TEA-100 saved.", NET_WAIT);

    click(&mut admin, "Adjust");
    fill(&mut admin, "Change", "-7");
    fill(&mut admin, "Reason", "damaged in transit");
    click(&mut admin, "Save");
    step_until(&mut admin, "the low-stock alert", NET_WAIT, |m| {
        m.site.items["TEA-100"].quantity == 3
            && m.site
                .open_alerts()
                .any(|a| a.alert.sku == "TEA-100" && a.alert.alert_kind == AlertKind::Low)
    });
    assert!(admin.query_by_label_contains("3 (low)").is_some());

    click(&mut admin, "Alerts");
    wait_for_text(&mut admin, "Low stock · TEA-100 = 3", NET_WAIT);
    click(&mut admin, "Acknowledge…");
    fill(&mut admin, "Comment (optional)", "restock ordered");
    click(&mut admin, "Acknowledge");
    step_until(&mut admin, "the acknowledgement", NET_WAIT, |m| {
        m.site.open_alerts().any(|a| a.alert.acknowledged.is_some())
    });
    wait_for_text(&mut admin, "Acknowledged by Oficina admin", NET_WAIT);
    let admin_id = with_model(&admin, |m| m.site_info.device_id).expect("paired");

    // The server's word, read by another device from a fresh snapshot.
    let checker = BareLink::start(
        &site,
        &dir.path().join("checker"),
        Role::Warehouse,
        "Almacén",
    );
    let alert = checker
        .state
        .open_alerts()
        .find(|a| a.alert.sku == "TEA-100")
        .expect("the alert is open on the server");
    let ack = alert.alert.acknowledged.as_ref().expect("recorded");
    assert_eq!(
        (ack.by, ack.comment.as_str()),
        (admin_id, "restock ordered")
    );
    assert_eq!(alert.alert.store_id, None, "created site-wide");
    assert_eq!(checker.state.items["TEA-100"].quantity, 3);
    let _ = centro;
}

#[test]
fn an_office_pc_sees_stock_and_alerts_read_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = start_site(&dir.path().join("server"));
    let mut admin_link = BareLink::start(&site, &dir.path().join("admin"), Role::Admin, "Admin");
    admin_link.command(packbell_shared::protocol::Command::UpsertItem {
        sku: "SALT-1KG".into(),
        name: "Salt 1 kg".into(),
        store_id: None,
        unit: "bag".into(),
        min: 5,
        max: 40,
        pack_size: 10,
        lead_days: 5,
        quantity: Some(2),
        lots: None,
    });
    let mut office = paired_office(&site, &dir.path().join("office"), Role::Office, "Oficina 1");
    click(&mut office, "Stock");
    wait_for_text(&mut office, "Salt 1 kg", NET_WAIT);
    assert!(office.query_by_label_contains("Read only").is_some());
    assert!(office.query_by_label("New item").is_none());
    assert!(office.query_by_label("Adjust").is_none());
    click(&mut office, "Alerts");
    wait_for_text(&mut office, "Low stock · SALT-1KG", NET_WAIT);
    assert!(office.query_by_label("Acknowledge…").is_none());
    assert!(
        office
            .query_by_label_contains("warehouse and admin PCs acknowledge")
            .is_some()
    );
}

#[test]
fn an_admin_imports_a_file_all_or_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = start_site(&dir.path().join("server"));
    site.add_store("Centro");
    let mut admin = paired_office(
        &site,
        &dir.path().join("admin"),
        Role::Admin,
        "Oficina admin",
    );
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "sku,name,store,quantity,unit,min,max\nA-1,Milk,Centro,4,l,5,40\nB-2,Salt,,many,kg,2,20\n",
    )
    .expect("written");
    let good = dir.path().join("good.csv");
    std::fs::write(&good, include_str!("../../docs/stock-import-example.csv")).expect("written");

    click(&mut admin, "Stock");
    fill(&mut admin, "Import CSV file", &bad.display().to_string());
    click(&mut admin, "Import");
    wait_for_text(&mut admin, "Nothing was imported: 1 problem(s).", NET_WAIT);
    assert!(
        admin
            .query_by_label_contains("line 3: quantity \"many\"")
            .is_some()
    );

    admin.get_by_label("Import CSV file").focus();
    admin.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    admin.event(egui::Event::Text(good.display().to_string()));
    frames(&mut admin, 2);
    click(&mut admin, "Import");
    wait_for_text(&mut admin, "3 item(s) sent to the server.", NET_WAIT);
    step_until(&mut admin, "the imported items", NET_WAIT, |m| {
        m.site.items.len() == 3 && m.outbox_len() == 0
    });
    let checker = BareLink::start(
        &site,
        &dir.path().join("checker"),
        Role::Warehouse,
        "Almacén",
    );
    let milk = &checker.state.items["MILK-1L"];
    assert_eq!((milk.quantity, milk.lots.len()), (30, 2));
    assert!(
        !checker.state.items.contains_key("A-1"),
        "the bad file changed nothing"
    );
}
