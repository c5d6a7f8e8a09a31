//! Keeping the client's [`SiteState`] in step with the server over one connection:
//! snapshot or replay, then live events, never a gap and never a duplicate.
//!
//! Pure: it turns server messages into [`SyncAction`]s that the session carries out.

use crate::protocol::{Event, Seq, Snapshot};
use crate::state::{Applied, SiteState};

use super::api::LinkEvent;

/// What the session must do after a message.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncAction {
    /// Tell the owner.
    Emit(LinkEvent),
    /// Send `subscribe` with this `after_seq` (already counted as pending).
    Subscribe { after_seq: Seq },
    /// Catch-up is over: a good moment to save the state.
    Checkpoint,
}

#[derive(Debug, Default)]
pub struct StateSync {
    /// The client's copy of the site; `seq` is the last event applied.
    pub state: SiteState,
    /// `subscribe`s sent on this connection whose `caught_up` has not arrived; while
    /// above 0 events count as replayed.
    pending: u32,
    /// A `subscribe` was sent to repair a gap and has not caught up yet. Gaps seen
    /// meanwhile are left to that repair: what they skipped arrives in its replay.
    repairing: bool,
    /// The state changed since the last checkpoint.
    dirty: bool,
    /// A snapshot whose `snapshot_part`s are still arriving.
    partial: Option<Snapshot>,
}

impl StateSync {
    pub fn new(state: SiteState) -> StateSync {
        StateSync {
            state,
            pending: 0,
            repairing: false,
            dirty: false,
            partial: None,
        }
    }

    /// Counts a `subscribe` about to be sent and returns its `after_seq`.
    pub fn subscribe(&mut self) -> Seq {
        self.pending += 1;
        self.state.seq
    }

    /// True until the server said `caught_up` for every `subscribe`.
    pub fn replaying(&self) -> bool {
        self.pending > 0
    }

    /// The connection is gone; a new one subscribes again.
    pub fn connection_lost(&mut self) {
        self.partial = None;
        self.pending = 0;
        self.repairing = false;
    }

    /// Forgets everything (a different or reset server); the next subscribe asks for
    /// a snapshot.
    pub fn forget(&mut self) {
        self.state = SiteState::default();
        self.dirty = true;
    }

    /// Returns whether the state changed since the last call.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    pub fn on_snapshot(&mut self, snapshot: Snapshot, out: &mut Vec<SyncAction>) {
        if snapshot.more {
            self.partial = Some(snapshot);
            return;
        }
        self.load_snapshot(snapshot, out);
    }

    /// Adds a `snapshot_part` (its stores, devices and orders, in `part`) to the
    /// snapshot being received; loads it once complete.
    pub fn on_snapshot_part(&mut self, part: Snapshot, out: &mut Vec<SyncAction>) {
        let Some(mut snapshot) = self.partial.take() else {
            tracing::warn!(
                seq = part.seq,
                "ignoring a snapshot part without its snapshot"
            );
            return;
        };
        if snapshot.seq != part.seq {
            tracing::warn!(
                seq = part.seq,
                expected = snapshot.seq,
                "ignoring a part of another snapshot"
            );
            return;
        }
        snapshot.stores.extend(part.stores);
        snapshot.devices.extend(part.devices);
        snapshot.orders.extend(part.orders);
        snapshot.items.extend(part.items);
        snapshot.alerts.extend(part.alerts);
        snapshot.more = part.more;
        if part.more {
            self.partial = Some(snapshot);
        } else {
            self.load_snapshot(snapshot, out);
        }
    }

    fn load_snapshot(&mut self, snapshot: Snapshot, out: &mut Vec<SyncAction>) {
        if snapshot.seq < self.state.seq {
            tracing::debug!(
                snapshot = snapshot.seq,
                have = self.state.seq,
                "ignoring an older snapshot"
            );
            return;
        }
        self.state.load_snapshot(snapshot.clone());
        self.dirty = true;
        out.push(SyncAction::Emit(LinkEvent::Reset {
            snapshot,
            stale: false,
        }));
    }

    pub fn on_event(&mut self, event: Event, out: &mut Vec<SyncAction>) {
        match self.state.apply(&event) {
            Applied::Changed => {
                self.dirty = true;
                out.push(SyncAction::Emit(LinkEvent::Event {
                    event,
                    replayed: self.replaying(),
                }));
            }
            Applied::Duplicate => {}
            Applied::Gap { have, got } => {
                if !self.repairing {
                    tracing::info!(have, got, "gap in the event stream; subscribing again");
                    self.repair(out);
                } else {
                    tracing::debug!(have, got, "gap while a resubscribe is under way");
                }
            }
        }
    }

    fn repair(&mut self, out: &mut Vec<SyncAction>) {
        self.repairing = true;
        let after_seq = self.subscribe();
        out.push(SyncAction::Subscribe { after_seq });
    }

    pub fn on_caught_up(&mut self, seq: Seq, out: &mut Vec<SyncAction>) {
        if self.partial.take().is_some() {
            tracing::warn!("a snapshot ended without all its parts; subscribing again");
        }
        self.pending = self.pending.saturating_sub(1);
        if self.pending > 0 {
            return;
        }
        self.repairing = false;
        if seq > self.state.seq {
            tracing::info!(
                server = seq,
                have = self.state.seq,
                "caught up with events missing; subscribing again"
            );
            self.repair(out);
            return;
        }
        out.push(SyncAction::Emit(LinkEvent::CaughtUp {
            seq: self.state.seq,
        }));
        out.push(SyncAction::Checkpoint);
    }
}

/// The state as a snapshot, for the owner (the saved copy at start-up).
pub fn snapshot_of(state: &SiteState) -> Snapshot {
    Snapshot {
        ageing: None,
        more: false,
        seq: state.seq,
        stores: state.stores.values().cloned().collect(),
        orders: state.orders.values().cloned().collect(),
        devices: state.devices.values().cloned().collect(),
        items: Vec::new(),
        alerts: Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests {
    use super::*;
    use crate::protocol::EventBody;

    fn event(seq: Seq) -> Event {
        Event {
            seq,
            at: chrono::Utc::now(),
            device: 0,
            body: EventBody::StoreAdded {
                store_id: seq,
                name: format!("store {seq}"),
            },
        }
    }

    fn emitted_seqs(actions: &[SyncAction]) -> Vec<(Seq, bool)> {
        actions
            .iter()
            .filter_map(|a| match a {
                SyncAction::Emit(LinkEvent::Event { event, replayed }) => {
                    Some((event.seq, *replayed))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn replay_then_live_without_duplicates() {
        let mut sync = StateSync::default();
        assert_eq!(sync.subscribe(), 0);
        let mut out = Vec::new();
        sync.on_snapshot(
            Snapshot {
                seq: 2,
                ..Snapshot::default()
            },
            &mut out,
        );
        assert!(matches!(
            &out[0],
            SyncAction::Emit(LinkEvent::Reset { stale: false, snapshot }) if snapshot.seq == 2
        ));
        out.clear();
        sync.on_event(event(2), &mut out); // already in the snapshot
        sync.on_event(event(3), &mut out);
        sync.on_caught_up(3, &mut out);
        sync.on_event(event(3), &mut out);
        sync.on_event(event(4), &mut out);
        assert_eq!(emitted_seqs(&out), [(3, true), (4, false)]);
        assert!(out.contains(&SyncAction::Emit(LinkEvent::CaughtUp { seq: 3 })));
        assert!(out.contains(&SyncAction::Checkpoint));
        assert!(sync.take_dirty());
        assert!(!sync.take_dirty());
    }

    #[test]
    fn a_gap_resubscribes_once_and_old_events_are_deduplicated() {
        let mut sync = StateSync::default();
        sync.subscribe();
        let mut out = Vec::new();
        sync.on_caught_up(0, &mut out);
        out.clear();
        sync.on_event(event(1), &mut out);
        sync.on_event(event(3), &mut out); // 2 is missing
        assert_eq!(out.last(), Some(&SyncAction::Subscribe { after_seq: 1 }));
        sync.on_event(event(4), &mut out); // still missing 2: left to the repair
        assert_eq!(
            out.iter()
                .filter(|a| matches!(a, SyncAction::Subscribe { .. }))
                .count(),
            1
        );
        // The replay of the new subscription.
        for seq in 2..=4 {
            sync.on_event(event(seq), &mut out);
        }
        sync.on_event(event(3), &mut out);
        sync.on_caught_up(4, &mut out);
        assert_eq!(
            emitted_seqs(&out),
            [(1, false), (2, true), (3, true), (4, true)]
        );
        assert_eq!(sync.state.seq, 4);
        assert!(!sync.replaying());
    }

    #[test]
    fn caught_up_beyond_our_seq_resubscribes() {
        let mut sync = StateSync::default();
        sync.subscribe();
        let mut out = Vec::new();
        sync.on_caught_up(5, &mut out);
        assert_eq!(out, [SyncAction::Subscribe { after_seq: 0 }]);
        assert!(sync.replaying());
    }

    #[test]
    fn snapshot_of_round_trips() {
        let mut sync = StateSync::default();
        let mut out = Vec::new();
        for seq in 1..=3 {
            sync.on_event(event(seq), &mut out);
        }
        let mut copy = SiteState::default();
        copy.load_snapshot(snapshot_of(&sync.state));
        assert_eq!(copy, sync.state);
    }

    #[test]
    fn older_snapshot_is_ignored() {
        let mut sync = StateSync::default();
        let mut out = Vec::new();
        for seq in 1..=5 {
            sync.on_event(event(seq), &mut out);
        }
        out.clear();
        sync.on_snapshot(
            Snapshot {
                seq: 3,
                ..Snapshot::default()
            },
            &mut out,
        );
        assert!(out.is_empty());
        assert_eq!(sync.state.seq, 5);
    }
}
