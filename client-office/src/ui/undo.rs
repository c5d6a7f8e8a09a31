//! The duplicate warning, the reopen dialog and the edit form, and the row buttons
//! that open the last two. The decisions are the model's; this only draws them.

use egui::{Id, Key, RichText, TextEdit};

use super::{
    AMBER, DialogChange, Intent, RED, Screen, dialog_change, focus_dialog_field, number_id,
};
use crate::model::OrderRow;

fn reopen_reason_id() -> Id {
    Id::unique("office-reopen-reason")
}

fn edit_note_id() -> Id {
    Id::unique("office-edit-note")
}

/// "Reopen…" on a packed row, "Edit…" on a pending one.
pub fn row_actions_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>, row: &OrderRow) {
    let u = screen.lang.undo();
    let Some(order_id) = row.order_id else {
        return;
    };
    if row.undoing {
        ui.label(RichText::new(u.working).italics().weak());
    } else if row.can_reopen() {
        if ui.small_button(u.reopen).clicked() {
            screen.model.open_reopen(order_id);
        }
    } else if row.can_edit() && ui.small_button(u.edit).clicked() {
        screen.model.open_edit(order_id);
    }
}

pub fn undo_dialogs_ui(ctx: &egui::Context, screen: &mut Screen<'_>) {
    duplicate_dialog_ui(ctx, screen);
    reopen_dialog_ui(ctx, screen);
    edit_dialog_ui(ctx, screen);
}

/// Puts the cursor back in the order number on the frame after a dialog closed: a
/// focus request made while its modal is still shown does not reach the form.
fn refocus_number_once_closed(ctx: &egui::Context, change: DialogChange) {
    if change == DialogChange::Closed {
        ctx.memory_mut(|m| m.request_focus(number_id()));
    }
}

fn duplicate_dialog_ui(ctx: &egui::Context, screen: &mut Screen<'_>) {
    let dialog_id = Id::unique("office-duplicate");
    let open = screen.model.undo.duplicate.is_some();
    refocus_number_once_closed(ctx, dialog_change(ctx, dialog_id.with("open"), open));
    let Some(confirm) = screen.model.undo.duplicate.as_ref() else {
        return;
    };
    let u = screen.lang.undo();
    let text = screen
        .lang
        .duplicate_confirm(screen.zone, &confirm.duplicate);
    let mut send = false;
    let mut keep = false;
    let modal = egui::Modal::new(dialog_id).show(ctx, |ui| {
        ui.set_width(440.0);
        ui.heading(RichText::new(format!("⚠ {}", u.duplicate_title)).color(AMBER));
        ui.label(RichText::new(text).strong());
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            send |= ui.button(RichText::new(u.send_anyway).strong()).clicked();
            keep |= ui.button(u.dont_send).clicked();
        });
    });
    if send {
        screen.intents.push(Intent::SendAnyway);
    } else if keep || modal.should_close() {
        screen.model.keep_duplicate_back();
    }
}

fn reopen_dialog_ui(ctx: &egui::Context, screen: &mut Screen<'_>) {
    let dialog_id = Id::unique("office-reopen");
    let change = dialog_change(
        ctx,
        dialog_id.with("open"),
        screen.model.undo.reopen.is_some(),
    );
    refocus_number_once_closed(ctx, change);
    let lang = screen.lang;
    let u = lang.undo();
    let Some(dialog) = screen.model.undo.reopen.as_mut() else {
        return;
    };
    let mut confirm = false;
    let mut close = false;
    let modal = egui::Modal::new(dialog_id).show(ctx, |ui| {
        ui.set_width(420.0);
        ui.heading(lang.reopen_title(&dialog.order_number));
        let label = ui.label(u.reopen_reason);
        let response = ui
            .add(
                TextEdit::singleline(&mut dialog.reason)
                    .id(reopen_reason_id())
                    .hint_text(u.reopen_reason_hint)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        confirm |= response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        // After Enter, so that the Enter that left the field is seen as such.
        if !confirm {
            focus_dialog_field(ui, &response, change == DialogChange::Opened);
        }
        if dialog.reason_missing {
            ui.colored_label(RED, u.reopen_reason_missing);
        }
        ui.horizontal(|ui| {
            confirm |= ui
                .button(RichText::new(u.reopen_confirm).strong())
                .clicked();
            close |= ui.button(u.close).clicked();
        });
    });
    if close || modal.should_close() {
        screen.model.undo.reopen = None;
    } else if confirm {
        if let Some((command, operation)) = screen.model.confirm_reopen() {
            screen.intents.push(Intent::Submit(command, operation));
        } else {
            ctx.memory_mut(|m| m.request_focus(reopen_reason_id()));
        }
    }
}

fn edit_dialog_ui(ctx: &egui::Context, screen: &mut Screen<'_>) {
    let dialog_id = Id::unique("office-edit");
    let change = dialog_change(
        ctx,
        dialog_id.with("open"),
        screen.model.undo.edit.is_some(),
    );
    refocus_number_once_closed(ctx, change);
    let lang = screen.lang;
    let u = lang.undo();
    // Active stores, plus the order's own store if it was deactivated since.
    let stores: Vec<(u64, String)> = screen
        .model
        .site
        .stores
        .values()
        .filter(|s| {
            s.active
                || screen
                    .model
                    .undo
                    .edit
                    .as_ref()
                    .is_some_and(|d| d.store_id == s.store_id)
        })
        .map(|s| (s.store_id, s.name.clone()))
        .collect();
    let Some(dialog) = screen.model.undo.edit.as_mut() else {
        return;
    };
    let mut save = false;
    let mut close = false;
    let modal = egui::Modal::new(dialog_id).show(ctx, |ui| {
        ui.set_width(440.0);
        ui.heading(lang.edit_title(&dialog.order_number));
        egui::Grid::new("office-edit-grid")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                let label = ui.label(RichText::new(u.edit_store).strong());
                let selected = stores
                    .iter()
                    .find(|(id, _)| *id == dialog.store_id)
                    .map_or_else(|| format!("#{}", dialog.store_id), |(_, n)| n.clone());
                let combo = egui::ComboBox::from_id_salt("office-edit-store")
                    .selected_text(selected)
                    .width(260.0)
                    .show_ui(ui, |ui| {
                        for (id, name) in &stores {
                            ui.selectable_value(&mut dialog.store_id, *id, name);
                        }
                    });
                let _ = combo.response.labelled_by(label.id);
                ui.end_row();

                let label = ui.label(RichText::new(u.edit_note).strong());
                let response = ui
                    .add(
                        TextEdit::singleline(&mut dialog.note)
                            .id(edit_note_id())
                            .desired_width(260.0),
                    )
                    .labelled_by(label.id);
                save |= response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                if change == DialogChange::Opened {
                    response.request_focus();
                }
                ui.end_row();

                ui.label("");
                let text = if dialog.rush {
                    RichText::new(u.edit_rush).strong().color(RED)
                } else {
                    RichText::new(u.edit_rush)
                };
                ui.checkbox(&mut dialog.rush, text);
                ui.end_row();
            });
        if let Some(problem) = &dialog.problem {
            ui.colored_label(RED, lang.edit_problem(problem));
        }
        ui.horizontal(|ui| {
            save |= ui.button(RichText::new(u.edit_save).strong()).clicked();
            close |= ui.button(u.close).clicked();
        });
    });
    if close || modal.should_close() {
        screen.model.undo.edit = None;
    } else if save && let Some((command, operation)) = screen.model.confirm_edit() {
        screen.intents.push(Intent::Submit(command, operation));
    }
}
