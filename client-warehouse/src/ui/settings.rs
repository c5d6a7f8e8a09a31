//! The settings window: language, theme, station, sounds, volume and age thresholds.

use std::collections::BTreeSet;

use egui::{RichText, WidgetInfo};
use packbell_shared::protocol::{Ageing, StoreId};

use super::{Intent, UiState};
use crate::i18n::{Language, Strings};
use crate::settings::{
    MAX_AGE_MINUTES, MAX_RUSH_REPEAT_SECS, MIN_RUSH_REPEAT_SECS, Settings, SoundId, Theme,
};

/// The settings window's full height; on a smaller screen it takes the screen's
/// height and scrolls.
const SETTINGS_TALL: f32 = 760.0;

pub(super) fn settings_ui(
    ctx: &egui::Context,
    settings: &mut Settings,
    site_ageing: Option<Ageing>,
    stores: &[(StoreId, String)],
    state: &mut UiState,
    text: &Strings,
    intents: &mut Vec<Intent>,
) {
    let mut open = true;
    egui::Window::new(text.settings)
        .id(egui::Id::unique("packbell-settings"))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        // On a 768-pixel screen the rows do not all fit: scroll rather than cut.
        .vscroll(true)
        .min_height((ctx.content_rect().height() - 80.0).min(SETTINGS_TALL))
        .anchor(egui::Align2::RIGHT_TOP, [-12.0, 56.0])
        .show(ctx, |ui| {
            egui::Grid::new("settings-grid")
                .num_columns(2)
                .spacing([16.0, 10.0])
                .show(ui, |ui| {
                    let label = ui.label(text.language);
                    let current = settings
                        .language
                        .map_or(text.language_system, Language::native_name);
                    egui::ComboBox::from_id_salt("language")
                        .selected_text(current)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut settings.language, None, text.language_system);
                            for language in Language::ALL {
                                ui.selectable_value(
                                    &mut settings.language,
                                    Some(language),
                                    language.native_name(),
                                );
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();

                    ui.label(text.theme);
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut settings.theme, Theme::Light, text.theme_light);
                        ui.radio_value(&mut settings.theme, Theme::Dark, text.theme_dark);
                    });
                    ui.end_row();

                    ui.label(text.station);
                    station_ui(ui, &mut settings.station, stores, text);
                    ui.end_row();

                    for (label_text, which, salt) in [
                        (
                            text.normal_sound,
                            &mut settings.normal_sound,
                            "normal-sound",
                        ),
                        (text.rush_sound, &mut settings.rush_sound, "rush-sound"),
                    ] {
                        let label = ui.label(label_text);
                        ui.horizontal(|ui| {
                            egui::ComboBox::from_id_salt(salt)
                                .selected_text(sound_name(text, *which))
                                .show_ui(ui, |ui| {
                                    for sound in SoundId::ALL {
                                        ui.selectable_value(which, sound, sound_name(text, sound));
                                    }
                                })
                                .response
                                .labelled_by(label.id);
                            let test = ui.button(text.test_sound);
                            test.widget_info(|| {
                                WidgetInfo::labeled(
                                    egui::Role::Button,
                                    true,
                                    format!("{} {label_text}", text.test_sound),
                                )
                            });
                            if test.clicked() {
                                intents.push(Intent::TestSound(*which));
                            }
                        });
                        ui.end_row();
                    }

                    let label = ui.label(text.volume);
                    ui.add(
                        egui::Slider::new(&mut settings.volume, 0.0..=1.0)
                            .custom_formatter(|value, _| format!("{:.0} %", value * 100.0)),
                    )
                    .labelled_by(label.id);
                    ui.end_row();

                    ui.label("");
                    ui.checkbox(&mut settings.muted, text.mute);
                    ui.end_row();

                    if let Some(site) = site_ageing {
                        // An admin set them for every PC: shown, not edited here.
                        ui.label(text.amber_after);
                        ui.label(site.amber_minutes.to_string());
                        ui.end_row();
                        ui.label(text.red_after);
                        ui.label(site.red_minutes.to_string());
                        ui.end_row();
                        ui.label("");
                        ui.label(RichText::new(text.ageing_set_by_site).weak());
                        ui.end_row();
                    } else {
                        let label = ui.label(text.amber_after);
                        ui.add(
                            egui::DragValue::new(&mut settings.amber_after_min)
                                .range(1..=MAX_AGE_MINUTES),
                        )
                        .labelled_by(label.id);
                        ui.end_row();

                        let label = ui.label(text.red_after);
                        ui.add(
                            egui::DragValue::new(&mut settings.red_after_min)
                                .range(1..=MAX_AGE_MINUTES),
                        )
                        .labelled_by(label.id);
                        ui.end_row();
                    }

                    let label = ui.label(text.rush_repeat);
                    ui.add(
                        egui::DragValue::new(&mut settings.rush_repeat_secs)
                            .range(MIN_RUSH_REPEAT_SECS..=MAX_RUSH_REPEAT_SECS),
                    )
                    .labelled_by(label.id);
                    ui.end_row();

                    super::views::settings_rows_ui(ui, settings, site_ageing);
                });
            ui.add_space(8.0);
            if ui.button(text.close).clicked() {
                state.settings_open = false;
            }
        });
    if !open {
        state.settings_open = false;
    }
    settings.clamp();
}

/// "All stores" or a checkbox per store. Ticking every store, or none, means all.
fn station_ui(
    ui: &mut egui::Ui,
    station: &mut BTreeSet<StoreId>,
    stores: &[(StoreId, String)],
    text: &Strings,
) {
    ui.vertical(|ui| {
        let mut all = station.is_empty();
        if ui.checkbox(&mut all, text.station_all).changed() && all {
            station.clear();
        }
        for (store_id, name) in stores {
            let mut ringing = station.is_empty() || station.contains(store_id);
            if ui.checkbox(&mut ringing, name).changed() {
                if station.is_empty() {
                    // Leaving "all": start from every store but this one.
                    station.extend(stores.iter().map(|(id, _)| *id));
                }
                if ringing {
                    station.insert(*store_id);
                } else {
                    station.remove(store_id);
                }
                if station.len() == stores.len() {
                    station.clear();
                }
            }
        }
    });
}

fn sound_name(text: &Strings, sound: SoundId) -> &'static str {
    match sound {
        SoundId::Chime => text.sound_chime,
        SoundId::Bell => text.sound_bell,
        SoundId::Urgent => text.sound_urgent,
        SoundId::Cancelled => text.cancelled_banner,
        SoundId::StockCritical => text.sound_stock_critical,
    }
}
