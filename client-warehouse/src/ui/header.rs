//! The panels above the list: status bar, offline banner, hints and store chips.

use chrono::{DateTime, Utc};
use egui::{Align, Layout, RichText, Sense, Vec2};
use packbell_shared::zone::Zone;

use super::style::{Palette, bold};
use super::{Intent, UiState};
use crate::i18n::Language;
use crate::model::{Connection, Hint, Model, StoreCount};

use crate::model::stock_count::CountDraft;

pub(super) fn status_bar_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    lang: Language,
    colours: &Palette,
    now: DateTime<Utc>,
    intents: &mut Vec<Intent>,
    state: &mut UiState,
) {
    let text = lang.strings();
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        let (label, colour) = match model.connection() {
            Connection::Connected { site } => (lang.connected(site), colours.green),
            Connection::Connecting => (text.connecting.to_owned(), ui.visuals().weak_text_color()),
            Connection::NeedsPairing { .. } => (text.needs_pairing.to_owned(), colours.amber),
            Connection::Offline { since, .. } => (
                lang.offline_since(&clock_time(state.zone, *since)),
                colours.red,
            ),
            Connection::Refused { reason } => (lang.refused(reason), colours.red),
        };
        let (dot, _) = ui.allocate_exact_size(Vec2::splat(18.0), Sense::hover());
        ui.painter().circle_filled(dot.center(), 8.0, colour);
        ui.label(RichText::new(label).font(bold(20.0)).color(colour));
        ui.separator();
        let shown = model.visible().len();
        let day_start = state.zone.day_start(now);
        let packed_today: usize = store_counts(model, state, day_start)
            .iter()
            .filter(|c| {
                model.settings.store_filter.is_empty()
                    || model.settings.store_filter.contains(&c.store_id)
            })
            .map(|c| c.packed_today)
            .sum();
        ui.label(RichText::new(lang.summary_line(shown, packed_today)).size(20.0));

        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if ui.button(text.settings).clicked() {
                state.settings_open = !state.settings_open;
            }
            if ui.button(lang.connection().open).clicked() {
                state.connection_open = !state.connection_open;
            }
            // Only a site that tracks stock has something to count.
            if model.has_stock_items() && ui.button(lang.count_stock()).clicked() {
                state.count = Some(CountDraft::default());
            }
            if let Some(last) = model.undo_target(now)
                && ui
                    .button(RichText::new(lang.undo_packed(&last.order_number)).size(20.0))
                    .clicked()
            {
                intents.push(Intent::Undo);
            }
            let ringing = model.ringing_rush().len();
            if ringing > 0 {
                let button = egui::Button::new(
                    RichText::new(lang.silence_rush(ringing))
                        .size(20.0)
                        .color(colours.on_colour),
                )
                .fill(colours.red);
                if ui.add(button).clicked() {
                    intents.push(Intent::AcknowledgeAll);
                }
            }
        });
    });
    ui.add_space(4.0);
}

/// Hours and minutes of `at` on the wall clock of `zone`.
fn clock_time(zone: Zone, at: DateTime<Utc>) -> String {
    zone.format(at, "%H:%M")
}

pub(super) fn banner_ui(
    ui: &mut egui::Ui,
    model: &Model,
    lang: Language,
    colours: &Palette,
    zone: Zone,
) {
    let text = lang.strings();
    let message = match model.connection() {
        Connection::Offline { since, attempt, .. } => Some(format!(
            "{} — {}. {}",
            lang.offline_since(&clock_time(zone, *since)),
            lang.reconnecting_attempt(*attempt),
            text.list_stale
        )),
        Connection::Refused { reason } => {
            Some(format!("{} {}", lang.refused(reason), text.list_stale))
        }
        _ if model.is_stale() && model.pending_total() > 0 => Some(text.list_stale.to_owned()),
        _ => None,
    };
    if let Some(message) = message {
        egui::Panel::top("banner")
            .frame(
                egui::Frame::NONE
                    .fill(colours.offline)
                    .inner_margin(egui::Margin::symmetric(12, 10)),
            )
            .show(ui, |ui| {
                ui.label(
                    RichText::new(message)
                        .font(bold(22.0))
                        .color(colours.on_colour),
                );
            });
    }
}

pub(super) fn hints_ui(
    ui: &mut egui::Ui,
    model: &Model,
    lang: Language,
    colours: &Palette,
    intents: &mut Vec<Intent>,
) {
    let text = lang.strings();
    if model.hints().is_empty() {
        return;
    }
    egui::Panel::top("hints")
        .frame(
            egui::Frame::NONE
                .fill(colours.hint)
                .inner_margin(egui::Margin::symmetric(12, 6)),
        )
        .show(ui, |ui| {
            for (index, hint) in model.hints().iter().enumerate() {
                // Device failures get friendly words; the raw cause is the hover detail.
                let message = plain_hint(hint, lang);
                let detail = match hint {
                    Hint::NoSound(err) | Hint::NoNotifications(err) => Some(err),
                    _ => None,
                };
                ui.horizontal(|ui| {
                    if ui.button(text.dismiss).clicked() {
                        intents.push(Intent::DismissHint(index));
                    }
                    // Error texts can be long; wrap them rather than run off the window.
                    let label = ui.add(
                        egui::Label::new(RichText::new(message).color(colours.hint_text)).wrap(),
                    );
                    if let Some(detail) = detail {
                        label.on_hover_text(detail.as_str());
                    }
                });
            }
        });
}

/// The words of a hint, in the window's language (never a raw error).
fn plain_hint(hint: &Hint, lang: Language) -> String {
    let text = lang.strings();
    match hint {
        Hint::Rejected {
            order_number,
            message,
        } => lang.rejected(order_number, message),
        Hint::NotSent { busy: true } => text.not_sent_busy.to_owned(),
        Hint::NotSent { busy: false } => text.not_sent_stopped.to_owned(),
        Hint::Notice(message) => message.clone(),
        Hint::NoSound(_) => lang.hint_no_sound().to_owned(),
        Hint::NoNotifications(_) => lang.hint_no_notifications().to_owned(),
    }
}

fn store_counts<'a>(
    model: &Model,
    state: &'a mut UiState,
    day_start: DateTime<Utc>,
) -> &'a [StoreCount] {
    let fresh = state.counts.as_ref().is_some_and(|(generation, start, _)| {
        *generation == model.generation() && *start == day_start
    });
    if !fresh {
        state.counts = Some((model.generation(), day_start, model.store_counts(day_start)));
    }
    state
        .counts
        .as_ref()
        .map_or(&[], |(_, _, counts)| counts.as_slice())
}

pub(super) fn stores_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    state: &mut UiState,
    lang: Language,
    now: DateTime<Utc>,
    intents: &mut Vec<Intent>,
) {
    let text = lang.strings();
    let day_start = state.zone.day_start(now);
    let total = model.pending_total();
    let filter = model.settings.store_filter.clone();
    let counts = store_counts(model, state, day_start).to_vec();
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        let all = ui.selectable_label(
            filter.is_empty(),
            RichText::new(lang.store_chip(text.all_stores, total)).size(20.0),
        );
        if all.clicked() {
            intents.push(Intent::AllStores);
        }
        for count in counts {
            let name = if count.name.is_empty() {
                lang.unknown_store(count.store_id)
            } else {
                count.name.clone()
            };
            let mut label = RichText::new(lang.store_chip(&name, count.pending)).size(20.0);
            label = if count.pending > 0 {
                label.strong()
            } else {
                label.weak()
            };
            let chip = ui
                .selectable_label(filter.contains(&count.store_id), label)
                .on_hover_text(lang.store_chip_hover(count.pending, count.packed_today));
            if chip.clicked() {
                intents.push(Intent::ToggleStore(count.store_id));
            }
        }
    });
    ui.add_space(4.0);
}
