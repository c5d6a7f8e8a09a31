//! Per-connection outgoing queue, bounded in frames and in bytes, and the sender task
//! that owns the socket's write half.
//!
//! The sender feeds every frame already waiting in its queue and flushes once, which
//! delivers several times the frames per second of one flush per frame. A frame's
//! bytes count against its connection until it has been flushed to the socket, so a
//! peer that reads nothing makes the server hold at most `Limits::outgoing_bytes`
//! (plus the socket's own buffers).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::{Sink, SinkExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};

use super::stats::RelayStats;

/// Frames fed before a flush is forced, so a busy queue still flushes regularly.
const MAX_FEED_BEFORE_FLUSH: usize = 256;

#[derive(Debug)]
pub enum Outgoing {
    Text(Utf8Bytes),
    Ping,
    /// Sends a close frame and ends the task.
    Close {
        code: u16,
        reason: String,
    },
}

impl Outgoing {
    fn bytes(&self) -> usize {
        match self {
            Outgoing::Text(text) => text.len(),
            Outgoing::Ping => 0,
            Outgoing::Close { reason, .. } => reason.len() + 2,
        }
    }
}

/// The queue's receiving end, for [`run`].
pub struct Queue(mpsc::Receiver<Queued>);

/// The sender task is gone (the socket failed or closed).
#[derive(Debug)]
pub struct Closed;

pub enum TrySendError {
    /// No room right now; the frame is handed back.
    Full(Outgoing),
    Closed,
}

/// The sending side of one connection's queue.
#[derive(Clone)]
pub struct OutgoingQueue {
    frames: mpsc::Sender<Queued>,
    room: Arc<Room>,
}

/// Byte accounting of one connection.
struct Room {
    /// One permit per byte that may be queued.
    bytes: Arc<Semaphore>,
    /// Bytes queued, the semaphore's complement, kept for the stats.
    queued: AtomicUsize,
    /// Largest charge of one frame: a frame larger than the whole room still goes,
    /// alone.
    max_charge: u32,
    stats: Arc<RelayStats>,
}

/// A frame and the room it holds until it is flushed.
pub struct Queued {
    item: Outgoing,
    _held: Held,
}

struct Held {
    room: Arc<Room>,
    bytes: usize,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.room.queued.fetch_sub(self.bytes, Ordering::Relaxed);
        self.room.stats.written(self.bytes);
    }
}

/// Room reserved for one frame of a known size.
pub struct Slot {
    frame: mpsc::OwnedPermit<Queued>,
    held: Held,
}

impl Slot {
    pub fn send(self, item: Outgoing) {
        self.frame.send(Queued {
            item,
            _held: self.held,
        });
    }
}

impl OutgoingQueue {
    pub fn new(max_frames: usize, max_bytes: usize, stats: Arc<RelayStats>) -> (Self, Queue) {
        let max_charge = u32::try_from(max_bytes).unwrap_or(u32::MAX).max(1);
        let (frames, receiver) = mpsc::channel(max_frames.max(1));
        let room = Arc::new(Room {
            bytes: Arc::new(Semaphore::new(max_charge as usize)),
            queued: AtomicUsize::new(0),
            max_charge,
            stats,
        });
        (OutgoingQueue { frames, room }, Queue(receiver))
    }

    /// Waits for room for a frame of `bytes` bytes. Cancel-safe: dropping the future
    /// gives back whatever it had reserved.
    pub async fn reserve(&self, bytes: usize) -> Result<Slot, Closed> {
        let charge = self.room.charge(bytes);
        let permit = self
            .room
            .bytes
            .clone()
            .acquire_many_owned(charge)
            .await
            .map_err(|_| Closed)?;
        let held = self.room.hold(permit, charge);
        let frame = self
            .frames
            .clone()
            .reserve_owned()
            .await
            .map_err(|_| Closed)?;
        Ok(Slot { frame, held })
    }

    /// Waits for room, then queues the frame.
    pub async fn send(&self, item: Outgoing) -> Result<(), Closed> {
        self.reserve(item.bytes()).await?.send(item);
        Ok(())
    }

    /// Queues the frame if there is room now.
    pub fn try_send(&self, item: Outgoing) -> Result<(), TrySendError> {
        let charge = self.room.charge(item.bytes());
        let Ok(permit) = self.room.bytes.clone().try_acquire_many_owned(charge) else {
            return Err(TrySendError::Full(item));
        };
        let held = self.room.hold(permit, charge);
        match self.frames.clone().try_reserve_owned() {
            Ok(frame) => {
                Slot { frame, held }.send(item);
                Ok(())
            }
            Err(mpsc::error::TrySendError::Full(_)) => Err(TrySendError::Full(item)),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(TrySendError::Closed),
        }
    }
}

impl Room {
    fn charge(&self, bytes: usize) -> u32 {
        u32::try_from(bytes)
            .unwrap_or(u32::MAX)
            .min(self.max_charge)
    }

    fn hold(self: &Arc<Self>, permit: OwnedSemaphorePermit, charge: u32) -> Held {
        let bytes = charge as usize;
        let total = self.queued.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.stats.queued(bytes, total);
        Held {
            room: self.clone(),
            bytes,
            _permit: permit,
        }
    }
}

pub async fn run<S>(mut sink: S, Queue(mut queue): Queue)
where
    S: Sink<Message, Error = WsError> + Unpin,
{
    // Frames fed but not yet flushed keep their room until the flush.
    let mut unflushed = Vec::with_capacity(MAX_FEED_BEFORE_FLUSH);
    while let Some(first) = queue.recv().await {
        let mut next = Some(first);
        while let Some(Queued { item, _held: held }) = next.take() {
            let closing = matches!(item, Outgoing::Close { .. });
            if sink.feed(message(item)).await.is_err() {
                return;
            }
            unflushed.push(held);
            if closing {
                let _ = sink.flush().await;
                let _ = sink.close().await;
                return;
            }
            if unflushed.len() < MAX_FEED_BEFORE_FLUSH {
                next = queue.try_recv().ok();
            }
        }
        if sink.flush().await.is_err() {
            return;
        }
        unflushed.clear();
    }
    let _ = sink.close().await;
}

fn message(item: Outgoing) -> Message {
    match item {
        Outgoing::Text(text) => Message::Text(text),
        Outgoing::Ping => Message::Ping(Default::default()),
        Outgoing::Close { code, reason } => Message::Close(Some(CloseFrame {
            code: CloseCode::from(code),
            reason: reason.into(),
        })),
    }
}
