//! Capped exponential backoff with jitter, for reconnecting.
//!
//! Pure: the caller supplies the random number, so the schedule is testable.

use std::time::Duration;

/// First retry delay after a failure.
pub const BACKOFF_BASE: Duration = Duration::from_millis(250);
/// Longest delay between two attempts; reached after about six failures.
pub const BACKOFF_CAP: Duration = Duration::from_secs(10);
/// Each delay is moved by up to this fraction either way, so that many clients that
/// lost the same server do not all come back in the same millisecond.
pub const BACKOFF_JITTER: f64 = 0.25;

/// How long to wait before retry number `attempt` (1 for the first retry).
///
/// `unit_random` is a number in `[0, 1)`; 0.5 gives the delay without jitter.
/// The result never exceeds `BACKOFF_CAP` plus its jitter.
pub fn delay(attempt: u32, unit_random: f64) -> Duration {
    let doublings = attempt.saturating_sub(1).min(16);
    let nominal = BACKOFF_BASE
        .saturating_mul(1u32 << doublings)
        .min(BACKOFF_CAP);
    let unit = if unit_random.is_finite() {
        unit_random.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let factor = 1.0 + BACKOFF_JITTER * (2.0 * unit - 1.0);
    nominal.mul_f64(factor)
}

/// Counts consecutive failures and hands out the next delay.
#[derive(Debug, Default, Clone)]
pub struct Backoff {
    /// Failures since the last success; 0 means the next attempt is the first.
    attempt: u32,
}

impl Backoff {
    /// Records a failure and returns how long to wait before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        self.attempt = self.attempt.saturating_add(1);
        delay(self.attempt, rand::random::<f64>())
    }

    /// Failures since the last success.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Called after a successful connection.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_base_to_cap_without_jitter() {
        assert_eq!(delay(1, 0.5), Duration::from_millis(250));
        assert_eq!(delay(2, 0.5), Duration::from_millis(500));
        assert_eq!(delay(3, 0.5), Duration::from_secs(1));
        assert_eq!(delay(6, 0.5), Duration::from_secs(8));
        assert_eq!(delay(7, 0.5), BACKOFF_CAP);
        assert_eq!(delay(1000, 0.5), BACKOFF_CAP);
        assert_eq!(delay(u32::MAX, 0.5), BACKOFF_CAP);
        // Attempt 0 is treated like the first retry.
        assert_eq!(delay(0, 0.5), BACKOFF_BASE);
    }

    #[test]
    fn jitter_stays_within_a_quarter_either_way() {
        assert_eq!(delay(1, 0.0), Duration::from_micros(187_500));
        assert_eq!(delay(1, 1.0), Duration::from_micros(312_500));
        assert_eq!(delay(50, 0.0), Duration::from_millis(7_500));
        assert_eq!(delay(50, 1.0), Duration::from_millis(12_500));
        // Out-of-range or broken randomness cannot stretch the delay.
        assert_eq!(delay(50, 7.0), Duration::from_millis(12_500));
        assert_eq!(delay(50, f64::NAN), BACKOFF_CAP);
    }

    #[test]
    fn counter_grows_and_resets() {
        let mut backoff = Backoff::default();
        for expected_attempt in 1..=20 {
            let wait = backoff.next_delay();
            assert_eq!(backoff.attempt(), expected_attempt);
            assert!(wait <= BACKOFF_CAP.mul_f64(1.0 + BACKOFF_JITTER));
            assert!(wait >= BACKOFF_BASE.mul_f64(1.0 - BACKOFF_JITTER));
        }
        backoff.reset();
        assert_eq!(backoff.attempt(), 0);
        assert!(backoff.next_delay() <= BACKOFF_BASE.mul_f64(1.0 + BACKOFF_JITTER));
    }
}
