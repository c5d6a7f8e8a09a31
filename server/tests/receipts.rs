//! Warehouse receipts over real sockets: from a warehouse PC to the offices (live and
//! on connect), refused from other roles and when malformed, never in the audit log.

mod common;

use serde_json::json;

use common::{Raw, create_order, enrol, start_site};
use packbell_server::Limits;
use packbell_shared::protocol::{NotRungWhy, Receipt, ReceiptStage, Role, ServerMessage};

/// Subscribes, watches receipts, and reads until the stored receipts and the
/// warehouse count are in.
async fn subscribe(raw: &mut Raw) -> (Vec<Receipt>, u32) {
    raw.send(json!({"type": "subscribe", "after_seq": 0})).await;
    raw.send(json!({"type": "watch_receipts"})).await;
    let mut receipts = Vec::new();
    loop {
        match raw.recv().await {
            ServerMessage::Receipt(receipt) => receipts.push(receipt),
            ServerMessage::WarehousesOnline { count } => return (receipts, count),
            _ => {}
        }
    }
}

async fn next_receipt(raw: &mut Raw) -> Receipt {
    match raw
        .recv_until(|m| matches!(m, ServerMessage::Receipt(_)))
        .await
    {
        ServerMessage::Receipt(receipt) => receipt,
        _ => unreachable!("recv_until returned a receipt"),
    }
}

async fn order(office: &mut Raw, key: &str, number: &str, store: u64) -> u64 {
    office.send(create_order(key, number, store)).await;
    match office
        .recv_until(|m| matches!(m, ServerMessage::Ack { .. }))
        .await
    {
        ServerMessage::Ack {
            order_id: Some(id), ..
        } => id,
        other => panic!("expected an ack with an order id, got {other:?}"),
    }
}

#[tokio::test]
async fn a_warehouse_receipt_reaches_a_connected_office_and_a_late_one_on_connect() {
    let site = start_site(Limits::default()).await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office-1").await;
    let (receipts, online) = subscribe(&mut office).await;
    assert!(receipts.is_empty());
    assert_eq!(online, 0, "no warehouse PC yet");

    let (mut warehouse, warehouse_id, _) = enrol(&site.server, Role::Warehouse, "Bodega-2").await;
    let announced = office
        .recv_until(|m| matches!(m, ServerMessage::WarehousesOnline { .. }))
        .await;
    assert_eq!(announced, ServerMessage::WarehousesOnline { count: 1 });

    let order_id = order(&mut office, "k-1", "80001", site.store).await;
    warehouse
        .send(json!({"type": "receipt", "order_id": order_id, "stage": "applied"}))
        .await;
    let applied = next_receipt(&mut office).await;
    assert_eq!(
        (applied.order_id, applied.device_id, applied.stage),
        (order_id, warehouse_id, ReceiptStage::Applied)
    );
    assert_eq!(applied.device_name, "Bodega-2");
    warehouse
        .send(
            json!({"type": "receipt", "order_id": order_id, "stage": "not_rung",
                     "why": "sound_off"}),
        )
        .await;
    let not_rung = next_receipt(&mut office).await;
    assert_eq!(not_rung.stage, ReceiptStage::NotRung);
    assert_eq!(not_rung.why, Some(NotRungWhy::SoundOff));
    // A late "applied" does not undo what the PC said about ringing.
    warehouse
        .send(json!({"type": "receipt", "order_id": order_id, "stage": "applied"}))
        .await;

    let (mut late, _, _) = enrol(&site.server, Role::Office, "office-2").await;
    let (stored, online) = subscribe(&mut late).await;
    assert_eq!(online, 1);
    assert_eq!(
        stored.len(),
        1,
        "one latest receipt per order and PC: {stored:?}"
    );
    assert_eq!(stored[0].stage, ReceiptStage::NotRung);
    assert_eq!(stored[0].why, Some(NotRungWhy::SoundOff));
    assert_eq!(stored[0].device_name, "Bodega-2");

    drop(warehouse);
    let gone = late
        .recv_until(|m| matches!(m, ServerMessage::WarehousesOnline { .. }))
        .await;
    assert_eq!(gone, ServerMessage::WarehousesOnline { count: 0 });
    site.server.shutdown().await;
}

#[tokio::test]
async fn receipts_from_other_roles_or_malformed_are_refused_and_everyone_keeps_being_served() {
    let site = start_site(Limits::default()).await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office-1").await;
    subscribe(&mut office).await;
    let (mut warehouse, _, _) = enrol(&site.server, Role::Warehouse, "Bodega-1").await;
    let order_id = order(&mut office, "k-1", "80001", site.store).await;

    office
        .send(json!({"type": "receipt", "order_id": order_id, "stage": "rang"}))
        .await;
    let refused = office.expect_error("forbidden").await;
    assert!(format!("{refused:?}").contains("warehouse"), "{refused:?}");
    warehouse.send(json!({"type": "watch_receipts"})).await;
    warehouse.expect_error("forbidden").await;

    let malformed = [
        (
            json!({"type": "receipt", "order_id": order_id, "stage": "rung"}),
            "invalid_field",
        ),
        (
            json!({"type": "receipt", "order_id": order_id}),
            "invalid_field",
        ),
        (
            json!({"type": "receipt", "order_id": order_id, "stage": "not_rung"}),
            "invalid_field",
        ),
        (
            json!({"type": "receipt", "order_id": order_id, "stage": "rang", "why": "no_audio"}),
            "invalid_field",
        ),
        (
            json!({"type": "receipt", "order_id": order_id, "stage": "not_rung", "why": null}),
            "invalid_field",
        ),
        (
            json!({"type": "receipt", "order_id": order_id, "stage": "not_rung", "why": "loud"}),
            "invalid_field",
        ),
        (
            json!({"type": "receipt", "order_id": order_id, "stage": "rang", "extra": 1}),
            "invalid_field",
        ),
        (
            json!({"type": "receipt", "order_id": "x", "stage": "rang"}),
            "invalid_field",
        ),
        (
            json!({"type": "receipt", "order_id": 9_999, "stage": "rang"}),
            "unknown_order",
        ),
    ];
    for (message, code) in malformed {
        warehouse.send(message.clone()).await;
        let answer = warehouse.expect_error(code).await;
        assert!(
            matches!(answer, ServerMessage::Error { key: None, .. }),
            "{message}: {answer:?}"
        );
    }

    // Both sockets still work, and the office saw none of the refused receipts.
    warehouse
        .send(json!({"type": "receipt", "order_id": order_id, "stage": "rang"}))
        .await;
    let rang = next_receipt(&mut office).await;
    assert_eq!((rang.order_id, rang.stage), (order_id, ReceiptStage::Rang));
    order(&mut office, "k-2", "80002", site.store).await;
    site.server.shutdown().await;
}

#[tokio::test]
async fn receipts_are_not_in_the_audit_log() {
    let site = start_site(Limits::default()).await;
    let (mut admin, _, _) = enrol(&site.server, Role::Admin, "admin-1").await;
    subscribe(&mut admin).await;
    let (mut warehouse, _, _) = enrol(&site.server, Role::Warehouse, "Bodega-1").await;
    let order_id = order(&mut admin, "k-1", "80001", site.store).await;
    warehouse
        .send(json!({"type": "receipt", "order_id": order_id, "stage": "rang"}))
        .await;
    next_receipt(&mut admin).await;

    admin
        .send(json!({"type": "read_log", "after_seq": 0}))
        .await;
    let events = match admin
        .recv_until(|m| matches!(m, ServerMessage::LogPage { .. }))
        .await
    {
        ServerMessage::LogPage { events, .. } => events,
        _ => unreachable!("recv_until returned a log page"),
    };
    let text = serde_json::to_string(&events).expect("serialises");
    assert!(
        text.contains("order_created"),
        "the log has the order: {text}"
    );
    assert!(
        !text.contains("receipt") && !text.contains("rang"),
        "{text}"
    );
    site.server.shutdown().await;
}
