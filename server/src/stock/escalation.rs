//! When an unacknowledged alert escalates: level 1 when raised, level 2 and 3 after
//! set times (1 h and 4 h unless configured). Each level is an event.

use chrono::{DateTime, TimeDelta, Utc};

/// The highest level; reaching it notifies admin devices too.
pub const TOP_LEVEL: u8 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalation {
    /// Time after raising at which an unacknowledged alert reaches level 2.
    pub level_2_after: TimeDelta,
    /// Time after raising at which it reaches level 3.
    pub level_3_after: TimeDelta,
}

impl Default for Escalation {
    fn default() -> Self {
        Escalation {
            level_2_after: TimeDelta::hours(1),
            level_3_after: TimeDelta::hours(4),
        }
    }
}

impl Escalation {
    /// The level an alert raised at `raised_at` should have at `now`.
    pub fn due_level(&self, raised_at: DateTime<Utc>, now: DateTime<Utc>) -> u8 {
        let open_for = now - raised_at;
        if open_for >= self.level_3_after {
            3
        } else if open_for >= self.level_2_after {
            2
        } else {
            1
        }
    }

    /// The levels an alert at `level` passes through to reach the due one, each its
    /// own event (a server that was off for hours still says level 2 before 3).
    pub fn steps(&self, level: u8, raised_at: DateTime<Utc>, now: DateTime<Utc>) -> Vec<u8> {
        let due = self.due_level(raised_at, now).min(TOP_LEVEL);
        (level.saturating_add(1)..=due).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_configured_times() {
        let rules = Escalation::default();
        let raised = Utc::now();
        let at = |minutes| raised + TimeDelta::minutes(minutes);
        assert_eq!(rules.due_level(raised, at(59)), 1);
        assert_eq!(rules.due_level(raised, at(60)), 2);
        assert_eq!(rules.due_level(raised, at(239)), 2);
        assert_eq!(rules.due_level(raised, at(240)), 3);
        assert_eq!(rules.steps(1, raised, at(300)), vec![2, 3]);
        assert_eq!(rules.steps(2, raised, at(300)), vec![3]);
        assert!(rules.steps(3, raised, at(3000)).is_empty());
        assert!(rules.steps(1, raised, at(10)).is_empty());
    }
}
