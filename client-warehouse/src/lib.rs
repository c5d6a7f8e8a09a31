//! packbell-warehouse: the pending list that rings, on the warehouse PCs.
//!
//! - [`model`]: pure state and reducers over link events, including every decision
//!   to ring, withdraw or summarise. **No egui, no I/O, no clock.**
//! - [`alert`]: the alert service (the work of the pump thread beside the link) and
//!   the outputs it drives (rodio, notify-rust, the window's attention request).
//! - [`ui`]: egui drawing that reads the model and returns intents.
//! - [`app`]: ties them together on the owner layer (`packbell_client_core`: link
//!   port, pump, waker, settings files).
//! - [`i18n`], [`settings`]: strings and what each PC remembers.
#![forbid(unsafe_code)]

pub mod alert;
pub mod app;
pub mod i18n;
pub mod model;
pub mod settings;
pub mod ui;
