//! Counters the relay keeps about itself, for tests and the fault script: what it
//! holds for its peers, and how often it refused work.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

#[derive(Debug, Default)]
pub struct RelayStats {
    /// Sockets holding a connection permit: from the TCP accept until the task ends.
    open_connections: AtomicUsize,
    /// Bytes of frames queued for all sender tasks and not yet written to a socket.
    queued_bytes: AtomicUsize,
    /// The most bytes one connection ever had queued at once.
    peak_connection_bytes: AtomicUsize,
    /// `subscribe`s that started a snapshot or a replay.
    catch_ups_started: AtomicU64,
    /// Sockets above the connection cap closed at once, without a handshake.
    closed_unanswered: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayStatsSnapshot {
    pub open_connections: usize,
    pub queued_bytes: usize,
    pub peak_connection_bytes: usize,
    pub catch_ups_started: u64,
    pub closed_unanswered: u64,
}

impl RelayStats {
    pub fn snapshot(&self) -> RelayStatsSnapshot {
        RelayStatsSnapshot {
            open_connections: self.open_connections.load(Ordering::Relaxed),
            queued_bytes: self.queued_bytes.load(Ordering::Relaxed),
            peak_connection_bytes: self.peak_connection_bytes.load(Ordering::Relaxed),
            catch_ups_started: self.catch_ups_started.load(Ordering::Relaxed),
            closed_unanswered: self.closed_unanswered.load(Ordering::Relaxed),
        }
    }

    /// Counts a connection as open for as long as the returned guard lives.
    pub(super) fn connection_opened(self: &Arc<Self>) -> OpenConnection {
        self.open_connections.fetch_add(1, Ordering::Relaxed);
        OpenConnection(self.clone())
    }

    /// `connection_total` is what that connection holds after adding `bytes`.
    pub(super) fn queued(&self, bytes: usize, connection_total: usize) {
        self.queued_bytes.fetch_add(bytes, Ordering::Relaxed);
        self.peak_connection_bytes
            .fetch_max(connection_total, Ordering::Relaxed);
    }

    pub(super) fn written(&self, bytes: usize) {
        self.queued_bytes.fetch_sub(bytes, Ordering::Relaxed);
    }

    pub(super) fn catch_up_started(&self) {
        self.catch_ups_started.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn closed_unanswered(&self) {
        self.closed_unanswered.fetch_add(1, Ordering::Relaxed);
    }
}

/// An open connection, counted until dropped.
pub struct OpenConnection(Arc<RelayStats>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.open_connections.fetch_sub(1, Ordering::Relaxed);
    }
}
