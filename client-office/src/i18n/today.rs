//! Strings of the Today dashboard (admin), in both languages.

use super::Lang;

#[derive(Debug)]
pub struct TodayTr {
    pub tab: &'static str,
    pub entered: &'static str,
    pub packed: &'static str,
    pub pending: &'static str,
    pub oldest: &'static str,
    pub none_waiting: &'static str,
    pub per_hour: &'static str,
    pub waits: &'static str,
    pub minutes: &'static str,
    pub median_today: &'static str,
    pub median_reference: &'static str,
    pub p90_today: &'static str,
    pub p90_reference: &'static str,
    pub reference_loading: &'static str,
    pub reference_unavailable: &'static str,
    pub refresh: &'static str,
}

pub static TODAY_EN: TodayTr = TodayTr {
    tab: "Today",
    entered: "Entered today",
    packed: "Packed today",
    pending: "Waiting now",
    oldest: "Oldest waiting",
    none_waiting: "none",
    per_hour: "Orders per hour",
    waits: "Wait per store, in minutes: today against the last 7 days",
    minutes: "minutes",
    median_today: "Median today",
    median_reference: "Median, last 7 days",
    p90_today: "90 % within, today",
    p90_reference: "90 % within, last 7 days",
    reference_loading: "(loading the last 7 days…)",
    reference_unavailable: "The last 7 days could not be loaded.",
    refresh: "Try again",
};

pub static TODAY_ES: TodayTr = TodayTr {
    tab: "Hoy",
    entered: "Entrados hoy",
    packed: "Preparados hoy",
    pending: "En espera ahora",
    oldest: "El que más espera",
    none_waiting: "ninguno",
    per_hour: "Pedidos por hora",
    waits: "Espera por tienda, en minutos: hoy frente a los últimos 7 días",
    minutes: "minutos",
    median_today: "Mediana hoy",
    median_reference: "Mediana, últimos 7 días",
    p90_today: "El 90 % en menos de, hoy",
    p90_reference: "El 90 % en menos de, 7 días",
    reference_loading: "(cargando los últimos 7 días…)",
    reference_unavailable: "No se pudieron cargar los últimos 7 días.",
    refresh: "Reintentar",
};

impl Lang {
    pub fn today_tr(self) -> &'static TodayTr {
        match self {
            Lang::En => &TODAY_EN,
            Lang::Es => &TODAY_ES,
        }
    }

    /// "A-17 (Centro), 42 min 05 s".
    pub fn oldest_pending(self, order_number: &str, store: &str, waited: &str) -> String {
        match self {
            Lang::En | Lang::Es => format!("{order_number} ({store}), {waited}"),
        }
    }
}
