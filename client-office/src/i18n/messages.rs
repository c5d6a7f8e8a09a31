//! Strings with values in them: one method of [`Lang`] per message.

use chrono::{DateTime, Utc};
use packbell_shared::protocol::Role;
use packbell_shared::zone::Zone;

use super::{Lang, time};
use crate::model::{Duplicate, Feedback, FieldError, NameError, Operation, RowStatus};

impl Lang {
    pub fn role(self, role: Role) -> &'static str {
        match (self, role) {
            (Lang::En, Role::Office) => "office",
            (Lang::En, Role::Warehouse) => "warehouse",
            (Lang::En, Role::Admin) => "admin",
            (Lang::Es, Role::Office) => "oficina",
            (Lang::Es, Role::Warehouse) => "almacén",
            (Lang::Es, Role::Admin) => "administrador",
        }
    }

    pub fn status(self, status: RowStatus) -> &'static str {
        match (self, status) {
            (Lang::En, RowStatus::Queued) => "queued",
            (Lang::En, RowStatus::Pending) => "pending",
            (Lang::En, RowStatus::Packed) => "packed",
            (Lang::En, RowStatus::Cancelled) => "cancelled",
            (Lang::En, RowStatus::Refused) => "refused",
            (Lang::Es, RowStatus::Queued) => "en cola",
            (Lang::Es, RowStatus::Pending) => "pendiente",
            (Lang::Es, RowStatus::Packed) => "empaquetado",
            (Lang::Es, RowStatus::Cancelled) => "cancelado",
            (Lang::Es, RowStatus::Refused) => "rechazado",
        }
    }

    /// "3 pending", "3 pendientes": a count of orders in a status.
    pub fn status_count(self, status: RowStatus, count: usize) -> String {
        let word = match (self, status, count) {
            (Lang::Es, RowStatus::Pending, n) if n != 1 => "pendientes",
            (Lang::Es, RowStatus::Packed, n) if n != 1 => "empaquetados",
            (Lang::Es, RowStatus::Cancelled, n) if n != 1 => "cancelados",
            (Lang::Es, RowStatus::Refused, n) if n != 1 => "rechazados",
            _ => self.status(status),
        };
        format!("{count} {word}")
    }

    pub fn field_error(self, error: &FieldError) -> String {
        match (self, error) {
            (Lang::En, FieldError::NumberEmpty) => "Type the order number.".into(),
            (Lang::Es, FieldError::NumberEmpty) => "Escribe el número de pedido.".into(),
            (Lang::En, FieldError::NumberTooLong { len, max }) => {
                format!("The order number is too long ({len}/{max} characters).")
            }
            (Lang::Es, FieldError::NumberTooLong { len, max }) => {
                format!("El número de pedido es demasiado largo ({len}/{max} caracteres).")
            }
            (Lang::En, FieldError::NumberHiddenCharacter { character }) => format!(
                "The order number has an invisible or control character (U+{:04X}). \
                 Delete it and type the number again.",
                u32::from(*character)
            ),
            (Lang::Es, FieldError::NumberHiddenCharacter { character }) => format!(
                "El número de pedido tiene un carácter invisible o de control (U+{:04X}). \
                 Bórralo y escribe el número otra vez.",
                u32::from(*character)
            ),
            (Lang::En, FieldError::NumberEmoji { character }) => {
                format!("Order numbers cannot contain emoji ({character}).")
            }
            (Lang::Es, FieldError::NumberEmoji { character }) => {
                format!("Los números de pedido no pueden llevar emojis ({character}).")
            }
            (Lang::En, FieldError::StoreEmpty) => "Choose a store.".into(),
            (Lang::Es, FieldError::StoreEmpty) => "Elige una tienda.".into(),
            (Lang::En, FieldError::StoreUnknown { typed }) => {
                format!("No store matches “{typed}”.")
            }
            (Lang::Es, FieldError::StoreUnknown { typed }) => {
                format!("Ninguna tienda coincide con «{typed}».")
            }
            (Lang::En, FieldError::StoreInactive { name }) => {
                format!("{name} is deactivated.")
            }
            (Lang::Es, FieldError::StoreInactive { name }) => {
                format!("{name} está desactivada.")
            }
            (Lang::En, FieldError::NoteTooLong { len, max }) => {
                format!("The note is too long ({len}/{max} characters).")
            }
            (Lang::Es, FieldError::NoteTooLong { len, max }) => {
                format!("La nota es demasiado larga ({len}/{max} caracteres).")
            }
        }
    }

    pub fn name_error(self, error: &NameError) -> String {
        match (self, error) {
            (Lang::En, NameError::Empty) => "Type a name.".into(),
            (Lang::Es, NameError::Empty) => "Escribe un nombre.".into(),
            (Lang::En, NameError::TooLong { len, max }) => {
                format!("The name is too long ({len}/{max} characters).")
            }
            (Lang::Es, NameError::TooLong { len, max }) => {
                format!("El nombre es demasiado largo ({len}/{max} caracteres).")
            }
            (Lang::En, NameError::Taken { name }) => {
                format!("There is already a store called {name}.")
            }
            (Lang::Es, NameError::Taken { name }) => format!("Ya hay una tienda llamada {name}."),
        }
    }

    pub fn duplicate(self, zone: Zone, dup: &Duplicate) -> String {
        let at = time(zone, dup.entered_at);
        let Duplicate {
            order_number,
            store,
            queued,
            ..
        } = dup;
        match (self, queued) {
            (Lang::En, false) => format!(
                "⚠ {order_number} is already pending for {store} (entered at {at}). Sending it asks first."
            ),
            (Lang::En, true) => format!(
                "⚠ {order_number} for {store} is already queued on this PC (entered at {at}). Sending it asks first."
            ),
            (Lang::Es, false) => format!(
                "⚠ {order_number} ya está pendiente para {store} (entrado a las {at}). Al enviarlo se pregunta antes."
            ),
            (Lang::Es, true) => format!(
                "⚠ {order_number} para {store} ya está en cola en este PC (entrado a las {at}). Al enviarlo se pregunta antes."
            ),
        }
    }

    pub fn feedback(self, feedback: &Feedback) -> String {
        match (self, feedback) {
            (
                Lang::En,
                Feedback::Confirmed {
                    order_number,
                    store,
                },
            ) => {
                format!("✔ {order_number} for {store}: received by the server.")
            }
            (
                Lang::Es,
                Feedback::Confirmed {
                    order_number,
                    store,
                },
            ) => {
                format!("✔ {order_number} para {store}: recibido por el servidor.")
            }
            (
                Lang::En,
                Feedback::Queued {
                    order_number,
                    store,
                },
            ) => format!(
                "⏳ {order_number} for {store} is queued on this PC and will be sent when the server is back."
            ),
            (
                Lang::Es,
                Feedback::Queued {
                    order_number,
                    store,
                },
            ) => format!(
                "⏳ {order_number} para {store} está en cola en este PC y se enviará cuando vuelva el servidor."
            ),
            (
                Lang::En,
                Feedback::OrderRefused {
                    order_number, code, ..
                },
            ) => format!("✖ {order_number} was not accepted: {}", self.error_code(*code)),
            (
                Lang::Es,
                Feedback::OrderRefused {
                    order_number, code, ..
                },
            ) => format!("✖ {order_number} no se aceptó: {}", self.error_code(*code)),
            (_, Feedback::OperationDone(op)) => format!("✔ {}", self.operation_done(op)),
            (Lang::En, Feedback::OperationRefused(op, code, _)) => {
                format!("✖ {} refused: {}", self.operation(op), self.error_code(*code))
            }
            (Lang::Es, Feedback::OperationRefused(op, code, _)) => {
                format!("✖ {} rechazado: {}", self.operation(op), self.error_code(*code))
            }
            (Lang::En, Feedback::NotSent(_)) => {
                "✖ Not sent: this window's connection is busy or closing. Try again in a moment.".into()
            }
            (Lang::Es, Feedback::NotSent(_)) => {
                "✖ No enviado: la conexión de esta ventana está ocupada o cerrándose. Prueba otra vez en un momento.".into()
            }
            (_, Feedback::Notice(kind, _)) => format!("⚠ {}", self.notice(*kind)),
            (_, Feedback::UndoRefused(op, code)) => self.undo_refused(op, *code),
        }
    }

    /// What an operation does, as a noun phrase.
    pub fn operation(self, op: &Operation) -> String {
        match (self, op) {
            (_, Operation::Undo(op)) => self.undo_operation(op),
            (_, Operation::SetAgeing(_)) => self.ageing_tr().saving.to_owned(),
            (_, Operation::Stock(op)) => self.stock_operation(op),
            (Lang::En, Operation::Cancel { order_number, .. }) => {
                format!("Cancelling {order_number}")
            }
            (Lang::Es, Operation::Cancel { order_number, .. }) => {
                format!("Cancelar {order_number}")
            }
            (Lang::En, Operation::AddStore { name }) => format!("Adding store {name}"),
            (Lang::Es, Operation::AddStore { name }) => format!("Añadir la tienda {name}"),
            (Lang::En, Operation::RenameStore { name, .. }) => format!("Renaming to {name}"),
            (Lang::Es, Operation::RenameStore { name, .. }) => format!("Renombrar a {name}"),
            (Lang::En, Operation::DeactivateStore { name, .. }) => {
                format!("Deactivating {name}")
            }
            (Lang::Es, Operation::DeactivateStore { name, .. }) => {
                format!("Desactivar {name}")
            }
            (Lang::En, Operation::RevokeDevice { name, .. }) => format!("Revoking {name}"),
            (Lang::Es, Operation::RevokeDevice { name, .. }) => format!("Revocar {name}"),
            (Lang::En, Operation::ChangeRole { name, role, .. }) => {
                format!("Changing {name} to {}", self.role(*role))
            }
            (Lang::Es, Operation::ChangeRole { name, role, .. }) => {
                format!("Cambiar {name} a {}", self.role(*role))
            }
        }
    }

    pub fn operation_done(self, op: &Operation) -> String {
        match (self, op) {
            (_, Operation::Undo(op)) => self.undo_done(op),
            (_, Operation::SetAgeing(ageing)) => self.ageing_saved(ageing),
            (_, Operation::Stock(op)) => self.stock_done(op),
            (Lang::En, Operation::Cancel { order_number, .. }) => {
                format!("{order_number} cancelled.")
            }
            (Lang::Es, Operation::Cancel { order_number, .. }) => {
                format!("{order_number} cancelado.")
            }
            (Lang::En, Operation::AddStore { name }) => format!("Store {name} added."),
            (Lang::Es, Operation::AddStore { name }) => format!("Tienda {name} añadida."),
            (Lang::En, Operation::RenameStore { name, .. }) => {
                format!("Store renamed to {name}.")
            }
            (Lang::Es, Operation::RenameStore { name, .. }) => {
                format!("Tienda renombrada a {name}.")
            }
            (Lang::En, Operation::DeactivateStore { name, .. }) => {
                format!("Store {name} deactivated.")
            }
            (Lang::Es, Operation::DeactivateStore { name, .. }) => {
                format!("Tienda {name} desactivada.")
            }
            (Lang::En, Operation::RevokeDevice { name, .. }) => format!("{name} revoked."),
            (Lang::Es, Operation::RevokeDevice { name, .. }) => format!("{name} revocado."),
            (Lang::En, Operation::ChangeRole { name, role, .. }) => format!(
                "{name} is now {}; it reconnects with the new role.",
                self.role(*role)
            ),
            (Lang::Es, Operation::ChangeRole { name, role, .. }) => format!(
                "{name} tiene ahora el rol {}; se reconecta con él.",
                self.role(*role)
            ),
        }
    }

    pub fn connected(self, site: &str) -> String {
        match self {
            Lang::En => format!("Connected · {site}"),
            Lang::Es => format!("Conectado · {site}"),
        }
    }

    /// The status bar's line when the server refused this PC (the banner says more).
    pub fn refused(self) -> &'static str {
        match self {
            Lang::En => "Refused by the server",
            Lang::Es => "Rechazado por el servidor",
        }
    }

    pub fn outbox(self, count: usize) -> String {
        match self {
            Lang::En => format!("{count} waiting to be sent"),
            Lang::Es => format!("{count} por enviar"),
        }
    }

    pub fn role_line(self, role: Role) -> String {
        match self {
            Lang::En => format!("Role: {}", self.role(role)),
            Lang::Es => format!("Rol: {}", self.role(role)),
        }
    }

    /// "Almacén 1 at 10:42".
    pub fn by_at(self, zone: Zone, who: &str, at: DateTime<Utc>) -> String {
        let at = time(zone, at);
        match self {
            Lang::En => format!("{who} at {at}"),
            Lang::Es => format!("{who} a las {at}"),
        }
    }

    pub fn cancel_title(self, order_number: &str) -> String {
        match self {
            Lang::En => format!("Cancel order {order_number}"),
            Lang::Es => format!("Cancelar el pedido {order_number}"),
        }
    }

    pub fn issued_code(self, zone: Zone, code: &str, role: Role, expires: DateTime<Utc>) -> String {
        let role = self.role(role);
        let until = time(zone, expires);
        match self {
            Lang::En => format!("Code {code} for a {role} device, valid until {until}."),
            Lang::Es => {
                format!("Código {code} para un dispositivo de {role}, válido hasta las {until}.")
            }
        }
    }

    /// One server found by discovery: "Tienda Sol · 192.168.1.10:47801 · id 3f2a:9c1e:…".
    pub fn found_server(self, site: &str, addr: &str, server_id: &str) -> String {
        let short = packbell_shared::tls::short_fingerprint(server_id);
        format!("{site} · {addr} · id {short}")
    }

    /// Accessible name of a device's role picker.
    pub fn role_of(self, name: &str) -> String {
        match self {
            Lang::En => format!("Role of {name}"),
            Lang::Es => format!("Rol de {name}"),
        }
    }

    /// The button that confirms a picked role.
    pub fn change_role_to(self, role: Role) -> String {
        let role = self.role(role);
        match self {
            Lang::En => format!("Change to {role} ✔"),
            Lang::Es => format!("Cambiar a {role} ✔"),
        }
    }

    /// Asked before this PC's own role changes.
    pub fn this_pc_warning(self, role: Role) -> String {
        let role = self.role(role);
        match self {
            Lang::En => format!(
                "This is this PC: it reconnects as {role} and the Admin screens close. Only another admin device can change it back."
            ),
            Lang::Es => format!(
                "Es este PC: se reconectará como {role} y se cerrarán las pantallas de administración. Solo otro dispositivo administrador podrá deshacerlo."
            ),
        }
    }

    /// When the server's status arrived.
    pub fn reported_at(self, zone: Zone, at: DateTime<Utc>) -> String {
        let at = zone.format(at, "%H:%M:%S");
        match self {
            Lang::En => format!("Reported at {at}."),
            Lang::Es => format!("Datos de las {at}."),
        }
    }

    /// A local date and time: "2025-03-14 09:05".
    pub fn date_time(self, zone: Zone, at: DateTime<Utc>) -> String {
        zone.format(at, "%Y-%m-%d %H:%M")
    }

    /// How long the server has been running: "45 s", "12 min", "3 h 12 min",
    /// "2 days 3 h".
    pub fn uptime(self, seconds: u64) -> String {
        let (days, hours, minutes) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60);
        if seconds < 60 {
            format!("{seconds} s")
        } else if seconds < 3600 {
            format!("{minutes} min")
        } else if days == 0 {
            format!("{hours} h {minutes} min")
        } else {
            let unit = match (self, days) {
                (Lang::En, 1) => "day",
                (Lang::En, _) => "days",
                (Lang::Es, 1) => "día",
                (Lang::Es, _) => "días",
            };
            format!("{days} {unit} {hours} h")
        }
    }

    /// A size in bytes for people: "812 B", "4.2 KiB", "12.8 MiB" ("4,2 KiB" in Spanish).
    pub fn bytes(self, bytes: u64) -> String {
        const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
        if bytes < 1024 {
            return format!("{bytes} B");
        }
        let mut value = bytes as f64 / 1024.0;
        let mut unit = 0;
        while value >= 1024.0 && unit + 1 < UNITS.len() {
            value /= 1024.0;
            unit += 1;
        }
        let text = format!("{value:.1} {}", UNITS[unit]);
        match self {
            Lang::En => text,
            Lang::Es => text.replace('.', ","),
        }
    }

    /// Open connections per role: "office 2 · warehouse 3 · admin 1".
    pub fn connections(self, office: u32, warehouse: u32, admin: u32) -> String {
        format!(
            "{} {office} · {} {warehouse} · {} {admin}",
            self.role(Role::Office),
            self.role(Role::Warehouse),
            self.role(Role::Admin)
        )
    }

    pub fn listed_at(self, zone: Zone, at: DateTime<Utc>) -> String {
        let at = time(zone, at);
        match self {
            Lang::En => format!("Listed at {at}."),
            Lang::Es => format!("Lista de las {at}."),
        }
    }

    pub fn note_count(self, len: usize, max: usize) -> String {
        format!("{len}/{max}")
    }
}
