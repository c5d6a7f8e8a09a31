//! `docs/protocol.md` and the wire types cannot drift apart.
//!
//! Every fenced block of the page whose info string is `json client` must parse as a
//! [`ClientMessage`], every `json server` block as a [`ServerMessage`], and serialising
//! the parsed message again must give back exactly the block's JSON: a renamed field, a
//! missing field, an extra field or a wrong tag fails. Other JSON on the page (fragments,
//! annotated shapes) uses another info string, such as `jsonc`.
//!
//! Every message type, command op and event kind must have at least one such example,
//! and every error code a row in the page's error table. The tag lists are the ones the
//! types report (read from serde's own tags; the server classifies frames with the same
//! lists), cross-checked here against serde's error text, and the `match`es that name
//! each variant stop compiling when a variant is added, so a new variant cannot go
//! undocumented.
//!
//! The pairing section is checked too: every `hmac-check` block (lines `key:`,
//! `fingerprint:`, `label:`, `expected:`) is recomputed as HMAC-SHA256(key, label ||
//! fingerprint), and a client built from the page's SPAKE2 parameters and labels runs a
//! real exchange against the server's side of `packbell_protocol::pairing`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::de::DeserializeOwned;
use serde_json::Value;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use spake2::{Ed25519Group, Identity, Password, Spake2};

use packbell_protocol::pairing::{self, PairingCode};
use packbell_protocol::protocol::{ClientMessage, Command, ErrorCode, EventBody, ServerMessage};

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md");

// The tag lists come from the types themselves (read from serde's tags), so they are
// the same lists the server uses to tell unknown types from bad fields.
fn client_types() -> &'static [&'static str] {
    ClientMessage::wire_types()
}

fn command_ops() -> &'static [&'static str] {
    Command::wire_ops()
}

fn server_types() -> &'static [&'static str] {
    ServerMessage::wire_types()
}

fn event_kinds() -> &'static [&'static str] {
    EventBody::wire_kinds()
}

fn error_codes() -> &'static [&'static str] {
    ErrorCode::wire_codes()
}

fn client_type(message: &ClientMessage) -> &'static str {
    match message {
        ClientMessage::PairStart { .. } => "pair_start",
        ClientMessage::PairConfirm { .. } => "pair_confirm",
        ClientMessage::Auth { .. } => "auth",
        ClientMessage::Subscribe { .. } => "subscribe",
        ClientMessage::Command { .. } => "command",
        ClientMessage::ListDevices { .. } => "list_devices",
        ClientMessage::NewPairingCode { .. } => "new_pairing_code",
        ClientMessage::SiteStatus {} => "site_status",
        ClientMessage::ReadLog { .. } => "read_log",
        ClientMessage::ExportStart { .. } => "export_start",
        ClientMessage::ExportNext { .. } => "export_next",
        ClientMessage::ExportCancel { .. } => "export_cancel",
        ClientMessage::Receipt { .. } => "receipt",
        ClientMessage::WatchReceipts {} => "watch_receipts",
    }
}

fn command_op(command: &Command) -> &'static str {
    match command {
        Command::CreateOrder { .. } => "create_order",
        Command::PackOrder { .. } => "pack_order",
        Command::RecallOrder { .. } => "recall_order",
        Command::CancelOrder { .. } => "cancel_order",
        Command::EditOrder { .. } => "edit_order",
        Command::AcknowledgeRush { .. } => "acknowledge_rush",
        Command::SetAgeing(_) => "set_ageing",
        Command::AddStore { .. } => "add_store",
        Command::RenameStore { .. } => "rename_store",
        Command::DeactivateStore { .. } => "deactivate_store",
        Command::RevokeDevice { .. } => "revoke_device",
        Command::ChangeRole { .. } => "change_role",
        Command::UpsertItem { .. } => "upsert_item",
        Command::AdjustStock { .. } => "adjust_stock",
        Command::CountStock { .. } => "count_stock",
        Command::AckAlert { .. } => "ack_alert",
    }
}

fn server_type(message: &ServerMessage) -> &'static str {
    match message {
        ServerMessage::PairChallenge { .. } => "pair_challenge",
        ServerMessage::Enrolled { .. } => "enrolled",
        ServerMessage::Welcome { .. } => "welcome",
        ServerMessage::Snapshot(_) => "snapshot",
        ServerMessage::SnapshotPart { .. } => "snapshot_part",
        ServerMessage::Event(_) => "event",
        ServerMessage::CaughtUp { .. } => "caught_up",
        ServerMessage::Ack { .. } => "ack",
        ServerMessage::Devices { .. } => "devices",
        ServerMessage::LogPage { .. } => "log_page",
        ServerMessage::SiteStatus(_) => "site_status",
        ServerMessage::ExportChunk { .. } => "export_chunk",
        ServerMessage::PairingCode { .. } => "pairing_code",
        ServerMessage::Receipt(_) => "receipt",
        ServerMessage::WarehousesOnline { .. } => "warehouses_online",
        ServerMessage::Error { .. } => "error",
    }
}

fn event_kind(body: &EventBody) -> &'static str {
    match body {
        EventBody::OrderCreated { .. } => "order_created",
        EventBody::OrderPacked { .. } => "order_packed",
        EventBody::OrderRecalled { .. } => "order_recalled",
        EventBody::OrderCancelled { .. } => "order_cancelled",
        EventBody::OrderEdited { .. } => "order_edited",
        EventBody::RushAcknowledged { .. } => "rush_acknowledged",
        EventBody::AgeingSet(_) => "ageing_set",
        EventBody::StoreAdded { .. } => "store_added",
        EventBody::StoreRenamed { .. } => "store_renamed",
        EventBody::StoreDeactivated { .. } => "store_deactivated",
        EventBody::DeviceEnrolled { .. } => "device_enrolled",
        EventBody::DeviceRevoked { .. } => "device_revoked",
        EventBody::DeviceRoleChanged { .. } => "device_role_changed",
        EventBody::ItemUpserted(_) => "item_upserted",
        EventBody::StockAdjusted { .. } => "stock_adjusted",
        EventBody::StockCounted { .. } => "stock_counted",
        EventBody::AlertRaised { .. } => "alert_raised",
        EventBody::AlertEscalated { .. } => "alert_escalated",
        EventBody::AlertAcknowledged { .. } => "alert_acknowledged",
        EventBody::AlertResolved { .. } => "alert_resolved",
    }
}

fn error_code(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::MalformedMessage => "malformed_message",
        ErrorCode::UnknownType => "unknown_type",
        ErrorCode::VersionMismatch => "version_mismatch",
        ErrorCode::NotAuthenticated => "not_authenticated",
        ErrorCode::AuthFailed => "auth_failed",
        ErrorCode::Revoked => "revoked",
        ErrorCode::Forbidden => "forbidden",
        ErrorCode::InvalidField => "invalid_field",
        ErrorCode::UnknownStore => "unknown_store",
        ErrorCode::UnknownOrder => "unknown_order",
        ErrorCode::UnknownDevice => "unknown_device",
        ErrorCode::InvalidState => "invalid_state",
        ErrorCode::KeyReused => "key_reused",
        ErrorCode::RateLimited => "rate_limited",
        ErrorCode::FrameTooLarge => "frame_too_large",
        ErrorCode::Unavailable => "unavailable",
        ErrorCode::TooSlow => "too_slow",
        ErrorCode::LimitReached => "limit_reached",
        ErrorCode::Internal => "internal",
        ErrorCode::StorageFull => "storage_full",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Client,
    Server,
}

/// One checked example: which side sends it, where it starts, its text.
#[derive(Debug)]
struct Block {
    side: Side,
    /// 1-based line of the opening fence.
    line: usize,
    text: String,
}

fn read_doc() -> String {
    std::fs::read_to_string(DOC).unwrap_or_else(|e| panic!("cannot read {DOC}: {e}"))
}

/// A fenced code block of the page: its info string, where it starts, its text.
#[derive(Debug)]
struct Fence {
    info: String,
    /// 1-based line of the opening fence.
    line: usize,
    body: String,
}

/// Every fenced code block of `doc`, in order. Fails on a fence left open.
fn fences(doc: &str) -> Result<Vec<Fence>, String> {
    let mut found = Vec::new();
    // (fence, the block so far)
    let mut open: Option<(String, Fence)> = None;
    for (index, line) in doc.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut open {
            None => {
                let ticks = trimmed.len() - trimmed.trim_start_matches('`').len();
                if ticks >= 3 {
                    let fence = Fence {
                        info: trimmed[ticks..].trim().to_owned(),
                        line: index + 1,
                        body: String::new(),
                    };
                    open = Some(("`".repeat(ticks), fence));
                }
            }
            Some((ticks, fence)) => {
                let closes = trimmed.starts_with(ticks.as_str())
                    && trimmed.trim_end().chars().all(|c| c == '`');
                if closes {
                    let Some((_, fence)) = open.take() else {
                        unreachable!("a block is open");
                    };
                    found.push(fence);
                } else {
                    fence.body.push_str(line);
                    fence.body.push('\n');
                }
            }
        }
    }
    match open {
        Some((_, fence)) => Err(format!("line {}: code block is never closed", fence.line)),
        None => Ok(found),
    }
}

/// The `json client` and `json server` blocks of `doc`. Fails on a fence left open and on
/// a `json` block that says neither `client` nor `server` (it would go unchecked).
fn blocks(doc: &str) -> Result<Vec<Block>, String> {
    let mut found = Vec::new();
    for Fence { info, line, body } in fences(doc)? {
        let mut words = info.split_whitespace();
        if words.next() != Some("json") {
            continue;
        }
        let side = match (words.next(), words.next()) {
            (Some("client"), None) => Side::Client,
            (Some("server"), None) => Side::Server,
            _ => {
                return Err(format!(
                    "line {line}: info string {info:?}: a json block must be \
                     `json client` or `json server` (use `jsonc` for other JSON)"
                ));
            }
        };
        found.push(Block {
            side,
            line,
            text: body,
        });
    }
    Ok(found)
}

/// Parses `value` as `T` and serialises it again; the result must equal `value`.
fn round_trip<T>(value: &Value) -> Result<T, String>
where
    T: DeserializeOwned + serde::Serialize,
{
    let parsed: T = serde_json::from_value(value.clone()).map_err(|e| format!("{e}"))?;
    let again = serde_json::to_value(&parsed).map_err(|e| format!("cannot serialise: {e}"))?;
    if &again != value {
        return Err(format!(
            "serialises differently:\n  doc:   {value}\n  types: {again}"
        ));
    }
    Ok(parsed)
}

/// The tags found in the checked examples.
#[derive(Debug, Default)]
struct Documented {
    client_types: BTreeSet<&'static str>,
    command_ops: BTreeSet<&'static str>,
    server_types: BTreeSet<&'static str>,
    event_kinds: BTreeSet<&'static str>,
}

/// Checks one example and records the tags it shows. The tags come from the `match`es
/// above and must equal the ones written in the JSON.
fn check_example(side: Side, value: &Value, documented: &mut Documented) -> Result<(), String> {
    let mut tags = Vec::new();
    match side {
        Side::Client => {
            let message = round_trip::<ClientMessage>(value)?;
            tags.push(("type", &value["type"], client_type(&message)));
            documented.client_types.insert(client_type(&message));
            if let ClientMessage::Command { command, .. } = &message {
                tags.push(("command.op", &value["command"]["op"], command_op(command)));
                documented.command_ops.insert(command_op(command));
            }
        }
        Side::Server => {
            let message = round_trip::<ServerMessage>(value)?;
            tags.push(("type", &value["type"], server_type(&message)));
            documented.server_types.insert(server_type(&message));
            match &message {
                ServerMessage::Event(event) => {
                    let kind = event_kind(&event.body);
                    tags.push(("body.kind", &value["body"]["kind"], kind));
                    documented.event_kinds.insert(kind);
                }
                ServerMessage::Error { code, .. } => {
                    tags.push(("code", &value["code"], error_code(*code)));
                }
                _ => {}
            }
        }
    }
    for (field, written, matched) in tags {
        if written.as_str() != Some(matched) {
            return Err(format!(
                "{field} is {written}, the test's match says {matched:?}"
            ));
        }
    }
    Ok(())
}

/// Checks every example of `doc`; returns the tags they show, or every problem found.
fn check_examples(doc: &str) -> Result<Documented, String> {
    let mut problems = String::new();
    let mut documented = Documented::default();
    for block in blocks(doc)? {
        let side = match block.side {
            Side::Client => "json client",
            Side::Server => "json server",
        };
        let result = serde_json::from_str(&block.text)
            .map_err(|e| format!("not JSON: {e}"))
            .and_then(|value| check_example(block.side, &value, &mut documented));
        if let Err(problem) = result {
            let _ = writeln!(problems, "line {} ({side}): {problem}", block.line);
        }
    }
    if problems.is_empty() {
        Ok(documented)
    } else {
        Err(problems)
    }
}

/// The error codes named by the first cell of the table rows under `## Errors`.
fn error_table_codes(doc: &str) -> Vec<String> {
    let is_separator = |line: &str| {
        let line = line.trim();
        line.starts_with('|') && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
    };
    let lines: Vec<&str> = doc.lines().collect();
    let mut in_section = false;
    let mut codes = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if let Some(heading) = line.strip_prefix("## ") {
            in_section = heading.trim() == "Errors";
            continue;
        }
        // Header rows (followed by the separator row) name columns, not codes.
        let is_header = lines.get(index + 1).is_some_and(|next| is_separator(next));
        if !in_section || is_header {
            continue;
        }
        let Some(row) = line.trim().strip_prefix('|') else {
            continue;
        };
        let first = row.split('|').next().unwrap_or_default().trim();
        if let Some(code) = first
            .strip_prefix('`')
            .and_then(|rest| rest.strip_suffix('`'))
        {
            codes.push(code.to_owned());
        }
    }
    codes
}

fn missing(wanted: &[&str], have: &BTreeSet<&str>) -> Vec<String> {
    wanted
        .iter()
        .filter(|tag| !have.contains(**tag))
        .map(|tag| (*tag).to_owned())
        .collect()
}

#[test]
fn every_example_round_trips_through_the_wire_types() {
    if let Err(problems) = check_examples(&read_doc()) {
        panic!("docs/protocol.md does not match the wire types:\n{problems}");
    }
}

#[test]
fn every_message_op_and_event_kind_has_an_example() {
    let documented = check_examples(&read_doc()).unwrap_or_else(|problems| panic!("{problems}"));
    let gaps = [
        (
            "json client message types",
            missing(client_types(), &documented.client_types),
        ),
        (
            "json client command ops",
            missing(command_ops(), &documented.command_ops),
        ),
        (
            "json server message types",
            missing(server_types(), &documented.server_types),
        ),
        (
            "json server event kinds",
            missing(event_kinds(), &documented.event_kinds),
        ),
    ];
    for (what, tags) in gaps {
        assert!(
            tags.is_empty(),
            "docs/protocol.md has no example of these {what}: {tags:?}"
        );
    }
}

#[test]
fn the_error_table_lists_every_error_code_once() {
    let rows = error_table_codes(&read_doc());
    let mut seen = BTreeSet::new();
    for code in &rows {
        assert!(
            error_codes().contains(&code.as_str()),
            "the error table of docs/protocol.md lists {code:?}, which is no error code"
        );
        assert!(seen.insert(code.as_str()), "{code:?} is listed twice");
    }
    let absent = missing(error_codes(), &seen);
    assert!(
        absent.is_empty(),
        "the error table of docs/protocol.md lacks {absent:?}"
    );
}

/// The variant names serde knows for the enum behind `probe`, read from its
/// "unknown variant" error.
fn serde_variants<T: DeserializeOwned + std::fmt::Debug>(probe: Value) -> BTreeSet<String> {
    let error = serde_json::from_value::<T>(probe).expect_err("the probe names no variant");
    let text = error.to_string();
    let list = text
        .split_once("expected one of ")
        .map(|(_, list)| list)
        .unwrap_or_else(|| panic!("unexpected serde error {text:?}"));
    let list = list.split(" at line").next().unwrap_or(list);
    list.split(", ")
        .map(|name| name.trim().trim_matches('`').to_owned())
        .collect()
}

fn set(tags: &[&str]) -> BTreeSet<String> {
    tags.iter().map(|tag| (*tag).to_owned()).collect()
}

#[test]
fn the_wire_tag_lists_name_every_variant_of_the_types() {
    let unknown = "__not_a_variant__";
    let cases = [
        (
            "ClientMessage",
            client_types(),
            serde_variants::<ClientMessage>(serde_json::json!({"type": unknown})),
        ),
        (
            "Command",
            command_ops(),
            serde_variants::<Command>(serde_json::json!({"op": unknown})),
        ),
        (
            "ServerMessage",
            server_types(),
            serde_variants::<ServerMessage>(serde_json::json!({"type": unknown})),
        ),
        (
            "EventBody",
            event_kinds(),
            serde_variants::<EventBody>(serde_json::json!({"kind": unknown})),
        ),
        (
            "ErrorCode",
            error_codes(),
            serde_variants::<ErrorCode>(serde_json::json!(unknown)),
        ),
    ];
    for (name, listed, variants) in cases {
        assert_eq!(
            set(listed),
            variants,
            "the wire tags {name} reports differ from serde's variants"
        );
    }
}

#[test]
fn the_error_code_match_agrees_with_serde_and_as_str() {
    for &tag in error_codes() {
        let code: ErrorCode = serde_json::from_value(Value::from(tag)).expect("a known code");
        assert_eq!(error_code(code), tag);
        assert_eq!(code.as_str(), tag);
    }
}

/// One `hmac-check` block: HMAC-SHA256 keyed with `key` over `label` followed by
/// `fingerprint` (both as ASCII bytes) must give `expected`.
#[derive(Debug)]
struct HmacCheck {
    /// 1-based line of the opening fence.
    line: usize,
    key: Vec<u8>,
    fingerprint: String,
    label: String,
    expected: String,
}

const HMAC_CHECK_FIELDS: [&str; 4] = ["key", "fingerprint", "label", "expected"];

/// The `hmac-check` blocks of `doc`. Each line is `name: value`; every field appears
/// exactly once (`fingerprint:` may be empty: the plaintext binding).
fn hmac_checks(doc: &str) -> Result<Vec<HmacCheck>, String> {
    let mut checks = Vec::new();
    for Fence { info, line, body } in fences(doc)? {
        if info != "hmac-check" {
            continue;
        }
        let mut fields = std::collections::BTreeMap::new();
        for text in body.lines().filter(|text| !text.trim().is_empty()) {
            let Some((name, value)) = text.split_once(':') else {
                return Err(format!("line {line}: {text:?} is not `name: value`"));
            };
            let name = name.trim();
            if !HMAC_CHECK_FIELDS.contains(&name) {
                return Err(format!("line {line}: unknown field {name:?}"));
            }
            if fields.insert(name, value.trim().to_owned()).is_some() {
                return Err(format!("line {line}: {name:?} given twice"));
            }
        }
        let field = |name: &str| {
            fields
                .get(name)
                .cloned()
                .ok_or_else(|| format!("line {line}: no `{name}:` line"))
        };
        let key =
            hex::decode(field("key")?).map_err(|e| format!("line {line}: key is not hex: {e}"))?;
        checks.push(HmacCheck {
            line,
            key,
            fingerprint: field("fingerprint")?,
            label: field("label")?,
            expected: field("expected")?,
        });
    }
    Ok(checks)
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// The text between `prefix` and the next backtick, e.g. an identity in the parameter
/// table written as ``identity A = **`packbell-client`**``.
fn documented_after<'a>(doc: &'a str, prefix: &str) -> &'a str {
    let (_, rest) = doc
        .split_once(prefix)
        .unwrap_or_else(|| panic!("docs/protocol.md no longer says {prefix:?}"));
    rest.split('`').next().unwrap_or_default()
}

#[test]
fn the_hmac_checks_hold() {
    let checks = hmac_checks(&read_doc()).unwrap_or_else(|problem| panic!("{problem}"));
    assert!(
        checks.len() >= 2,
        "docs/protocol.md should have hmac-check blocks for both confirmation labels"
    );
    let mut problems = String::new();
    for check in &checks {
        let got = hmac_sha256(
            &check.key,
            &[check.label.as_bytes(), check.fingerprint.as_bytes()],
        );
        if got != check.expected {
            let _ = writeln!(
                problems,
                "line {}: HMAC-SHA256 gives {got}, the page says {}",
                check.line, check.expected
            );
        }
    }
    assert!(
        problems.is_empty(),
        "hmac-check blocks of docs/protocol.md are wrong:\n{problems}"
    );
}

/// A client that follows the page (side A, the code's digits as the password, the
/// identities and labels written there) agrees with the server's side of pairing: both
/// confirmation values match, with a fingerprint binding and with the empty one.
#[test]
fn the_documented_pairing_recipe_is_the_servers() {
    let doc = read_doc();
    let id_a = documented_after(&doc, "identity A = **`");
    let id_b = documented_after(&doc, "identity B = **`");
    let checks = hmac_checks(&doc).unwrap_or_else(|problem| panic!("{problem}"));
    let labels: BTreeSet<&str> = checks.iter().map(|c| c.label.as_str()).collect();
    let mut bindings: BTreeSet<&str> = checks.iter().map(|c| c.fingerprint.as_str()).collect();
    bindings.insert("");
    let code = PairingCode::parse("1422-8093").expect("a well-formed code");
    for binding in bindings {
        let (client, message_a) = Spake2::<Ed25519Group>::start_a(
            &Password::new(code.digits().as_bytes()),
            &Identity::new(id_a.as_bytes()),
            &Identity::new(id_b.as_bytes()),
        );
        assert_eq!(message_a.len(), 33, "side A's message is 33 bytes");
        assert_eq!(message_a[0], b'A', "side A's message starts with 0x41");
        let (message_b, server) = pairing::server_respond(&code, &message_a, binding)
            .expect("the server accepts the documented side A");
        assert_eq!(message_b.len(), 33, "side B's message is 33 bytes");
        assert_eq!(message_b[0], b'B', "side B's message starts with 0x42");
        let key = client
            .finish(&message_b)
            .expect("the documented side A finishes");
        assert_eq!(key.len(), 32, "K is 32 bytes");
        let (mut client_confirmed, mut server_confirmed) = (false, false);
        for label in &labels {
            let mac = hmac_sha256(&key, &[label.as_bytes(), binding.as_bytes()]);
            if mac == hex::encode(server.client) {
                client_confirmed = true;
            } else if mac == hex::encode(server.server) {
                server_confirmed = true;
            } else {
                panic!("the label {label:?} of docs/protocol.md gives neither confirmation");
            }
        }
        assert!(
            client_confirmed && server_confirmed,
            "docs/protocol.md should document both confirmation labels \
             (binding {binding:?}: client {client_confirmed}, server {server_confirmed})"
        );
    }
}

#[test]
fn the_hmac_check_reader_refuses_broken_blocks() {
    let good = "```hmac-check\nkey: 00ff\nfingerprint:\nlabel: a b\nexpected: 12\n```\n";
    let checks = hmac_checks(good).expect("a good block");
    assert_eq!(checks[0].key, vec![0, 255]);
    assert_eq!(checks[0].fingerprint, "");
    assert_eq!(checks[0].label, "a b");
    let broken = [
        "```hmac-check\nkey: 00\nlabel: x\nexpected: 12\n```\n",
        "```hmac-check\nkey: zz\nfingerprint:\nlabel: x\nexpected: 12\n```\n",
        "```hmac-check\nkey: 00\nkey: 00\nfingerprint:\nlabel: x\nexpected: 12\n```\n",
        "```hmac-check\nkey: 00\nfingerprint:\nlabel: x\nexpected: 12\nextra: 1\n```\n",
        "```hmac-check\nkey 00\n```\n",
        "```hmac-check\nkey: 00\n",
    ];
    for doc in broken {
        assert!(hmac_checks(doc).is_err(), "not caught:\n{doc}");
    }
}

#[test]
fn the_checker_catches_drift() {
    let good = "```json client\n{\"type\": \"subscribe\", \"after_seq\": 3}\n```\n";
    assert!(check_examples(good).is_ok());
    let broken = [
        // Renamed field.
        "```json client\n{\"type\": \"subscribe\", \"after\": 3}\n```\n",
        // Missing field (and one that a default would fill in).
        "```json server\n{\"type\": \"caught_up\"}\n```\n",
        "```json client\n{\"type\": \"command\", \"key\": \"k\", \"command\": {\"op\": \"create_order\", \"order_number\": \"A\", \"store_id\": 1}}\n```\n",
        // Extra field on a server message.
        "```json server\n{\"type\": \"caught_up\", \"seq\": 1, \"extra\": true}\n```\n",
        // Wrong tag, wrong side.
        "```json server\n{\"type\": \"caught-up\", \"seq\": 1}\n```\n",
        "```json server\n{\"type\": \"subscribe\", \"after_seq\": 3}\n```\n",
        // Not JSON; a json block of no side; a block never closed.
        "```json client\n{\"type\": \"subscribe\",}\n```\n",
        "```json\n{\"type\": \"subscribe\", \"after_seq\": 3}\n```\n",
        "```json client\n{\"type\": \"subscribe\", \"after_seq\": 3}\n",
    ];
    for doc in broken {
        assert!(check_examples(doc).is_err(), "not caught:\n{doc}");
    }
    let other = "```jsonc\n{\"type\": \"whatever\" /* fragment */}\n```\n";
    assert!(
        check_examples(other).is_ok(),
        "jsonc blocks are not checked"
    );
}

/// The page shows a recall with a reason (the office's reopen) and one without (the
/// warehouse's undo, and every log written before recalls had reasons); both read.
#[test]
fn recall_reasons_are_documented_and_optional() {
    let doc = read_doc();
    let mut with_reason = Vec::new();
    let mut without_reason = 0;
    for block in blocks(&doc).unwrap_or_else(|problem| panic!("{problem}")) {
        let value: Value = serde_json::from_str(&block.text).expect("checked JSON");
        let recall = match block.side {
            Side::Client => match serde_json::from_value::<ClientMessage>(value) {
                Ok(ClientMessage::Command {
                    command: Command::RecallOrder { reason, .. },
                    ..
                }) => Some(reason),
                _ => None,
            },
            Side::Server => match serde_json::from_value::<ServerMessage>(value) {
                Ok(ServerMessage::Event(event)) => match event.body {
                    EventBody::OrderRecalled { reason, .. } => Some(reason),
                    _ => None,
                },
                _ => None,
            },
        };
        match recall {
            Some(reason) if reason.is_empty() => without_reason += 1,
            Some(reason) => with_reason.push(reason),
            None => {}
        }
    }
    assert!(
        with_reason.len() >= 2,
        "docs/protocol.md should show recall_order and order_recalled with a reason, found {with_reason:?}"
    );
    assert!(
        without_reason >= 2,
        "docs/protocol.md should show recall_order and order_recalled without a reason"
    );
    let old_log: EventBody =
        serde_json::from_value(serde_json::json!({"kind": "order_recalled", "order_id": 4}))
            .expect("an order_recalled written before reasons still reads");
    assert_eq!(
        old_log,
        EventBody::OrderRecalled {
            order_id: 4,
            reason: String::new()
        }
    );
}

/// The page shows an edit that changes the store and the rush, and its event carries the
/// same new values as the command.
#[test]
fn the_edit_example_and_its_event_agree() {
    let doc = read_doc();
    let mut command = None;
    let mut event = None;
    for block in blocks(&doc).unwrap_or_else(|problem| panic!("{problem}")) {
        let value: Value = serde_json::from_str(&block.text).expect("checked JSON");
        match block.side {
            Side::Client => {
                if let Ok(ClientMessage::Command {
                    command: edit @ Command::EditOrder { .. },
                    ..
                }) = serde_json::from_value::<ClientMessage>(value)
                {
                    command = Some(edit);
                }
            }
            Side::Server => {
                if let Ok(ServerMessage::Event(found)) = serde_json::from_value(value)
                    && matches!(found.body, EventBody::OrderEdited { .. })
                {
                    event = Some(found.body);
                }
            }
        }
    }
    let (
        Some(Command::EditOrder {
            order_id,
            store_id,
            note,
            priority,
        }),
        Some(body),
    ) = (command, event)
    else {
        panic!("docs/protocol.md should show edit_order and order_edited");
    };
    assert_eq!(
        body,
        EventBody::OrderEdited {
            order_id,
            store_id,
            note,
            priority
        }
    );
}
