//! The floor: a bare durable relay with none of packbell's logic, measured in the same
//! run as the real server so that packbell's figures can be read as ratios to it.

pub mod client;
pub mod server;
