//! The client link against the real in-process server, over real sockets on
//! 127.0.0.1: fan-out to many links, catch-up after a restart, the durable outbox,
//! and reconnecting when the server goes away and comes back.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod link_support;

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use packbell_shared::link::{LinkEvent, LinkStatus};
use packbell_shared::protocol::{EventBody, Role};

use link_support::*;

#[test]
fn one_office_link_reaches_ten_warehouse_links_in_order_once() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start_on(&dir.path().join("server"), 0);
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
    let site = Site::start_on(&dir.path().join("server"), 0);
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
    // A marker committed after all of them: the link delivers in seq order, so once
    // the marker is here, anything still in flight (a duplicate, a stray) is here too.
    submit_all(&mut office, &["marker".to_owned()], store);
    while !warehouse
        .created_since(0)
        .iter()
        .any(|(_, number, _)| number == "marker")
    {
        warehouse.wait_for("the marker order", |e| {
            matches!(e, LinkEvent::Event { .. }).then_some(())
        });
    }
    warehouse.seen.extend(warehouse.events.try_iter());

    let mut created = warehouse.created_since(0);
    let marker = created.pop().map(|(_, number, _)| number);
    assert_eq!(
        marker.as_deref(),
        Some("marker"),
        "nothing arrives after the marker"
    );
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
    // Pair the office link, then take the server away. The server picks its port;
    // `restart` brings it back on the same one.
    let mut site = Site::start_on(&server_dir, 0);
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
    let mut site = Site::start_on(&dir.path().join("server"), 0);
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
