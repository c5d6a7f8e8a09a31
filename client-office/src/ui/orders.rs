//! The Orders screen: the entry form on top, today's orders below.

use egui::{Color32, Id, Key, Modifiers, RichText, TextEdit};
use packbell_shared::protocol::MAX_NOTE_CHARS;

use super::{
    AMBER, BLUE, DialogChange, GREEN, Intent, RED, Screen, dialog_change, focus_dialog_field,
    note_id, number_id, rush_id, store_id,
};
use crate::i18n::{Lang, duration, time};
use crate::model::{FieldError, OrderRow, RowStatus};

/// Width of the note column in the list.
const NOTE_COLUMN_WIDTH: f32 = 300.0;

pub fn orders_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    entry_form_ui(ui, screen);
    ui.add_space(8.0);
    ui.separator();
    order_list_ui(ui, screen);
}

fn entry_form_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let t = screen.t;
    let lang = screen.lang;
    let enter_pressed = ui.input(|i| i.key_pressed(Key::Enter));
    let tab_pressed = ui.input(|i| i.key_pressed(Key::Tab));

    // Enter on the focused rush checkbox sends instead of toggling it.
    let rush_widget = ui.data(|d| d.get_temp::<Id>(rush_id()));
    if let Some(id) = rush_widget
        && ui.memory(|m| m.has_focus(id))
        && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter))
    {
        screen.intents.push(Intent::SendOrder);
    }
    // Arrows choose among the store suggestions while the store field has focus.
    if ui.memory(|m| m.has_focus(store_id())) && screen.model.store_picker_open() {
        if ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::ArrowDown)) {
            screen.model.move_highlight(1);
        }
        if ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::ArrowUp)) {
            screen.model.move_highlight(-1);
        }
    }

    ui.heading(t.new_order);
    ui.add_space(4.0);
    let mut send = false;
    ui.horizontal_top(|ui| {
        // Order number.
        ui.vertical(|ui| {
            ui.set_width(180.0);
            let label = ui.label(RichText::new(t.order_number).strong());
            let mut number = screen.model.form.number.clone();
            let response = ui
                .add(
                    TextEdit::singleline(&mut number)
                        .id(number_id())
                        .font(egui::TextStyle::Monospace)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            if screen.focus_number {
                response.request_focus();
            }
            select_all_on_focus(ui, &response, &number);
            if response.changed() {
                screen.model.set_number(number);
            }
            send |= response.lost_focus() && enter_pressed;
        });

        // Store, picked by typing.
        ui.vertical(|ui| {
            ui.set_width(240.0);
            let label = ui.label(RichText::new(t.store).strong());
            let mut query = screen.model.form.store_query.clone();
            let response = ui
                .add(
                    TextEdit::singleline(&mut query)
                        .id(store_id())
                        .hint_text(t.store_hint)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            select_all_on_focus(ui, &response, &query);
            if response.changed() {
                screen.model.set_store_query(query);
            }
            if response.lost_focus() {
                if tab_pressed {
                    screen.model.pick_highlighted();
                }
                send |= enter_pressed;
            }
            if response.has_focus() && screen.model.store_picker_open() {
                store_suggestions_ui(ui, screen, response.rect);
            }
        });

        // Note.
        ui.vertical(|ui| {
            ui.set_width(320.0);
            let label = ui.label(RichText::new(t.note).strong());
            let mut note = screen.model.form.note.clone();
            let response = ui
                .add(
                    TextEdit::singleline(&mut note)
                        .id(note_id())
                        .hint_text(t.note_hint)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            select_all_on_focus(ui, &response, &note);
            if response.changed() {
                screen.model.set_note(note);
            }
            send |= response.lost_focus() && enter_pressed;
            let len = screen.model.form.note.trim().chars().count();
            if screen.model.form.errors.note.is_none() && len > MAX_NOTE_CHARS * 8 / 10 {
                ui.label(RichText::new(lang.note_count(len, MAX_NOTE_CHARS)).small());
            }
        });

        // Rush and send.
        ui.vertical(|ui| {
            ui.label(" ");
            ui.horizontal(|ui| {
                let mut rush = screen.model.form.rush;
                let text = if rush {
                    RichText::new(t.rush).strong().color(RED)
                } else {
                    RichText::new(t.rush)
                };
                let response = ui.checkbox(&mut rush, text);
                ui.data_mut(|d| d.insert_temp(rush_id(), response.id));
                if rush != screen.model.form.rush {
                    screen.model.toggle_rush();
                }
                send |= ui
                    .add(
                        egui::Button::new(RichText::new(t.send).strong())
                            .min_size(egui::vec2(90.0, 0.0)),
                    )
                    .clicked();
            });
        });
    });
    if send {
        screen.intents.push(Intent::SendOrder);
    }
    // Under the whole form, not its narrow columns: long (Spanish) errors stay on one line.
    let errors = &screen.model.form.errors;
    for error in [&errors.number, &errors.store, &errors.note]
        .into_iter()
        .flatten()
    {
        error_ui(ui, lang, Some(error));
    }

    if let Some(duplicate) = screen.model.duplicate_warning() {
        ui.colored_label(AMBER, lang.duplicate(screen.zone, &duplicate));
    }
    ui.label(RichText::new(t.keys_hint).small().weak());
}

/// Tabbing into a field selects what is in it, so typing replaces it.
fn select_all_on_focus(ui: &egui::Ui, response: &egui::Response, text: &str) {
    if response.gained_focus()
        && let Some(mut state) = egui::text_edit::TextEditState::load(ui.ctx(), response.id)
    {
        state
            .cursor
            .set_char_range(Some(egui::text_selection::CCursorRange::select_all_str(
                text,
            )));
        state.store(ui.ctx(), response.id);
    }
}

fn error_ui(ui: &mut egui::Ui, lang: Lang, error: Option<&FieldError>) {
    if let Some(error) = error {
        ui.label(RichText::new(lang.field_error(error)).color(RED));
    }
}

/// The suggestions under the store field, drawn above the rest so nothing moves.
/// Not focusable: Tab goes from the store field straight to the note.
fn store_suggestions_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>, field: egui::Rect) {
    let suggestions: Vec<(u64, String)> = screen
        .model
        .store_suggestions()
        .iter()
        .map(|s| (s.store_id, s.name.clone()))
        .collect();
    let highlight = screen
        .model
        .form
        .highlight
        .min(suggestions.len().saturating_sub(1));
    let t = screen.t;
    egui::Area::new(Id::unique("office-store-suggestions"))
        .order(egui::Order::Foreground)
        .fixed_pos(field.left_bottom() + egui::vec2(0.0, 2.0))
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_width(field.width() - 12.0);
                if suggestions.is_empty() {
                    ui.label(RichText::new(t.no_store_matches).italics().color(RED));
                }
                for (index, (store_id, name)) in suggestions.iter().enumerate() {
                    let selected = index == highlight;
                    let text = if selected {
                        RichText::new(format!("▶ {name}")).strong()
                    } else {
                        RichText::new(format!("   {name}"))
                    };
                    let response = ui.add(
                        egui::Label::new(text)
                            .selectable(false)
                            .sense(egui::Sense::CLICK),
                    );
                    if selected {
                        ui.painter().rect_filled(
                            response.rect.expand(2.0),
                            2.0,
                            ui.visuals().selection.bg_fill.gamma_multiply(0.35),
                        );
                    }
                    if response.clicked() {
                        screen.model.pick_store(*store_id);
                        ui.memory_mut(|m| m.request_focus(note_id()));
                    }
                }
            });
        });
}

fn order_list_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let t = screen.t;
    let lang = screen.lang;
    ui.horizontal(|ui| {
        ui.heading(t.todays_orders);
        ui.add_space(12.0);
        for (status, count) in screen.model.status_counts(screen.day_start) {
            if count > 0 {
                ui.label(
                    RichText::new(lang.status_count(status, count)).color(status_colour(status)),
                );
            }
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label(t.search);
        ui.add(
            TextEdit::singleline(&mut screen.model.filter.search)
                .id(Id::unique("office-search"))
                .desired_width(160.0),
        )
        .labelled_by(label.id);
        ui.add_space(12.0);
        let stores: Vec<(u64, String)> = screen
            .model
            .site
            .stores
            .values()
            .map(|s| (s.store_id, s.name.clone()))
            .collect();
        let filter = &mut screen.model.filter;
        let selected = filter
            .store
            .and_then(|id| stores.iter().find(|(sid, _)| *sid == id))
            .map_or(t.all_stores.to_owned(), |(_, name)| name.clone());
        egui::ComboBox::from_id_salt("office-filter-store")
            .selected_text(selected)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.store, None, t.all_stores);
                for (id, name) in &stores {
                    ui.selectable_value(&mut filter.store, Some(*id), name);
                }
            })
            .response
            .on_hover_text(t.filter_store);
        let selected = filter.status.map_or(t.all_statuses, |s| lang.status(s));
        egui::ComboBox::from_id_salt("office-filter-status")
            .selected_text(selected)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.status, None, t.all_statuses);
                for status in RowStatus::ALL {
                    ui.selectable_value(&mut filter.status, Some(status), lang.status(status));
                }
            })
            .response
            .on_hover_text(t.filter_status);
    });
    ui.add_space(4.0);

    let rows = screen.model.visible_rows(screen.day_start);
    if rows.is_empty() {
        let any = !screen.model.today_rows(screen.day_start).is_empty();
        ui.label(
            RichText::new(if any {
                t.no_orders_match
            } else {
                t.no_orders_today
            })
            .weak(),
        );
        return;
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("office-orders")
                .striped(true)
                .num_columns(9)
                .spacing([18.0, 6.0])
                .show(ui, |ui| {
                    for heading in [
                        t.col_number,
                        t.col_store,
                        t.col_status,
                        // The row's buttons come early, so a long row never pushes
                        // them off a 1366-pixel screen.
                        "",
                        lang.col_warehouse(),
                        t.col_entered,
                        t.col_done,
                        t.col_time_to_pack,
                        t.col_note,
                    ] {
                        ui.label(RichText::new(heading).strong());
                    }
                    ui.end_row();
                    for row in &rows {
                        order_row_ui(ui, screen, row);
                        ui.end_row();
                    }
                });
        });
}

fn status_colour(status: RowStatus) -> Color32 {
    match status {
        RowStatus::Queued => AMBER,
        RowStatus::Pending => BLUE,
        RowStatus::Packed => GREEN,
        RowStatus::Cancelled => Color32::GRAY,
        RowStatus::Refused => RED,
    }
}

fn order_row_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>, row: &OrderRow) {
    let t = screen.t;
    let lang = screen.lang;
    let zone = screen.zone;
    ui.horizontal(|ui| {
        ui.label(RichText::new(&row.order_number).monospace().strong());
        if row.rush {
            ui.label(RichText::new(t.rush_mark).small().strong().color(RED));
        }
    });
    ui.label(&row.store);
    let icon = match row.status {
        RowStatus::Queued => "⏳",
        RowStatus::Pending => "🕓",
        RowStatus::Packed => "✔",
        RowStatus::Cancelled => "✖",
        RowStatus::Refused => "⚠",
    };
    let status = ui.label(
        RichText::new(format!("{icon} {}", lang.status(row.status)))
            .color(status_colour(row.status))
            .strong(),
    );
    if let Some(code) = row.refusal {
        status.on_hover_text(lang.error_code(code));
    }
    ui.horizontal(|ui| {
        if row.cancelling {
            ui.label(RichText::new(t.cancelling).italics().weak());
        } else if row.can_cancel()
            && ui.small_button(t.cancel_order).clicked()
            && let Some(order_id) = row.order_id
        {
            screen.model.open_cancel(order_id);
        }
        super::undo::row_actions_ui(ui, screen, row);
    });
    super::receipts::receipt_cell_ui(ui, screen, row);
    ui.label(time(zone, row.entered_at));
    match (&row.status_by, row.status_at) {
        (Some(who), Some(at)) => {
            ui.label(lang.by_at(zone, who, at));
        }
        _ => {
            ui.label("");
        }
    }
    ui.label(row.packed_after.map(duration).unwrap_or_default());
    let note = if row.status == RowStatus::Cancelled && !row.cancel_reason.is_empty() {
        format!("{} — {}", row.note, row.cancel_reason)
            .trim_start_matches(" — ")
            .to_owned()
    } else if let Some(code) = row.refusal {
        lang.error_code(code).to_owned()
    } else {
        row.note.clone()
    };
    // A fixed width so that notes get room, cut with "…" beyond it (full on hover).
    let height = ui.text_style_height(&egui::TextStyle::Body);
    ui.allocate_ui(egui::vec2(NOTE_COLUMN_WIDTH, height), |ui| {
        ui.set_min_width(NOTE_COLUMN_WIDTH);
        let response = ui.add(egui::Label::new(note.as_str()).truncate());
        if !note.is_empty() {
            response.on_hover_text(note);
        }
    });
}

pub fn cancel_dialog_ui(ctx: &egui::Context, screen: &mut Screen<'_>) {
    let t = screen.t;
    let lang = screen.lang;
    let dialog_id = Id::unique("office-cancel");
    let change = dialog_change(ctx, dialog_id.with("open"), screen.model.cancel.is_some());
    let Some(dialog) = screen.model.cancel.as_mut() else {
        return;
    };
    let mut confirm = false;
    let mut keep = false;
    let modal = egui::Modal::new(dialog_id).show(ctx, |ui| {
        ui.set_width(420.0);
        ui.heading(lang.cancel_title(&dialog.order_number));
        let label = ui.label(t.cancel_reason);
        let response = ui
            .add(
                TextEdit::singleline(&mut dialog.reason)
                    .id(Id::unique("office-cancel-reason"))
                    .hint_text(t.cancel_reason_hint)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        confirm |= response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        // After Enter, so that the Enter that left the field is seen as such.
        if dialog.reason.is_empty() && !dialog.reason_missing && !confirm {
            focus_dialog_field(ui, &response, change == DialogChange::Opened);
        }
        if dialog.reason_missing {
            ui.colored_label(RED, t.cancel_reason_missing);
        }
        ui.horizontal(|ui| {
            confirm |= ui
                .button(RichText::new(t.cancel_confirm).color(RED))
                .clicked();
            keep |= ui.button(t.cancel_keep).clicked();
        });
    });
    if keep || modal.should_close() {
        screen.model.cancel = None;
        ctx.memory_mut(|m| m.request_focus(number_id()));
    } else if confirm {
        if let Some((command, operation)) = screen.model.confirm_cancel() {
            screen.intents.push(Intent::Submit(command, operation));
            ctx.memory_mut(|m| m.request_focus(number_id()));
        } else {
            ctx.memory_mut(|m| m.request_focus(Id::unique("office-cancel-reason")));
        }
    }
}
