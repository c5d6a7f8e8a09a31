//! The office's pump target: applies the link's events to the shared model and keeps
//! the list of unacknowledged orders on disk in step.
//!
//! The pump thread itself, the link port and the fake link are the owner layer's
//! (`packbell_client_core`); this module knows only the office model.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use packbell_client_core::lock;
use packbell_client_core::pump::PumpTarget;
use packbell_shared::link::LinkEvent;

use crate::model::Model;
use crate::settings::SubmissionFile;

/// Drains link events into the model; saves the unacknowledged orders when they
/// change.
pub struct ModelPump {
    pub model: Arc<Mutex<Model>>,
    pub submissions: Option<Arc<SubmissionFile>>,
}

impl PumpTarget for ModelPump {
    fn turn(&mut self, events: Vec<LinkEvent>) -> bool {
        let mut model = lock(&self.model);
        let rev = model.submissions_rev;
        for event in events {
            model.apply_link_event(event, Utc::now());
        }
        if let Some(file) = &self.submissions
            && model.submissions_rev != rev
        {
            file.save(model.submissions_rev, &model.unacked_submissions());
        }
        true
    }
}
