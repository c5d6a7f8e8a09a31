//! The in-memory side of the outbox: which commands are in flight on the current
//! connection and what to send next.
//!
//! The durable side is the `outbox` table ([`super::store`]); every entry here is
//! already committed there. Pure: time comes in as an argument.
//!
//! **Commands are sent strictly in submission order, many in flight at once; the
//! server answers in the same order.** A command the server asks us to retry
//! (`rate_limited`, `internal`, `unavailable`) stops the line: nothing more is sent
//! until every command in flight has been answered and the retry delay has passed,
//! then sending resumes from the oldest unanswered command.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::protocol::ErrorCode;

use super::store::OutboxEntry;

/// Commands sent and not yet answered, at most. When reached, the next one waits for
/// an answer.
pub const MAX_IN_FLIGHT: usize = 128;
/// How long to wait before resending after the server asked us to retry.
pub const RETRY_DELAY: Duration = Duration::from_millis(500);

#[derive(Debug)]
struct Pending {
    entry: OutboxEntry,
    /// Sent on the current connection and not answered yet.
    sent: bool,
}

/// What an error about one of our commands means.
#[derive(Debug, PartialEq)]
pub enum ErrorOutcome {
    /// Refused for good: tell the owner and delete it.
    Rejected(OutboxEntry),
    /// Kept; will be sent again.
    Retry,
    /// Not a key we are waiting for.
    Unknown,
}

#[derive(Debug, Default)]
pub struct Outbox {
    /// Oldest first. Invariant while not held: the first `in_flight` entries are
    /// the sent ones.
    entries: VecDeque<Pending>,
    in_flight: usize,
    /// Set when the server asked for a retry: no sending before this instant, nor
    /// while anything is in flight.
    hold_until: Option<Instant>,
}

/// Whether the server wants the command sent again later rather than dropped.
pub fn is_retryable(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::RateLimited | ErrorCode::Internal | ErrorCode::Unavailable
    )
}

impl Outbox {
    pub fn new(entries: Vec<OutboxEntry>) -> Outbox {
        let mut outbox = Outbox::default();
        for entry in entries {
            outbox.push(entry);
        }
        outbox
    }

    /// Adds a command that is now durable.
    pub fn push(&mut self, entry: OutboxEntry) {
        self.entries.push_back(Pending { entry, sent: false });
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// When sending may resume after a retry request, if that is what holds it.
    pub fn resume_at(&self) -> Option<Instant> {
        match self.hold_until {
            Some(at) if self.in_flight == 0 => Some(at),
            _ => None,
        }
    }

    /// The next command to send now, marked as in flight; `None` when there is none,
    /// too many are in flight, or sending is held.
    pub fn next_to_send(&mut self, now: Instant) -> Option<&OutboxEntry> {
        if let Some(until) = self.hold_until {
            if self.in_flight > 0 || now < until {
                return None;
            }
            self.hold_until = None;
        }
        if self.in_flight >= MAX_IN_FLIGHT {
            return None;
        }
        let pending = self.entries.get_mut(self.in_flight)?;
        pending.sent = true;
        self.in_flight += 1;
        Some(&pending.entry)
    }

    fn position_in_flight(&self, key: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|p| p.sent && p.entry.key == key)
    }

    /// The server committed `key`: it leaves the outbox.
    pub fn on_ack(&mut self, key: &str) -> Option<OutboxEntry> {
        let index = self.position_in_flight(key)?;
        self.in_flight -= 1;
        self.entries.remove(index).map(|p| p.entry)
    }

    pub fn on_error(&mut self, key: &str, code: ErrorCode, now: Instant) -> ErrorOutcome {
        let Some(index) = self.position_in_flight(key) else {
            return ErrorOutcome::Unknown;
        };
        self.in_flight -= 1;
        if is_retryable(code) {
            if let Some(pending) = self.entries.get_mut(index) {
                pending.sent = false;
            }
            self.hold_until = Some(now + RETRY_DELAY);
            ErrorOutcome::Retry
        } else {
            match self.entries.remove(index) {
                Some(pending) => ErrorOutcome::Rejected(pending.entry),
                None => ErrorOutcome::Unknown,
            }
        }
    }

    /// The connection is gone: everything unanswered is sent again, in order, on the
    /// next one.
    pub fn connection_lost(&mut self) {
        for pending in &mut self.entries {
            pending.sent = false;
        }
        self.in_flight = 0;
        self.hold_until = None;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests {
    use super::*;
    use crate::protocol::Command;

    fn entry(id: i64) -> OutboxEntry {
        OutboxEntry {
            id,
            key: format!("k{id}"),
            command: Command::PackOrder {
                order_id: id as u64,
            },
            queued_at: None,
        }
    }

    fn drain(outbox: &mut Outbox, now: Instant) -> Vec<i64> {
        std::iter::from_fn(|| outbox.next_to_send(now).map(|e| e.id)).collect()
    }

    #[test]
    fn sends_in_order_up_to_the_window_and_acks_free_room() {
        let now = Instant::now();
        let mut outbox = Outbox::new((1..=(MAX_IN_FLIGHT as i64 + 2)).map(entry).collect());
        let sent = drain(&mut outbox, now);
        assert_eq!(sent, (1..=MAX_IN_FLIGHT as i64).collect::<Vec<_>>());
        assert_eq!(outbox.on_ack("k1").map(|e| e.id), Some(1));
        assert_eq!(outbox.on_ack("k1"), None);
        assert_eq!(drain(&mut outbox, now), [MAX_IN_FLIGHT as i64 + 1]);
        outbox.push(entry(1000));
        assert_eq!(outbox.on_ack("k2").map(|e| e.id), Some(2));
        assert_eq!(drain(&mut outbox, now), [MAX_IN_FLIGHT as i64 + 2]);
        assert!(outbox.on_ack("k3").is_some());
        assert_eq!(drain(&mut outbox, now), [1000]);
    }

    #[test]
    fn rejection_removes_and_retry_holds_the_line() {
        let now = Instant::now();
        let mut outbox = Outbox::new((1..=4).map(entry).collect());
        assert_eq!(drain(&mut outbox, now), [1, 2, 3, 4]);
        assert_eq!(
            outbox.on_error("k1", ErrorCode::InvalidField, now),
            ErrorOutcome::Rejected(entry(1))
        );
        assert_eq!(
            outbox.on_error("k2", ErrorCode::RateLimited, now),
            ErrorOutcome::Retry
        );
        // Held while 3 and 4 are in flight, and until the delay has passed.
        assert!(drain(&mut outbox, now + RETRY_DELAY).is_empty());
        assert_eq!(outbox.resume_at(), None);
        assert!(outbox.on_ack("k3").is_some());
        assert_eq!(
            outbox.on_error("k4", ErrorCode::RateLimited, now),
            ErrorOutcome::Retry
        );
        assert_eq!(outbox.resume_at(), Some(now + RETRY_DELAY));
        assert!(drain(&mut outbox, now).is_empty());
        assert_eq!(drain(&mut outbox, now + RETRY_DELAY), [2, 4]);
        assert_eq!(
            outbox.on_error("nope", ErrorCode::RateLimited, now),
            ErrorOutcome::Unknown
        );
    }

    #[test]
    fn connection_lost_resends_everything_in_order() {
        let now = Instant::now();
        let mut outbox = Outbox::new((1..=3).map(entry).collect());
        assert_eq!(drain(&mut outbox, now), [1, 2, 3]);
        assert!(outbox.on_ack("k1").is_some());
        outbox.connection_lost();
        assert_eq!(outbox.in_flight(), 0);
        assert_eq!(drain(&mut outbox, now), [2, 3]);
        assert_eq!(outbox.len(), 2);
    }
}
