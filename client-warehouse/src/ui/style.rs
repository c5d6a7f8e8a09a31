//! Fonts, text sizes and the colour palette shared by the window's parts.

use egui::{Color32, FontFamily, FontId, Vec2};

use crate::settings::Theme;

/// Font family registered by [`install_fonts`]; falls back to the default face.
pub const BOLD: &str = "packbell-bold";

pub(super) fn bold(size: f32) -> FontId {
    FontId::new(size, FontFamily::Name(BOLD.into()))
}

/// Colours that read on both themes.
pub(super) struct Palette {
    pub(super) amber: Color32,
    pub(super) red: Color32,
    pub(super) green: Color32,
    pub(super) rush_row: Color32,
    pub(super) stripe: Color32,
    pub(super) selected: Color32,
    pub(super) offline: Color32,
    pub(super) hint: Color32,
    pub(super) on_colour: Color32,
    pub(super) hint_text: Color32,
}

pub(super) fn palette(dark: bool) -> Palette {
    if dark {
        Palette {
            amber: Color32::from_rgb(0xF5, 0x9E, 0x0B),
            red: Color32::from_rgb(0xDC, 0x26, 0x26),
            green: Color32::from_rgb(0x15, 0x80, 0x3D),
            rush_row: Color32::from_rgb(0x45, 0x14, 0x14),
            stripe: Color32::from_rgb(0x33, 0x33, 0x38),
            selected: Color32::from_rgb(0x60, 0xA5, 0xFA),
            offline: Color32::from_rgb(0xB9, 0x1C, 0x1C),
            hint: Color32::from_rgb(0xFD, 0xE0, 0x47),
            on_colour: Color32::WHITE,
            hint_text: Color32::BLACK,
        }
    } else {
        Palette {
            amber: Color32::from_rgb(0xD9, 0x77, 0x06),
            red: Color32::from_rgb(0xDC, 0x26, 0x26),
            green: Color32::from_rgb(0x16, 0xA3, 0x4A),
            rush_row: Color32::from_rgb(0xFE, 0xE2, 0xE2),
            stripe: Color32::from_rgb(0xF1, 0xF1, 0xF4),
            selected: Color32::from_rgb(0x25, 0x63, 0xEB),
            offline: Color32::from_rgb(0xB9, 0x1C, 0x1C),
            hint: Color32::from_rgb(0xFE, 0xF0, 0x8A),
            on_colour: Color32::WHITE,
            hint_text: Color32::BLACK,
        }
    }
}

/// Registers a bold face for the big numbers: the first that exists of a few
/// well-known system fonts; egui's default face otherwise.
pub fn install_fonts(ctx: &egui::Context) {
    const CANDIDATES: &[&str] = &[
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "C:\\Windows\\Fonts\\segoeuib.ttf",
        "C:\\Windows\\Fonts\\arialbd.ttf",
        "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
    ];
    let mut fonts = egui::FontDefinitions::default();
    let fallbacks = fonts
        .families
        .get(&FontFamily::Proportional)
        .cloned()
        .unwrap_or_default();
    let mut family = Vec::new();
    if let Some(bytes) = CANDIDATES.iter().find_map(|path| std::fs::read(path).ok()) {
        fonts.font_data.insert(
            BOLD.to_owned(),
            std::sync::Arc::new(egui::FontData::from_owned(bytes)),
        );
        family.push(BOLD.to_owned());
    } else {
        tracing::info!("no bold system font found; using the default face");
    }
    family.extend(fallbacks);
    fonts.families.insert(FontFamily::Name(BOLD.into()), family);
    ctx.set_fonts(fonts);
}

/// Text sizes for the whole window (the list sets its own, larger ones).
pub fn apply_style(ctx: &egui::Context, theme: Theme) {
    ctx.set_theme(match theme {
        Theme::Light => egui::Theme::Light,
        Theme::Dark => egui::Theme::Dark,
    });
    ctx.all_styles_mut(|style| {
        use egui::TextStyle;
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(26.0)),
            (TextStyle::Body, FontId::proportional(18.0)),
            (TextStyle::Button, FontId::proportional(18.0)),
            (TextStyle::Small, FontId::proportional(14.0)),
            (TextStyle::Monospace, FontId::monospace(16.0)),
        ]
        .into();
        style.spacing.button_padding = Vec2::new(10.0, 6.0);
        style.spacing.item_spacing = Vec2::new(8.0, 6.0);
    });
}
