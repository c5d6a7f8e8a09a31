//! packbell-office: the office (billing) client.
//!
//! - [`model`]: state and reducers, pure (no egui, no I/O, no clock).
//! - [`ui`]: thin egui screens that read the model and hand intents back.
//! - [`link`]: what the pump does with the link's events (apply them to the model).
//! - [`app`]: ties model, link and ui together for eframe and for tests, on the
//!   owner layer (`packbell_client_core`: link port, pump, waker, settings files).
//! - [`i18n`]: every user-visible string, English and Spanish.
//! - [`settings`]: the small files kept in the data dir.
//! - [`alarm`]: the sound of the no-warehouse alarm.
//! - [`export_files`]: the file work of exports, done by the pump thread;
//!   [`export_folder`]: where they go, and showing that folder.
#![forbid(unsafe_code)]

pub mod alarm;
pub mod app;
pub mod export_files;
pub mod export_folder;
pub mod i18n;
pub mod link;
pub mod model;
pub mod settings;
pub mod text;
pub mod ui;
