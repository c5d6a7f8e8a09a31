//! The Connection window, driven through egui_kittest on a fake link: the likely cause
//! of the last look in both languages, and typed server addresses going to the link.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod support;

use chrono::{TimeZone, Utc};
use egui_kittest::kittest::{NodeT as _, Queryable};
use packbell_shared::link::diagnosis::{ConnectionReport, Look, Paired, ProbedCard, diagnose};
use packbell_shared::link::{LinkEvent, LinkRequest};
use packbell_warehouse::i18n::Language;
use packbell_warehouse::settings::Settings;
use support::*;

/// A look where nothing answered, on one card.
fn no_reply_report() -> ConnectionReport {
    let look = Look {
        probed: vec![ProbedCard {
            interface: "wlan0".into(),
            local: "192.168.1.40/24".into(),
            target: "192.168.1.255:47800".parse().unwrap(),
        }],
        paired: Some(Paired {
            fingerprint: "aaaa1111bbbb2222cccc3333dddd4444".into(),
            site: None,
        }),
        ..Look::default()
    };
    ConnectionReport {
        cause: diagnose(&look),
        look,
        configured: Vec::new(),
        at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).single().unwrap(),
    }
}

fn open_window(language: Language) -> (AppHarness, packbell_client_core::fake::FakeLink) {
    let settings = Settings {
        language: Some(language),
        ..Settings::default()
    };
    let (mut harness, events, link, _recorder) = fake_app(settings, None);
    events.send(connected("Tienda Sur")).unwrap();
    events
        .send(LinkEvent::Connection(Box::new(no_reply_report())))
        .unwrap();
    let open = language.connection().open;
    step_until(&mut harness, "the Connection button", |h| {
        has_label(h, open)
    });
    harness.get_by_label(open).click();
    harness.run();
    (harness, link)
}

#[test]
fn no_reply_names_the_checks_to_make() {
    let (mut harness, _link) = open_window(Language::En);
    step_until(&mut harness, "the cause", |h| {
        has_label_containing(h, "No reply on any network.")
    });
    assert!(has_label_containing(&harness, "marked Public in Windows"));
    assert!(has_label_containing(&harness, "wlan0"));
    assert!(has_label_containing(&harness, "No server answered."));
}

#[test]
fn no_reply_in_spanish() {
    let (mut harness, _link) = open_window(Language::Es);
    step_until(&mut harness, "the cause", |h| {
        has_label_containing(h, "Ninguna respuesta en ninguna red.")
    });
    assert!(has_label_containing(&harness, "Pública en Windows"));
}

#[test]
fn saved_addresses_go_to_the_link() {
    let (mut harness, link) = open_window(Language::En);
    harness
        .query_all_by_label("Server addresses")
        .find(|node| node.accesskit_node().role() == egui::accesskit::Role::TextInput)
        .expect("the address field")
        .click();
    harness.run();
    harness.event(egui::Event::Text("192.168.2.10".into()));
    harness.run();
    harness.get_by_label("Save addresses").click();
    harness.run();
    let sent: Vec<Vec<String>> = link
        .sent()
        .into_iter()
        .filter_map(|request| match request {
            LinkRequest::SetServers(servers) => Some(servers),
            _ => None,
        })
        .collect();
    assert_eq!(sent, vec![vec!["192.168.2.10".to_owned()]]);
}
