//! packbell-office: the office (billing) client.
//!
//! - [`model`]: state and reducers, pure (no egui, no I/O, no clock).
//! - [`ui`]: thin egui screens that read the model and hand intents back.
//! - [`link`]: the only module that knows the client link; the pump thread.
//! - [`app`]: ties model, link and ui together for eframe and for tests.
#![forbid(unsafe_code)]

pub mod model;
pub mod text;
