//! packbell-office: the office (billing) client.
//!
//! - [`model`]: state and reducers, pure (no egui, no I/O, no clock).
//! - [`ui`]: thin egui screens that read the model and hand intents back.
//! - [`link`]: the only module that knows the client link; the pump thread.
//! - [`app`]: ties model, link and ui together for eframe and for tests.
//! - [`i18n`]: every user-visible string, English and Spanish.
//! - [`settings`]: the small files kept in the data dir.
#![forbid(unsafe_code)]

pub mod app;
pub mod i18n;
pub mod link;
pub mod model;
pub mod settings;
pub mod text;
pub mod ui;
