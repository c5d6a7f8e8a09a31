//! Reading a client frame, telling apart the ways it can be wrong so each gets its
//! documented error code.

use serde_json::Value;

use packbell_shared::protocol::{ClientMessage, Command, ErrorCode, MAX_ID, PROTOCOL_VERSION};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadFrame {
    pub code: ErrorCode,
    pub message: String,
    /// The command's key, when the frame was a command whose key could be read.
    pub key: Option<String>,
}

fn bad(code: ErrorCode, message: impl Into<String>, key: Option<String>) -> BadFrame {
    BadFrame {
        code,
        message: message.into(),
        key,
    }
}

pub fn client_message(text: &str) -> Result<ClientMessage, BadFrame> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| bad(ErrorCode::MalformedMessage, format!("not JSON: {e}"), None))?;
    let Some(object) = value.as_object() else {
        return Err(bad(
            ErrorCode::MalformedMessage,
            "a message must be a JSON object",
            None,
        ));
    };
    let Some(kind) = object.get("type").and_then(Value::as_str) else {
        return Err(bad(
            ErrorCode::MalformedMessage,
            "missing string field \"type\"",
            None,
        ));
    };
    if !ClientMessage::wire_types().contains(&kind) {
        return Err(bad(
            ErrorCode::UnknownType,
            format!("unknown message type {kind:?}"),
            None,
        ));
    }
    let key = object.get("key").and_then(Value::as_str).map(str::to_owned);
    if matches!(kind, "pair_start" | "auth") {
        check_version(object.get("protocol"))?;
    }
    if kind == "command"
        && let Some(op) = object
            .get("command")
            .and_then(|c| c.get("op"))
            .and_then(Value::as_str)
        && !Command::wire_ops().contains(&op)
    {
        return Err(bad(
            ErrorCode::UnknownType,
            format!("unknown command op {op:?}"),
            key,
        ));
    }
    if let Some((field, number)) = number_out_of_range("", &value) {
        return Err(bad(
            ErrorCode::InvalidField,
            format!("{field} is {number}; ids and seqs go up to {MAX_ID}"),
            key,
        ));
    }
    let message = serde_json::from_value(value)
        .map_err(|e| bad(ErrorCode::InvalidField, e.to_string(), key))?;
    Ok(normalise(message))
}

/// The first integer above [`MAX_ID`] anywhere in `value`, with its field path: the
/// database cannot hold it, so it is bad input, not a server failure.
fn number_out_of_range(path: &str, value: &Value) -> Option<(String, u64)> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .filter(|&n| n > MAX_ID)
            .map(|n| (path.to_owned(), n)),
        Value::Object(fields) => fields.iter().find_map(|(name, inner)| {
            let path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            number_out_of_range(&path, inner)
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, inner)| number_out_of_range(&format!("{path}[{index}]"), inner)),
        _ => None,
    }
}

/// Hex the doc allows in either case is compared in the case the server stores.
fn normalise(message: ClientMessage) -> ClientMessage {
    match message {
        ClientMessage::Auth {
            protocol,
            device_id,
            token,
        } => ClientMessage::Auth {
            protocol,
            device_id,
            token: token.to_ascii_lowercase(),
        },
        other => other,
    }
}

fn check_version(protocol: Option<&Value>) -> Result<(), BadFrame> {
    match protocol.and_then(Value::as_u64) {
        Some(v) if v == u64::from(PROTOCOL_VERSION) => Ok(()),
        Some(v) => Err(bad(
            ErrorCode::VersionMismatch,
            format!("this server speaks protocol {PROTOCOL_VERSION}; the client sent protocol {v}"),
            None,
        )),
        None => Err(bad(
            ErrorCode::InvalidField,
            "\"protocol\" must be present and a non-negative integer",
            None,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> ErrorCode {
        client_message(text).expect_err(text).code
    }

    #[test]
    fn each_kind_of_wrong_gets_its_code() {
        assert_eq!(code("{not json"), ErrorCode::MalformedMessage);
        assert_eq!(code("[1,2]"), ErrorCode::MalformedMessage);
        assert_eq!(code(r#"{"typ":"auth"}"#), ErrorCode::MalformedMessage);
        assert_eq!(code(r#"{"type":"dance"}"#), ErrorCode::UnknownType);
        assert_eq!(
            code(r#"{"type":"auth","protocol":2,"device_id":1,"token":"x"}"#),
            ErrorCode::VersionMismatch
        );
        assert_eq!(
            code(r#"{"type":"auth","protocol":1,"token":"x"}"#),
            ErrorCode::InvalidField
        );
        let unknown_op = client_message(r#"{"type":"command","key":"k1","command":{"op":"fly"}}"#)
            .expect_err("unknown op");
        assert_eq!(unknown_op.code, ErrorCode::UnknownType);
        assert_eq!(unknown_op.key.as_deref(), Some("k1"));
    }

    /// One valid example of every client message type; the test below fails when a
    /// type is added without one.
    const VALID: &[(&str, &str)] = &[
        (
            "pair_start",
            r#"{"type":"pair_start","protocol":1,"code_slot":"14","device_name":"PC","spake2":"41aa"}"#,
        ),
        ("pair_confirm", r#"{"type":"pair_confirm","mac":"00ff"}"#),
        (
            "auth",
            r#"{"type":"auth","protocol":1,"device_id":7,"token":"abc"}"#,
        ),
        ("subscribe", r#"{"type":"subscribe","after_seq":0}"#),
        (
            "command",
            r#"{"type":"command","key":"k","command":{"op":"pack_order","order_id":3}}"#,
        ),
        ("list_devices", r#"{"type":"list_devices"}"#),
        (
            "new_pairing_code",
            r#"{"type":"new_pairing_code","role":"office"}"#,
        ),
        ("site_status", r#"{"type":"site_status"}"#),
        ("read_log", r#"{"type":"read_log","after_seq":0}"#),
        (
            "export_start",
            r#"{"type":"export_start","export_id":1,"kind":"audit","from":"2026-03-01","to":"2026-03-31","stores":["Centro"],"delimiter":"comma"}"#,
        ),
        ("export_next", r#"{"type":"export_next","export_id":1}"#),
        ("export_cancel", r#"{"type":"export_cancel","export_id":1}"#),
        (
            "receipt",
            r#"{"type":"receipt","order_id":3,"stage":"not_rung","why":"sound_off"}"#,
        ),
        ("watch_receipts", r#"{"type":"watch_receipts"}"#),
    ];

    fn with_field(json: &str, path: &[&str], name: &str, value: Value) -> String {
        let mut message: Value = serde_json::from_str(json).expect("valid example");
        let mut target = &mut message;
        for step in path {
            target = &mut target[*step];
        }
        target[name] = value;
        message.to_string()
    }

    #[test]
    fn every_message_type_has_an_example_here() {
        let listed: Vec<&str> = VALID.iter().map(|(kind, _)| *kind).collect();
        for kind in ClientMessage::wire_types() {
            assert!(listed.contains(kind), "no example of {kind:?} in VALID");
        }
        for (kind, json) in VALID {
            let parsed = client_message(json);
            assert!(parsed.is_ok(), "{kind}: {parsed:?}");
        }
    }

    #[test]
    fn every_message_refuses_unknown_fields() {
        for (kind, json) in VALID {
            let extra = with_field(json, &[], "surprise", Value::from(1));
            let refused = client_message(&extra).expect_err(kind);
            assert_eq!(refused.code, ErrorCode::InvalidField, "{kind}: {refused:?}");
            assert!(refused.message.contains("surprise"), "{kind}: {refused:?}");
        }
        let command = with_field(VALID[4].1, &["command"], "surprise", Value::from(1));
        assert_eq!(code(&command), ErrorCode::InvalidField);
    }

    #[test]
    fn every_message_refuses_null_for_a_value() {
        for (kind, json) in VALID {
            let message: Value = serde_json::from_str(json).expect("valid example");
            let fields: Vec<String> = message
                .as_object()
                .expect("an object")
                .keys()
                .filter(|name| *name != "type")
                .cloned()
                .collect();
            for field in fields {
                let nulled = with_field(json, &[], &field, Value::Null);
                assert_eq!(code(&nulled), ErrorCode::InvalidField, "{kind}.{field}");
            }
        }
    }

    #[test]
    fn numbers_the_database_cannot_hold_are_bad_input() {
        let too_big = Value::from(MAX_ID + 1);
        let cases = [
            (VALID[2].1, &[][..], "device_id"),
            (VALID[3].1, &[][..], "after_seq"),
            (VALID[8].1, &[][..], "after_seq"),
            (VALID[5].1, &[][..], "after_device_id"),
            (VALID[4].1, &["command"][..], "order_id"),
            (
                r#"{"type":"command","key":"k","command":{"op":"create_order","order_number":"A","store_id":1}}"#,
                &["command"][..],
                "store_id",
            ),
            (
                r#"{"type":"command","key":"k","command":{"op":"revoke_device","device_id":2}}"#,
                &["command"][..],
                "device_id",
            ),
        ];
        for (json, path, field) in cases {
            for number in [too_big.clone(), Value::from(u64::MAX)] {
                let text = with_field(json, path, field, number);
                let refused = client_message(&text).expect_err(&text);
                assert_eq!(refused.code, ErrorCode::InvalidField, "{text}: {refused:?}");
                assert!(refused.message.contains(field), "{refused:?}");
            }
            let largest = with_field(json, path, field, Value::from(MAX_ID));
            assert!(client_message(&largest).is_ok(), "{largest}");
        }
        let command = with_field(VALID[4].1, &["command"], "order_id", too_big);
        let refused = client_message(&command).expect_err("too big");
        assert_eq!(
            refused.key.as_deref(),
            Some("k"),
            "the answer names the command"
        );
    }

    #[test]
    fn fractions_and_negative_numbers_are_not_ids() {
        for number in ["1.0", "-1", "1e3", "18446744073709551616"] {
            let text = VALID[3].1.replace("0}", &format!("{number}}}"));
            assert_eq!(code(&text), ErrorCode::InvalidField, "{text}");
        }
        assert_eq!(
            code(r#"{"type":"auth","protocol":1.0,"device_id":1,"token":"x"}"#),
            ErrorCode::InvalidField
        );
    }

    #[test]
    fn an_uppercase_token_is_read_as_the_stored_lowercase() {
        let message =
            client_message(r#"{"type":"auth","protocol":1,"device_id":7,"token":"A0FA2f"}"#);
        match message {
            Ok(ClientMessage::Auth { token, .. }) => assert_eq!(token, "a0fa2f"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn accepts_a_valid_command() {
        let msg = client_message(
            r#"{"type":"command","key":"k","command":{"op":"create_order","order_number":"A1","store_id":1}}"#,
        );
        assert!(msg.is_ok(), "{msg:?}");
    }
}
