//! The relay over real sockets: idempotency, bad input, roles, revocation, limits,
//! slow readers. Each test speaks raw protocol JSON, as a third-party client would.

mod common;

use std::time::Duration;

use serde_json::json;

use common::{Ended, Raw, auth, create_order, enrol, enrol_on, start_site};
use packbell_server::Limits;
use packbell_shared::protocol::{ErrorCode, Role, ServerMessage, close_code};

#[tokio::test]
async fn same_key_twice_is_one_order_and_other_payload_is_refused() {
    let site = start_site(Limits::default()).await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office-1").await;

    office.send(create_order("k-1", "A-100", site.store)).await;
    let first = office.recv().await;
    office.send(create_order("k-1", "A-100", site.store)).await;
    let second = office.recv().await;
    match (&first, &second) {
        (
            ServerMessage::Ack {
                seq: s1,
                order_id: o1,
                ..
            },
            ServerMessage::Ack {
                seq: s2,
                order_id: o2,
                ..
            },
        ) => {
            assert_eq!(s1, s2, "a repeat returns the original seq");
            assert_eq!(o1, o2, "a repeat returns the original order id");
            assert!(o1.is_some());
        }
        other => panic!("expected two acks, got {other:?}"),
    }

    office.send(create_order("k-1", "A-999", site.store)).await;
    let refused = office.expect_error("key_reused").await;
    assert!(matches!(refused, ServerMessage::Error { key: Some(k), .. } if k == "k-1"));

    office
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    match office.recv().await {
        ServerMessage::Snapshot(snapshot) => {
            let numbers: Vec<_> = snapshot.orders.iter().map(|o| &o.order_number).collect();
            assert_eq!(numbers, ["A-100"], "exactly one order exists");
        }
        other => panic!("expected snapshot, got {other:?}"),
    }
    site.server.shutdown().await;
}

#[tokio::test]
async fn bad_input_gets_its_documented_error_and_others_keep_being_served() {
    let site = start_site(Limits::default()).await;
    let (mut warehouse, _, _) = enrol(&site.server, Role::Warehouse, "wh-1").await;
    warehouse
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    warehouse
        .recv_until(|m| matches!(m, ServerMessage::CaughtUp { .. }))
        .await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office-1").await;

    office.send_text("{this is not json").await;
    office.expect_error("malformed_message").await;
    office.send(json!({"type": "teleport"})).await;
    office.expect_error("unknown_type").await;
    office
        .send(json!({"type": "command", "key": "x1", "command": {"op": "fly"}}))
        .await;
    office.expect_error("unknown_type").await;
    office
        .send(json!({"type": "command", "key": "x2", "command": {"op": "create_order", "store_id": site.store}}))
        .await;
    office.expect_error("invalid_field").await;
    office
        .send(create_order("x3", &"9".repeat(65), site.store))
        .await;
    let long = office.expect_error("invalid_field").await;
    assert!(format!("{long:?}").contains("order_number"), "{long:?}");
    office
        .send(
            json!({"type": "command", "key": "x4", "command": {"op": "create_order",
            "order_number": "A-1", "store_id": site.store, "note": "n".repeat(501)}}),
        )
        .await;
    office.expect_error("invalid_field").await;
    office.send(create_order("x5", "A-1", 999)).await;
    office.expect_error("unknown_store").await;
    office
        .send(
            json!({"type": "command", "key": "x6", "command": {"op": "add_store", "name": "Sur"}}),
        )
        .await;
    office.expect_error("forbidden").await;
    warehouse.send(create_order("w1", "A-1", site.store)).await;
    warehouse.expect_error("forbidden").await;
    office
        .send(
            json!({"type": "command", "key": "x7", "command": {"op": "pack_order", "order_id": 1}}),
        )
        .await;
    office.expect_error("forbidden").await;

    // Wrong protocol version: refused with both versions named, then closed.
    let mut old = Raw::connect(site.server.ws_addr()).await;
    old.send(json!({"type": "auth", "protocol": 99, "device_id": 1, "token": "t"}))
        .await;
    let mismatch = old.expect_error("version_mismatch").await;
    let text = format!("{mismatch:?}");
    assert!(text.contains("protocol 1") && text.contains("99"), "{text}");
    let (_, end) = old.drain_to_end(Duration::from_secs(5)).await;
    assert_eq!(end, Ended::Closed(Some(close_code::VERSION_MISMATCH)));

    // Bad token.
    let mut intruder = Raw::connect(site.server.ws_addr()).await;
    intruder
        .send(json!({"type": "auth", "protocol": 1, "device_id": 1, "token": "0000"}))
        .await;
    intruder.expect_error("auth_failed").await;

    // Oversized frame: refused and closed with 1009.
    let mut big = Raw::connect(site.server.ws_addr()).await;
    big.send_text(&format!(
        r#"{{"type":"x","pad":"{}"}}"#,
        "p".repeat(70 * 1024)
    ))
    .await;
    let (seen, end) = big.drain_to_end(Duration::from_secs(5)).await;
    assert!(
        seen.iter().any(|m| matches!(
            m,
            ServerMessage::Error {
                code: ErrorCode::FrameTooLarge,
                ..
            }
        )),
        "{seen:?}"
    );
    assert_eq!(end, Ended::Closed(Some(close_code::TOO_BIG)));

    // After all that, the office still works and the warehouse still hears it.
    office.send(create_order("ok-1", "B-7", site.store)).await;
    assert!(matches!(office.recv().await, ServerMessage::Ack { .. }));
    let event = warehouse
        .recv_until(|m| matches!(m, ServerMessage::Event(_)))
        .await;
    assert!(format!("{event:?}").contains("B-7"));
    site.server.shutdown().await;
}

#[tokio::test]
async fn unauthenticated_sockets_can_only_authenticate_and_are_closed_after_failures() {
    let site = start_site(Limits::default()).await;
    let mut anon = Raw::connect(site.server.ws_addr()).await;
    anon.send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    anon.expect_error("not_authenticated").await;
    anon.send(create_order("k", "A", site.store)).await;
    anon.expect_error("not_authenticated").await;
    let wrong = common::pair(&mut anon, "0000-0000", "x").await;
    assert!(
        matches!(
            wrong,
            ServerMessage::Error {
                code: ErrorCode::AuthFailed,
                ..
            }
        ),
        "{wrong:?}"
    );
    let (_, end) = anon.drain_to_end(Duration::from_secs(5)).await;
    assert_eq!(end, Ended::Closed(Some(close_code::POLICY)));
    site.server.shutdown().await;
}

#[tokio::test]
async fn silent_unauthenticated_socket_is_closed_after_the_timeout() {
    let limits = Limits {
        auth_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let site = start_site(limits).await;
    let mut silent = Raw::connect(site.server.ws_addr()).await;
    let (seen, end) = silent.drain_to_end(Duration::from_secs(5)).await;
    assert!(
        matches!(
            seen.as_slice(),
            [ServerMessage::Error {
                code: ErrorCode::NotAuthenticated,
                ..
            }]
        ),
        "{seen:?}"
    );
    assert_eq!(end, Ended::Closed(Some(close_code::POLICY)));
    site.server.shutdown().await;
}

#[tokio::test]
async fn pairing_codes_are_single_use() {
    let site = start_site(Limits::default()).await;
    let code = site
        .server
        .new_pairing_code(Role::Warehouse)
        .await
        .expect("code");
    let mut first = Raw::connect(site.server.ws_addr()).await;
    let enrolled = common::pair(&mut first, &code, "wh").await;
    assert!(
        matches!(
            enrolled,
            ServerMessage::Enrolled {
                role: Role::Warehouse,
                ..
            }
        ),
        "{enrolled:?}"
    );
    let mut second = Raw::connect(site.server.ws_addr()).await;
    let refused = common::pair(&mut second, &code, "wh").await;
    assert!(
        matches!(
            refused,
            ServerMessage::Error {
                code: ErrorCode::AuthFailed,
                ..
            }
        ),
        "{refused:?}"
    );
    site.server.shutdown().await;
}

#[tokio::test]
async fn revoked_device_is_disconnected_and_cannot_return() {
    let site = start_site(Limits::default()).await;
    let (mut admin, _, _) = enrol(&site.server, Role::Admin, "owner").await;
    let (mut warehouse, wh_id, wh_token) = enrol(&site.server, Role::Warehouse, "wh").await;
    warehouse
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    warehouse
        .recv_until(|m| matches!(m, ServerMessage::CaughtUp { .. }))
        .await;

    admin.send(json!({"type": "list_devices"})).await;
    match admin.recv().await {
        ServerMessage::Devices { devices, .. } => {
            let wh = devices
                .iter()
                .find(|d| d.device_id == wh_id)
                .expect("listed");
            assert!(wh.connected && !wh.revoked);
        }
        other => panic!("expected devices, got {other:?}"),
    }
    admin
        .send(json!({"type": "command", "key": "r1", "command": {"op": "revoke_device", "device_id": wh_id}}))
        .await;
    assert!(matches!(admin.recv().await, ServerMessage::Ack { .. }));

    let (seen, end) = warehouse.drain_to_end(Duration::from_secs(5)).await;
    assert!(
        seen.iter().any(|m| matches!(
            m,
            ServerMessage::Error {
                code: ErrorCode::Revoked,
                ..
            }
        )),
        "{seen:?}"
    );
    assert_eq!(end, Ended::Closed(Some(close_code::POLICY)));

    let mut again = Raw::connect(site.server.ws_addr()).await;
    again
        .send(json!({"type": "auth", "protocol": 1, "device_id": wh_id, "token": wh_token}))
        .await;
    again.expect_error("revoked").await;
    site.server.shutdown().await;
}

#[tokio::test]
async fn over_the_rate_limit_commands_are_refused_not_the_connection() {
    let limits = Limits {
        commands_per_second: 1.0,
        command_burst: 5.0,
        ..Limits::default()
    };
    let site = start_site(limits).await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office").await;
    for i in 0..8 {
        office
            .feed(create_order(&format!("k{i}"), &format!("N{i}"), site.store))
            .await;
    }
    office.flush().await;
    let mut acked = 0;
    let mut limited = 0;
    for _ in 0..8 {
        match office.recv().await {
            ServerMessage::Ack { .. } => acked += 1,
            ServerMessage::Error {
                code: ErrorCode::RateLimited,
                ..
            } => limited += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((acked, limited), (5, 3));
    site.server.shutdown().await;
}

#[tokio::test]
async fn connection_cap_refuses_with_try_again_later() {
    let limits = Limits {
        max_connections: 2,
        ..Limits::default()
    };
    let site = start_site(limits).await;
    let (_a, id, token) = enrol(&site.server, Role::Warehouse, "a").await;
    let _b = auth(&site.server, id, &token).await;
    let mut third = Raw::connect(site.server.ws_addr()).await;
    let (seen, end) = third.drain_to_end(Duration::from_secs(5)).await;
    assert!(
        seen.iter().any(|m| matches!(
            m,
            ServerMessage::Error {
                code: ErrorCode::Unavailable,
                ..
            }
        )),
        "{seen:?}"
    );
    assert_eq!(end, Ended::Closed(Some(close_code::TRY_AGAIN_LATER)));
    site.server.shutdown().await;
}

/// A client that stops reading is dropped; another keeps receiving everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_and_others_continue() {
    const ORDERS: usize = 12_000;
    let limits = Limits {
        outgoing_queue: 64,
        stalled_client_timeout: Duration::from_secs(1),
        commands_per_second: 1.0e6,
        command_burst: 1.0e6,
        ..Limits::default()
    };
    let site = start_site(limits).await;
    let small = Raw::connect_with_small_buffer(site.server.ws_addr()).await;
    let (mut stalled, _, _) = enrol_on(small, &site.server, Role::Warehouse, "stalled").await;
    stalled
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    let (mut reader, _, _) = enrol(&site.server, Role::Warehouse, "reader").await;
    reader
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office").await;

    // Big notes make frames large, so the stalled socket's buffers fill quickly.
    let note = "n".repeat(480);
    let counting = tokio::spawn(async move {
        let mut seqs = Vec::new();
        while seqs.len() < ORDERS {
            if let ServerMessage::Event(event) = reader.recv().await
                && format!("{:?}", event.body).contains("OrderCreated")
            {
                seqs.push(event.seq);
            }
        }
        seqs
    });
    for chunk in 0..ORDERS / 100 {
        for i in 0..100 {
            let n = chunk * 100 + i;
            office
                .feed(
                    json!({"type": "command", "key": format!("k{n}"), "command": {
                    "op": "create_order", "order_number": format!("N{n}"),
                    "store_id": site.store, "note": note}}),
                )
                .await;
        }
        office.flush().await;
        for _ in 0..100 {
            assert!(matches!(office.recv().await, ServerMessage::Ack { .. }));
        }
    }
    let seqs = tokio::time::timeout(Duration::from_secs(60), counting)
        .await
        .expect("the reading client got every order in time")
        .expect("reader task");
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in seq order");

    let (seen, end) = stalled.drain_to_end(Duration::from_secs(10)).await;
    let events = seen
        .iter()
        .filter(|m| matches!(m, ServerMessage::Event(_)))
        .count();
    assert!(
        events < ORDERS,
        "the stalled client was cut off ({events} events)"
    );
    assert_eq!(end, Ended::Dropped, "the stalled client was dropped");
    site.server.shutdown().await;
}

#[tokio::test]
async fn graceful_shutdown_closes_sockets_with_a_reason() {
    let site = start_site(Limits::default()).await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office").await;
    office
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    office
        .recv_until(|m| matches!(m, ServerMessage::CaughtUp { .. }))
        .await;
    let stopping = tokio::spawn(site.server.shutdown());
    let (_, end) = office.drain_to_end(Duration::from_secs(10)).await;
    assert_eq!(end, Ended::Closed(Some(close_code::GOING_AWAY)));
    stopping.await.expect("shutdown completes");
}

#[tokio::test]
async fn a_role_change_reconnects_the_device_with_its_new_role() {
    let site = start_site(Limits::default()).await;
    let (mut admin, _, _) = enrol(&site.server, Role::Admin, "owner").await;
    let (mut device, id, token) = enrol(&site.server, Role::Warehouse, "wh").await;
    device
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    device
        .recv_until(|m| matches!(m, ServerMessage::CaughtUp { .. }))
        .await;
    admin
        .send(json!({"type": "command", "key": "c1",
                     "command": {"op": "change_role", "device_id": id, "role": "office"}}))
        .await;
    assert!(matches!(admin.recv().await, ServerMessage::Ack { .. }));
    let (seen, end) = device.drain_to_end(Duration::from_secs(5)).await;
    assert!(
        seen.iter()
            .any(|m| format!("{m:?}").contains("DeviceRoleChanged")),
        "{seen:?}"
    );
    assert_eq!(end, Ended::Closed(Some(close_code::ROLE_CHANGED)));

    let mut again = Raw::connect(site.server.ws_addr()).await;
    again
        .send(json!({"type": "auth", "protocol": 1, "device_id": id, "token": token}))
        .await;
    assert!(matches!(
        again.recv().await,
        ServerMessage::Welcome {
            role: Role::Office,
            ..
        }
    ));
    again.send(create_order("o1", "A-1", site.store)).await;
    assert!(matches!(again.recv().await, ServerMessage::Ack { .. }));
    site.server.shutdown().await;
}

#[tokio::test]
async fn site_status_counts_connections_by_role_for_admins_only() {
    let site = start_site(Limits::default()).await;
    let (mut admin, _, _) = enrol(&site.server, Role::Admin, "owner").await;
    let (_w1, _, _) = enrol(&site.server, Role::Warehouse, "wh1").await;
    let (_w2, _, _) = enrol(&site.server, Role::Warehouse, "wh2").await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office").await;
    admin.send(json!({"type": "site_status"})).await;
    match admin
        .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
        .await
    {
        ServerMessage::SiteStatus(status) => {
            assert_eq!(
                (
                    status.connected_office,
                    status.connected_warehouse,
                    status.connected_admin
                ),
                (1, 2, 1)
            );
            assert!(status.database_bytes > 0);
            assert!(status.head_seq >= 5, "store + four enrolments");
        }
        other => panic!("expected site_status, got {other:?}"),
    }
    office.send(json!({"type": "site_status"})).await;
    office.expect_error("forbidden").await;
    site.server.shutdown().await;
}

#[tokio::test]
async fn a_silent_peer_is_dropped_and_a_live_one_is_kept() {
    let limits = Limits {
        ping_interval: Duration::from_millis(100),
        idle_timeout: Duration::from_millis(400),
        ..Limits::default()
    };
    let site = start_site(limits).await;
    let (mut silent, _, _) = enrol(&site.server, Role::Warehouse, "silent").await;
    let (mut live, _, _) = enrol(&site.server, Role::Warehouse, "live").await;
    // The live peer keeps reading, so its WebSocket answers the server's pings.
    let deadline = tokio::time::Instant::now() + Duration::from_millis(1500);
    while tokio::time::Instant::now() < deadline {
        match live.next_message(Duration::from_millis(100)).await {
            Err(Ended::Silent) => {}
            other => panic!("the live peer should stay connected, got {other:?}"),
        }
    }
    // The silent peer read nothing for 1.5 s: no pongs, so the server gave up on it.
    let (_, end) = silent.drain_to_end(Duration::from_secs(5)).await;
    assert_eq!(end, Ended::Dropped);
    site.server.shutdown().await;
}
