//! Thin egui screens: they read the model, edit its form fields, and hand anything
//! that needs the link back as an [`Intent`]. No network, no disk here.

mod admin;
mod alerts;
mod banner;
mod connection;
mod exports;
mod orders;
mod receipts;
mod shortcuts;
mod stock;
mod today;
mod undo;

use chrono::{DateTime, Utc};
use egui::{Color32, Id, RichText};
use packbell_shared::link::LinkRequest;
use packbell_shared::protocol::Command;
use packbell_shared::zone::Zone;

use crate::i18n::{Lang, Tr};
use crate::model::{Connection, Model, Operation};
use crate::settings::{ThemeChoice, step_text_scale};

pub use admin::AdminTab;

/// The order number field; focus returns here after each order.
pub fn number_id() -> Id {
    Id::unique("office-order-number")
}
pub fn store_id() -> Id {
    Id::unique("office-order-store")
}
pub fn note_id() -> Id {
    Id::unique("office-order-note")
}
pub fn rush_id() -> Id {
    Id::unique("office-order-rush")
}

/// What the ui asks the app to do with the link or the settings.
#[derive(Debug, Clone)]
pub enum Intent {
    /// Validate the entry form and submit it.
    SendOrder,
    /// Send the order held back by the duplicate warning.
    SendAnyway,
    Submit(Command, Operation),
    Request(LinkRequest),
    SetLang(Lang),
    SetTheme(ThemeChoice),
    /// Draw everything this much larger (egui's zoom factor); saved.
    SetTextScale(f32),
    /// Show this folder in the system's file manager.
    OpenFolder(std::path::PathBuf),
    /// Read this stock file and send its items.
    ImportStock(std::path::PathBuf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Orders,
    Admin(AdminTab),
    /// What the last look for the server saw, and the server addresses kept here.
    Connection,
    /// Items, lots and quantities (editable by admins).
    Stock,
    /// Stock alerts: summary, history, acknowledge.
    Alerts,
}

/// Everything one frame of the ui reads and writes.
pub struct Screen<'a> {
    pub model: &'a mut Model,
    pub lang: Lang,
    pub t: &'static Tr,
    pub now: DateTime<Utc>,
    /// Where "today" starts (midnight in `zone`).
    pub day_start: DateTime<Utc>,
    /// The zone times are shown in: the machine's, or one a test pinned.
    pub zone: Zone,
    pub intents: Vec<Intent>,
    pub view: View,
    pub theme: ThemeChoice,
    /// The text size setting (1.0 is normal).
    pub text_scale: f32,
    /// Put the cursor in the order number this frame.
    pub focus_number: bool,
}

pub fn apply_theme(ctx: &egui::Context, theme: ThemeChoice) {
    ctx.set_theme(match theme {
        ThemeChoice::System => egui::ThemePreference::System,
        ThemeChoice::Light => egui::ThemePreference::Light,
        ThemeChoice::Dark => egui::ThemePreference::Dark,
    });
    ctx.all_styles_mut(|style| {
        use egui::{FontId, TextStyle};
        style
            .text_styles
            .insert(TextStyle::Body, FontId::proportional(15.0));
        style
            .text_styles
            .insert(TextStyle::Button, FontId::proportional(15.0));
        style
            .text_styles
            .insert(TextStyle::Heading, FontId::proportional(20.0));
        style
            .text_styles
            .insert(TextStyle::Monospace, FontId::monospace(15.0));
        style
            .text_styles
            .insert(TextStyle::Small, FontId::proportional(12.0));
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
    });
}

/// The field to put the cursor in after a refused send: the first one in error.
pub fn first_error_field(model: &Model) -> Id {
    let errors = &model.form.errors;
    if errors.number.is_some() {
        number_id()
    } else if errors.store.is_some() {
        store_id()
    } else if errors.note.is_some() {
        note_id()
    } else {
        number_id()
    }
}

/// The whole window: top bar, status bar, the current screen, dialogs.
pub fn app_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    // Rush is toggled from anywhere in the window.
    if ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::R)) {
        screen.model.toggle_rush();
    }
    shortcuts::window_keys(ui, screen);
    egui::Panel::top("office-top").show(ui, |ui| top_bar_ui(ui, screen));
    // Trouble across the whole width, under the title: seen from a step back.
    if screen.model.trouble().is_some() {
        egui::Panel::top("office-banner")
            .frame(egui::Frame::new())
            .show(ui, |ui| banner::banner_ui(ui, screen));
    }
    receipts::alarm_banner_ui(ui, screen);
    egui::Panel::bottom("office-status").show(ui, |ui| status_bar_ui(ui, screen));
    // On every screen: notices (e.g. a refresh while offline) come from any of them.
    egui::Panel::top("office-message").show(ui, |ui| banner::message_line_ui(ui, screen));
    egui::CentralPanel::default_margins().show(ui, |ui| match screen.view {
        View::Orders => orders::orders_ui(ui, screen),
        View::Admin(tab) => admin::admin_ui(ui, screen, tab),
        View::Connection => connection::connection_ui(ui, screen),
        View::Stock => stock::stock_ui(ui, screen),
        View::Alerts => alerts::alerts_ui(ui, screen),
    });
    orders::cancel_dialog_ui(ui.ctx(), screen);
    undo::undo_dialogs_ui(ui.ctx(), screen);
    pairing_dialog_ui(ui.ctx(), screen);
}

fn top_bar_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let t = screen.t;
    ui.horizontal(|ui| {
        ui.heading(RichText::new(t.app_title).strong());
        ui.add_space(16.0);
        if ui
            .selectable_label(screen.view == View::Orders, t.tab_orders)
            .clicked()
        {
            screen.view = View::Orders;
        }
        let st = screen.lang.stock_tr();
        for (view, label) in [(View::Stock, st.stock_tab), (View::Alerts, st.alerts_tab)] {
            if ui.selectable_label(screen.view == view, label).clicked() {
                screen.view = view;
            }
        }
        if screen.model.is_admin()
            && ui
                .selectable_label(matches!(screen.view, View::Admin(_)), t.tab_admin)
                .clicked()
            && !matches!(screen.view, View::Admin(_))
        {
            screen.view = View::Admin(AdminTab::default());
        }
        if ui
            .selectable_label(
                screen.view == View::Connection,
                screen.lang.connection().open,
            )
            .clicked()
        {
            screen.view = View::Connection;
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            text_size_ui(ui, screen);
            ui.add_space(12.0);
            let mut theme = screen.theme;
            // Right to left: the combo first, then its label on its left.
            let combo = egui::ComboBox::from_id_salt("office-theme")
                .selected_text(theme_name(t, theme))
                .show_ui(ui, |ui| {
                    for choice in [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark] {
                        ui.selectable_value(&mut theme, choice, theme_name(t, choice));
                    }
                });
            let label = ui.label(t.theme);
            let _ = combo.response.labelled_by(label.id);
            if theme != screen.theme {
                screen.intents.push(Intent::SetTheme(theme));
            }
            let mut lang = screen.lang;
            ui.add_space(12.0);
            let combo = egui::ComboBox::from_id_salt("office-lang")
                .selected_text(lang.name())
                .show_ui(ui, |ui| {
                    for choice in Lang::ALL {
                        ui.selectable_value(&mut lang, choice, choice.name());
                    }
                });
            let label = ui.label(t.language);
            let _ = combo.response.labelled_by(label.id);
            if lang != screen.lang {
                screen.intents.push(Intent::SetLang(lang));
            }
        });
    });
}

/// "Text  − 110 % +", right to left: the same steps as Ctrl − and Ctrl +.
fn text_size_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let t = screen.t;
    let scale = screen.text_scale;
    if ui.small_button("+").on_hover_text(t.text_larger).clicked() {
        screen
            .intents
            .push(Intent::SetTextScale(step_text_scale(scale, 1)));
    }
    ui.label(format!("{:.0} %", scale * 100.0));
    if ui.small_button("−").on_hover_text(t.text_smaller).clicked() {
        screen
            .intents
            .push(Intent::SetTextScale(step_text_scale(scale, -1)));
    }
    ui.label(t.text_size);
}

fn theme_name(t: &Tr, theme: ThemeChoice) -> &'static str {
    match theme {
        ThemeChoice::System => t.theme_system,
        ThemeChoice::Light => t.theme_light,
        ThemeChoice::Dark => t.theme_dark,
    }
}

pub(crate) const GREEN: Color32 = Color32::from_rgb(0x2e, 0xa0, 0x43);
pub(crate) const AMBER: Color32 = Color32::from_rgb(0xd0, 0x8a, 0x00);
pub(crate) const RED: Color32 = Color32::from_rgb(0xd0, 0x3b, 0x3b);
pub(crate) const BLUE: Color32 = Color32::from_rgb(0x2f, 0x7d, 0xd1);

fn status_bar_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let t = screen.t;
    let lang = screen.lang;
    let model = &*screen.model;
    ui.horizontal(|ui| {
        let (colour, text) = match model.connection() {
            Connection::Connecting => (AMBER, t.connecting.to_owned()),
            Connection::Connected { site } => (GREEN, lang.connected(&site)),
            Connection::Reconnecting { since, attempt, .. } => {
                (RED, lang.offline_short(screen.zone, since, attempt))
            }
            Connection::NeedsPairing => (AMBER, t.not_paired.to_owned()),
            Connection::Refused { .. } => (RED, lang.refused().to_owned()),
        };
        let (dot, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
        ui.painter().circle_filled(dot.center(), 5.0, colour);
        ui.label(text);
        // A first run has no earlier state to speak of.
        if model.shows_last_known_state() {
            ui.separator();
            ui.label(RichText::new(t.stale).color(AMBER));
        }
        let outbox = model.outbox_len();
        if outbox > 0 {
            ui.separator();
            ui.label(RichText::new(lang.outbox(outbox)).color(AMBER));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if let Some(role) = model.role {
                ui.label(lang.role_line(role));
            }
        });
    });
}

/// Puts the cursor in a dialog's `field` on the frame the dialog opens, and again
/// whenever no widget has keyboard focus (after a click beside the field).
///
/// Asks egui's memory, not `Response::has_focus`, which is also false whenever the
/// window itself is not focused (another window in front, or no window manager).
/// Asking for focus again every frame makes the platform reset its text input every
/// frame: under X11 that is a repaint loop that burns a core and loses keystrokes.
pub(crate) fn focus_dialog_field(ui: &egui::Ui, field: &egui::Response, opened: bool) {
    if opened || ui.memory(|m| m.focused().is_none()) {
        field.request_focus();
    }
}

/// Whether a dialog opened or closed since the last frame; `dialog` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DialogChange {
    Opened,
    Closed,
    Unchanged,
}

pub(crate) fn dialog_change(ctx: &egui::Context, dialog: Id, open: bool) -> DialogChange {
    let was_open = ctx.data(|d| d.get_temp::<bool>(dialog).unwrap_or(false));
    if was_open == open {
        return DialogChange::Unchanged;
    }
    ctx.data_mut(|d| d.insert_temp(dialog, open));
    if open {
        DialogChange::Opened
    } else {
        DialogChange::Closed
    }
}

fn pairing_dialog_ui(ctx: &egui::Context, screen: &mut Screen<'_>) {
    let model = &mut *screen.model;
    let dialog = Id::unique("office-pairing");
    let change = dialog_change(ctx, dialog.with("open"), model.pairing.open());
    if change == DialogChange::Closed {
        // Paired: the next thing to type is an order number.
        ctx.memory_mut(|m| m.request_focus(number_id()));
    }
    if !model.pairing.open() {
        return;
    }
    let t = screen.t;
    let lang = screen.lang;
    // A darker backdrop than egui's: in the dark theme its default leaves the order
    // form behind looking usable.
    let modal = egui::Modal::new(dialog).backdrop_color(Color32::from_black_alpha(170));
    modal.show(ctx, |ui| {
        ui.set_width(520.0);
        ui.heading(RichText::new(t.pair_title).strong());
        ui.add_space(4.0);
        if !model.pairing.servers.is_empty() {
            ui.label(t.pair_choose_server);
            let servers = model.pairing.servers.clone();
            for server in &servers {
                let chosen = model.pairing.chosen.as_deref() == Some(server.server_id.as_str());
                let text =
                    lang.found_server(&server.site, &server.ws_addr.to_string(), &server.server_id);
                if ui.selectable_label(chosen, text).clicked()
                    && let Some(server_id) = model.choose_server(&server.server_id)
                {
                    screen
                        .intents
                        .push(Intent::Request(LinkRequest::ChooseServer { server_id }));
                }
            }
            ui.separator();
        }
        if !model.pairing.needed {
            return;
        }
        ui.label(t.pair_text);
        if let Some(reason) = &model.pairing.reason {
            // The link's words (often the server's, in English) only behind Details.
            ui.colored_label(RED, t.pair_failed);
            banner::details_toggle(ui, t, Id::unique("office-pairing-details"), reason, false);
        }
        ui.add_space(8.0);
        let label = ui.label(RichText::new(t.pair_code).strong());
        let response = ui.add(
            egui::TextEdit::singleline(&mut model.pairing.code)
                .id(Id::unique("office-pairing-code"))
                .font(egui::FontId::monospace(24.0))
                .margin(egui::vec2(8.0, 6.0))
                .desired_width(f32::INFINITY),
        );
        let response = response.labelled_by(label.id);
        let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let button = egui::Button::new(RichText::new(t.pair_button).size(18.0).strong())
                .min_size(egui::vec2(140.0, 36.0));
            let clicked = ui.add_enabled(!model.pairing.sent, button).clicked();
            if (clicked || enter)
                && !model.pairing.sent
                && let Some(code) = model.pairing_code_to_send()
            {
                screen
                    .intents
                    .push(Intent::Request(LinkRequest::Pair { code }));
            }
            if model.pairing.sent {
                // A still label, not a spinner: a spinner redraws the window every
                // frame for as long as the server takes to answer.
                ui.label(RichText::new(t.pair_checking).color(AMBER));
            }
        });
        // After Enter, so that the Enter that left the field is seen as such.
        if !model.pairing.sent {
            focus_dialog_field(ui, &response, change == DialogChange::Opened);
        }
    });
}
