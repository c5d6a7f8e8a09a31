//! The age pill: plain text while fresh, then amber, red and a pulsing purple past
//! the overdue threshold, so that a 12-minute order and a 40-minute one look different.

use chrono::{DateTime, Timelike, Utc};
use egui::{Color32, CornerRadius, RichText};

use super::age_text;
use super::style::{Palette, bold};
use crate::i18n::Language;
use crate::model::{AgeLevel, Model};

/// Overdue orders: a purple no other state uses, in both themes.
pub(super) const OVERDUE: Color32 = Color32::from_rgb(0x7E, 0x22, 0xCE);
/// The other phase of the pulse: the pill turns light with purple text.
const OVERDUE_FLASH: Color32 = Color32::from_rgb(0xF3, 0xE8, 0xFF);

/// Whether an overdue ticket shows its bright phase now. The phase changes once a
/// second, and a repaint is requested for that moment only: a visible overdue ticket
/// costs one frame a second, never a frame every display refresh.
pub(super) fn pulse_phase(ctx: &egui::Context, now: DateTime<Utc>) -> bool {
    let to_next_second = 1000 - u64::from(now.nanosecond() / 1_000_000).min(999);
    ctx.request_repaint_after(std::time::Duration::from_millis(to_next_second));
    now.timestamp() % 2 == 0
}

/// Fill and text colours of the pill for `level` (`None`: plain text, no pill).
pub(super) fn pill_colours(
    level: AgeLevel,
    colours: &Palette,
    flash: bool,
) -> Option<(Color32, Color32)> {
    match level {
        AgeLevel::Fresh => None,
        AgeLevel::Amber => Some((colours.amber, Color32::BLACK)),
        AgeLevel::Red => Some((colours.red, colours.on_colour)),
        AgeLevel::Overdue if flash => Some((OVERDUE_FLASH, OVERDUE)),
        AgeLevel::Overdue => Some((OVERDUE, Color32::WHITE)),
    }
}

/// Draws the age of an order created at `created_at`, `size` points high.
pub(super) fn age_pill_ui(
    ui: &mut egui::Ui,
    model: &Model,
    lang: Language,
    colours: &Palette,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
    size: f32,
) {
    let label = age_text(lang, created_at, now);
    let level = model.age_level(created_at, now);
    let flash = level == AgeLevel::Overdue && pulse_phase(ui.ctx(), now);
    match pill_colours(level, colours, flash) {
        None => {
            let strong = ui.visuals().strong_text_color();
            ui.label(RichText::new(label).font(bold(size)).color(strong));
        }
        Some((fill, text)) => {
            let margin = (size / 3.0).round() as i8;
            egui::Frame::NONE
                .fill(fill)
                .stroke(egui::Stroke::new(2.0, text))
                .corner_radius(CornerRadius::same(8))
                .inner_margin(egui::Margin::symmetric(margin, margin / 3))
                .show(ui, |ui| {
                    ui.label(RichText::new(label).font(bold(size)).color(text));
                });
        }
    }
}
