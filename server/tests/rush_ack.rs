//! `acknowledge_rush` over real sockets: one PC's "Got it" becomes an event every PC
//! sees and a flag snapshots carry; retries are idempotent; roles and orders are checked.

mod common;

use serde_json::{Value, json};

use common::{Raw, enrol, start_site};
use packbell_server::Limits;
use packbell_shared::protocol::{EventBody, Role, ServerMessage};

fn rush_order(key: &str, number: &str, store: u64) -> Value {
    json!({"type": "command", "key": key,
           "command": {"op": "create_order", "order_number": number, "store_id": store,
                       "priority": "rush"}})
}

fn acknowledge(key: &str, order_id: u64) -> Value {
    json!({"type": "command", "key": key,
           "command": {"op": "acknowledge_rush", "order_id": order_id}})
}

/// Sends `command` and returns the (seq, order id) of its ack, skipping events.
async fn acked(raw: &mut Raw, command: Value) -> (u64, Option<u64>) {
    raw.send(command).await;
    match raw
        .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
        .await
    {
        ServerMessage::Ack { seq, order_id, .. } => (seq, order_id),
        other => panic!("expected an ack, got {other:?}"),
    }
}

#[tokio::test]
async fn an_acknowledgement_is_an_event_for_everyone_and_stays_in_snapshots() {
    let site = start_site(Limits::default()).await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office").await;
    let (mut watcher, _, _) = enrol(&site.server, Role::Warehouse, "packer-1").await;
    let (mut packer, packer_id, _) = enrol(&site.server, Role::Warehouse, "packer-2").await;
    let (_, order_id) = acked(&mut office, rush_order("o-1", "R-1", site.store)).await;
    let order_id = order_id.expect("the ack names the order");
    watcher
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    watcher
        .recv_until(|m| matches!(m, ServerMessage::Snapshot(_)))
        .await;

    let (seq, acked_order) = acked(&mut packer, acknowledge("ack-1", order_id)).await;
    assert_eq!(acked_order, Some(order_id));
    let seen = watcher
        .recv_until(|m| matches!(m, ServerMessage::Event(e) if e.seq == seq))
        .await;
    match seen {
        ServerMessage::Event(event) => {
            assert_eq!(event.body, EventBody::RushAcknowledged { order_id });
            assert_eq!(event.device, packer_id, "the log says who acknowledged");
        }
        other => panic!("expected the event, got {other:?}"),
    }

    // A retry with the same key is the same command: same seq, no second event.
    let (again, _) = acked(&mut packer, acknowledge("ack-1", order_id)).await;
    assert_eq!(again, seq);

    let (mut late, _, _) = enrol(&site.server, Role::Warehouse, "packer-3").await;
    late.send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    match late
        .recv_until(|m| matches!(m, ServerMessage::Snapshot(_)))
        .await
    {
        ServerMessage::Snapshot(snapshot) => {
            let order = snapshot
                .orders
                .iter()
                .find(|o| o.order_id == order_id)
                .expect("the order is in the snapshot");
            assert!(order.acknowledged, "snapshots carry the acknowledgement");
        }
        other => panic!("expected a snapshot, got {other:?}"),
    }
    site.server.shutdown().await;
}

#[tokio::test]
async fn acknowledging_is_refused_for_office_unknown_normal_and_repeated_orders() {
    let site = start_site(Limits::default()).await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office").await;
    let (mut packer, _, _) = enrol(&site.server, Role::Warehouse, "packer").await;
    let (_, rush) = acked(&mut office, rush_order("o-1", "R-1", site.store)).await;
    let rush = rush.expect("order id");
    let (_, normal) = acked(&mut office, common::create_order("o-2", "N-1", site.store)).await;
    let normal = normal.expect("order id");

    office.send(acknowledge("a-1", rush)).await;
    office.expect_error("forbidden").await;
    packer.send(acknowledge("a-2", 999_999)).await;
    packer.expect_error("unknown_order").await;
    packer.send(acknowledge("a-3", normal)).await;
    packer.expect_error("invalid_state").await;

    acked(&mut packer, acknowledge("a-4", rush)).await;
    // Another PC's "Got it" with its own key, a moment later: already done.
    packer.send(acknowledge("a-5", rush)).await;
    packer.expect_error("invalid_state").await;
    site.server.shutdown().await;
}
