//! Undoing mistakes from the office over real sockets: `edit_order` corrects a pending
//! order, `recall_order` (with a reason) reopens a packed one, and logs written before
//! recalls carried a reason still replay.

mod common;

use serde_json::{Value, json};

use common::{Raw, create_order, enrol, start_site};
use packbell_server::Limits;
use packbell_shared::protocol::{
    EventBody, OrderId, OrderStatus, Priority, Role, ServerMessage, Snapshot,
};

fn edit_order(key: &str, order_id: OrderId, store: u64, note: &str, rush: bool) -> Value {
    let priority = if rush { "rush" } else { "normal" };
    json!({"type": "command", "key": key, "command": {"op": "edit_order",
           "order_id": order_id, "store_id": store, "note": note, "priority": priority}})
}

fn recall_order(key: &str, order_id: OrderId, reason: &str) -> Value {
    json!({"type": "command", "key": key,
           "command": {"op": "recall_order", "order_id": order_id, "reason": reason}})
}

fn pack_order(key: &str, order_id: OrderId) -> Value {
    json!({"type": "command", "key": key,
           "command": {"op": "pack_order", "order_id": order_id}})
}

/// Sends `command` and returns the ack's (seq, order id); panics on anything else.
async fn acked(raw: &mut Raw, command: Value) -> (u64, Option<OrderId>) {
    raw.send(command).await;
    match raw
        .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
        .await
    {
        ServerMessage::Ack { seq, order_id, .. } => (seq, order_id),
        other => panic!("expected ack, got {other:?}"),
    }
}

async fn snapshot(raw: &mut Raw) -> Snapshot {
    raw.send(json!({"type": "subscribe", "after_seq": 0})).await;
    match raw
        .recv_until(|m| matches!(m, ServerMessage::Snapshot(_)))
        .await
    {
        ServerMessage::Snapshot(snapshot) => snapshot,
        other => panic!("expected snapshot, got {other:?}"),
    }
}

#[tokio::test]
async fn edit_order_corrects_a_pending_order_once_per_key() {
    let site = start_site(Limits::default()).await;
    let norte = site.server.add_store("Norte").await.expect("store");
    let (mut warehouse, _, _) = enrol(&site.server, Role::Warehouse, "wh-1").await;
    warehouse
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    warehouse
        .recv_until(|m| matches!(m, ServerMessage::CaughtUp { .. }))
        .await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office-1").await;
    let (_, order) = acked(&mut office, create_order("c-1", "80001", site.store)).await;
    let order = order.expect("order id");

    let edit = edit_order("e-1", order, norte, "two boxes", true);
    let (seq, acked_order) = acked(&mut office, edit.clone()).await;
    assert_eq!(acked_order, Some(order));
    let event = warehouse
        .recv_until(|m| matches!(m, ServerMessage::Event(e) if e.seq == seq))
        .await;
    let ServerMessage::Event(event) = event else {
        unreachable!("matched an event")
    };
    assert_eq!(
        event.body,
        EventBody::OrderEdited {
            order_id: order,
            store_id: norte,
            note: "two boxes".into(),
            priority: Priority::Rush,
        }
    );

    // The same key and command again: the same seq, no second event.
    let (again, _) = acked(&mut office, edit).await;
    assert_eq!(again, seq, "a repeated edit returns the original seq");
    office
        .send(edit_order("e-1", order, site.store, "other", false))
        .await;
    office.expect_error("key_reused").await;

    let state = snapshot(&mut office).await;
    assert_eq!(state.seq, seq, "no event after the edit");
    let edited = state
        .orders
        .iter()
        .find(|o| o.order_id == order)
        .expect("the order is in the snapshot");
    assert_eq!(
        (edited.store_id, edited.note.as_str(), edited.priority),
        (norte, "two boxes", Priority::Rush)
    );
    assert_eq!(edited.status, OrderStatus::Pending);
    site.server.shutdown().await;
}

#[tokio::test]
async fn edit_order_is_refused_for_orders_not_pending_stores_unknown_and_warehouses() {
    let site = start_site(Limits::default()).await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office-1").await;
    let (mut warehouse, _, _) = enrol(&site.server, Role::Warehouse, "wh-1").await;
    let (_, packed) = acked(&mut office, create_order("c-1", "A-1", site.store)).await;
    let packed = packed.expect("order id");
    acked(&mut warehouse, pack_order("p-1", packed)).await;
    let (_, cancelled) = acked(&mut office, create_order("c-2", "A-2", site.store)).await;
    let cancelled = cancelled.expect("order id");
    acked(
        &mut office,
        json!({"type": "command", "key": "x-1",
               "command": {"op": "cancel_order", "order_id": cancelled}}),
    )
    .await;
    let (_, pending) = acked(&mut office, create_order("c-3", "A-3", site.store)).await;
    let pending = pending.expect("order id");

    office
        .send(edit_order("e-1", packed, site.store, "", false))
        .await;
    office.expect_error("invalid_state").await;
    office
        .send(edit_order("e-2", cancelled, site.store, "", false))
        .await;
    office.expect_error("invalid_state").await;
    office
        .send(edit_order("e-3", pending, 999, "", false))
        .await;
    office.expect_error("unknown_store").await;
    office
        .send(edit_order("e-4", 4242, site.store, "", false))
        .await;
    office.expect_error("unknown_order").await;
    office
        .send(edit_order(
            "e-5",
            pending,
            site.store,
            &"n".repeat(501),
            false,
        ))
        .await;
    office.expect_error("invalid_field").await;
    warehouse
        .send(edit_order("w-1", pending, site.store, "", true))
        .await;
    warehouse.expect_error("forbidden").await;

    let state = snapshot(&mut office).await;
    let untouched = state
        .orders
        .iter()
        .find(|o| o.order_id == pending)
        .expect("pending order");
    assert_eq!(
        untouched.priority,
        Priority::Normal,
        "no refused edit applied"
    );
    site.server.shutdown().await;
}

#[tokio::test]
async fn the_office_reopens_a_packed_order_with_a_reason() {
    let site = start_site(Limits::default()).await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office-1").await;
    let (mut warehouse, _, _) = enrol(&site.server, Role::Warehouse, "wh-1").await;
    let (_, order) = acked(&mut office, create_order("c-1", "80001", site.store)).await;
    let order = order.expect("order id");

    // Still pending: nothing to reopen.
    office.send(recall_order("r-0", order, "too early")).await;
    office.expect_error("invalid_state").await;
    acked(&mut warehouse, pack_order("p-1", order)).await;
    office
        .send(recall_order("r-1", order, &"r".repeat(501)))
        .await;
    office.expect_error("invalid_field").await;

    let (seq, _) = acked(&mut office, recall_order("r-2", order, "two boxes missing")).await;
    let (again, _) = acked(&mut office, recall_order("r-2", order, "two boxes missing")).await;
    assert_eq!(again, seq, "a repeated recall returns the original seq");

    let mut reader = warehouse;
    reader
        .send(json!({"type": "subscribe", "after_seq": seq - 1}))
        .await;
    let replayed = reader
        .recv_until(|m| matches!(m, ServerMessage::Event(_)))
        .await;
    match replayed {
        ServerMessage::Event(event) => assert_eq!(
            event.body,
            EventBody::OrderRecalled {
                order_id: order,
                reason: "two boxes missing".into()
            }
        ),
        other => panic!("expected the recall, got {other:?}"),
    }
    let state = snapshot(&mut office).await;
    let reopened = state
        .orders
        .iter()
        .find(|o| o.order_id == order)
        .expect("order");
    assert_eq!(reopened.status, OrderStatus::Pending);
    assert_eq!(reopened.cancel_reason, "", "a recall is not a cancellation");
    site.server.shutdown().await;
}

#[tokio::test]
async fn a_recall_logged_without_a_reason_still_replays() {
    let site = start_site(Limits::default()).await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office-1").await;
    let (mut warehouse, _, _) = enrol(&site.server, Role::Warehouse, "wh-1").await;
    let (_, order) = acked(&mut office, create_order("c-1", "A-1", site.store)).await;
    let order = order.expect("order id");
    acked(&mut warehouse, pack_order("p-1", order)).await;
    let (seq, _) = acked(
        &mut warehouse,
        json!({"type": "command", "key": "r-1",
               "command": {"op": "recall_order", "order_id": order}}),
    )
    .await;

    // Write the event the way servers before recall reasons did.
    let db = rusqlite::Connection::open(site.dir.path().join("packbell.sqlite3")).expect("db");
    let old_body = json!({"kind": "order_recalled", "order_id": order}).to_string();
    let changed = db
        .execute(
            "UPDATE events SET body = ?1 WHERE seq = ?2",
            rusqlite::params![old_body, seq],
        )
        .expect("rewritten");
    assert_eq!(changed, 1);
    drop(db);

    office
        .send(json!({"type": "subscribe", "after_seq": seq - 1}))
        .await;
    match office
        .recv_until(|m| matches!(m, ServerMessage::Event(_)))
        .await
    {
        ServerMessage::Event(event) => {
            assert_eq!(event.seq, seq);
            assert_eq!(
                event.body,
                EventBody::OrderRecalled {
                    order_id: order,
                    reason: String::new()
                }
            );
        }
        other => panic!("expected the old recall, got {other:?}"),
    }
    office
        .recv_until(|m| matches!(m, ServerMessage::CaughtUp { .. }))
        .await;
    site.server.shutdown().await;
}
