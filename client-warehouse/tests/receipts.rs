//! Receipts for the office: applying an order sends "applied", running its alert
//! "rang" or "not_rung" with the reason, from the pump (no frame is drawn here).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use packbell_client_core::fake::{EventFeed, FakeLink};
use packbell_shared::link::{LinkEvent, LinkRequest, ReceiptNote};
use packbell_shared::protocol::{NotRungWhy, OrderId, Priority, ReceiptStage};
use packbell_warehouse::settings::Settings;
use support::*;

/// A PC whose station is store 1, connected at seq 10 with nothing pending, plus the
/// harness that keeps its pump running.
fn warehouse(settings: Settings) -> (AppHarness, EventFeed, FakeLink) {
    let (harness, feed, link, _recorder) = fake_app(settings, None);
    feed.send(connected("Tienda")).unwrap();
    feed.send(reset(
        10,
        vec![store(1, "Centro"), store(2, "Norte")],
        Vec::new(),
    ))
    .unwrap();
    feed.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
    (harness, feed, link)
}

/// Every receipt the pump sent for `order_id`, in order.
fn receipts_for(link: &FakeLink, order_id: OrderId) -> Vec<ReceiptNote> {
    link.requester_sent()
        .into_iter()
        .filter_map(|request| match request {
            LinkRequest::Receipts(notes) => Some(notes),
            _ => None,
        })
        .flatten()
        .filter(|note| note.order_id == order_id)
        .collect()
}

/// Waits (bounded) until `order_id` has `count` receipts; returns them.
fn wait_receipts(link: &FakeLink, order_id: OrderId, count: usize) -> Vec<ReceiptNote> {
    let deadline = Instant::now() + WAIT;
    loop {
        let notes = receipts_for(link, order_id);
        if notes.len() >= count {
            return notes;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {count} receipts of order {order_id}: {notes:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn note(order_id: OrderId, stage: ReceiptStage, why: Option<NotRungWhy>) -> ReceiptNote {
    ReceiptNote {
        order_id,
        stage,
        why,
    }
}

fn station_centro() -> Settings {
    let mut settings = test_settings();
    settings.station = BTreeSet::from([1]);
    settings
}

#[test]
fn a_live_order_is_applied_then_rang() {
    let (_harness, feed, link) = warehouse(station_centro());
    let now = chrono::Utc::now();
    feed.send(live(created_event(
        11,
        5,
        "80001",
        1,
        Priority::Normal,
        now,
    )))
    .unwrap();
    assert_eq!(
        wait_receipts(&link, 5, 2),
        [
            note(5, ReceiptStage::Applied, None),
            note(5, ReceiptStage::Rang, None)
        ]
    );
}

#[test]
fn muted_or_another_stations_order_is_applied_but_not_rung_and_says_why() {
    let mut muted = station_centro();
    muted.muted = true;
    let (_harness, feed, link) = warehouse(muted);
    let now = chrono::Utc::now();
    feed.send(live(created_event(
        11,
        5,
        "80001",
        1,
        Priority::Normal,
        now,
    )))
    .unwrap();
    feed.send(live(created_event(
        12,
        6,
        "80002",
        2,
        Priority::Normal,
        now,
    )))
    .unwrap();
    assert_eq!(
        wait_receipts(&link, 5, 2),
        [
            note(5, ReceiptStage::Applied, None),
            note(5, ReceiptStage::NotRung, Some(NotRungWhy::SoundOff))
        ]
    );
    assert_eq!(
        wait_receipts(&link, 6, 2),
        [
            note(6, ReceiptStage::Applied, None),
            note(6, ReceiptStage::NotRung, Some(NotRungWhy::OtherStation))
        ]
    );
}

#[test]
fn orders_missed_while_away_ring_in_a_summary_which_counts_as_rung() {
    let (_harness, feed, link) = warehouse(station_centro());
    let now = chrono::Utc::now();
    feed.send(connected("Tienda")).unwrap();
    for (seq, order_id) in [(11, 5), (12, 6)] {
        feed.send(replayed(created_event(
            seq,
            order_id,
            &format!("8000{order_id}"),
            1,
            Priority::Normal,
            now,
        )))
        .unwrap();
    }
    feed.send(LinkEvent::CaughtUp { seq: 12 }).unwrap();
    for order_id in [5, 6] {
        assert_eq!(
            wait_receipts(&link, order_id, 2),
            [
                note(order_id, ReceiptStage::Applied, None),
                note(order_id, ReceiptStage::Rang, None)
            ]
        );
    }
}

#[test]
fn orders_already_waiting_at_start_are_shown_not_rung() {
    let (_harness, feed, link, _recorder) = fake_app(station_centro(), None);
    feed.send(connected("Tienda")).unwrap();
    let waiting = order(5, "80001", 1, Priority::Normal, t0(), "");
    feed.send(reset(10, vec![store(1, "Centro")], vec![waiting]))
        .unwrap();
    assert_eq!(
        wait_receipts(&link, 5, 2),
        [
            note(5, ReceiptStage::Applied, None),
            note(5, ReceiptStage::NotRung, Some(NotRungWhy::ShownAtStart))
        ]
    );
}
