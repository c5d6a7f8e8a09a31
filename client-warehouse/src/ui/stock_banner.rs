//! The stock alert banner: this station's open stock alerts across the top, one line
//! each, critical ones in red and the others in amber, each with its acknowledge
//! button until someone acknowledged it. It takes at most a fifth of the window, so
//! the order list stays on screen; the rest is counted ("+3 more").

use egui::{Align, Color32, Layout, RichText};
use packbell_shared::protocol::{Severity, StockAlert};

use super::style::{Palette, bold};
use super::{Intent, UiState};
use crate::i18n::Language;
use crate::model::Model;
use crate::model::stock_count::CountDraft;

/// Share of the window's height the banner may take; alerts that do not fit are
/// counted on its last line instead of pushing the orders down.
const MAX_BANNER_SHARE: f32 = 0.2;
/// Height of one banner line in points (its 20 pt text, buttons and spacing).
const LINE_HEIGHT: f32 = 40.0;
/// Lines shown however small the window is: the most urgent alerts stay readable.
const MIN_SHOWN: usize = 2;
/// Lines shown however tall the window is; more would be a wall of red nobody reads.
const MAX_SHOWN: usize = 5;

/// How many alert lines fit a window `height` points tall.
fn lines_for(height: f32) -> usize {
    ((height * MAX_BANNER_SHARE / LINE_HEIGHT) as usize).clamp(MIN_SHOWN, MAX_SHOWN)
}

pub(super) fn stock_banner_ui(
    ui: &mut egui::Ui,
    model: &Model,
    state: &mut UiState,
    lang: Language,
    colours: &Palette,
    intents: &mut Vec<Intent>,
) {
    let alerts = model.stock_alerts();
    if alerts.is_empty() {
        return;
    }
    let shown = lines_for(ui.ctx().content_rect().height()).min(alerts.len());
    let hidden = alerts.len() - shown;
    egui::Panel::top("stock_alerts")
        .frame(egui::Frame::NONE.inner_margin(egui::Margin::symmetric(0, 2)))
        .show(ui, |ui| {
            ui.spacing_mut().item_spacing.y = 2.0;
            for (index, alert) in alerts.iter().take(shown).enumerate() {
                let more = (index + 1 == shown && hidden > 0).then_some(hidden);
                alert_line(ui, model, state, lang, colours, alert, more, intents);
            }
        });
}

/// One alert across the window; `more` puts the count of hidden alerts at its end.
#[allow(
    clippy::too_many_arguments,
    reason = "a drawing helper of the banner only"
)]
fn alert_line(
    ui: &mut egui::Ui,
    model: &Model,
    state: &mut UiState,
    lang: Language,
    colours: &Palette,
    alert: &StockAlert,
    more: Option<usize>,
    intents: &mut Vec<Intent>,
) {
    // White on amber is unreadable from a distance; black is not.
    let (fill, ink) = match alert.severity {
        Severity::Critical => (colours.red, colours.on_colour),
        _ => (colours.amber, Color32::BLACK),
    };
    egui::Frame::NONE
        .fill(fill)
        .inner_margin(egui::Margin::symmetric(12, 4))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(lang.stock_alert_line(alert))
                        .font(bold(20.0))
                        .color(ink),
                );
                match &alert.acknowledged {
                    Some(_) => {
                        ui.label(
                            RichText::new(lang.stock_acknowledged())
                                .size(18.0)
                                .color(ink),
                        );
                    }
                    None => {
                        let button = RichText::new(lang.stock_acknowledge(&alert.sku)).size(18.0);
                        if ui.button(button).clicked() {
                            intents.push(Intent::AcknowledgeStockAlert(alert.alert_id));
                        }
                    }
                }
                if model.stock_item(&alert.sku).is_some()
                    && ui
                        .button(RichText::new(lang.count_item(&alert.sku)).size(18.0))
                        .clicked()
                {
                    state.count = Some(CountDraft::for_item(&alert.sku, alert.lot.as_deref()));
                }
                if let Some(count) = more {
                    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                        ui.label(
                            RichText::new(lang.stock_more(count))
                                .font(bold(20.0))
                                .color(ink),
                        );
                    });
                }
            });
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_takes_a_fifth_of_the_window_within_its_bounds() {
        assert_eq!(lines_for(768.0), 3);
        assert_eq!(lines_for(1080.0), 5);
        assert_eq!(lines_for(300.0), MIN_SHOWN);
        assert_eq!(lines_for(4000.0), MAX_SHOWN);
    }
}
