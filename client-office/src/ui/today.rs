//! Admin → Today: big figures, orders entered and packed per hour, the wait per
//! store (median and p90) today against the reference days, and the oldest order
//! still waiting. Read from the live site state every frame, so it moves with events.

use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Legend, Plot};
use packbell_shared::link::LinkStatus;

use super::{AMBER, BLUE, GREEN, RED, Screen};
use crate::i18n::duration;
use crate::model::{Reference, TodayFigures, today_figures};

/// Height of each chart, in points: half of what is left under the figures, within
/// these bounds (both charts fit a 1366×768 screen; a tall one gets no giant bars).
const MIN_CHART_HEIGHT: f32 = 150.0;
const MAX_CHART_HEIGHT: f32 = 360.0;
/// Room above the tallest bar, as a share of it, where the legend sits.
const LEGEND_HEADROOM: f64 = 0.45;
/// Light versions of the colours, for the reference days' bars.
const BLUE_LIGHT: Color32 = Color32::from_rgb(0x9c, 0xc3, 0xee);
const GREEN_LIGHT: Color32 = Color32::from_rgb(0x9e, 0xd8, 0xab);

pub fn today_ui(ui: &mut egui::Ui, screen: &mut Screen<'_>) {
    let lang = screen.lang;
    let tt = lang.today_tr();
    let today = screen.zone.wall_clock(screen.day_start).date();
    let connected = matches!(screen.model.link, LinkStatus::Connected { .. });
    if connected && screen.model.dashboard.wants_reference(today) {
        screen.model.dashboard.ask_reference(today);
    }
    let figures = today_figures(
        &screen.model.site,
        &screen.model.dashboard,
        screen.day_start,
        screen.zone,
    );
    figures_row(ui, screen, &figures);
    ui.add_space(6.0);
    // Two headings of a line each stay under the charts' shares.
    let height = ((ui.available_height() - 70.0) / 2.0).clamp(MIN_CHART_HEIGHT, MAX_CHART_HEIGHT);
    ui.label(RichText::new(tt.per_hour).strong());
    hours_chart(ui, screen, &figures, height);
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(tt.waits).strong());
        match &screen.model.dashboard.reference {
            Reference::Loading { .. } => {
                ui.label(RichText::new(tt.reference_loading).weak());
            }
            Reference::Unavailable { .. } => {
                ui.label(RichText::new(tt.reference_unavailable).color(AMBER));
                if connected && ui.small_button(tt.refresh).clicked() {
                    screen.model.dashboard.ask_reference(today);
                }
            }
            Reference::NotAsked | Reference::Loaded { .. } => {}
        }
    });
    waits_chart(ui, screen, &figures, height);
}

fn figures_row(ui: &mut egui::Ui, screen: &Screen<'_>, figures: &TodayFigures) {
    let lang = screen.lang;
    let tt = lang.today_tr();
    ui.horizontal(|ui| {
        big_figure(ui, tt.entered, figures.entered_total().to_string(), BLUE);
        big_figure(ui, tt.packed, figures.packed_total().to_string(), GREEN);
        let pending_colour = if figures.pending > 0 { AMBER } else { GREEN };
        big_figure(ui, tt.pending, figures.pending.to_string(), pending_colour);
        match &figures.oldest_pending {
            Some(oldest) => {
                let waited = duration(screen.now - oldest.created_at);
                big_figure(
                    ui,
                    tt.oldest,
                    lang.oldest_pending(&oldest.order_number, &oldest.store, &waited),
                    RED,
                );
            }
            None => big_figure(ui, tt.oldest, tt.none_waiting.to_owned(), GREEN),
        }
    });
}

fn big_figure(ui: &mut egui::Ui, label: &str, value: String, colour: Color32) {
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::symmetric(14, 8))
        .show(ui, |ui| {
            ui.vertical(|ui| {
                ui.label(RichText::new(label).small());
                ui.label(RichText::new(value).size(26.0).strong().color(colour));
            });
        });
}

fn hours_chart(ui: &mut egui::Ui, screen: &Screen<'_>, figures: &TodayFigures, height: f32) {
    let tt = screen.lang.today_tr();
    // The hours with orders up to the hour now: not a day of empty night hours.
    let busy = |counts: &[u32; 24]| counts.iter().position(|c| *c > 0);
    let now_hour = screen
        .zone
        .format(screen.now, "%H")
        .parse::<usize>()
        .unwrap_or(23)
        .min(23);
    let first = busy(&figures.entered)
        .into_iter()
        .chain(busy(&figures.packed))
        .min()
        .unwrap_or(now_hour)
        .min(now_hour);
    let bars = |counts: &[u32; 24], offset: f64, colour: Color32| -> Vec<Bar> {
        (first..=now_hour)
            .map(|hour| {
                Bar::new(hour as f64 + offset, f64::from(counts[hour]))
                    .width(0.4)
                    .fill(colour)
            })
            .collect()
    };
    let entered = BarChart::new(tt.entered, bars(&figures.entered, -0.2, BLUE)).color(BLUE);
    let packed = BarChart::new(tt.packed, bars(&figures.packed, 0.2, GREEN)).color(GREEN);
    let tallest = figures
        .entered
        .iter()
        .chain(&figures.packed)
        .max()
        .copied()
        .unwrap_or(0);
    still_plot("office-today-hours", height)
        .x_axis_formatter(|mark, _| format!("{:02}:00", mark.value.round() as i64))
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 1.0, 1.0]))
        .include_x(first as f64 - 0.6)
        .include_x(now_hour as f64 + 0.6)
        .include_y(f64::from(tallest.max(4)) * (1.0 + LEGEND_HEADROOM))
        .show(ui, |plot| {
            plot.bar_chart(entered);
            plot.bar_chart(packed);
        });
}

fn waits_chart(ui: &mut egui::Ui, screen: &Screen<'_>, figures: &TodayFigures, height: f32) {
    let tt = screen.lang.today_tr();
    let names: Vec<String> = figures.stores.iter().map(|s| s.store.clone()).collect();
    let series = [
        (tt.median_today, -0.3, BLUE),
        (tt.median_reference, -0.1, BLUE_LIGHT),
        (tt.p90_today, 0.1, GREEN),
        (tt.p90_reference, 0.3, GREEN_LIGHT),
    ];
    let charts: Vec<BarChart> = series
        .iter()
        .enumerate()
        .map(|(which, (name, offset, colour))| {
            let bars = figures
                .stores
                .iter()
                .enumerate()
                .filter_map(|(index, store)| {
                    let reference = store.reference.unwrap_or_default();
                    let seconds = match which {
                        0 => store.today.median_secs,
                        1 => reference.median_secs,
                        2 => store.today.p90_secs,
                        _ => reference.p90_secs,
                    }?;
                    Some(
                        Bar::new(index as f64 + offset, seconds / 60.0)
                            .width(0.18)
                            .fill(*colour),
                    )
                })
                .collect();
            BarChart::new(*name, bars).color(*colour)
        })
        .collect();
    let last = names.len().max(1) as f64 - 0.4;
    let tallest = figures
        .stores
        .iter()
        .flat_map(|s| [s.today.p90_secs, s.reference.and_then(|r| r.p90_secs)])
        .flatten()
        .fold(0.0, f64::max)
        / 60.0;
    still_plot("office-today-waits", height)
        .x_axis_formatter(move |mark, _| {
            let index = mark.value.round();
            if (mark.value - index).abs() > 0.01 || index < 0.0 {
                return String::new();
            }
            names.get(index as usize).cloned().unwrap_or_default()
        })
        .y_axis_label(tt.minutes)
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 1.0, 1.0]))
        .include_x(-0.6)
        .include_x(last)
        .include_y(tallest.max(1.0) * (1.0 + LEGEND_HEADROOM))
        .show(ui, |plot| {
            for chart in charts {
                plot.bar_chart(chart);
            }
        });
}

/// A chart that does not move: no drag, zoom or scroll, legend at the top left.
fn still_plot(id: &'static str, height: f32) -> Plot<'static> {
    Plot::new(id)
        .height(height)
        .legend(
            Legend::default()
                .position(egui_plot::Corner::LeftTop)
                .follow_insertion_order(true),
        )
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .show_grid([false, true])
}
