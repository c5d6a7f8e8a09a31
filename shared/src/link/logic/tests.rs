//! The link's decisions, tested by feeding inputs and reading the actions.

use std::path::PathBuf;
use std::time::Instant;

use crate::pairing::{self, PairingCode};
use crate::protocol::{
    ClientMessage, Command, ErrorCode, Event, EventBody, Role, ServerMessage, Snapshot,
};
use crate::state::SiteState;
use crate::tls::Trust;
use crate::transport::Security;

use super::super::api::{LinkConfig, LinkEvent, LinkRequest, LinkStatus, OutboxItem, OutboxReport};
use super::super::store::{Credentials, OutboxEntry, SavedState};
use super::handshake::{Hello, Step};
use super::{Action, LinkLogic, Loaded, SessionEnd, StoreWrite};

const FINGERPRINT: &str = "f1f2";

fn config(code: Option<&str>) -> LinkConfig {
    LinkConfig {
        data_dir: PathBuf::from("unused"),
        server: None,
        discovery_targets: Vec::new(),
        site: None,
        device_name: "desk".into(),
        insecure_plaintext: false,
        pairing_code: code.map(str::to_owned),
    }
}

fn credentials() -> Credentials {
    Credentials {
        device_id: 7,
        token: "token".into(),
        server_fingerprint: Some(FINGERPRINT.into()),
    }
}

fn pack(order_id: u64) -> Command {
    Command::PackOrder { order_id }
}

fn entry(id: i64) -> OutboxEntry {
    OutboxEntry {
        id,
        key: format!("k{id}"),
        command: pack(id as u64),
        queued_at: None,
    }
}

fn event(seq: u64) -> Event {
    Event {
        seq,
        at: chrono::Utc::now(),
        device: 0,
        body: EventBody::StoreAdded {
            store_id: seq,
            name: format!("store {seq}"),
        },
    }
}

fn welcome(server_id: &str, head_seq: u64) -> ServerMessage {
    ServerMessage::Welcome {
        protocol: 1,
        server_id: server_id.into(),
        site: "main".into(),
        server_version: "test".into(),
        device_id: 7,
        role: Role::Office,
        head_seq,
    }
}

/// A logic that loaded `loaded`, with its start-up actions discarded.
fn started(code: Option<&str>, loaded: Loaded) -> LinkLogic {
    let mut logic = LinkLogic::new(&config(code));
    logic.on_loaded(Ok(loaded), &mut Vec::new());
    logic
}

/// A paired logic, welcomed and subscribed, with `outbox` waiting.
fn live(outbox: Vec<OutboxEntry>) -> (LinkLogic, Vec<Action>) {
    let mut logic = started(
        None,
        Loaded {
            credentials: Some(credentials()),
            outbox,
            ..Loaded::default()
        },
    );
    let (hello, _) = logic.hello().unwrap();
    let mut handshake =
        logic.start_handshake(hello, "srv:1", Some(FINGERPRINT.into()), &mut Vec::new());
    let step = logic.on_handshake_message(&mut handshake, welcome("srv", 0), &mut Vec::new());
    assert_eq!(step, Ok(Step::Welcomed));
    let mut out = Vec::new();
    logic.subscribe(Instant::now(), &mut out);
    (logic, out)
}

fn sent_commands(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Send(ClientMessage::Command { key, .. }) => Some(key.clone()),
            _ => None,
        })
        .collect()
}

fn emitted(actions: &[Action]) -> Vec<&LinkEvent> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Emit(event) => Some(event),
            _ => None,
        })
        .collect()
}

#[test]
fn start_up_shows_the_saved_state_then_the_waiting_outbox_then_connecting() {
    let mut state = SiteState::default();
    state.apply(&event(1));
    let mut logic = LinkLogic::new(&config(None));
    let mut out = Vec::new();
    let last = logic.on_loaded(
        Ok(Loaded {
            credentials: Some(credentials()),
            last_server: Some("10.0.0.5:1".into()),
            saved: Some(SavedState {
                server_id: "srv".into(),
                state,
            }),
            outbox: vec![entry(1), entry(2)],
        }),
        &mut out,
    );
    assert_eq!(last.as_deref(), Some("10.0.0.5:1"));
    let events = emitted(&out);
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(matches!(events[0], LinkEvent::Reset { stale: true, snapshot } if snapshot.seq == 1));
    let waiting = vec![
        OutboxItem {
            key: "k1".into(),
            command: pack(1),
            queued_at: None,
        },
        OutboxItem {
            key: "k2".into(),
            command: pack(2),
            queued_at: None,
        },
    ];
    assert_eq!(
        events[1],
        &LinkEvent::Outbox(OutboxReport::Waiting(waiting))
    );
    assert_eq!(events[2], &LinkEvent::Status(LinkStatus::Connecting));
    assert!(!logic.needs_pairing());
}

#[test]
fn unreadable_local_data_is_a_notice_and_an_empty_outbox() {
    let mut logic = LinkLogic::new(&config(Some("1234-5678")));
    let mut out = Vec::new();
    assert_eq!(logic.on_loaded(Err("disk on fire".into()), &mut out), None);
    let events = emitted(&out);
    assert!(matches!(events[0], LinkEvent::Notice(text) if text.contains("disk on fire")));
    assert_eq!(
        events[1],
        &LinkEvent::Outbox(OutboxReport::Waiting(Vec::new()))
    );
    // Not paired, but the configured code will be tried.
    assert!(!logic.needs_pairing());
    assert!(matches!(
        logic.hello(),
        Ok((Hello::Pair(_), Security::Tls(Trust::Learn)))
    ));
}

#[test]
fn the_same_status_is_reported_once() {
    let mut logic = LinkLogic::new(&config(None));
    let mut out = Vec::new();
    logic.set_status(LinkStatus::Connecting, &mut out);
    logic.set_status(LinkStatus::Connecting, &mut out);
    assert_eq!(out.len(), 1);
}

#[test]
fn requests_become_one_save_and_control_messages_need_a_connection() {
    let mut logic = started(None, Loaded::default());
    let submit = |key: &str| LinkRequest::Submit {
        key: key.into(),
        command: pack(1),
    };
    let mut out = Vec::new();
    let paired = logic.on_requests(
        Some(vec![submit("a"), LinkRequest::ListDevices, submit("b")]),
        false,
        &mut out,
    );
    assert!(!paired);
    assert_eq!(
        out[0],
        Action::SaveSubmits(vec![("a".into(), pack(1)), ("b".into(), pack(1))])
    );
    assert!(matches!(&out[1], Action::Emit(LinkEvent::Notice(_))));
    assert_eq!(out.len(), 2);

    let mut out = Vec::new();
    logic.on_requests(Some(vec![LinkRequest::SiteStatus]), true, &mut out);
    assert_eq!(out, [Action::Send(ClientMessage::SiteStatus {})]);

    let mut out = Vec::new();
    let paired = logic.on_requests(
        Some(vec![LinkRequest::Pair {
            code: "1234-5678".into(),
        }]),
        false,
        &mut out,
    );
    assert!(paired && out.is_empty());
    assert!(!logic.stopping());
    logic.on_requests(None, false, &mut out);
    assert!(logic.stopping());
}

#[test]
fn saved_submits_are_queued_and_reported_and_failed_ones_rejected() {
    let mut logic = started(None, Loaded::default());
    let mut out = Vec::new();
    // "b" was already in the outbox: queued again for the owner, not reported twice.
    logic.on_submits_saved(vec!["a".into(), "b".into()], Ok(vec![entry(1)]), &mut out);
    assert_eq!(
        emitted(&out),
        [
            &LinkEvent::Queued { key: "a".into() },
            &LinkEvent::Queued { key: "b".into() },
            &LinkEvent::Outbox(OutboxReport::Queued(vec![OutboxItem {
                key: "k1".into(),
                command: pack(1),
                queued_at: None,
            }])),
        ]
    );
    let mut out = Vec::new();
    logic.on_submits_saved(vec!["c".into()], Err("disk full".into()), &mut out);
    assert!(matches!(
        emitted(&out)[..],
        [LinkEvent::Rejected { key, code: ErrorCode::Internal, message }]
            if key == "c" && message.contains("disk full")
    ));
}

#[test]
fn hello_depends_on_what_the_device_holds() {
    let mut logic = started(None, Loaded::default());
    assert!(logic.needs_pairing());
    assert_eq!(
        logic.hello().unwrap_err(),
        SessionEnd::NeedsPairing { reason: None }
    );

    let mut logic = started(
        None,
        Loaded {
            credentials: Some(credentials()),
            ..Loaded::default()
        },
    );
    assert!(matches!(
        logic.hello(),
        Ok((Hello::Auth(_), Security::Tls(Trust::Pinned(pin)))) if pin == FINGERPRINT
    ));

    // Paired over plaintext: the token must not go to an unpinned server.
    let mut logic = started(
        None,
        Loaded {
            credentials: Some(Credentials {
                server_fingerprint: None,
                ..credentials()
            }),
            ..Loaded::default()
        },
    );
    assert!(matches!(
        logic.hello(),
        Err(SessionEnd::NeedsPairing { reason: Some(_) })
    ));
    assert!(logic.needs_pairing());

    let mut logic = started(Some("12"), Loaded::default());
    assert!(matches!(
        logic.hello(),
        Err(SessionEnd::NeedsPairing { reason: Some(_) })
    ));
    assert!(logic.needs_pairing(), "a bad code is forgotten");
}

#[test]
fn pairing_saves_credentials_bound_to_the_certificate_then_welcome_connects() {
    let code = PairingCode::parse("1234-5678").unwrap();
    let mut logic = started(Some("1234-5678"), Loaded::default());
    let (hello, security) = logic.hello().unwrap();
    assert_eq!(security, Security::Tls(Trust::Learn));
    let mut out = Vec::new();
    let mut handshake = logic.start_handshake(hello, "srv:1", Some(FINGERPRINT.into()), &mut out);
    let Some(Action::Send(ClientMessage::PairStart {
        code_slot,
        device_name,
        spake2,
        ..
    })) = out.first()
    else {
        panic!("expected pair_start, got {out:?}");
    };
    assert_eq!((code_slot.as_str(), device_name.as_str()), ("12", "desk"));
    let client_message = hex::decode(spake2).unwrap();
    let (challenge, confirmations) =
        pairing::server_respond(&code, &client_message, FINGERPRINT).unwrap();

    let mut out = Vec::new();
    let step = logic.on_handshake_message(
        &mut handshake,
        ServerMessage::PairChallenge {
            spake2: hex::encode(challenge),
        },
        &mut out,
    );
    assert_eq!(step, Ok(Step::Continue));
    assert_eq!(
        out,
        [Action::Send(ClientMessage::PairConfirm {
            mac: hex::encode(confirmations.client)
        })]
    );

    let mut out = Vec::new();
    let enrolled = ServerMessage::Enrolled {
        device_id: 9,
        token: "new-token".into(),
        role: Role::Office,
        mac: hex::encode(confirmations.server),
    };
    assert_eq!(
        logic.on_handshake_message(&mut handshake, enrolled, &mut out),
        Ok(Step::Continue)
    );
    assert_eq!(
        out,
        [Action::SaveCredentials(Credentials {
            device_id: 9,
            token: "new-token".into(),
            server_fingerprint: Some(FINGERPRINT.into()),
        })]
    );

    let mut out = Vec::new();
    let step = logic.on_handshake_message(&mut handshake, welcome("srv", 0), &mut out);
    assert_eq!(step, Ok(Step::Welcomed));
    assert!(matches!(
        &out[0],
        Action::Emit(LinkEvent::Status(LinkStatus::Connected {
            device_id: 7,
            ..
        }))
    ));
    assert_eq!(
        out[1],
        Action::Write(StoreWrite::LastServer("srv:1".into()))
    );
    // The next connection authenticates with the new token.
    assert!(matches!(logic.hello(), Ok((Hello::Auth(c), _)) if c.token == "new-token"));
}

#[test]
fn an_unconfirmed_enrolment_is_not_trusted() {
    let mut logic = started(Some("1234-5678"), Loaded::default());
    let (hello, _) = logic.hello().unwrap();
    let mut handshake = logic.start_handshake(hello, "srv:1", None, &mut Vec::new());
    let mut out = Vec::new();
    let enrolled = ServerMessage::Enrolled {
        device_id: 9,
        token: "t".into(),
        role: Role::Office,
        mac: "00".repeat(32),
    };
    let end = logic.on_handshake_message(&mut handshake, enrolled, &mut out);
    assert!(matches!(
        end,
        Err(SessionEnd::NeedsPairing { reason: Some(_) })
    ));
    assert!(out.is_empty(), "nothing saved: {out:?}");
    assert!(logic.needs_pairing());
}

#[test]
fn refusals_decide_between_pairing_again_giving_up_and_retrying() {
    let error = |code| ServerMessage::Error {
        code,
        message: "no".into(),
        key: None,
        export_id: None,
    };
    let paired = || {
        started(
            None,
            Loaded {
                credentials: Some(credentials()),
                ..Loaded::default()
            },
        )
    };
    let handshake_with = |logic: &mut LinkLogic| {
        let (hello, _) = logic.hello().unwrap();
        logic.start_handshake(hello, "srv:1", Some(FINGERPRINT.into()), &mut Vec::new())
    };

    let mut logic = paired();
    let mut handshake = handshake_with(&mut logic);
    let mut out = Vec::new();
    let end = logic.on_handshake_message(&mut handshake, error(ErrorCode::Revoked), &mut out);
    assert_eq!(
        end,
        Err(SessionEnd::Refused {
            reason: "no".into(),
            retry: false
        })
    );
    assert_eq!(out, [Action::Write(StoreWrite::ClearCredentials)]);
    assert!(logic.needs_pairing());

    let mut logic = paired();
    let mut handshake = handshake_with(&mut logic);
    let mut out = Vec::new();
    let end =
        logic.on_handshake_message(&mut handshake, error(ErrorCode::VersionMismatch), &mut out);
    assert_eq!(
        end,
        Err(SessionEnd::Refused {
            reason: "no".into(),
            retry: true
        })
    );
    assert!(out.is_empty());
    assert!(!logic.needs_pairing(), "the token is kept");

    // A refused code while a token is held: the token stays, the code goes.
    let mut logic = paired();
    let pair = LinkRequest::Pair {
        code: "1234-5678".into(),
    };
    assert!(logic.on_requests(Some(vec![pair]), false, &mut Vec::new()));
    let mut handshake = handshake_with(&mut logic);
    let mut out = Vec::new();
    let end = logic.on_handshake_message(&mut handshake, error(ErrorCode::AuthFailed), &mut out);
    assert!(matches!(end, Err(SessionEnd::NeedsPairing { .. })));
    assert!(out.is_empty());
    assert!(matches!(logic.hello(), Ok((Hello::Auth(_), _))));
}

#[test]
fn welcome_from_another_server_starts_from_a_snapshot() {
    let mut state = SiteState::default();
    state.apply(&event(1));
    let mut logic = started(
        None,
        Loaded {
            credentials: Some(credentials()),
            saved: Some(SavedState {
                server_id: "old".into(),
                state,
            }),
            ..Loaded::default()
        },
    );
    let (hello, _) = logic.hello().unwrap();
    let mut handshake = logic.start_handshake(hello, "srv:1", None, &mut Vec::new());
    logic
        .on_handshake_message(&mut handshake, welcome("new", 5), &mut Vec::new())
        .unwrap();
    let mut out = Vec::new();
    logic.subscribe(Instant::now(), &mut out);
    assert_eq!(
        out,
        [Action::Send(ClientMessage::Subscribe { after_seq: 0 })]
    );
}

#[test]
fn the_outbox_is_sent_in_order_and_each_answer_is_reported() {
    let (mut logic, out) = live(vec![entry(1), entry(2)]);
    assert_eq!(
        out[0],
        Action::Send(ClientMessage::Subscribe { after_seq: 0 })
    );
    assert_eq!(sent_commands(&out), ["k1", "k2"]);
    assert_eq!(
        out.last(),
        Some(&Action::Emit(LinkEvent::Outbox(OutboxReport::Sent(vec![
            "k1".into(),
            "k2".into()
        ]))))
    );

    let now = Instant::now();
    let mut out = Vec::new();
    let ack = ServerMessage::Ack {
        key: "k1".into(),
        seq: 3,
        order_id: None,
        store_id: None,
    };
    logic.on_live_message(ack, now, &mut out).unwrap();
    assert_eq!(
        emitted(&out),
        [
            &LinkEvent::Acked {
                key: "k1".into(),
                seq: 3,
                order_id: None,
                store_id: None
            },
            &LinkEvent::Outbox(OutboxReport::Answered(vec!["k1".into()])),
        ]
    );
    // k2 is still in flight: the delete waits for a batch or an idle line.
    let mut out = Vec::new();
    logic.flush_answered_if_due(&mut out);
    assert!(out.is_empty());

    let mut out = Vec::new();
    let rejected = ServerMessage::Error {
        code: ErrorCode::InvalidField,
        message: "bad".into(),
        key: Some("k2".into()),
        export_id: None,
    };
    logic.on_live_message(rejected, now, &mut out).unwrap();
    assert!(matches!(emitted(&out)[0], LinkEvent::Rejected { key, .. } if key == "k2"));
    assert_eq!(
        emitted(&out)[1],
        &LinkEvent::Outbox(OutboxReport::Answered(vec!["k2".into()]))
    );
    let mut out = Vec::new();
    logic.flush_answered_if_due(&mut out);
    assert_eq!(
        out,
        [Action::Write(StoreWrite::RemoveAnswered(vec![
            "k1".into(),
            "k2".into()
        ]))]
    );
}

#[test]
fn a_retry_holds_the_line_and_a_lost_connection_sends_again() {
    let (mut logic, _) = live(vec![entry(1)]);
    let now = Instant::now();
    let mut out = Vec::new();
    let retry = ServerMessage::Error {
        code: ErrorCode::RateLimited,
        message: "slow down".into(),
        key: Some("k1".into()),
        export_id: None,
    };
    logic.on_live_message(retry, now, &mut out).unwrap();
    assert!(out.is_empty(), "a retry is silent: {out:?}");
    let resume_at = logic.resume_at().unwrap();
    logic.pump(now, &mut out);
    assert!(out.is_empty());
    logic.pump(resume_at, &mut out);
    assert_eq!(sent_commands(&out), ["k1"]);

    let mut out = Vec::new();
    logic.connection_lost(&SessionEnd::Stopped, &mut out);
    assert!(out.is_empty(), "nothing answered, nothing changed: {out:?}");
    logic.subscribe(Instant::now(), &mut out);
    assert_eq!(sent_commands(&out), ["k1"]);
}

#[test]
fn live_events_are_emitted_and_saved_once_caught_up() {
    let (mut logic, _) = live(Vec::new());
    let now = Instant::now();
    let mut out = Vec::new();
    logic
        .on_live_message(
            ServerMessage::Snapshot(Snapshot {
                seq: 1,
                ..Snapshot::default()
            }),
            now,
            &mut out,
        )
        .unwrap();
    logic
        .on_live_message(ServerMessage::Event(event(2)), now, &mut out)
        .unwrap();
    assert!(!logic.wants_checkpoint(), "no checkpoint while catching up");
    logic
        .on_live_message(ServerMessage::CaughtUp { seq: 2 }, now, &mut out)
        .unwrap();
    let events = emitted(&out);
    assert!(matches!(events[0], LinkEvent::Reset { stale: false, .. }));
    assert!(matches!(events[1], LinkEvent::Event { replayed: true, event } if event.seq == 2));
    assert_eq!(events[2], &LinkEvent::CaughtUp { seq: 2 });
    assert!(matches!(
        out.last(),
        Some(Action::Write(StoreWrite::SaveState { server_id, state })) if server_id == "srv" && state.seq == 2
    ));

    // A gap asks again on the same connection.
    let mut out = Vec::new();
    logic
        .on_live_message(ServerMessage::Event(event(4)), now, &mut out)
        .unwrap();
    assert_eq!(
        out,
        [Action::Send(ClientMessage::Subscribe { after_seq: 2 })]
    );
}

#[test]
fn a_revocation_while_live_ends_the_session_and_forgets_the_token() {
    let (mut logic, _) = live(Vec::new());
    let mut out = Vec::new();
    let revoked = ServerMessage::Error {
        code: ErrorCode::Revoked,
        message: "revoked".into(),
        key: None,
        export_id: None,
    };
    let end = logic.on_live_message(revoked, Instant::now(), &mut out);
    assert!(matches!(end, Err(SessionEnd::Refused { retry: false, .. })));
    assert_eq!(out, [Action::Write(StoreWrite::ClearCredentials)]);
}

#[test]
fn a_paired_link_says_when_only_other_servers_answered() {
    let logic = started(
        None,
        Loaded {
            credentials: Some(credentials()),
            ..Loaded::default()
        },
    );
    let server = |id: &str, port: u16| crate::discovery::FoundServer {
        ws_addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        site: "Shop".into(),
        server_id: id.into(),
        protocol: crate::discovery::WIRE_PROTOCOL_VERSION,
    };
    let mut out = Vec::new();
    assert_eq!(logic.choose_server(Vec::new(), &mut out), Ok(None));
    let reason = logic
        .choose_server(vec![server("other", 1)], &mut out)
        .expect_err("not ours");
    assert_eq!(
        super::super::cause::offline_cause(&reason),
        super::super::cause::OfflineCause::OtherServer
    );
    assert_eq!(
        logic.choose_server(vec![server("other", 1), server(FINGERPRINT, 2)], &mut out),
        Ok(Some("127.0.0.1:2".into()))
    );
}

#[test]
fn a_pairing_code_with_an_address_keeps_the_address() {
    let mut logic = started(None, Loaded::default());
    assert!(logic.needs_pairing());
    let pair = LinkRequest::Pair {
        code: "1234-5678@10.0.0.5".into(),
    };
    let mut out = Vec::new();
    assert!(logic.on_requests(Some(vec![pair]), false, &mut out));
    assert!(!logic.needs_pairing());
    assert_eq!(logic.pairing_code.as_deref(), Some("1234-5678"));
    assert!(out.contains(&Action::Write(StoreWrite::Servers(vec![
        "10.0.0.5:47801".into()
    ]))));
    assert_eq!(
        logic.take_servers_changed(),
        Some(vec!["10.0.0.5:47801".to_owned()])
    );
    assert_eq!(logic.take_servers_changed(), None, "taken once");

    // A bad address is refused with a notice; the code is not taken either.
    let mut logic = started(None, Loaded::default());
    let pair = LinkRequest::Pair {
        code: "1234-5678@10.0.0.5:http".into(),
    };
    let mut out = Vec::new();
    assert!(!logic.on_requests(Some(vec![pair]), false, &mut out));
    assert!(logic.needs_pairing());
    assert!(matches!(&out[..], [Action::Emit(LinkEvent::Notice(_))]));
}

#[test]
fn a_configured_code_with_an_address_keeps_it_at_start() {
    let mut logic = LinkLogic::new(&config(Some("12345678@shop-pc:9000")));
    let mut out = Vec::new();
    logic.on_loaded(Ok(Loaded::default()), &mut out);
    assert_eq!(logic.pairing_code.as_deref(), Some("12345678"));
    assert!(out.contains(&Action::Write(StoreWrite::Servers(vec![
        "shop-pc:9000".into()
    ]))));
}

#[test]
fn set_servers_keeps_the_readable_addresses_once() {
    let mut logic = started(None, Loaded::default());
    let request =
        LinkRequest::SetServers(vec!["10.0.0.5".into(), " ".into(), "10.0.0.5:47801".into()]);
    let mut out = Vec::new();
    assert!(logic.on_requests(Some(vec![request]), false, &mut out));
    assert_eq!(
        out,
        vec![Action::Write(StoreWrite::Servers(vec![
            "10.0.0.5:47801".into()
        ]))]
    );
}
