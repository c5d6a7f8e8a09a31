//! Cancelled orders, pinned above the list for their minute: greyed, struck through,
//! with "CANCELLED — stop packing", so whoever is packing one sees it from afar
//! wherever the list is scrolled.

use chrono::{DateTime, Utc};
use egui::{Align, Color32, CornerRadius, Layout, RichText, Sense, UiBuilder, Vec2, WidgetInfo};

use super::ROW_HEIGHT;
use super::style::{Palette, bold};
use crate::i18n::Language;
use crate::model::Model;

/// Width of the order-number column (as the list's).
const NUMBER_WIDTH: f32 = 270.0;

pub(super) fn cancelled_ui(
    ui: &mut egui::Ui,
    model: &Model,
    lang: Language,
    colours: &Palette,
    now: DateTime<Utc>,
) {
    let text = lang.strings();
    let notices = model.cancelled_shown(now);
    if notices.is_empty() {
        return;
    }
    let dark = ui.visuals().dark_mode;
    let (fill, muted) = if dark {
        (Color32::from_gray(0x2A), Color32::from_gray(0x9A))
    } else {
        (Color32::from_gray(0xE4), Color32::from_gray(0x5A))
    };
    for notice in notices {
        let width = ui.available_width();
        let (rect, response) = ui.allocate_exact_size(Vec2::new(width, ROW_HEIGHT), Sense::hover());
        let label = format!("{} {}", notice.order_number, text.cancelled_banner);
        response.widget_info(|| WidgetInfo::labeled(egui::Role::Label, true, &label));
        ui.painter().rect_filled(rect, CornerRadius::same(6), fill);
        let inner = rect.shrink2(Vec2::new(18.0, 6.0));
        let mut row = ui.new_child(
            UiBuilder::new()
                .max_rect(inner)
                .layout(Layout::left_to_right(Align::Center)),
        );
        row.allocate_ui_with_layout(
            Vec2::new(NUMBER_WIDTH, inner.height()),
            Layout::left_to_right(Align::Center),
            |ui| {
                ui.set_min_width(NUMBER_WIDTH);
                ui.add(
                    egui::Label::new(
                        RichText::new(&notice.order_number)
                            .font(bold(46.0))
                            .color(muted)
                            .strikethrough(),
                    )
                    .truncate(),
                );
            },
        );
        egui::Frame::NONE
            .fill(colours.red)
            .corner_radius(CornerRadius::same(6))
            .inner_margin(egui::Margin::symmetric(14, 6))
            .show(&mut row, |ui| {
                ui.label(
                    RichText::new(text.cancelled_banner)
                        .font(bold(30.0))
                        .color(colours.on_colour),
                );
            });
        row.add_space(12.0);
        let detail = if notice.reason.is_empty() {
            notice.store.clone()
        } else {
            format!("{} — {}", notice.store, notice.reason)
        };
        row.add(
            egui::Label::new(
                RichText::new(detail)
                    .font(bold(22.0))
                    .color(muted)
                    .strikethrough(),
            )
            .truncate(),
        );
        ui.add_space(ui.spacing().item_spacing.y);
    }
}
