//! Stock alerts over real sockets: each kind raised once at its threshold and resolved
//! when it clears, acknowledgements recorded, escalation on a clock the test moves,
//! open alerts kept across a restart and expiry raised at start.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;
mod stock_support;

use chrono::TimeDelta;
use serde_json::json;

use packbell_shared::protocol::{EventBody, Role};
use stock_support::{StockSite, acked, adjust, command, item, raised, resolved};

#[tokio::test]
async fn low_and_over_are_raised_once_at_their_thresholds_and_resolve_when_cleared() {
    let mut site = StockSite::start(false).await;
    acked(&mut site.admin, command("i-1", item("TEA", 6, 5, 10))).await;
    assert!(raised(&site.stock_events().await).is_empty(), "6 > min 5");

    acked(&mut site.admin, command("a-1", adjust("TEA", -1))).await;
    acked(&mut site.admin, command("a-2", adjust("TEA", -1))).await;
    let events = site.stock_events().await;
    let low = raised(&events);
    assert_eq!(
        low.len(),
        1,
        "one low alert at 5 and none more at 4: {events:?}"
    );
    assert_eq!(low[0].1, "low");

    acked(&mut site.admin, command("a-3", adjust("TEA", 2))).await;
    assert_eq!(resolved(&site.stock_events().await), vec![low[0].0]);

    acked(&mut site.admin, command("a-4", adjust("TEA", 4))).await;
    assert_eq!(
        raised(&site.stock_events().await).len(),
        1,
        "10 is not over 10"
    );
    acked(&mut site.admin, command("a-5", adjust("TEA", 1))).await;
    acked(&mut site.admin, command("a-6", adjust("TEA", 1))).await;
    let over: Vec<_> = raised(&site.stock_events().await)
        .into_iter()
        .filter(|(_, kind)| kind == "over")
        .collect();
    assert_eq!(over.len(), 1, "one over alert at 11, none more at 12");

    // The warehouse counts the shelf back to 10: the over alert clears.
    acked(
        &mut site.warehouse,
        command(
            "c-1",
            json!({"op": "count_stock", "sku": "TEA", "counted": 10}),
        ),
    )
    .await;
    let events = site.stock_events().await;
    assert_eq!(resolved(&events), vec![low[0].0, over[0].0]);
    assert!(site.snapshot().await.alerts.is_empty());
    site.server.shutdown().await;
}

#[tokio::test]
async fn lots_raise_expiring_then_expired_as_the_clock_moves() {
    let mut site = StockSite::start(false).await;
    let upsert = json!({"op": "upsert_item", "sku": "MILK", "name": "Milk", "unit": "l",
        "min": 0, "max": 100, "quantity": 20, "lots": [
            {"lot": "L7", "quantity": 10, "expiry": site.day(7).to_string()},
            {"lot": "L8", "quantity": 10, "expiry": site.day(8).to_string()}]});
    acked(&mut site.admin, command("i-1", upsert)).await;
    let first = raised(&site.stock_events().await);
    assert_eq!(first.len(), 1, "only the lot 7 days away: {first:?}");
    assert_eq!(first[0].1, "expiring");

    site.clock.advance(TimeDelta::days(1));
    site.server.check_stock().await.unwrap();
    site.server.check_stock().await.unwrap();
    let now = raised(&site.stock_events().await);
    assert_eq!(now.len(), 2, "lot L8 is expiring now, once: {now:?}");

    site.clock.advance(TimeDelta::days(8));
    site.server.check_stock().await.unwrap();
    site.server.check_stock().await.unwrap();
    let events = site.stock_events().await;
    let kinds: Vec<_> = raised(&events).into_iter().map(|(_, k)| k).collect();
    assert_eq!(kinds, vec!["expiring", "expiring", "expired", "expired"]);
    assert_eq!(resolved(&events).len(), 2, "expiring gives way to expired");

    // Counting an expired lot to 0 (thrown away) clears its alert.
    acked(
        &mut site.warehouse,
        command(
            "c-1",
            json!({"op": "count_stock", "sku": "MILK", "lot": "L7", "counted": 0}),
        ),
    )
    .await;
    let open = site.snapshot().await.alerts;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].lot.as_deref(), Some("L8"));
    site.server.shutdown().await;
}

#[tokio::test]
async fn an_acknowledgement_is_recorded_and_stops_escalation() {
    let mut site = StockSite::start(false).await;
    acked(&mut site.admin, command("i-1", item("RICE", 1, 5, 50))).await;
    let alert_id = raised(&site.stock_events().await)[0].0;
    let (mut office, _, _) = common::enrol(&site.server, Role::Office, "office").await;
    office
        .send(command(
            "o-1",
            json!({"op": "ack_alert", "alert_id": alert_id}),
        ))
        .await;
    office.expect_error("forbidden").await;

    acked(
        &mut site.warehouse,
        command(
            "k-1",
            json!({"op": "ack_alert", "alert_id": alert_id, "comment": "ordered"}),
        ),
    )
    .await;
    let log = site.log().await;
    let ack = log
        .iter()
        .find(|e| matches!(e.body, EventBody::AlertAcknowledged { .. }))
        .expect("the acknowledgement is in the log");
    assert_eq!(ack.device, site.warehouse_id, "the log says who");
    assert_eq!(
        ack.body,
        EventBody::AlertAcknowledged {
            alert_id,
            comment: "ordered".into()
        }
    );
    let alerts = site.snapshot().await.alerts;
    let acknowledged = alerts[0].acknowledged.as_ref().expect("acknowledged");
    assert_eq!(acknowledged.by, site.warehouse_id);
    assert_eq!(acknowledged.comment, "ordered");

    site.clock.advance(TimeDelta::hours(5));
    assert_eq!(site.server.check_stock().await.unwrap(), 0, "no escalation");
    site.warehouse
        .send(command(
            "k-2",
            json!({"op": "ack_alert", "alert_id": alert_id}),
        ))
        .await;
    site.warehouse.expect_error("invalid_state").await;
    site.server.shutdown().await;
}

#[tokio::test]
async fn escalation_follows_the_clock() {
    let mut site = StockSite::start(false).await;
    acked(&mut site.admin, command("i-1", item("SALT", 0, 5, 50))).await;
    let levels = |events: &[EventBody]| -> Vec<u8> {
        events
            .iter()
            .filter_map(|e| match e {
                EventBody::AlertEscalated { level, .. } => Some(*level),
                _ => None,
            })
            .collect()
    };
    site.clock.advance(TimeDelta::minutes(59));
    site.server.check_stock().await.unwrap();
    assert!(levels(&site.stock_events().await).is_empty());
    site.clock.advance(TimeDelta::minutes(1));
    site.server.check_stock().await.unwrap();
    assert_eq!(levels(&site.stock_events().await), vec![2]);
    site.clock.advance(TimeDelta::minutes(179));
    site.server.check_stock().await.unwrap();
    assert_eq!(levels(&site.stock_events().await), vec![2]);
    site.clock.advance(TimeDelta::minutes(1));
    site.server.check_stock().await.unwrap();
    site.clock.advance(TimeDelta::hours(10));
    site.server.check_stock().await.unwrap();
    assert_eq!(levels(&site.stock_events().await), vec![2, 3]);
    assert_eq!(site.snapshot().await.alerts[0].level, 3);
    site.server.shutdown().await;
}

#[tokio::test]
async fn open_alerts_survive_a_restart_and_what_expired_meanwhile_is_raised_at_start() {
    let mut site = StockSite::start(false).await;
    let upsert = json!({"op": "upsert_item", "sku": "EGGS", "name": "Eggs", "unit": "box",
        "min": 5, "max": 100, "quantity": 3, "lots": [
            {"lot": "E1", "quantity": 3, "expiry": site.day(20).to_string()}]});
    acked(&mut site.admin, command("i-1", upsert)).await;
    let before = site.snapshot().await.alerts;
    assert_eq!(before.len(), 1, "low only: {before:?}");

    site.clock.advance(TimeDelta::days(30));
    let mut site = site.restart().await;
    // No check was asked for: the one at start raised it.
    let after = site.snapshot().await.alerts;
    assert_eq!(after.len(), 2, "{after:?}");
    assert_eq!(
        (after[0].alert_id, after[0].alert_kind, after[0].raised_at),
        (
            before[0].alert_id,
            before[0].alert_kind,
            before[0].raised_at
        ),
        "the open low alert is the same one"
    );
    assert_eq!(
        after[0].level, 3,
        "30 days unacknowledged, escalated at start"
    );
    assert_eq!(after[1].alert_kind.as_str(), "expired");
    assert_eq!(after[1].lot.as_deref(), Some("E1"));
    site.server.shutdown().await;
}

#[tokio::test]
async fn stock_commands_check_roles_and_items() {
    let mut site = StockSite::start(false).await;
    site.warehouse
        .send(command("w-1", item("TEA", 1, 0, 5)))
        .await;
    site.warehouse.expect_error("forbidden").await;
    site.admin.send(command("a-1", adjust("NOPE", 1))).await;
    site.admin.expect_error("invalid_field").await;
    acked(&mut site.admin, command("i-1", item("TEA", 1, 0, 5))).await;
    site.admin.send(command("a-2", adjust("TEA", -2))).await;
    site.admin.expect_error("invalid_state").await;
    site.admin.send(command("i-2", item("BAD", 1, 9, 5))).await;
    site.admin.expect_error("invalid_field").await;
    site.server.shutdown().await;
}
