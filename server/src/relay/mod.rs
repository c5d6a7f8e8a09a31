//! The WebSocket side: accepting sockets, authenticating them, and serving each one.

mod admin;
mod auth;
pub mod budget;
mod catch_up;
pub mod connection;
mod export;
pub mod failure_log;
pub mod listener;
pub mod outgoing;
pub mod pairing;
pub mod parse;
pub mod presence;
pub mod rate;
pub mod receipts;
pub mod snapshot;
pub mod stats;
