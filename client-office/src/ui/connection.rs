//! The Connection screen: the link's last look for the server (cards asked, servers
//! that answered, the paired one) and the likely cause, plus the server addresses this
//! PC keeps. Reads `Model::connection_report`; saving addresses is a link request.

use egui::{Id, RichText};
use packbell_shared::link::LinkRequest;
use packbell_shared::link::LinkStatus;
use packbell_shared::link::diagnosis::{Cause, ConnectionReport, describe_paired};
use packbell_shared::tls::short_fingerprint;

use super::{AMBER, GREEN, Intent, RED, Screen, View};

/// The address list being edited, kept between frames.
fn addresses_id() -> Id {
    Id::unique("office-connection-addresses")
}

pub(super) fn connection_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let lang = screen.lang;
    let t = lang.connection();
    ui.horizontal(|ui| {
        ui.heading(t.title);
        if ui.button(t.back).clicked() {
            screen.view = View::Orders;
        }
    });
    ui.separator();
    let report = screen.model.connection_report.clone();
    egui::ScrollArea::vertical().show(ui, |ui| {
        paired_line(ui, screen, report.as_deref());
        match report.as_deref() {
            None => {
                ui.label(t.no_look_yet);
            }
            Some(report) => look_ui(ui, screen, report),
        }
        ui.add_space(12.0);
        addresses_ui(ui, screen, report.as_deref());
    });
}

fn paired_line(ui: &mut egui::Ui, screen: &Screen<'_>, report: Option<&ConnectionReport>) {
    let t = screen.lang.connection();
    let paired = match (
        &screen.model.link,
        report.and_then(|r| r.look.paired.as_ref()),
    ) {
        (
            LinkStatus::Connected {
                site, server_id, ..
            },
            _,
        ) => Some(format!("{site} ({})", short_fingerprint(server_id))),
        (_, Some(paired)) => Some(describe_paired(paired)),
        _ => None,
    };
    ui.horizontal(|ui| match paired {
        Some(paired) => {
            ui.label(RichText::new(t.paired_with).strong());
            ui.label(paired);
        }
        None => {
            ui.label(t.not_paired);
        }
    });
}

fn look_ui(ui: &mut egui::Ui, screen: &Screen<'_>, report: &ConnectionReport) {
    let lang = screen.lang;
    let t = lang.connection();
    ui.horizontal(|ui| {
        ui.label(RichText::new(t.last_look).strong());
        ui.label(crate::i18n::time(screen.zone, report.at));
    });
    let (headline, fix) = lang.cause(&report.cause);
    let colour = match report.cause {
        Cause::Found { .. } => GREEN,
        Cause::ChooseServer { .. } => AMBER,
        _ => RED,
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(t.likely_cause).strong());
        ui.label(RichText::new(headline).color(colour));
    });
    if !fix.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(t.what_to_do).strong());
            ui.label(fix);
        });
    }
    ui.add_space(8.0);
    ui.label(RichText::new(t.cards).strong());
    if report.look.probed.is_empty() {
        ui.label(t.no_cards);
    }
    for card in &report.look.probed {
        ui.label(format!(
            "{}: {}, {}",
            card.interface, card.local, card.target
        ));
    }
    ui.add_space(8.0);
    ui.label(RichText::new(t.answers).strong());
    if report.look.answers.is_empty() {
        ui.label(t.nobody_answered);
    } else {
        answers_grid(ui, screen, report);
    }
    if !report.look.silent.is_empty() {
        ui.add_space(8.0);
        ui.label(RichText::new(t.silent).strong());
        for silent in &report.look.silent {
            ui.label(format!(
                "{} ({}): {}",
                silent.address,
                lang.via(silent.via),
                silent.error
            ));
        }
    }
}

fn answers_grid(ui: &mut egui::Ui, screen: &Screen<'_>, report: &ConnectionReport) {
    let lang = screen.lang;
    let t = lang.connection();
    let ours = report.look.paired.as_ref().map(|p| p.fingerprint.as_str());
    egui::Grid::new("office-connection-answers")
        .striped(true)
        .show(ui, |ui| {
            for heading in [t.col_site, t.col_address, t.col_fingerprint, t.col_found_by] {
                ui.label(RichText::new(heading).strong());
            }
            ui.end_row();
            for answer in &report.look.answers {
                ui.label(&answer.site);
                ui.label(answer.address.to_string());
                let mut fingerprint = short_fingerprint(&answer.fingerprint);
                if ours == Some(answer.fingerprint.as_str()) {
                    fingerprint = format!("{fingerprint} ({})", t.ours);
                }
                ui.label(fingerprint);
                let mut via = lang.via(answer.via).to_owned();
                if answer.reachable == Some(false) {
                    via = format!("{via}, {}", t.unreachable);
                }
                ui.label(via);
                ui.end_row();
            }
        });
}

fn addresses_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>, report: Option<&ConnectionReport>) {
    let t = screen.lang.connection();
    let heading = ui.label(RichText::new(t.addresses).strong());
    ui.label(t.addresses_hint);
    let id = addresses_id();
    let mut text: String = ui.data_mut(|data| {
        data.get_temp(id).unwrap_or_else(|| {
            report
                .map(|report| report.configured.join(", "))
                .unwrap_or_default()
        })
    });
    let edit = ui.add(egui::TextEdit::singleline(&mut text).desired_width(400.0));
    let _ = edit.labelled_by(heading.id);
    ui.data_mut(|data| data.insert_temp(id, text.clone()));
    if ui.button(t.save_addresses).clicked() {
        let servers = text
            .split(',')
            .map(str::trim)
            .filter(|address| !address.is_empty())
            .map(str::to_owned)
            .collect();
        screen
            .intents
            .push(Intent::Request(LinkRequest::SetServers(servers)));
    }
}
