//! The stock alert banner in the real app, on a fake link: alerts from the snapshot
//! and live events are shown for this station, acknowledging sends `ack_alert`, and a
//! resolved alert leaves the banner.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod support;

use chrono::Utc;
use egui_kittest::kittest::Queryable;
use packbell_shared::link::{LinkEvent, LinkRequest};
use packbell_shared::protocol::{AlertKind, Command, Event, EventBody, Snapshot, StockAlert};
use packbell_warehouse::alert::Call;
use packbell_warehouse::settings::SoundId;
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

fn raised(seq: u64, alert_id: u64, kind: AlertKind, store_id: Option<u64>) -> LinkEvent {
    stock_event(
        seq,
        EventBody::AlertRaised {
            alert_id,
            alert_kind: kind,
            severity: kind.severity(),
            sku: format!("SKU-{alert_id}"),
            lot: None,
            store_id,
            quantity: 1,
            expiry: None,
        },
    )
}

/// The sounds played so far, in order.
fn played(calls: &[Call]) -> Vec<SoundId> {
    calls
        .iter()
        .filter_map(|call| match call {
            Call::Sound { sound, .. } => Some(*sound),
            _ => None,
        })
        .collect()
}

#[test]
fn critical_alerts_chime_the_stock_sound_at_each_level_and_others_stay_silent() {
    let mut settings = test_settings();
    settings.station = [1].into_iter().collect();
    settings.volume = 0.6;
    let (mut harness, events, _link, recorder) = fake_app(settings, None);
    events.send(connected("Tienda")).unwrap();
    events
        .send(LinkEvent::Reset {
            snapshot: Snapshot {
                seq: 10,
                stores: vec![store(1, "Centro"), store(2, "Norte")],
                alerts: vec![alert(1, AlertKind::Low, Some(1))],
                ..Snapshot::default()
            },
            stale: false,
        })
        .unwrap();
    events.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
    step_until(&mut harness, "the banner", |h| {
        has_label(h, "LOW STOCK: SKU-1 — level 1")
    });

    // Non-critical here, critical at another station, then a critical marker: events
    // are handled in order, so a chime for the first two would come before the marker's.
    events
        .send(raised(11, 2, AlertKind::Over, Some(1)))
        .unwrap();
    events
        .send(raised(12, 3, AlertKind::Expiring, None))
        .unwrap();
    events.send(raised(13, 4, AlertKind::Low, Some(2))).unwrap();
    events.send(raised(14, 5, AlertKind::Low, Some(1))).unwrap();
    let calls = wait_calls(&recorder, "the critical chime", |c| !played(c).is_empty());
    assert_eq!(played(&calls), vec![SoundId::StockCritical], "{calls:?}");
    assert!(calls.contains(&Call::Sound {
        sound: SoundId::StockCritical,
        volume: 0.6
    }));
    assert!(
        shown_titles(&calls).iter().any(|t| t.contains("SKU-5")),
        "{calls:?}"
    );

    events
        .send(stock_event(
            15,
            EventBody::AlertEscalated {
                alert_id: 5,
                level: 2,
            },
        ))
        .unwrap();
    let calls = wait_calls(&recorder, "the escalation chime", |c| played(c).len() == 2);
    assert_eq!(
        played(&calls),
        vec![SoundId::StockCritical, SoundId::StockCritical]
    );
    step_until(&mut harness, "the escalated line", |h| {
        has_label(h, "LOW STOCK: SKU-5 — level 2")
    });
}

#[test]
fn a_muted_warehouse_does_not_chime_for_stock_alerts() {
    let mut settings = test_settings();
    settings.muted = true;
    let (mut harness, events, _link, recorder) = fake_app(settings, None);
    events.send(connected("Tienda")).unwrap();
    events
        .send(LinkEvent::Reset {
            snapshot: Snapshot {
                seq: 10,
                stores: vec![store(1, "Centro")],
                ..Snapshot::default()
            },
            stale: false,
        })
        .unwrap();
    events.send(LinkEvent::CaughtUp { seq: 10 }).unwrap();
    events.send(raised(11, 1, AlertKind::Low, Some(1))).unwrap();
    step_until(&mut harness, "the banner", |h| {
        has_label(h, "LOW STOCK: SKU-1 — level 1")
    });
    // The notification is the observable sign the pump handled the alert.
    let calls = wait_calls(&recorder, "the notification", |c| {
        !shown_titles(c).is_empty()
    });
    assert!(played(&calls).is_empty(), "{calls:?}");
}
