//! The real app's ui, driven by keyboard and mouse through egui_kittest, with link
//! events fed by hand and a link that records what the app sent.

mod common;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use common::{App, frames, harness, step_until, wait_for_text, with_model};
use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use packbell_client_core::fake::{EventFeed, FakeLink};
use packbell_office::app::OfficeApp;
use packbell_office::i18n::Lang;
use packbell_office::model::RowStatus;
use packbell_shared::link::{LinkEvent, LinkRequest, LinkStatus};
use packbell_shared::protocol::{
    Command, DeviceInfo, DeviceSummary, Event, EventBody, Priority, Role, SiteStatus, Snapshot,
    Store,
};
use packbell_shared::zone::Zone;

const WAIT: Duration = Duration::from_secs(5);

struct Rig {
    harness: App<'static>,
    events: EventFeed,
    link: FakeLink,
}

fn store(id: u64, name: &str) -> Store {
    Store {
        store_id: id,
        name: name.into(),
        active: true,
    }
}

/// The app connected as `role`, with stores Centro, Centro Comercial and Norte.
fn rig(role: Role) -> Rig {
    let (link, receiver) = FakeLink::new();
    let events = link.feed();
    let app = OfficeApp::new(Box::new(link.clone()), receiver, None, Lang::En).expect("app");
    let mut harness = harness(app);
    events
        .send(LinkEvent::Status(LinkStatus::Connected {
            site: "Tienda Sol".into(),
            server_id: "srv-1".into(),
            device_id: 5,
            role,
        }))
        .expect("pump alive");
    events
        .send(LinkEvent::Reset {
            snapshot: Snapshot {
                ageing: None,
                more: false,
                seq: 3,
                stores: vec![
                    store(1, "Centro"),
                    store(2, "Centro Comercial"),
                    store(3, "Norte"),
                ],
                orders: vec![],
                devices: vec![DeviceSummary {
                    device_id: 9,
                    name: "Almacén 1".into(),
                    role: Role::Warehouse,
                    revoked: false,
                }],
                items: Vec::new(),
                alerts: Vec::new(),
            },
            stale: false,
        })
        .expect("pump alive");
    step_until(&mut harness, "the snapshot", WAIT, |m| {
        m.site.stores.len() == 3
    });
    Rig {
        harness,
        events,
        link,
    }
}

fn type_text(harness: &mut App<'_>, text: &str) {
    harness.event(egui::Event::Text(text.into()));
    harness.step();
    // New popups are laid out invisibly on their first frame.
    harness.step();
}

fn press(harness: &mut App<'_>, key: Key) {
    harness.key_press(key);
    harness.step();
    harness.step();
}

fn focused_label(harness: &App<'_>) -> Option<String> {
    harness
        .root()
        .children_recursive()
        .find(|n| n.is_focused())
        .and_then(|n| n.accesskit_node().label())
}

fn sent_orders(link: &FakeLink) -> Vec<(String, Command)> {
    link.commands()
}

#[test]
fn keyboard_only_entry_sends_the_order_and_returns_to_the_number() {
    let Rig {
        mut harness,
        events,
        link,
    } = rig(Role::Office);
    frames(&mut harness, 2);
    assert_eq!(
        focused_label(&harness).as_deref(),
        Some("Order number"),
        "focus starts in the order number"
    );

    type_text(&mut harness, "A-100");
    press(&mut harness, Key::Tab);
    assert_eq!(focused_label(&harness).as_deref(), Some("Store"));
    type_text(&mut harness, "cen");
    assert!(harness.query_by_label_contains("▶ Centro").is_some());
    press(&mut harness, Key::ArrowDown);
    assert!(harness.query_by_label("▶ Centro Comercial").is_some());
    press(&mut harness, Key::Tab);
    assert_eq!(focused_label(&harness).as_deref(), Some("Note (optional)"));
    with_model(&harness, |m| {
        assert_eq!(m.form.store_query, "Centro Comercial");
    });
    type_text(&mut harness, "frágil");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::R);
    harness.step();
    with_model(&harness, |m| assert!(m.form.rush));
    press(&mut harness, Key::Enter);

    let sent = sent_orders(&link);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].1,
        Command::CreateOrder {
            order_number: "A-100".into(),
            store_id: 2,
            note: "frágil".into(),
            priority: Priority::Rush,
            lines: Vec::new(),
        }
    );
    assert_eq!(focused_label(&harness).as_deref(), Some("Order number"));
    with_model(&harness, |m| {
        assert_eq!(m.form.number, "");
        assert!(!m.form.rush);
    });
    wait_for_text(&mut harness, "⏳ queued", WAIT);

    // The next order for the same store: number, Enter.
    type_text(&mut harness, "A-101");
    press(&mut harness, Key::Enter);
    assert_eq!(sent_orders(&link).len(), 2);
    assert!(matches!(
        &sent_orders(&link)[1].1,
        Command::CreateOrder {
            store_id: 2,
            priority: Priority::Normal,
            ..
        }
    ));

    // Committed: the confirmation shows at once.
    let key = sent[0].0.clone();
    events
        .send(LinkEvent::Acked {
            key,
            seq: 4,
            order_id: Some(1),
            store_id: None,
        })
        .expect("pump alive");
    wait_for_text(
        &mut harness,
        "A-100 for Centro Comercial: received by the server",
        WAIT,
    );
}

#[test]
fn validation_messages_appear_in_place_and_go_when_fixed() {
    let Rig {
        mut harness, link, ..
    } = rig(Role::Office);
    frames(&mut harness, 2);
    press(&mut harness, Key::Enter);
    assert!(harness.query_by_label("Type the order number.").is_some());
    assert!(harness.query_by_label("Choose a store.").is_some());
    assert!(sent_orders(&link).is_empty());

    type_text(&mut harness, "B-7");
    press(&mut harness, Key::Tab);
    type_text(&mut harness, "Oeste");
    assert!(harness.query_by_label("Type the order number.").is_none());
    press(&mut harness, Key::Enter);
    assert!(
        harness
            .query_by_label("No store matches “Oeste”.")
            .is_some()
    );
    assert_eq!(
        focused_label(&harness).as_deref(),
        Some("Store"),
        "the cursor goes to the field in error"
    );

    // Replace the store by keyboard, then type a note that is too long.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.step();
    type_text(&mut harness, "norte");
    assert!(
        harness
            .query_by_label_contains("No store matches")
            .is_none()
    );
    press(&mut harness, Key::Tab);
    type_text(&mut harness, &"x".repeat(501));
    assert!(
        harness
            .query_by_label("The note is too long (501/500 characters).")
            .is_some()
    );
    press(&mut harness, Key::Enter);
    assert!(sent_orders(&link).is_empty());
}

#[test]
fn a_pending_order_with_the_same_number_and_store_is_warned_about() {
    let Rig {
        mut harness,
        events,
        link,
    } = rig(Role::Office);
    events
        .send(LinkEvent::Event {
            event: Event {
                seq: 4,
                at: Utc::now(),
                device: 7,
                body: EventBody::OrderCreated {
                    order_id: 1,
                    order_number: "C-9".into(),
                    store_id: 3,
                    note: String::new(),
                    priority: Priority::Normal,
                    lines: Vec::new(),
                },
            },
            replayed: false,
        })
        .expect("pump alive");
    step_until(&mut harness, "the order", WAIT, |m| {
        m.site.orders.len() == 1
    });
    frames(&mut harness, 2);
    type_text(&mut harness, "c-9");
    press(&mut harness, Key::Tab);
    type_text(&mut harness, "nor");
    wait_for_text(&mut harness, "C-9 is already pending for Norte", WAIT);
    // A warning, not a block: sending asks first, and "Send anyway" sends.
    press(&mut harness, Key::Enter);
    wait_for_text(
        &mut harness,
        "Order C-9 for Norte is already pending, sent ",
        WAIT,
    );
    assert_eq!(sent_orders(&link).len(), 0, "not before it is confirmed");
    harness.get_by_label("Send anyway").click();
    frames(&mut harness, 3);
    assert_eq!(sent_orders(&link).len(), 1);
}

#[test]
fn cancel_asks_for_a_reason_then_sends_it() {
    let Rig {
        mut harness,
        events,
        link,
    } = rig(Role::Office);
    events
        .send(LinkEvent::Event {
            event: Event {
                seq: 4,
                at: Utc::now(),
                device: 5,
                body: EventBody::OrderCreated {
                    order_id: 1,
                    order_number: "D-1".into(),
                    store_id: 1,
                    note: String::new(),
                    priority: Priority::Normal,
                    lines: Vec::new(),
                },
            },
            replayed: false,
        })
        .expect("pump alive");
    wait_for_text(&mut harness, "Cancel…", WAIT);
    harness.get_by_label("Cancel…").click();
    frames(&mut harness, 3);
    harness.get_by_label("Cancel the order").click();
    frames(&mut harness, 2);
    assert!(harness.query_by_label("A reason is required.").is_some());
    assert!(sent_orders(&link).is_empty());
    harness.get_by_label("Reason").focus();
    harness.step();
    type_text(&mut harness, "customer called");
    press(&mut harness, Key::Enter);
    assert_eq!(
        sent_orders(&link),
        vec![(
            "key-1".to_owned(),
            Command::CancelOrder {
                order_id: 1,
                reason: "customer called".into()
            }
        )]
    );
    wait_for_text(&mut harness, "cancelling…", WAIT);
}

#[test]
fn admin_screens_are_hidden_from_the_office_role_and_shown_to_admins() {
    let Rig { mut harness, .. } = rig(Role::Office);
    frames(&mut harness, 2);
    assert!(harness.query_by_label("Admin").is_none());
    assert!(harness.query_by_label("Stores").is_none());

    let Rig {
        mut harness, link, ..
    } = rig(Role::Admin);
    frames(&mut harness, 2);
    harness.get_by_label("Admin").click();
    frames(&mut harness, 2);
    assert!(harness.query_by_label("Stores").is_some());
    harness.get_by_label("New store name").focus();
    harness.step();
    type_text(&mut harness, "Oeste");
    harness.get_by_label("Add store").click();
    frames(&mut harness, 2);
    assert_eq!(
        link.commands()[0].1,
        Command::AddStore {
            name: "Oeste".into()
        }
    );
    harness.get_by_label("Devices").click();
    frames(&mut harness, 2);
    harness.get_by_label("Refresh").click();
    frames(&mut harness, 2);
    assert!(matches!(
        link.requests().last(),
        Some(LinkRequest::ListDevices)
    ));
    assert!(harness.query_by_label("Almacén 1").is_some());
    harness.get_by_label("Exports").click();
    frames(&mut harness, 2);
    assert!(harness.query_by_label("Export CSV…").is_some());
    harness.get_by_label("Site").click();
    frames(&mut harness, 2);
    assert!(harness.query_by_label("Tienda Sol").is_some());
    assert!(harness.query_by_label("srv-1").is_some());
}

#[test]
fn the_export_starts_on_today_in_the_windows_zone() {
    let Rig { mut harness, .. } = rig(Role::Admin);
    // 23:30 UTC on 2 March is already 3 March in Madrid (UTC+1).
    harness
        .state_mut()
        .set_clock(t0() + chrono::Duration::minutes(14 * 60 + 30));
    harness
        .state_mut()
        .set_zone(Zone::hours_east(1).expect("a valid offset"));
    frames(&mut harness, 2);
    harness.get_by_label("Admin").click();
    frames(&mut harness, 2);
    harness.get_by_label("Exports").click();
    frames(&mut harness, 2);
    let range = with_model(&harness, |m| {
        (m.exports.form.from.clone(), m.exports.form.to.clone())
    });
    assert_eq!(range, ("2026-03-03".to_owned(), "2026-03-03".to_owned()));
}

#[test]
fn pairing_dialog_sends_the_code() {
    let (link, receiver) = FakeLink::new();
    let events = link.feed();
    let app = OfficeApp::new(Box::new(link.clone()), receiver, None, Lang::En).expect("app");
    let mut harness = harness(app);
    events
        .send(LinkEvent::Status(LinkStatus::NeedsPairing { reason: None }))
        .expect("pump alive");
    wait_for_text(&mut harness, "Pair this PC", WAIT);
    frames(&mut harness, 2);
    type_text(&mut harness, "428-913");
    press(&mut harness, Key::Enter);
    assert!(matches!(
        link.requests().last(),
        Some(LinkRequest::Pair { code }) if code == "428-913"
    ));
}

#[test]
fn language_switches_to_spanish() {
    let Rig { mut harness, .. } = rig(Role::Office);
    frames(&mut harness, 2);
    harness.get_by_label("Language").click();
    frames(&mut harness, 2);
    harness.get_by_label("Español").click();
    frames(&mut harness, 3);
    assert!(harness.query_by_label("Número de pedido").is_some());
    assert!(harness.query_by_label("Pedidos de hoy").is_some());
}

/// A fixed instant: 2026-03-02 09:00 UTC.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("a valid instant")
}

/// Order E-1 entered at 08:56:40 UTC by this PC, packed 95 s later by Almacén 1.
fn enter_and_pack(events: &EventFeed) {
    let at = t0() - chrono::Duration::seconds(200);
    for (seq, device, body, at) in [
        (
            4,
            5,
            EventBody::OrderCreated {
                order_id: 1,
                order_number: "E-1".into(),
                store_id: 1,
                note: String::new(),
                priority: Priority::Normal,
                lines: Vec::new(),
            },
            at,
        ),
        (
            5,
            9,
            EventBody::OrderPacked { order_id: 1 },
            at + chrono::Duration::seconds(95),
        ),
    ] {
        events
            .send(LinkEvent::Event {
                event: Event {
                    seq,
                    at,
                    device,
                    body,
                },
                replayed: false,
            })
            .expect("pump alive");
    }
}

fn wait_packed(harness: &mut App<'static>) {
    let day_start = harness.state().day_start();
    step_until(harness, "packed", WAIT, |m| {
        m.today_rows(day_start)
            .first()
            .is_some_and(|r| r.status == RowStatus::Packed)
    });
}

#[test]
fn rows_show_packed_by_whom_and_how_long_it_took() {
    let Rig {
        mut harness,
        events,
        ..
    } = rig(Role::Office);
    harness.state_mut().set_clock(t0());
    enter_and_pack(&events);
    wait_packed(&mut harness);
    assert!(harness.query_by_label("Almacén 1 at 08:58").is_some());
    assert!(harness.query_by_label("08:56").is_some());
    assert!(harness.query_by_label("1 min 35 s").is_some());
}

#[test]
fn times_follow_the_windows_zone() {
    let Rig {
        mut harness,
        events,
        ..
    } = rig(Role::Office);
    harness.state_mut().set_clock(t0());
    harness
        .state_mut()
        .set_zone(Zone::hours_east(-5).expect("a valid offset"));
    enter_and_pack(&events);
    wait_packed(&mut harness);
    // Bogotá (UTC-5) reads 08:58 UTC as 03:58.
    assert!(harness.query_by_label("Almacén 1 at 03:58").is_some());
    assert!(harness.query_by_label("03:56").is_some());
    assert!(harness.query_by_label("Almacén 1 at 08:58").is_none());
}

#[test]
fn several_servers_are_offered_and_the_chosen_one_is_sent() {
    let (link, receiver) = FakeLink::new();
    let events = link.feed();
    let app = OfficeApp::new(Box::new(link.clone()), receiver, None, Lang::En).expect("app");
    let mut harness = harness(app);
    let server = |id: &str, last: u8| packbell_shared::discovery::FoundServer {
        ws_addr: std::net::SocketAddr::from(([192, 168, 1, last], 47801)),
        site: "Tienda Sol".into(),
        server_id: id.into(),
        protocol: 1,
    };
    events
        .send(LinkEvent::ServersFound(vec![
            server("3f2a9c1e77b0d4e5aa", 10),
            server("b7c0d4e5129f3a61bb", 11),
        ]))
        .expect("pump alive");
    wait_for_text(&mut harness, "Several packbell servers answered", WAIT);
    harness
        .get_by_label("Tienda Sol · 192.168.1.11:47801 · id b7c0:d4e5:129f:3a61")
        .click();
    frames(&mut harness, 2);
    assert!(matches!(
        link.requests().last(),
        Some(LinkRequest::ChooseServer { server_id }) if server_id == "b7c0d4e5129f3a61bb"
    ));
}

fn requests(link: &FakeLink) -> Vec<LinkRequest> {
    link.requests()
}

fn device_info(device_id: u64, name: &str, role: Role) -> DeviceInfo {
    DeviceInfo {
        device_id,
        name: name.into(),
        role,
        enrolled_at: Utc::now(),
        last_seen: Some(Utc::now()),
        connected: true,
        revoked: false,
    }
}

#[test]
fn the_role_picker_sends_change_role_once_confirmed() {
    let Rig {
        mut harness,
        events,
        link,
    } = rig(Role::Admin);
    frames(&mut harness, 2);
    harness.get_by_label("Admin").click();
    frames(&mut harness, 2);
    harness.get_by_label("Devices").click();
    frames(&mut harness, 2);
    assert!(
        matches!(requests(&link).last(), Some(LinkRequest::ListDevices)),
        "opening Devices asks for the list"
    );
    events
        .send(LinkEvent::Devices(vec![
            device_info(5, "Oficina 1", Role::Admin),
            device_info(9, "Almacén 1", Role::Warehouse),
        ]))
        .expect("pump alive");
    wait_for_text(&mut harness, "Listed at", WAIT);
    assert!(harness.query_by_label("(this PC)").is_some());
    assert!(
        harness
            .get_by_label("Role of Oficina 1")
            .accesskit_node()
            .is_disabled(),
        "the only admin device cannot change its own role"
    );

    harness.get_by_label("Role of Almacén 1").click();
    frames(&mut harness, 3);
    harness.get_by_label("office").click();
    frames(&mut harness, 3);
    assert!(
        sent_orders(&link).is_empty(),
        "nothing sent before confirming"
    );
    harness.get_by_label("Change to office ✔").click();
    frames(&mut harness, 2);
    let sent = sent_orders(&link);
    assert_eq!(
        sent.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>(),
        [Command::ChangeRole {
            device_id: 9,
            role: Role::Office
        }]
    );
    wait_for_text(&mut harness, "working…", WAIT);

    events
        .send(LinkEvent::Acked {
            key: sent[0].0.clone(),
            seq: 4,
            order_id: None,
            store_id: None,
        })
        .expect("pump alive");
    events
        .send(LinkEvent::Event {
            event: Event {
                seq: 4,
                at: Utc::now(),
                device: 5,
                body: EventBody::DeviceRoleChanged {
                    device_id: 9,
                    role: Role::Office,
                },
            },
            replayed: false,
        })
        .expect("pump alive");
    wait_for_text(
        &mut harness,
        "✔ Almacén 1 is now office; it reconnects with the new role.",
        WAIT,
    );
    step_until(&mut harness, "the list shows the new role", WAIT, |m| {
        m.devices
            .as_ref()
            .is_some_and(|(list, _)| list[1].role == Role::Office)
    });
}

#[test]
fn cancelling_a_picked_role_sends_nothing() {
    let Rig {
        mut harness, link, ..
    } = rig(Role::Admin);
    frames(&mut harness, 2);
    harness.get_by_label("Admin").click();
    frames(&mut harness, 2);
    harness.get_by_label("Devices").click();
    frames(&mut harness, 2);
    harness.get_by_label("Role of Almacén 1").click();
    frames(&mut harness, 3);
    harness.get_by_label("admin").click();
    frames(&mut harness, 3);
    harness.get_by_label("Cancel").click();
    frames(&mut harness, 2);
    assert!(harness.query_by_label("Change to admin ✔").is_none());
    assert!(sent_orders(&link).is_empty());
}

#[test]
fn the_site_screen_asks_for_the_status_and_shows_it() {
    let Rig {
        mut harness,
        events,
        link,
    } = rig(Role::Admin);
    frames(&mut harness, 2);
    harness.get_by_label("Admin").click();
    frames(&mut harness, 2);
    harness.get_by_label("Site").click();
    frames(&mut harness, 2);
    assert!(
        matches!(requests(&link).last(), Some(LinkRequest::SiteStatus)),
        "opening Site asks the server"
    );
    assert!(
        harness
            .query_by_label_contains("No answer from the server yet")
            .is_some()
    );
    events
        .send(LinkEvent::SiteStatus(SiteStatus {
            server_version: "0.3.1".into(),
            started_at: Utc::now() - chrono::Duration::seconds(11_525),
            uptime_seconds: 11_525,
            connected_office: 2,
            connected_warehouse: 3,
            connected_admin: 1,
            database_bytes: 5_767_168,
            head_seq: 420,
        }))
        .expect("pump alive");
    wait_for_text(&mut harness, "3 h 12 min", WAIT);
    for text in [
        "0.3.1",
        "5.5 MiB",
        "office 2 · warehouse 3 · admin 1",
        "420",
        "Tienda Sol",
        "srv-1",
    ] {
        assert!(harness.query_by_label(text).is_some(), "{text}");
    }
    assert!(harness.query_by_label_contains("Reported at").is_some());

    harness.get_by_label("Refresh").click();
    frames(&mut harness, 2);
    let asked = requests(&link)
        .iter()
        .filter(|r| matches!(r, LinkRequest::SiteStatus))
        .count();
    assert_eq!(asked, 2, "Refresh asks again");
}
