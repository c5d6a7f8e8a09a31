//! CSV exports over the link, against the real server with a raw client: the pieces
//! joined are the file the `export` command writes, every frame fits, bad requests
//! get their documented errors, and the socket keeps serving.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod common;

use chrono::{Local, NaiveTime, TimeZone, Utc};
use serde_json::json;

use common::{Raw, enrol};
use packbell_server::db;
use packbell_server::export::{self, Delimiter, Kind, Request};
use packbell_server::{RunningServer, ServerConfig};
use packbell_shared::protocol::{ErrorCode, Role, ServerMessage};

/// Frames over this are refused by every client (docs/protocol.md).
const MAX_FRAME: usize = 64 * 1024;

/// Orders seeded: enough for the orders report to need many pieces.
const ORDERS: u64 = 2_000;

async fn seeded_server() -> (RunningServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let start = Local
        .from_local_datetime(
            &Local::now()
                .date_naive()
                .and_time(NaiveTime::from_hms_opt(0, 30, 0).unwrap()),
        )
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    let mut conn = db::open(dir.path()).unwrap();
    db::export::seed_packed_orders(&mut conn, ORDERS, start).unwrap();
    drop(conn);
    let server = RunningServer::start(ServerConfig::for_tests(dir.path().to_owned()))
        .await
        .unwrap();
    (server, dir)
}

/// Pulls export `id` to its end: the joined text, the rows, and how many pieces.
async fn pull(admin: &mut Raw, id: u32) -> (String, u64, usize) {
    let mut text = String::new();
    let mut pieces = 0;
    loop {
        let (message, size) = admin.recv_sized().await;
        assert!(size <= MAX_FRAME, "a piece of {size} bytes");
        match message {
            ServerMessage::ExportChunk {
                export_id,
                data,
                done,
                rows,
            } => {
                assert_eq!(export_id, id);
                pieces += 1;
                text.push_str(&data);
                if done {
                    return (text, rows.unwrap(), pieces);
                }
            }
            other => panic!("expected a piece, got {other:?}"),
        }
        admin
            .send(json!({"type": "export_next", "export_id": id}))
            .await;
    }
}

fn expected_file(dir: &std::path::Path, kind: Kind, stores: Vec<String>) -> String {
    let today = Local::now().date_naive();
    let request = Request {
        kind,
        from: today,
        to: today,
        stores,
        delimiter: Delimiter::Semicolon,
    };
    let conn = db::export::open_reader(dir).unwrap();
    let checked = export::check(&conn, &request).unwrap();
    String::from_utf8(
        export::write(&conn, &request, &checked, Vec::new())
            .unwrap()
            .0,
    )
    .unwrap()
}

#[tokio::test]
async fn an_admin_pulls_the_report_the_export_command_writes_in_pieces_that_fit() {
    let (server, dir) = seeded_server().await;
    let (mut admin, ..) = enrol(&server, Role::Admin, "Jefa").await;
    let today = Local::now().date_naive().to_string();
    admin
        .send(
            json!({"type": "export_start", "export_id": 7, "kind": "orders",
                     "from": today, "to": today, "delimiter": "semicolon"}),
        )
        .await;
    let (text, rows, pieces) = pull(&mut admin, 7).await;
    assert_eq!(rows, ORDERS);
    assert!(pieces > 3, "{pieces} pieces");
    assert!(text.starts_with('\u{feff}'));
    assert_eq!(text, expected_file(dir.path(), Kind::Orders, Vec::new()));

    // The finished export is in the audit report, named after the admin's device.
    let audit = expected_file(dir.path(), Kind::Audit, Vec::new());
    let last = audit.lines().last().unwrap();
    assert!(
        last.contains("report_exported") && last.contains("Jefa"),
        "{last}"
    );
    assert!(
        last.contains(&format!("orders report, {today} to {today}")),
        "{last}"
    );

    // A finished export has no next piece.
    admin
        .send(json!({"type": "export_next", "export_id": 7}))
        .await;
    let refused = admin.recv().await;
    assert!(
        matches!(
            refused,
            ServerMessage::Error {
                code: ErrorCode::InvalidState,
                ..
            }
        ),
        "{refused:?}"
    );
}

#[tokio::test]
async fn bad_export_requests_get_their_errors_and_the_socket_keeps_serving() {
    let (server, _dir) = seeded_server().await;
    let (mut admin, ..) = enrol(&server, Role::Admin, "Jefa").await;
    let (mut office, ..) = enrol(&server, Role::Office, "Oficina").await;
    let today = Local::now().date_naive().to_string();
    let start = |id: u32, from: &str, to: &str, stores: &[&str]| {
        json!({"type": "export_start", "export_id": id, "kind": "summary",
               "from": from, "to": to, "stores": stores})
    };
    office.send(start(1, &today, &today, &[])).await;
    let forbidden = office.recv().await;
    assert!(
        matches!(
            forbidden,
            ServerMessage::Error {
                code: ErrorCode::Forbidden,
                ..
            }
        ),
        "{forbidden:?}"
    );
    for (request, code, says) in [
        (
            start(2, &today, "2001-01-01", &[]),
            ErrorCode::InvalidField,
            "inverted",
        ),
        (
            start(3, "31/03/2026", &today, &[]),
            ErrorCode::InvalidField,
            "YYYY-MM-DD",
        ),
        (
            start(4, &today, &today, &["Nowhere"]),
            ErrorCode::UnknownStore,
            "Nowhere",
        ),
        (
            json!({"type": "export_next", "export_id": 99}),
            ErrorCode::InvalidState,
            "99",
        ),
    ] {
        admin.send(request.clone()).await;
        match admin.recv().await {
            ServerMessage::Error {
                code: got,
                message,
                export_id,
                ..
            } => {
                assert_eq!(got, code, "{request}: {message}");
                assert_eq!(
                    Some(export_id),
                    request["export_id"].as_u64().map(|id| Some(id as u32))
                );
                assert!(message.contains(says), "{request}: {message}");
            }
            other => panic!("{request}: expected an error, got {other:?}"),
        }
    }

    // Cancelled half way: no answer, the next piece is refused, a new export works.
    admin
        .send(
            json!({"type": "export_start", "export_id": 5, "kind": "audit",
                     "from": today, "to": today}),
        )
        .await;
    assert!(matches!(
        admin.recv().await,
        ServerMessage::ExportChunk { done: false, .. }
    ));
    admin
        .send(json!({"type": "export_cancel", "export_id": 5}))
        .await;
    admin
        .send(json!({"type": "export_next", "export_id": 5}))
        .await;
    assert!(matches!(
        admin.recv().await,
        ServerMessage::Error {
            code: ErrorCode::InvalidState,
            ..
        }
    ));
    admin.send(start(6, &today, &today, &[])).await;
    let (text, rows, _) = pull(&mut admin, 6).await;
    assert!(text.starts_with("\u{feff}store,orders"), "{text}");
    assert_eq!(rows, 2, "one store and the total");
    admin.send(json!({"type": "site_status"})).await;
    assert!(matches!(admin.recv().await, ServerMessage::SiteStatus(_)));
}
