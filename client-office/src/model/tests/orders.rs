//! Today's orders: cancelling, search and filters, restarts, confirmation.

use super::*;

#[test]
fn cancel_needs_a_reason_and_only_pending_orders_can_be_cancelled() {
    let mut m = model();
    created(&mut m, 1, "A-1", 1, t0());
    m.open_cancel(1);
    assert!(m.confirm_cancel().is_none(), "no reason");
    assert!(m.cancel.as_ref().expect("still open").reason_missing);
    m.cancel.as_mut().expect("open").reason = " customer called ".into();
    let (command, operation) = m.confirm_cancel().expect("reason given");
    assert_eq!(
        command,
        Command::CancelOrder {
            order_id: 1,
            reason: "customer called".into()
        }
    );
    assert!(m.cancel.is_none());
    m.operation_sent("c1".into(), operation);
    let row = &m.today_rows(day_start())[0];
    assert!(row.cancelling);
    assert!(!row.can_cancel());

    m.apply_link_event(
        LinkEvent::Acked {
            key: "c1".into(),
            seq: 12,
            order_id: Some(1),
            store_id: None,
        },
        t0(),
    );
    event(
        &mut m,
        t0(),
        ME,
        EventBody::OrderCancelled {
            order_id: 1,
            reason: "customer called".into(),
        },
    );
    let row = &m.today_rows(day_start())[0];
    assert_eq!(row.status, RowStatus::Cancelled);
    assert_eq!(row.cancel_reason, "customer called");
    assert!(matches!(m.feedback, Some(Feedback::OperationDone(_))));

    m.open_cancel(1);
    assert!(
        m.cancel.is_none(),
        "cancelled orders cannot be cancelled again"
    );
}

#[test]
fn search_and_filters_narrow_the_list() {
    let mut m = model();
    created(&mut m, 1, "A-100", 1, t0());
    created(&mut m, 2, "B-200", 2, t0() + Duration::seconds(1));
    created(&mut m, 3, "A-101", 2, t0() + Duration::seconds(2));
    event(&mut m, t0(), PACKER, EventBody::OrderPacked { order_id: 3 });

    let numbers = |m: &Model| -> Vec<String> {
        m.visible_rows(day_start())
            .into_iter()
            .map(|r| r.order_number)
            .collect()
    };
    assert_eq!(numbers(&m), ["A-101", "B-200", "A-100"], "newest first");
    m.filter.search = "a-10".into();
    assert_eq!(numbers(&m), ["A-101", "A-100"]);
    m.filter.store = Some(2);
    assert_eq!(numbers(&m), ["A-101"]);
    m.filter.search.clear();
    m.filter.status = Some(RowStatus::Pending);
    assert_eq!(numbers(&m), ["B-200"]);
    let counts = m.status_counts(day_start());
    assert!(counts.contains(&(RowStatus::Pending, 2)));
    assert!(counts.contains(&(RowStatus::Packed, 1)));
}

#[test]
fn yesterdays_finished_orders_are_not_today_but_pending_ones_are() {
    let mut m = model();
    let yesterday = day_start() - Duration::hours(3);
    created(&mut m, 1, "OLD-PACKED", 1, yesterday);
    created(&mut m, 2, "OLD-PENDING", 1, yesterday);
    event(
        &mut m,
        yesterday,
        PACKER,
        EventBody::OrderPacked { order_id: 1 },
    );
    let rows = m.today_rows(day_start());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].order_number, "OLD-PENDING");
}

#[test]
fn unacked_orders_survive_a_restart_and_are_claimed_by_their_order() {
    let mut m = model();
    fill(&mut m, "A-1", "centro");
    let ready = m.ready_order().expect("valid");
    let command = ready.command();
    m.order_sent(ready, "k".into(), t0());
    assert_eq!(m.outbox_len(), 1);

    // The app restarts offline: the link reports what its outbox still holds, and
    // the order is shown as queued again.
    let mut m = Model::restored(Some(Role::Office));
    let waiting = OutboxItem {
        key: "k".into(),
        command,
        queued_at: Some(t0()),
    };
    m.apply_link_event(
        LinkEvent::Outbox(OutboxReport::Waiting(vec![
            waiting,
            OutboxItem {
                key: "not-an-order".into(),
                command: Command::AddStore {
                    name: "Oeste".into(),
                },
                queued_at: None,
            },
        ])),
        t0() + Duration::seconds(20),
    );
    assert_eq!(m.today_rows(day_start())[0].status, RowStatus::Queued);
    assert_eq!(m.today_rows(day_start())[0].order_number, "A-1");
    assert_eq!(m.outbox_len(), 1);

    // The server got it (the ack was lost with the old process): the created event
    // from this device claims it.
    let mut fresh = model();
    created(&mut fresh, 40, "A-1", 1, t0() + Duration::seconds(30));
    m.apply_link_event(
        LinkEvent::Status(fresh.link.clone()),
        t0() + Duration::seconds(31),
    );
    m.apply_link_event(
        LinkEvent::Reset {
            snapshot: Snapshot {
                ageing: None,
                more: false,
                seq: fresh.site.seq,
                stores: fresh.site.stores.values().cloned().collect(),
                orders: fresh.site.orders.values().cloned().collect(),
                devices: fresh.site.devices.values().cloned().collect(),
                items: Vec::new(),
                alerts: Vec::new(),
            },
            stale: false,
        },
        t0() + Duration::seconds(31),
    );
    let rows = m.today_rows(day_start());
    assert_eq!(rows.len(), 1, "one order, not a queued copy beside it");
    assert_eq!(rows[0].status, RowStatus::Pending);
    assert_eq!(m.outbox_len(), 0);
}

#[test]
fn stale_until_the_server_confirms() {
    let mut m = Model::default();
    assert!(m.stale);
    m.apply_link_event(
        LinkEvent::Reset {
            snapshot: Snapshot::default(),
            stale: true,
        },
        t0(),
    );
    assert!(m.stale);
    m.apply_link_event(LinkEvent::CaughtUp { seq: 0 }, t0());
    assert!(!m.stale);
}

#[test]
fn the_created_event_confirms_even_when_it_beats_the_ack() {
    let mut m = model();
    fill(&mut m, "A-5", "norte");
    let ready = m.ready_order().expect("valid");
    m.order_sent(ready, "k".into(), t0());
    created(&mut m, 12, "A-5", 2, t0());
    assert_eq!(
        m.feedback,
        Some(Feedback::Confirmed {
            order_number: "A-5".into(),
            store: "Norte".into()
        })
    );
    assert_eq!(m.today_rows(day_start()).len(), 1);
    m.apply_link_event(
        LinkEvent::Acked {
            key: "k".into(),
            seq: 12,
            order_id: Some(12),
            store_id: None,
        },
        t0(),
    );
    assert_eq!(m.today_rows(day_start()).len(), 1);
    assert_eq!(m.outbox_len(), 0);
}
