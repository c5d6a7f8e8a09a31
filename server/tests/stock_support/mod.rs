//! A server with stock settings for the stock tests: a manual clock that tests move,
//! an admin and a warehouse socket, and the event log read back over `read_log`.
#![allow(dead_code)]

use std::path::PathBuf;

use chrono::{Local, NaiveDate, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::common::{Raw, auth, enrol};
use packbell_server::stock::{ManualClock, StockConfig};
use packbell_server::{RunningServer, ServerConfig};
use packbell_shared::protocol::{Event, EventBody, Role, ServerMessage, Snapshot};

pub struct StockSite {
    pub server: RunningServer,
    pub dir: tempfile::TempDir,
    pub clock: ManualClock,
    pub store: u64,
    pub admin: Raw,
    pub admin_login: (u64, String),
    pub warehouse: Raw,
    pub warehouse_id: u64,
    pub import_folder: Option<PathBuf>,
}

fn config(dir: &std::path::Path, clock: &ManualClock, import: bool) -> ServerConfig {
    let mut config = ServerConfig::for_tests(dir.to_owned());
    let folder = import.then(|| dir.join("import"));
    config.stock = StockConfig::with_import_folder(folder);
    config.stock.rules.clock = clock.clock();
    // Only the test's own polls and checks run: the schedules never come round.
    config.stock.import_poll = std::time::Duration::from_secs(3600);
    config.stock.check_interval = std::time::Duration::from_secs(3600);
    config
}

impl StockSite {
    pub async fn start(import: bool) -> StockSite {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = ManualClock::starting_at(Utc::now());
        let server = RunningServer::start(config(dir.path(), &clock, import))
            .await
            .expect("server starts");
        let store = server.add_store("Centro").await.expect("store");
        let (admin, admin_id, admin_token) = enrol(&server, Role::Admin, "admin").await;
        let (warehouse, warehouse_id, _) = enrol(&server, Role::Warehouse, "bench").await;
        StockSite {
            server,
            import_folder: import.then(|| dir.path().join("import")),
            dir,
            clock,
            store,
            admin,
            admin_login: (admin_id, admin_token),
            warehouse,
            warehouse_id,
        }
    }

    /// Stops the server and starts it again on the same data, with the same clock.
    pub async fn restart(self) -> StockSite {
        let StockSite {
            server,
            dir,
            clock,
            store,
            admin_login,
            warehouse_id,
            import_folder,
            ..
        } = self;
        server.shutdown().await;
        let server = RunningServer::start(config(dir.path(), &clock, import_folder.is_some()))
            .await
            .expect("server restarts");
        let admin = auth(&server, admin_login.0, &admin_login.1).await;
        let (warehouse, warehouse_id_new, _) = enrol(&server, Role::Warehouse, "bench 2").await;
        let _ = warehouse_id;
        StockSite {
            server,
            dir,
            clock,
            store,
            admin,
            admin_login,
            warehouse,
            warehouse_id: warehouse_id_new,
            import_folder,
        }
    }

    /// The clock's local day, `days` from now.
    pub fn day(&self, days: i64) -> NaiveDate {
        (self.clock.now() + TimeDelta::days(days))
            .with_timezone(&Local)
            .date_naive()
    }

    /// Every event in the log, read as an auditor does.
    pub async fn log(&mut self) -> Vec<Event> {
        let mut events = Vec::new();
        loop {
            let after = events.last().map_or(0, |e: &Event| e.seq);
            self.admin
                .send(json!({"type": "read_log", "after_seq": after}))
                .await;
            match self
                .admin
                .recv_until(|m| matches!(m, ServerMessage::LogPage { .. }))
                .await
            {
                ServerMessage::LogPage { events: page, more } => {
                    events.extend(page);
                    if !more {
                        return events;
                    }
                }
                other => panic!("expected a log page, got {other:?}"),
            }
        }
    }

    /// The stock events of the log (alerts and stock changes).
    pub async fn stock_events(&mut self) -> Vec<EventBody> {
        self.log()
            .await
            .into_iter()
            .map(|e| e.body)
            .filter(|b| {
                !matches!(
                    b,
                    EventBody::StoreAdded { .. } | EventBody::DeviceEnrolled { .. }
                )
            })
            .collect()
    }

    pub async fn snapshot(&mut self) -> Snapshot {
        self.admin
            .send(json!({"type": "subscribe", "after_seq": 0}))
            .await;
        let mut snapshot = match self
            .admin
            .recv_until(|m| matches!(m, ServerMessage::Snapshot(_)))
            .await
        {
            ServerMessage::Snapshot(snapshot) => snapshot,
            other => panic!("expected a snapshot, got {other:?}"),
        };
        while snapshot.more {
            match self.admin.recv().await {
                ServerMessage::SnapshotPart {
                    items,
                    alerts,
                    orders,
                    more,
                    ..
                } => {
                    snapshot.items.extend(items);
                    snapshot.alerts.extend(alerts);
                    snapshot.orders.extend(orders);
                    snapshot.more = more;
                }
                other => panic!("expected a snapshot part, got {other:?}"),
            }
        }
        snapshot
    }
}

/// A command frame.
pub fn command(key: &str, command: Value) -> Value {
    json!({"type": "command", "key": key, "command": command})
}

/// Sends a command and returns its ack's seq, skipping events; panics on an error.
pub async fn acked(raw: &mut Raw, frame: Value) -> u64 {
    raw.send(frame.clone()).await;
    match raw
        .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
        .await
    {
        ServerMessage::Ack { seq, .. } => seq,
        other => panic!("expected an ack for {frame}, got {other:?}"),
    }
}

pub fn item(sku: &str, quantity: i64, min: i64, max: i64) -> Value {
    json!({"op": "upsert_item", "sku": sku, "name": format!("Item {sku}"), "unit": "pcs",
           "min": min, "max": max, "quantity": quantity})
}

pub fn adjust(sku: &str, delta: i64) -> Value {
    json!({"op": "adjust_stock", "sku": sku, "delta": delta, "reason": "test"})
}

/// The alert kinds raised, in log order, as wire names.
pub fn raised(events: &[EventBody]) -> Vec<(u64, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            EventBody::AlertRaised {
                alert_id,
                alert_kind,
                ..
            } => Some((*alert_id, alert_kind.as_str().to_owned())),
            _ => None,
        })
        .collect()
}

pub fn resolved(events: &[EventBody]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            EventBody::AlertResolved { alert_id } => Some(*alert_id),
            _ => None,
        })
        .collect()
}
