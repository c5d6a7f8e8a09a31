//! The restock list of the real binary, from packed order lines: an item with use gets
//! figures and a suggestion rounded to its packs; one without says "no history".
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;
mod stock_support;

use serde_json::json;

use packbell_shared::protocol::{Role, ServerMessage};
use stock_support::{StockSite, acked, command, item};

#[tokio::test]
async fn the_restock_list_suggests_from_packed_lines_and_admits_no_history() {
    let mut site = StockSite::start(false).await;
    let milk = json!({"op": "upsert_item", "sku": "MILK", "name": "Milk", "unit": "l",
        "min": 10, "max": 100, "pack_size": 12, "quantity": 14});
    acked(&mut site.admin, command("i-1", milk)).await;
    acked(&mut site.admin, command("i-2", item("SALT", 3, 5, 20))).await;
    let (mut office, _, _) = common::enrol(&site.server, Role::Office, "office").await;
    office
        .send(command(
            "o-1",
            json!({"op": "create_order", "order_number": "A-1", "store_id": site.store,
                   "lines": [{"sku": "MILK", "quantity": 6}]}),
        ))
        .await;
    let order_id = match office
        .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
        .await
    {
        ServerMessage::Ack { order_id, .. } => order_id.unwrap(),
        other => panic!("expected an ack, got {other:?}"),
    };
    acked(
        &mut site.warehouse,
        command("p-1", json!({"op": "pack_order", "order_id": order_id})),
    )
    .await;

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_packbell-server"))
        .arg("--data-dir")
        .arg(site.dir.path())
        .args(["restock", "--out", "-"])
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 3, "{text}");
    // 6 used today over a 28-day window: 6 / 28 = 0.21 a day. Lead time 0, so the
    // reorder point is 0; 8 on hand is at or below the minimum 10, so 92 are missing
    // to the maximum, rounded up to packs of 12: 96.
    assert!(
        rows[1].starts_with("MILK,Milk,,8,l,10,100,12,0,0.21,"),
        "{text}"
    );
    assert!(rows[1].ends_with(",96"), "{text}");
    assert!(rows[2].starts_with("SALT,"), "{text}");
    assert!(rows[2].ends_with(",,,,no history"), "{text}");
    site.server.shutdown().await;
}
