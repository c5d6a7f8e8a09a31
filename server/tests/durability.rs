//! The durability settings the writer's own connection runs with, read back from
//! SQLite. A crash is survived by WAL even with `synchronous=OFF`, so no crash test
//! would notice a weaker setting: this one does.

mod common;

use packbell_server::Limits;
use packbell_server::db::{JOURNAL_MODE, SYNCHRONOUS};

use common::{create_order, enrol, start_site};

#[tokio::test]
async fn the_writer_commits_in_wal_mode_with_full_sync_and_foreign_keys() {
    let site = start_site(Limits::default()).await;
    // After real writes too, not only right after opening.
    let (mut office, _, _) =
        enrol(&site.server, packbell_shared::protocol::Role::Office, "o").await;
    office.send(create_order("k1", "A-1", site.store)).await;
    office
        .recv_until(|m| matches!(m, packbell_shared::protocol::ServerMessage::Ack { .. }))
        .await;

    let settings = site.server.durability_settings().await.expect("settings");
    assert_eq!(settings.journal_mode, "wal", "{settings:?}");
    assert_eq!(settings.journal_mode, JOURNAL_MODE);
    assert_eq!(settings.synchronous, 2, "FULL: {settings:?}");
    assert_eq!(settings.synchronous, SYNCHRONOUS);
    assert!(settings.foreign_keys, "{settings:?}");
    assert!(settings.busy_timeout_ms > 0, "{settings:?}");
}
