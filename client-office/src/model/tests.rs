use chrono::{DateTime, Duration, TimeZone, Utc};
use packbell_shared::link::{LinkEvent, LinkStatus};
use packbell_shared::protocol::{
    Command, DeviceSummary, ErrorCode, Event, EventBody, MAX_NOTE_CHARS, Priority, Role, Snapshot,
    Store,
};

use super::*;

const ME: DeviceId = 5;
const PACKER: DeviceId = 9;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 14, 9, 0, 0).unwrap()
}

fn day_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 14, 0, 0, 0).unwrap()
}

fn store(id: StoreId, name: &str, active: bool) -> Store {
    Store {
        store_id: id,
        name: name.into(),
        active,
    }
}

/// A connected office model with stores Centro (1), Norte (2), Ávila (3),
/// Centro Comercial (4) and a deactivated Sur (5).
fn model() -> Model {
    let mut m = Model::default();
    m.apply_link_event(
        LinkEvent::Status(LinkStatus::Connected {
            site: "shop".into(),
            server_id: "srv".into(),
            device_id: ME,
            role: Role::Office,
        }),
        t0(),
    );
    m.apply_link_event(
        LinkEvent::Reset {
            snapshot: Snapshot {
                more: false,
                seq: 10,
                stores: vec![
                    store(1, "Centro", true),
                    store(2, "Norte", true),
                    store(3, "Ávila", true),
                    store(4, "Centro Comercial", true),
                    store(5, "Sur", false),
                ],
                orders: vec![],
                devices: vec![
                    DeviceSummary {
                        device_id: ME,
                        name: "Oficina 1".into(),
                        role: Role::Office,
                        revoked: false,
                    },
                    DeviceSummary {
                        device_id: PACKER,
                        name: "Almacén".into(),
                        role: Role::Warehouse,
                        revoked: false,
                    },
                ],
            },
            stale: false,
        },
        t0(),
    );
    m
}

fn event(m: &mut Model, at: DateTime<Utc>, device: DeviceId, body: EventBody) {
    let seq = m.site.seq + 1;
    m.apply_link_event(
        LinkEvent::Event {
            event: Event {
                seq,
                at,
                device,
                body,
            },
            replayed: false,
        },
        at,
    );
}

fn created(m: &mut Model, order_id: OrderId, number: &str, store_id: StoreId, at: DateTime<Utc>) {
    event(
        m,
        at,
        ME,
        EventBody::OrderCreated {
            order_id,
            order_number: number.into(),
            store_id,
            note: String::new(),
            priority: Priority::Normal,
        },
    );
}

fn fill(m: &mut Model, number: &str, store: &str) {
    m.set_number(number.into());
    m.set_store_query(store.into());
}

#[test]
fn store_picker_matches_case_and_accent_insensitively_best_first() {
    let mut m = model();
    m.set_store_query("avi".into());
    let names: Vec<_> = m
        .store_suggestions()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["Ávila"]);

    m.set_store_query("CEN".into());
    let names: Vec<_> = m
        .store_suggestions()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["Centro", "Centro Comercial"]);

    // Substring and word-prefix matches come after prefix matches.
    m.set_store_query("com".into());
    let names: Vec<_> = m
        .store_suggestions()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["Centro Comercial"]);
    m.set_store_query("r".into());
    let names: Vec<_> = m
        .store_suggestions()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["Centro", "Centro Comercial", "Norte"]);

    // Deactivated stores are never offered.
    m.set_store_query("sur".into());
    assert!(m.store_suggestions().is_empty());
}

#[test]
fn arrows_move_the_highlight_and_enter_picks_it() {
    let mut m = model();
    m.set_store_query("cen".into());
    assert_eq!(m.resolved_store(), Some(1));
    m.move_highlight(1);
    assert_eq!(m.resolved_store(), Some(4));
    m.move_highlight(5);
    assert_eq!(m.resolved_store(), Some(4), "stays on the last suggestion");
    m.move_highlight(-3);
    assert_eq!(m.resolved_store(), Some(1));
    m.move_highlight(1);
    m.pick_highlighted();
    assert_eq!(m.form.store_query, "Centro Comercial");
    assert_eq!(m.form.store_pick, Some(4));
    assert!(!m.store_picker_open());
    // Editing the text drops the pick.
    m.set_store_query("Centro Comercia".into());
    assert_eq!(m.form.store_pick, None);
}

#[test]
fn validation_names_each_problem_in_place() {
    let mut m = model();
    assert!(m.ready_order().is_none());
    assert_eq!(m.form.errors.number, Some(FieldError::NumberEmpty));
    assert_eq!(m.form.errors.store, Some(FieldError::StoreEmpty));
    assert_eq!(m.form.errors.note, None);

    m.set_number("  ".into());
    assert_eq!(m.form.errors.number, Some(FieldError::NumberEmpty));
    m.set_number("x".repeat(65));
    assert!(matches!(
        m.form.errors.number,
        Some(FieldError::NumberTooLong { len: 65, max: 64 })
    ));
    m.set_number("A-1".into());
    assert_eq!(m.form.errors.number, None, "fixed fields clear their error");

    m.set_store_query("Oeste".into());
    assert_eq!(
        m.form.errors.store,
        Some(FieldError::StoreUnknown {
            typed: "Oeste".into()
        })
    );
    m.set_store_query("Sur".into());
    assert!(matches!(
        m.form.errors.store,
        Some(FieldError::StoreUnknown { .. })
    ));
    m.set_store_query("nor".into());
    assert_eq!(m.form.errors.store, None);

    m.set_note("n".repeat(MAX_NOTE_CHARS + 1));
    assert!(matches!(
        m.form.errors.note,
        Some(FieldError::NoteTooLong { len: 501, max: 500 })
    ));
    assert!(m.ready_order().is_none());
    m.set_note("ñ".repeat(MAX_NOTE_CHARS));
    assert_eq!(
        m.form.errors.note, None,
        "limits count characters, not bytes"
    );
    assert!(m.ready_order().is_some());
}

#[test]
fn an_over_long_note_shows_before_any_send_attempt() {
    let mut m = model();
    m.set_number(String::new());
    assert!(
        m.form.errors.number.is_none(),
        "not before the first attempt"
    );
    m.set_note("n".repeat(MAX_NOTE_CHARS + 10));
    assert!(m.form.errors.note.is_some());
}

#[test]
fn sending_queues_then_confirms_and_clears_the_form_but_keeps_the_store() {
    let mut m = model();
    fill(&mut m, " A-100 ", "cen");
    m.set_note(" fragile ".into());
    m.toggle_rush();
    let ready = m.ready_order().expect("valid");
    assert_eq!(
        ready.command(),
        Command::CreateOrder {
            order_number: "A-100".into(),
            store_id: 1,
            note: "fragile".into(),
            priority: Priority::Rush,
        }
    );
    m.order_sent(ready, "k1".into(), t0());
    assert_eq!(m.form.number, "");
    assert_eq!(m.form.note, "");
    assert!(!m.form.rush);
    assert_eq!(m.form.store_query, "Centro");
    assert_eq!(m.resolved_store(), Some(1));
    assert_eq!(m.outbox_len(), 1);

    let rows = m.today_rows(day_start());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, RowStatus::Queued);
    assert!(rows[0].rush);

    m.apply_link_event(LinkEvent::Queued { key: "k1".into() }, t0());
    assert_eq!(m.today_rows(day_start())[0].status, RowStatus::Queued);

    m.apply_link_event(
        LinkEvent::Acked {
            key: "k1".into(),
            seq: 11,
            order_id: Some(77),
            store_id: None,
        },
        t0(),
    );
    assert_eq!(
        m.feedback,
        Some(Feedback::Confirmed {
            order_number: "A-100".into(),
            store: "Centro".into()
        })
    );
    // Acked before its event arrived: shown as pending already.
    let rows = m.today_rows(day_start());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, RowStatus::Pending);
    assert_eq!(m.outbox_len(), 0);

    created(&mut m, 77, "A-100", 1, t0() + Duration::seconds(1));
    let rows = m.today_rows(day_start());
    assert_eq!(rows.len(), 1, "the event and the ack are one row");
    assert_eq!(rows[0].order_id, Some(77));
    assert!(rows[0].mine);
}

#[test]
fn packed_rows_say_who_when_and_how_long_it_took() {
    let mut m = model();
    created(&mut m, 1, "A-1", 1, t0());
    event(
        &mut m,
        t0() + Duration::seconds(272),
        PACKER,
        EventBody::OrderPacked { order_id: 1 },
    );
    let row = &m.today_rows(day_start())[0];
    assert_eq!(row.status, RowStatus::Packed);
    assert_eq!(row.status_by.as_deref(), Some("Almacén"));
    assert_eq!(row.status_at, Some(t0() + Duration::seconds(272)));
    assert_eq!(row.packed_after, Some(Duration::seconds(272)));
}

#[test]
fn duplicate_pending_number_for_the_same_store_warns() {
    let mut m = model();
    created(&mut m, 1, "A-1", 1, t0());
    fill(&mut m, "a-1", "centro");
    let dup = m
        .duplicate_warning()
        .expect("same number, same store, pending");
    assert_eq!(dup.order_number, "A-1");
    assert_eq!(dup.store, "Centro");
    assert!(!dup.queued);
    // Warn, never block.
    assert!(m.ready_order().is_some());

    fill(&mut m, "A-1", "norte");
    assert_eq!(m.duplicate_warning(), None, "other store");
    fill(&mut m, "A-2", "centro");
    assert_eq!(m.duplicate_warning(), None, "other number");

    event(&mut m, t0(), PACKER, EventBody::OrderPacked { order_id: 1 });
    fill(&mut m, "A-1", "centro");
    assert_eq!(m.duplicate_warning(), None, "packed is not pending");

    // Still in the outbox counts too.
    let ready = m.ready_order().expect("valid");
    m.order_sent(ready, "k".into(), t0());
    fill(&mut m, "A-1", "centro");
    assert!(m.duplicate_warning().expect("queued").queued);
}

#[test]
fn rejected_orders_show_the_reason_and_leave_the_outbox() {
    let mut m = model();
    fill(&mut m, "A-1", "norte");
    let ready = m.ready_order().expect("valid");
    m.order_sent(ready, "k".into(), t0());
    m.apply_link_event(
        LinkEvent::Rejected {
            key: "k".into(),
            code: ErrorCode::UnknownStore,
            message: "store 2 is deactivated".into(),
        },
        t0(),
    );
    let row = &m.today_rows(day_start())[0];
    assert_eq!(row.status, RowStatus::Refused);
    assert_eq!(row.refusal.as_deref(), Some("store 2 is deactivated"));
    assert_eq!(m.outbox_len(), 0);
    assert!(matches!(m.feedback, Some(Feedback::OrderRefused { .. })));
}

#[test]
fn cancel_needs_a_reason_and_only_pending_orders_can_be_cancelled() {
    let mut m = model();
    created(&mut m, 1, "A-1", 1, t0());
    m.open_cancel(1);
    assert!(m.confirm_cancel().is_none(), "no reason");
    assert!(m.cancel.as_ref().expect("still open").reason_missing);
    m.cancel.as_mut().expect("open").reason = " customer called ".into();
    let (command, operation) = m.confirm_cancel().expect("reason given");
    assert_eq!(
        command,
        Command::CancelOrder {
            order_id: 1,
            reason: "customer called".into()
        }
    );
    assert!(m.cancel.is_none());
    m.operation_sent("c1".into(), operation);
    let row = &m.today_rows(day_start())[0];
    assert!(row.cancelling);
    assert!(!row.can_cancel());

    m.apply_link_event(
        LinkEvent::Acked {
            key: "c1".into(),
            seq: 12,
            order_id: Some(1),
            store_id: None,
        },
        t0(),
    );
    event(
        &mut m,
        t0(),
        ME,
        EventBody::OrderCancelled {
            order_id: 1,
            reason: "customer called".into(),
        },
    );
    let row = &m.today_rows(day_start())[0];
    assert_eq!(row.status, RowStatus::Cancelled);
    assert_eq!(row.cancel_reason, "customer called");
    assert!(matches!(m.feedback, Some(Feedback::OperationDone(_))));

    m.open_cancel(1);
    assert!(
        m.cancel.is_none(),
        "cancelled orders cannot be cancelled again"
    );
}

#[test]
fn search_and_filters_narrow_the_list() {
    let mut m = model();
    created(&mut m, 1, "A-100", 1, t0());
    created(&mut m, 2, "B-200", 2, t0() + Duration::seconds(1));
    created(&mut m, 3, "A-101", 2, t0() + Duration::seconds(2));
    event(&mut m, t0(), PACKER, EventBody::OrderPacked { order_id: 3 });

    let numbers = |m: &Model| -> Vec<String> {
        m.visible_rows(day_start())
            .into_iter()
            .map(|r| r.order_number)
            .collect()
    };
    assert_eq!(numbers(&m), ["A-101", "B-200", "A-100"], "newest first");
    m.filter.search = "a-10".into();
    assert_eq!(numbers(&m), ["A-101", "A-100"]);
    m.filter.store = Some(2);
    assert_eq!(numbers(&m), ["A-101"]);
    m.filter.search.clear();
    m.filter.status = Some(RowStatus::Pending);
    assert_eq!(numbers(&m), ["B-200"]);
    let counts = m.status_counts(day_start());
    assert!(counts.contains(&(RowStatus::Pending, 2)));
    assert!(counts.contains(&(RowStatus::Packed, 1)));
}

#[test]
fn yesterdays_finished_orders_are_not_today_but_pending_ones_are() {
    let mut m = model();
    let yesterday = day_start() - Duration::hours(3);
    created(&mut m, 1, "OLD-PACKED", 1, yesterday);
    created(&mut m, 2, "OLD-PENDING", 1, yesterday);
    event(
        &mut m,
        yesterday,
        PACKER,
        EventBody::OrderPacked { order_id: 1 },
    );
    let rows = m.today_rows(day_start());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].order_number, "OLD-PENDING");
}

#[test]
fn unacked_orders_survive_a_restart_and_are_claimed_by_their_order() {
    let mut m = model();
    fill(&mut m, "A-1", "centro");
    let ready = m.ready_order().expect("valid");
    m.order_sent(ready, "k".into(), t0());
    let saved = m.unacked_submissions();
    assert_eq!(saved.len(), 1);

    // The app restarts offline: the order is still shown as queued.
    let mut m = Model::restored(Some(Role::Office), saved);
    assert_eq!(m.today_rows(day_start())[0].status, RowStatus::Queued);
    assert_eq!(m.outbox_len(), 1);

    // The server got it (the ack was lost with the old process): the created event
    // from this device claims it.
    let mut fresh = model();
    created(&mut fresh, 40, "A-1", 1, t0() + Duration::seconds(30));
    m.apply_link_event(
        LinkEvent::Status(fresh.link.clone()),
        t0() + Duration::seconds(31),
    );
    m.apply_link_event(
        LinkEvent::Reset {
            snapshot: Snapshot {
                more: false,
                seq: fresh.site.seq,
                stores: fresh.site.stores.values().cloned().collect(),
                orders: fresh.site.orders.values().cloned().collect(),
                devices: fresh.site.devices.values().cloned().collect(),
            },
            stale: false,
        },
        t0() + Duration::seconds(31),
    );
    let rows = m.today_rows(day_start());
    assert_eq!(rows.len(), 1, "one order, not a queued copy beside it");
    assert_eq!(rows[0].status, RowStatus::Pending);
    assert_eq!(m.outbox_len(), 0);
}

#[test]
fn stale_until_the_server_confirms() {
    let mut m = Model::default();
    assert!(m.stale);
    m.apply_link_event(
        LinkEvent::Reset {
            snapshot: Snapshot::default(),
            stale: true,
        },
        t0(),
    );
    assert!(m.stale);
    m.apply_link_event(LinkEvent::CaughtUp { seq: 0 }, t0());
    assert!(!m.stale);
}

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
    assert!(Model::restored(Some(Role::Admin), vec![]).is_admin());
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
        Some(Feedback::OperationRefused(Operation::RenameStore { .. }, _))
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
fn the_created_event_confirms_even_when_it_beats_the_ack() {
    let mut m = model();
    fill(&mut m, "A-5", "norte");
    let ready = m.ready_order().expect("valid");
    m.order_sent(ready, "k".into(), t0());
    created(&mut m, 12, "A-5", 2, t0());
    assert_eq!(
        m.feedback,
        Some(Feedback::Confirmed {
            order_number: "A-5".into(),
            store: "Norte".into()
        })
    );
    assert_eq!(m.today_rows(day_start()).len(), 1);
    m.apply_link_event(
        LinkEvent::Acked {
            key: "k".into(),
            seq: 12,
            order_id: Some(12),
            store_id: None,
        },
        t0(),
    );
    assert_eq!(m.today_rows(day_start()).len(), 1);
    assert_eq!(m.outbox_len(), 0);
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
