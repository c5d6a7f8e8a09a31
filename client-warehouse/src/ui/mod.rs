//! Drawing: reads the model, returns [`Intent`]s. Thin on purpose.
//!
//! Made to be read from a few metres away: big bold order numbers, ages in coloured
//! pills, one large "Packed" button per row. Only the rows on screen are laid out
//! (`ScrollArea::show_rows`), so a list of 10 000 stays fluid.

mod ageing;
mod cancelled;
mod connection;
mod dialogs;
mod drawer;
mod header;
mod list;
mod settings;
mod stock_banner;
mod stock_count;
mod style;
mod totals;
mod views;
mod wall;

use chrono::{DateTime, Utc};
use egui::{Align, Key, Layout, Modifiers, RichText};
use packbell_shared::protocol::{OrderId, StoreId};
use packbell_shared::zone::Zone;

use crate::i18n::Language;
use crate::model::{Connection, Model, StoreCount};
use crate::settings::SoundId;

use cancelled::cancelled_ui;
use dialogs::pairing_ui;
use drawer::{drawer_button_ui, drawer_keys, drawer_ui};
use header::{banner_ui, hints_ui, status_bar_ui, stores_ui};
use list::list_ui;
use settings::settings_ui;
pub use style::{BOLD, apply_style, install_fonts};
use style::{bold, palette};
pub use views::{ScanMessage, ViewState};

/// Height of one order row, in points.
pub const ROW_HEIGHT: f32 = 84.0;

/// What the user asked for during a frame; the app carries these out after drawing.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    Pack(OrderId),
    Undo,
    /// "Bring back" in the "Recently packed" drawer.
    Recall(OrderId),
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
    /// Server addresses typed in the Connection window.
    SetServers(Vec<String>),
    /// The stock alert banner's acknowledge button.
    AcknowledgeStockAlert(packbell_shared::protocol::AlertId),
    /// The "Count stock" dialog's count (a `count_stock` command).
    SendCount(packbell_shared::protocol::Command),
}

/// Per-window UI state that is not part of the model.
#[derive(Debug, Default)]
pub struct UiState {
    pub settings_open: bool,
    /// The Connection window is shown.
    pub connection_open: bool,
    /// The "Recently packed" drawer is shown.
    pub drawer_open: bool,
    pub pairing_code: String,
    /// Set after "Pair" was pressed, until the link's status changes.
    pub pairing_sent: bool,
    /// Row to bring into view (after a keyboard move).
    pub scroll_to_row: Option<usize>,
    /// Rows entirely on screen in the last frame (first..end).
    pub shown_rows: std::ops::Range<usize>,
    /// Store counts, cached by (model generation, day start).
    counts: Option<(u64, DateTime<Utc>, Vec<StoreCount>)>,
    /// The zone times and "today" are shown in; tests and screenshots pin one.
    pub zone: Zone,
    /// When "Packed" was last clicked (egui's input time), to tell a double-click.
    pub last_pack_click: Option<f64>,
    /// Search, scan and wall mode (see `views.rs`).
    pub views: ViewState,
    /// The open "Count stock" dialog's draft; `None` while it is closed.
    pub count: Option<crate::model::stock_count::CountDraft>,
}

/// Age as people say it: "new", "7 min", "1 h 05".
pub fn age_text(lang: Language, created_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = now.signed_duration_since(created_at).num_minutes().max(0);
    if minutes < 1 {
        lang.strings().age_new.to_owned()
    } else if minutes < 60 {
        lang.age_minutes(minutes)
    } else {
        lang.age_hours(minutes / 60, minutes % 60)
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
    views::sync_fullscreen(ui.ctx(), model, state);
    if model.settings.wall_mode {
        wall::wall_ui(ui, model, state, language, &colours, now, &mut intents);
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs(5));
        return intents;
    }

    egui::Panel::top("status").show(ui, |ui| {
        status_bar_ui(ui, model, language, &colours, now, &mut intents, state);
    });
    banner_ui(ui, model, language, &colours, state.zone);
    stock_banner::stock_banner_ui(ui, model, state, language, &colours, &mut intents);
    hints_ui(ui, model, language, &colours, &mut intents);
    egui::Panel::top("stores").show(ui, |ui| {
        stores_ui(ui, model, state, language, now, &mut intents);
    });
    totals::totals_ui(ui, model, state, language, &colours, now, &mut intents);
    views::scan_banner_ui(ui, state, language, &colours, 1.0);
    let below = model.visible().len().saturating_sub(state.shown_rows.end);
    egui::Panel::bottom("help").show(ui, |ui| {
        ui.horizontal(|ui| {
            drawer_button_ui(ui, model, state, language, now);
            ui.label(RichText::new(text.shortcuts).small().weak());
            ui.label(
                RichText::new(language.views().view_shortcuts)
                    .small()
                    .weak(),
            );
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                let unsent = model.unconfirmed();
                if unsent > 0 {
                    ui.label(RichText::new(language.packed_here_pending(unsent)).small());
                }
                if below > 0 {
                    ui.label(
                        RichText::new(language.more_below(below))
                            .font(bold(20.0))
                            .color(colours.amber),
                    );
                }
            });
        });
    });
    if state.drawer_open {
        drawer_ui(ui, model, state, language, &colours, now, &mut intents);
    }
    egui::CentralPanel::default_margins().show(ui, |ui| {
        cancelled_ui(ui, model, language, &colours, now);
        list_ui(ui, model, state, language, &colours, now, &mut intents);
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
            text,
            &mut intents,
        );
    }
    if state.connection_open {
        connection::connection_ui(
            ui.ctx(),
            model,
            language,
            &colours,
            state.zone,
            &mut state.connection_open,
            &mut intents,
        );
    }
    if !matches!(model.connection(), Connection::NeedsPairing { .. }) {
        state.pairing_sent = false;
    }
    if model.pairing_open() {
        pairing_ui(ui.ctx(), model, state, language, &mut intents);
    }
    stock_count::count_ui(ui.ctx(), model, state, language, &mut intents);
    views::expanded_note_ui(ui.ctx(), model, language);
    schedule_repaint(ui.ctx(), model, state, now);
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
    if !typing && !state.settings_open && drawer_keys(ui, state) {
        return;
    }
    if state.settings_open && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
        state.settings_open = false;
        return;
    }
    if typing || state.settings_open || state.count.is_some() || model.pairing_open() {
        return;
    }
    views::view_keys(ui, model, state, intents);
    // A page is the rows that fit in the window, at least one.
    let page = ((ui.ctx().content_rect().height() / ROW_HEIGHT) as isize).max(1);
    let (home, end, page_down, page_up) = ui.input_mut(|input| {
        (
            input.consume_key(Modifiers::NONE, Key::Home),
            input.consume_key(Modifiers::NONE, Key::End),
            input.consume_key(Modifiers::NONE, Key::PageDown),
            input.consume_key(Modifiers::NONE, Key::PageUp),
        )
    });
    if home || end {
        state.scroll_to_row = model.select_edge(end);
    }
    if page_down || page_up {
        state.scroll_to_row = model.move_selection(if page_down { page } else { -page });
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

/// Asks for the next frame exactly when something on screen changes by itself (an age
/// label, a cancelled row's minute, "Undo" expiring, the day's count at midnight);
/// events and input wake the window on their own. Idle, the window does not draw.
fn schedule_repaint(ctx: &egui::Context, model: &mut Model, state: &UiState, now: DateTime<Utc>) {
    let view = model.visible();
    // The partly shown row below the last whole one has an age label on screen too.
    let end = (state.shown_rows.end + 1).min(view.len());
    let start = state.shown_rows.start.min(end);
    let on_screen = view[start..end].to_vec();
    let midnight = state.zone.day_start(now) + chrono::Duration::days(1);
    let next = model
        .next_visible_change(&on_screen, state.drawer_open, now)
        .map_or(midnight, |next| next.min(midnight));
    if let Ok(wait) = next.signed_duration_since(now).to_std() {
        ctx.request_repaint_after(wait);
    }
}
