//! A link for tests and screenshots: records what the window sent, and lets the test
//! feed the events a real link would report.
//!
//! Like the real link, it owns the sending side of the event channel: shutting it down
//! closes the channel, which ends the pump. A test feeds events through an
//! [`EventFeed`], which never keeps the channel open on its own.

use std::sync::mpsc::{Receiver, SendError, Sender, channel};
use std::sync::{Arc, Mutex};

use packbell_shared::link::{LinkError, LinkEvent, LinkRequest};
use packbell_shared::protocol::Command;

use crate::lock;
use crate::port::LinkPort;

#[derive(Debug, Default)]
struct Recorded {
    sent: Vec<LinkRequest>,
    /// What came through [`LinkPort::requester`] (the warehouse's receipts), kept
    /// apart so tests of what the window sent are not disturbed by them.
    from_requester: Vec<LinkRequest>,
    submitted: usize,
    shut_down: bool,
}

/// Clones share one record.
#[derive(Debug, Clone)]
pub struct FakeLink {
    recorded: Arc<Mutex<Recorded>>,
    feed: EventFeed,
}

/// The test's end of the fake link's event channel.
#[derive(Debug, Clone)]
pub struct EventFeed(Arc<Mutex<Option<Sender<LinkEvent>>>>);

impl EventFeed {
    /// Delivers `event` to the pump, as the real link would. Fails (giving the event
    /// back) once the link was shut down.
    #[allow(
        clippy::result_large_err,
        reason = "the error hands the event back whole, as the real channel's does"
    )]
    pub fn send(&self, event: LinkEvent) -> Result<(), SendError<LinkEvent>> {
        match lock(&self.0).as_ref() {
            Some(sender) => sender.send(event),
            None => Err(SendError(event)),
        }
    }

    fn close(&self) {
        lock(&self.0).take();
    }
}

impl FakeLink {
    /// A fake link and the receiver its events arrive on (hand it to the window).
    pub fn new() -> (FakeLink, Receiver<LinkEvent>) {
        let (sender, receiver) = channel();
        let link = FakeLink {
            recorded: Arc::default(),
            feed: EventFeed(Arc::new(Mutex::new(Some(sender)))),
        };
        (link, receiver)
    }

    /// Where the test feeds events from.
    pub fn feed(&self) -> EventFeed {
        self.feed.clone()
    }

    /// Every request, commands included, in the order sent.
    pub fn sent(&self) -> Vec<LinkRequest> {
        lock(&self.recorded).sent.clone()
    }

    /// The submitted commands with the keys they were given (`key-1`, `key-2`, …).
    pub fn commands(&self) -> Vec<(String, Command)> {
        self.sent()
            .into_iter()
            .filter_map(|request| match request {
                LinkRequest::Submit { key, command } => Some((key, command)),
                _ => None,
            })
            .collect()
    }

    /// The requests other than commands (pairing, device list, …), in order.
    pub fn requests(&self) -> Vec<LinkRequest> {
        self.sent()
            .into_iter()
            .filter(|request| !matches!(request, LinkRequest::Submit { .. }))
            .collect()
    }

    /// The requests sent through [`LinkPort::requester`], in order.
    pub fn requester_sent(&self) -> Vec<LinkRequest> {
        lock(&self.recorded).from_requester.clone()
    }

    pub fn is_shut_down(&self) -> bool {
        lock(&self.recorded).shut_down
    }
}

impl LinkPort for FakeLink {
    fn submit(&self, command: Command) -> Result<String, LinkError> {
        let mut recorded = lock(&self.recorded);
        if recorded.shut_down {
            return Err(LinkError::Stopped);
        }
        recorded.submitted += 1;
        let key = format!("key-{}", recorded.submitted);
        recorded.sent.push(LinkRequest::Submit {
            key: key.clone(),
            command,
        });
        Ok(key)
    }

    fn request(&self, request: LinkRequest) -> Result<(), LinkError> {
        let mut recorded = lock(&self.recorded);
        if recorded.shut_down {
            return Err(LinkError::Stopped);
        }
        recorded.sent.push(request);
        Ok(())
    }

    fn requester(&self) -> crate::port::Requester {
        let recorded = Arc::clone(&self.recorded);
        Arc::new(move |request| {
            let mut recorded = lock(&recorded);
            if recorded.shut_down {
                return Err(LinkError::Stopped);
            }
            recorded.from_requester.push(request);
            Ok(())
        })
    }

    fn shutdown(self: Box<Self>) {
        lock(&self.recorded).shut_down = true;
        self.feed.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_in_order_and_closes_the_channel_on_shutdown() {
        let (link, events) = FakeLink::new();
        let feed = link.feed();
        let port: Box<dyn LinkPort> = Box::new(link.clone());
        port.request(LinkRequest::Pair { code: "1".into() })
            .expect("taken");
        let key = port
            .submit(Command::PackOrder { order_id: 4 })
            .expect("taken");
        assert_eq!(key, "key-1");
        assert_eq!(link.sent().len(), 2);
        assert_eq!(link.commands(), [(key, Command::PackOrder { order_id: 4 })]);
        assert!(matches!(
            link.requests().as_slice(),
            [LinkRequest::Pair { .. }]
        ));

        feed.send(LinkEvent::CaughtUp { seq: 1 }).expect("open");
        port.shutdown();
        assert!(link.is_shut_down());
        assert_eq!(events.recv(), Ok(LinkEvent::CaughtUp { seq: 1 }));
        assert!(events.recv().is_err(), "the channel closes with the link");
        assert!(feed.send(LinkEvent::CaughtUp { seq: 2 }).is_err());
        assert!(matches!(
            link.submit(Command::PackOrder { order_id: 5 }),
            Err(LinkError::Stopped)
        ));
    }
}
