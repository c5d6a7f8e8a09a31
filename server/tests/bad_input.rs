//! The server follows docs/protocol.md on input a third party may send: uppercase hex
//! tokens are accepted, unknown fields are refused in every message, ids the database
//! cannot hold are bad input (never `internal`, never an ERROR line in the log), and
//! spoofing characters are refused in order numbers and neutralised in notes.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use tracing_subscriber::layer::SubscriberExt;

use packbell_server::Limits;
use packbell_shared::protocol::{EventBody, MAX_ID, Role, ServerMessage};

use common::{Raw, create_order, enrol, start_site};

/// ERROR events logged by the server in this test binary.
static ERRORS: AtomicUsize = AtomicUsize::new(0);

struct CountErrors;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountErrors {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if *event.metadata().level() == tracing::Level::ERROR {
            ERRORS.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn count_errors() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let subscriber = tracing_subscriber::registry().with(CountErrors);
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_follows_the_doc_on_input_third_parties_send() {
    count_errors();
    let site = start_site(Limits::default()).await;
    let server = &site.server;
    let (mut admin, _, _) = enrol(server, Role::Admin, "admin").await;
    let (_, office_id, office_token) = enrol(server, Role::Office, "office").await;

    // Uppercase hex in `auth` (the doc: "the server also accepts uppercase hex").
    let mut upper = Raw::connect(server.ws_addr()).await;
    upper
        .send(
            json!({"type": "auth", "protocol": 1, "device_id": office_id,
                     "token": office_token.to_ascii_uppercase()}),
        )
        .await;
    match upper.recv().await {
        ServerMessage::Welcome { device_id, .. } => assert_eq!(device_id, office_id),
        other => panic!("uppercase token refused: {other:?}"),
    }
    // The log is for admins only.
    upper
        .send(json!({"type": "read_log", "after_seq": 0}))
        .await;
    upper.expect_error("forbidden").await;

    // Unknown fields, in every message an authenticated admin may send.
    let with_extra = [
        json!({"type": "subscribe", "after_seq": 0, "extra": 1}),
        json!({"type": "list_devices", "extra": 1}),
        json!({"type": "site_status", "extra": 1}),
        json!({"type": "new_pairing_code", "role": "office", "extra": 1}),
        json!({"type": "read_log", "after_seq": 0, "extra": 1}),
        json!({"type": "command", "key": "x1", "extra": 1,
               "command": {"op": "add_store", "name": "Sur"}}),
        json!({"type": "command", "key": "x2",
               "command": {"op": "add_store", "name": "Sur", "extra": 1}}),
    ];
    for message in with_extra {
        admin.send(message.clone()).await;
        let answer = admin.expect_error("invalid_field").await;
        assert!(
            format!("{answer:?}").contains("extra"),
            "{message}: {answer:?}"
        );
    }

    // Ids of 2^63 and above: `invalid_field` naming the field, the socket stays open.
    let too_big = MAX_ID + 1;
    let huge = [
        ("order_id", json!({"op": "pack_order", "order_id": too_big})),
        (
            "order_id",
            json!({"op": "cancel_order", "order_id": u64::MAX}),
        ),
        (
            "store_id",
            json!({"op": "create_order", "order_number": "A-1", "store_id": too_big}),
        ),
        (
            "store_id",
            json!({"op": "deactivate_store", "store_id": too_big}),
        ),
        (
            "device_id",
            json!({"op": "revoke_device", "device_id": too_big}),
        ),
        (
            "device_id",
            json!({"op": "change_role", "device_id": u64::MAX, "role": "office"}),
        ),
    ];
    for (n, (field, command)) in huge.into_iter().enumerate() {
        let key = format!("huge-{n}");
        admin
            .send(json!({"type": "command", "key": key, "command": command}))
            .await;
        let answer = admin.expect_error("invalid_field").await;
        let ServerMessage::Error {
            message,
            key: answered,
            ..
        } = answer
        else {
            unreachable!("expect_error returns errors");
        };
        assert!(message.contains(field), "{message}");
        assert_eq!(answered.as_deref(), Some(key.as_str()));
    }
    for request in [
        json!({"type": "subscribe", "after_seq": too_big}),
        json!({"type": "list_devices", "after_device_id": too_big}),
        json!({"type": "read_log", "after_seq": u64::MAX}),
    ] {
        admin.send(request).await;
        admin.expect_error("invalid_field").await;
    }
    // Id 0 names nothing: the documented "unknown" codes.
    for (command, code) in [
        (json!({"op": "pack_order", "order_id": 0}), "unknown_order"),
        (
            json!({"op": "deactivate_store", "store_id": 0}),
            "unknown_store",
        ),
        (
            json!({"op": "revoke_device", "device_id": 0}),
            "unknown_device",
        ),
    ] {
        admin
            .send(json!({"type": "command", "key": format!("zero-{code}"), "command": command}))
            .await;
        admin.expect_error(code).await;
    }

    // Before authentication too: a huge device id is a failed attempt, not `internal`.
    let mut stranger = Raw::connect(server.ws_addr()).await;
    for _ in 0..2 {
        stranger
            .send(json!({"type": "auth", "protocol": 1, "device_id": too_big, "token": "ab"}))
            .await;
        stranger.expect_error("invalid_field").await;
    }
    stranger
        .send(json!({"type": "auth", "protocol": 1, "device_id": 0, "token": "ab"}))
        .await;
    stranger.expect_error("auth_failed").await;

    // Spoofing characters: refused in order numbers, neutralised in notes.
    for number in ["A\u{2028}1", "1042\u{202E}", "\u{200B}\u{200B}", "12🍕"] {
        admin.send(create_order("spoof", number, site.store)).await;
        let answer = admin.expect_error("invalid_field").await;
        assert!(format!("{answer:?}").contains("order_number"), "{answer:?}");
    }
    admin
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    admin
        .recv_until(|m| matches!(m, ServerMessage::CaughtUp { .. }))
        .await;
    admin
        .send(json!({"type": "command", "key": "noted", "command": {
            "op": "create_order", "order_number": "A-2", "store_id": site.store,
            "note": "\u{202E}elbarf\u{2028}two\u{200B} boxes"}}))
        .await;
    // The ack and the event may come in either order.
    let (mut note, mut acked) = (None, false);
    while note.is_none() || !acked {
        match admin.recv().await {
            ServerMessage::Event(event) => match event.body {
                EventBody::OrderCreated { note: stored, .. } => note = Some(stored),
                other => panic!("{other:?}"),
            },
            ServerMessage::Ack { key, .. } => {
                assert_eq!(key, "noted");
                acked = true;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(note.as_deref(), Some("elbarf two boxes"));
    assert_eq!(
        ERRORS.load(Ordering::SeqCst),
        0,
        "bad input must not be logged as a server error"
    );
}
