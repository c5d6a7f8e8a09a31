//! Shared by the `link_*` tests: a server on its own runtime and a link client
//! whose events the test thread waits for, with every wait bounded.
#![allow(dead_code, reason = "each test file uses part of this")]
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use packbell_shared::link::{LinkConfig, LinkEvent, LinkHandle, LinkStatus};
use packbell_shared::protocol::{Command, EventBody, OrderId, Priority, Seq, StoreId};
/// Cap on any single wait; a test that needs longer has failed.
pub const WAIT: Duration = Duration::from_secs(20);

pub use packbell_server::testing::TestSite as Site;

/// A running link plus what it told us so far.
pub struct Client {
    pub handle: Option<LinkHandle>,
    pub events: Receiver<LinkEvent>,
    pub seen: Vec<LinkEvent>,
    pub wakes: Arc<AtomicUsize>,
}

pub fn link_config(
    data_dir: &Path,
    server: SocketAddr,
    name: &str,
    code: Option<String>,
) -> LinkConfig {
    LinkConfig {
        insecure_plaintext: false,
        data_dir: data_dir.to_owned(),
        server: Some(server.to_string()),
        discovery_targets: Vec::new(),
        site: None,
        device_name: name.to_owned(),
        pairing_code: code,
    }
}

impl Client {
    pub fn start(config: LinkConfig) -> Client {
        let wakes = Arc::new(AtomicUsize::new(0));
        let counter = wakes.clone();
        let (handle, events) = LinkHandle::spawn(
            config,
            Arc::new(move || {
                counter.fetch_add(1, Ordering::Relaxed);
            }),
        )
        .unwrap();
        Client {
            handle: Some(handle),
            events,
            seen: Vec::new(),
            wakes,
        }
    }

    pub fn handle(&self) -> &LinkHandle {
        self.handle.as_ref().unwrap()
    }

    /// Receives events until `done` holds for one (returned), failing after `WAIT`.
    pub fn wait_for<T>(&mut self, what: &str, mut done: impl FnMut(&LinkEvent) -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = match self.events.recv_timeout(left) {
                Ok(event) => event,
                Err(error) => panic!(
                    "waiting for {what}: {error}; last events: {:#?}",
                    &self.seen[self.seen.len().saturating_sub(5)..]
                ),
            };
            let result = done(&event);
            self.seen.push(event);
            if let Some(result) = result {
                return result;
            }
        }
    }

    pub fn wait_connected(&mut self) {
        self.wait_for("Connected", |e| {
            matches!(e, LinkEvent::Status(LinkStatus::Connected { .. })).then_some(())
        });
    }

    pub fn wait_caught_up(&mut self) -> Seq {
        self.wait_for("CaughtUp", |e| match e {
            LinkEvent::CaughtUp { seq } => Some(*seq),
            _ => None,
        })
    }

    /// Order numbers of created orders seen from index `from` of `seen`, with seqs.
    pub fn created_since(&self, from: usize) -> Vec<(Seq, String, bool)> {
        self.seen[from..]
            .iter()
            .filter_map(|e| match e {
                LinkEvent::Event { event, replayed } => match &event.body {
                    EventBody::OrderCreated { order_number, .. } => {
                        Some((event.seq, order_number.clone(), *replayed))
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// Seqs of all events seen from index `from`, which must strictly increase by 1.
    pub fn assert_events_contiguous(&self, from: usize) {
        let seqs: Vec<Seq> = self.seen[from..]
            .iter()
            .filter_map(|e| match e {
                LinkEvent::Event { event, .. } => Some(event.seq),
                _ => None,
            })
            .collect();
        for pair in seqs.windows(2) {
            assert_eq!(
                pair[1],
                pair[0] + 1,
                "events out of order or repeated: {pair:?}"
            );
        }
    }

    pub fn shutdown(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.shutdown();
        }
        // Keep what was queued before the stop.
        self.seen.extend(self.events.try_iter());
    }
}

pub fn order(number: &str, store_id: StoreId) -> Command {
    Command::CreateOrder {
        order_number: number.to_owned(),
        store_id,
        note: String::new(),
        priority: Priority::Normal,
        lines: Vec::new(),
    }
}

/// Submits orders and waits until each is acked; returns key order's order ids.
pub fn submit_all(office: &mut Client, numbers: &[String], store_id: StoreId) -> Vec<OrderId> {
    let keys: Vec<String> = numbers
        .iter()
        .map(|n| office.handle().submit(order(n, store_id)).unwrap())
        .collect();
    wait_acked(office, &keys)
}

pub fn wait_acked(office: &mut Client, keys: &[String]) -> Vec<OrderId> {
    let mut acked: HashMap<String, OrderId> = HashMap::new();
    while acked.len() < keys.len() {
        let (key, order_id) = office.wait_for("acks", |e| match e {
            LinkEvent::Acked { key, order_id, .. } => Some((key.clone(), *order_id)),
            LinkEvent::Rejected { key, code, message } => {
                panic!("{key} rejected: {code} {message}")
            }
            _ => None,
        });
        let order_id = order_id.expect("create_order acks name the order");
        assert!(acked.insert(key, order_id).is_none(), "acked twice");
    }
    keys.iter().map(|k| acked[k]).collect()
}

pub fn numbers(prefix: &str, count: usize) -> Vec<String> {
    (1..=count).map(|i| format!("{prefix}-{i:04}")).collect()
}
