//! The Connection screen, driven through egui_kittest: it shows the link's last look
//! (cards, answers, the likely cause) in the window's language, and saving the typed
//! server addresses sends them to the link.

mod common;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use common::{frames, harness, step_until, wait_for_text};
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use packbell_client_core::fake::FakeLink;
use packbell_office::app::OfficeApp;
use packbell_office::i18n::Lang;
use packbell_shared::link::diagnosis::{
    Answer, Cause, ConnectionReport, Look, Paired, ProbedCard, Via,
};
use packbell_shared::link::{LinkEvent, LinkRequest, LinkStatus};

const WAIT: Duration = Duration::from_secs(5);
const OURS: &str = "aaaa1111bbbb2222cccc3333dddd4444eeee5555ffff6666aaaa7777bbbb8888";
const THEIRS: &str = "cccc9999dddd0000eeee1111ffff2222aaaa3333bbbb4444cccc5555dddd6666";

/// A look that found only another shop's server.
fn other_servers_report() -> ConnectionReport {
    let look = Look {
        probed: vec![ProbedCard {
            interface: "eth0".into(),
            local: "192.168.1.20/24".into(),
            target: "192.168.1.255:47800".parse().expect("address"),
        }],
        answers: vec![Answer {
            site: "Vecino".into(),
            address: "192.168.1.30:47801".parse().expect("address"),
            fingerprint: THEIRS.into(),
            via: Via::Broadcast,
            reachable: None,
            on_card: Some("eth0".into()),
        }],
        silent: Vec::new(),
        paired: Some(Paired {
            fingerprint: OURS.into(),
            site: None,
        }),
        mdns: true,
    };
    let cause = packbell_shared::link::diagnosis::diagnose(&look);
    ConnectionReport {
        look,
        cause,
        configured: vec!["10.0.0.5:47801".into()],
        at: Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 30, 0)
            .single()
            .expect("time"),
    }
}

fn open_screen(lang: Lang, report: ConnectionReport) -> (common::App<'static>, FakeLink) {
    let (link, receiver) = FakeLink::new();
    let events = link.feed();
    let app = OfficeApp::new(Box::new(link.clone()), receiver, None, lang).expect("app");
    let mut harness = harness(app);
    events
        .send(LinkEvent::Status(LinkStatus::Reconnecting {
            since: Utc
                .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
                .single()
                .expect("time"),
            attempt: 3,
            reason: "only other packbell servers answered".into(),
        }))
        .expect("pump alive");
    events
        .send(LinkEvent::Connection(Box::new(report)))
        .expect("pump alive");
    step_until(&mut harness, "the report", WAIT, |m| {
        m.connection_report.is_some()
    });
    let open = lang.connection().open;
    harness.get_by_label(open).click();
    frames(&mut harness, 2);
    (harness, link)
}

#[test]
fn the_screen_names_the_cause_the_servers_and_the_cards() {
    let report = other_servers_report();
    assert!(matches!(report.cause, Cause::OtherServers { .. }));
    let (mut harness, _link) = open_screen(Lang::En, report);
    wait_for_text(&mut harness, "Connection to the server", WAIT);
    assert!(
        harness
            .query_by_label_contains(
                "Other packbell servers answered, not the one this PC is paired with"
            )
            .is_some()
    );
    assert!(
        harness
            .query_all_by_label_contains("Vecino")
            .next()
            .is_some()
    );
    assert!(harness.query_by_label("192.168.1.30:47801").is_some());
    assert!(harness.query_all_by_label_contains("eth0").next().is_some());
    assert!(
        harness
            .query_by_label_contains("Turn on this shop's server")
            .is_some()
    );
}

#[test]
fn the_screen_speaks_spanish() {
    let (mut harness, _link) = open_screen(Lang::Es, other_servers_report());
    wait_for_text(&mut harness, "Conexión con el servidor", WAIT);
    assert!(
        harness
            .query_by_label_contains("Respondieron otros servidores packbell")
            .is_some()
    );
}

#[test]
fn saving_addresses_sends_them_to_the_link() {
    let (mut harness, link) = open_screen(Lang::En, other_servers_report());
    wait_for_text(&mut harness, "Server addresses", WAIT);
    harness
        .query_all_by_label("Server addresses")
        .find(|node| node.accesskit_node().role() == egui::accesskit::Role::TextInput)
        .expect("the address field")
        .click();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.event(egui::Event::Text("192.168.2.10, 192.168.2.11:9000".into()));
    harness.step();
    harness.get_by_label("Save addresses").click();
    frames(&mut harness, 2);
    let sent: Vec<Vec<String>> = link
        .sent()
        .into_iter()
        .filter_map(|request| match request {
            LinkRequest::SetServers(servers) => Some(servers),
            _ => None,
        })
        .collect();
    assert_eq!(
        sent,
        vec![vec![
            "192.168.2.10".to_owned(),
            "192.168.2.11:9000".to_owned()
        ]]
    );
}
