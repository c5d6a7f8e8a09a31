//! The stock alert banner in the real app, on a fake link: alerts from the snapshot
//! and live events are shown for this station, acknowledging sends `ack_alert`, and a
//! resolved alert leaves the banner.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod support;

use chrono::Utc;
use egui_kittest::kittest::Queryable;
use packbell_shared::link::{LinkEvent, LinkRequest};
use packbell_shared::protocol::{AlertKind, Command, Event, EventBody, Snapshot, StockAlert};
use support::*;

fn alert(alert_id: u64, kind: AlertKind, store_id: Option<u64>) -> StockAlert {
    StockAlert {
        alert_id,
        alert_kind: kind,
        severity: kind.severity(),
        sku: format!("SKU-{alert_id}"),
        lot: None,
        store_id,
        level: 1,
        raised_at: Utc::now(),
        acknowledged: None,
    }
}

fn stock_event(seq: u64, body: EventBody) -> LinkEvent {
    live(Event {
        seq,
        at: Utc::now(),
        device: 0,
        body,
    })
}

#[test]
fn the_banner_shows_the_station_s_alerts_and_acknowledges_one() {
    let mut settings = test_settings();
    settings.station = [1].into_iter().collect();
    let (mut harness, events, link, _recorder) = fake_app(settings, None);
    events.send(connected("Tienda")).unwrap();
    events
        .send(LinkEvent::Reset {
            snapshot: Snapshot {
                seq: 10,
                stores: vec![store(1, "Centro"), store(2, "Norte")],
                alerts: vec![
                    alert(1, AlertKind::Low, Some(1)),
                    alert(2, AlertKind::Over, Some(2)),
                ],
                ..Snapshot::default()
            },
            stale: false,
        })
        .unwrap();
    events.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
    step_until(&mut harness, "the banner", |h| {
        has_label(h, "LOW STOCK: SKU-1 — level 1")
    });
    assert!(
        !has_label_containing(&harness, "SKU-2"),
        "store 2 is another station's"
    );

    harness.get_by_label("Acknowledge SKU-1").click();
    harness.run();
    assert!(
        link.sent().iter().any(|request| matches!(
            request,
            LinkRequest::Submit {
                command: Command::AckAlert { alert_id: 1, .. },
                ..
            }
        )),
        "{:?}",
        link.sent()
    );

    events
        .send(stock_event(
            11,
            EventBody::AlertRaised {
                alert_id: 3,
                alert_kind: AlertKind::Expired,
                severity: AlertKind::Expired.severity(),
                sku: "MILK".into(),
                lot: Some("L7".into()),
                store_id: None,
                quantity: 4,
                expiry: None,
            },
        ))
        .unwrap();
    step_until(&mut harness, "the live alert", |h| {
        has_label(h, "EXPIRED: MILK (lot L7) — level 1")
    });
    events
        .send(stock_event(12, EventBody::AlertResolved { alert_id: 1 }))
        .unwrap();
    step_until(&mut harness, "the resolved alert gone", |h| {
        !has_label_containing(h, "SKU-1")
    });
    assert!(has_label(&harness, "EXPIRED: MILK (lot L7) — level 1"));
}
