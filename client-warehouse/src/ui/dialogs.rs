//! The pairing dialog and the chooser between servers found by discovery.

use egui::{FontId, Key, RichText, Vec2};

use super::{Intent, UiState};
use crate::i18n::Language;
use crate::model::{Connection, Model};

/// The pairing dialog: a server to choose when several answered discovery, and the
/// pairing code when the link needs one.
pub(super) fn pairing_ui(
    ctx: &egui::Context,
    model: &mut Model,
    state: &mut UiState,
    lang: Language,
    intents: &mut Vec<Intent>,
) {
    let text = lang.strings();
    let reason = match model.connection() {
        Connection::NeedsPairing { reason } => Some(reason.clone()),
        _ => None,
    };
    egui::Modal::new(egui::Id::unique("packbell-pairing")).show(ctx, |ui| {
        ui.set_width(660.0);
        ui.heading(text.pairing_title);
        if !model.found_servers().is_empty() {
            servers_ui(ui, model, lang, intents);
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
fn servers_ui(ui: &mut egui::Ui, model: &mut Model, lang: Language, intents: &mut Vec<Intent>) {
    let text = lang.strings();
    ui.label(text.choose_server);
    ui.add_space(6.0);
    let servers = model.found_servers().to_vec();
    let chosen = model.chosen_server().map(|s| s.server_id.clone());
    for server in &servers {
        let label = lang.found_server(
            &server.site,
            server.ws_addr,
            &packbell_shared::tls::short_fingerprint(&server.server_id),
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
            ui.label(lang.connecting_to(&server.site, server.ws_addr));
        });
    }
}
