//! `set_ageing` over real sockets: an admin's thresholds become an event every PC sees
//! and a field every later snapshot carries; other roles and bad thresholds are refused.

mod common;

use serde_json::{Value, json};

use common::{Raw, enrol, start_site};
use packbell_server::Limits;
use packbell_shared::protocol::{Ageing, EventBody, Role, ServerMessage};

fn set_ageing(key: &str, amber: u32, red: u32, overdue: u32) -> Value {
    json!({"type": "command", "key": key,
           "command": {"op": "set_ageing", "amber_minutes": amber, "red_minutes": red,
                       "overdue_minutes": overdue}})
}

async fn snapshot_ageing(raw: &mut Raw) -> Option<Ageing> {
    raw.send(json!({"type": "subscribe", "after_seq": 0})).await;
    match raw
        .recv_until(|m| matches!(m, ServerMessage::Snapshot(_)))
        .await
    {
        ServerMessage::Snapshot(snapshot) => snapshot.ageing,
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

#[tokio::test]
async fn an_admins_thresholds_reach_every_pc_and_every_later_snapshot() {
    let site = start_site(Limits::default()).await;
    let (mut admin, ..) = enrol(&site.server, Role::Admin, "Jefa").await;
    let (mut packer, ..) = enrol(&site.server, Role::Warehouse, "Bodega-1").await;
    assert_eq!(
        snapshot_ageing(&mut packer).await,
        None,
        "none until an admin sets them"
    );

    admin.send(set_ageing("a-1", 3, 8, 15)).await;
    let seq = match admin
        .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
        .await
    {
        ServerMessage::Ack { seq, .. } => seq,
        other => panic!("expected an ack, got {other:?}"),
    };
    let wanted = Ageing {
        amber_minutes: 3,
        red_minutes: 8,
        overdue_minutes: 15,
    };
    match packer
        .recv_until(|m| matches!(m, ServerMessage::Event(e) if e.seq == seq))
        .await
    {
        ServerMessage::Event(event) => assert_eq!(event.body, EventBody::AgeingSet(wanted)),
        other => panic!("expected the event, got {other:?}"),
    }
    let (mut late, ..) = enrol(&site.server, Role::Warehouse, "Bodega-2").await;
    assert_eq!(snapshot_ageing(&mut late).await, Some(wanted));
}

#[tokio::test]
async fn other_roles_and_thresholds_that_do_not_grow_are_refused() {
    let site = start_site(Limits::default()).await;
    let (mut admin, ..) = enrol(&site.server, Role::Admin, "Jefa").await;
    let (mut office, ..) = enrol(&site.server, Role::Office, "Oficina").await;
    let (mut packer, ..) = enrol(&site.server, Role::Warehouse, "Bodega").await;
    for raw in [&mut office, &mut packer] {
        raw.send(set_ageing("x-1", 3, 8, 15)).await;
        raw.expect_error("forbidden").await;
    }
    for (key, amber, red, overdue) in [
        ("b-1", 0, 8, 15),
        ("b-2", 8, 8, 15),
        ("b-3", 3, 20, 15),
        ("b-4", 3, 8, 2_000),
    ] {
        admin.send(set_ageing(key, amber, red, overdue)).await;
        admin.expect_error("invalid_field").await;
    }
    // Nothing was stored, and the admin's socket still works.
    assert_eq!(snapshot_ageing(&mut admin).await, None);
}
