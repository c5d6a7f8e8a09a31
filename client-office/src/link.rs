//! The office's pump target: applies the link's events to the shared model.
//!
//! The pump thread itself, the link port and the fake link are the owner layer's
//! (`packbell_client_core`); this module knows only the office model.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use packbell_client_core::lock;
use packbell_client_core::pump::PumpTarget;
use packbell_shared::link::LinkEvent;

use crate::model::Model;

/// Drains link events into the model. Nothing is written here: the orders still
/// waiting for the server live in the link's outbox, which reports them.
pub struct ModelPump {
    pub model: Arc<Mutex<Model>>,
}

impl PumpTarget for ModelPump {
    fn turn(&mut self, events: Vec<LinkEvent>) -> bool {
        let mut model = lock(&self.model);
        for event in events {
            model.apply_link_event(event, Utc::now());
        }
        true
    }
}
