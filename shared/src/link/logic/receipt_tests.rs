//! Receipts in the link: sent at once when connected, held (bounded) otherwise and
//! sent after the next `subscribe`; receipts from the server go to the owner.

use std::path::PathBuf;
use std::time::Instant;

use crate::protocol::{ClientMessage, NotRungWhy, Receipt, ReceiptStage, ServerMessage};

use super::super::api::{LinkConfig, LinkEvent, LinkRequest, ReceiptNote};
use super::{Action, LinkLogic, MAX_HELD_RECEIPTS};

fn logic() -> LinkLogic {
    LinkLogic::new(&LinkConfig {
        data_dir: PathBuf::from("unused"),
        server: None,
        discovery_targets: Vec::new(),
        site: None,
        device_name: "bench".into(),
        insecure_plaintext: false,
        pairing_code: None,
    })
}

fn rang(order_id: u64) -> ReceiptNote {
    ReceiptNote {
        order_id,
        stage: ReceiptStage::Rang,
        why: None,
    }
}

fn sent_receipts(actions: &[Action]) -> Vec<u64> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Send(ClientMessage::Receipt { order_id, .. }) => Some(*order_id),
            _ => None,
        })
        .collect()
}

#[test]
fn receipts_go_out_when_connected_and_wait_for_the_next_subscribe_otherwise() {
    let mut link = logic();
    let mut out = Vec::new();
    link.on_requests(
        Some(vec![LinkRequest::Receipts(vec![rang(1)])]),
        true,
        &mut out,
    );
    assert_eq!(sent_receipts(&out), [1]);

    let mut out = Vec::new();
    link.on_requests(
        Some(vec![LinkRequest::Receipts(vec![rang(2), rang(3)])]),
        false,
        &mut out,
    );
    assert!(sent_receipts(&out).is_empty(), "not connected: held");
    let mut out = Vec::new();
    link.subscribe(Instant::now(), &mut out);
    assert!(matches!(
        out.first(),
        Some(Action::Send(ClientMessage::Subscribe { .. }))
    ));
    assert_eq!(sent_receipts(&out), [2, 3]);
    let mut out = Vec::new();
    link.subscribe(Instant::now(), &mut out);
    assert!(sent_receipts(&out).is_empty(), "sent once");
}

#[test]
fn an_owner_that_watches_receipts_asks_for_them_after_every_subscribe() {
    let mut link = logic();
    let mut out = Vec::new();
    link.subscribe(Instant::now(), &mut out);
    assert!(
        !out.iter()
            .any(|a| matches!(a, Action::Send(ClientMessage::WatchReceipts {})))
    );
    let mut out = Vec::new();
    link.on_requests(Some(vec![LinkRequest::WatchReceipts]), false, &mut out);
    assert!(out.is_empty(), "not connected: no notice, nothing sent");
    for _ in 0..2 {
        let mut out = Vec::new();
        link.subscribe(Instant::now(), &mut out);
        let watches = out
            .iter()
            .filter(|a| matches!(a, Action::Send(ClientMessage::WatchReceipts {})))
            .count();
        assert_eq!(watches, 1);
    }
}

#[test]
fn held_receipts_are_bounded_and_the_oldest_go_first() {
    let mut link = logic();
    let count = u64::try_from(MAX_HELD_RECEIPTS).unwrap_or(u64::MAX) + 10;
    let notes = (1..=count).map(rang).collect();
    link.on_requests(
        Some(vec![LinkRequest::Receipts(notes)]),
        false,
        &mut Vec::new(),
    );
    let mut out = Vec::new();
    link.subscribe(Instant::now(), &mut out);
    let sent = sent_receipts(&out);
    assert_eq!(sent.len(), MAX_HELD_RECEIPTS);
    assert_eq!(sent.first(), Some(&11));
    assert_eq!(sent.last(), Some(&count));
}

#[test]
fn receipts_and_the_warehouse_count_reach_the_owner() {
    let mut link = logic();
    let receipt = Receipt {
        order_id: 4,
        device_id: 9,
        device_name: "Bodega-2".into(),
        stage: ReceiptStage::NotRung,
        why: Some(NotRungWhy::SoundOff),
        at: chrono::Utc::now(),
    };
    let mut out = Vec::new();
    link.on_live_message(
        ServerMessage::Receipt(receipt.clone()),
        Instant::now(),
        &mut out,
    )
    .expect("handled");
    link.on_live_message(
        ServerMessage::WarehousesOnline { count: 2 },
        Instant::now(),
        &mut out,
    )
    .expect("handled");
    assert_eq!(
        out,
        [
            Action::Emit(LinkEvent::Receipt(receipt)),
            Action::Emit(LinkEvent::WarehousesOnline(2))
        ]
    );
}
