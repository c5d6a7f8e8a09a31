//! Reading a client frame, telling apart the ways it can be wrong so each gets its
//! documented error code.

use serde_json::Value;

use packbell_shared::protocol::{ClientMessage, ErrorCode, PROTOCOL_VERSION};

const KNOWN_TYPES: &[&str] = &[
    "pair_start",
    "pair_confirm",
    "auth",
    "subscribe",
    "command",
    "list_devices",
    "new_pairing_code",
    "site_status",
];
const KNOWN_OPS: &[&str] = &[
    "create_order",
    "pack_order",
    "recall_order",
    "cancel_order",
    "add_store",
    "rename_store",
    "deactivate_store",
    "revoke_device",
    "change_role",
];

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
    if !KNOWN_TYPES.contains(&kind) {
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
        && !KNOWN_OPS.contains(&op)
    {
        return Err(bad(
            ErrorCode::UnknownType,
            format!("unknown command op {op:?}"),
            key,
        ));
    }
    serde_json::from_value(value).map_err(|e| bad(ErrorCode::InvalidField, e.to_string(), key))
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
            "missing number field \"protocol\"",
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

    #[test]
    fn accepts_a_valid_command() {
        let msg = client_message(
            r#"{"type":"command","key":"k","command":{"op":"create_order","order_number":"A1","store_id":1}}"#,
        );
        assert!(msg.is_ok(), "{msg:?}");
    }
}
