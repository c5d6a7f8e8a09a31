//! The Connection window: the link's last look for the server (cards asked, servers
//! that answered, the paired one) and the likely cause, plus the server addresses this
//! PC keeps. Reads `Model::connection_report`; saving addresses is an [`Intent`].

use egui::{Id, RichText};
use packbell_shared::link::diagnosis::{Cause, ConnectionReport, describe_paired};
use packbell_shared::tls::short_fingerprint;
use packbell_shared::zone::Zone;

use super::Intent;
use super::style::Palette;
use crate::i18n::Language;
use crate::model::{Connection, Model};

/// The address list being edited, kept between frames.
fn addresses_id() -> Id {
    Id::unique("warehouse-connection-addresses")
}

/// The window; `open` is cleared by its close button or "Back".
pub(super) fn connection_ui(
    ctx: &egui::Context,
    model: &Model,
    lang: Language,
    colours: &Palette,
    zone: Zone,
    open: &mut bool,
    intents: &mut Vec<Intent>,
) {
    let t = lang.connection();
    let mut still_open = *open;
    let mut back = false;
    egui::Window::new(t.title)
        .id(Id::unique("warehouse-connection"))
        .open(&mut still_open)
        .collapsible(false)
        .default_width(640.0)
        .show(ctx, |ui| {
            let report = model.connection_report.as_deref();
            // The address field and buttons first: always on screen, however long
            // the look's details below are.
            paired_line(ui, model, lang, report);
            addresses_ui(ui, lang, report, intents);
            back = ui.button(t.back).clicked();
            ui.separator();
            egui::ScrollArea::vertical()
                .max_height(360.0)
                .show(ui, |ui| match report {
                    None => {
                        ui.label(t.no_look_yet);
                    }
                    Some(report) => look_ui(ui, lang, colours, zone, report),
                });
        });
    *open = still_open && !back;
}

fn paired_line(
    ui: &mut egui::Ui,
    model: &Model,
    lang: Language,
    report: Option<&ConnectionReport>,
) {
    let t = lang.connection();
    let paired = report
        .and_then(|r| r.look.paired.as_ref())
        .map(describe_paired);
    let connected = match model.connection() {
        Connection::Connected { site } => Some(site.clone()),
        _ => None,
    };
    ui.horizontal(|ui| match paired.or(connected) {
        Some(paired) => {
            ui.label(RichText::new(t.paired_with).strong());
            ui.label(paired);
        }
        None => {
            ui.label(t.not_paired);
        }
    });
}

fn look_ui(
    ui: &mut egui::Ui,
    lang: Language,
    colours: &Palette,
    zone: Zone,
    report: &ConnectionReport,
) {
    let t = lang.connection();
    ui.horizontal(|ui| {
        ui.label(RichText::new(t.last_look).strong());
        ui.label(zone.format(report.at, "%H:%M"));
    });
    let (headline, fix) = lang.cause(&report.cause);
    let colour = match report.cause {
        Cause::Found { .. } => colours.green,
        Cause::ChooseServer { .. } => colours.amber,
        _ => colours.red,
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
        answers_grid(ui, lang, report);
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

fn answers_grid(ui: &mut egui::Ui, lang: Language, report: &ConnectionReport) {
    let t = lang.connection();
    let ours = report.look.paired.as_ref().map(|p| p.fingerprint.as_str());
    egui::Grid::new("warehouse-connection-answers")
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

fn addresses_ui(
    ui: &mut egui::Ui,
    lang: Language,
    report: Option<&ConnectionReport>,
    intents: &mut Vec<Intent>,
) {
    let t = lang.connection();
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
        intents.push(Intent::SetServers(servers));
    }
}
