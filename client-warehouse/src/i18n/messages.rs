//! Strings with values in them: one method of [`Language`] per message.

use std::fmt::Display;

use packbell_shared::protocol::StoreId;

use super::Language;

impl Language {
    /// Accessible name of a row's "Packed" button.
    pub fn packed_order(self, number: &str) -> String {
        match self {
            Language::Es => format!("Empaquetado {number}"),
            Language::En => format!("Packed {number}"),
        }
    }

    pub fn undo_packed(self, number: &str) -> String {
        match self {
            Language::Es => format!("Deshacer {number}"),
            Language::En => format!("Undo {number}"),
        }
    }

    /// Accessible name of a row's acknowledge button.
    pub fn acknowledge_order(self, number: &str) -> String {
        match self {
            Language::Es => format!("Enterado {number}"),
            Language::En => format!("Got it {number}"),
        }
    }

    pub fn silence_rush(self, count: usize) -> String {
        match self {
            Language::Es => format!("Silenciar urgentes ({count})"),
            Language::En => format!("Silence rush ({count})"),
        }
    }

    /// A store chip: its name and how many orders wait for it.
    pub fn store_chip(self, name: &str, pending: usize) -> String {
        format!("{name}  {pending}")
    }

    pub fn store_chip_hover(self, pending: usize, packed_today: usize) -> String {
        self.summary_line(pending, packed_today)
    }

    /// Pending orders shown and orders packed today (of the stores shown).
    pub fn summary_line(self, pending: usize, packed_today: usize) -> String {
        match self {
            Language::Es => format!("{pending} pendientes · {packed_today} empaquetados hoy"),
            Language::En => format!("{pending} pending · {packed_today} packed today"),
        }
    }

    pub fn connected(self, site: &str) -> String {
        match self {
            Language::Es => format!("Conectado · {site}"),
            Language::En => format!("Connected · {site}"),
        }
    }

    /// `since` is a local wall-clock time, "14:05".
    pub fn offline_since(self, since: &str) -> String {
        match self {
            Language::Es => format!("SIN CONEXIÓN desde las {since}"),
            Language::En => format!("OFFLINE since {since}"),
        }
    }

    pub fn reconnecting_attempt(self, attempt: u32) -> String {
        match self {
            Language::Es => format!("reintentando (intento {attempt})"),
            Language::En => format!("reconnecting (attempt {attempt})"),
        }
    }

    pub fn refused(self, reason: &str) -> String {
        match self {
            Language::Es => format!("El servidor rechazó este equipo: {reason}"),
            Language::En => format!("The server refused this PC: {reason}"),
        }
    }

    /// One server that answered discovery.
    pub fn found_server(self, site: &str, address: impl Display, short_id: &str) -> String {
        format!("{site} · {address} · id {short_id}")
    }

    /// After choosing one of several servers.
    pub fn connecting_to(self, site: &str, address: impl Display) -> String {
        match self {
            Language::Es => format!("Conectando con {site} ({address})…"),
            Language::En => format!("Connecting to {site} ({address})…"),
        }
    }

    /// An order's age under an hour.
    pub fn age_minutes(self, minutes: i64) -> String {
        format!("{minutes} min")
    }

    /// An order's age from an hour on: "1 h 05".
    pub fn age_hours(self, hours: i64, minutes: i64) -> String {
        format!("{hours} h {minutes:02}")
    }

    /// Notification title of a new order.
    pub fn notify_order(self, number: &str, store: &str) -> String {
        match self {
            Language::Es => format!("Pedido {number} — {store}"),
            Language::En => format!("Order {number} — {store}"),
        }
    }

    /// Notification title of a new rush order.
    pub fn notify_rush(self, number: &str, store: &str) -> String {
        match self {
            Language::Es => format!("URGENTE: pedido {number} — {store}"),
            Language::En => format!("RUSH: order {number} — {store}"),
        }
    }

    /// Title of one notification for a burst of live orders.
    pub fn notify_burst(self, count: usize) -> String {
        match self {
            Language::Es => format!("{count} pedidos nuevos"),
            Language::En => format!("{count} new orders"),
        }
    }

    /// Burst title when some of the orders are rush.
    pub fn notify_burst_rush(self, count: usize, rush: usize) -> String {
        match self {
            Language::Es => format!("{count} pedidos nuevos ({rush} urgentes)"),
            Language::En => format!("{count} new orders ({rush} rush)"),
        }
    }

    /// Catch-up summary title.
    pub fn notify_summary(self, count: usize) -> String {
        match self {
            Language::Es => format!("{count} pedidos nuevos mientras estaba desconectado"),
            Language::En => format!("{count} new orders while offline"),
        }
    }

    /// Catch-up summary title when some of the orders are rush.
    pub fn notify_summary_rush(self, count: usize, rush: usize) -> String {
        match self {
            Language::Es => {
                format!("{count} pedidos nuevos mientras estaba desconectado ({rush} urgentes)")
            }
            Language::En => format!("{count} new orders while offline ({rush} rush)"),
        }
    }

    /// Sound failed on this PC: what to check, in words a packer can act on. The
    /// technical cause is in the log and behind the hint's hover text.
    pub fn hint_no_sound(self) -> &'static str {
        match self {
            Language::Es => {
                "Sin sonido en este equipo: compruebe que los altavoces estén conectados y no \
                 silenciados. Los pedidos siguen apareciendo en pantalla."
            }
            Language::En => {
                "No sound on this PC: check that the speakers are plugged in and not muted. \
                 Orders still show on screen."
            }
        }
    }

    /// Desktop notifications are unavailable on this PC (no notification service).
    pub fn hint_no_notifications(self) -> &'static str {
        match self {
            Language::Es => {
                "Este equipo no muestra avisos del escritorio. La lista y el sonido siguen \
                 funcionando."
            }
            Language::En => {
                "This PC does not show desktop notifications. The list and the sound still work."
            }
        }
    }

    /// The server refused a change to an order.
    pub fn rejected(self, number: &str, message: &str) -> String {
        match self {
            Language::Es => format!("No se pudo actualizar el pedido {number}: {message}"),
            Language::En => format!("Could not update order {number}: {message}"),
        }
    }

    /// A store this PC has no name for (yet).
    pub fn unknown_store(self, store_id: StoreId) -> String {
        match self {
            Language::Es => format!("Tienda {store_id}"),
            Language::En => format!("Store {store_id}"),
        }
    }

    /// Orders packed here that the server has not confirmed yet.
    pub fn packed_here_pending(self, count: usize) -> String {
        match self {
            Language::Es => format!("{count} por enviar"),
            Language::En => format!("{count} to send"),
        }
    }

    /// Rows below the visible part of the list.
    pub fn more_below(self, count: usize) -> String {
        match self {
            Language::Es => format!("{count} más abajo"),
            Language::En => format!("{count} more below"),
        }
    }

    /// Title of a cancelled order's notification.
    pub fn notify_cancelled(self, number: &str, store: &str) -> String {
        match self {
            Language::Es => format!("CANCELADO: pedido {number} — {store}"),
            Language::En => format!("CANCELLED: order {number} — {store}"),
        }
    }

    /// The button that opens the "Recently packed" drawer, with its key.
    pub fn recently_packed_button(self, count: usize) -> String {
        match self {
            Language::Es => format!("Empaquetados ({count}) · F4"),
            Language::En => format!("Recently packed ({count}) · F4"),
        }
    }

    /// A drawer row's detail: how long ago and, when known, which PC.
    pub fn packed_ago(self, minutes: i64, by: &str) -> String {
        let ago = match self {
            Language::Es => format!("hace {minutes} min"),
            Language::En => format!("{minutes} min ago"),
        };
        if by.is_empty() {
            ago
        } else {
            format!("{ago} · {by}")
        }
    }

    /// Accessible name of a drawer row's "Bring back" button.
    pub fn bring_back_order(self, number: &str) -> String {
        match self {
            Language::Es => format!("Recuperar {number}"),
            Language::En => format!("Bring back {number}"),
        }
    }
}
