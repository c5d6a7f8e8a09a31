//! The office's pump target: applies the link's events to the shared model.
//!
//! The pump thread itself, the link port and the fake link are the owner layer's
//! (`packbell_client_core`); this module knows only the office model.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use packbell_client_core::lock;
use packbell_client_core::pump::PumpTarget;
use packbell_shared::link::LinkEvent;

use crate::alarm::{self, AlarmSlot};
use crate::export_files::ExportFiles;
use crate::model::Model;

/// How often the pump checks the no-warehouse alarm with no events arriving, so the
/// alarm sounds on time even while the window is minimised.
pub const ALARM_CHECK: Duration = Duration::from_secs(1);

/// Drains link events into the model and sounds the no-warehouse alarm. Nothing is
/// written here: the orders still waiting for the server live in the link's outbox,
/// which reports them.
pub struct ModelPump {
    pub model: Arc<Mutex<Model>>,
    /// The alarm's sound; empty plays nothing (tests).
    pub alarm: AlarmSlot,
    /// When the alarm is checked next.
    pub next_check: Instant,
    /// Export pieces to files: done here, off the window's thread, with the model's
    /// lock released.
    pub export_files: ExportFiles,
}

impl ModelPump {
    pub fn new(model: Arc<Mutex<Model>>, alarm: AlarmSlot) -> ModelPump {
        ModelPump {
            model,
            alarm,
            next_check: Instant::now(),
            export_files: ExportFiles::default(),
        }
    }
}

impl PumpTarget for ModelPump {
    fn wait_limit(&mut self) -> Option<Duration> {
        Some(self.next_check.saturating_duration_since(Instant::now()))
    }

    fn turn(&mut self, events: Vec<LinkEvent>) -> bool {
        let got_events = !events.is_empty();
        let mut jobs;
        let sound = {
            let mut model = lock(&self.model);
            for event in events {
                model.apply_link_event(event, Utc::now());
            }
            jobs = model.exports.take_jobs();
            let due = Instant::now() >= self.next_check;
            if due {
                self.next_check = Instant::now() + ALARM_CHECK;
            }
            due && model.alarm_sound_due(Utc::now())
        };
        if sound {
            alarm::sound(&self.alarm);
        }
        let mut wrote = false;
        // Ends: only a failed write adds work (removing its temporary file), and a
        // removal adds none.
        while !jobs.is_empty() {
            wrote = true;
            let outcomes: Vec<_> = jobs
                .drain(..)
                .map(|job| self.export_files.run(job))
                .collect();
            let mut model = lock(&self.model);
            for outcome in outcomes {
                model.exports.on_written(outcome);
            }
            jobs = model.exports.take_jobs();
        }
        // The window redraws itself for the alarm's banner; only news wakes it here
        // (a written piece too: the window asks for the next one).
        got_events || sound || wrote
    }
}
