//! The time stock alerts are judged at. The server uses the system clock; tests use a
//! [`ManualClock`] and move it, so expiry and escalation need no waiting.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

type NowFn = dyn Fn() -> DateTime<Utc> + Send + Sync;

#[derive(Clone)]
pub struct Clock(Arc<NowFn>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(Utc::now))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// A clock that stands still until told to move.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn starting_at(at: DateTime<Utc>) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(at)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn advance(&self, by: chrono::TimeDelta) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }

    /// A [`Clock`] that reads this one.
    pub fn clock(&self) -> Clock {
        let shared = self.clone();
        Clock(Arc::new(move || shared.now()))
    }
}
