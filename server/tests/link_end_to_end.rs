//! The client link against the real in-process server, over real sockets on
//! 127.0.0.1: fan-out to many links, catch-up after a restart, the durable outbox,
//! and reconnecting when the server goes away and comes back.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use packbell_server::{RunningServer, ServerConfig};
use packbell_shared::link::{LinkConfig, LinkEvent, LinkHandle, LinkStatus};
use packbell_shared::protocol::{Command, EventBody, OrderId, Priority, Role, Seq, StoreId};

/// Cap on any single wait; a test that needs longer has failed.
const WAIT: Duration = Duration::from_secs(20);

/// A server on its own runtime, so the test thread can block on link events.
struct Site {
    runtime: tokio::runtime::Runtime,
    server: Option<RunningServer>,
    data_dir: PathBuf,
    port: u16,
}

impl Site {
    /// Starts a server on `port` (0: any free port) with its data in `data_dir`.
    fn start(data_dir: &Path, port: u16) -> Site {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut config = ServerConfig::for_tests(data_dir.to_owned());
        config.ws_port = port;
        let server = runtime.block_on(RunningServer::start(config)).unwrap();
        let port = server.ws_addr().port();
        Site {
            runtime,
            server: Some(server),
            data_dir: data_dir.to_owned(),
            port,
        }
    }

    fn server(&self) -> &RunningServer {
        self.server.as_ref().unwrap()
    }

    fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    fn code(&self, role: Role) -> String {
        self.runtime
            .block_on(self.server().new_pairing_code(role))
            .unwrap()
    }

    fn add_store(&self, name: &str) -> StoreId {
        self.runtime
            .block_on(self.server().add_store(name))
            .unwrap()
    }

    fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }

    /// Starts the server again on the same port and data.
    fn restart(&mut self) {
        self.stop();
        let mut config = ServerConfig::for_tests(self.data_dir.clone());
        config.ws_port = self.port;
        self.server = Some(self.runtime.block_on(RunningServer::start(config)).unwrap());
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A running link plus what it told us so far.
struct Client {
    handle: Option<LinkHandle>,
    events: Receiver<LinkEvent>,
    seen: Vec<LinkEvent>,
    wakes: Arc<AtomicUsize>,
}

fn link_config(
    data_dir: &Path,
    server: SocketAddr,
    name: &str,
    code: Option<String>,
) -> LinkConfig {
    LinkConfig {
        data_dir: data_dir.to_owned(),
        server: Some(server.to_string()),
        discovery_targets: Vec::new(),
        site: None,
        device_name: name.to_owned(),
        pairing_code: code,
    }
}

impl Client {
    fn start(config: LinkConfig) -> Client {
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

    fn handle(&self) -> &LinkHandle {
        self.handle.as_ref().unwrap()
    }

    /// Receives events until `done` holds for one (returned), failing after `WAIT`.
    fn wait_for<T>(&mut self, what: &str, mut done: impl FnMut(&LinkEvent) -> Option<T>) -> T {
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

    fn wait_connected(&mut self) {
        self.wait_for("Connected", |e| {
            matches!(e, LinkEvent::Status(LinkStatus::Connected { .. })).then_some(())
        });
    }

    fn wait_caught_up(&mut self) -> Seq {
        self.wait_for("CaughtUp", |e| match e {
            LinkEvent::CaughtUp { seq } => Some(*seq),
            _ => None,
        })
    }

    /// Order numbers of created orders seen from index `from` of `seen`, with seqs.
    fn created_since(&self, from: usize) -> Vec<(Seq, String, bool)> {
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
    fn assert_events_contiguous(&self, from: usize) {
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

    fn shutdown(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.shutdown();
        }
        // Keep what was queued before the stop.
        self.seen.extend(self.events.try_iter());
    }
}

fn order(number: &str, store_id: StoreId) -> Command {
    Command::CreateOrder {
        order_number: number.to_owned(),
        store_id,
        note: String::new(),
        priority: Priority::Normal,
    }
}

/// Submits orders and waits until each is acked; returns key order's order ids.
fn submit_all(office: &mut Client, numbers: &[String], store_id: StoreId) -> Vec<OrderId> {
    let keys: Vec<String> = numbers
        .iter()
        .map(|n| office.handle().submit(order(n, store_id)).unwrap())
        .collect();
    wait_acked(office, &keys)
}

fn wait_acked(office: &mut Client, keys: &[String]) -> Vec<OrderId> {
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

fn numbers(prefix: &str, count: usize) -> Vec<String> {
    (1..=count).map(|i| format!("{prefix}-{i:04}")).collect()
}

#[test]
fn one_office_link_reaches_ten_warehouse_links_in_order_once() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start(&dir.path().join("server"), 0);
    let store = site.add_store("Centro");

    let mut office = Client::start(link_config(
        &dir.path().join("office"),
        site.addr(),
        "office",
        Some(site.code(Role::Office)),
    ));
    office.wait_connected();
    let mut warehouses: Vec<Client> = (0..10)
        .map(|i| {
            Client::start(link_config(
                &dir.path().join(format!("warehouse-{i}")),
                site.addr(),
                &format!("warehouse {i}"),
                Some(site.code(Role::Warehouse)),
            ))
        })
        .collect();
    let mut starts = Vec::new();
    for warehouse in &mut warehouses {
        warehouse.wait_connected();
        warehouse.wait_caught_up();
        starts.push(warehouse.seen.len());
    }

    let wanted = numbers("A", 100);
    let order_ids = submit_all(&mut office, &wanted, store);
    assert!(
        order_ids.windows(2).all(|p| p[0] < p[1]),
        "ids follow submission order"
    );

    for (warehouse, start) in warehouses.iter_mut().zip(starts) {
        let mut got = warehouse.created_since(start).len();
        while got < wanted.len() {
            warehouse.wait_for("orders", |e| {
                matches!(e, LinkEvent::Event { event, .. }
                    if matches!(event.body, EventBody::OrderCreated { .. }))
                .then_some(())
            });
            got += 1;
        }
        let created = warehouse.created_since(start);
        let got: Vec<String> = created.iter().map(|(_, n, _)| n.clone()).collect();
        assert_eq!(got, wanted, "every order, in seq order, once");
        assert!(created.iter().all(|(_, _, replayed)| !replayed));
        warehouse.assert_events_contiguous(start);
    }
    assert!(office.wakes.load(Ordering::Relaxed) > 0, "wake is called");

    office.shutdown();
    for warehouse in &mut warehouses {
        warehouse.shutdown();
        // Nothing arrived twice, even counting the tail drained at shutdown.
        let created = warehouse.created_since(0);
        let unique: HashSet<_> = created.iter().map(|(seq, _, _)| seq).collect();
        assert_eq!(unique.len(), created.len());
    }
}

#[test]
fn a_restarted_link_replays_exactly_what_it_missed() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start(&dir.path().join("server"), 0);
    let store = site.add_store("Centro");
    let mut office = Client::start(link_config(
        &dir.path().join("office"),
        site.addr(),
        "office",
        Some(site.code(Role::Office)),
    ));
    office.wait_connected();
    let warehouse_dir = dir.path().join("warehouse");
    let warehouse_config = link_config(
        &warehouse_dir,
        site.addr(),
        "warehouse",
        Some(site.code(Role::Warehouse)),
    );
    let mut warehouse = Client::start(warehouse_config.clone());
    warehouse.wait_connected();
    warehouse.wait_caught_up();
    submit_all(&mut office, &numbers("early", 3), store);
    let early = warehouse.seen.len();
    while warehouse.created_since(early).len() < 3 {
        warehouse.wait_for("early orders", |e| {
            matches!(e, LinkEvent::Event { .. }).then_some(())
        });
    }
    warehouse.shutdown();
    let seq_at_stop = warehouse
        .seen
        .iter()
        .rev()
        .find_map(|e| match e {
            LinkEvent::Event { event, .. } => Some(event.seq),
            _ => None,
        })
        .unwrap();

    let missed = numbers("missed", 500);
    submit_all(&mut office, &missed, store);

    // Started again on the same data dir; the pairing code is not needed any more
    // (and was single-use).
    let mut warehouse = Client::start(warehouse_config);
    // An order created while the link is connecting and re-subscribing.
    let late_key = office.handle().submit(order("late", store)).unwrap();
    let stale = warehouse.wait_for("stale reset", |e| match e {
        LinkEvent::Reset { snapshot, stale } => Some((snapshot.seq, *stale)),
        _ => None,
    });
    assert_eq!(stale, (seq_at_stop, true), "saved state is shown first");
    warehouse.wait_connected();
    wait_acked(&mut office, &[late_key]);
    while warehouse.created_since(0).len() < missed.len() + 1 {
        warehouse.wait_for("missed orders", |e| {
            matches!(e, LinkEvent::Event { .. }).then_some(())
        });
    }
    // Anything still in flight would show up now.
    std::thread::sleep(Duration::from_millis(300));
    warehouse.seen.extend(warehouse.events.try_iter());

    let created = warehouse.created_since(0);
    let mut expected = missed.clone();
    expected.push("late".to_owned());
    let got: Vec<String> = created.iter().map(|(_, n, _)| n.clone()).collect();
    assert_eq!(
        got, expected,
        "the 500 missed, then the late one, each once"
    );
    assert!(created[..500].iter().all(|(_, _, replayed)| *replayed));
    assert_eq!(
        created[0].0,
        seq_at_stop + 1,
        "replay starts right after the saved seq"
    );
    warehouse.assert_events_contiguous(0);
    assert!(
        !warehouse
            .seen
            .iter()
            .any(|e| matches!(e, LinkEvent::Reset { stale: false, .. })),
        "a replay, not a snapshot"
    );
    assert!(
        warehouse
            .seen
            .iter()
            .any(|e| matches!(e, LinkEvent::CaughtUp { .. }))
    );
    warehouse.shutdown();
    office.shutdown();
}

#[test]
fn outbox_survives_restart_and_is_sent_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let server_dir = dir.path().join("server");
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    // Pair the office link, then take the server away.
    let mut site = Site::start(&server_dir, port);
    let store = site.add_store("Centro");
    let office_dir = dir.path().join("office");
    let office_config = link_config(
        &office_dir,
        site.addr(),
        "office",
        Some(site.code(Role::Office)),
    );
    let mut office = Client::start(office_config.clone());
    office.wait_connected();
    office.shutdown();
    site.stop();

    let mut office = Client::start(office_config.clone());
    office.wait_for("Reconnecting", |e| {
        matches!(e, LinkEvent::Status(LinkStatus::Reconnecting { .. })).then_some(())
    });
    let wanted = numbers("queued", 200);
    let keys: Vec<String> = wanted
        .iter()
        .map(|n| office.handle().submit(order(n, store)).unwrap())
        .collect();
    let mut queued = HashSet::new();
    while queued.len() < keys.len() {
        let key = office.wait_for("Queued", |e| match e {
            LinkEvent::Queued { key } => Some(key.clone()),
            _ => None,
        });
        queued.insert(key);
    }
    assert_eq!(queued, keys.iter().cloned().collect());
    office.shutdown();
    assert!(
        !office
            .seen
            .iter()
            .any(|e| matches!(e, LinkEvent::Acked { .. }))
    );

    site.restart();
    let mut office = Client::start(office_config);
    office.wait_connected();
    let order_ids = wait_acked(&mut office, &keys);
    assert!(
        order_ids.windows(2).all(|p| p[0] < p[1]),
        "committed in submission order"
    );

    // A second device sees each order exactly once, numbers in id order.
    let mut viewer = Client::start(link_config(
        &dir.path().join("viewer"),
        site.addr(),
        "viewer",
        Some(site.code(Role::Warehouse)),
    ));
    viewer.wait_connected();
    let snapshot = viewer.wait_for("snapshot", |e| match e {
        LinkEvent::Reset {
            snapshot,
            stale: false,
        } => Some(snapshot.clone()),
        _ => None,
    });
    let mut orders = snapshot.orders.clone();
    orders.sort_by_key(|o| o.order_id);
    let numbers_by_id: Vec<String> = orders.iter().map(|o| o.order_number.clone()).collect();
    assert_eq!(numbers_by_id, wanted, "each order once, in entry order");
    viewer.shutdown();
    office.shutdown();
}

#[test]
fn link_reconnects_when_the_server_comes_back_and_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = Site::start(&dir.path().join("server"), 0);
    let store = site.add_store("Centro");
    let mut office = Client::start(link_config(
        &dir.path().join("office"),
        site.addr(),
        "office",
        Some(site.code(Role::Office)),
    ));
    let mut warehouse = Client::start(link_config(
        &dir.path().join("warehouse"),
        site.addr(),
        "warehouse",
        Some(site.code(Role::Warehouse)),
    ));
    office.wait_connected();
    warehouse.wait_connected();
    warehouse.wait_caught_up();
    submit_all(&mut office, &numbers("before", 5), store);

    site.stop();
    let (attempt, reason) = warehouse.wait_for("Reconnecting", |e| match e {
        LinkEvent::Status(LinkStatus::Reconnecting {
            attempt, reason, ..
        }) => Some((*attempt, reason.clone())),
        _ => None,
    });
    assert!(attempt >= 1 && !reason.is_empty());
    // A few failed attempts while the server is away.
    warehouse.wait_for("a second attempt", |e| {
        matches!(
            e,
            LinkEvent::Status(LinkStatus::Reconnecting { attempt: 2.., .. })
        )
        .then_some(())
    });

    site.restart();
    warehouse.wait_connected();
    office.wait_connected();
    let after = numbers("after", 5);
    submit_all(&mut office, &after, store);
    warehouse.wait_caught_up();
    while warehouse.created_since(0).len() < 10 {
        warehouse.wait_for("orders", |e| {
            matches!(e, LinkEvent::Event { .. }).then_some(())
        });
    }
    let mut expected = numbers("before", 5);
    expected.extend(after);
    let got: Vec<String> = warehouse
        .created_since(0)
        .into_iter()
        .map(|(_, n, _)| n)
        .collect();
    assert_eq!(got, expected);
    warehouse.assert_events_contiguous(0);
    warehouse.shutdown();
    office.shutdown();
}
