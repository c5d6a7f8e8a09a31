//! The stock alert banner: this station's open stock alerts across the top, critical
//! ones in red, each with its acknowledge button until someone acknowledged it.

use egui::RichText;
use packbell_shared::protocol::Severity;

use super::style::{Palette, bold};
use super::{Intent, UiState};
use crate::i18n::Language;
use crate::model::Model;
use crate::model::stock_count::CountDraft;

/// Alerts listed at most; the rest wait for these to clear (the count says so).
const MAX_SHOWN: usize = 5;

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
    let critical = alerts.iter().any(|a| a.severity == Severity::Critical);
    let fill = if critical { colours.red } else { colours.amber };
    egui::Panel::top("stock_alerts")
        .frame(
            egui::Frame::NONE
                .fill(fill)
                .inner_margin(egui::Margin::symmetric(12, 8)),
        )
        .show(ui, |ui| {
            for alert in alerts.iter().take(MAX_SHOWN) {
                ui.horizontal(|ui| {
                    ui.label(
                        RichText::new(lang.stock_alert_line(alert))
                            .font(bold(20.0))
                            .color(colours.on_colour),
                    );
                    if model.stock_item(&alert.sku).is_some()
                        && ui.button(lang.count_item(&alert.sku)).clicked()
                    {
                        state.count = Some(CountDraft::for_item(&alert.sku, alert.lot.as_deref()));
                    }
                    match &alert.acknowledged {
                        Some(_) => {
                            ui.label(
                                RichText::new(lang.stock_acknowledged()).color(colours.on_colour),
                            );
                        }
                        None => {
                            if ui.button(lang.stock_acknowledge(&alert.sku)).clicked() {
                                intents.push(Intent::AcknowledgeStockAlert(alert.alert_id));
                            }
                        }
                    }
                });
            }
            if alerts.len() > MAX_SHOWN {
                ui.label(
                    RichText::new(lang.stock_more(alerts.len() - MAX_SHOWN))
                        .font(bold(18.0))
                        .color(colours.on_colour),
                );
            }
        });
}
