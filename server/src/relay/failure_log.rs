//! Failures of unauthenticated sockets, counted and logged as one summary line per
//! interval: a hostile or broken peer can fail thousands of times a second, and a
//! line per failure would fill the disk and bury everything else.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// Kinds of failure, in the order the summary names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// TLS or WebSocket handshake failed or timed out.
    Handshake,
    /// Binary, non-JSON or unknown-type frame, or a frame-level protocol violation.
    BadFrame,
    /// Wrong token, unknown device, no open pairing code, wrong confirmation.
    AuthFailed,
    /// Not authenticated within the auth time-out.
    TimedOut,
    /// The source address used up its attempt budget.
    RateLimited,
    /// The server could not check the credentials (a database error).
    Internal,
    /// Refused politely because the server had no free connection.
    RefusedFull,
    /// Closed at once, without a handshake: full, and already refusing enough.
    ClosedUnanswered,
}

const KINDS: [(Failure, &str); 8] = [
    (Failure::Handshake, "handshake"),
    (Failure::BadFrame, "bad_frame"),
    (Failure::AuthFailed, "auth_failed"),
    (Failure::TimedOut, "timed_out"),
    (Failure::RateLimited, "rate_limited"),
    (Failure::Internal, "internal"),
    (Failure::RefusedFull, "refused_full"),
    (Failure::ClosedUnanswered, "closed_unanswered"),
];

#[derive(Default)]
pub struct FailureLog {
    counts: [AtomicU64; KINDS.len()],
    /// The last internal error, so the summary can say what went wrong.
    last_internal: Mutex<Option<String>>,
}

impl FailureLog {
    pub fn record(&self, failure: Failure) {
        if let Some(index) = KINDS.iter().position(|(kind, _)| *kind == failure) {
            self.counts[index].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn record_internal(&self, error: impl std::fmt::Display) {
        self.record(Failure::Internal);
        let mut last = self.last_internal.lock().unwrap_or_else(|e| e.into_inner());
        *last = Some(error.to_string());
    }

    /// Logs what was counted since the last summary, if anything, and starts again.
    fn flush(&self, interval: Duration) {
        let mut line = String::new();
        let mut internal = 0;
        for ((failure, name), count) in KINDS.iter().zip(&self.counts) {
            let count = count.swap(0, Ordering::Relaxed);
            if count > 0 {
                let _ = write!(line, " {name}={count}");
            }
            if *failure == Failure::Internal {
                internal = count;
            }
        }
        if line.is_empty() {
            return;
        }
        let seconds = interval.as_secs_f64();
        if internal > 0 {
            let last = self
                .last_internal
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .unwrap_or_default();
            tracing::error!(
                "unauthenticated failures in the last {seconds} s:{line}; last internal error: {last}"
            );
        } else {
            tracing::info!("unauthenticated failures in the last {seconds} s:{line}");
        }
    }
}

/// Writes one summary per `interval` while anything was counted, and a last one at
/// shutdown.
pub async fn run(log: Arc<FailureLog>, interval: Duration, shutdown: CancellationToken) {
    let mut ticks = tokio::time::interval(interval);
    ticks.reset();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = ticks.tick() => log.flush(interval),
        }
    }
    log.flush(interval);
}
