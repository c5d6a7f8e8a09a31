//! packbell-server: durable relay of orders from office PCs to warehouse PCs.
#![forbid(unsafe_code)]

pub mod discovery;
