//! A big site against the real server: thousands of stores and devices still travel in
//! frames of at most 64 KiB (snapshots, device pages, log pages), and a real client
//! link converges to the whole state. (The caps themselves are tested in `db::apply`.)
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;
mod link_support;

use std::path::Path;

use chrono::Utc;
use serde_json::json;

use packbell_server::RunningServer;
use packbell_server::db::{self, apply, pairing};
use packbell_shared::link::{LinkEvent, LinkRequest};
use packbell_shared::protocol::{
    Command, DeviceId, MAX_FRAME_BYTES, Role, ServerMessage, Snapshot, StoreId,
};

use common::Raw;
use link_support::{Client, Site, link_config};

const STORES: u64 = 3_000;
const DEVICES: u64 = 3_000;

/// A long store or device name (the splitting of the very longest, 64 four-byte
/// characters, is tested in `relay::snapshot`).
fn long_name(prefix: &str, n: u64) -> String {
    format!("{prefix} {n} {}", "ñ".repeat(40))
}

/// Writes `stores` stores and `devices` devices straight through the db layer in one
/// transaction (seconds, where one command per commit would take minutes).
fn seed(data_dir: &Path, stores: u64, devices: u64) {
    let mut conn = db::open(data_dir).unwrap();
    let tx = conn.transaction().unwrap();
    let now = Utc::now();
    for n in 1..=stores {
        let name = long_name("Store", n);
        let key = format!("seed-store-{n}");
        apply::command(&tx, 0, &key, &Command::AddStore { name }, now).unwrap();
    }
    for n in 1..=devices {
        let role = [Role::Office, Role::Warehouse][(n % 2) as usize];
        let expires = now + chrono::Duration::minutes(10);
        let code = pairing::new_pairing_code(&tx, role, now, expires).unwrap();
        let held = pairing::hold_for_guess(&tx, &pairing::normalise_code(&code), now).unwrap();
        pairing::enrol_held(&tx, &held, &long_name("Bench", n), now).unwrap();
        if n % 4 == 0 {
            let key = format!("seed-revoke-{n}");
            let revoke = Command::RevokeDevice { device_id: n };
            apply::command(&tx, 0, &key, &revoke, now).unwrap();
        }
    }
    tx.commit().unwrap();
}

/// The next message, after checking that its frame stayed within the limit. (The
/// client's own WebSocket refuses larger frames, so a bigger one fails the test too.)
async fn recv_fitting(raw: &mut Raw) -> ServerMessage {
    let message = raw.recv().await;
    let size = serde_json::to_string(&message).unwrap().len();
    assert!(size <= MAX_FRAME_BYTES, "a frame of {size} bytes");
    message
}

/// Seeding takes most of the time, so one site serves both halves: raw frames first,
/// then a real link.
#[test]
fn a_site_of_thousands_travels_in_fitting_frames_and_a_link_converges() {
    let dir = tempfile::tempdir().unwrap();
    let server_dir = dir.path().join("server");
    seed(&server_dir, STORES, DEVICES);
    let site = Site::start(&server_dir);
    site.runtime.block_on(frames_fit(site.server()));
    link_converges(&site, dir.path());
}

async fn frames_fit(server: &RunningServer) {
    let (mut admin, admin_id, _) = common::enrol(server, Role::Admin, "auditor").await;

    // The snapshot: every store and device, across frames.
    admin
        .send(json!({"type": "subscribe", "after_seq": 0}))
        .await;
    let mut joined = match recv_fitting(&mut admin).await {
        ServerMessage::Snapshot(snapshot) => snapshot,
        other => panic!("expected a snapshot, got {other:?}"),
    };
    let mut frames = 1;
    while joined.more {
        match recv_fitting(&mut admin).await {
            ServerMessage::SnapshotPart {
                seq,
                stores,
                devices,
                orders,
                more,
                ..
            } => {
                assert_eq!(seq, joined.seq);
                joined.stores.extend(stores);
                joined.devices.extend(devices);
                joined.orders.extend(orders);
                joined.more = more;
                frames += 1;
            }
            other => panic!("expected a snapshot part, got {other:?}"),
        }
    }
    let head = joined.seq;
    assert!(
        matches!(recv_fitting(&mut admin).await, ServerMessage::CaughtUp { seq } if seq == head)
    );
    assert!(frames > 3, "{frames} frames");
    let store_ids: Vec<StoreId> = joined.stores.iter().map(|s| s.store_id).collect();
    assert_eq!(store_ids, (1..=STORES).collect::<Vec<_>>());
    let device_ids: Vec<DeviceId> = joined.devices.iter().map(|d| d.device_id).collect();
    assert_eq!(device_ids, (1..=admin_id).collect::<Vec<_>>());

    // The device list, page by page.
    let mut listed: Vec<DeviceId> = Vec::new();
    let mut pages = 0;
    loop {
        let after = listed.last().copied().unwrap_or(0);
        admin
            .send(json!({"type": "list_devices", "after_device_id": after}))
            .await;
        let more = match recv_fitting(&mut admin).await {
            ServerMessage::Devices { devices, more } => {
                assert!(!devices.is_empty(), "a page after {after} is empty");
                listed.extend(devices.iter().map(|d| d.device_id));
                more
            }
            other => panic!("expected devices, got {other:?}"),
        };
        pages += 1;
        assert!(pages <= DEVICES, "paging does not end");
        if !more {
            break;
        }
    }
    assert_eq!(listed, device_ids);

    // The whole log from seq 1, page by page, for an auditor.
    let mut seqs = Vec::new();
    loop {
        let after = seqs.last().copied().unwrap_or(0);
        admin
            .send(json!({"type": "read_log", "after_seq": after}))
            .await;
        let more = match recv_fitting(&mut admin).await {
            ServerMessage::LogPage { events, more } => {
                seqs.extend(events.iter().map(|e| e.seq));
                more
            }
            other => panic!("expected a log page, got {other:?}"),
        };
        if !more {
            break;
        }
    }
    assert_eq!(seqs, (1..=head).collect::<Vec<_>>());
}

fn link_converges(site: &Site, dir: &Path) {
    let mut admin = Client::start(link_config(
        &dir.join("admin"),
        site.addr(),
        "admin",
        Some(site.code(Role::Admin)),
    ));
    let snapshot: Snapshot = admin.wait_for("the whole site", |e| match e {
        LinkEvent::Reset {
            snapshot,
            stale: false,
        } => Some(snapshot.clone()),
        _ => None,
    });
    // The seeded devices, the auditor of the first half, and this admin.
    assert_eq!(snapshot.stores.len() as u64, STORES);
    assert_eq!(snapshot.devices.len() as u64, DEVICES + 2);
    assert_eq!(
        snapshot.devices.iter().filter(|d| d.revoked).count() as u64,
        DEVICES / 4
    );
    admin.handle().request(LinkRequest::ListDevices).unwrap();
    let devices = admin.wait_for("every device", |e| match e {
        LinkEvent::Devices(devices) => Some(devices.clone()),
        _ => None,
    });
    assert_eq!(devices.len() as u64, DEVICES + 2);
    admin.shutdown();
}
