//! The receipts column of the orders table and the no-warehouse alarm banner.

use egui::{Color32, RichText};

use super::{AMBER, GREEN, RED, Screen};
use crate::model::{OrderRow, ReceiptSummary, RowStatus};

/// The "Warehouse" cell of one row: what the warehouse PCs said about the order.
pub fn receipt_cell_ui(ui: &mut egui::Ui, screen: &Screen<'_>, row: &OrderRow) {
    let order_id = match (row.order_id, row.status) {
        (Some(order_id), RowStatus::Pending | RowStatus::Packed) => order_id,
        _ => {
            ui.label("");
            return;
        }
    };
    let summary = screen.model.receipt_summary(order_id);
    let colour = match (&summary, row.status) {
        (_, RowStatus::Packed) => Color32::GRAY,
        (ReceiptSummary::Rang { .. }, _) => GREEN,
        (ReceiptSummary::NoWarehouse, _) => RED,
        (ReceiptSummary::NotRung { .. } | ReceiptSummary::Delivered { .. }, _) => AMBER,
        (ReceiptSummary::Waiting, _) => Color32::GRAY,
    };
    ui.label(RichText::new(screen.lang.receipt_summary(&summary)).color(colour));
}

/// A red banner across the window while a pending order has not rung on any
/// warehouse PC for longer than the setting allows; "Silence" stops its sound.
pub fn alarm_banner_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let alarms = screen.model.receipt_alarms(screen.now);
    // Draw again when the next order's alarm is due, though no event may arrive.
    let alarm_after = screen.model.receipts.alarm_after;
    let next_due = screen
        .model
        .site
        .pending_orders()
        .filter(|order| {
            !matches!(
                screen.model.receipt_summary(order.order_id),
                ReceiptSummary::Rang { .. }
            )
        })
        .map(|order| order.created_at + alarm_after - screen.now)
        .filter(|left| *left > chrono::Duration::zero())
        .min();
    if let Some(left) = next_due.and_then(|left| left.to_std().ok()) {
        ui.ctx().request_repaint_after(left);
    }
    if alarms.is_empty() {
        return;
    }
    let lang = screen.lang;
    let numbers: Vec<String> = alarms.iter().map(|(_, number)| number.clone()).collect();
    let silenced = alarms
        .iter()
        .all(|(id, _)| screen.model.receipts.is_silenced(*id));
    let online = screen.model.receipts.online();
    egui::Panel::top("office-receipt-alarm")
        .frame(egui::Frame::new().fill(RED).inner_margin(10.0))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(format!("🔔 {}", lang.alarm_headline(&numbers)))
                        .heading()
                        .strong()
                        .color(Color32::WHITE),
                );
                if !silenced && ui.button(lang.silence_alarm()).clicked() {
                    screen.model.silence_alarms(screen.now);
                }
            });
            ui.label(RichText::new(lang.alarm_hint(online)).color(Color32::WHITE));
        });
}
