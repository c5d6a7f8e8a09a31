//! A token bucket: the rate limit's arithmetic. Who shares a bucket is decided in
//! [`super::budget`].

use std::time::Instant;

#[derive(Debug)]
pub struct TokenBucket {
    per_second: f64,
    capacity: f64,
    tokens: f64,
    refilled_at: Instant,
}

impl TokenBucket {
    pub fn new(per_second: f64, capacity: f64, now: Instant) -> Self {
        TokenBucket {
            per_second,
            capacity,
            tokens: capacity,
            refilled_at: now,
        }
    }

    /// Takes one token if there is one.
    pub fn take(&mut self, now: Instant) -> bool {
        self.take_n(1.0, now)
    }

    /// Takes `cost` tokens if there are that many; otherwise takes nothing.
    pub fn take_n(&mut self, cost: f64, now: Instant) -> bool {
        self.refill(now);
        if self.tokens >= cost {
            self.tokens -= cost;
            true
        } else {
            false
        }
    }

    /// Whether the bucket has refilled completely: it then remembers nothing that a
    /// fresh bucket would not, and can be forgotten.
    pub fn is_full(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens >= self.capacity
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.refilled_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(10.0, 3.0, start);
        assert_eq!((0..5).filter(|_| bucket.take(start)).count(), 3);
        assert!(bucket.take(start + Duration::from_millis(100)));
        assert!(!bucket.take(start + Duration::from_millis(100)));
    }

    #[test]
    fn a_costly_take_needs_all_its_tokens() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(1.0, 10.0, start);
        assert!(bucket.take_n(6.0, start));
        assert!(!bucket.take_n(6.0, start), "only 4 left");
        assert!(bucket.take_n(4.0, start));
        assert!(!bucket.is_full(start + Duration::from_secs(9)));
        assert!(bucket.is_full(start + Duration::from_secs(10)));
    }
}
