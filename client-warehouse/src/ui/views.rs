//! Search and scan keys, the search box, the scan banner, long notes, wall-mode keys
//! and the settings rows of the backlog views. Hooked into the window by a few calls.

use egui::{Event, Id, Key, Modifiers, RichText};
use packbell_shared::protocol::{Ageing, OrderId};

use super::style::{Palette, bold};
use super::{Intent, UiState};
use crate::i18n::Language;
use crate::model::{MAX_SEARCH_CHARS, Model, ScanOutcome, ScanRefusal};
use crate::settings::{MAX_AGE_MINUTES, MAX_WALL_TEXT_SCALE, MIN_WALL_TEXT_SCALE, Settings};

/// Id of the search box, to focus it from the keyboard.
pub(super) const SEARCH_ID: &str = "packbell-search";
/// Where the order whose note is open in full is kept (egui's temporary data).
const EXPANDED_NOTE_ID: &str = "packbell-expanded-note";
/// Ctrl + / Ctrl − change the wall's text size by this much.
const WALL_SCALE_STEP: f32 = 0.1;

/// State of the backlog views that lives with the window, not the model.
#[derive(Debug, Default)]
pub struct ViewState {
    /// What a scanner (or a person) typed with the list focused, until Enter.
    pub scan_typed: String,
    /// The last scan's answer, shown large until the next scan or Esc.
    pub scan_message: Option<ScanMessage>,
    /// Focus the search box at the next draw (`/` or F3).
    focus_search: bool,
    /// The fullscreen state last asked of the window.
    fullscreen_sent: Option<bool>,
}

/// The answer to a scan, as the banner shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanMessage {
    Selected(String),
    Refused(ScanRefusal),
}

/// Keys of the views, read before the list's own: F11 and Ctrl +/−, `/` and F3, and
/// typed characters + Enter as a scan. Call only when no text field has focus.
pub(super) fn view_keys(
    ui: &egui::Ui,
    model: &mut Model,
    state: &mut UiState,
    intents: &mut Vec<Intent>,
) {
    let note_open = ui.ctx().data(|d| {
        d.get_temp::<OrderId>(Id::unique(EXPANDED_NOTE_ID))
            .is_some()
    });
    if note_open && ui.input_mut(|input| input.consume_key(Modifiers::NONE, Key::Escape)) {
        ui.ctx()
            .data_mut(|d| d.remove::<OrderId>(Id::unique(EXPANDED_NOTE_ID)));
    }
    let views = &mut state.views;
    let (wall, search, bigger, smaller) = ui.input_mut(|input| {
        let search = input.consume_key(Modifiers::NONE, Key::F3)
            | input.consume_key(Modifiers::NONE, Key::Slash);
        if search {
            // The '/' must not land in the search box it opens.
            input
                .events
                .retain(|e| !matches!(e, Event::Text(text) if text == "/"));
        }
        (
            input.consume_key(Modifiers::NONE, Key::F11),
            search,
            input.count_and_consume_key(Modifiers::COMMAND, Key::Plus)
                + input.count_and_consume_key(Modifiers::COMMAND, Key::Equals),
            input.count_and_consume_key(Modifiers::COMMAND, Key::Minus),
        )
    });
    if wall {
        model.settings.wall_mode = !model.settings.wall_mode;
    }
    if search {
        views.focus_search = true;
        return;
    }
    if model.settings.wall_mode && bigger + smaller > 0 {
        let steps = bigger as f32 - smaller as f32;
        model.settings.wall_text_scale = (model.settings.wall_text_scale + steps * WALL_SCALE_STEP)
            .clamp(MIN_WALL_TEXT_SCALE, MAX_WALL_TEXT_SCALE);
    }
    let typed: String = ui.input(|input| {
        input
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Text(text) => Some(text.as_str()),
                _ => None,
            })
            .flat_map(str::chars)
            .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect()
    });
    if !typed.is_empty() && views.scan_typed.chars().count() < MAX_SEARCH_CHARS {
        views.scan_typed.push_str(&typed);
    }
    if views.scan_typed.is_empty() {
        if views.scan_message.is_some()
            && ui.input_mut(|input| input.consume_key(Modifiers::NONE, Key::Escape))
        {
            views.scan_message = None;
        }
        return;
    }
    let (enter, escape) = ui.input_mut(|input| {
        (
            input.consume_key(Modifiers::NONE, Key::Enter),
            input.consume_key(Modifiers::NONE, Key::Escape),
        )
    });
    if escape {
        views.scan_typed.clear();
        views.scan_message = None;
    } else if enter {
        let number = std::mem::take(&mut views.scan_typed);
        scan(model, state, &number, intents);
    }
}

/// Hands a scanned number to the model and carries out its answer.
fn scan(model: &mut Model, state: &mut UiState, number: &str, intents: &mut Vec<Intent>) {
    state.views.scan_message = match model.scan(number) {
        ScanOutcome::Selected { order_id, row } => {
            state.scroll_to_row = Some(row);
            model
                .order(order_id)
                .map(|o| ScanMessage::Selected(o.order_number.clone()))
        }
        ScanOutcome::Pack { order_id } => {
            intents.push(Intent::Pack(order_id));
            None
        }
        ScanOutcome::Refused(refusal) => Some(ScanMessage::Refused(refusal)),
    };
}

/// Asks the window for fullscreen when wall mode is switched (or remembered) on, and
/// back when off; once per change.
pub(super) fn sync_fullscreen(ctx: &egui::Context, model: &Model, state: &mut UiState) {
    let wanted = model.settings.wall_mode;
    if state.views.fullscreen_sent != Some(wanted) {
        state.views.fullscreen_sent = Some(wanted);
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(wanted));
    }
    // egui's own Ctrl +/− zooms the whole window; in wall mode those keys size the text.
    ctx.options_mut(|options| options.zoom_with_keyboard = !wanted);
}

/// The search box, `width` wide, `size` points high text. Enter in it scans its text.
pub(super) fn search_box_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    state: &mut UiState,
    lang: Language,
    size: f32,
    width: f32,
    intents: &mut Vec<Intent>,
) {
    let views = lang.views();
    let mut query = model.search_query().to_owned();
    let response = ui.add(
        egui::TextEdit::singleline(&mut query)
            .id(Id::unique(SEARCH_ID))
            .hint_text(views.search_hint)
            .font(egui::FontId::proportional(size))
            .char_limit(MAX_SEARCH_CHARS)
            .desired_width(width),
    );
    response.widget_info(|| {
        egui::WidgetInfo::text_edit(true, model.search_query(), &query, views.search)
    });
    if std::mem::take(&mut state.views.focus_search) {
        response.request_focus();
    }
    if response.changed() {
        model.set_search(&query);
    }
    if response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) && !query.is_empty() {
        scan(model, state, &query, intents);
    }
}

/// What was typed so far, and the last scan's answer: large, a refusal in red.
pub(super) fn scan_banner_ui(
    ui: &mut egui::Ui,
    state: &UiState,
    lang: Language,
    colours: &Palette,
    scale: f32,
) {
    let views = &state.views;
    let (message, fill) = if !views.scan_typed.is_empty() {
        (lang.scanning(&views.scan_typed), colours.selected)
    } else {
        match &views.scan_message {
            None => return,
            Some(ScanMessage::Selected(number)) => (lang.scan_selected(number), colours.selected),
            Some(ScanMessage::Refused(refusal)) => (refusal_text(lang, refusal), colours.red),
        }
    };
    egui::Panel::top("scan-banner")
        .frame(
            egui::Frame::NONE
                .fill(fill)
                .inner_margin(egui::Margin::symmetric(16, 10)),
        )
        .show(ui, |ui| {
            ui.label(
                RichText::new(message)
                    .font(bold(34.0 * scale))
                    .color(colours.on_colour),
            );
        });
}

fn refusal_text(lang: Language, refusal: &ScanRefusal) -> String {
    match refusal {
        ScanRefusal::Unknown(number) => lang.scan_unknown(number),
        ScanRefusal::Packed(number) => lang.scan_packed(number),
        ScanRefusal::Cancelled(number) => lang.scan_cancelled(number),
    }
}

/// A note in a list row: cut to one line, in full (large) on hover, and in a window
/// of its own on click.
pub(super) fn note_ui(ui: &mut egui::Ui, note: &str, order_id: OrderId, colour: egui::Color32) {
    let response = ui.add(
        egui::Label::new(RichText::new(note).size(20.0).color(colour))
            .truncate()
            .sense(egui::Sense::click()),
    );
    let response = response.on_hover_ui(|ui| {
        ui.set_max_width(640.0);
        ui.label(RichText::new(note).size(28.0));
    });
    if response.clicked() {
        ui.ctx()
            .data_mut(|d| d.insert_temp(Id::unique(EXPANDED_NOTE_ID), order_id));
    }
}

/// The note opened by a click, in full, until closed (or its order leaves the list).
pub(super) fn expanded_note_ui(ctx: &egui::Context, model: &Model, lang: Language) {
    let id = Id::unique(EXPANDED_NOTE_ID);
    let Some(order_id) = ctx.data(|d| d.get_temp::<OrderId>(id)) else {
        return;
    };
    let Some(order) = model.order(order_id) else {
        ctx.data_mut(|d| d.remove::<OrderId>(id));
        return;
    };
    let mut open = true;
    let title = format!("{} · {}", lang.views().note, order.order_number);
    egui::Window::new(title)
        .id(Id::unique("packbell-note-window"))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .default_width(720.0)
        .show(ctx, |ui| {
            ui.label(RichText::new(&order.note).size(32.0));
            ui.add_space(8.0);
            if ui.button(lang.strings().close).clicked() {
                ctx.data_mut(|d| d.remove::<OrderId>(id));
            }
        });
    if !open || ctx.input(|i| i.key_pressed(Key::Escape)) {
        ctx.data_mut(|d| d.remove::<OrderId>(id));
    }
}

/// The settings rows of the views: overdue threshold, scan packs, wall mode and text.
pub(super) fn settings_rows_ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    site_ageing: Option<Ageing>,
) {
    let lang = settings.language.unwrap_or_else(Language::system);
    let views = lang.views();
    if let Some(site) = site_ageing {
        ui.label(views.overdue_after);
        ui.label(site.overdue_minutes.to_string());
    } else {
        let label = ui.label(views.overdue_after);
        ui.add(egui::DragValue::new(&mut settings.overdue_after_min).range(1..=MAX_AGE_MINUTES))
            .labelled_by(label.id);
    }
    ui.end_row();

    ui.label("");
    ui.checkbox(&mut settings.scan_packs, views.scan_packs);
    ui.end_row();

    ui.label("");
    ui.checkbox(&mut settings.wall_mode, views.wall_mode);
    ui.end_row();

    let label = ui.label(views.wall_text_size);
    ui.add(
        egui::Slider::new(
            &mut settings.wall_text_scale,
            MIN_WALL_TEXT_SCALE..=MAX_WALL_TEXT_SCALE,
        )
        .custom_formatter(|value, _| format!("{:.0} %", value * 100.0)),
    )
    .labelled_by(label.id);
    ui.end_row();
}
