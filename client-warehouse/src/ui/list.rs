//! The pending list: one large row per order, with its age pill and "Packed" button.

use chrono::{DateTime, Utc};
use egui::{
    Align, Color32, CornerRadius, Layout, RichText, Sense, Stroke, StrokeKind, UiBuilder, Vec2,
    WidgetInfo,
};
use packbell_shared::protocol::{OrderId, Priority};

use super::style::{Palette, bold};
use super::{Intent, ROW_HEIGHT, UiState};
use crate::i18n::Language;
use crate::model::Model;

/// Width of the order-number column.
const NUMBER_WIDTH: f32 = 270.0;
/// Width of the age column.
const AGE_WIDTH: f32 = 150.0;

/// A "Packed" click this soon after the previous one is taken for the second click of
/// a double-click (the next row has slid under the pointer) and ignored.
const PACK_CLICK_GUARD_SECS: f64 = 0.6;

pub(super) fn list_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    state: &mut UiState,
    lang: Language,
    colours: &Palette,
    now: DateTime<Utc>,
    intents: &mut Vec<Intent>,
) {
    let first_new = intents.len();
    rows_ui(ui, model, state, lang, colours, now, intents);
    let clicked_at = ui.input(|i| i.time);
    let mut kept = Vec::new();
    for intent in intents.drain(first_new..) {
        if matches!(intent, Intent::Pack(_)) {
            let too_soon = state
                .last_pack_click
                .is_some_and(|last| clicked_at - last < PACK_CLICK_GUARD_SECS);
            state.last_pack_click = Some(clicked_at);
            if too_soon {
                continue;
            }
        }
        kept.push(intent);
    }
    intents.extend(kept);
}

fn rows_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    state: &mut UiState,
    lang: Language,
    colours: &Palette,
    now: DateTime<Utc>,
    intents: &mut Vec<Intent>,
) {
    let text = lang.strings();
    // Only the ids of the rows on screen are copied out of the (possibly huge) list.
    let total = model.visible().len();
    if total == 0 {
        ui.centered_and_justified(|ui| {
            let message = if model.settings.store_filter.is_empty() {
                text.no_pending
            } else {
                text.no_pending_filtered
            };
            ui.label(RichText::new(message).size(32.0).weak());
        });
        return;
    }
    // Drawn before the list is sized, so that the list takes the height left.
    // The oldest order never hides below the fold (see model/ageing.rs).
    // Nothing is known to be on screen before the first frame: no pin then.
    let on_screen = state.shown_rows.clone();
    if let Some(oldest) = model
        .pinned_oldest(on_screen.clone())
        .filter(|_| !on_screen.is_empty())
    {
        let caption = RichText::new(lang.views().oldest_waiting).font(bold(18.0));
        ui.label(caption.color(colours.amber));
        // An odd index: the striped background sets it apart from the list's top row.
        row_ui(
            ui,
            model,
            lang,
            colours,
            now,
            oldest,
            1,
            model.selected() == Some(oldest),
            intents,
        );
        ui.separator();
    }
    let spacing = ui.spacing().item_spacing.y;
    let mut scroll = egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible);
    if let Some(row) = state.scroll_to_row.take() {
        let top = row as f32 * (ROW_HEIGHT + spacing);
        let visible = state.shown_rows.clone();
        if row < visible.start.saturating_add(1) || row + 2 > visible.end {
            let height = ui.available_height();
            let offset = if row < visible.start.saturating_add(1) {
                top
            } else {
                (top + ROW_HEIGHT - height).max(0.0)
            };
            scroll = scroll.vertical_scroll_offset(offset);
        }
    }
    let selected = model.selected();
    let stale = model.is_stale();
    let output = scroll.show_rows(ui, ROW_HEIGHT, total, |ui, range| {
        if stale {
            ui.set_opacity(0.8);
        }
        let shown = model.visible()[range.clone()].to_vec();
        for (index, order_id) in range.clone().zip(shown) {
            row_ui(
                ui,
                model,
                lang,
                colours,
                now,
                order_id,
                index,
                selected == Some(order_id),
                intents,
            );
        }
        range
    });
    let row_span = ROW_HEIGHT + spacing;
    let seen_to = output.state.clamped_offset().y + output.inner_rect.height() + spacing;
    let fully_shown = ((seen_to / row_span).floor() as usize).min(total);
    state.shown_rows = output.inner.start..fully_shown.max(output.inner.start);
}

#[allow(
    clippy::too_many_arguments,
    reason = "one row needs all of these and nothing else"
)]
fn row_ui(
    ui: &mut egui::Ui,
    model: &Model,
    lang: Language,
    colours: &Palette,
    now: DateTime<Utc>,
    order_id: OrderId,
    index: usize,
    selected: bool,
    intents: &mut Vec<Intent>,
) {
    let text = lang.strings();
    let Some(order) = model.order(order_id) else {
        return;
    };
    let rush = order.priority == Priority::Rush;
    let strong = ui.visuals().strong_text_color();
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, ROW_HEIGHT), Sense::click());
    let row_label = format!(
        "{} {}",
        order.order_number,
        model.store_name(order.store_id).unwrap_or("")
    );
    response.widget_info(|| WidgetInfo::selected(egui::Role::ListItem, true, selected, &row_label));
    if response.clicked() {
        intents.push(Intent::Select(order_id));
    }
    let painter = ui.painter();
    let background = if rush {
        colours.rush_row
    } else if index % 2 == 1 {
        colours.stripe
    } else {
        Color32::TRANSPARENT
    };
    painter.rect_filled(rect, CornerRadius::same(6), background);
    if rush {
        painter.rect_filled(
            egui::Rect::from_min_size(rect.min, Vec2::new(10.0, rect.height())),
            CornerRadius::same(3),
            colours.red,
        );
    }
    if selected {
        painter.rect_stroke(
            rect,
            CornerRadius::same(6),
            Stroke::new(3.0, colours.selected),
            StrokeKind::Inside,
        );
    }

    let inner = rect.shrink2(Vec2::new(18.0, 6.0));
    let mut row = ui.new_child(
        UiBuilder::new()
            .max_rect(inner)
            .layout(Layout::left_to_right(Align::Center)),
    );
    // Order number.
    row.allocate_ui_with_layout(
        Vec2::new(NUMBER_WIDTH, inner.height()),
        Layout::left_to_right(Align::Center),
        |ui| {
            ui.set_min_width(NUMBER_WIDTH);
            ui.add(
                egui::Label::new(
                    RichText::new(&order.order_number)
                        .font(bold(46.0))
                        .color(strong),
                )
                .truncate(),
            );
        },
    );
    // Right side: button, age; then store and note take what is left.
    row.with_layout(Layout::right_to_left(Align::Center), |ui| {
        let packed = egui::Button::new(
            RichText::new(text.packed)
                .font(bold(22.0))
                .color(colours.on_colour),
        )
        .fill(colours.green)
        .min_size(Vec2::new(170.0, 58.0));
        let response = ui.add(packed);
        let name = lang.packed_order(&order.order_number);
        response.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, &name));
        if response.clicked() {
            intents.push(Intent::Pack(order_id));
        }
        ui.add_space(8.0);
        age_ui(ui, model, lang, colours, order.created_at, now);
        if rush && !model.is_acknowledged(order_id) {
            // Filled and outlined: the theme's plain button vanished on a pink rush row.
            let ack = ui.add(
                egui::Button::new(
                    RichText::new(text.acknowledge)
                        .font(bold(20.0))
                        .color(colours.hint_text),
                )
                .fill(colours.hint)
                .stroke(Stroke::new(2.0, colours.hint_text))
                .min_size(Vec2::new(0.0, 48.0)),
            );
            let name = lang.acknowledge_order(&order.order_number);
            ack.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, &name));
            if ack.clicked() {
                intents.push(Intent::Acknowledge(order_id));
            }
        }
        // What the office just corrected is shown in amber for a while.
        let edit = model.recent_edit(order_id, now);
        let changed = |field: bool| if field { colours.amber } else { strong };
        ui.with_layout(Layout::top_down(Align::Min), |ui| {
            // One line centred, two lines stacked.
            ui.add_space(if order.note.is_empty() { 18.0 } else { 4.0 });
            ui.horizontal(|ui| {
                if let Some(mark) = edit {
                    badge_ui(ui, &lang.edited_badge(mark), colours.amber, Color32::BLACK);
                }
                if rush {
                    badge_ui(ui, text.rush, colours.red, colours.on_colour);
                }
                let store = model
                    .store_name(order.store_id)
                    .map_or_else(|| lang.unknown_store(order.store_id), str::to_owned);
                let colour = changed(edit.is_some_and(|m| m.store));
                ui.add(
                    egui::Label::new(RichText::new(store).font(bold(24.0)).color(colour))
                        .truncate(),
                );
            });
            if !order.note.is_empty() {
                let colour = changed(edit.is_some_and(|m| m.note));
                super::views::note_ui(ui, &order.note, order_id, colour);
            }
        });
    });
}

fn badge_ui(ui: &mut egui::Ui, label: &str, fill_colour: Color32, text_colour: Color32) {
    egui::Frame::NONE
        .fill(fill_colour)
        .corner_radius(CornerRadius::same(4))
        .inner_margin(egui::Margin::symmetric(8, 2))
        .show(ui, |ui| {
            ui.label(RichText::new(label).font(bold(18.0)).color(text_colour));
        });
}

fn age_ui(
    ui: &mut egui::Ui,
    model: &Model,
    lang: Language,
    colours: &Palette,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    ui.allocate_ui_with_layout(
        Vec2::new(AGE_WIDTH, ROW_HEIGHT - 12.0),
        Layout::right_to_left(Align::Center),
        |ui| {
            ui.set_min_width(AGE_WIDTH);
            super::ageing::age_pill_ui(ui, model, lang, colours, created_at, now, 30.0);
        },
    );
}
