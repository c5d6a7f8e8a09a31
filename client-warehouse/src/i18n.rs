//! Every string a person sees, in Spanish and English.
//!
//! **No user-visible string is written anywhere else.** Templates use `{0}`, `{1}`…
//! for their arguments; [`fill`] puts them in.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Es,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Es, Language::En];

    /// The language's own name, the same in every UI language.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::Es => "Español",
            Language::En => "English",
        }
    }

    /// Spanish for any `es*` locale (`es-ES`, `es_MX.UTF-8`…), English otherwise.
    pub fn from_locale(locale: &str) -> Language {
        if locale.trim().to_ascii_lowercase().starts_with("es") {
            Language::Es
        } else {
            Language::En
        }
    }

    /// The system's language (checks `LC_ALL`, `LANG`, … on Unix; the user locale elsewhere).
    pub fn system() -> Language {
        sys_locale::get_locale()
            .map(|locale| Language::from_locale(&locale))
            .unwrap_or(Language::En)
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Language::Es => &ES,
            Language::En => &EN,
        }
    }
}

/// Replaces `{0}`, `{1}`, … in `template` by `args`.
pub fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = template.to_owned();
    for (i, arg) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), &arg.to_string());
    }
    out
}

/// One language's strings. Fields ending in a template take `{0}`-style arguments.
#[derive(Debug)]
pub struct Strings {
    pub window_title: &'static str,
    pub packed: &'static str,
    /// Accessible name of a row's button: {0} order number.
    pub packed_order: &'static str,
    /// {0} order number.
    pub undo_packed: &'static str,
    pub rush: &'static str,
    pub acknowledge: &'static str,
    /// Accessible name of a row's acknowledge button: {0} order number.
    pub acknowledge_order: &'static str,
    /// {0} count.
    pub silence_rush: &'static str,
    pub all_stores: &'static str,
    /// Store chip: {0} name, {1} pending.
    pub store_chip: &'static str,
    /// Store chip hover: {0} pending, {1} packed today.
    pub store_chip_hover: &'static str,
    /// {0} pending shown, {1} packed today (shown stores).
    pub summary_line: &'static str,
    /// {0} site.
    pub connected: &'static str,
    pub connecting: &'static str,
    /// {0} local time.
    pub offline_since: &'static str,
    /// {0} attempt.
    pub reconnecting_attempt: &'static str,
    pub list_stale: &'static str,
    /// {0} reason.
    pub refused: &'static str,
    pub needs_pairing: &'static str,
    pub pairing_title: &'static str,
    pub pairing_help: &'static str,
    pub pairing_code: &'static str,
    pub pair: &'static str,
    pub pairing_sent: &'static str,
    pub choose_server: &'static str,
    /// One server that answered discovery: {0} site, {1} address, {2} short fingerprint.
    pub found_server: &'static str,
    /// After choosing: {0} site, {1} address.
    pub connecting_to: &'static str,
    pub settings: &'static str,
    pub language: &'static str,
    pub language_system: &'static str,
    pub theme: &'static str,
    pub theme_light: &'static str,
    pub theme_dark: &'static str,
    pub normal_sound: &'static str,
    pub rush_sound: &'static str,
    pub sound_chime: &'static str,
    pub sound_bell: &'static str,
    pub sound_urgent: &'static str,
    pub test_sound: &'static str,
    pub volume: &'static str,
    pub mute: &'static str,
    pub amber_after: &'static str,
    pub red_after: &'static str,
    pub rush_repeat: &'static str,
    pub close: &'static str,
    pub no_pending: &'static str,
    pub no_pending_filtered: &'static str,
    pub age_new: &'static str,
    /// {0} minutes.
    pub age_minutes: &'static str,
    /// {0} hours, {1} minutes (two digits).
    pub age_hours: &'static str,
    /// Notification title: {0} order number, {1} store.
    pub notify_order: &'static str,
    /// Rush notification title: {0} order number, {1} store.
    pub notify_rush: &'static str,
    pub notify_ready: &'static str,
    /// Catch-up summary title: {0} count.
    pub notify_summary: &'static str,
    /// Catch-up summary with rush orders: {0} count, {1} rush count.
    pub notify_summary_rush: &'static str,
    /// {0} error.
    pub hint_no_sound: &'static str,
    /// {0} error.
    pub hint_no_notifications: &'static str,
    pub dismiss: &'static str,
    /// {0} order number, {1} server message.
    pub rejected: &'static str,
    /// {0} store id.
    pub unknown_store: &'static str,
    pub shortcuts: &'static str,
    /// {0} count.
    pub packed_here_pending: &'static str,
    /// Rows below the visible part of the list: {0} count.
    pub more_below: &'static str,
    pub not_sent_busy: &'static str,
    pub not_sent_stopped: &'static str,
}

static ES: Strings = Strings {
    window_title: "packbell — Almacén",
    packed: "Empaquetado",
    packed_order: "Empaquetado {0}",
    undo_packed: "Deshacer {0}",
    rush: "URGENTE",
    acknowledge: "Enterado",
    acknowledge_order: "Enterado {0}",
    silence_rush: "Silenciar urgentes ({0})",
    all_stores: "Todas",
    store_chip: "{0}  {1}",
    store_chip_hover: "{0} pendientes · {1} empaquetados hoy",
    summary_line: "{0} pendientes · {1} empaquetados hoy",
    connected: "Conectado · {0}",
    connecting: "Buscando el servidor…",
    offline_since: "SIN CONEXIÓN desde las {0}",
    reconnecting_attempt: "reintentando (intento {0})",
    list_stale: "Se muestra la última lista conocida: puede no estar al día.",
    refused: "El servidor rechazó este equipo: {0}",
    needs_pairing: "Este equipo aún no está vinculado al servidor.",
    pairing_title: "Vincular este equipo",
    pairing_help: "Escriba el código de vinculación que muestra el servidor (rol almacén).",
    pairing_code: "Código de vinculación",
    pair: "Vincular",
    pairing_sent: "Vinculando…",
    choose_server: "Han respondido varios servidores packbell en esta red. Elija el de esta tienda (compruebe que el id coincide con el que muestra el servidor):",
    found_server: "{0} · {1} · id {2}",
    connecting_to: "Conectando con {0} ({1})…",
    settings: "Ajustes",
    language: "Idioma",
    language_system: "Del sistema",
    theme: "Tema",
    theme_light: "Claro",
    theme_dark: "Oscuro",
    normal_sound: "Sonido de pedido normal",
    rush_sound: "Sonido de pedido urgente",
    sound_chime: "Campanilla",
    sound_bell: "Campana",
    sound_urgent: "Alarma",
    test_sound: "Probar",
    volume: "Volumen",
    mute: "Silenciar sonidos",
    amber_after: "Ámbar a partir de (min)",
    red_after: "Rojo a partir de (min)",
    rush_repeat: "Repetir urgentes cada (s)",
    close: "Cerrar",
    no_pending: "No hay pedidos pendientes",
    no_pending_filtered: "No hay pedidos pendientes de estas tiendas",
    age_new: "nuevo",
    age_minutes: "{0} min",
    age_hours: "{0} h {1}",
    notify_order: "Pedido {0} — {1}",
    notify_rush: "URGENTE: pedido {0} — {1}",
    notify_ready: "Listo para empaquetar",
    notify_summary: "{0} pedidos nuevos mientras estaba desconectado",
    notify_summary_rush: "{0} pedidos nuevos mientras estaba desconectado ({1} urgentes)",
    hint_no_sound: "Sin sonido en este equipo ({0}). Los pedidos siguen apareciendo en pantalla.",
    hint_no_notifications: "Sin notificaciones del escritorio ({0}). La lista y el sonido siguen funcionando.",
    dismiss: "Entendido",
    rejected: "No se pudo actualizar el pedido {0}: {1}",
    unknown_store: "Tienda {0}",
    shortcuts: "Flechas: elegir · Espacio o Intro: empaquetar · Ctrl+Z: deshacer",
    packed_here_pending: "{0} por enviar",
    more_below: "{0} más abajo",
    not_sent_busy: "No se pudo enviar: el enlace está ocupado. Inténtelo de nuevo.",
    not_sent_stopped: "No se pudo enviar: el enlace con el servidor se ha detenido. Reinicie la aplicación.",
};

static EN: Strings = Strings {
    window_title: "packbell — Warehouse",
    packed: "Packed",
    packed_order: "Packed {0}",
    undo_packed: "Undo {0}",
    rush: "RUSH",
    acknowledge: "Got it",
    acknowledge_order: "Got it {0}",
    silence_rush: "Silence rush ({0})",
    all_stores: "All",
    store_chip: "{0}  {1}",
    store_chip_hover: "{0} pending · {1} packed today",
    summary_line: "{0} pending · {1} packed today",
    connected: "Connected · {0}",
    connecting: "Looking for the server…",
    offline_since: "OFFLINE since {0}",
    reconnecting_attempt: "reconnecting (attempt {0})",
    list_stale: "Showing the last known list: it may be out of date.",
    refused: "The server refused this PC: {0}",
    needs_pairing: "This PC is not paired with the server yet.",
    pairing_title: "Pair this PC",
    pairing_help: "Type the pairing code shown on the server (warehouse role).",
    pairing_code: "Pairing code",
    pair: "Pair",
    pairing_sent: "Pairing…",
    choose_server: "Several packbell servers answered on this network. Choose the one of this shop (check that the id matches the one the server shows):",
    found_server: "{0} · {1} · id {2}",
    connecting_to: "Connecting to {0} ({1})…",
    settings: "Settings",
    language: "Language",
    language_system: "System",
    theme: "Theme",
    theme_light: "Light",
    theme_dark: "Dark",
    normal_sound: "Normal order sound",
    rush_sound: "Rush order sound",
    sound_chime: "Chime",
    sound_bell: "Bell",
    sound_urgent: "Alarm",
    test_sound: "Test",
    volume: "Volume",
    mute: "Mute sounds",
    amber_after: "Amber from (min)",
    red_after: "Red from (min)",
    rush_repeat: "Repeat rush alerts every (s)",
    close: "Close",
    no_pending: "No pending orders",
    no_pending_filtered: "No pending orders for these stores",
    age_new: "new",
    age_minutes: "{0} min",
    age_hours: "{0} h {1}",
    notify_order: "Order {0} — {1}",
    notify_rush: "RUSH: order {0} — {1}",
    notify_ready: "Ready to pack",
    notify_summary: "{0} new orders while offline",
    notify_summary_rush: "{0} new orders while offline ({1} rush)",
    hint_no_sound: "No sound on this PC ({0}). Orders still show on screen.",
    hint_no_notifications: "No desktop notifications ({0}). The list and sound still work.",
    dismiss: "OK",
    rejected: "Could not update order {0}: {1}",
    unknown_store: "Store {0}",
    shortcuts: "Arrows: select · Space or Enter: pack · Ctrl+Z: undo",
    packed_here_pending: "{0} to send",
    more_below: "{0} more below",
    not_sent_busy: "Not sent: the link is busy. Please try again.",
    not_sent_stopped: "Not sent: the link to the server has stopped. Restart the app.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_picks_language() {
        assert_eq!(Language::from_locale("es-ES"), Language::Es);
        assert_eq!(Language::from_locale("es_MX.UTF-8"), Language::Es);
        assert_eq!(Language::from_locale("en-US"), Language::En);
        assert_eq!(Language::from_locale("de-DE"), Language::En);
    }

    #[test]
    fn fill_replaces_numbered_arguments() {
        assert_eq!(
            fill(EN.notify_order, &[&"A-17", &"Centro"]),
            "Order A-17 — Centro"
        );
        assert_eq!(fill(ES.age_hours, &[&1, &"05"]), "1 h 05");
    }

    #[test]
    fn both_languages_have_the_same_placeholders() {
        // Debug output lists every field as `name: "text"`; compare placeholder counts.
        let es = format!("{ES:?}");
        let en = format!("{EN:?}");
        for i in 0..3 {
            let tag = format!("{{{i}}}");
            assert_eq!(es.matches(&tag).count(), en.matches(&tag).count(), "{tag}");
        }
    }
}
