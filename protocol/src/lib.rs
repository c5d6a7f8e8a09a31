//! packbell-protocol: what crosses the network, and nothing that moves it.
//!
//! - [`protocol`]: the WebSocket messages, error codes, close codes, field limits.
//! - [`discovery`]: the byte layout of UDP discovery packets.
//! - [`pairing`]: SPAKE2 pairing and its key confirmation, as pure functions.
//!
//! **This crate knows no SQLite, no command line and no sockets**, so a program that
//! only speaks the protocol (the benchmark, a gateway) compiles none of them.
#![forbid(unsafe_code)]

pub mod discovery;
pub mod pairing;
pub mod protocol;
