//! Wall mode: a fullscreen grid of big tickets for a screen on the wall, read from
//! 3 m. A header with the pending, rush and oldest figures; each ticket has its order
//! number, store, age pill, rush marker and a note wrapped to two lines.
//!
//! Read-only with the mouse (a click selects); the keyboard and a scanner still pack.

use chrono::{DateTime, Utc};
use egui::text::LayoutJob;
use egui::{
    Align, Color32, CornerRadius, Layout, Rect, RichText, Sense, Stroke, StrokeKind, UiBuilder,
    Vec2, WidgetInfo,
};
use packbell_shared::protocol::{OrderId, Priority};

use super::ageing::{OVERDUE, age_pill_ui, pulse_phase};
use super::dialogs::pairing_ui;
use super::header::banner_ui;
use super::settings::settings_ui;
use super::style::{Palette, bold};
use super::totals::figures_ui;
use super::views::{expanded_note_ui, scan_banner_ui};
use super::{Intent, UiState};
use crate::i18n::Language;
use crate::model::{AgeLevel, Connection, Model};

/// Smallest ticket at text scale 1.0: 1920×1080 holds 4 × 4 of them, 1366×768 3 × 3.
/// Wide enough for a seven-character number and its age pill on one line.
const TICKET_MIN: Vec2 = Vec2::new(420.0, 195.0);
/// Space between tickets.
const GAP: f32 = 12.0;

/// Where each of `count` tickets goes in `area`, filling it; tickets shrink to no
/// less than `min`, and at most as many as fit are placed.
fn ticket_grid(area: Rect, min: Vec2, count: usize) -> (usize, Vec<Rect>) {
    let columns = (((area.width() + GAP) / (min.x + GAP)).floor() as usize).max(1);
    let rows = (((area.height() + GAP) / (min.y + GAP)).floor() as usize).max(1);
    let slots = columns * rows;
    let size = Vec2::new(
        (area.width() - GAP * (columns - 1) as f32) / columns as f32,
        (area.height() - GAP * (rows - 1) as f32) / rows as f32,
    );
    let rects = (0..slots.min(count))
        .map(|i| {
            let (row, column) = (i / columns, i % columns);
            Rect::from_min_size(
                area.min + Vec2::new(column as f32, row as f32) * (size + Vec2::splat(GAP)),
                size,
            )
        })
        .collect();
    (slots, rects)
}

/// Draws the wall; returns nothing, intents go to `intents`.
pub(super) fn wall_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    state: &mut UiState,
    lang: Language,
    colours: &Palette,
    now: DateTime<Utc>,
    intents: &mut Vec<Intent>,
) {
    let scale = model.settings.wall_text_scale;
    let views = lang.views();
    egui::Panel::top("wall-header").show(ui, |ui| {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let colour = match model.connection() {
                Connection::Connected { .. } => colours.green,
                _ => colours.red,
            };
            let (dot, _) = ui.allocate_exact_size(Vec2::splat(28.0 * scale), Sense::hover());
            ui.painter()
                .circle_filled(dot.center(), 12.0 * scale, colour);
            if ui.button(views.exit_wall).clicked() {
                model.settings.wall_mode = false;
            }
            if ui.button(lang.strings().settings).clicked() {
                state.settings_open = !state.settings_open;
            }
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                figures_ui(ui, model, lang, colours, now, 64.0 * scale);
            });
        });
        ui.add_space(6.0);
    });
    banner_ui(ui, model, lang, colours, state.zone);
    // Stock alerts are seen from across the room too, capped as in the list view.
    super::stock_banner::stock_banner_ui(ui, model, state, lang, colours, intents);
    scan_banner_ui(ui, state, lang, colours, scale);
    egui::CentralPanel::default_margins().show(ui, |ui| {
        tickets_ui(ui, model, lang, colours, now, scale, intents);
    });

    if state.settings_open {
        let stores = model.active_stores();
        let site_ageing = model.site_ageing();
        settings_ui(
            ui.ctx(),
            &mut model.settings,
            site_ageing,
            &stores,
            state,
            lang.strings(),
            intents,
        );
    }
    if model.pairing_open() {
        pairing_ui(ui.ctx(), model, state, lang, intents);
    }
    expanded_note_ui(ui.ctx(), model, lang);
}

fn tickets_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    lang: Language,
    colours: &Palette,
    now: DateTime<Utc>,
    scale: f32,
    intents: &mut Vec<Intent>,
) {
    let total = model.visible().len();
    if total == 0 {
        ui.centered_and_justified(|ui| {
            ui.label(
                RichText::new(lang.strings().no_pending)
                    .size(48.0 * scale)
                    .weak(),
            );
        });
        return;
    }
    let area = ui.available_rect_before_wrap();
    let (slots, rects) = ticket_grid(area, TICKET_MIN * scale, total);
    // A full wall keeps its last tile for "+N more".
    let shown = if total > slots { slots - 1 } else { total };
    let mut ids: Vec<OrderId> = model.visible()[..shown].to_vec();
    let mut pinned = None;
    if let Some((row, oldest)) = model.oldest_waiting()
        && row >= shown
        && let Some(last) = ids.last_mut()
    {
        *last = oldest;
        pinned = Some(oldest);
    }
    let selected = model.selected();
    for (rect, order_id) in rects.iter().zip(&ids) {
        ticket_ui(
            ui,
            model,
            lang,
            colours,
            now,
            scale,
            *rect,
            *order_id,
            selected == Some(*order_id),
            pinned == Some(*order_id),
            intents,
        );
    }
    if total > shown
        && let Some(rect) = rects.get(shown)
    {
        // With a pin, the order it displaced is hidden and the pinned one is shown:
        // the count of hidden orders is the same.
        let more = total - shown;
        ui.painter()
            .rect_filled(*rect, CornerRadius::same(10), colours.stripe);
        ui.put(
            *rect,
            egui::Label::new(
                RichText::new(lang.more_tickets(more))
                    .font(bold(56.0 * scale))
                    .color(colours.amber),
            ),
        );
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "one ticket needs all of these and nothing else"
)]
fn ticket_ui(
    ui: &mut egui::Ui,
    model: &Model,
    lang: Language,
    colours: &Palette,
    now: DateTime<Utc>,
    scale: f32,
    rect: Rect,
    order_id: OrderId,
    selected: bool,
    pinned: bool,
    intents: &mut Vec<Intent>,
) {
    let Some(order) = model.order(order_id) else {
        return;
    };
    let rush = order.priority == Priority::Rush;
    let store = model
        .store_name(order.store_id)
        .map_or_else(|| lang.unknown_store(order.store_id), str::to_owned);
    let response = ui.interact(
        rect,
        ui.scope_id().with(("ticket", order_id)),
        Sense::click(),
    );
    let name = lang.ticket(&order.order_number, &store);
    response.widget_info(|| WidgetInfo::selected(egui::Role::ListItem, true, selected, &name));
    if response.clicked() {
        intents.push(Intent::Select(order_id));
    }
    let painter = ui.painter();
    let fill = if rush {
        colours.rush_row
    } else {
        colours.stripe
    };
    painter.rect_filled(rect, CornerRadius::same(10), fill);
    if rush {
        painter.rect_filled(
            Rect::from_min_size(rect.min, Vec2::new(14.0 * scale, rect.height())),
            CornerRadius::same(4),
            colours.red,
        );
    }
    let overdue = model.age_level(order.created_at, now) == AgeLevel::Overdue;
    let border = if selected {
        Some(Stroke::new(5.0, colours.selected))
    } else if overdue && pulse_phase(ui.ctx(), now) {
        Some(Stroke::new(8.0, OVERDUE))
    } else {
        None
    };
    if let Some(stroke) = border {
        painter.rect_stroke(rect, CornerRadius::same(10), stroke, StrokeKind::Inside);
    }

    let strong = ui.visuals().strong_text_color();
    let inner = rect.shrink2(Vec2::new(14.0 + 14.0 * scale, 8.0 * scale));
    let mut ticket = ui.new_child(
        UiBuilder::new()
            .max_rect(inner)
            .layout(Layout::top_down(Align::Min)),
    );
    ticket.spacing_mut().item_spacing.y = 2.0 * scale;
    if pinned {
        ticket.label(
            RichText::new(lang.views().oldest_waiting)
                .font(bold(22.0 * scale))
                .color(colours.amber),
        );
    }
    // The pill is placed first, so that the number gets what is left and is cut
    // (never overlapped) if it is too long.
    ticket.horizontal(|ui| {
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            age_pill_ui(
                ui,
                model,
                lang,
                colours,
                order.created_at,
                now,
                34.0 * scale,
            );
            ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
                ui.add(
                    egui::Label::new(
                        RichText::new(&order.order_number)
                            .font(bold(60.0 * scale))
                            .color(strong),
                    )
                    .truncate(),
                );
            });
        });
    });
    ticket.horizontal(|ui| {
        if rush {
            egui::Frame::NONE
                .fill(colours.red)
                .corner_radius(CornerRadius::same(4))
                .inner_margin(egui::Margin::symmetric(8, 0))
                .show(ui, |ui| {
                    ui.label(
                        RichText::new(lang.strings().rush)
                            .font(bold(26.0 * scale))
                            .color(colours.on_colour),
                    );
                });
        }
        ui.add(
            egui::Label::new(RichText::new(store).font(bold(30.0 * scale)).color(strong))
                .truncate(),
        );
    });
    if !order.note.is_empty() {
        ticket.label(two_lines(&order.note, 24.0 * scale, strong, inner.width()));
    }
}

/// `text` wrapped to `width`, at most two lines, the rest cut with "…".
fn two_lines(text: &str, size: f32, colour: Color32, width: f32) -> LayoutJob {
    let mut job = LayoutJob::simple(
        text.to_owned(),
        egui::FontId::proportional(size),
        colour,
        width,
    );
    job.wrap.max_rows = 2;
    job.wrap.break_anywhere = false;
    job
}
