//! The "Recently packed" drawer: the last half hour of packs from every PC, newest
//! first, each with one-click "Bring back". F4 (or its button) opens it; Esc closes.

use chrono::{DateTime, Utc};
use egui::{Align, Color32, Key, Layout, Modifiers, RichText, Vec2, WidgetInfo};

use super::style::{Palette, bold};
use super::{Intent, UiState};
use crate::i18n::Language;
use crate::model::Model;

/// Width of the drawer, in points: a number, a store and a big button side by side.
const DRAWER_WIDTH: f32 = 420.0;
/// Height of one drawer row.
const DRAWER_ROW_HEIGHT: f32 = 76.0;
/// "Bring back" is blue: not the green of "Packed"; white on it reads in both themes.
const BRING_BACK_FILL: Color32 = Color32::from_rgb(0x1D, 0x4E, 0xD8);

/// F4 toggles the drawer; Esc closes it. Returns whether a key was used here.
pub(super) fn drawer_keys(ui: &egui::Ui, state: &mut UiState) -> bool {
    if ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::F4)) {
        state.drawer_open = !state.drawer_open;
        return true;
    }
    if state.drawer_open && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
        state.drawer_open = false;
        return true;
    }
    false
}

/// The button that opens and closes the drawer.
pub(super) fn drawer_button_ui(
    ui: &mut egui::Ui,
    model: &Model,
    state: &mut UiState,
    lang: Language,
    now: DateTime<Utc>,
) {
    let count = model.recently_packed(now).len();
    let button = egui::Button::new(RichText::new(lang.recently_packed_button(count)).size(18.0))
        .selected(state.drawer_open);
    if ui.add(button).clicked() {
        state.drawer_open = !state.drawer_open;
    }
}

pub(super) fn drawer_ui(
    ui: &mut egui::Ui,
    model: &Model,
    state: &mut UiState,
    lang: Language,
    colours: &Palette,
    now: DateTime<Utc>,
    intents: &mut Vec<Intent>,
) {
    let text = lang.strings();
    let rows = model.recently_packed(now);
    egui::Panel::right("recently_packed")
        .exact_size(DRAWER_WIDTH)
        .resizable(false)
        .show(ui, |ui| {
            ui.add_space(6.0);
            let strong = ui.visuals().strong_text_color();
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(text.recently_packed)
                        .font(bold(26.0))
                        .color(strong),
                );
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    if ui.button(RichText::new(text.close).size(18.0)).clicked() {
                        state.drawer_open = false;
                    }
                });
            });
            ui.separator();
            if rows.is_empty() {
                ui.label(
                    RichText::new(text.nothing_recently_packed)
                        .size(20.0)
                        .weak(),
                );
                return;
            }
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show_rows(ui, DRAWER_ROW_HEIGHT, rows.len(), |ui, range| {
                    for row in &rows[range] {
                        ui.allocate_ui_with_layout(
                            Vec2::new(ui.available_width(), DRAWER_ROW_HEIGHT),
                            Layout::left_to_right(Align::Center),
                            |ui| {
                                ui.vertical(|ui| {
                                    ui.label(
                                        RichText::new(&row.order_number)
                                            .font(bold(30.0))
                                            .color(strong),
                                    );
                                    let minutes =
                                        now.signed_duration_since(row.packed_at).num_minutes();
                                    ui.label(
                                        RichText::new(format!(
                                            "{} · {}",
                                            row.store,
                                            lang.packed_ago(minutes.max(0), &row.packed_by)
                                        ))
                                        .size(16.0),
                                    );
                                });
                                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                    let button = egui::Button::new(
                                        RichText::new(text.bring_back)
                                            .font(bold(20.0))
                                            .color(colours.on_colour),
                                    )
                                    .fill(BRING_BACK_FILL)
                                    .min_size(Vec2::new(150.0, 52.0));
                                    let response = ui.add(button);
                                    let name = lang.bring_back_order(&row.order_number);
                                    response.widget_info(|| {
                                        WidgetInfo::labeled(egui::Role::Button, true, &name)
                                    });
                                    if response.clicked() {
                                        intents.push(Intent::Recall(row.order_id));
                                    }
                                });
                            },
                        );
                        ui.separator();
                    }
                });
        });
}
