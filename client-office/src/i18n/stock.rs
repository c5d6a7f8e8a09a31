//! Strings of the Stock and Alerts screens, in both languages.

use packbell_shared::protocol::{AlertKind, Severity};

use super::Lang;
use crate::model::{AlertStatus, StockField, StockOperation, StockProblem, SummarySpan};

#[derive(Debug)]
pub struct StockTr {
    pub stock_tab: &'static str,
    pub alerts_tab: &'static str,
    pub read_only: &'static str,
    pub no_items: &'static str,
    pub new_item: &'static str,
    pub edit: &'static str,
    pub adjust: &'static str,
    pub sku: &'static str,
    pub name: &'static str,
    pub store: &'static str,
    pub site_wide: &'static str,
    pub quantity: &'static str,
    pub unit: &'static str,
    pub min: &'static str,
    pub max: &'static str,
    pub pack_size: &'static str,
    pub lead_days: &'static str,
    pub lots: &'static str,
    pub expiry: &'static str,
    pub start_quantity: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub delta: &'static str,
    pub delta_hint: &'static str,
    pub reason: &'static str,
    pub whole_item: &'static str,
    pub lot: &'static str,
    pub low: &'static str,
    pub over: &'static str,
    pub any: &'static str,
    pub severity: &'static str,
    pub status: &'static str,
    pub summary: &'static str,
    pub last_day: &'static str,
    pub last_week: &'static str,
    pub history: &'static str,
    pub history_note: &'static str,
    pub no_alerts: &'static str,
    pub raised: &'static str,
    pub kind: &'static str,
    pub level: &'static str,
    pub acknowledge: &'static str,
    pub ack_title: &'static str,
    pub comment: &'static str,
    pub comment_too_long: &'static str,
    pub ack_read_only: &'static str,
    pub total: &'static str,
    pub import_file: &'static str,
    pub import: &'static str,
    pub import_unreadable: &'static str,
}

pub static STOCK_EN: StockTr = StockTr {
    stock_tab: "Stock",
    alerts_tab: "Alerts",
    read_only: "Read only: only an admin PC changes stock.",
    no_items: "No items yet.",
    new_item: "New item",
    edit: "Edit",
    adjust: "Adjust",
    sku: "SKU",
    name: "Name",
    store: "Store",
    site_wide: "Site-wide",
    quantity: "On hand",
    unit: "Unit",
    min: "Min",
    max: "Max",
    pack_size: "Pack size",
    lead_days: "Lead time (days)",
    lots: "Lots",
    expiry: "expires",
    start_quantity: "Starting quantity",
    save: "Save",
    cancel: "Cancel",
    delta: "Change",
    delta_hint: "+10 adds, -3 takes away",
    reason: "Reason",
    whole_item: "Item (no lot)",
    lot: "Lot",
    low: "low",
    over: "over",
    any: "Any",
    severity: "Severity",
    status: "Status",
    summary: "Alerts raised, by store and severity",
    last_day: "Last 24 h",
    last_week: "Last 7 days",
    history: "History",
    history_note: "Resolved alerts are listed from when this window saw them.",
    no_alerts: "No alerts match.",
    raised: "Raised",
    kind: "Alert",
    level: "Level",
    acknowledge: "Acknowledge",
    ack_title: "Acknowledge alert",
    comment: "Comment (optional)",
    comment_too_long: "The comment is too long (at most 500 characters).",
    ack_read_only: "Read only: warehouse and admin PCs acknowledge alerts.",
    total: "Total",
    import_file: "Import CSV file",
    import: "Import",
    import_unreadable: "The file could not be read:",
};

pub static STOCK_ES: StockTr = StockTr {
    stock_tab: "Existencias",
    alerts_tab: "Alertas",
    read_only: "Solo lectura: solo un PC de administración cambia las existencias.",
    no_items: "Todavía no hay artículos.",
    new_item: "Nuevo artículo",
    edit: "Editar",
    adjust: "Ajustar",
    sku: "SKU",
    name: "Nombre",
    store: "Tienda",
    site_wide: "Todo el sitio",
    quantity: "En existencia",
    unit: "Unidad",
    min: "Mín.",
    max: "Máx.",
    pack_size: "Tamaño del paquete",
    lead_days: "Plazo de entrega (días)",
    lots: "Lotes",
    expiry: "caduca",
    start_quantity: "Cantidad inicial",
    save: "Guardar",
    cancel: "Cancelar",
    delta: "Cambio",
    delta_hint: "+10 suma, -3 resta",
    reason: "Motivo",
    whole_item: "Artículo (sin lote)",
    lot: "Lote",
    low: "bajo",
    over: "exceso",
    any: "Todas",
    severity: "Gravedad",
    status: "Estado",
    summary: "Alertas generadas, por tienda y gravedad",
    last_day: "Últimas 24 h",
    last_week: "Últimos 7 días",
    history: "Historial",
    history_note: "Las alertas resueltas aparecen desde que esta ventana las vio.",
    no_alerts: "Ninguna alerta coincide.",
    raised: "Generada",
    kind: "Alerta",
    level: "Nivel",
    acknowledge: "Confirmar",
    ack_title: "Confirmar la alerta",
    comment: "Comentario (opcional)",
    comment_too_long: "El comentario es demasiado largo (como mucho 500 caracteres).",
    ack_read_only: "Solo lectura: los PC del almacén y de administración confirman las alertas.",
    total: "Total",
    import_file: "Importar archivo CSV",
    import: "Importar",
    import_unreadable: "No se pudo leer el archivo:",
};

impl Lang {
    pub fn stock_tr(self) -> &'static StockTr {
        match self {
            Lang::En => &STOCK_EN,
            Lang::Es => &STOCK_ES,
        }
    }

    pub fn severity(self, severity: Severity) -> &'static str {
        match (self, severity) {
            (Lang::En, Severity::Critical) => "critical",
            (Lang::En, Severity::High) => "high",
            (Lang::En, Severity::Medium) => "medium",
            (Lang::Es, Severity::Critical) => "crítica",
            (Lang::Es, Severity::High) => "alta",
            (Lang::Es, Severity::Medium) => "media",
        }
    }

    pub fn alert_kind(self, kind: AlertKind) -> &'static str {
        match (self, kind) {
            (Lang::En, AlertKind::Low) => "Low stock",
            (Lang::En, AlertKind::Over) => "Overstock",
            (Lang::En, AlertKind::Expiring) => "Expiring soon",
            (Lang::En, AlertKind::Expired) => "Expired",
            (Lang::Es, AlertKind::Low) => "Existencias bajas",
            (Lang::Es, AlertKind::Over) => "Exceso de existencias",
            (Lang::Es, AlertKind::Expiring) => "Caduca pronto",
            (Lang::Es, AlertKind::Expired) => "Caducado",
        }
    }

    pub fn alert_status(self, status: AlertStatus) -> &'static str {
        match (self, status) {
            (Lang::En, AlertStatus::Open) => "Open",
            (Lang::En, AlertStatus::Acknowledged) => "Acknowledged",
            (Lang::En, AlertStatus::Resolved) => "Resolved",
            (Lang::Es, AlertStatus::Open) => "Abierta",
            (Lang::Es, AlertStatus::Acknowledged) => "Confirmada",
            (Lang::Es, AlertStatus::Resolved) => "Resuelta",
        }
    }

    pub fn summary_span(self, span: SummarySpan) -> &'static str {
        match span {
            SummarySpan::Day => self.stock_tr().last_day,
            SummarySpan::Week => self.stock_tr().last_week,
        }
    }

    /// "Acknowledged by Packing bench 2 at 11:32: restock ordered".
    pub fn acknowledged_by(self, who: &str, at: &str, comment: &str) -> String {
        let head = match self {
            Lang::En => format!("Acknowledged by {who} at {at}"),
            Lang::Es => format!("Confirmada por {who} a las {at}"),
        };
        if comment.is_empty() {
            head
        } else {
            format!("{head}: {comment}")
        }
    }

    /// The import field's hint: a full path, or a name in `folder`.
    pub fn import_hint(self, folder: &str) -> String {
        match self {
            Lang::En => format!("full path, or a file name in {folder}"),
            Lang::Es => format!("ruta completa, o un nombre de archivo en {folder}"),
        }
    }

    pub fn import_refused(self, bad_rows: usize) -> String {
        match self {
            Lang::En => format!("Nothing was imported: {bad_rows} problem(s)."),
            Lang::Es => format!("No se importó nada: {bad_rows} problema(s)."),
        }
    }

    pub fn import_sent(self, items: usize) -> String {
        match self {
            Lang::En => format!("{items} item(s) sent to the server."),
            Lang::Es => format!("{items} artículo(s) enviados al servidor."),
        }
    }

    /// "line 3: …" (the reason stays in the file format's words, as docs/stock.md).
    pub fn import_line(self, line: u64, reason: &str) -> String {
        match (self, line) {
            (_, 0) => reason.to_owned(),
            (Lang::En, _) => format!("line {line}: {reason}"),
            (Lang::Es, _) => format!("línea {line}: {reason}"),
        }
    }

    pub fn stock_field(self, field: StockField) -> &'static str {
        let t = self.stock_tr();
        match field {
            StockField::Sku => t.sku,
            StockField::Name => t.name,
            StockField::Unit => t.unit,
            StockField::Min => t.min,
            StockField::Max => t.max,
            StockField::PackSize => t.pack_size,
            StockField::LeadDays => t.lead_days,
            StockField::Quantity => t.start_quantity,
            StockField::Delta => t.delta,
            StockField::Reason => t.reason,
        }
    }

    pub fn stock_problem(self, problem: StockProblem) -> String {
        match (self, problem) {
            (Lang::En, StockProblem::Invalid(field)) => {
                format!(
                    "Check “{}”: it is empty, too long or not a whole number in range.",
                    self.stock_field(field)
                )
            }
            (Lang::Es, StockProblem::Invalid(field)) => {
                format!(
                    "Revisa «{}»: está vacío, es demasiado largo o no es un número entero válido.",
                    self.stock_field(field)
                )
            }
            (Lang::En, StockProblem::MinAboveMax) => {
                "The minimum must not be above the maximum.".into()
            }
            (Lang::Es, StockProblem::MinAboveMax) => {
                "El mínimo no puede ser mayor que el máximo.".into()
            }
        }
    }

    pub fn stock_operation(self, op: &StockOperation) -> String {
        match (self, op) {
            (Lang::En, StockOperation::SaveItem { sku }) => format!("Saving item {sku}"),
            (Lang::Es, StockOperation::SaveItem { sku }) => format!("Guardar el artículo {sku}"),
            (Lang::En, StockOperation::Adjust { sku, delta }) => {
                format!("Adjusting {sku} by {delta:+}")
            }
            (Lang::Es, StockOperation::Adjust { sku, delta }) => {
                format!("Ajustar {sku} en {delta:+}")
            }
            (Lang::En, StockOperation::Acknowledge { sku, .. }) => {
                format!("Acknowledging the alert on {sku}")
            }
            (Lang::Es, StockOperation::Acknowledge { sku, .. }) => {
                format!("Confirmar la alerta de {sku}")
            }
        }
    }

    pub fn stock_done(self, op: &StockOperation) -> String {
        match (self, op) {
            (Lang::En, StockOperation::SaveItem { sku }) => format!("Item {sku} saved."),
            (Lang::Es, StockOperation::SaveItem { sku }) => format!("Artículo {sku} guardado."),
            (Lang::En, StockOperation::Adjust { sku, delta }) => {
                format!("{sku} adjusted by {delta:+}.")
            }
            (Lang::Es, StockOperation::Adjust { sku, delta }) => {
                format!("{sku} ajustado en {delta:+}.")
            }
            (Lang::En, StockOperation::Acknowledge { sku, .. }) => {
                format!("Alert on {sku} acknowledged.")
            }
            (Lang::Es, StockOperation::Acknowledge { sku, .. }) => {
                format!("Alerta de {sku} confirmada.")
            }
        }
    }
}
