//! `subscribe`: the snapshot or replay is sent a frame at a time from the session
//! loop, so the socket is still read meanwhile, a new `subscribe` replaces one still
//! being sent, and what waits to be sent is bounded by the outgoing queue.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use packbell_shared::protocol::{Seq, ServerMessage, Snapshot};

use super::connection::{End, Session};
use super::outgoing::{Closed, Outgoing, Slot};
use super::snapshot::split_snapshot;
use crate::db::reader;
use crate::fanout::message_text;

/// Events read from the log per query while replaying.
const REPLAY_PAGE: usize = 1000;

/// A snapshot or replay on its way to one socket.
pub(super) struct CatchUp {
    /// The next frame, serialised: its size is the room it needs in the queue.
    next: Option<Utf8Bytes>,
    /// Frames after `next`, not serialised yet.
    ready: VecDeque<ServerMessage>,
    /// Logged events still to be read: after `.0`, up to and including `.1`.
    unread: Option<(Seq, Seq)>,
    /// Where the client stands once everything is sent.
    target: Seq,
    /// End with `caught_up` (a `subscribe`), or not (catching up after lagging).
    announce: bool,
    /// A frame still waiting for room at this time means the peer stopped reading.
    give_up_at: Instant,
    /// How long each frame may wait for room.
    patience: Duration,
}

impl CatchUp {
    pub(super) fn snapshot(snapshot: Snapshot, patience: Duration) -> Self {
        let target = snapshot.seq;
        let mut ready: VecDeque<ServerMessage> = split_snapshot(snapshot).into();
        ready.push_back(ServerMessage::CaughtUp { seq: target });
        CatchUp {
            next: None,
            ready,
            unread: None,
            target,
            announce: true,
            give_up_at: Instant::now() + patience,
            patience,
        }
    }

    /// The logged events in `(after, up_to]`, then `caught_up` if `announce`.
    pub(super) fn replay(after: Seq, up_to: Seq, announce: bool, patience: Duration) -> Self {
        let mut ready = VecDeque::new();
        let unread = if after < up_to {
            Some((after, up_to))
        } else {
            if announce {
                ready.push_back(ServerMessage::CaughtUp { seq: up_to });
            }
            None
        };
        CatchUp {
            next: None,
            ready,
            unread,
            target: up_to,
            announce,
            give_up_at: Instant::now() + patience,
            patience,
        }
    }

    /// The size of the next frame and when waiting for its room ends.
    pub(super) fn next_frame(&self) -> Option<(usize, Instant)> {
        self.next
            .as_ref()
            .map(|frame| (frame.len(), self.give_up_at))
    }
}

impl Session {
    /// Sends the log from `after_seq` (or a snapshot), then `caught_up`. Live events
    /// are held back meanwhile (the receiver was subscribed at authentication, so
    /// nothing committed in between is missed) and those at or below what was sent
    /// are skipped afterwards, so nothing is sent twice.
    pub(super) async fn subscribe(&mut self, after_seq: Seq) -> Result<(), End> {
        self.subscribed = true;
        let head = self.read(reader::head_seq).await?;
        let behind = head.saturating_sub(after_seq);
        let patience = self.ctx.limits.idle_timeout;
        // A seq a restore took back named an event the database no longer has: only a
        // snapshot makes the client forget it.
        let catch_up = if after_seq == 0
            || after_seq > head
            || behind > self.ctx.limits.max_replay
            || self.ctx.rolled_back.contains(after_seq)
        {
            let snapshot = self
                .read(|conn| reader::snapshot(conn, chrono::Utc::now()))
                .await?;
            CatchUp::snapshot(snapshot, patience)
        } else {
            CatchUp::replay(after_seq, head, true, patience)
        };
        self.start_catch_up(catch_up).await
    }

    /// Starts sending `catch_up`, in place of any catch-up still being sent: the
    /// client then sees the earlier one cut off, followed by this one.
    pub(super) async fn start_catch_up(&mut self, catch_up: CatchUp) -> Result<(), End> {
        self.ctx.stats.catch_up_started();
        self.catch_up = Some(catch_up);
        self.prepare_catch_up().await
    }

    /// Queues the next catch-up frame into the room reserved for it. `None`: the room
    /// did not come in time, the peer is not reading.
    pub(super) async fn push_catch_up(
        &mut self,
        room: Option<Result<Slot, Closed>>,
    ) -> Result<(), End> {
        let slot = match room {
            Some(Ok(slot)) => slot,
            Some(Err(Closed)) => return Err(End::Drop),
            None => {
                tracing::info!("client stopped reading its catch-up, dropping");
                return Err(End::Drop);
            }
        };
        let Some(catch_up) = self.catch_up.as_mut() else {
            return Ok(());
        };
        let Some(frame) = catch_up.next.take() else {
            return Ok(());
        };
        slot.send(Outgoing::Text(frame));
        catch_up.give_up_at = Instant::now() + catch_up.patience;
        self.prepare_catch_up().await
    }

    /// Serialises the next frame, reading the next page of the log when needed; when
    /// everything is sent, ends the catch-up.
    async fn prepare_catch_up(&mut self) -> Result<(), End> {
        loop {
            let Some(catch_up) = self.catch_up.as_mut() else {
                return Ok(());
            };
            if catch_up.next.is_some() {
                return Ok(());
            }
            if let Some(message) = catch_up.ready.pop_front() {
                catch_up.next = Some(message_text(&message));
                continue;
            }
            let Some((after, up_to)) = catch_up.unread else {
                self.last_sent = catch_up.target;
                self.catch_up = None;
                return Ok(());
            };
            let page = self
                .read(move |conn| reader::events_between(conn, after, up_to, REPLAY_PAGE))
                .await?;
            let Some(catch_up) = self.catch_up.as_mut() else {
                return Ok(());
            };
            let last = page.last().map(|event| event.seq);
            catch_up
                .ready
                .extend(page.into_iter().map(ServerMessage::Event));
            match last {
                Some(last) if last < up_to => catch_up.unread = Some((last, up_to)),
                _ => {
                    catch_up.unread = None;
                    if catch_up.announce {
                        catch_up.ready.push_back(ServerMessage::CaughtUp {
                            seq: catch_up.target,
                        });
                    }
                }
            }
        }
    }
}
