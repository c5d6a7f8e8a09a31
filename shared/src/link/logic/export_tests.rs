//! Exports in the link: the owner's export requests go to the server as they are
//! when connected, pieces and export errors come back to the owner.

use std::path::PathBuf;
use std::time::Instant;

use crate::protocol::{ClientMessage, ErrorCode, ExportDelimiter, ExportKind, ServerMessage};

use super::super::api::{LinkConfig, LinkEvent, LinkRequest};
use super::{Action, LinkLogic};

fn logic() -> LinkLogic {
    LinkLogic::new(&LinkConfig {
        data_dir: PathBuf::from("unused"),
        server: None,
        discovery_targets: Vec::new(),
        site: None,
        device_name: "office".into(),
        insecure_plaintext: false,
        pairing_code: None,
    })
}

fn start() -> LinkRequest {
    LinkRequest::ExportStart {
        export_id: 3,
        kind: ExportKind::Orders,
        from: "2026-03-01".into(),
        to: "2026-03-02".into(),
        stores: vec!["Centro".into()],
        delimiter: ExportDelimiter::Semicolon,
    }
}

#[test]
fn export_requests_are_sent_as_they_are_when_connected() {
    let mut link = logic();
    let mut out = Vec::new();
    let requests = vec![
        start(),
        LinkRequest::ExportNext { export_id: 3 },
        LinkRequest::ExportCancel { export_id: 3 },
    ];
    link.on_requests(Some(requests), true, &mut out);
    assert_eq!(
        out,
        [
            Action::Send(ClientMessage::ExportStart {
                export_id: 3,
                kind: ExportKind::Orders,
                from: "2026-03-01".into(),
                to: "2026-03-02".into(),
                stores: vec!["Centro".into()],
                delimiter: ExportDelimiter::Semicolon,
            }),
            Action::Send(ClientMessage::ExportNext { export_id: 3 }),
            Action::Send(ClientMessage::ExportCancel { export_id: 3 }),
        ]
    );
}

#[test]
fn an_export_asked_for_offline_is_not_sent_but_told() {
    let mut link = logic();
    let mut out = Vec::new();
    link.on_requests(Some(vec![start()]), false, &mut out);
    assert!(matches!(
        out.as_slice(),
        [Action::Emit(LinkEvent::Notice(_))]
    ));
}

#[test]
fn pieces_and_export_errors_reach_the_owner() {
    let mut link = logic();
    let mut out = Vec::new();
    let piece = ServerMessage::ExportChunk {
        export_id: 3,
        data: "\u{feff}a,b\r\n".into(),
        done: true,
        rows: Some(0),
    };
    link.on_live_message(piece, Instant::now(), &mut out)
        .expect("handled");
    let refused = ServerMessage::Error {
        code: ErrorCode::UnknownStore,
        message: "there is no store named \"Nowhere\"".into(),
        key: None,
        export_id: Some(4),
    };
    link.on_live_message(refused, Instant::now(), &mut out)
        .expect("handled");
    assert_eq!(
        out,
        [
            Action::Emit(LinkEvent::ExportChunk {
                export_id: 3,
                data: "\u{feff}a,b\r\n".into(),
                done: true,
                rows: Some(0),
            }),
            Action::Emit(LinkEvent::ExportFailed {
                export_id: 4,
                code: ErrorCode::UnknownStore,
                message: "there is no store named \"Nowhere\"".into(),
            }),
        ]
    );
}
