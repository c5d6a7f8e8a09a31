//! The error codes of `error` messages, and which of them end the connection.

use super::*;

/// Machine-readable error codes. `fatal` ones are followed by a close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Frame is not valid JSON or not an object of a known shape.
    MalformedMessage,
    /// `type` (or command `op`) is not one this server knows.
    UnknownType,
    /// The `protocol` number differs from the server's (fatal).
    VersionMismatch,
    /// First message was not `pair_start`/`auth`, or one was sent again.
    NotAuthenticated,
    /// Pairing failed (wrong, used or expired code) or bad token; the connection is
    /// closed after a few.
    AuthFailed,
    /// The device was revoked (fatal).
    Revoked,
    /// The device's role may not do this.
    Forbidden,
    /// A field is missing, empty, too long or out of range; `message` names it.
    InvalidField,
    UnknownStore,
    UnknownOrder,
    UnknownDevice,
    /// The order is not in a state that allows this (e.g. packing a cancelled order).
    InvalidState,
    /// Same idempotency key, different payload.
    KeyReused,
    /// Too many commands per second on this connection.
    RateLimited,
    /// Frame larger than `MAX_FRAME_BYTES` (fatal).
    FrameTooLarge,
    /// The server is shutting down or full (fatal).
    Unavailable,
    /// The client did not keep up with the event stream (fatal); reconnect and catch up.
    TooSlow,
    /// The site has as many stores, or devices, as the server allows; nothing changed.
    LimitReached,
    /// Something failed on the server; the command was not applied.
    Internal,
    /// The server's disk is full: nothing was stored; retry later with the same key.
    StorageFull,
}

impl ErrorCode {
    /// The wire name, as in docs/protocol.md.
    pub fn as_str(self) -> &'static str {
        match self {
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

    /// Every error code, read from the serde names above.
    pub fn wire_codes() -> &'static [&'static str] {
        variants_of::<ErrorCode>(None)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
