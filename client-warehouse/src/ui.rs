//! Drawing: reads the model, returns [`Intent`]s. Thin on purpose.
//!
//! Made to be read from a few metres away: big bold order numbers, ages in coloured
//! pills, one large "Packed" button per row. Only the rows on screen are laid out
//! (`ScrollArea::show_rows`), so a list of 10 000 stays fluid.

use chrono::{DateTime, Local, Utc};
use egui::{
    Align, Color32, CornerRadius, FontFamily, FontId, Key, Layout, Modifiers, RichText, Sense,
    Stroke, StrokeKind, UiBuilder, Vec2, WidgetInfo,
};
use packbell_shared::protocol::{OrderId, Priority, StoreId};

use crate::i18n::{Language, Strings, fill};
use crate::model::{AgeLevel, Connection, Hint, Model, StoreCount};
use crate::settings::{
    MAX_AGE_MINUTES, MAX_RUSH_REPEAT_SECS, MIN_RUSH_REPEAT_SECS, Settings, SoundId, Theme,
};

/// Height of one order row, in points.
pub const ROW_HEIGHT: f32 = 84.0;
/// Width of the order-number column.
const NUMBER_WIDTH: f32 = 270.0;
/// Width of the age column.
const AGE_WIDTH: f32 = 150.0;
/// Font family registered by [`install_fonts`]; falls back to the default face.
pub const BOLD: &str = "packbell-bold";

/// What the user asked for during a frame; the app carries these out after drawing.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    Pack(OrderId),
    Undo,
    Acknowledge(OrderId),
    AcknowledgeAll,
    ToggleStore(StoreId),
    AllStores,
    Select(OrderId),
    Pair(String),
    /// One of several servers found by discovery, by id.
    ChooseServer(String),
    TestSound(SoundId),
    DismissHint(usize),
}

/// Per-window UI state that is not part of the model.
#[derive(Debug, Default)]
pub struct UiState {
    pub settings_open: bool,
    pub pairing_code: String,
    /// Set after "Pair" was pressed, until the link's status changes.
    pub pairing_sent: bool,
    /// Row to bring into view (after a keyboard move).
    pub scroll_to_row: Option<usize>,
    /// Rows entirely on screen in the last frame (first..end).
    pub shown_rows: std::ops::Range<usize>,
    /// Store counts, cached by (model generation, day start).
    counts: Option<(u64, DateTime<Utc>, Vec<StoreCount>)>,
}

fn bold(size: f32) -> FontId {
    FontId::new(size, FontFamily::Name(BOLD.into()))
}

/// Colours that read on both themes.
struct Palette {
    amber: Color32,
    red: Color32,
    green: Color32,
    rush_row: Color32,
    stripe: Color32,
    selected: Color32,
    offline: Color32,
    hint: Color32,
    on_colour: Color32,
    hint_text: Color32,
}

fn palette(dark: bool) -> Palette {
    if dark {
        Palette {
            amber: Color32::from_rgb(0xF5, 0x9E, 0x0B),
            red: Color32::from_rgb(0xDC, 0x26, 0x26),
            green: Color32::from_rgb(0x15, 0x80, 0x3D),
            rush_row: Color32::from_rgb(0x45, 0x14, 0x14),
            stripe: Color32::from_rgb(0x33, 0x33, 0x38),
            selected: Color32::from_rgb(0x60, 0xA5, 0xFA),
            offline: Color32::from_rgb(0xB9, 0x1C, 0x1C),
            hint: Color32::from_rgb(0xFD, 0xE0, 0x47),
            on_colour: Color32::WHITE,
            hint_text: Color32::BLACK,
        }
    } else {
        Palette {
            amber: Color32::from_rgb(0xD9, 0x77, 0x06),
            red: Color32::from_rgb(0xDC, 0x26, 0x26),
            green: Color32::from_rgb(0x16, 0xA3, 0x4A),
            rush_row: Color32::from_rgb(0xFE, 0xE2, 0xE2),
            stripe: Color32::from_rgb(0xF1, 0xF1, 0xF4),
            selected: Color32::from_rgb(0x25, 0x63, 0xEB),
            offline: Color32::from_rgb(0xB9, 0x1C, 0x1C),
            hint: Color32::from_rgb(0xFE, 0xF0, 0x8A),
            on_colour: Color32::WHITE,
            hint_text: Color32::BLACK,
        }
    }
}

/// Registers a bold face for the big numbers: the first that exists of a few
/// well-known system fonts; egui's default face otherwise.
pub fn install_fonts(ctx: &egui::Context) {
    const CANDIDATES: &[&str] = &[
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "C:\\Windows\\Fonts\\segoeuib.ttf",
        "C:\\Windows\\Fonts\\arialbd.ttf",
        "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
    ];
    let mut fonts = egui::FontDefinitions::default();
    let fallbacks = fonts
        .families
        .get(&FontFamily::Proportional)
        .cloned()
        .unwrap_or_default();
    let mut family = Vec::new();
    if let Some(bytes) = CANDIDATES.iter().find_map(|path| std::fs::read(path).ok()) {
        fonts.font_data.insert(
            BOLD.to_owned(),
            std::sync::Arc::new(egui::FontData::from_owned(bytes)),
        );
        family.push(BOLD.to_owned());
    } else {
        tracing::info!("no bold system font found; using the default face");
    }
    family.extend(fallbacks);
    fonts.families.insert(FontFamily::Name(BOLD.into()), family);
    ctx.set_fonts(fonts);
}

/// Text sizes for the whole window (the list sets its own, larger ones).
pub fn apply_style(ctx: &egui::Context, theme: Theme) {
    ctx.set_theme(match theme {
        Theme::Light => egui::Theme::Light,
        Theme::Dark => egui::Theme::Dark,
    });
    ctx.all_styles_mut(|style| {
        use egui::TextStyle;
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(26.0)),
            (TextStyle::Body, FontId::proportional(18.0)),
            (TextStyle::Button, FontId::proportional(18.0)),
            (TextStyle::Small, FontId::proportional(14.0)),
            (TextStyle::Monospace, FontId::monospace(16.0)),
        ]
        .into();
        style.spacing.button_padding = Vec2::new(10.0, 6.0);
        style.spacing.item_spacing = Vec2::new(8.0, 6.0);
    });
}

/// Start of the local calendar day containing `now`, in UTC.
pub fn local_day_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&Local);
    local
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|midnight| midnight.and_local_timezone(Local).earliest())
        .map_or(now, |start| start.with_timezone(&Utc))
}

/// Age as people say it: "new", "7 min", "1 h 05".
pub fn age_text(text: &Strings, created_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = now.signed_duration_since(created_at).num_minutes().max(0);
    if minutes < 1 {
        text.age_new.to_owned()
    } else if minutes < 60 {
        fill(text.age_minutes, &[&minutes])
    } else {
        fill(
            text.age_hours,
            &[&(minutes / 60), &format!("{:02}", minutes % 60)],
        )
    }
}

/// Draws the whole window into `ui` and returns what the user asked for.
pub fn root_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    state: &mut UiState,
    now: DateTime<Utc>,
) -> Vec<Intent> {
    let language = model.settings.language.unwrap_or_else(Language::system);
    let text = language.strings();
    let colours = palette(ui.visuals().dark_mode);
    let mut intents = Vec::new();

    keyboard(ui, model, state, now, &mut intents);

    egui::Panel::top("status").show(ui, |ui| {
        status_bar_ui(ui, model, text, &colours, now, &mut intents, state);
    });
    banner_ui(ui, model, text, &colours);
    hints_ui(ui, model, text, &colours, &mut intents);
    egui::Panel::top("stores").show(ui, |ui| {
        stores_ui(ui, model, state, text, now, &mut intents);
    });
    let below = model.visible().len().saturating_sub(state.shown_rows.end);
    egui::Panel::bottom("help").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(text.shortcuts).small().weak());
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                let unsent = model.unconfirmed();
                if unsent > 0 {
                    ui.label(RichText::new(fill(text.packed_here_pending, &[&unsent])).small());
                }
                if below > 0 {
                    ui.label(
                        RichText::new(fill(text.more_below, &[&below]))
                            .font(bold(20.0))
                            .color(colours.amber),
                    );
                }
            });
        });
    });
    egui::CentralPanel::default_margins().show(ui, |ui| {
        list_ui(ui, model, state, text, &colours, now, &mut intents);
    });

    if state.settings_open {
        settings_ui(ui.ctx(), &mut model.settings, state, text, &mut intents);
    }
    if !matches!(model.connection(), Connection::NeedsPairing { .. }) {
        state.pairing_sent = false;
    }
    if model.pairing_open() {
        pairing_ui(ui.ctx(), model, state, text, &mut intents);
    }
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_secs(5));
    intents
}

fn keyboard(
    ui: &egui::Ui,
    model: &mut Model,
    state: &mut UiState,
    now: DateTime<Utc>,
    intents: &mut Vec<Intent>,
) {
    let typing = ui.ctx().memory(|m| m.focused().is_some());
    if typing || state.settings_open || model.pairing_open() {
        return;
    }
    let (down, up, pack, undo, escape) = ui.input_mut(|input| {
        (
            input.consume_key(Modifiers::NONE, Key::ArrowDown),
            input.consume_key(Modifiers::NONE, Key::ArrowUp),
            input.consume_key(Modifiers::NONE, Key::Enter)
                | input.consume_key(Modifiers::NONE, Key::Space),
            input.consume_key(Modifiers::COMMAND, Key::Z),
            input.consume_key(Modifiers::NONE, Key::Escape),
        )
    });
    if down || up {
        state.scroll_to_row = model.move_selection(if down { 1 } else { -1 });
    }
    if pack && let Some(order_id) = model.selected() {
        intents.push(Intent::Pack(order_id));
    }
    if undo && model.undo_target(now).is_some() {
        intents.push(Intent::Undo);
    }
    if escape {
        model.select(None);
    }
}

fn status_bar_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    text: &Strings,
    colours: &Palette,
    now: DateTime<Utc>,
    intents: &mut Vec<Intent>,
    state: &mut UiState,
) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        let (label, colour) = match model.connection() {
            Connection::Connected { site } => (fill(text.connected, &[site]), colours.green),
            Connection::Connecting => (text.connecting.to_owned(), ui.visuals().weak_text_color()),
            Connection::NeedsPairing { .. } => (text.needs_pairing.to_owned(), colours.amber),
            Connection::Offline { since, .. } => (
                fill(text.offline_since, &[&local_time(*since)]),
                colours.red,
            ),
            Connection::Refused { reason } => (fill(text.refused, &[reason]), colours.red),
        };
        let (dot, _) = ui.allocate_exact_size(Vec2::splat(18.0), Sense::hover());
        ui.painter().circle_filled(dot.center(), 8.0, colour);
        ui.label(RichText::new(label).font(bold(20.0)).color(colour));
        ui.separator();
        let shown = model.visible().len();
        let day_start = local_day_start(now);
        let packed_today: usize = store_counts(model, state, day_start)
            .iter()
            .filter(|c| {
                model.settings.store_filter.is_empty()
                    || model.settings.store_filter.contains(&c.store_id)
            })
            .map(|c| c.packed_today)
            .sum();
        ui.label(RichText::new(fill(text.summary_line, &[&shown, &packed_today])).size(20.0));

        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if ui.button(text.settings).clicked() {
                state.settings_open = !state.settings_open;
            }
            if let Some(last) = model.undo_target(now)
                && ui
                    .button(RichText::new(fill(text.undo_packed, &[&last.order_number])).size(20.0))
                    .clicked()
            {
                intents.push(Intent::Undo);
            }
            let ringing = model.ringing_rush().len();
            if ringing > 0 {
                let button = egui::Button::new(
                    RichText::new(fill(text.silence_rush, &[&ringing]))
                        .size(20.0)
                        .color(colours.on_colour),
                )
                .fill(colours.red);
                if ui.add(button).clicked() {
                    intents.push(Intent::AcknowledgeAll);
                }
            }
        });
    });
    ui.add_space(4.0);
}

fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%H:%M").to_string()
}

fn banner_ui(ui: &mut egui::Ui, model: &Model, text: &Strings, colours: &Palette) {
    let message = match model.connection() {
        Connection::Offline { since, attempt, .. } => Some(format!(
            "{} — {}. {}",
            fill(text.offline_since, &[&local_time(*since)]),
            fill(text.reconnecting_attempt, &[attempt]),
            text.list_stale
        )),
        Connection::Refused { reason } => Some(format!(
            "{} {}",
            fill(text.refused, &[reason]),
            text.list_stale
        )),
        _ if model.is_stale() && model.pending_total() > 0 => Some(text.list_stale.to_owned()),
        _ => None,
    };
    if let Some(message) = message {
        egui::Panel::top("banner")
            .frame(
                egui::Frame::NONE
                    .fill(colours.offline)
                    .inner_margin(egui::Margin::symmetric(12, 10)),
            )
            .show(ui, |ui| {
                ui.label(
                    RichText::new(message)
                        .font(bold(22.0))
                        .color(colours.on_colour),
                );
            });
    }
}

fn hints_ui(
    ui: &mut egui::Ui,
    model: &Model,
    text: &Strings,
    colours: &Palette,
    intents: &mut Vec<Intent>,
) {
    if model.hints().is_empty() {
        return;
    }
    egui::Panel::top("hints")
        .frame(
            egui::Frame::NONE
                .fill(colours.hint)
                .inner_margin(egui::Margin::symmetric(12, 6)),
        )
        .show(ui, |ui| {
            for (index, hint) in model.hints().iter().enumerate() {
                let message = match hint {
                    Hint::NoSound(err) => fill(text.hint_no_sound, &[err]),
                    Hint::NoNotifications(err) => fill(text.hint_no_notifications, &[err]),
                    Hint::Rejected {
                        order_number,
                        message,
                    } => fill(text.rejected, &[order_number, message]),
                    Hint::NotSent { busy: true } => text.not_sent_busy.to_owned(),
                    Hint::NotSent { busy: false } => text.not_sent_stopped.to_owned(),
                    Hint::Notice(message) => message.clone(),
                };
                ui.horizontal(|ui| {
                    if ui.button(text.dismiss).clicked() {
                        intents.push(Intent::DismissHint(index));
                    }
                    // Error texts can be long; wrap them rather than run off the window.
                    ui.add(
                        egui::Label::new(RichText::new(message).color(colours.hint_text)).wrap(),
                    );
                });
            }
        });
}

fn store_counts<'a>(
    model: &Model,
    state: &'a mut UiState,
    day_start: DateTime<Utc>,
) -> &'a [StoreCount] {
    let fresh = state.counts.as_ref().is_some_and(|(generation, start, _)| {
        *generation == model.generation() && *start == day_start
    });
    if !fresh {
        state.counts = Some((model.generation(), day_start, model.store_counts(day_start)));
    }
    state
        .counts
        .as_ref()
        .map_or(&[], |(_, _, counts)| counts.as_slice())
}

fn stores_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    state: &mut UiState,
    text: &Strings,
    now: DateTime<Utc>,
    intents: &mut Vec<Intent>,
) {
    let day_start = local_day_start(now);
    let total = model.pending_total();
    let filter = model.settings.store_filter.clone();
    let counts = store_counts(model, state, day_start).to_vec();
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        let all = ui.selectable_label(
            filter.is_empty(),
            RichText::new(fill(text.store_chip, &[&text.all_stores, &total])).size(20.0),
        );
        if all.clicked() {
            intents.push(Intent::AllStores);
        }
        for count in counts {
            let name = if count.name.is_empty() {
                fill(text.unknown_store, &[&count.store_id])
            } else {
                count.name.clone()
            };
            let mut label =
                RichText::new(fill(text.store_chip, &[&name, &count.pending])).size(20.0);
            label = if count.pending > 0 {
                label.strong()
            } else {
                label.weak()
            };
            let chip = ui
                .selectable_label(filter.contains(&count.store_id), label)
                .on_hover_text(fill(
                    text.store_chip_hover,
                    &[&count.pending, &count.packed_today],
                ));
            if chip.clicked() {
                intents.push(Intent::ToggleStore(count.store_id));
            }
        }
    });
    ui.add_space(4.0);
}

fn list_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    state: &mut UiState,
    text: &Strings,
    colours: &Palette,
    now: DateTime<Utc>,
    intents: &mut Vec<Intent>,
) {
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
                text,
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
    text: &Strings,
    colours: &Palette,
    now: DateTime<Utc>,
    order_id: OrderId,
    index: usize,
    selected: bool,
    intents: &mut Vec<Intent>,
) {
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
        let name = fill(text.packed_order, &[&order.order_number]);
        response.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, &name));
        if response.clicked() {
            intents.push(Intent::Pack(order_id));
        }
        ui.add_space(8.0);
        age_ui(ui, model, text, colours, order.created_at, now);
        if rush && !model.is_acknowledged(order_id) {
            let ack = ui.add(
                egui::Button::new(RichText::new(text.acknowledge).size(18.0))
                    .min_size(Vec2::new(0.0, 44.0)),
            );
            let name = fill(text.acknowledge_order, &[&order.order_number]);
            ack.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, &name));
            if ack.clicked() {
                intents.push(Intent::Acknowledge(order_id));
            }
        }
        ui.with_layout(Layout::top_down(Align::Min), |ui| {
            // One line centred, two lines stacked.
            ui.add_space(if order.note.is_empty() { 18.0 } else { 4.0 });
            ui.horizontal(|ui| {
                if rush {
                    badge_ui(ui, text.rush, colours.red, colours.on_colour);
                }
                let store = model.store_name(order.store_id).map_or_else(
                    || fill(text.unknown_store, &[&order.store_id]),
                    str::to_owned,
                );
                ui.add(
                    egui::Label::new(RichText::new(store).font(bold(24.0)).color(strong))
                        .truncate(),
                );
            });
            if !order.note.is_empty() {
                ui.add(
                    egui::Label::new(RichText::new(&order.note).size(20.0).color(strong))
                        .truncate(),
                );
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
    text: &Strings,
    colours: &Palette,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    let label = age_text(text, created_at, now);
    ui.allocate_ui_with_layout(
        Vec2::new(AGE_WIDTH, ROW_HEIGHT - 12.0),
        Layout::right_to_left(Align::Center),
        |ui| {
            ui.set_min_width(AGE_WIDTH);
            match model.age_level(created_at, now) {
                AgeLevel::Fresh => {
                    let strong = ui.visuals().strong_text_color();
                    ui.label(RichText::new(label).font(bold(30.0)).color(strong));
                }
                level => {
                    let fill_colour = if level == AgeLevel::Red {
                        colours.red
                    } else {
                        colours.amber
                    };
                    let text_colour = if level == AgeLevel::Red {
                        colours.on_colour
                    } else {
                        Color32::BLACK
                    };
                    egui::Frame::NONE
                        .fill(fill_colour)
                        .corner_radius(CornerRadius::same(8))
                        .inner_margin(egui::Margin::symmetric(10, 4))
                        .show(ui, |ui| {
                            ui.label(RichText::new(label).font(bold(30.0)).color(text_colour));
                        });
                }
            }
        },
    );
}

/// The pairing dialog: a server to choose when several answered discovery, and the
/// pairing code when the link needs one.
fn pairing_ui(
    ctx: &egui::Context,
    model: &mut Model,
    state: &mut UiState,
    text: &Strings,
    intents: &mut Vec<Intent>,
) {
    let reason = match model.connection() {
        Connection::NeedsPairing { reason } => Some(reason.clone()),
        _ => None,
    };
    egui::Modal::new(egui::Id::unique("packbell-pairing")).show(ctx, |ui| {
        ui.set_width(660.0);
        ui.heading(text.pairing_title);
        if !model.found_servers().is_empty() {
            servers_ui(ui, model, text, intents);
            if reason.is_some() {
                ui.separator();
            }
        }
        let Some(reason) = reason else {
            return;
        };
        ui.label(text.pairing_help);
        if let Some(reason) = reason {
            ui.colored_label(ui.visuals().error_fg_color, reason);
        }
        ui.add_space(8.0);
        let label = ui.label(text.pairing_code);
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut state.pairing_code)
                    .font(FontId::monospace(24.0))
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let code = state.pairing_code.trim().to_owned();
            let pair = ui.add_enabled(
                !code.is_empty(),
                egui::Button::new(RichText::new(text.pair).size(20.0))
                    .min_size(Vec2::new(140.0, 40.0)),
            );
            if (pair.clicked() || entered) && !code.is_empty() {
                intents.push(Intent::Pair(code));
                state.pairing_sent = true;
            }
            if state.pairing_sent {
                ui.spinner();
                ui.label(text.pairing_sent);
            }
        });
    });
}

/// One large button per server that answered: site, address, short fingerprint.
fn servers_ui(ui: &mut egui::Ui, model: &mut Model, text: &Strings, intents: &mut Vec<Intent>) {
    ui.label(text.choose_server);
    ui.add_space(6.0);
    let servers = model.found_servers().to_vec();
    let chosen = model.chosen_server().map(|s| s.server_id.clone());
    for server in &servers {
        let label = fill(
            text.found_server,
            &[
                &server.site,
                &server.ws_addr,
                &packbell_shared::tls::short_fingerprint(&server.server_id),
            ],
        );
        let selected = chosen.as_deref() == Some(server.server_id.as_str());
        let button = egui::Button::new(RichText::new(label).size(19.0))
            .selected(selected)
            .min_size(Vec2::new(ui.available_width(), 44.0));
        if ui.add(button).clicked()
            && let Some(server_id) = model.choose_server(&server.server_id)
        {
            intents.push(Intent::ChooseServer(server_id));
        }
    }
    if let Some(server) = model.chosen_server() {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(fill(text.connecting_to, &[&server.site, &server.ws_addr]));
        });
    }
}

fn settings_ui(
    ctx: &egui::Context,
    settings: &mut Settings,
    state: &mut UiState,
    text: &Strings,
    intents: &mut Vec<Intent>,
) {
    let mut open = true;
    egui::Window::new(text.settings)
        .id(egui::Id::unique("packbell-settings"))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::RIGHT_TOP, [-12.0, 56.0])
        .show(ctx, |ui| {
            egui::Grid::new("settings-grid")
                .num_columns(2)
                .spacing([16.0, 10.0])
                .show(ui, |ui| {
                    let label = ui.label(text.language);
                    let current = settings
                        .language
                        .map_or(text.language_system, Language::native_name);
                    egui::ComboBox::from_id_salt("language")
                        .selected_text(current)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut settings.language, None, text.language_system);
                            for language in Language::ALL {
                                ui.selectable_value(
                                    &mut settings.language,
                                    Some(language),
                                    language.native_name(),
                                );
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();

                    ui.label(text.theme);
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut settings.theme, Theme::Light, text.theme_light);
                        ui.radio_value(&mut settings.theme, Theme::Dark, text.theme_dark);
                    });
                    ui.end_row();

                    for (label_text, which, salt) in [
                        (
                            text.normal_sound,
                            &mut settings.normal_sound,
                            "normal-sound",
                        ),
                        (text.rush_sound, &mut settings.rush_sound, "rush-sound"),
                    ] {
                        let label = ui.label(label_text);
                        ui.horizontal(|ui| {
                            egui::ComboBox::from_id_salt(salt)
                                .selected_text(sound_name(text, *which))
                                .show_ui(ui, |ui| {
                                    for sound in SoundId::ALL {
                                        ui.selectable_value(which, sound, sound_name(text, sound));
                                    }
                                })
                                .response
                                .labelled_by(label.id);
                            let test = ui.button(text.test_sound);
                            test.widget_info(|| {
                                WidgetInfo::labeled(
                                    egui::Role::Button,
                                    true,
                                    format!("{} {label_text}", text.test_sound),
                                )
                            });
                            if test.clicked() {
                                intents.push(Intent::TestSound(*which));
                            }
                        });
                        ui.end_row();
                    }

                    let label = ui.label(text.volume);
                    ui.add(
                        egui::Slider::new(&mut settings.volume, 0.0..=1.0)
                            .custom_formatter(|value, _| format!("{:.0} %", value * 100.0)),
                    )
                    .labelled_by(label.id);
                    ui.end_row();

                    ui.label("");
                    ui.checkbox(&mut settings.muted, text.mute);
                    ui.end_row();

                    let label = ui.label(text.amber_after);
                    ui.add(
                        egui::DragValue::new(&mut settings.amber_after_min)
                            .range(1..=MAX_AGE_MINUTES),
                    )
                    .labelled_by(label.id);
                    ui.end_row();

                    let label = ui.label(text.red_after);
                    ui.add(
                        egui::DragValue::new(&mut settings.red_after_min)
                            .range(1..=MAX_AGE_MINUTES),
                    )
                    .labelled_by(label.id);
                    ui.end_row();

                    let label = ui.label(text.rush_repeat);
                    ui.add(
                        egui::DragValue::new(&mut settings.rush_repeat_secs)
                            .range(MIN_RUSH_REPEAT_SECS..=MAX_RUSH_REPEAT_SECS),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                });
            ui.add_space(8.0);
            if ui.button(text.close).clicked() {
                state.settings_open = false;
            }
        });
    if !open {
        state.settings_open = false;
    }
    settings.clamp();
}

fn sound_name(text: &Strings, sound: SoundId) -> &'static str {
    match sound {
        SoundId::Chime => text.sound_chime,
        SoundId::Bell => text.sound_bell,
        SoundId::Urgent => text.sound_urgent,
    }
}
