//! The "Count stock" dialog: search an item, type what the shelf holds, Enter sends
//! `count_stock`. The draft and its checks live in `model::stock_count`.

use egui::{Key, Modifiers, RichText};

use super::{Intent, UiState};
use crate::i18n::Language;
use crate::model::Model;

pub(super) fn count_ui(
    ctx: &egui::Context,
    model: &Model,
    state: &mut UiState,
    lang: Language,
    intents: &mut Vec<Intent>,
) {
    let Some(draft) = state.count.as_mut() else {
        return;
    };
    let mut open = true;
    let mut close = false;
    egui::Window::new(lang.count_stock())
        .collapsible(false)
        .resizable(false)
        .open(&mut open)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            let search = ui.label(lang.count_search_hint());
            ui.add(egui::TextEdit::singleline(&mut draft.query).desired_width(360.0))
                .labelled_by(search.id);
            let found = model.search_items(&draft.query);
            if found.is_empty() {
                ui.label(RichText::new(lang.count_no_items()).weak());
            }
            for item in found {
                let line = lang.count_item_line(&item.sku, &item.name, item.quantity, &item.unit);
                let picked = draft.sku.as_deref() == Some(item.sku.as_str());
                if ui.selectable_label(picked, line).clicked() {
                    draft.pick(&item.sku);
                }
            }
            ui.separator();
            let counted = ui.horizontal(|ui| {
                let label = ui.label(lang.count_counted());
                ui.add(egui::TextEdit::singleline(&mut draft.counted).desired_width(120.0))
                    .labelled_by(label.id)
            });
            let entered = counted.inner.lost_focus()
                && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter));
            let checked = draft.command();
            if let Err(problem) = checked
                && !draft.counted.is_empty()
            {
                ui.label(lang.count_problem(problem));
            }
            ui.horizontal(|ui| {
                let send = ui.add_enabled(checked.is_ok(), egui::Button::new(lang.count_send()));
                if let Ok(command) = checked
                    && (send.clicked() || entered)
                {
                    intents.push(Intent::SendCount(command));
                    close = true;
                }
                if ui.button(lang.count_cancel()).clicked() {
                    close = true;
                }
            });
        });
    if close || !open {
        state.count = None;
    }
}
