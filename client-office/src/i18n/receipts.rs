//! The receipts column and the no-warehouse alarm, in both languages.

use packbell_shared::protocol::NotRungWhy;

use super::Lang;
use crate::model::ReceiptSummary;

/// Order numbers named in the alarm banner; more are counted, not listed.
const ALARM_MAX_NUMBERS: usize = 5;

impl Lang {
    /// Header of the orders table's receipts column.
    pub fn col_warehouse(self) -> &'static str {
        match self {
            Lang::En => "Warehouse",
            Lang::Es => "Almacén",
        }
    }

    pub fn not_rung_why(self, why: NotRungWhy) -> &'static str {
        match (self, why) {
            (Lang::En, NotRungWhy::SoundOff) => "sound off",
            (Lang::En, NotRungWhy::NoAudio) => "no sound device",
            (Lang::En, NotRungWhy::OtherStation) => "store not on its station",
            (Lang::En, NotRungWhy::ShownAtStart) => "shown at start-up",
            (Lang::Es, NotRungWhy::SoundOff) => "sonido apagado",
            (Lang::Es, NotRungWhy::NoAudio) => "sin dispositivo de sonido",
            (Lang::Es, NotRungWhy::OtherStation) => "tienda fuera de su puesto",
            (Lang::Es, NotRungWhy::ShownAtStart) => "mostrado al arrancar",
        }
    }

    /// "rang on 2 of 2 warehouse PCs", "delivered, not rung (sound off on PC Bodega-2)".
    pub fn receipt_summary(self, summary: &ReceiptSummary) -> String {
        match (self, summary) {
            (Lang::En, ReceiptSummary::NoWarehouse) => "no warehouse PC connected".into(),
            (Lang::Es, ReceiptSummary::NoWarehouse) => "ningún PC de almacén conectado".into(),
            (Lang::En, ReceiptSummary::Waiting) => "waiting…".into(),
            (Lang::Es, ReceiptSummary::Waiting) => "esperando…".into(),
            (Lang::En, ReceiptSummary::Rang { rang, of }) => {
                let pcs = if *of == 1 { "PC" } else { "PCs" };
                format!("rang on {rang} of {of} warehouse {pcs}")
            }
            (Lang::Es, ReceiptSummary::Rang { rang, of }) => {
                let pcs = if *of == 1 { "PC" } else { "PCs" };
                format!("sonó en {rang} de {of} {pcs} de almacén")
            }
            (Lang::En, ReceiptSummary::NotRung { device, why }) => format!(
                "delivered, not rung ({} on PC {device})",
                self.not_rung_why(*why)
            ),
            (Lang::Es, ReceiptSummary::NotRung { device, why }) => format!(
                "entregado, no sonó ({} en el PC {device})",
                self.not_rung_why(*why)
            ),
            (Lang::En, ReceiptSummary::Delivered { count }) => {
                let pcs = if *count == 1 { "PC" } else { "PCs" };
                format!("delivered to {count} warehouse {pcs}, not rung yet")
            }
            (Lang::Es, ReceiptSummary::Delivered { count }) => {
                let pcs = if *count == 1 { "PC" } else { "PCs" };
                format!("entregado a {count} {pcs} de almacén, aún no sonó")
            }
        }
    }

    /// The alarm banner's headline: "No warehouse PC has order 80001".
    pub fn alarm_headline(self, numbers: &[String]) -> String {
        let shown = numbers
            .iter()
            .take(ALARM_MAX_NUMBERS)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let more = numbers.len().saturating_sub(ALARM_MAX_NUMBERS);
        let (one, many, and_more) = match self {
            Lang::En => (
                "No warehouse PC has order",
                "No warehouse PC has orders",
                "more",
            ),
            Lang::Es => (
                "Ningún PC de almacén tiene el pedido",
                "Ningún PC de almacén tiene los pedidos",
                "más",
            ),
        };
        let lead = if numbers.len() == 1 { one } else { many };
        if more > 0 {
            format!("{lead} {shown} (+{more} {and_more})")
        } else {
            format!("{lead} {shown}")
        }
    }

    /// What to check when the alarm is on.
    pub fn alarm_hint(self, warehouses_online: u32) -> String {
        match (self, warehouses_online) {
            (Lang::En, 0) => "No warehouse PC is connected: check that they are on and on \
                              the network."
                .into(),
            (Lang::Es, 0) => "No hay ningún PC de almacén conectado: comprueba que estén \
                              encendidos y en la red."
                .into(),
            (Lang::En, n) => format!(
                "{n} warehouse PC(s) connected, none rang: check their sound and station, \
                 or call the warehouse."
            ),
            (Lang::Es, n) => format!(
                "{n} PC(s) de almacén conectados, ninguno sonó: revisa su sonido y puesto, \
                 o llama al almacén."
            ),
        }
    }

    pub fn silence_alarm(self) -> &'static str {
        match self {
            Lang::En => "Silence",
            Lang::Es => "Silenciar",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_lines_exist_in_both_languages() {
        let summaries = [
            ReceiptSummary::NoWarehouse,
            ReceiptSummary::Waiting,
            ReceiptSummary::Rang { rang: 1, of: 2 },
            ReceiptSummary::NotRung {
                device: "Bodega-2".into(),
                why: NotRungWhy::SoundOff,
            },
            ReceiptSummary::Delivered { count: 1 },
        ];
        for summary in &summaries {
            let en = Lang::En.receipt_summary(summary);
            let es = Lang::Es.receipt_summary(summary);
            assert!(!en.is_empty() && !es.is_empty());
            assert_ne!(en, es, "{summary:?} is translated");
        }
        assert_eq!(
            Lang::En.receipt_summary(&ReceiptSummary::Rang { rang: 2, of: 2 }),
            "rang on 2 of 2 warehouse PCs"
        );
        assert_eq!(
            Lang::En.alarm_headline(&["80001".into()]),
            "No warehouse PC has order 80001"
        );
    }
}
