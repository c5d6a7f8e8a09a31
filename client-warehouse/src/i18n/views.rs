//! Strings of the backlog views: search and scan, totals, ageing, wall mode. A table
//! of their own beside [`Strings`](super::Strings), same pattern: plain strings are
//! fields, strings with values are methods of [`Language`].

use super::Language;

/// One language's plain strings of the backlog views.
#[derive(Debug)]
pub struct ViewStrings {
    /// Placeholder of the search box; says how to reach it.
    pub search_hint: &'static str,
    /// Accessible name of the search box.
    pub search: &'static str,
    pub pending: &'static str,
    pub rush: &'static str,
    pub oldest: &'static str,
    /// Over the pinned row: the oldest order, which would be below the fold.
    pub oldest_waiting: &'static str,
    pub overdue_after: &'static str,
    pub scan_packs: &'static str,
    pub wall_mode: &'static str,
    pub wall_text_size: &'static str,
    pub exit_wall: &'static str,
    pub view_shortcuts: &'static str,
    pub note: &'static str,
}

pub static VIEWS_ES: ViewStrings = ViewStrings {
    search_hint: "Buscar pedido (/ o F3)",
    search: "Buscar",
    pending: "Pendientes",
    rush: "Urgentes",
    oldest: "Más antiguo",
    oldest_waiting: "EL QUE MÁS ESPERA",
    overdue_after: "Atrasado a partir de (min)",
    scan_packs: "Un número escaneado se empaqueta directamente",
    wall_mode: "Modo pantalla de pared (F11)",
    wall_text_size: "Tamaño del texto en la pared",
    exit_wall: "Salir del modo pared (F11)",
    view_shortcuts: "/ o F3: buscar · número + Intro: escanear · F11: pared",
    note: "Nota",
};

pub static VIEWS_EN: ViewStrings = ViewStrings {
    search_hint: "Search order (/ or F3)",
    search: "Search",
    pending: "Pending",
    rush: "Rush",
    oldest: "Oldest",
    oldest_waiting: "OLDEST WAITING",
    overdue_after: "Overdue from (min)",
    scan_packs: "A scanned number is packed at once",
    wall_mode: "Wall screen mode (F11)",
    wall_text_size: "Wall text size",
    exit_wall: "Exit wall mode (F11)",
    view_shortcuts: "/ or F3: search · number + Enter: scan · F11: wall",
    note: "Note",
};

impl Language {
    pub fn views(self) -> &'static ViewStrings {
        match self {
            Language::Es => &VIEWS_ES,
            Language::En => &VIEWS_EN,
        }
    }

    /// A scan of a number no order has.
    pub fn scan_unknown(self, number: &str) -> String {
        match self {
            Language::Es => format!("El pedido {number} no está pendiente: no existe"),
            Language::En => format!("Order {number} is not pending: no such order"),
        }
    }

    pub fn scan_packed(self, number: &str) -> String {
        match self {
            Language::Es => format!("El pedido {number} no está pendiente: ya está empaquetado"),
            Language::En => format!("Order {number} is not pending: already packed"),
        }
    }

    pub fn scan_cancelled(self, number: &str) -> String {
        match self {
            Language::Es => format!("El pedido {number} no está pendiente: está cancelado"),
            Language::En => format!("Order {number} is not pending: cancelled"),
        }
    }

    /// Shown after a scan selected an order.
    pub fn scan_selected(self, number: &str) -> String {
        match self {
            Language::Es => format!("Pedido {number} elegido: Intro lo empaqueta"),
            Language::En => format!("Order {number} selected: Enter packs it"),
        }
    }

    /// The digits typed so far by a scanner or a person.
    pub fn scanning(self, typed: &str) -> String {
        match self {
            Language::Es => format!("Escaneando: {typed}"),
            Language::En => format!("Scanning: {typed}"),
        }
    }

    /// Last tile of a full wall: how many orders did not fit.
    pub fn more_tickets(self, count: usize) -> String {
        match self {
            Language::Es => format!("+{count} más"),
            Language::En => format!("+{count} more"),
        }
    }

    /// Accessible name of a wall ticket.
    pub fn ticket(self, number: &str, store: &str) -> String {
        match self {
            Language::Es => format!("Pedido {number} {store}"),
            Language::En => format!("Order {number} {store}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_strings_are_translated_and_carry_their_values() {
        let es = format!("{VIEWS_ES:#?}");
        let en = format!("{VIEWS_EN:#?}");
        assert_eq!(es.lines().count(), en.lines().count());
        let same = es.lines().zip(en.lines()).filter(|(a, b)| a == b).count();
        // Only the struct's opening and closing lines read the same.
        assert_eq!(same, 2, "{es}\n{en}");
        for lang in Language::ALL {
            for message in [
                lang.scan_unknown("80042"),
                lang.scan_packed("80042"),
                lang.scan_cancelled("80042"),
                lang.scan_selected("80042"),
                lang.scanning("80042"),
                lang.ticket("80042", "Centro"),
            ] {
                assert!(message.contains("80042"), "{message}");
            }
            assert!(lang.more_tickets(17).contains("17"));
        }
        assert_eq!(
            Language::En.scan_unknown("80042"),
            "Order 80042 is not pending: no such order"
        );
    }
}
