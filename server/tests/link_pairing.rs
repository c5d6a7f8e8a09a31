//! The client link's pairing, admin requests, revocation and discovery, against the
//! real in-process server.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod link_support;

use packbell_server::ServerConfig;
use packbell_shared::link::{LinkConfig, LinkEvent, LinkRequest, LinkStatus};
use packbell_shared::protocol::{Command, ErrorCode, Role};

use link_support::*;

fn needs_pairing(event: &LinkEvent) -> Option<Option<String>> {
    match event {
        LinkEvent::Status(LinkStatus::NeedsPairing { reason }) => Some(reason.clone()),
        _ => None,
    }
}

#[test]
fn pairs_with_a_code_given_later_after_a_wrong_one() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start_on(&dir.path().join("server"), 0);
    let config = link_config(&dir.path().join("client"), site.addr(), "packing 1", None);
    let mut client = Client::start(config.clone());
    assert_eq!(client.wait_for("NeedsPairing", needs_pairing), None);

    client
        .handle()
        .request(LinkRequest::Pair {
            code: "000000".into(),
        })
        .unwrap();
    let reason = client.wait_for("NeedsPairing with a reason", needs_pairing);
    assert!(reason.is_some_and(|r| !r.is_empty()));

    let code = site.code(Role::Warehouse);
    client.handle().request(LinkRequest::Pair { code }).unwrap();
    let role = client.wait_for("Connected", |e| match e {
        LinkEvent::Status(LinkStatus::Connected { role, .. }) => Some(*role),
        _ => None,
    });
    assert_eq!(role, Role::Warehouse);
    client.shutdown();

    // The token was kept: no code needed any more.
    let mut client = Client::start(config);
    client.wait_connected();
    assert!(!client.seen.iter().any(|e| needs_pairing(e).is_some()));
    client.shutdown();
}

#[test]
fn admin_requests_rejections_and_revocation() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start_on(&dir.path().join("server"), 0);
    let store = site.add_store("Centro");
    let mut admin = Client::start(link_config(
        &dir.path().join("admin"),
        site.addr(),
        "owner",
        Some(site.code(Role::Admin)),
    ));
    admin.wait_connected();
    admin.wait_caught_up();

    admin
        .handle()
        .request(LinkRequest::NewPairingCode {
            role: Role::Warehouse,
        })
        .unwrap();
    let code = admin.wait_for("PairingCode", |e| match e {
        LinkEvent::PairingCode { code, role, .. } => {
            assert_eq!(*role, Role::Warehouse);
            Some(code.clone())
        }
        _ => None,
    });
    let warehouse_config = link_config(
        &dir.path().join("warehouse"),
        site.addr(),
        "packing 2",
        Some(code),
    );
    let mut warehouse = Client::start(warehouse_config.clone());
    let device_id = warehouse.wait_for("Connected", |e| match e {
        LinkEvent::Status(LinkStatus::Connected { device_id, .. }) => Some(*device_id),
        _ => None,
    });
    warehouse.wait_caught_up();

    admin.handle().request(LinkRequest::ListDevices).unwrap();
    let devices = admin.wait_for("Devices", |e| match e {
        LinkEvent::Devices(devices) => Some(devices.clone()),
        _ => None,
    });
    assert!(
        devices
            .iter()
            .any(|d| d.device_id == device_id && d.name == "packing 2")
    );

    // A warehouse device may not create orders: rejected, not retried.
    let key = warehouse.handle().submit(order("not mine", store)).unwrap();
    let (rejected, code) = warehouse.wait_for("Rejected", |e| match e {
        LinkEvent::Rejected { key, code, .. } => Some((key.clone(), *code)),
        LinkEvent::Acked { key, .. } => panic!("{key} should have been refused"),
        _ => None,
    });
    assert_eq!((rejected, code), (key, ErrorCode::Forbidden));

    admin
        .handle()
        .submit(Command::RevokeDevice { device_id })
        .unwrap();
    let refused = warehouse.wait_for("Refused", |e| match e {
        LinkEvent::Status(LinkStatus::Refused { reason }) => Some(reason.clone()),
        _ => None,
    });
    assert!(!refused.is_empty());
    warehouse.shutdown();

    // The revoked token was forgotten: the device asks for a new pairing.
    let mut warehouse = Client::start(LinkConfig {
        insecure_plaintext: false,
        pairing_code: None,
        ..warehouse_config
    });
    assert_eq!(warehouse.wait_for("NeedsPairing", needs_pairing), None);
    warehouse.shutdown();
    admin.shutdown();
}

#[test]
fn finds_the_server_by_discovery_and_remembers_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut server_config = ServerConfig::for_tests(dir.path().join("server"));
    server_config.discovery_port = Some(0);
    let site = Site::start_with(server_config, 0);
    let discovery_port = site.server().discovery_addr().unwrap().port();

    let mut config = link_config(&dir.path().join("client"), site.addr(), "packing 3", None);
    config.server = None;
    config.site = Some("test".into());
    config.discovery_targets = vec![([127, 0, 0, 1], discovery_port).into()];
    config.pairing_code = Some(site.code(Role::Warehouse));
    let mut client = Client::start(config.clone());
    client.wait_connected();
    client.shutdown();

    // Discovery now finds nothing (wrong port); the last good server is used.
    let unused = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    config.discovery_targets = vec![unused.local_addr().unwrap()];
    config.pairing_code = None;
    let mut client = Client::start(config);
    client.wait_connected();
    client.shutdown();
}
