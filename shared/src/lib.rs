//! packbell-shared: what the server and both clients agree on.
//!
//! - [`protocol`], [`discovery`] packets and [`pairing`]: re-exported from
//!   `packbell-protocol`, the API boundary of the whole system.
//! - [`tls`], [`transport`] and the discovery probe: re-exported from `packbell-net`.
//! - [`state`]: a client's copy of site state, a pure reducer over events.
//! - [`link`]: the client link (own thread, own runtime, durable outbox).
//! - [`validate`]: checks on typed text (order numbers, notes) that server and forms share.
//! - [`zone`]: the time zone clients show times in (the machine's, or a pinned one).
#![forbid(unsafe_code)]

/// DNS-SD (`_packbell._tcp`): the server's registration and the clients' browse.
pub use packbell_net::mdns;
pub use packbell_net::{tls, transport};
pub use packbell_protocol::{pairing, protocol};

/// UDP discovery: the packet format (`packbell_protocol::discovery`) and the client's
/// probe (`packbell_net::discovery`) under one name.
pub mod discovery {
    pub use packbell_net::discovery::*;
    pub use packbell_protocol::discovery::*;
}

pub mod link;
pub mod private_dir;
pub mod state;
pub mod validate;
pub mod zone;
