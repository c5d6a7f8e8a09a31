//! The stock alert banner's words.

use packbell_shared::protocol::{AlertKind, StockAlert};

use super::Language;
use crate::model::stock_count::CountProblem;

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

    /// The header's and the dialog title's "Count stock".
    pub fn count_stock(self) -> &'static str {
        match self {
            Language::En => "Count stock",
            Language::Es => "Contar stock",
        }
    }

    /// The banner's button that opens the count dialog for one alert's item.
    pub fn count_item(self, sku: &str) -> String {
        match self {
            Language::En => format!("Count {sku}"),
            Language::Es => format!("Contar {sku}"),
        }
    }

    pub fn count_search_hint(self) -> &'static str {
        match self {
            Language::En => "SKU or name",
            Language::Es => "SKU o nombre",
        }
    }

    /// The label of the counted quantity box.
    pub fn count_counted(self) -> &'static str {
        match self {
            Language::En => "Counted",
            Language::Es => "Contado",
        }
    }

    /// One item in the dialog: "TEA-100 — Green tea (3 pcs on hand)".
    pub fn count_item_line(self, sku: &str, name: &str, quantity: i64, unit: &str) -> String {
        match self {
            Language::En => format!("{sku} — {name} ({quantity} {unit} on hand)"),
            Language::Es => format!("{sku} — {name} ({quantity} {unit} en existencia)"),
        }
    }

    pub fn count_send(self) -> &'static str {
        match self {
            Language::En => "Send count",
            Language::Es => "Enviar recuento",
        }
    }

    pub fn count_cancel(self) -> &'static str {
        match self {
            Language::En => "Cancel",
            Language::Es => "Cancelar",
        }
    }

    /// Why the count cannot be sent yet.
    pub fn count_problem(self, problem: CountProblem) -> &'static str {
        match (self, problem) {
            (Language::En, CountProblem::NoItem) => "Pick an item from the list",
            (Language::Es, CountProblem::NoItem) => "Elija un artículo de la lista",
            (Language::En, CountProblem::BadNumber) => "Type a whole number, 0 or more",
            (Language::Es, CountProblem::BadNumber) => "Escriba un número entero, 0 o más",
        }
    }

    pub fn count_no_items(self) -> &'static str {
        match self {
            Language::En => "No item matches",
            Language::Es => "Ningún artículo coincide",
        }
    }

    /// Below the banner's last line when more alerts are open: "+3 more".
    pub fn stock_more(self, count: usize) -> String {
        match self {
            Language::En => format!("+{count} more"),
            Language::Es => format!("+{count} más"),
        }
    }
}
