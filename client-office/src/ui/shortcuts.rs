//! Window-wide keys: the way back to the order number (Ctrl+N, F2, Esc, or just
//! typing when nothing has the cursor) and the text size (Ctrl +, Ctrl −, Ctrl 0).

use egui::{Event, Key, Modifiers};

use super::{Intent, Screen, View, number_id};
use crate::settings::step_text_scale;

pub fn window_keys(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    text_size_keys(ui, screen);
    // A dialog keeps the keyboard (Esc closes it).
    if ui.memory(|m| m.top_modal_layer().is_some()) || screen.model.pairing.open() {
        return;
    }
    let command = |key| ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, key));
    // Esc anywhere on the Orders screen (a drop-down, the store suggestions, the list)
    // starts over at the order number.
    let back_to_number = command(Key::N)
        || ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::F2))
        || (screen.view == View::Orders && ui.input(|i| i.key_pressed(Key::Escape)));
    // After a filter drop-down or a click on the list nothing has the cursor: what is
    // typed next is an order number, not lost.
    let typed_into_nothing = screen.view == View::Orders
        && ui.memory(|m| m.focused().is_none())
        && ui.input(|i| i.events.iter().any(|e| matches!(e, Event::Text(_))));
    if back_to_number || typed_into_nothing {
        screen.view = View::Orders;
        ui.memory_mut(|m| m.request_focus(number_id()));
    }
}

fn text_size_keys(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let command = |key| ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, key));
    let scale = if command(Key::Num0) {
        Some(1.0)
    } else if command(Key::Plus) || command(Key::Equals) {
        Some(step_text_scale(screen.text_scale, 1))
    } else if command(Key::Minus) {
        Some(step_text_scale(screen.text_scale, -1))
    } else {
        None
    };
    if let Some(scale) = scale {
        screen.intents.push(Intent::SetTextScale(scale));
    }
}
