//! packbell-shared: what the server and both clients agree on.
//!
//! - [`protocol`]: the wire types, the API boundary of the whole system.
//! - [`state`]: a client's copy of site state, a pure reducer over events.
//! - [`discovery`]: UDP discovery packets and the client-side probe.
//! - [`link`]: the client link (own thread, own runtime, durable outbox).
//! - [`tls`] and [`pairing`]: pinned TLS and SPAKE2 pairing, shared by both ends.
//! - [`zone`]: the time zone clients show times in (the machine's, or a pinned one).
#![forbid(unsafe_code)]

pub mod discovery;
pub mod link;
pub mod pairing;
pub mod private_dir;
pub mod protocol;
pub mod state;
pub mod tls;
pub mod transport;
pub mod zone;
