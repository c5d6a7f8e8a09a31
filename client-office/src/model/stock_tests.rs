use packbell_shared::protocol::{Event, EventBody, Role, StockItem};

use super::*;

fn item(sku: &str, store_id: Option<StoreId>) -> StockItem {
    StockItem {
        sku: sku.into(),
        name: "Tea 100 bags".into(),
        store_id,
        quantity: 9,
        unit: "box".into(),
        min: 4,
        max: 20,
        pack_size: 12,
        lead_days: 3,
        lots: Vec::new(),
    }
}

fn admin_with(items: &[StockItem]) -> Model {
    let mut model = Model {
        role: Some(Role::Admin),
        ..Model::default()
    };
    for (index, item) in items.iter().enumerate() {
        model.site.apply(&Event {
            seq: index as u64 + 1,
            at: chrono::Utc::now(),
            device: 1,
            body: EventBody::ItemUpserted(item.clone()),
        });
    }
    model
}

#[test]
fn a_new_item_is_checked_like_the_server_checks_it() {
    let mut model = admin_with(&[]);
    model.open_item_editor(None);
    let editor = model.stock.editor.as_mut().expect("open");
    editor.sku = " TEA-100 ".into();
    editor.name = "Tea 100 bags".into();
    editor.unit = "box".into();
    editor.min = "9".into();
    editor.max = "1".into();
    assert_eq!(model.save_item(), None);
    let editor = model.stock.editor.as_mut().expect("still open");
    assert_eq!(editor.problem, Some(StockProblem::MinAboveMax));
    editor.max = "20".into();
    editor.pack_size = "0".into();
    assert_eq!(model.save_item(), None);
    let editor = model.stock.editor.as_mut().expect("still open");
    assert_eq!(
        editor.problem,
        Some(StockProblem::Invalid(StockField::PackSize))
    );
    editor.pack_size = "12".into();
    editor.quantity = "many".into();
    assert_eq!(model.save_item(), None);
    model.stock.editor.as_mut().expect("still open").quantity = "7".into();
    let (command, operation) = model.save_item().expect("valid");
    assert_eq!(
        command,
        Command::UpsertItem {
            sku: "TEA-100".into(),
            name: "Tea 100 bags".into(),
            store_id: None,
            unit: "box".into(),
            min: 9,
            max: 20,
            pack_size: 12,
            lead_days: 0,
            quantity: Some(7),
            lots: None,
        }
    );
    assert_eq!(
        operation,
        Operation::Stock(StockOperation::SaveItem {
            sku: "TEA-100".into()
        })
    );
    assert!(model.stock.editor.is_none());
}

#[test]
fn editing_an_item_keeps_its_stock() {
    let mut model = admin_with(&[item("TEA-100", Some(2))]);
    model.open_item_editor(Some("TEA-100"));
    model.stock.editor.as_mut().expect("open").min = "6".into();
    let (command, _) = model.save_item().expect("valid");
    let Command::UpsertItem {
        store_id,
        min,
        quantity,
        lots,
        ..
    } = command
    else {
        panic!("not an upsert: {command:?}");
    };
    assert_eq!((store_id, min, quantity, lots), (Some(2), 6, None, None));
}

#[test]
fn an_adjustment_needs_a_non_zero_whole_change_and_a_reason() {
    let mut model = admin_with(&[item("TEA-100", None)]);
    model.open_adjust("NOPE");
    assert!(model.stock.adjust.is_none());
    model.open_adjust("TEA-100");
    let form = model.stock.adjust.as_mut().expect("open");
    form.delta = "0".into();
    form.reason = "count".into();
    assert_eq!(model.confirm_adjust(), None);
    let form = model.stock.adjust.as_mut().expect("still open");
    assert_eq!(form.problem, Some(StockProblem::Invalid(StockField::Delta)));
    form.delta = "-6".into();
    form.reason = "   ".into();
    assert_eq!(model.confirm_adjust(), None);
    model.stock.adjust.as_mut().expect("still open").reason = "damaged".into();
    let (command, _) = model.confirm_adjust().expect("valid");
    assert_eq!(
        command,
        Command::AdjustStock {
            sku: "TEA-100".into(),
            lot: None,
            delta: -6,
            reason: "damaged".into()
        }
    );
}

#[test]
fn an_office_pc_cannot_open_the_stock_forms() {
    let mut model = admin_with(&[item("TEA-100", None)]);
    model.role = Some(Role::Office);
    model.open_item_editor(None);
    model.open_adjust("TEA-100");
    assert_eq!(model.stock, StockScreen::default());
    assert!(!may_edit_stock(Some(Role::Warehouse)));
}

#[test]
fn items_are_listed_site_wide_first_then_by_store_and_sku() {
    let model = admin_with(&[
        item("B", Some(1)),
        item("A", Some(2)),
        item("C", None),
        item("A1", Some(1)),
    ]);
    let skus: Vec<&str> = model.stock_items().iter().map(|i| i.sku.as_str()).collect();
    assert_eq!(skus, vec!["C", "A1", "B", "A"]);
}
