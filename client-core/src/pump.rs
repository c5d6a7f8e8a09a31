//! The pump: a thread that drains the link's events into the window's model, so the
//! model stays current (and the warehouse rings) whether or not frames are drawn.
//!
//! It blocks on the link's channel and ends when the channel closes, which happens
//! when the link is shut down: there is no stop flag to poll. A window with timers of
//! its own (rush re-alerts) asks to be called when its wait limit passes.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use packbell_shared::link::{LinkError, LinkEvent, LinkRequest};
use packbell_shared::protocol::Command;

use crate::port::LinkPort;
use crate::waker::Waker;

/// Events handed to the target in one turn. More waiting wait for the next turn, so a
/// flood of catch-up events never holds the model's lock (and the UI) for long.
pub const MAX_EVENTS_PER_TURN: usize = 512;

/// What a window's pump does with the events.
pub trait PumpTarget: Send + 'static {
    /// The longest the pump waits for an event before calling [`PumpTarget::turn`]
    /// with none (for timers). `None`, the default, waits for events only.
    fn wait_limit(&mut self) -> Option<Duration> {
        None
    }

    /// Applies the events that arrived, in order (none when the wait limit passed).
    /// Returns true when the window should draw a new frame.
    fn turn(&mut self, events: Vec<LinkEvent>) -> bool;
}

/// A running pump thread.
#[derive(Debug)]
pub struct Pump {
    thread: JoinHandle<()>,
}

impl Pump {
    /// Starts a thread named `name` that feeds `events` to `target` and wakes the
    /// window through `waker` when the target asks for it.
    pub fn spawn(
        name: &str,
        events: Receiver<LinkEvent>,
        mut target: impl PumpTarget,
        waker: Waker,
    ) -> std::io::Result<Pump> {
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                while let Some(batch) = next_batch(&events, target.wait_limit()) {
                    if target.turn(batch) {
                        waker.wake();
                    }
                }
                tracing::debug!("link events ended; the pump stops");
            })?;
        Ok(Pump { thread })
    }

    /// Waits until the pump has applied what was left and stopped. It stops once the
    /// event channel is closed: shut the link down first, or this waits for ever.
    pub fn join(self) {
        if self.thread.join().is_err() {
            tracing::error!("the event pump panicked");
        }
    }
}

/// The next batch: the first event (waiting up to `limit` for it) and what is already
/// queued behind it. `None` once the channel is closed.
fn next_batch(events: &Receiver<LinkEvent>, limit: Option<Duration>) -> Option<Vec<LinkEvent>> {
    let first = match limit {
        None => events.recv().ok()?,
        Some(limit) => match events.recv_timeout(limit) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => return Some(Vec::new()),
            Err(RecvTimeoutError::Disconnected) => return None,
        },
    };
    let mut batch = vec![first];
    batch.extend(events.try_iter().take(MAX_EVENTS_PER_TURN - 1));
    Some(batch)
}

/// A window's link and pump together, stopped in the one safe order: the link first
/// (queued commands reach its outbox, then its channel closes), then the pump, which
/// applies what was left and ends.
pub struct Owner {
    /// `None` once shut down.
    link: Option<Box<dyn LinkPort>>,
    /// `None` once joined.
    pump: Option<Pump>,
}

impl Owner {
    /// Starts the pump on `events` for `target`. When the thread cannot start, the
    /// link is shut down before the error is returned.
    pub fn start(
        name: &str,
        link: Box<dyn LinkPort>,
        events: Receiver<LinkEvent>,
        target: impl PumpTarget,
        waker: Waker,
    ) -> std::io::Result<Owner> {
        match Pump::spawn(name, events, target, waker) {
            Ok(pump) => Ok(Owner {
                link: Some(link),
                pump: Some(pump),
            }),
            Err(error) => {
                link.shutdown();
                Err(error)
            }
        }
    }

    /// Queues a command; [`LinkError::Stopped`] after shutdown.
    pub fn submit(&self, command: Command) -> Result<String, LinkError> {
        self.link
            .as_ref()
            .ok_or(LinkError::Stopped)?
            .submit(command)
    }

    /// Queues a request; [`LinkError::Stopped`] after shutdown.
    pub fn request(&self, request: LinkRequest) -> Result<(), LinkError> {
        self.link
            .as_ref()
            .ok_or(LinkError::Stopped)?
            .request(request)
    }

    pub fn is_running(&self) -> bool {
        self.link.is_some()
    }

    /// Stops the link, then waits for the pump. Safe to call twice.
    pub fn shutdown(&mut self) {
        if let Some(link) = self.link.take() {
            link.shutdown();
        }
        if let Some(pump) = self.pump.take() {
            pump.join();
        }
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc::{Sender, channel};

    use super::*;
    use crate::fake::FakeLink;

    /// Cap on any wait in these tests; reaching it fails the test.
    const WAIT: Duration = Duration::from_secs(10);

    /// Sends each batch it gets to the test.
    struct Batches(Sender<Vec<LinkEvent>>, Option<Duration>);

    impl PumpTarget for Batches {
        fn wait_limit(&mut self) -> Option<Duration> {
            self.1
        }

        fn turn(&mut self, events: Vec<LinkEvent>) -> bool {
            let wake = !events.is_empty();
            let _ = self.0.send(events);
            wake
        }
    }

    fn caught_up(seq: u64) -> LinkEvent {
        LinkEvent::CaughtUp { seq }
    }

    #[test]
    fn applies_in_order_wakes_the_window_and_ends_with_the_link() {
        let (link, events) = FakeLink::new();
        let feed = link.feed();
        let (batches, seen) = channel();
        let woken = Arc::new(AtomicUsize::new(0));
        let waker = Waker::default();
        let counter = Arc::clone(&woken);
        waker.install(move || {
            move || {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        let mut owner = Owner::start(
            "test-pump",
            Box::new(link.clone()),
            events,
            Batches(batches, None),
            waker,
        )
        .expect("pump starts");
        feed.send(caught_up(1)).expect("open");
        assert_eq!(seen.recv_timeout(WAIT), Ok(vec![caught_up(1)]));
        feed.send(caught_up(2)).expect("open");
        feed.send(caught_up(3)).expect("open");
        let mut applied = Vec::new();
        while applied.len() < 2 {
            applied.extend(seen.recv_timeout(WAIT).expect("a batch"));
        }
        assert_eq!(applied, [caught_up(2), caught_up(3)]);

        // Without a wait limit the pump only wakes for events: it returns only once
        // the link's shutdown closed the channel.
        owner.shutdown();
        assert!(link.is_shut_down());
        assert!(
            seen.try_recv().is_err(),
            "no empty turns without a wait limit"
        );
        assert!(woken.load(Ordering::SeqCst) >= 2);
        assert!(matches!(
            owner.submit(Command::PackOrder { order_id: 1 }),
            Err(LinkError::Stopped)
        ));
        owner.shutdown();
    }

    #[test]
    fn a_flood_arrives_in_bounded_batches() {
        let (sender, events) = channel();
        let total = MAX_EVENTS_PER_TURN * 2 + 7;
        for seq in 0..total {
            sender.send(caught_up(seq as u64)).expect("open");
        }
        drop(sender);
        let (batches, seen) = channel();
        let pump = Pump::spawn(
            "test-pump",
            events,
            Batches(batches, None),
            Waker::default(),
        )
        .expect("pump starts");
        pump.join();
        let sizes: Vec<usize> = seen.try_iter().map(|batch| batch.len()).collect();
        assert_eq!(sizes, [MAX_EVENTS_PER_TURN, MAX_EVENTS_PER_TURN, 7]);
    }

    #[test]
    fn a_wait_limit_gives_turns_without_events() {
        let (link, events) = FakeLink::new();
        let (batches, seen) = channel();
        let target = Batches(batches, Some(Duration::from_millis(10)));
        let mut owner = Owner::start(
            "test-pump",
            Box::new(link),
            events,
            target,
            Waker::default(),
        )
        .expect("pump starts");
        assert_eq!(seen.recv_timeout(WAIT), Ok(Vec::new()));
        owner.shutdown();
    }
}
