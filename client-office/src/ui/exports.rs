//! Admin → Exports: range, stores, report, separator and file name; then the
//! export's progress with Cancel, and where the file went with "Open folder".

use egui::{Id, RichText, TextEdit};
use packbell_shared::link::LinkStatus;
use packbell_shared::protocol::ExportDelimiter;

use super::{AMBER, GREEN, Intent, RED, Screen, banner};
use crate::model::{KINDS, Stage, Transfer};

pub fn exports_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let t = screen.t;
    let lang = screen.lang;
    let et = lang.exports_tr();
    let default_delimiter = lang.default_delimiter();
    let running = screen
        .model
        .exports
        .transfer
        .as_ref()
        .is_some_and(Transfer::is_running);
    {
        let form = &mut screen.model.exports.form;
        if form.from.is_empty() {
            // The date of today's midnight in the window's zone, not in UTC.
            form.from = screen.zone.format(screen.day_start, "%Y-%m-%d");
        }
        if form.to.is_empty() {
            form.to = form.from.clone();
        }
    }
    ui.heading(RichText::new(et.heading).strong());
    ui.add_space(4.0);
    let stores: Vec<_> = screen
        .model
        .site
        .stores
        .values()
        .filter(|store| store.active)
        .map(|store| (store.store_id, store.name.clone()))
        .collect();
    let exports = &mut screen.model.exports;
    ui.add_enabled_ui(!running, |ui| {
        egui::Grid::new("office-export")
            .num_columns(2)
            .spacing([16.0, 8.0])
            .show(ui, |ui| {
                let form = &mut exports.form;
                let label = ui.label(t.export_from);
                ui.horizontal(|ui| {
                    ui.add(
                        TextEdit::singleline(&mut form.from)
                            .hint_text(t.date_hint)
                            .desired_width(110.0),
                    )
                    .labelled_by(label.id);
                    let label = ui.label(t.export_to);
                    ui.add(
                        TextEdit::singleline(&mut form.to)
                            .hint_text(t.date_hint)
                            .desired_width(110.0),
                    )
                    .labelled_by(label.id);
                });
                ui.end_row();
                ui.label(t.export_stores);
                ui.vertical(|ui| {
                    ui.horizontal_wrapped(|ui| {
                        for (store_id, name) in &stores {
                            let mut ticked = form.stores.contains(store_id);
                            if ui.checkbox(&mut ticked, name).changed() {
                                if ticked {
                                    form.stores.insert(*store_id);
                                } else {
                                    form.stores.remove(store_id);
                                }
                            }
                        }
                    });
                    ui.label(RichText::new(t.export_all_stores_hint).small().weak());
                });
                ui.end_row();
                let label = ui.label(et.kind);
                let combo = egui::ComboBox::from_id_salt("office-export-kind")
                    .width(280.0)
                    .selected_text(lang.export_kind(form.kind))
                    .show_ui(ui, |ui| {
                        for kind in KINDS {
                            ui.selectable_value(&mut form.kind, kind, lang.export_kind(kind));
                        }
                    });
                let _ = combo.response.labelled_by(label.id);
                ui.end_row();
                ui.label(et.separator);
                ui.horizontal(|ui| {
                    let mut delimiter = form.delimiter.unwrap_or(default_delimiter);
                    for choice in [ExportDelimiter::Comma, ExportDelimiter::Semicolon] {
                        ui.radio_value(&mut delimiter, choice, lang.delimiter_name(choice));
                    }
                    if delimiter != form.delimiter.unwrap_or(default_delimiter) {
                        form.delimiter = Some(delimiter);
                    }
                });
                ui.end_row();
                let label = ui.label(et.file_name);
                let hint = form.default_file_name();
                ui.add(
                    TextEdit::singleline(&mut form.file_name)
                        .hint_text(hint)
                        .desired_width(420.0),
                )
                .labelled_by(label.id);
                ui.end_row();
                ui.label(et.folder);
                ui.horizontal(|ui| match &exports.folder {
                    Some(folder) => {
                        ui.label(RichText::new(folder.display().to_string()).monospace());
                    }
                    None => {
                        ui.label(RichText::new("—").weak());
                    }
                });
                ui.end_row();
            });
    });
    ui.add_space(10.0);
    let connected = matches!(screen.model.link, LinkStatus::Connected { .. });
    ui.horizontal(|ui| {
        let button = egui::Button::new(RichText::new(t.export_button).size(17.0).strong())
            .min_size(egui::vec2(150.0, 32.0));
        if ui.add_enabled(!running, button).clicked() {
            screen.model.start_export(connected, default_delimiter);
        }
        if let Some(folder) = &screen.model.exports.folder
            && ui.button(et.open_folder).clicked()
        {
            screen.intents.push(Intent::OpenFolder(folder.clone()));
        }
    });
    if let Some(problem) = screen.model.exports.problem {
        ui.colored_label(RED, lang.export_form_problem(problem));
    }
    ui.add_space(8.0);
    transfer_ui(ui, screen);
}

/// The latest export: progress and Cancel while it runs, then how it ended.
fn transfer_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let lang = screen.lang;
    let et = lang.exports_tr();
    let Some(transfer) = screen.model.exports.transfer.clone() else {
        return;
    };
    match &transfer.stage {
        Stage::Requested => progress_row(ui, screen, None, et.asking.to_owned()),
        Stage::Receiving(progress) => {
            let text = lang.export_progress(progress.rows, progress.bytes);
            progress_row(ui, screen, progress.fraction, text);
        }
        Stage::Done { rows, .. } => {
            ui.label(
                RichText::new(lang.export_saved(*rows, &transfer.file.path()))
                    .color(GREEN)
                    .strong(),
            );
        }
        Stage::Failed { problem, cleaned } => {
            ui.label(
                RichText::new(lang.export_problem(problem))
                    .color(RED)
                    .strong(),
            );
            let detail = match problem {
                crate::model::ExportProblem::Server(code, message) => {
                    Some(format!("{code}: {message}"))
                }
                crate::model::ExportProblem::Write(error) => Some(error.clone()),
                crate::model::ExportProblem::ConnectionLost => None,
            };
            if let Some(detail) = detail {
                banner::details_toggle(
                    ui,
                    screen.t,
                    Id::unique("office-export-details"),
                    &detail,
                    false,
                );
            }
            if !cleaned {
                ui.label(RichText::new(et.cleaning).weak());
            }
        }
        Stage::Cancelled { cleaned } => {
            ui.label(RichText::new(et.cancelled).color(AMBER).strong());
            if !cleaned {
                ui.label(RichText::new(et.cleaning).weak());
            }
        }
    }
}

fn progress_row(ui: &mut egui::Ui, screen: &mut Screen<'_>, fraction: Option<f32>, text: String) {
    let et = screen.lang.exports_tr();
    ui.horizontal(|ui| {
        // Without a time to place the rows in the range, the bar shows activity only.
        let bar = egui::ProgressBar::new(fraction.unwrap_or(0.0))
            .desired_width(420.0)
            .show_percentage();
        ui.add(bar);
        if ui.button(et.cancel).clicked() {
            screen.model.exports.cancel();
        }
    });
    ui.label(text);
}
