#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

use chrono::TimeZone;
use packbell_shared::link::{LinkEvent, LinkStatus};
use packbell_shared::protocol::{
    Ageing, ErrorCode, Event, EventBody, Order, OrderStatus, Priority, Role, Snapshot, Store,
};

use super::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn at(secs: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(secs)
}

fn store(store_id: StoreId, name: &str) -> Store {
    Store {
        store_id,
        name: name.into(),
        active: true,
    }
}

fn order(order_id: OrderId, store_id: StoreId, priority: Priority, created: i64) -> Order {
    Order {
        order_id,
        order_number: format!("A-{order_id}"),
        store_id,
        note: String::new(),
        priority,
        status: OrderStatus::Pending,
        created_at: at(created),
        created_by: 1,
        status_at: None,
        status_by: None,
        cancel_reason: String::new(),
        acknowledged: false,
    }
}

fn snapshot(seq: u64, orders: Vec<Order>) -> Snapshot {
    Snapshot {
        ageing: None,
        more: false,
        seq,
        stores: vec![store(1, "Centro"), store(2, "Norte")],
        orders,
        devices: Vec::new(),
        items: Vec::new(),
        alerts: Vec::new(),
    }
}

fn connected() -> LinkEvent {
    LinkEvent::Status(LinkStatus::Connected {
        site: "Tienda".into(),
        server_id: "s".into(),
        device_id: 9,
        role: Role::Warehouse,
    })
}

fn created(seq: u64, order_id: OrderId, store_id: StoreId, priority: Priority, secs: i64) -> Event {
    Event {
        seq,
        at: at(secs),
        device: 1,
        body: EventBody::OrderCreated {
            order_id,
            order_number: format!("A-{order_id}"),
            store_id,
            note: String::new(),
            priority,
            lines: Vec::new(),
        },
    }
}

fn packed(seq: u64, order_id: OrderId, secs: i64) -> Event {
    Event {
        seq,
        at: at(secs),
        device: 2,
        body: EventBody::OrderPacked { order_id },
    }
}

fn live(event: Event) -> LinkEvent {
    LinkEvent::Event {
        event,
        replayed: false,
    }
}

fn replayed(event: Event) -> LinkEvent {
    LinkEvent::Event {
        event,
        replayed: true,
    }
}

/// A model connected to a server at seq 10 with no pending orders.
fn ready() -> Model {
    ready_with(Settings::default())
}

/// `ready`, with these settings.
fn ready_with(settings: Settings) -> Model {
    let mut model = Model::new(settings);
    model.handle(connected(), t0());
    assert!(
        model
            .handle(
                LinkEvent::Reset {
                    snapshot: snapshot(10, Vec::new()),
                    stale: false,
                },
                t0(),
            )
            .is_empty()
    );
    model.handle(LinkEvent::CaughtUp { seq: 10 }, t0());
    model
}

fn rings(actions: &[AlertAction]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            AlertAction::Ring(alert) => Some(alert.order_number.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn live_order_rings_once_and_is_listed() {
    let mut model = ready();
    let actions = model.handle(live(created(11, 1, 1, Priority::Normal, 0)), at(0));
    assert_eq!(rings(&actions), ["A-1"]);
    match &actions[0] {
        AlertAction::Ring(alert) => {
            assert_eq!(alert.store, "Centro");
            assert_eq!(alert.priority, Priority::Normal);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(model.visible(), [1]);
    // The same event again (a duplicate) neither rings nor lists twice.
    assert!(
        model
            .handle(live(created(11, 1, 1, Priority::Normal, 0)), at(1))
            .is_empty()
    );
    assert_eq!(model.visible(), [1]);
}

#[test]
fn rush_first_then_oldest() {
    let mut model = ready();
    model.handle(live(created(11, 1, 1, Priority::Normal, 0)), at(0));
    model.handle(live(created(12, 2, 2, Priority::Normal, 10)), at(10));
    model.handle(live(created(13, 3, 1, Priority::Rush, 20)), at(20));
    model.handle(live(created(14, 4, 2, Priority::Rush, 30)), at(30));
    assert_eq!(model.visible(), [3, 4, 1, 2]);
}

#[test]
fn a_store_tab_hides_other_stores_but_they_still_ring() {
    let mut model = ready();
    model.set_store_filter([2].into_iter().collect());
    let actions = model.handle(live(created(11, 1, 1, Priority::Rush, 0)), at(0));
    assert_eq!(
        rings(&actions),
        ["A-1"],
        "the view does not decide what rings"
    );
    let actions = model.handle(live(created(12, 2, 2, Priority::Normal, 0)), at(0));
    assert_eq!(rings(&actions), ["A-2"]);
    assert_eq!(model.visible(), [2]);
    let counts = model.store_counts(t0());
    assert_eq!(counts.len(), 2);
    assert_eq!((counts[0].name.as_str(), counts[0].pending), ("Centro", 1));
    assert_eq!((counts[1].name.as_str(), counts[1].pending), ("Norte", 1));
    model.set_store_filter(BTreeSet::new());
    assert_eq!(model.visible(), [1, 2]);
}

#[test]
fn the_station_decides_what_rings_whatever_the_tab() {
    let settings = Settings {
        station: [2].into_iter().collect(),
        ..Settings::default()
    };
    let mut model = ready_with(settings);
    let actions = model.handle(live(created(11, 1, 1, Priority::Rush, 0)), at(0));
    assert!(
        rings(&actions).is_empty(),
        "store 1 is not this PC's station"
    );
    assert_eq!(model.visible(), [1], "but it is listed");
    model.set_store_filter([1].into_iter().collect());
    let actions = model.handle(live(created(12, 2, 2, Priority::Normal, 0)), at(0));
    assert_eq!(
        rings(&actions),
        ["A-2"],
        "a tab on another store does not silence it"
    );
}

#[test]
fn the_store_tab_is_not_saved_but_the_station_is() {
    let settings = Settings {
        station: [2].into_iter().collect(),
        store_filter: [1].into_iter().collect(),
        ..Settings::default()
    };
    let saved = serde_json::to_string(&settings).expect("serialised");
    let loaded: Settings = serde_json::from_str(&saved).expect("parsed");
    assert_eq!(loaded.station, settings.station);
    assert!(loaded.store_filter.is_empty(), "{saved}");
}

#[test]
fn packed_elsewhere_leaves_the_list_and_withdraws_the_notification() {
    let mut model = ready();
    model.handle(live(created(11, 1, 1, Priority::Normal, 0)), at(0));
    let actions = model.handle(live(packed(12, 1, 5)), at(5));
    assert_eq!(actions, [AlertAction::Withdraw { order_id: 1 }]);
    assert!(model.visible().is_empty());
    let counts = model.store_counts(t0());
    assert_eq!(counts[0].packed_today, 1);
}

#[test]
fn catch_up_flood_makes_one_summary() {
    let mut model = ready();
    model.handle(
        LinkEvent::Status(LinkStatus::Reconnecting {
            since: at(0),
            attempt: 1,
            reason: "gone".into(),
        }),
        at(0),
    );
    assert!(model.is_stale());
    model.handle(connected(), at(60));
    let mut actions = Vec::new();
    for i in 0..50u64 {
        let priority = if i == 7 {
            Priority::Rush
        } else {
            Priority::Normal
        };
        actions.extend(model.handle(
            replayed(created(11 + i, 100 + i, 1, priority, i as i64)),
            at(60),
        ));
    }
    assert!(
        actions.is_empty(),
        "no ring per replayed order: {actions:?}"
    );
    let actions = model.handle(LinkEvent::CaughtUp { seq: 60 }, at(60));
    assert_eq!(actions.len(), 1);
    match &actions[0] {
        AlertAction::Summary {
            count,
            rush,
            order_numbers,
            live: false,
        } => {
            assert_eq!(*count, 50);
            assert_eq!(*rush, 1);
            assert_eq!(order_numbers.len(), SUMMARY_MAX_NUMBERS);
            assert_eq!(order_numbers[0], "A-107", "rush first");
        }
        other => panic!("{other:?}"),
    }
    assert!(!model.is_stale());
    assert_eq!(model.visible().len(), 50);
}

#[test]
fn single_missed_order_rings_normally_and_packed_ones_are_left_out() {
    let mut model = ready();
    model.handle(replayed(created(11, 1, 1, Priority::Normal, 0)), at(0));
    model.handle(replayed(created(12, 2, 1, Priority::Normal, 0)), at(0));
    model.handle(replayed(packed(13, 2, 1)), at(0));
    let actions = model.handle(LinkEvent::CaughtUp { seq: 13 }, at(1));
    assert_eq!(rings(&actions), ["A-1"]);
}

#[test]
fn reconnect_snapshot_summarises_new_orders_and_withdraws_gone_ones() {
    let mut model = ready();
    model.handle(live(created(11, 1, 1, Priority::Normal, 0)), at(0));
    // Offline; meanwhile order 1 was packed and 2, 3 arrived. The server sends a snapshot.
    let actions = model.handle(
        LinkEvent::Reset {
            snapshot: snapshot(
                40,
                vec![
                    order(2, 1, Priority::Normal, 10),
                    order(3, 2, Priority::Normal, 20),
                ],
            ),
            stale: false,
        },
        at(100),
    );
    assert_eq!(actions, [AlertAction::Withdraw { order_id: 1 }]);
    let actions = model.handle(LinkEvent::CaughtUp { seq: 40 }, at(100));
    assert!(matches!(
        actions.as_slice(),
        [AlertAction::Summary {
            count: 2,
            rush: 0,
            ..
        }]
    ));
}

#[test]
fn snapshot_without_caught_up_still_summarises_after_grace() {
    let mut model = ready();
    model.handle(
        LinkEvent::Reset {
            snapshot: snapshot(
                40,
                vec![
                    order(2, 1, Priority::Normal, 10),
                    order(3, 2, Priority::Normal, 20),
                ],
            ),
            stale: false,
        },
        at(100),
    );
    assert!(model.tick(at(101)).is_empty());
    let actions = model.tick(at(100 + CATCH_UP_GRACE_SECS));
    assert!(matches!(
        actions.as_slice(),
        [AlertAction::Summary { count: 2, .. }]
    ));
}

#[test]
fn start_up_load_does_not_ring() {
    let mut model = Model::new(Settings::default());
    // Disk copy, then the server's newer state (first run on this PC had 1 order).
    let actions = model.handle(
        LinkEvent::Reset {
            snapshot: snapshot(5, vec![order(1, 1, Priority::Normal, 0)]),
            stale: true,
        },
        at(0),
    );
    assert!(actions.is_empty());
    assert!(model.is_stale());
    model.handle(connected(), at(1));
    model.handle(replayed(created(6, 2, 1, Priority::Normal, 1)), at(1));
    let actions = model.handle(LinkEvent::CaughtUp { seq: 6 }, at(1));
    assert_eq!(
        rings(&actions),
        ["A-2"],
        "what arrived since the disk copy rings"
    );

    // A brand-new PC whose first state is a replay from zero: shown, not rung.
    let mut model = Model::new(Settings::default());
    model.handle(connected(), at(0));
    model.handle(
        replayed(Event {
            seq: 1,
            at: at(0),
            device: 0,
            body: EventBody::StoreAdded {
                store_id: 1,
                name: "Centro".into(),
            },
        }),
        at(0),
    );
    model.handle(replayed(created(2, 1, 1, Priority::Normal, 0)), at(0));
    assert!(
        model
            .handle(LinkEvent::CaughtUp { seq: 2 }, at(0))
            .is_empty()
    );
    assert_eq!(model.visible(), [1]);
}

#[test]
fn rush_repeats_until_acknowledged_or_packed() {
    let mut model = ready();
    model.settings.rush_repeat_secs = 30;
    let actions = model.handle(live(created(11, 1, 1, Priority::Rush, 0)), at(0));
    assert_eq!(rings(&actions), ["A-1"]);
    assert!(model.tick(at(10)).is_empty());
    assert_eq!(
        model.tick(at(30)),
        [AlertAction::Repeat {
            order_numbers: vec!["A-1".into()]
        }]
    );
    assert!(model.tick(at(45)).is_empty());
    assert_eq!(model.tick(at(60)).len(), 1);
    model.acknowledge(1);
    assert!(model.tick(at(200)).is_empty());
    assert!(model.ringing_rush().is_empty());

    model.handle(live(created(12, 2, 1, Priority::Rush, 200)), at(200));
    assert_eq!(model.tick(at(230)).len(), 1);
    model.handle(live(packed(13, 2, 231)), at(231));
    assert!(model.tick(at(300)).is_empty());
    // A normal order never repeats.
    model.handle(live(created(14, 3, 1, Priority::Normal, 300)), at(300));
    assert!(model.tick(at(900)).is_empty());
}

#[test]
fn mark_packed_hides_at_once_and_undo_brings_it_back() {
    let mut model = ready();
    model.handle(live(created(11, 1, 1, Priority::Normal, 0)), at(0));
    model.handle(live(created(12, 2, 1, Priority::Normal, 1)), at(1));
    model.mark_packed(1, "k1".into(), at(10));
    assert_eq!(model.visible(), [2]);
    assert_eq!(model.tick(at(10)), [AlertAction::Withdraw { order_id: 1 }]);
    assert_eq!(model.undo_target(at(20)).unwrap().order_number, "A-1");
    // The server confirms; the order stays gone.
    model.handle(live(packed(13, 1, 11)), at(11));
    assert_eq!(model.visible(), [2]);
    // Undo: back at once, in its old place (oldest first), confirmed later.
    model.mark_recalled(1, "k2".into());
    assert_eq!(model.visible(), [1, 2]);
    assert!(model.undo_target(at(21)).is_none());
    model.handle(
        live(Event {
            seq: 14,
            at: at(22),
            device: 9,
            body: EventBody::OrderRecalled {
                order_id: 1,
                reason: String::new(),
            },
        }),
        at(22),
    );
    assert_eq!(model.visible(), [1, 2]);
    assert_eq!(model.unconfirmed(), 0);
}

#[test]
fn undo_window_closes() {
    let mut model = ready();
    model.handle(live(created(11, 1, 1, Priority::Normal, 0)), at(0));
    model.mark_packed(1, "k1".into(), at(0));
    assert!(model.undo_target(at(UNDO_WINDOW_SECS)).is_some());
    assert!(model.undo_target(at(UNDO_WINDOW_SECS + 1)).is_none());
}

#[test]
fn rejected_pack_brings_the_order_back_with_a_hint() {
    let mut model = ready();
    model.handle(live(created(11, 1, 1, Priority::Normal, 0)), at(0));
    model.mark_packed(1, "k1".into(), at(1));
    assert!(model.visible().is_empty());
    model.handle(
        LinkEvent::Rejected {
            key: "k1".into(),
            code: ErrorCode::InvalidState,
            message: "cancelled".into(),
        },
        at(2),
    );
    assert_eq!(model.visible(), [1]);
    assert_eq!(
        model.hints(),
        [Hint::Rejected {
            order_number: "A-1".into(),
            message: "cancelled".into()
        }]
    );
}

#[test]
fn offline_keeps_the_list_and_marks_it_stale() {
    let mut model = ready();
    model.handle(live(created(11, 1, 1, Priority::Normal, 0)), at(0));
    assert!(!model.is_stale());
    model.handle(
        LinkEvent::Status(LinkStatus::Reconnecting {
            since: at(5),
            attempt: 2,
            reason: "refused".into(),
        }),
        at(5),
    );
    assert!(model.is_stale());
    assert!(matches!(
        model.connection(),
        Connection::Offline { attempt: 2, .. }
    ));
    assert_eq!(model.visible(), [1]);
}

#[test]
fn the_sites_thresholds_win_over_this_pcs_once_an_admin_sets_them() {
    let mut model = ready_with(Settings {
        amber_after_min: 2,
        red_after_min: 3,
        overdue_after_min: 4,
        ..Settings::default()
    });
    assert_eq!(model.age_level(at(0), at(2 * 60)), AgeLevel::Amber);
    assert_eq!(model.site_ageing(), None);
    let site = Ageing {
        amber_minutes: 7,
        red_minutes: 12,
        overdue_minutes: 30,
    };
    model.handle(
        live(Event {
            seq: 11,
            at: at(0),
            device: 1,
            body: EventBody::AgeingSet(site),
        }),
        at(0),
    );
    assert_eq!(model.site_ageing(), Some(site));
    assert_eq!(model.age_level(at(0), at(6 * 60)), AgeLevel::Fresh);
    assert_eq!(model.age_level(at(0), at(7 * 60)), AgeLevel::Amber);
    assert_eq!(model.age_level(at(0), at(12 * 60)), AgeLevel::Red);
    assert_eq!(model.age_level(at(0), at(30 * 60)), AgeLevel::Overdue);
}

#[test]
fn age_levels_follow_thresholds() {
    let mut model = ready();
    assert_eq!(model.age_level(at(0), at(4 * 60 + 59)), AgeLevel::Fresh);
    assert_eq!(model.age_level(at(0), at(5 * 60)), AgeLevel::Amber);
    assert_eq!(model.age_level(at(0), at(10 * 60)), AgeLevel::Red);
    model.settings.amber_after_min = 2;
    model.settings.red_after_min = 3;
    assert_eq!(model.age_level(at(0), at(2 * 60)), AgeLevel::Amber);
    assert_eq!(model.age_level(at(0), at(3 * 60)), AgeLevel::Red);
    // A server clock ahead of ours never gives a negative, odd age.
    assert_eq!(model.age_level(at(60), at(0)), AgeLevel::Fresh);
}

#[test]
fn keyboard_selection_moves_and_follows_packing() {
    let mut model = ready();
    for i in 0..3 {
        model.handle(
            live(created(11 + i, 1 + i, 1, Priority::Normal, i as i64)),
            at(0),
        );
    }
    assert_eq!(model.move_selection(1), Some(0));
    assert_eq!(model.selected(), Some(1));
    assert_eq!(model.move_selection(1), Some(1));
    assert_eq!(model.move_selection(5), Some(2));
    assert_eq!(model.move_selection(-1), Some(1));
    model.mark_packed(2, "k".into(), at(1));
    assert_eq!(model.selected(), Some(3), "selection moves to the next row");
}

#[test]
fn ten_thousand_pending_stay_cheap() {
    let mut model = ready();
    let orders: Vec<Order> = (1..=10_000)
        .map(|i| {
            order(
                i,
                1 + i % 2,
                if i % 100 == 0 {
                    Priority::Rush
                } else {
                    Priority::Normal
                },
                i as i64,
            )
        })
        .collect();
    model.handle(
        LinkEvent::Reset {
            snapshot: snapshot(20_000, orders),
            stale: false,
        },
        at(0),
    );
    let started = std::time::Instant::now();
    assert_eq!(model.visible().len(), 10_000);
    assert_eq!(model.visible()[0], 100, "rush first");
    model.set_store_filter([1].into_iter().collect());
    assert_eq!(model.visible().len(), 5_000);
    // Each live event updates the sorted set in O(log n), without re-sorting.
    for i in 0..1_000u64 {
        model.handle(
            live(created(20_001 + i, 20_000 + i, 1, Priority::Normal, 0)),
            at(1),
        );
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn several_servers_are_offered_and_one_is_chosen_until_connected() {
    let mut model = Model::new(Settings::default());
    let server = |id: &str, last: u8| packbell_shared::discovery::FoundServer {
        ws_addr: std::net::SocketAddr::from(([192, 168, 1, last], 47801)),
        site: "Tienda Sol".into(),
        server_id: id.into(),
        protocol: 1,
    };
    assert!(!model.pairing_open());
    let actions = model.handle(
        LinkEvent::ServersFound(vec![server("aaa", 10), server("bbb", 11)]),
        t0(),
    );
    assert!(actions.is_empty());
    assert!(model.hints().is_empty(), "a chooser, not a hint");
    assert!(model.pairing_open());
    assert_eq!(model.found_servers().len(), 2);
    assert_eq!(model.choose_server("zzz"), None, "only what was offered");
    assert_eq!(model.chosen_server(), None);
    assert_eq!(model.choose_server("bbb").as_deref(), Some("bbb"));
    assert_eq!(
        model
            .chosen_server()
            .map(|s| s.ws_addr.to_string())
            .as_deref(),
        Some("192.168.1.11:47801")
    );

    // The link asks again (the chosen one did not answer): choose anew.
    model.handle(
        LinkEvent::ServersFound(vec![server("aaa", 10), server("ccc", 12)]),
        at(5),
    );
    assert_eq!(model.chosen_server(), None);
    model.choose_server("ccc");
    model.handle(
        LinkEvent::Status(LinkStatus::Reconnecting {
            since: at(5),
            attempt: 2,
            reason: "several packbell servers answered; choose one".into(),
        }),
        at(5),
    );
    assert!(model.pairing_open(), "still choosing while reconnecting");

    model.handle(connected(), at(6));
    assert!(!model.pairing_open(), "connected: the chooser closes");
    assert!(model.found_servers().is_empty());
    assert_eq!(model.chosen_server(), None);
}

#[test]
fn a_burst_rings_a_few_then_one_summary_and_a_trickle_rings_each() {
    let mut model = ready();
    let mut rung = Vec::new();
    for i in 0..10u64 {
        let priority = if i == 7 {
            Priority::Rush
        } else {
            Priority::Normal
        };
        rung.extend(rings(
            &model.handle(live(created(11 + i, 1 + i, 1, priority, 0)), at(0)),
        ));
    }
    assert_eq!(
        rung.len(),
        BURST_RINGS,
        "the first few ring one by one: {rung:?}"
    );
    assert!(
        model.tick(at(1)).is_empty(),
        "the burst is still being collected"
    );
    let actions = model.tick(at(BURST_WINDOW_SECS));
    assert!(
        matches!(
            actions.as_slice(),
            [AlertAction::Summary {
                count: 7,
                rush: 1,
                live: true,
                ..
            }]
        ),
        "{actions:?}"
    );
    // Orders a few seconds apart ring one by one again.
    for i in 0..4u64 {
        let second = 10 + 5 * i as i64;
        let actions = model.handle(
            live(created(21 + i, 20 + i, 1, Priority::Normal, second)),
            at(second),
        );
        assert_eq!(rings(&actions).len(), 1, "order {i} of the trickle");
    }
}

mod trust;
