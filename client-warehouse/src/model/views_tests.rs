//! Tests of search and scan, ageing and the oldest-waiting rule.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

use chrono::TimeZone;
use packbell_shared::link::{LinkEvent, LinkStatus};
use packbell_shared::protocol::{Order, OrderStatus, Priority, Role, Snapshot, Store};

use super::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn minutes(m: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(m)
}

/// Order `order_id` numbered `number`, of store 1, created at minute `created`.
fn order(order_id: OrderId, number: &str, priority: Priority, created: i64) -> Order {
    Order {
        order_id,
        order_number: number.into(),
        store_id: 1,
        note: String::new(),
        priority,
        status: OrderStatus::Pending,
        created_at: minutes(created),
        created_by: 1,
        status_at: None,
        status_by: None,
        cancel_reason: String::new(),
        acknowledged: false,
    }
}

/// A connected model holding `orders`, loaded at minute 0.
fn loaded(settings: Settings, orders: Vec<Order>) -> Model {
    let mut model = Model::new(settings);
    model.handle(
        LinkEvent::Status(LinkStatus::Connected {
            site: "Tienda".into(),
            server_id: "s".into(),
            device_id: 9,
            role: Role::Warehouse,
        }),
        t0(),
    );
    let stores = vec![
        Store {
            store_id: 1,
            name: "Centro".into(),
            active: true,
        },
        Store {
            store_id: 2,
            name: "Norte".into(),
            active: true,
        },
    ];
    model.handle(
        LinkEvent::Reset {
            snapshot: Snapshot {
                ageing: None,
                more: false,
                seq: 10,
                stores,
                orders,
                devices: Vec::new(),
                items: Vec::new(),
                alerts: Vec::new(),
            },
            stale: false,
        },
        t0(),
    );
    model.handle(LinkEvent::CaughtUp { seq: 10 }, t0());
    model
}

fn three_orders() -> Vec<Order> {
    let mut packed = order(3, "80042", Priority::Normal, 0);
    packed.status = OrderStatus::Packed;
    let mut cancelled = order(4, "80043", Priority::Normal, 0);
    cancelled.status = OrderStatus::Cancelled;
    vec![
        order(1, "10423", Priority::Normal, 0),
        order(2, "W-88213", Priority::Normal, 1),
        packed,
        cancelled,
        order(5, "10499", Priority::Normal, 2),
    ]
}

#[test]
fn search_filters_by_number_substring_any_case() {
    let mut model = loaded(Settings::default(), three_orders());
    assert_eq!(model.visible(), [1, 2, 5]);
    model.set_search("104");
    assert_eq!(model.visible(), [1, 5]);
    model.set_search(" w-88 ");
    assert_eq!(model.visible(), [2]);
    assert_eq!(model.search_query(), "w-88");
    model.set_search("nothing");
    assert!(model.visible().is_empty());
    model.set_search("");
    assert_eq!(model.visible(), [1, 2, 5]);
}

#[test]
fn a_scan_selects_then_a_second_scan_packs() {
    let mut model = loaded(Settings::default(), three_orders());
    assert_eq!(
        model.scan("10499"),
        ScanOutcome::Selected {
            order_id: 5,
            row: 2
        }
    );
    assert_eq!(model.selected(), Some(5));
    assert_eq!(model.scan("10499"), ScanOutcome::Pack { order_id: 5 });
    model.mark_packed(5, "k".into(), t0());
    assert_eq!(
        model.scan("10499"),
        ScanOutcome::Refused(ScanRefusal::Packed("10499".into()))
    );
}

#[test]
fn a_scan_reveals_an_order_hidden_by_the_search_or_a_tab() {
    let mut model = loaded(Settings::default(), three_orders());
    model.set_search("W-");
    model.toggle_store(2);
    assert!(model.visible().is_empty());
    assert_eq!(
        model.scan("10423"),
        ScanOutcome::Selected {
            order_id: 1,
            row: 0
        }
    );
    assert_eq!(model.search_query(), "");
    assert!(model.settings.store_filter.is_empty());
}

#[test]
fn with_scan_packs_the_first_scan_packs() {
    let settings = Settings {
        scan_packs: true,
        ..Settings::default()
    };
    let mut model = loaded(settings, three_orders());
    assert_eq!(model.scan("10423"), ScanOutcome::Pack { order_id: 1 });
}

#[test]
fn unknown_packed_and_cancelled_numbers_are_refused() {
    let mut model = loaded(Settings::default(), three_orders());
    model.select(Some(1));
    assert_eq!(
        model.scan("99999"),
        ScanOutcome::Refused(ScanRefusal::Unknown("99999".into()))
    );
    assert_eq!(
        model.scan("80042"),
        ScanOutcome::Refused(ScanRefusal::Packed("80042".into()))
    );
    assert_eq!(
        model.scan("80043"),
        ScanOutcome::Refused(ScanRefusal::Cancelled("80043".into()))
    );
    assert_eq!(
        model.selected(),
        None,
        "a refused scan clears the selection: the next Enter packs nothing"
    );
}

#[test]
fn age_levels_follow_the_three_thresholds() {
    let mut model = loaded(Settings::default(), Vec::new());
    let level = |model: &Model, age: i64| model.age_level(t0(), minutes(age));
    assert_eq!(level(&model, 4), AgeLevel::Fresh);
    assert_eq!(level(&model, 5), AgeLevel::Amber);
    assert_eq!(level(&model, 10), AgeLevel::Red);
    assert_eq!(level(&model, 19), AgeLevel::Red);
    assert_eq!(level(&model, 20), AgeLevel::Overdue);
    model.settings.amber_after_min = 2;
    model.settings.red_after_min = 4;
    model.settings.overdue_after_min = 6;
    assert_eq!(level(&model, 3), AgeLevel::Amber);
    assert_eq!(level(&model, 5), AgeLevel::Red);
    assert_eq!(level(&model, 6), AgeLevel::Overdue);
}

fn overdue_numbers(actions: &[AlertAction]) -> Vec<Vec<String>> {
    actions
        .iter()
        .filter_map(|a| match a {
            AlertAction::Overdue { order_numbers } => Some(order_numbers.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_overdue_chime_sounds_once_per_order() {
    let mut model = loaded(
        Settings::default(),
        vec![
            order(1, "A-1", Priority::Normal, 0),
            order(2, "A-2", Priority::Rush, 3),
        ],
    );
    assert!(overdue_numbers(&model.tick(minutes(1))).is_empty());
    assert!(overdue_numbers(&model.tick(minutes(19))).is_empty());
    assert_eq!(
        overdue_numbers(&model.tick(minutes(20))),
        [vec!["A-1".to_owned()]]
    );
    assert!(
        overdue_numbers(&model.tick(minutes(21))).is_empty(),
        "not twice"
    );
    assert_eq!(
        overdue_numbers(&model.tick(minutes(23))),
        [vec!["A-2".to_owned()]]
    );
    assert!(overdue_numbers(&model.tick(minutes(40))).is_empty());
}

#[test]
fn orders_already_overdue_at_start_up_do_not_chime() {
    let mut model = loaded(
        Settings::default(),
        vec![order(1, "A-1", Priority::Normal, -60)],
    );
    assert!(overdue_numbers(&model.tick(t0())).is_empty());
    assert!(overdue_numbers(&model.tick(minutes(1))).is_empty());
}

#[test]
fn an_old_normal_order_behind_new_rush_orders_is_pinned() {
    // Eight fresh rush orders and a normal one waiting 11 minutes.
    let mut orders: Vec<Order> = (1..=8)
        .map(|i| order(i, &format!("R-{i}"), Priority::Rush, 10))
        .collect();
    orders.push(order(20, "N-20", Priority::Normal, 0));
    orders.push(order(21, "N-21", Priority::Normal, 9));
    let mut model = loaded(Settings::default(), orders);
    // Rush first stays the order of the list.
    assert_eq!(model.visible()[..8], [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(model.oldest_waiting(), Some((8, 20)));
    assert_eq!(
        model.pinned_oldest(0..6),
        Some(20),
        "below the fold: pinned"
    );
    assert_eq!(model.pinned_oldest(3..9), None, "on screen: not pinned");
    assert_eq!(
        model.pinned_oldest(9..15),
        Some(20),
        "scrolled past: pinned"
    );
    // An old rush order is the oldest and is on top anyway.
    let mut model = loaded(
        Settings::default(),
        vec![
            order(1, "R-1", Priority::Rush, -5),
            order(2, "N-2", Priority::Normal, 0),
        ],
    );
    assert_eq!(model.oldest_waiting(), Some((0, 1)));
    assert_eq!(model.pinned_oldest(0..1), None);
    assert_eq!(model.pinned_oldest(1..4), Some(1), "scrolled past: pinned");
}

#[test]
fn the_header_figures_count_every_store() {
    let mut orders = vec![
        order(1, "R-1", Priority::Rush, 5),
        order(2, "N-2", Priority::Normal, 2),
        order(3, "N-3", Priority::Normal, 4),
    ];
    orders[1].store_id = 2;
    let mut model = loaded(Settings::default(), orders);
    model.toggle_store(1);
    assert_eq!(model.pending_total(), 3);
    assert_eq!(model.rush_total(), 1);
    assert_eq!(model.oldest_pending_since(), Some(minutes(2)));
    assert_eq!(model.oldest_waiting(), Some((1, 3)), "of the view");
}
