use chrono::{Duration, TimeZone, Utc};
use packbell_shared::protocol::{AlertKind, Event, EventBody, Role, Severity, StoreId};

use super::*;

fn at(hours_ago: i64) -> DateTime<Utc> {
    now() - Duration::hours(hours_ago)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 12, 0, 0)
        .single()
        .expect("time")
}

/// A site where alert `n` was raised `hours_ago[n-1]` hours ago.
fn site(alerts: &[(AlertKind, Option<StoreId>, i64)]) -> SiteState {
    let mut site = SiteState::default();
    for (index, (kind, store_id, hours_ago)) in alerts.iter().enumerate() {
        let id = index as u64 + 1;
        site.apply(&Event {
            seq: id,
            at: at(*hours_ago),
            device: 0,
            body: EventBody::AlertRaised {
                alert_id: id,
                alert_kind: *kind,
                severity: kind.severity(),
                sku: format!("SKU-{id}"),
                lot: None,
                store_id: *store_id,
                quantity: 1,
                expiry: None,
            },
        });
    }
    site
}

fn resolve(site: &mut SiteState, alert_id: u64) {
    let seq = site.seq + 1;
    site.apply(&Event {
        seq,
        at: now(),
        device: 0,
        body: EventBody::AlertResolved { alert_id },
    });
}

fn acknowledge(site: &mut SiteState, alert_id: u64) {
    let seq = site.seq + 1;
    site.apply(&Event {
        seq,
        at: now(),
        device: 7,
        body: EventBody::AlertAcknowledged {
            alert_id,
            comment: "seen".into(),
        },
    });
}

fn ids(entries: Vec<&AlertEntry>) -> Vec<u64> {
    entries.iter().map(|e| e.alert.alert_id).collect()
}

#[test]
fn history_filters_by_severity_store_and_status_newest_first() {
    let mut site = site(&[
        (AlertKind::Low, Some(1), 5),
        (AlertKind::Over, Some(1), 4),
        (AlertKind::Expiring, Some(2), 3),
        (AlertKind::Expired, None, 2),
    ]);
    resolve(&mut site, 2);
    acknowledge(&mut site, 3);
    assert_eq!(
        ids(alert_history(&site, &AlertFilter::default())),
        vec![4, 3, 2, 1]
    );
    let critical = AlertFilter {
        severity: Some(Severity::Critical),
        ..AlertFilter::default()
    };
    assert_eq!(ids(alert_history(&site, &critical)), vec![4, 1]);
    let store_1 = AlertFilter {
        store: Some(Some(1)),
        ..AlertFilter::default()
    };
    assert_eq!(ids(alert_history(&site, &store_1)), vec![2, 1]);
    let site_wide = AlertFilter {
        store: Some(None),
        ..AlertFilter::default()
    };
    assert_eq!(ids(alert_history(&site, &site_wide)), vec![4]);
    for (status, expected) in [
        (AlertStatus::Open, vec![4, 1]),
        (AlertStatus::Acknowledged, vec![3]),
        (AlertStatus::Resolved, vec![2]),
    ] {
        let filter = AlertFilter {
            status: Some(status),
            ..AlertFilter::default()
        };
        assert_eq!(ids(alert_history(&site, &filter)), expected, "{status:?}");
    }
}

#[test]
fn the_summary_counts_the_span_by_store_and_severity() {
    let mut site = site(&[
        (AlertKind::Low, Some(1), 1),
        (AlertKind::Expired, Some(1), 23),
        (AlertKind::Over, Some(2), 30),
        (AlertKind::Expiring, None, 2),
        (AlertKind::Low, Some(1), 24 * 8),
    ]);
    resolve(&mut site, 1);
    let day = alert_summary(&site, SummarySpan::Day, now());
    assert_eq!(
        day,
        vec![
            SummaryRow {
                store: None,
                critical: 0,
                high: 1,
                medium: 0
            },
            SummaryRow {
                store: Some(1),
                critical: 2,
                high: 0,
                medium: 0
            },
        ],
        "resolved alerts count too; store 2's is older than a day"
    );
    let week = alert_summary(&site, SummarySpan::Week, now());
    assert_eq!(week.len(), 3);
    assert_eq!(
        week[2],
        SummaryRow {
            store: Some(2),
            critical: 0,
            high: 0,
            medium: 1
        }
    );
    assert_eq!(week[1].critical, 2, "the 8-day-old one is outside the week");
}

#[test]
fn only_warehouse_and_admin_acknowledge_with_a_bounded_comment() {
    assert!(!may_acknowledge(Some(Role::Office)));
    assert!(!may_acknowledge(None));
    assert!(may_acknowledge(Some(Role::Warehouse)));
    let mut model = Model {
        site: site(&[(AlertKind::Low, Some(1), 1), (AlertKind::Low, Some(1), 1)]),
        role: Some(Role::Office),
        ..Model::default()
    };
    model.open_ack(1);
    assert_eq!(model.alerts.ack, None, "an office PC only reads");
    model.role = Some(Role::Admin);
    acknowledge(&mut model.site, 2);
    model.open_ack(2);
    assert_eq!(model.alerts.ack, None, "already acknowledged");
    model.open_ack(1);
    let dialog = model.alerts.ack.as_mut().expect("open");
    dialog.comment = "x".repeat(MAX_COMMENT_CHARS + 1);
    assert_eq!(model.confirm_ack(), None);
    assert!(model.alerts.ack.as_ref().is_some_and(|d| d.too_long));
    model.alerts.ack.as_mut().expect("still open").comment = "  restock ordered ".into();
    let (command, operation) = model.confirm_ack().expect("sent");
    assert_eq!(
        command,
        Command::AckAlert {
            alert_id: 1,
            comment: "restock ordered".into()
        }
    );
    assert_eq!(
        operation,
        Operation::Stock(StockOperation::Acknowledge {
            alert_id: 1,
            sku: "SKU-1".into()
        })
    );
    assert_eq!(model.alerts.ack, None);
}
