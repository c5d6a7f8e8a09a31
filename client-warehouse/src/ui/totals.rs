//! The backlog's truth in big figures: total pending, rush, oldest wait, and the
//! search box. In list mode, the biggest text after the order numbers.

use chrono::{DateTime, Utc};
use egui::{Align, Layout, RichText};

use super::ageing::{pill_colours, pulse_phase};
use super::style::{Palette, bold};
use super::views::search_box_ui;
use super::{Intent, UiState, age_text};
use crate::i18n::Language;
use crate::model::{AgeLevel, Model};

/// Height of the figures in list mode (order numbers are 46).
const FIGURE_SIZE: f32 = 40.0;

/// The pending, rush and oldest figures, `size` points high, right to left.
pub(super) fn figures_ui(
    ui: &mut egui::Ui,
    model: &Model,
    lang: Language,
    colours: &Palette,
    now: DateTime<Utc>,
    size: f32,
) {
    let views = lang.views();
    let caption = size * 0.5;
    let strong = ui.visuals().strong_text_color();
    if let Some(since) = model.oldest_pending_since() {
        let level = model.age_level(since, now);
        let flash = level == AgeLevel::Overdue && pulse_phase(ui.ctx(), now);
        let (fill, text) =
            pill_colours(level, colours, flash).unwrap_or((egui::Color32::TRANSPARENT, strong));
        egui::Frame::NONE
            .fill(fill)
            .corner_radius(egui::CornerRadius::same(8))
            .inner_margin(egui::Margin::symmetric(10, 0))
            .show(ui, |ui| {
                ui.label(
                    RichText::new(age_text(lang, since, now))
                        .font(bold(size))
                        .color(text),
                );
            });
        ui.label(RichText::new(views.oldest).size(caption));
        ui.add_space(size * 0.5);
    }
    let rush = model.rush_total();
    if rush > 0 {
        ui.label(
            RichText::new(rush.to_string())
                .font(bold(size))
                .color(colours.red),
        );
        ui.label(RichText::new(views.rush).size(caption));
        ui.add_space(size * 0.5);
    }
    ui.label(
        RichText::new(model.pending_total().to_string())
            .font(bold(size))
            .color(strong),
    );
    ui.label(RichText::new(views.pending).size(caption));
}

/// The list mode's totals bar: search box on the left, figures on the right.
pub(super) fn totals_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    state: &mut UiState,
    lang: Language,
    colours: &Palette,
    now: DateTime<Utc>,
    intents: &mut Vec<Intent>,
) {
    egui::Panel::top("totals").show(ui, |ui| {
        ui.horizontal(|ui| {
            search_box_ui(ui, model, state, lang, 24.0, 300.0, intents);
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                figures_ui(ui, model, lang, colours, now, FIGURE_SIZE);
            });
        });
    });
}
