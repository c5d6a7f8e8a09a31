//! Admin screens, pairing, servers found, role changes, site status.

use super::*;

#[test]
fn admin_screens_only_for_admins_and_role_is_remembered() {
    let mut m = model();
    assert!(!m.is_admin());
    m.apply_link_event(
        LinkEvent::Status(LinkStatus::Connected {
            site: "shop".into(),
            server_id: "srv".into(),
            device_id: ME,
            role: Role::Admin,
        }),
        t0(),
    );
    assert!(m.is_admin());
    m.apply_link_event(
        LinkEvent::Status(LinkStatus::Reconnecting {
            since: t0(),
            attempt: 1,
            reason: "refused".into(),
        }),
        t0(),
    );
    assert!(m.is_admin(), "still admin while offline");
    assert!(matches!(m.connection(), Connection::Reconnecting { .. }));
    assert!(Model::restored(Some(Role::Admin)).is_admin());
}

#[test]
fn store_names_are_checked_before_sending() {
    let mut m = model();
    m.admin.new_store = "  ".into();
    assert!(m.add_store().is_none());
    assert_eq!(m.admin.new_store_error, Some(NameError::Empty));
    m.admin.new_store = "centro".into();
    assert!(m.add_store().is_none());
    assert_eq!(
        m.admin.new_store_error,
        Some(NameError::Taken {
            name: "Centro".into()
        })
    );
    m.admin.new_store = " Oeste ".into();
    let (command, _) = m.add_store().expect("valid");
    assert_eq!(
        command,
        Command::AddStore {
            name: "Oeste".into()
        }
    );
    assert_eq!(m.admin.new_store, "");

    m.start_rename(2);
    assert_eq!(m.admin.renaming, Some((2, "Norte".into())));
    m.admin.renaming = Some((2, "Norte".into()));
    let (command, operation) = m.rename_store().expect("same name is fine");
    assert_eq!(
        command,
        Command::RenameStore {
            store_id: 2,
            name: "Norte".into()
        }
    );
    m.operation_sent("r".into(), operation);
    assert!(m.store_busy(2));
    m.apply_link_event(
        LinkEvent::Rejected {
            key: "r".into(),
            code: ErrorCode::Forbidden,
            message: "admin only".into(),
        },
        t0(),
    );
    assert!(!m.store_busy(2));
    assert!(matches!(
        m.admin_feedback,
        Some(Feedback::OperationRefused(
            Operation::RenameStore { .. },
            _,
            _
        ))
    ));
}

#[test]
fn pairing_is_asked_for_and_closes_once_connected() {
    let mut m = Model::default();
    m.apply_link_event(
        LinkEvent::Status(LinkStatus::NeedsPairing {
            reason: Some("code expired".into()),
        }),
        t0(),
    );
    assert!(m.pairing.needed);
    assert_eq!(m.pairing.reason.as_deref(), Some("code expired"));
    assert_eq!(m.pairing_code_to_send(), None, "nothing typed");
    m.pairing.code = " 123-456 ".into();
    assert_eq!(m.pairing_code_to_send().as_deref(), Some("123-456"));
    assert!(m.pairing.sent);
    m.apply_link_event(
        LinkEvent::Status(LinkStatus::Connected {
            site: "shop".into(),
            server_id: "srv".into(),
            device_id: ME,
            role: Role::Office,
        }),
        t0(),
    );
    assert!(!m.pairing.needed);
}

#[test]
fn connected_clients_by_role_come_from_the_device_list() {
    let mut m = model();
    assert_eq!(m.connected_by_role(), None);
    let device = |id, role, connected| DeviceInfo {
        device_id: id,
        name: format!("d{id}"),
        role,
        enrolled_at: t0(),
        last_seen: None,
        connected,
        revoked: false,
    };
    m.apply_link_event(
        LinkEvent::Devices(vec![
            device(1, Role::Office, true),
            device(2, Role::Warehouse, true),
            device(3, Role::Warehouse, true),
            device(4, Role::Warehouse, false),
        ]),
        t0(),
    );
    assert_eq!(
        m.connected_by_role(),
        Some([(Role::Office, 1), (Role::Warehouse, 2), (Role::Admin, 0)])
    );
}

#[test]
fn several_servers_found_are_offered_and_one_is_chosen() {
    let mut m = Model::default();
    let server = |id: &str, port| FoundServer {
        ws_addr: std::net::SocketAddr::from(([192, 168, 1, 10], port)),
        site: "Tienda Sol".into(),
        server_id: id.into(),
        protocol: 1,
    };
    m.apply_link_event(
        LinkEvent::ServersFound(vec![server("aaa", 1), server("bbb", 2)]),
        t0(),
    );
    assert!(m.pairing.open());
    assert_eq!(m.choose_server("zzz"), None, "only what was offered");
    assert_eq!(m.choose_server("bbb").as_deref(), Some("bbb"));
    assert_eq!(m.pairing.chosen.as_deref(), Some("bbb"));
    m.apply_link_event(
        LinkEvent::Status(LinkStatus::Connected {
            site: "Tienda Sol".into(),
            server_id: "bbb".into(),
            device_id: ME,
            role: Role::Office,
        }),
        t0(),
    );
    assert!(!m.pairing.open(), "connected: the dialog closes");
}

/// `model()` as an admin PC, with an enrolled office PC `OTHER` and the device list.
const OTHER: DeviceId = 7;

fn admin_model() -> Model {
    let mut m = model();
    event(
        &mut m,
        t0(),
        0,
        EventBody::DeviceRoleChanged {
            device_id: ME,
            role: Role::Admin,
        },
    );
    event(
        &mut m,
        t0(),
        ME,
        EventBody::DeviceEnrolled {
            device_id: OTHER,
            name: "Oficina 2".into(),
            role: Role::Office,
        },
    );
    let info = |device_id, name: &str, role| DeviceInfo {
        device_id,
        name: name.into(),
        role,
        enrolled_at: t0(),
        last_seen: Some(t0()),
        connected: true,
        revoked: false,
    };
    m.apply_link_event(
        LinkEvent::Devices(vec![
            info(ME, "Oficina 1", Role::Admin),
            info(PACKER, "Almacén", Role::Warehouse),
            info(OTHER, "Oficina 2", Role::Office),
        ]),
        t0(),
    );
    m
}

fn listed_role(m: &Model, device_id: DeviceId) -> Role {
    let (devices, _) = m.devices.as_ref().expect("device list");
    devices
        .iter()
        .find(|d| d.device_id == device_id)
        .expect("listed")
        .role
}

#[test]
fn a_picked_role_is_confirmed_sent_and_shown_once_the_event_arrives() {
    let mut m = admin_model();
    assert_eq!(m.role_lock(OTHER), RoleLock::Free);
    m.pick_role(OTHER, Role::Office);
    assert_eq!(
        m.admin.role_change, None,
        "its current role: nothing to ask"
    );

    m.admin.confirm_revoke = Some(OTHER);
    m.pick_role(OTHER, Role::Warehouse);
    assert_eq!(m.admin.confirm_revoke, None, "one question at a time");
    let (command, operation) = m.confirm_role_change().expect("sent on confirm");
    assert_eq!(
        command,
        Command::ChangeRole {
            device_id: OTHER,
            role: Role::Warehouse
        }
    );
    assert_eq!(m.admin.role_change, None);
    m.operation_sent("k-role".into(), operation.clone());
    assert!(m.device_busy(OTHER));
    assert!(!m.device_busy(PACKER));

    m.apply_link_event(
        LinkEvent::Acked {
            key: "k-role".into(),
            seq: m.site.seq + 1,
            order_id: None,
            store_id: None,
        },
        t0(),
    );
    assert_eq!(m.admin_feedback, Some(Feedback::OperationDone(operation)));
    assert!(!m.device_busy(OTHER));
    assert_eq!(m.feedback, None, "admin results stay on the admin screens");

    event(
        &mut m,
        t0(),
        ME,
        EventBody::DeviceRoleChanged {
            device_id: OTHER,
            role: Role::Warehouse,
        },
    );
    assert_eq!(m.device_role(OTHER), Some(Role::Warehouse));
    assert_eq!(
        listed_role(&m, OTHER),
        Role::Warehouse,
        "the device list follows without a refresh"
    );
}

#[test]
fn a_refused_role_change_says_why() {
    let mut m = admin_model();
    m.pick_role(PACKER, Role::Office);
    let (_, operation) = m.confirm_role_change().expect("command");
    m.operation_sent("k".into(), operation.clone());
    m.apply_link_event(
        LinkEvent::Rejected {
            key: "k".into(),
            code: ErrorCode::UnknownDevice,
            message: "no such device".into(),
        },
        t0(),
    );
    assert_eq!(
        m.admin_feedback,
        Some(Feedback::OperationRefused(
            operation,
            ErrorCode::UnknownDevice,
            "no such device".into()
        ))
    );
    assert_eq!(listed_role(&m, PACKER), Role::Warehouse);
}

#[test]
fn this_pc_needs_a_second_confirmation_and_the_last_admin_cannot_demote_itself() {
    let mut m = admin_model();
    assert_eq!(
        m.role_lock(ME),
        RoleLock::LastAdmin,
        "no other admin device"
    );
    m.pick_role(ME, Role::Office);
    assert_eq!(m.admin.role_change, None, "locked");
    assert_eq!(m.confirm_role_change(), None);

    event(
        &mut m,
        t0(),
        ME,
        EventBody::DeviceRoleChanged {
            device_id: OTHER,
            role: Role::Admin,
        },
    );
    assert_eq!(m.role_lock(ME), RoleLock::ThisPc);
    m.pick_role(ME, Role::Office);
    assert_eq!(m.confirm_role_change(), None, "first: the warning");
    assert!(m.admin.role_change.is_some_and(|c| c.warned));
    let (command, _) = m.confirm_role_change().expect("second: sent");
    assert_eq!(
        command,
        Command::ChangeRole {
            device_id: ME,
            role: Role::Office
        }
    );

    // Cancelling forgets the warning too.
    m.pick_role(ME, Role::Warehouse);
    assert_eq!(m.confirm_role_change(), None);
    m.cancel_role_change();
    m.pick_role(ME, Role::Warehouse);
    assert!(m.admin.role_change.is_some_and(|c| !c.warned));

    // A revoked admin does not count as another admin.
    event(
        &mut m,
        t0(),
        ME,
        EventBody::DeviceRevoked { device_id: OTHER },
    );
    assert_eq!(m.role_lock(ME), RoleLock::LastAdmin);
    let (devices, _) = m.devices.as_ref().expect("list");
    assert!(
        devices
            .iter()
            .any(|d| d.device_id == OTHER && d.revoked && !d.connected)
    );
}

#[test]
fn site_status_is_kept_with_the_time_it_came() {
    let mut m = admin_model();
    assert_eq!(m.site_status, None);
    let status = packbell_shared::protocol::SiteStatus {
        server_version: "0.3.1".into(),
        started_at: t0() - Duration::hours(3),
        uptime_seconds: 3 * 3600 + 12 * 60,
        connected_office: 2,
        connected_warehouse: 3,
        connected_admin: 1,
        database_bytes: 5 << 20,
        head_seq: 420,
    };
    let later = t0() + Duration::seconds(30);
    m.apply_link_event(LinkEvent::SiteStatus(status.clone()), later);
    assert_eq!(m.site_status, Some((status, later)));
}
