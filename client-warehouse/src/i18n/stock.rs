//! The stock alert banner's words.

use packbell_shared::protocol::{AlertKind, StockAlert};

use super::Language;

impl Language {
    /// One banner line: "LOW STOCK: TEA-100 — level 2", with the lot when there is one.
    pub fn stock_alert_line(self, alert: &StockAlert) -> String {
        let kind = match (self, alert.alert_kind) {
            (Language::En, AlertKind::Low) => "LOW STOCK",
            (Language::En, AlertKind::Over) => "OVERSTOCK",
            (Language::En, AlertKind::Expiring) => "EXPIRING",
            (Language::En, AlertKind::Expired) => "EXPIRED",
            (Language::Es, AlertKind::Low) => "STOCK BAJO",
            (Language::Es, AlertKind::Over) => "EXCESO DE STOCK",
            (Language::Es, AlertKind::Expiring) => "CADUCA PRONTO",
            (Language::Es, AlertKind::Expired) => "CADUCADO",
        };
        let (lot, level) = match self {
            Language::En => ("lot", "level"),
            Language::Es => ("lote", "nivel"),
        };
        let lot = alert
            .lot
            .as_ref()
            .map(|name| format!(" ({lot} {name})"))
            .unwrap_or_default();
        format!("{kind}: {}{lot} — {level} {}", alert.sku, alert.level)
    }

    /// The banner's button for one alert: "Acknowledge TEA-100".
    pub fn stock_acknowledge(self, sku: &str) -> String {
        match self {
            Language::En => format!("Acknowledge {sku}"),
            Language::Es => format!("Visto {sku}"),
        }
    }

    /// Shown instead of the button once someone acknowledged it.
    pub fn stock_acknowledged(self) -> &'static str {
        match self {
            Language::En => "acknowledged",
            Language::Es => "visto",
        }
    }

    /// The notification of a critical stock alert: "Critical stock alert: TEA-100 (level 2)".
    pub fn notify_stock_critical(self, sku: &str, level: u8) -> String {
        match self {
            Language::En => format!("Critical stock alert: {sku} (level {level})"),
            Language::Es => format!("Alerta de stock crítica: {sku} (nivel {level})"),
        }
    }
}
