//! Stock: every item with its lots and quantities; for admins the item editor and
//! the adjustment form (the server checks the role again).

use egui::{Id, RichText, TextEdit};
use packbell_shared::protocol::{StockItem, StoreId};

use super::{AMBER, Intent, RED, Screen};
use crate::model::{ImportOutcome, may_edit_stock};

/// Import problems listed at most; the count above says how many there were.
const MAX_SHOWN_PROBLEMS: usize = 12;

fn import_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let lang = screen.lang;
    let st = lang.stock_tr();
    let folder = screen.model.exports.folder.clone();
    ui.horizontal(|ui| {
        let label = ui.label(st.import_file);
        let hint = lang.import_hint(
            &folder
                .as_deref()
                .map_or_else(String::new, |f| f.display().to_string()),
        );
        let response = ui
            .add(
                TextEdit::singleline(&mut screen.model.stock.import_path)
                    .id(Id::unique("office-stock-import"))
                    .hint_text(hint)
                    .desired_width(520.0),
            )
            .labelled_by(label.id);
        let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button(st.import).clicked() || enter)
            && let Some(path) = screen.model.import_file(folder.as_deref())
        {
            screen.intents.push(Intent::ImportStock(path));
        }
    });
    match &screen.model.stock.import {
        None => {}
        Some(ImportOutcome::Sent(items)) => {
            ui.label(RichText::new(lang.import_sent(*items)).color(super::GREEN));
        }
        Some(ImportOutcome::Unreadable(error)) => {
            ui.colored_label(RED, format!("{} {error}", st.import_unreadable));
        }
        Some(ImportOutcome::Refused(problems)) => {
            ui.colored_label(
                RED,
                RichText::new(lang.import_refused(problems.len())).strong(),
            );
            for problem in problems.iter().take(MAX_SHOWN_PROBLEMS) {
                ui.colored_label(RED, lang.import_line(problem.line, &problem.message));
            }
        }
    }
}

pub fn stock_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let st = screen.lang.stock_tr();
    let admin = may_edit_stock(screen.model.role);
    ui.horizontal(|ui| {
        if admin {
            if ui.button(st.new_item).clicked() {
                screen.model.open_item_editor(None);
            }
        } else {
            ui.label(RichText::new(st.read_only).weak());
        }
    });
    if admin {
        import_ui(ui, screen);
    }
    if screen.model.stock.editor.is_some() {
        editor_ui(ui, screen);
    }
    if screen.model.stock.adjust.is_some() {
        adjust_ui(ui, screen);
    }
    ui.add_space(6.0);
    egui::ScrollArea::vertical()
        .id_salt("office-stock-items")
        .auto_shrink([false, false])
        .show(ui, |ui| items_ui(ui, screen, admin));
}

fn lots_text(item: &StockItem, expires: &str) -> String {
    item.lots
        .iter()
        .map(|lot| {
            format!(
                "{} {} ({expires} {})",
                lot.lot,
                lot.quantity,
                lot.expiry.format("%Y-%m-%d")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn items_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>, admin: bool) {
    let st = screen.lang.stock_tr();
    let items: Vec<StockItem> = screen.model.stock_items().into_iter().cloned().collect();
    if items.is_empty() {
        ui.label(RichText::new(st.no_items).weak());
        return;
    }
    let columns = if admin { 9 } else { 8 };
    egui::Grid::new("office-stock")
        .striped(true)
        .num_columns(columns)
        .spacing([18.0, 6.0])
        .show(ui, |ui| {
            for heading in [
                st.sku,
                st.name,
                st.store,
                st.quantity,
                st.unit,
                st.min,
                st.max,
                st.lots,
            ] {
                ui.label(RichText::new(heading).strong());
            }
            if admin {
                ui.label("");
            }
            ui.end_row();
            for item in items {
                ui.label(RichText::new(&item.sku).monospace());
                ui.label(&item.name);
                ui.label(match item.store_id {
                    None => st.site_wide.to_owned(),
                    Some(store_id) => screen.model.store_name(store_id),
                });
                let quantity = item.quantity.to_string();
                ui.label(if item.quantity <= item.min {
                    RichText::new(format!("{quantity} ({})", st.low))
                        .strong()
                        .color(RED)
                } else if item.quantity > item.max {
                    RichText::new(format!("{quantity} ({})", st.over))
                        .strong()
                        .color(AMBER)
                } else {
                    RichText::new(quantity).strong()
                });
                ui.label(&item.unit);
                ui.label(item.min.to_string());
                ui.label(item.max.to_string());
                ui.label(lots_text(&item, st.expiry));
                if admin {
                    ui.horizontal(|ui| {
                        if ui.button(st.edit).on_hover_text(&item.sku).clicked() {
                            screen.model.open_item_editor(Some(&item.sku));
                        }
                        if ui.button(st.adjust).on_hover_text(&item.sku).clicked() {
                            screen.model.open_adjust(&item.sku);
                        }
                    });
                }
                ui.end_row();
            }
        });
}

/// A label and its text field in a grid row.
fn field(ui: &mut egui::Ui, label: &str, value: &mut String, width: f32, enabled: bool) {
    let label = ui.label(label);
    ui.add_enabled(enabled, TextEdit::singleline(value).desired_width(width))
        .labelled_by(label.id);
    ui.end_row();
}

fn editor_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let lang = screen.lang;
    let st = lang.stock_tr();
    let stores: Vec<(StoreId, String)> = screen
        .model
        .site
        .stores
        .values()
        .filter(|s| s.active)
        .map(|s| (s.store_id, s.name.clone()))
        .collect();
    let mut save = false;
    let mut cancel = false;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        let Some(editor) = screen.model.stock.editor.as_mut() else {
            return;
        };
        ui.label(
            RichText::new(if editor.existing {
                st.edit
            } else {
                st.new_item
            })
            .strong(),
        );
        egui::Grid::new("office-item-editor")
            .num_columns(2)
            .spacing([16.0, 6.0])
            .show(ui, |ui| {
                let existing = editor.existing;
                field(ui, st.sku, &mut editor.sku, 180.0, !existing);
                field(ui, st.name, &mut editor.name, 320.0, true);
                let label = ui.label(st.store);
                let selected = match editor.store {
                    None => st.site_wide.to_owned(),
                    Some(id) => stores
                        .iter()
                        .find(|(store_id, _)| *store_id == id)
                        .map_or_else(|| format!("#{id}"), |(_, name)| name.clone()),
                };
                egui::ComboBox::from_id_salt("office-item-store")
                    .selected_text(selected)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut editor.store, None, st.site_wide);
                        for (store_id, name) in &stores {
                            ui.selectable_value(&mut editor.store, Some(*store_id), name);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.end_row();
                field(ui, st.unit, &mut editor.unit, 100.0, true);
                field(ui, st.min, &mut editor.min, 100.0, true);
                field(ui, st.max, &mut editor.max, 100.0, true);
                field(ui, st.pack_size, &mut editor.pack_size, 100.0, true);
                field(ui, st.lead_days, &mut editor.lead_days, 100.0, true);
                if !existing {
                    field(ui, st.start_quantity, &mut editor.quantity, 100.0, true);
                }
            });
        if let Some(problem) = editor.problem {
            ui.colored_label(RED, lang.stock_problem(problem));
        }
        ui.horizontal(|ui| {
            save = ui.button(RichText::new(st.save).strong()).clicked();
            cancel = ui.button(st.cancel).clicked();
        });
    });
    if cancel {
        screen.model.stock.editor = None;
    } else if save && let Some((command, operation)) = screen.model.save_item() {
        screen.intents.push(Intent::Submit(command, operation));
    }
}

fn adjust_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let lang = screen.lang;
    let st = lang.stock_tr();
    let Some(sku) = screen.model.stock.adjust.as_ref().map(|f| f.sku.clone()) else {
        return;
    };
    let lots: Vec<String> = screen
        .model
        .site
        .items
        .get(&sku)
        .map(|item| item.lots.iter().map(|l| l.lot.clone()).collect())
        .unwrap_or_default();
    let mut send = false;
    let mut cancel = false;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        let Some(form) = screen.model.stock.adjust.as_mut() else {
            return;
        };
        ui.label(RichText::new(format!("{} · {sku}", st.adjust)).strong());
        egui::Grid::new("office-adjust")
            .num_columns(2)
            .spacing([16.0, 6.0])
            .show(ui, |ui| {
                if !lots.is_empty() {
                    let label = ui.label(st.lot);
                    egui::ComboBox::from_id_salt("office-adjust-lot")
                        .selected_text(form.lot.clone().unwrap_or_else(|| st.whole_item.into()))
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut form.lot, None, st.whole_item);
                            for lot in &lots {
                                ui.selectable_value(&mut form.lot, Some(lot.clone()), lot);
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();
                }
                let label = ui.label(st.delta);
                ui.add(
                    TextEdit::singleline(&mut form.delta)
                        .id(Id::unique("office-adjust-delta"))
                        .hint_text(st.delta_hint)
                        .desired_width(240.0),
                )
                .labelled_by(label.id);
                ui.end_row();
                field(ui, st.reason, &mut form.reason, 320.0, true);
            });
        if let Some(problem) = form.problem {
            ui.colored_label(RED, lang.stock_problem(problem));
        }
        ui.horizontal(|ui| {
            send = ui.button(RichText::new(st.save).strong()).clicked();
            cancel = ui.button(st.cancel).clicked();
        });
    });
    if cancel {
        screen.model.stock.adjust = None;
    } else if send && let Some((command, operation)) = screen.model.confirm_adjust() {
        screen.intents.push(Intent::Submit(command, operation));
    }
}
