//! Alerts: a summary by store and severity for the last day or week, the history
//! with its filters, and the acknowledge dialog (warehouse and admin PCs only).

use egui::{Color32, Id, RichText, TextEdit};
use packbell_shared::protocol::{AlertKind, Severity, StoreId};

use super::{AMBER, BLUE, GREEN, Intent, RED, Screen, dialog_change, focus_dialog_field};
use crate::i18n::Lang;
use crate::model::{
    AlertFilter, AlertStatus, SummarySpan, alert_history, alert_summary, may_acknowledge,
};

pub(crate) fn severity_colour(severity: Severity) -> Color32 {
    match severity {
        Severity::Critical => RED,
        Severity::High => AMBER,
        Severity::Medium => BLUE,
    }
}

fn store_text(screen: &Screen<'_>, store: Option<StoreId>) -> String {
    match store {
        None => screen.lang.stock_tr().site_wide.to_owned(),
        Some(store_id) => screen.model.store_name(store_id),
    }
}

pub fn alerts_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let st = screen.lang.stock_tr();
    summary_ui(ui, screen);
    ui.add_space(12.0);
    ui.heading(RichText::new(st.history).strong());
    filters_ui(ui, screen);
    if !may_acknowledge(screen.model.role) {
        ui.label(RichText::new(st.ack_read_only).weak());
    }
    ui.label(RichText::new(st.history_note).weak().small());
    ui.add_space(4.0);
    egui::ScrollArea::vertical()
        .id_salt("office-alerts-history")
        .auto_shrink([false, false])
        .show(ui, |ui| history_ui(ui, screen));
    ack_dialog_ui(ui.ctx(), screen);
}

fn summary_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let lang = screen.lang;
    let st = lang.stock_tr();
    ui.horizontal(|ui| {
        ui.heading(RichText::new(st.summary).strong());
        ui.add_space(12.0);
        for span in [SummarySpan::Day, SummarySpan::Week] {
            if ui
                .selectable_label(screen.model.alerts.span == span, lang.summary_span(span))
                .clicked()
            {
                screen.model.alerts.span = span;
            }
        }
    });
    let rows = alert_summary(&screen.model.site, screen.model.alerts.span, screen.now);
    egui::Grid::new("office-alerts-summary")
        .striped(true)
        .num_columns(4)
        .spacing([32.0, 4.0])
        .show(ui, |ui| {
            ui.label(RichText::new(st.store).strong());
            for severity in [Severity::Critical, Severity::High, Severity::Medium] {
                ui.label(
                    RichText::new(lang.severity(severity))
                        .strong()
                        .color(severity_colour(severity)),
                );
            }
            ui.end_row();
            let mut totals = [0; 3];
            for row in &rows {
                ui.label(store_text(screen, row.store));
                for (index, count) in [row.critical, row.high, row.medium].into_iter().enumerate() {
                    totals[index] += count;
                    ui.label(count.to_string());
                }
                ui.end_row();
            }
            ui.label(RichText::new(st.total).strong());
            for total in totals {
                ui.label(RichText::new(total.to_string()).strong());
            }
            ui.end_row();
        });
}

fn filters_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let lang = screen.lang;
    let st = lang.stock_tr();
    let stores: Vec<(StoreId, String)> = screen
        .model
        .site
        .stores
        .values()
        .map(|s| (s.store_id, s.name.clone()))
        .collect();
    let mut filter: AlertFilter = screen.model.alerts.filter;
    ui.horizontal(|ui| {
        let label = ui.label(st.severity);
        let text = filter.severity.map_or(st.any, |s| lang.severity(s));
        egui::ComboBox::from_id_salt("office-alerts-severity")
            .selected_text(text)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.severity, None, st.any);
                for severity in [Severity::Critical, Severity::High, Severity::Medium] {
                    ui.selectable_value(
                        &mut filter.severity,
                        Some(severity),
                        lang.severity(severity),
                    );
                }
            })
            .response
            .labelled_by(label.id);
        ui.add_space(12.0);
        let label = ui.label(st.store);
        let text = match filter.store {
            None => st.any.to_owned(),
            Some(store) => store_text(screen, store),
        };
        egui::ComboBox::from_id_salt("office-alerts-store")
            .selected_text(text)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.store, None, st.any);
                ui.selectable_value(&mut filter.store, Some(None), st.site_wide);
                for (store_id, name) in &stores {
                    ui.selectable_value(&mut filter.store, Some(Some(*store_id)), name);
                }
            })
            .response
            .labelled_by(label.id);
        ui.add_space(12.0);
        let label = ui.label(st.status);
        let text = filter.status.map_or(st.any, |s| lang.alert_status(s));
        egui::ComboBox::from_id_salt("office-alerts-status")
            .selected_text(text)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.status, None, st.any);
                for status in AlertStatus::ALL {
                    ui.selectable_value(
                        &mut filter.status,
                        Some(status),
                        lang.alert_status(status),
                    );
                }
            })
            .response
            .labelled_by(label.id);
    });
    screen.model.alerts.filter = filter;
}

fn what(lang: Lang, kind: AlertKind, sku: &str, lot: Option<&str>) -> String {
    match lot {
        Some(lot) => format!("{} · {sku} ({lot})", lang.alert_kind(kind)),
        None => format!("{} · {sku}", lang.alert_kind(kind)),
    }
}

fn history_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let lang = screen.lang;
    let st = lang.stock_tr();
    let entries: Vec<_> = alert_history(&screen.model.site, &screen.model.alerts.filter)
        .into_iter()
        .cloned()
        .collect();
    if entries.is_empty() {
        ui.label(RichText::new(st.no_alerts).weak());
        return;
    }
    let may_ack = may_acknowledge(screen.model.role);
    egui::Grid::new("office-alerts")
        .striped(true)
        .num_columns(6)
        .spacing([20.0, 6.0])
        .show(ui, |ui| {
            for heading in [
                st.raised,
                st.kind,
                st.severity,
                st.store,
                st.level,
                st.status,
            ] {
                ui.label(RichText::new(heading).strong());
            }
            ui.end_row();
            for entry in entries {
                let alert = &entry.alert;
                ui.label(screen.zone.format(alert.raised_at, "%d/%m %H:%M"));
                let mut line = what(lang, alert.alert_kind, &alert.sku, alert.lot.as_deref());
                if let Some(quantity) = entry.quantity {
                    line.push_str(&format!(" = {quantity}"));
                }
                ui.label(RichText::new(line).strong());
                ui.label(
                    RichText::new(lang.severity(alert.severity))
                        .color(severity_colour(alert.severity))
                        .strong(),
                );
                ui.label(store_text(screen, alert.store_id));
                ui.label(alert.level.to_string());
                let status = AlertStatus::of(&entry);
                ui.horizontal(|ui| {
                    let colour = match status {
                        AlertStatus::Open => RED,
                        AlertStatus::Acknowledged => AMBER,
                        AlertStatus::Resolved => GREEN,
                    };
                    ui.label(RichText::new(lang.alert_status(status)).color(colour));
                    if let Some(ack) = &alert.acknowledged {
                        let who = screen.model.device_label(ack.by);
                        let at = screen.zone.format(ack.at, "%H:%M");
                        ui.label(
                            RichText::new(lang.acknowledged_by(&who, &at, &ack.comment)).weak(),
                        );
                    }
                    if status == AlertStatus::Open
                        && may_ack
                        && ui.button(format!("{}…", st.acknowledge)).clicked()
                    {
                        screen.model.open_ack(alert.alert_id);
                    }
                });
                ui.end_row();
            }
        });
}

fn ack_dialog_ui(ctx: &egui::Context, screen: &mut Screen<'_>) {
    let dialog = Id::unique("office-ack-alert");
    let open = screen.model.alerts.ack.is_some();
    let change = dialog_change(ctx, dialog.with("open"), open);
    if !open {
        return;
    }
    let st = screen.lang.stock_tr();
    let mut send = false;
    let mut cancel = false;
    egui::Modal::new(dialog).show(ctx, |ui| {
        ui.set_width(480.0);
        let Some(ack) = screen.model.alerts.ack.as_mut() else {
            return;
        };
        ui.heading(RichText::new(format!("{} · {}", st.ack_title, ack.sku)).strong());
        let label = ui.label(st.comment);
        let field = ui
            .add(
                TextEdit::singleline(&mut ack.comment)
                    .id(Id::unique("office-ack-comment"))
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        send |= field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ack.too_long {
            ui.colored_label(RED, st.comment_too_long);
        }
        ui.horizontal(|ui| {
            send |= ui.button(RichText::new(st.acknowledge).strong()).clicked();
            cancel |= ui.button(st.cancel).clicked();
        });
        focus_dialog_field(ui, &field, change == super::DialogChange::Opened);
    });
    if cancel {
        screen.model.alerts.ack = None;
    } else if send && let Some((command, operation)) = screen.model.confirm_ack() {
        screen.intents.push(Intent::Submit(command, operation));
    }
}
