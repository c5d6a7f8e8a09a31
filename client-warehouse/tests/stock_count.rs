//! Counting stock from the warehouse against a real in-process server: an item at
//! low stock shows in the banner; counting it above its minimum in the "Count stock"
//! dialog sends `count_stock`, the server resolves the alert and the banner clears.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod support;

use egui_kittest::kittest::Queryable;
use packbell_shared::protocol::{Command, Role};
use support::site::{Office, Site, warehouse_app};
use support::*;

fn text_box<'a>(harness: &'a AppHarness, label: &'a str) -> egui_kittest::Node<'a> {
    harness.get_by(|node| {
        node.role() == egui::accesskit::Role::TextInput && node.label().as_deref() == Some(label)
    })
}

#[test]
fn counting_a_low_item_above_its_minimum_clears_the_banner() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start(&dir.path().join("server"));
    let centro = site.add_store("Centro");
    let mut admin = Office::start_as(&site, &dir.path().join("admin"), Role::Admin);
    admin.run(Command::UpsertItem {
        sku: "TEA-100".into(),
        name: "Green tea".into(),
        store_id: Some(centro),
        unit: "pcs".into(),
        min: 5,
        max: 50,
        pack_size: 1,
        lead_days: 0,
        quantity: Some(2),
        lots: None,
    });
    admin.run(Command::UpsertItem {
        sku: "SALT-1KG".into(),
        name: "Sea salt".into(),
        store_id: None,
        unit: "bags".into(),
        min: 1,
        max: 40,
        pack_size: 1,
        lead_days: 0,
        quantity: Some(10),
        lots: None,
    });
    let (mut harness, _recorder) =
        warehouse_app(&site, &dir.path().join("wh"), "wh-1", true, test_settings());
    step_until(&mut harness, "the low stock alert", |h| {
        has_label(h, "LOW STOCK: TEA-100 — level 1")
    });
    assert!(
        has_label(&harness, "Count TEA-100"),
        "the banner offers a count"
    );

    // From the header: search by name, pick the item, type the count, Enter.
    harness.get_by_label("Count stock").click();
    harness.run();
    assert!(has_label(&harness, "SALT-1KG — Sea salt (10 bags on hand)"));
    let search = text_box(&harness, "SKU or name");
    search.focus();
    search.type_text("green");
    harness.run();
    assert!(
        !has_label_containing(&harness, "SALT-1KG"),
        "the search narrows the list"
    );
    harness
        .get_by_label("TEA-100 — Green tea (2 pcs on hand)")
        .click();
    harness.run();
    let counted = text_box(&harness, "Counted");
    counted.focus();
    counted.type_text("12");
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();

    step_until(&mut harness, "the banner cleared", |h| {
        !has_label_containing(h, "LOW STOCK")
    });
    assert!(!has_label(&harness, "Send count"), "the dialog closed");
}
