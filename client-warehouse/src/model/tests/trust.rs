//! Cancel announcements, the shared "Got it", the "Recently packed" drawer and the
//! repaint schedule.

use super::*;

fn cancelled(seq: u64, order_id: OrderId, secs: i64) -> Event {
    Event {
        seq,
        at: at(secs),
        device: 1,
        body: EventBody::OrderCancelled {
            order_id,
            reason: "customer called".into(),
        },
    }
}

fn acknowledged_by(seq: u64, order_id: OrderId, device: u64, secs: i64) -> Event {
    Event {
        seq,
        at: at(secs),
        device,
        body: EventBody::RushAcknowledged { order_id },
    }
}

fn repeats(actions: &[AlertAction]) -> usize {
    actions
        .iter()
        .filter(|a| matches!(a, AlertAction::Repeat { .. }))
        .count()
}

fn shown_cancelled(model: &Model, secs: i64) -> Vec<String> {
    model
        .cancelled_shown(at(secs))
        .iter()
        .map(|n| n.order_number.clone())
        .collect()
}

#[test]
fn a_cancelled_pending_order_is_announced_for_a_minute_then_goes() {
    let mut model = ready();
    model.handle(live(created(11, 1, 1, Priority::Normal, 0)), at(0));
    let actions = model.handle(live(cancelled(12, 1, 5)), at(5));
    assert!(
        actions.iter().any(|a| matches!(
            a,
            AlertAction::Cancelled { order_number, store, .. }
                if order_number == "A-1" && store == "Centro"
        )),
        "a cancel has its own alert: {actions:?}"
    );
    assert!(model.visible().is_empty(), "it is no longer packable");
    assert_eq!(shown_cancelled(&model, 5), ["A-1"]);
    let notice = &model.cancelled_shown(at(5))[0];
    assert_eq!(notice.reason, "customer called");
    model.tick(at(64));
    assert_eq!(shown_cancelled(&model, 64), ["A-1"], "still there at 59 s");
    model.tick(at(65));
    assert!(shown_cancelled(&model, 65).is_empty(), "gone after 60 s");
}

#[test]
fn only_orders_that_were_pending_here_are_announced() {
    let mut model = ready();
    model.handle(live(created(11, 1, 1, Priority::Normal, 0)), at(0));
    model.mark_packed(1, "k".into(), at(1));
    let actions = model.handle(live(cancelled(12, 1, 2)), at(2));
    assert!(
        !actions
            .iter()
            .any(|a| matches!(a, AlertAction::Cancelled { .. })),
        "packed here already: nothing to stop"
    );
    assert!(shown_cancelled(&model, 2).is_empty());
}

#[test]
fn another_pcs_got_it_stops_the_rush_repeats_here_and_survives_a_restart() {
    let mut model = ready();
    let interval = i64::from(model.settings.rush_repeat_secs);
    model.handle(live(created(11, 1, 1, Priority::Rush, 0)), at(0));
    assert_eq!(repeats(&model.tick(at(interval))), 1, "repeats before");
    assert_eq!(model.ringing_rush(), [1]);

    model.handle(
        live(acknowledged_by(12, 1, 33, interval + 1)),
        at(interval + 1),
    );
    assert!(model.ringing_rush().is_empty());
    assert!(model.is_acknowledged(1));
    assert_eq!(repeats(&model.tick(at(3 * interval))), 0, "no more repeats");

    // A restart loads the state from a snapshot: the flag is on the order.
    let mut restarted = Model::new(Settings::default());
    restarted.handle(connected(), at(0));
    let mut rush = order(1, 1, Priority::Rush, 0);
    rush.acknowledged = true;
    restarted.handle(
        LinkEvent::Reset {
            snapshot: snapshot(12, vec![rush]),
            stale: false,
        },
        at(0),
    );
    restarted.handle(LinkEvent::CaughtUp { seq: 12 }, at(0));
    for step in 1..=4 {
        let actions = restarted.tick(at(step * interval));
        assert_eq!(repeats(&actions), 0, "acknowledged before the restart");
    }
    assert!(restarted.ringing_rush().is_empty());
}

#[test]
fn the_drawer_lists_the_last_half_hour_of_packs_from_every_pc() {
    let mut model = ready();
    let packed_at = |order_id, number_secs: i64, packed_secs: i64| Order {
        status: OrderStatus::Packed,
        status_at: Some(at(packed_secs)),
        status_by: Some(7),
        ..order(order_id, 1, Priority::Normal, number_secs)
    };
    let now = 3600;
    model.handle(
        LinkEvent::Reset {
            snapshot: Snapshot {
                devices: vec![packbell_shared::protocol::DeviceSummary {
                    device_id: 7,
                    name: "Bench 2".into(),
                    role: Role::Warehouse,
                    revoked: false,
                }],
                ..snapshot(
                    20,
                    vec![
                        packed_at(1, 0, now - 31 * 60),
                        packed_at(2, 0, now - 29 * 60),
                        packed_at(3, 0, now - 60),
                        order(4, 2, Priority::Normal, 0),
                    ],
                )
            },
            stale: false,
        },
        at(now),
    );
    // Packed here just now, not confirmed yet.
    model.mark_packed(4, "k".into(), at(now));
    let rows = model.recently_packed(at(now));
    let numbers: Vec<&str> = rows.iter().map(|r| r.order_number.as_str()).collect();
    assert_eq!(numbers, ["A-4", "A-3", "A-2"], "newest first, 30 min back");
    assert_eq!(rows[1].packed_by, "Bench 2", "packed by another PC");
    assert_eq!(rows[1].store, "Centro");
    assert_eq!(rows[0].packed_at, at(now));

    // Bringing one back takes it out of the drawer and into the list.
    model.mark_recalled(2, "k2".into());
    assert!(
        model
            .recently_packed(at(now))
            .iter()
            .all(|r| r.order_id != 2)
    );
    assert_eq!(model.visible(), [2]);
}

#[test]
fn the_next_repaint_is_the_next_visible_change() {
    use crate::model::repaint::AGE_LABEL_SLACK_SECS as SLACK;
    let mut model = ready();
    // Ages 0:50 and 0:20 at t=50: "new" until 1:00 and 1:30.
    model.handle(live(created(11, 1, 1, Priority::Normal, 0)), at(0));
    model.handle(live(created(12, 2, 1, Priority::Normal, 30)), at(30));
    assert_eq!(
        model.next_visible_change(&[1, 2], false, at(50)),
        Some(at(60 + SLACK))
    );
    assert_eq!(
        model.next_visible_change(&[2], false, at(50)),
        Some(at(90 + SLACK)),
        "a row off screen does not count"
    );
    assert_eq!(
        model.next_visible_change(&[1, 2], false, at(76)),
        Some(at(90 + SLACK))
    );
    assert_eq!(model.next_visible_change(&[], false, at(61)), None);

    // A cancel: its notice ends 60 s after it arrived, before the next age change.
    model.handle(live(created(13, 3, 1, Priority::Normal, 100)), at(100));
    model.handle(live(cancelled(14, 3, 105)), at(105));
    assert_eq!(
        model.next_visible_change(&[1, 2], false, at(150)),
        Some(at(165))
    );
    model.tick(at(166));
    assert_eq!(
        model.next_visible_change(&[1, 2], false, at(166)),
        Some(at(180 + SLACK))
    );

    // "Undo" disappears when its window ends.
    model.mark_packed(1, "k".into(), at(170));
    let undo_end = at(170 + UNDO_WINDOW_SECS) + Duration::milliseconds(1);
    assert_eq!(
        model.next_visible_change(&[], false, at(171)),
        Some(undo_end)
    );
    // An open drawer's "packed 0 min ago" label changes a minute after the pack.
    assert_eq!(
        model.next_visible_change(&[], true, at(171)),
        Some(at(230 + SLACK))
    );
}
