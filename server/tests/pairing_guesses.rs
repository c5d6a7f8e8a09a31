//! How many guesses a pairing code can take, however they arrive, and what happens
//! when every code slot is open.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;

use std::path::Path;

use rusqlite::Connection;
use serde_json::json;

use packbell_server::Limits;
use packbell_server::db::pairing::{MAX_PAIRING_FAILURES, NO_OPEN_CODE, PAIRING_SLOTS};
use packbell_shared::pairing::{ClientPairing, PairingCode};
use packbell_shared::protocol::{ErrorCode, Role, ServerMessage};

use common::{Raw, enrol, start_site};

/// Parallel guessers on one code; each has its own socket.
const GUESSERS: usize = 20;

fn server_db(data_dir: &Path) -> Connection {
    let conn = Connection::open(data_dir.join("packbell.sqlite3")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn
}

fn open_codes(data_dir: &Path) -> usize {
    server_db(data_dir)
        .query_row(
            "SELECT COUNT(*) FROM pairing_codes WHERE used = 0 AND expires_at > ?1",
            [packbell_server::db::time_to_text(chrono::Utc::now())],
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_parallel_guesses_on_one_code_are_checked_at_most_five_times() {
    // Setting up twenty TLS sockets one by one may take longer than the usual 10 s on
    // a busy machine; the first must not time out before the last is ready.
    let site = start_site(Limits {
        auth_timeout: std::time::Duration::from_secs(120),
        ..Limits::default()
    })
    .await;
    let code = site.server.new_pairing_code(Role::Admin).await.unwrap();
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    let last = digits.as_bytes()[7] - b'0';
    let wrong = PairingCode::parse(&format!("{}{}", &digits[..7], (last + 1) % 10)).unwrap();

    // Every guesser gets its challenge before any confirms, so all confirmations
    // arrive while the code is still open.
    let mut ready = Vec::new();
    for i in 0..GUESSERS {
        let mut raw = Raw::connect(site.server.ws_addr()).await;
        let (state, message) = ClientPairing::start(&wrong);
        raw.send(
            json!({"type": "pair_start", "protocol": 1, "code_slot": wrong.slot(),
                        "device_name": format!("guesser {i}"), "spake2": hex::encode(message)}),
        )
        .await;
        let ServerMessage::PairChallenge { spake2 } = raw.recv().await else {
            panic!("guesser {i} got no challenge");
        };
        let confirmations = state
            .finish(&hex::decode(spake2).unwrap(), &raw.fingerprint)
            .unwrap();
        ready.push((raw, hex::encode(confirmations.client)));
    }
    let guesses = ready.into_iter().map(|(mut raw, mac)| {
        tokio::spawn(async move {
            raw.send(json!({"type": "pair_confirm", "mac": mac})).await;
            raw.recv().await
        })
    });
    let mut checked = 0;
    for answer in futures_util::future::join_all(guesses).await {
        match answer.unwrap() {
            ServerMessage::Error {
                code: ErrorCode::AuthFailed,
                message,
                ..
            } => {
                if message.starts_with("pairing failed") {
                    checked += 1;
                } else {
                    assert_eq!(message, NO_OPEN_CODE, "refused unchecked");
                }
            }
            other => panic!("expected auth_failed, got {other:?}"),
        }
    }
    assert_eq!(
        checked, MAX_PAIRING_FAILURES as usize,
        "only five were checked"
    );
    let failures: u32 = server_db(site.dir.path())
        .query_row(
            "SELECT failures FROM pairing_codes WHERE code = ?1",
            [&digits],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failures, MAX_PAIRING_FAILURES);

    // The code is void: even the right guess is refused now.
    let mut raw = Raw::connect(site.server.ws_addr()).await;
    match common::pair(&mut raw, &code, "too late").await {
        ServerMessage::Error { code, .. } => assert_eq!(code, ErrorCode::AuthFailed),
        other => panic!("the voided code paired: {other:?}"),
    }
}

#[tokio::test]
async fn a_code_asked_for_when_every_slot_is_open_is_refused_and_no_open_code_is_voided() {
    let site = start_site(Limits::default()).await;
    let (mut admin, _, _) = enrol(&site.server, Role::Admin, "owner").await;
    let mut codes = Vec::new();
    for _ in 0..PAIRING_SLOTS {
        admin
            .send(json!({"type": "new_pairing_code", "role": "warehouse"}))
            .await;
        match admin
            .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
            .await
        {
            ServerMessage::PairingCode { code, .. } => codes.push(code),
            other => panic!("expected a code, got {other:?}"),
        }
    }
    admin
        .send(json!({"type": "new_pairing_code", "role": "warehouse"}))
        .await;
    match admin.expect_error("invalid_state").await {
        ServerMessage::Error { message, .. } => {
            assert!(message.contains("all 100 pairing code slots"), "{message}");
        }
        other => unreachable!("{other:?}"),
    }
    assert_eq!(
        open_codes(site.dir.path()),
        PAIRING_SLOTS,
        "none was voided"
    );
    // The first code made still pairs.
    let mut raw = Raw::connect(site.server.ws_addr()).await;
    assert!(matches!(
        common::pair(&mut raw, &codes[0], "packing 1").await,
        ServerMessage::Enrolled { .. }
    ));
}

#[test]
fn the_pairing_code_command_says_why_when_every_slot_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let conn = packbell_server::db::open(dir.path()).unwrap();
    let now = chrono::Utc::now();
    for _ in 0..PAIRING_SLOTS {
        packbell_server::db::pairing::new_pairing_code(
            &conn,
            Role::Office,
            now,
            now + chrono::Duration::minutes(10),
        )
        .unwrap();
    }
    drop(conn);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_packbell-server"))
        .args(["--data-dir", &dir.path().display().to_string()])
        .args(["pairing-code", "--role", "office"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(output.stdout.is_empty(), "no code printed");
    assert!(stderr.contains("all 100 pairing code slots"), "{stderr}");
    assert!(stderr.contains("expires at"), "{stderr}");
    assert_eq!(open_codes(dir.path()), PAIRING_SLOTS, "none was voided");
}

#[tokio::test]
async fn restarting_many_times_always_prints_codes_and_never_fills_the_slots() {
    // More starts than there are slots for three codes each.
    const STARTS: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    for start in 0..STARTS {
        let config = packbell_server::ServerConfig::for_tests(dir.path().to_owned());
        let server = packbell_server::RunningServer::start(config).await.unwrap();
        let codes = server.startup_pairing_codes().await.unwrap();
        assert_eq!(codes.len(), 3);
        assert!(
            codes.iter().all(|(_, code)| code.is_some()),
            "start {start}: {codes:?}"
        );
        server.shutdown().await;
    }
    assert_eq!(
        open_codes(dir.path()),
        3,
        "only the last start's codes are open"
    );
}
