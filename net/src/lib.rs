//! packbell-net: the sockets a client opens to reach the server.
//!
//! - [`tls`]: trust by pinned certificate fingerprint (the server's id).
//! - [`transport`]: opening a WebSocket over pinned TLS or plaintext.
//! - [`discovery`]: the client's half of UDP discovery (the packets themselves are
//!   in `packbell_protocol::discovery`).
//! - [`mdns`]: the DNS-SD (`_packbell._tcp`) fallback where broadcast does not pass.
//!
//! No storage and no command line: a program that only talks to a server (the
//! benchmark) needs this and `packbell-protocol`, not `packbell-shared`.
#![forbid(unsafe_code)]

pub mod discovery;
pub mod mdns;
pub mod tls;
pub mod transport;
