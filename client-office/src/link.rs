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
}

impl ModelPump {
    pub fn new(model: Arc<Mutex<Model>>, alarm: AlarmSlot) -> ModelPump {
        ModelPump {
            model,
            alarm,
            next_check: Instant::now(),
        }
    }
}

impl PumpTarget for ModelPump {
    fn wait_limit(&mut self) -> Option<Duration> {
        Some(self.next_check.saturating_duration_since(Instant::now()))
    }

    fn turn(&mut self, events: Vec<LinkEvent>) -> bool {
        let got_events = !events.is_empty();
        let sound = {
            let mut model = lock(&self.model);
            for event in events {
                model.apply_link_event(event, Utc::now());
            }
            let due = Instant::now() >= self.next_check;
            if due {
                self.next_check = Instant::now() + ALARM_CHECK;
            }
            due && model.alarm_sound_due(Utc::now())
        };
        if sound {
            alarm::sound(&self.alarm);
        }
        // The window redraws itself for the alarm's banner; only news wakes it here.
        got_events || sound
    }
}
