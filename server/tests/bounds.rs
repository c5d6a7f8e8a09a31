//! What one peer can make the server hold or do: the connection cap and its refusals,
//! rate budgets per device and per source address, the bytes queued for a socket that
//! reads nothing, the auth deadline, bad frames and WebSocket protocol violations.
//! Every test runs the real server and talks to it over loopback sockets.

mod common;

use std::time::Duration;

use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data as OpData, OpCode};

use common::{Ended, Raw, WAIT, auth, create_order, enrol, enrol_on, start_site};
use packbell_server::{Limits, RunningServer};
use packbell_shared::protocol::{ErrorCode, Role, ServerMessage, close_code};

/// A rate so slow that no token comes back during a test.
const NO_REFILL: f64 = 1e-9;

/// Waits until `condition` holds, polling; panics after `WAIT`.
async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let give_up = tokio::time::Instant::now() + WAIT * 3;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < give_up,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn is_error(message: &ServerMessage, wanted: ErrorCode) -> bool {
    matches!(message, ServerMessage::Error { code, .. } if *code == wanted)
}

/// Sockets above the cap cost no handshake: once the few refusal slots are busy,
/// they are closed at once, whatever the auth time-out.
#[tokio::test]
async fn sockets_above_the_cap_are_closed_at_once_when_refusals_are_busy() {
    let limits = Limits {
        max_connections: 1,
        max_refusals: 1,
        auth_timeout: Duration::from_secs(120),
        ..Limits::default()
    };
    let site = start_site(limits).await;
    let (_held, _, _) = enrol(&site.server, Role::Warehouse, "holds the only slot").await;
    // Says nothing: its TLS handshake keeps the one refusal slot busy.
    let _silent = tokio::net::TcpStream::connect(site.server.ws_addr())
        .await
        .expect("tcp connects");
    for i in 0..5 {
        let mut extra = tokio::net::TcpStream::connect(site.server.ws_addr())
            .await
            .expect("tcp connects");
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(WAIT, extra.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("socket {i} above the cap was kept open"));
        assert!(
            matches!(read, Ok(0) | Err(_)),
            "socket {i} was closed without a byte: {read:?}"
        );
    }
    assert!(site.server.relay_stats().closed_unanswered >= 5);
    site.server.shutdown().await;
}

/// `subscribe`, `list_devices` and `site_status` are charged like commands.
#[tokio::test]
async fn reads_are_charged_to_the_device_budget() {
    let limits = Limits {
        commands_per_second: NO_REFILL,
        // One subscribe (100) and five requests (1 each).
        command_burst: 105.0,
        ..Limits::default()
    };
    let site = start_site(limits).await;
    let (mut admin, _, _) = enrol(&site.server, Role::Admin, "owner").await;
    admin
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    admin
        .recv_until(|m| matches!(m, ServerMessage::CaughtUp { .. }))
        .await;
    for _ in 0..7 {
        admin.feed(json!({"type": "list_devices"})).await;
    }
    admin.flush().await;
    let mut listed = 0;
    let mut limited = 0;
    for _ in 0..7 {
        match admin.recv().await {
            ServerMessage::Devices { .. } => listed += 1,
            m if is_error(&m, ErrorCode::RateLimited) => limited += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((listed, limited), (5, 2));
    admin.send(json!({"type": "site_status"})).await;
    admin.expect_error("rate_limited").await;
    admin
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    admin.expect_error("rate_limited").await;
    site.server.shutdown().await;
}

/// One device with four sockets gets the budget of one device, not four.
#[tokio::test]
async fn a_device_budget_is_shared_by_all_its_sockets() {
    const PER_SOCKET: usize = 10;
    let limits = Limits {
        commands_per_second: NO_REFILL,
        command_burst: 10.0,
        ..Limits::default()
    };
    let site = start_site(limits).await;
    let (first, id, token) = enrol(&site.server, Role::Office, "office").await;
    let mut sockets = vec![first];
    for _ in 0..3 {
        sockets.push(auth(&site.server, id, &token).await);
    }
    for (s, socket) in sockets.iter_mut().enumerate() {
        for i in 0..PER_SOCKET {
            socket
                .feed(create_order(
                    &format!("s{s}-{i}"),
                    &format!("N{s}-{i}"),
                    site.store,
                ))
                .await;
        }
        socket.flush().await;
    }
    let mut acked = 0;
    let mut limited = 0;
    for socket in &mut sockets {
        for _ in 0..PER_SOCKET {
            match socket.recv().await {
                ServerMessage::Ack { .. } => acked += 1,
                m if is_error(&m, ErrorCode::RateLimited) => limited += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!((acked, limited), (10, 30));
    site.server.shutdown().await;
}

/// Before authentication the budget belongs to the source address, over all its
/// sockets; when it is spent the socket gets `rate_limited` and 1013.
#[tokio::test]
async fn unauthenticated_attempts_are_limited_per_source_address() {
    let limits = Limits {
        attempts_per_second: NO_REFILL,
        attempt_burst: 4.0,
        ..Limits::default()
    };
    let site = start_site(limits).await;
    let wrong = json!({"type": "auth", "protocol": 1, "device_id": 1, "token": "00"});
    let mut first = Raw::connect(site.server.ws_addr()).await;
    for _ in 0..3 {
        first.send(wrong.clone()).await;
        first.expect_error("auth_failed").await;
    }
    let mut second = Raw::connect(site.server.ws_addr()).await;
    second.send(wrong.clone()).await;
    second.expect_error("auth_failed").await;
    second.send(wrong).await;
    second.expect_error("rate_limited").await;
    let (_, end) = second.drain_to_end(WAIT).await;
    assert_eq!(end, Ended::Closed(Some(close_code::TRY_AGAIN_LATER)));
    site.server.shutdown().await;
}

/// Creates `count` orders with long notes, so a snapshot spans several frames.
async fn fill_site(server: &RunningServer, store: u64, count: usize) -> Raw {
    let (mut office, _, _) = enrol(server, Role::Office, "filler").await;
    let note = "n".repeat(480);
    for chunk in 0..count / 100 {
        for i in 0..100 {
            let n = chunk * 100 + i;
            office
                .feed(
                    json!({"type": "command", "key": format!("f{n}"), "command": {
                    "op": "create_order", "order_number": format!("F{n}"),
                    "store_id": store, "note": note}}),
                )
                .await;
        }
        office.flush().await;
        for _ in 0..100 {
            assert!(matches!(office.recv().await, ServerMessage::Ack { .. }));
        }
    }
    office
}

/// A socket that sends many `subscribe`s and reads nothing makes the server hold at
/// most the per-connection byte bound, and the others keep getting their acks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscribe_flood_that_reads_nothing_holds_at_most_the_byte_bound() {
    const SUBSCRIBES: u64 = 40;
    const BOUND: usize = 64 * 1024;
    let limits = Limits {
        outgoing_bytes: BOUND,
        commands_per_second: 1.0e6,
        command_burst: 1.0e6,
        ..Limits::default()
    };
    let site = start_site(limits).await;
    let mut office = fill_site(&site.server, site.store, 600).await;
    let small = Raw::connect_with_small_buffer(site.server.ws_addr()).await;
    let (mut flood, _, _) = enrol_on(small, &site.server, Role::Warehouse, "flood").await;
    let before = site.server.relay_stats().catch_ups_started;
    for _ in 0..SUBSCRIBES {
        flood
            .feed(json!({"type": "subscribe", "after_seq": 0}))
            .await;
    }
    flood.flush().await;
    wait_until("the server read every subscribe", || {
        site.server.relay_stats().catch_ups_started >= before + SUBSCRIBES
    })
    .await;
    for i in 0..100 {
        office
            .feed(create_order(
                &format!("live{i}"),
                &format!("L{i}"),
                site.store,
            ))
            .await;
    }
    office.flush().await;
    for _ in 0..100 {
        assert!(matches!(office.recv().await, ServerMessage::Ack { .. }));
    }
    let stats = site.server.relay_stats();
    assert!(
        stats.peak_connection_bytes <= BOUND,
        "one socket had {} bytes queued (bound {BOUND})",
        stats.peak_connection_bytes
    );
    // Each subscribe replaced the one before it while that was still being sent, so
    // far fewer than SUBSCRIBES answers were finished; live events follow the last.
    let mut caught_up = 0;
    loop {
        match flood.recv().await {
            ServerMessage::CaughtUp { .. } => caught_up += 1,
            ServerMessage::Event(event) if format!("{:?}", event.body).contains("\"L99\"") => {
                break;
            }
            _ => {}
        }
    }
    assert!(
        (1..SUBSCRIBES / 2).contains(&caught_up),
        "{caught_up} of {SUBSCRIBES} subscribes were answered in full"
    );
    site.server.shutdown().await;
}

/// A peer that floods empty binary frames and never reads is still closed at the
/// auth deadline, not kept while its answers wait for room (the idle time-out, which
/// bounds that wait once authenticated, is an hour here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auth_deadline_holds_for_a_peer_that_floods_and_never_reads() {
    // Enough answers (about 90 bytes each) to fill the socket buffers and the queue.
    const FRAMES: usize = 100_000;
    const BATCH: usize = 1000;
    let limits = Limits {
        auth_timeout: Duration::from_secs(6),
        idle_timeout: Duration::from_secs(3600),
        max_bad_frames: u32::MAX,
        ..Limits::default()
    };
    let site = start_site(limits).await;
    let mut flood = Raw::connect_with_small_buffer(site.server.ws_addr()).await;
    for _ in 0..FRAMES / BATCH {
        let sent = tokio::time::timeout(WAIT, flood.send_binary_batch(BATCH)).await;
        if !matches!(sent, Ok(Ok(()))) {
            break; // already cut off, or the server stopped reading
        }
    }
    wait_until("the server closed the unauthenticated socket", || {
        site.server.relay_stats().open_connections == 0
    })
    .await;
    drop(flood);
    site.server.shutdown().await;
}

/// Bad frames are answered, but not forever: the eighth closes the socket, before and
/// after authentication.
#[tokio::test]
async fn repeated_bad_frames_are_answered_then_the_socket_is_closed() {
    let site = start_site(Limits::default()).await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "office").await;
    let mut anonymous = Raw::connect(site.server.ws_addr()).await;
    for socket in [&mut office, &mut anonymous] {
        for _ in 0..8 {
            socket.send_binary(b"junk").await.expect("frame sent");
        }
        let (seen, end) = socket.drain_to_end(WAIT).await;
        let answered = seen
            .iter()
            .filter(|m| is_error(m, ErrorCode::MalformedMessage))
            .count();
        assert_eq!(answered, 7, "{seen:?}");
        assert_eq!(end, Ended::Closed(Some(close_code::POLICY)));
    }
    site.server.shutdown().await;
}

/// RFC 6455: a protocol violation is answered with close 1002, text that is not
/// UTF-8 with 1007.
#[tokio::test]
async fn protocol_violations_and_invalid_utf8_get_their_close_codes() {
    let site = start_site(Limits::default()).await;
    let mut not_utf8 = Raw::connect(site.server.ws_addr()).await;
    not_utf8
        .send_frame(Frame::message(
            vec![b'{', 0xff, 0xfe, b'}'],
            OpCode::Data(OpData::Text),
            true,
        ))
        .await
        .expect("frame sent");
    let (_, end) = not_utf8.drain_to_end(WAIT).await;
    assert_eq!(end, Ended::Closed(Some(close_code::INVALID_DATA)));

    let (mut office, _, _) = enrol(&site.server, Role::Office, "office").await;
    office
        .send_frame(Frame::message(
            b"x".to_vec(),
            OpCode::Data(OpData::Reserved(3)),
            true,
        ))
        .await
        .expect("frame sent");
    let (_, end) = office.drain_to_end(WAIT).await;
    assert_eq!(end, Ended::Closed(Some(close_code::PROTOCOL_ERROR)));
    site.server.shutdown().await;
}

/// The catch-up is sent from the session loop, beside answers: the parts of a split
/// snapshot still come together, answers to commands pipelined with it wait.
#[tokio::test]
async fn split_snapshot_parts_stay_together_while_commands_are_answered() {
    const COMMANDS: usize = 30;
    let limits = Limits {
        outgoing_bytes: 64 * 1024,
        ..Limits::default()
    };
    let site = start_site(limits).await;
    let _filler = fill_site(&site.server, site.store, 600).await;
    let (mut watcher, _, _) = enrol(&site.server, Role::Warehouse, "watcher").await;
    watcher
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    watcher
        .recv_until(|m| matches!(m, ServerMessage::CaughtUp { .. }))
        .await;
    let small = Raw::connect_with_small_buffer(site.server.ws_addr()).await;
    let (mut office, _, _) = enrol_on(small, &site.server, Role::Office, "office").await;
    office
        .feed(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    for i in 0..COMMANDS {
        office
            .feed(create_order(&format!("p{i}"), &format!("P{i}"), site.store))
            .await;
    }
    office.flush().await;
    // Every command is committed (so its answer is ready) before the office reads.
    let last = format!("\"P{}\"", COMMANDS - 1);
    watcher
        .recv_until(
            |m| matches!(m, ServerMessage::Event(e) if format!("{:?}", e.body).contains(&last)),
        )
        .await;
    let mut in_snapshot = false;
    let mut parts = 0;
    let mut acks = 0;
    while acks < COMMANDS {
        match office.recv().await {
            ServerMessage::Snapshot(snapshot) => {
                assert!(!in_snapshot, "a snapshot inside a snapshot");
                in_snapshot = snapshot.more;
            }
            ServerMessage::SnapshotPart { more, .. } => {
                assert!(in_snapshot, "a part outside a snapshot");
                parts += 1;
                in_snapshot = more;
            }
            other => {
                assert!(!in_snapshot, "{other:?} between the parts of a snapshot");
                if matches!(other, ServerMessage::Ack { .. }) {
                    acks += 1;
                }
            }
        }
    }
    assert!(parts > 0, "the snapshot was split");
    site.server.shutdown().await;
}
