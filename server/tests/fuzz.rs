//! Protocol fuzzing with proptest: the frame decoder, the command checks and the
//! running server's command handler never panic, whatever a peer sends, and the
//! server keeps answering afterwards. (The discovery packet parser has its own
//! properties in `protocol/src/discovery/tests.rs`.)
//!
//! More cases: `PROPTEST_CASES=100000 cargo nextest run -p packbell-server --test fuzz`
//! (and `-p packbell-protocol -E 'test(decoding)'` for discovery packets).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;

use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use packbell_server::Limits;
use packbell_server::relay::parse::client_message;
use packbell_server::validate;
use packbell_shared::protocol::{ClientMessage, Command, Role, ServerMessage};

use common::{Raw, enrol, start_site};

/// Field names any message or command may carry, so generated objects hit the
/// decoder's real paths instead of failing at the first unknown name.
const FIELDS: &[&str] = &[
    "key",
    "protocol",
    "device_id",
    "token",
    "after_seq",
    "order_id",
    "order_number",
    "store_id",
    "note",
    "priority",
    "reason",
    "name",
    "role",
    "amber_minutes",
    "red_minutes",
    "overdue_minutes",
    "code_slot",
    "device_name",
    "spake2",
    "mac",
];

/// Longest wait for the server's answer to one generated frame.
const ANSWER_WAIT: Duration = Duration::from_secs(10);

/// JSON values of every kind, nested a little, with the edge numbers and strings
/// that break careless decoders.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just(String::new()),
            "\\PC{0,40}",
            "[a-z_]{1,12}",
            Just("x".repeat(5000)),
            Just("\u{202E}\u{0}\u{FEFF}".to_owned()),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((field_name(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(FIELDS).prop_map(str::to_owned),
        "[a-z_]{1,10}",
    ]
}

/// An object with a real `type` (and, for commands, a real `op`) and fields of any
/// shape: what gets furthest into the server.
fn message_like() -> impl Strategy<Value = Value> {
    let fields = || proptest::collection::vec((field_name(), any_json()), 0..8);
    (
        proptest::sample::select(ClientMessage::wire_types()),
        proptest::sample::select(Command::wire_ops()),
        fields(),
        fields(),
    )
        .prop_map(|(kind, op, outer, inner)| {
            let mut command: Map<String, Value> = inner.into_iter().collect();
            command.insert("op".into(), op.into());
            let mut message: Map<String, Value> = outer.into_iter().collect();
            message.insert("type".into(), kind.into());
            message.insert("command".into(), Value::Object(command));
            Value::Object(message)
        })
}

/// A command frame with a real op and fields of the right names, numbers kept small
/// so they name orders, stores and devices that exist.
fn command_frame() -> impl Strategy<Value = Value> {
    let small = prop_oneof![(0u64..6).prop_map(Value::from), any_json()];
    let text = prop_oneof![
        "\\PC{0,30}".prop_map(Value::from),
        "[A-Z]-[0-9]{1,4}".prop_map(Value::from),
        any_json()
    ];
    (
        proptest::sample::select(Command::wire_ops()),
        proptest::collection::vec(
            (proptest::sample::select(FIELDS), prop_oneof![small, text]),
            0..6,
        ),
        "[a-z0-9]{1,8}",
    )
        .prop_map(|(op, fields, key)| {
            let mut command: Map<String, Value> = fields
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect();
            command.insert("op".into(), op.into());
            json!({"type": "command", "key": key, "command": command})
        })
}

proptest! {
    #[test]
    fn decoding_any_text_never_panics(text in "\\PC{0,300}|[{}\\[\\]\":,a-z0-9 ]{0,300}") {
        let _ = client_message(&text);
    }

    #[test]
    fn decoding_and_checking_message_shaped_json_never_panics(message in message_like()) {
        if let Ok(ClientMessage::Command { command, .. }) = client_message(&message.to_string()) {
            let _ = validate::command(&command);
        }
    }
}

/// A socket of an admin (every command is allowed to it), enrolled again whenever a
/// generated command revoked or demoted it, or the server closed the socket.
struct Admin {
    raw: Option<Raw>,
}

impl Admin {
    async fn socket(&mut self, site: &common::TestSite) -> &mut Raw {
        if self.raw.is_none() {
            let (raw, _, _) = enrol(&site.server, Role::Admin, "fuzz").await;
            self.raw = Some(raw);
        }
        self.raw.as_mut().unwrap()
    }

    /// Sends one frame and reads its answer (ack or error); events in between are
    /// skipped. `false` if the socket ended instead (it is then replaced).
    async fn exchange(&mut self, site: &common::TestSite, frame: &Value) -> bool {
        let raw = self.socket(site).await;
        raw.send(frame.clone()).await;
        loop {
            match raw.next_message(ANSWER_WAIT).await {
                Ok(ServerMessage::Event(_)) => continue,
                Ok(ServerMessage::Ack { .. } | ServerMessage::Error { .. }) => return true,
                Ok(other) => panic!("unexpected answer to {frame}: {other:?}"),
                Err(_) => {
                    self.raw = None;
                    return false;
                }
            }
        }
    }
}

#[test]
fn the_running_server_answers_every_generated_command_and_keeps_serving() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let site = runtime.block_on(start_site(Limits {
        commands_per_second: 1_000_000.0,
        command_burst: 1_000_000.0,
        ..Limits::default()
    }));
    let admin = std::cell::RefCell::new(Admin { raw: None });
    let ended = std::cell::Cell::new(0);
    proptest!(|(frame in command_frame())| {
        if !runtime.block_on(admin.borrow_mut().exchange(&site, &frame)) {
            ended.set(ended.get() + 1);
        }
    });
    let ended = ended.get();
    // Still serving: a fresh device can pair, order and get the ack (in a new store:
    // the generated commands may have deactivated the first one).
    runtime.block_on(async {
        let store = site.server.add_store("After").await.unwrap();
        let (mut office, _, _) = enrol(&site.server, Role::Office, "after").await;
        office
            .send(common::create_order("after-fuzz", "AFTER-1", store))
            .await;
        let answer = office
            .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
            .await;
        assert!(matches!(answer, ServerMessage::Ack { .. }), "{answer:?}");
    });
    eprintln!("sockets ended by generated commands (revoked or demoted admin): {ended}");
}
