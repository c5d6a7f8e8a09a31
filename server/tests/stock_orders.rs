//! Orders with lines over real sockets: packing takes the lines off stock (lots that
//! expire first, first) and can raise low stock; recalling puts exactly that back;
//! orders without lines change no stock. And stock events in the audit CSV.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;
mod stock_support;

use chrono::Local;
use serde_json::json;

use packbell_server::db;
use packbell_server::export::{self, Delimiter, Kind, Request};
use packbell_shared::protocol::{EventBody, Role, ServerMessage};
use stock_support::{StockSite, acked, command, raised, resolved};

async fn order_with_lines(site: &mut StockSite, key: &str, lines: serde_json::Value) -> u64 {
    let (mut office, _, _) = common::enrol(&site.server, Role::Office, key).await;
    office
        .send(command(
            key,
            json!({"op": "create_order", "order_number": key, "store_id": site.store,
                   "lines": lines}),
        ))
        .await;
    match office
        .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
        .await
    {
        ServerMessage::Ack { order_id, .. } => order_id.unwrap(),
        other => panic!("expected an ack, got {other:?}"),
    }
}

fn quantity_of(site_items: &[packbell_shared::protocol::StockItem], sku: &str) -> i64 {
    site_items.iter().find(|i| i.sku == sku).unwrap().quantity
}

#[tokio::test]
async fn packing_takes_lines_off_stock_and_recalling_puts_them_back() {
    let mut site = StockSite::start(false).await;
    let upsert = json!({"op": "upsert_item", "sku": "MILK", "name": "Milk", "unit": "l",
        "min": 10, "max": 100, "quantity": 14, "lots": [
            {"lot": "LATE", "quantity": 10, "expiry": site.day(60).to_string()},
            {"lot": "SOON", "quantity": 4, "expiry": site.day(30).to_string()}]});
    acked(&mut site.admin, command("i-1", upsert)).await;
    let order_id =
        order_with_lines(&mut site, "A-1", json!([{"sku": "MILK", "quantity": 6}])).await;
    let plain = order_with_lines(&mut site, "A-2", json!([])).await;

    acked(
        &mut site.warehouse,
        command("p-1", json!({"op": "pack_order", "order_id": order_id})),
    )
    .await;
    acked(
        &mut site.warehouse,
        command("p-2", json!({"op": "pack_order", "order_id": plain})),
    )
    .await;
    let snapshot = site.snapshot().await;
    let milk = snapshot.items.iter().find(|i| i.sku == "MILK").unwrap();
    assert_eq!(milk.quantity, 8);
    let lot = |name: &str| milk.lots.iter().find(|l| l.lot == name).unwrap().quantity;
    assert_eq!(
        (lot("SOON"), lot("LATE")),
        (0, 8),
        "the lot expiring first goes first"
    );
    let events = site.stock_events().await;
    let low = raised(&events);
    assert_eq!(low.len(), 1, "8 ≤ min 10: low stock");
    assert_eq!(low[0].1, "low");
    let moved: Vec<(Option<String>, i64, Option<u64>)> = events
        .iter()
        .filter_map(|e| match e {
            EventBody::StockAdjusted {
                lot,
                delta,
                order_id,
                ..
            } => Some((lot.clone(), *delta, *order_id)),
            _ => None,
        })
        .collect();
    assert_eq!(
        moved,
        vec![
            (Some("SOON".into()), -4, Some(order_id)),
            (Some("LATE".into()), -2, Some(order_id)),
        ],
        "the plain order moved nothing"
    );

    acked(
        &mut site.warehouse,
        command("r-1", json!({"op": "recall_order", "order_id": order_id})),
    )
    .await;
    let snapshot = site.snapshot().await;
    assert_eq!(quantity_of(&snapshot.items, "MILK"), 14);
    let milk = snapshot.items.iter().find(|i| i.sku == "MILK").unwrap();
    assert!(milk.lots.iter().any(|l| l.lot == "SOON" && l.quantity == 4));
    assert_eq!(resolved(&site.stock_events().await), vec![low[0].0]);
    assert!(snapshot.alerts.is_empty());
    site.server.shutdown().await;
}

#[tokio::test]
async fn an_order_line_must_name_an_item() {
    let site = StockSite::start(false).await;
    let (mut office, _, _) = common::enrol(&site.server, Role::Office, "office").await;
    office
        .send(command(
            "o-1",
            json!({"op": "create_order", "order_number": "B-1", "store_id": site.store,
                   "lines": [{"sku": "GHOST", "quantity": 1}]}),
        ))
        .await;
    office.expect_error("invalid_field").await;
    site.server.shutdown().await;
}

#[tokio::test]
async fn stock_events_and_alerts_are_in_the_audit_csv() {
    let mut site = StockSite::start(false).await;
    let item = json!({"op": "upsert_item", "sku": "TEA", "name": "Tea", "unit": "box",
        "store_id": site.store, "min": 5, "max": 20, "quantity": 3});
    acked(&mut site.admin, command("i-1", item)).await;
    let alert_id = raised(&site.stock_events().await)[0].0;
    acked(
        &mut site.warehouse,
        command(
            "k-1",
            json!({"op": "ack_alert", "alert_id": alert_id, "comment": "on it"}),
        ),
    )
    .await;
    acked(
        &mut site.warehouse,
        command(
            "c-1",
            json!({"op": "count_stock", "sku": "TEA", "counted": 9}),
        ),
    )
    .await;

    let today = Local::now().date_naive();
    let request = Request {
        kind: Kind::Audit,
        from: today,
        to: today,
        stores: Vec::new(),
        delimiter: Delimiter::Comma,
    };
    let conn = db::export::open_reader(site.dir.path()).unwrap();
    let checked = export::check(&conn, &request).unwrap();
    let bytes = export::write(&conn, &request, &checked, Vec::new())
        .unwrap()
        .0;
    let text = String::from_utf8(bytes).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    let row_of = |kind: &str| {
        rows.iter()
            .find(|r| r.contains(&format!(",{kind},")))
            .unwrap_or_else(|| panic!("no {kind} row in\n{text}"))
            .to_string()
    };
    let raised_row = row_of("alert_raised");
    assert!(
        raised_row.contains(&format!("alert {alert_id} low (critical): TEA")),
        "{raised_row}"
    );
    assert!(
        raised_row.contains("Centro"),
        "the item's store: {raised_row}"
    );
    assert!(row_of("alert_acknowledged").contains("on it"));
    assert!(row_of("alert_resolved").contains(&format!("alert {alert_id}")));
    assert!(row_of("stock_counted").contains("TEA counted 9 (+6)"));
    assert!(row_of("item_upserted").contains("TEA Tea: 3 box"));
    site.server.shutdown().await;
}
