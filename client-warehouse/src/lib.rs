//! packbell-warehouse: the pending list that rings, on the warehouse PCs.
//!
//! - [`model`]: pure state and reducers over link events, including every decision
//!   to ring, withdraw or summarise. **No egui, no I/O, no clock.**
//! - [`alert`]: the alert service (a pump thread beside the link) and the outputs it
//!   drives (rodio, notify-rust, the window's attention request).
//! - [`ui`]: egui drawing that reads the model and returns intents.
//! - [`app`]: ties them together; [`link_bridge`] is the only door to the link.
//! - [`i18n`], [`settings`]: strings and what each PC remembers.
#![forbid(unsafe_code)]

pub mod alert;
pub mod app;
pub mod i18n;
pub mod link_bridge;
pub mod model;
pub mod settings;
pub mod ui;
