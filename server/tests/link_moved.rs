//! A server that comes back at another address is found again by its fingerprint,
//! without pairing again, and the link reports each look for it.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod link_support;

use packbell_server::ServerConfig;
use packbell_shared::link::LinkEvent;
use packbell_shared::link::diagnosis::{Cause, Via};
use packbell_shared::protocol::Role;

use link_support::*;

#[test]
fn a_server_at_a_new_address_is_found_by_its_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let mut server_config = ServerConfig::for_tests(dir.path().join("server"));
    server_config.discovery_port = Some(0);
    let mut site = Site::start_with(server_config, 0);
    let discovery_port = site.server().discovery_addr().unwrap().port();
    let fingerprint = site.server().server_id().to_owned();

    let mut config = link_config(&dir.path().join("client"), site.addr(), "packing 4", None);
    config.server = None;
    config.discovery_targets = vec![([127, 0, 0, 1], discovery_port).into()];
    config.pairing_code = Some(site.code(Role::Warehouse));
    let mut client = Client::start(config.clone());
    client.wait_connected();
    client.shutdown();

    // The server comes back elsewhere: another WebSocket port and discovery port, so
    // the last good address is dead.
    let old_addr = site.addr();
    site.stop();
    let mut moved_config = site.config.clone();
    moved_config.discovery_port = Some(0);
    let moved = Site::start_with(moved_config, 0);
    assert_ne!(moved.addr(), old_addr);
    config.discovery_targets = vec![
        (
            [127, 0, 0, 1],
            moved.server().discovery_addr().unwrap().port(),
        )
            .into(),
    ];
    config.pairing_code = None;
    let mut client = Client::start(config);
    let report = client.wait_for("a look that found the server", |event| match event {
        LinkEvent::Connection(report) if matches!(report.cause, Cause::Found { .. }) => {
            Some(report.clone())
        }
        _ => None,
    });
    assert_eq!(
        report.cause,
        Cause::Found {
            address: moved.addr(),
            via: Via::Broadcast
        }
    );
    assert_eq!(
        report
            .look
            .paired
            .as_ref()
            .map(|paired| paired.fingerprint.as_str()),
        Some(fingerprint.as_str())
    );
    assert!(
        report
            .look
            .silent
            .iter()
            .any(|silent| silent.address == old_addr.to_string() && silent.via == Via::LastGood),
        "the old address was asked and stayed silent: {:?}",
        report.look.silent
    );
    client.wait_connected();
    client.shutdown();
}
