//! Trouble drawn loud: the banner across the top while the link is down, and the one
//! message line under it. The words come from the model and i18n; this only draws.

use egui::{Color32, CornerRadius, Frame, Id, Margin, RichText};

use super::{AMBER, GREEN, RED, Screen};
use crate::i18n::Tr;
use crate::model::{Feedback, Trouble};

/// The banner's headline, readable from a step back.
const HEADLINE_SIZE: f32 = 22.0;
/// Its "what to check" line.
const CHECK_SIZE: f32 = 16.0;
/// The message line's text.
const MESSAGE_SIZE: f32 = 16.0;
/// Dark red behind white text: readable in both themes.
const BANNER_FILL: Color32 = Color32::from_rgb(0xa8, 0x1e, 0x1e);

/// The banner across the top of the window, while something is wrong with the link.
pub fn banner_ui(ui: &mut egui::Ui, screen: &Screen<'_>) {
    let Some(trouble) = screen.model.trouble() else {
        return;
    };
    let text = screen.lang.trouble(screen.zone, &trouble);
    let detail = match &trouble {
        Trouble::Offline { detail, .. } | Trouble::Refused { detail } => detail.as_str(),
    };
    Frame::new()
        .fill(BANNER_FILL)
        .inner_margin(Margin::symmetric(16, 10))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new(&text.headline)
                    .size(HEADLINE_SIZE)
                    .strong()
                    .color(Color32::WHITE),
            );
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(text.check)
                        .size(CHECK_SIZE)
                        .color(Color32::WHITE),
                );
                details_toggle(
                    ui,
                    screen.t,
                    Id::unique("office-banner-details"),
                    detail,
                    true,
                );
            });
        });
}

/// One line for the latest message, always the same height so that nothing below
/// it moves; successes fade, errors stay until dismissed or replaced.
pub fn message_line_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let line_height = ui
        .text_style_height(&egui::TextStyle::Body)
        .max(MESSAGE_SIZE)
        + 8.0;
    let Some(feedback) = screen.model.message(screen.now).cloned() else {
        ui.add_space(line_height);
        return;
    };
    let colour = match &feedback {
        Feedback::Confirmed { .. } | Feedback::OperationDone(_) => GREEN,
        Feedback::Queued { .. } => AMBER,
        _ => RED,
    };
    let mut dismissed = false;
    ui.horizontal(|ui| {
        ui.set_min_height(line_height);
        ui.label(
            RichText::new(screen.lang.feedback(&feedback))
                .size(MESSAGE_SIZE)
                .color(colour)
                .strong(),
        );
        if let Some(detail) = feedback.detail() {
            details_toggle(
                ui,
                screen.t,
                Id::unique("office-message-details"),
                detail,
                false,
            );
        }
        if feedback.is_error() {
            dismissed = ui.small_button(screen.t.dismiss).clicked();
        }
    });
    if dismissed {
        screen.model.dismiss_message();
    }
}

/// A "Details" toggle that shows the technical cause in small text beside it.
pub(crate) fn details_toggle(ui: &mut egui::Ui, t: &Tr, id: Id, detail: &str, on_dark: bool) {
    let open_id = id.with(detail);
    let mut open = ui.data(|d| d.get_temp::<bool>(open_id).unwrap_or(false));
    let label = if open { t.hide_details } else { t.details };
    let button = egui::Button::new(RichText::new(label).small())
        .corner_radius(CornerRadius::same(3))
        .small();
    if ui.add(button).clicked() {
        open = !open;
        ui.data_mut(|d| d.insert_temp(open_id, open));
    }
    if open {
        let text = RichText::new(detail).small().monospace();
        ui.label(if on_dark {
            text.color(Color32::from_gray(235))
        } else {
            text.weak()
        });
    }
}
