//! Every string the office client shows, in English and Spanish.
//!
//! Plain strings are fields of [`Tr`]; strings with values in them are methods of
//! [`Lang`]. The ui never spells a user-visible word itself.

use chrono::{DateTime, Duration, Local, Utc};
use packbell_shared::protocol::Role;
use serde::{Deserialize, Serialize};

use crate::model::{Duplicate, Feedback, FieldError, NameError, Operation, RowStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// The language of a locale tag such as `es-ES` or `en_US.UTF-8`; English
    /// unless it is Spanish.
    pub fn from_locale(locale: Option<&str>) -> Lang {
        match locale {
            Some(tag) if tag.to_ascii_lowercase().starts_with("es") => Lang::Es,
            _ => Lang::En,
        }
    }

    /// The system's language, as far as we speak it.
    pub fn system() -> Lang {
        Lang::from_locale(sys_locale::get_locale().as_deref())
    }

    /// The language's own name, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }

    pub fn tr(self) -> &'static Tr {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }
}

/// Local wall-clock time of a UTC instant, as the office reads it.
pub fn time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%H:%M").to_string()
}

/// A short duration: "45 s", "4 min 32 s", "2 h 05 min".
pub fn duration(d: Duration) -> String {
    let secs = d.num_seconds().max(0);
    if secs < 60 {
        format!("{secs} s")
    } else if secs < 3600 {
        format!("{} min {:02} s", secs / 60, secs % 60)
    } else {
        format!("{} h {:02} min", secs / 3600, (secs % 3600) / 60)
    }
}

/// Plain strings of one language.
#[derive(Debug)]
pub struct Tr {
    pub app_title: &'static str,
    pub tab_orders: &'static str,
    pub tab_admin: &'static str,
    pub language: &'static str,
    pub theme: &'static str,
    pub theme_system: &'static str,
    pub theme_light: &'static str,
    pub theme_dark: &'static str,

    pub new_order: &'static str,
    pub order_number: &'static str,
    pub store: &'static str,
    pub store_hint: &'static str,
    pub note: &'static str,
    pub note_hint: &'static str,
    pub rush: &'static str,
    pub send: &'static str,
    pub keys_hint: &'static str,
    pub no_store_matches: &'static str,

    pub todays_orders: &'static str,
    pub search: &'static str,
    pub all_stores: &'static str,
    pub all_statuses: &'static str,
    pub filter_store: &'static str,
    pub filter_status: &'static str,
    pub col_number: &'static str,
    pub col_store: &'static str,
    pub col_status: &'static str,
    pub col_entered: &'static str,
    pub col_done: &'static str,
    pub col_time_to_pack: &'static str,
    pub col_note: &'static str,
    pub rush_mark: &'static str,
    pub cancel_order: &'static str,
    pub cancelling: &'static str,
    pub no_orders_today: &'static str,
    pub no_orders_match: &'static str,

    pub cancel_reason: &'static str,
    pub cancel_reason_hint: &'static str,
    pub cancel_reason_missing: &'static str,
    pub cancel_confirm: &'static str,
    pub cancel_keep: &'static str,

    pub connecting: &'static str,
    pub not_paired: &'static str,
    pub stale: &'static str,

    pub pair_title: &'static str,
    pub pair_text: &'static str,
    pub pair_code: &'static str,
    pub pair_button: &'static str,
    pub pair_checking: &'static str,
    pub pair_choose_server: &'static str,

    pub admin_stores: &'static str,
    pub admin_devices: &'static str,
    pub admin_exports: &'static str,
    pub admin_site: &'static str,
    pub new_store_name: &'static str,
    pub add_store: &'static str,
    pub rename: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub deactivate: &'static str,
    pub active: &'static str,
    pub inactive: &'static str,
    pub working: &'static str,
    pub no_stores: &'static str,

    pub refresh: &'static str,
    pub col_name: &'static str,
    pub col_role: &'static str,
    pub col_last_seen: &'static str,
    pub col_connected: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub never: &'static str,
    pub revoked: &'static str,
    pub revoke: &'static str,
    pub devices_hint: &'static str,
    pub roles_hint: &'static str,
    pub this_pc_mark: &'static str,
    pub confirm_this_pc: &'static str,
    pub only_admin: &'static str,
    pub new_code_for: &'static str,
    pub create_code: &'static str,

    pub export_from: &'static str,
    pub export_to: &'static str,
    pub export_stores: &'static str,
    pub export_all_stores_hint: &'static str,
    pub date_hint: &'static str,
    pub export_button: &'static str,
    pub export_coming: &'static str,

    pub site_name: &'static str,
    pub server_id: &'static str,
    pub this_device: &'static str,
    pub role: &'static str,
    pub connection: &'static str,
    pub last_event: &'static str,
    pub stores_count: &'static str,
    pub orders_today: &'static str,
    pub connected_now: &'static str,
    pub connected_now_hint: &'static str,
    pub site_local: &'static str,
    pub site_server: &'static str,
    pub server_version: &'static str,
    pub started_at: &'static str,
    pub uptime: &'static str,
    pub connections: &'static str,
    pub database_size: &'static str,
    pub head_seq: &'static str,
    pub site_status_none: &'static str,
}

pub static EN: Tr = Tr {
    app_title: "packbell · office",
    tab_orders: "Orders",
    tab_admin: "Admin",
    language: "Language",
    theme: "Theme",
    theme_system: "System",
    theme_light: "Light",
    theme_dark: "Dark",

    new_order: "New order",
    order_number: "Order number",
    store: "Store",
    store_hint: "type to search",
    note: "Note (optional)",
    note_hint: "e.g. fragile, call before",
    rush: "Rush",
    send: "Send",
    keys_hint: "Enter sends · Tab next field · Up/Down choose store · Ctrl+R rush",
    no_store_matches: "no store matches",

    todays_orders: "Today's orders",
    search: "Search number",
    all_stores: "All stores",
    all_statuses: "All statuses",
    filter_store: "Filter by store",
    filter_status: "Filter by status",
    col_number: "Number",
    col_store: "Store",
    col_status: "Status",
    col_entered: "Entered",
    col_done: "Packed / cancelled",
    col_time_to_pack: "Time to pack",
    col_note: "Note",
    rush_mark: "RUSH",
    cancel_order: "Cancel…",
    cancelling: "cancelling…",
    no_orders_today: "No orders yet today.",
    no_orders_match: "No orders match the search and filters.",

    cancel_reason: "Reason",
    cancel_reason_hint: "why is it cancelled?",
    cancel_reason_missing: "A reason is required.",
    cancel_confirm: "Cancel the order",
    cancel_keep: "Keep it",

    connecting: "Connecting…",
    not_paired: "Not paired: enter the pairing code",
    stale: "showing the last known state",

    pair_title: "Pair this PC",
    pair_text: "Ask the administrator for a pairing code (the server shows one on its console) and type it here.",
    pair_code: "Pairing code",
    pair_button: "Pair",
    pair_checking: "Checking the code…",
    pair_choose_server: "Several packbell servers answered on this network. Pick the one of your shop:",

    admin_stores: "Stores",
    admin_devices: "Devices",
    admin_exports: "Exports",
    admin_site: "Site",
    new_store_name: "New store name",
    add_store: "Add store",
    rename: "Rename",
    save: "Save",
    cancel: "Cancel",
    deactivate: "Deactivate",
    active: "active",
    inactive: "deactivated",
    working: "working…",
    no_stores: "No stores yet: add the first one above.",

    refresh: "Refresh",
    col_name: "Name",
    col_role: "Role",
    col_last_seen: "Last seen",
    col_connected: "Connected now",
    yes: "yes",
    no: "no",
    never: "never",
    revoked: "revoked",
    revoke: "Revoke",
    devices_hint: "Press Refresh to ask the server for last-seen times and who is connected.",
    roles_hint: "Changing a role disconnects that device for a moment: it reconnects by itself with the new role.",
    this_pc_mark: "(this PC)",
    confirm_this_pc: "Yes, change this PC ✔",
    only_admin: "This PC is the only admin device: pair another admin before changing its role.",
    new_code_for: "New pairing code for a device of role",
    create_code: "Create code",

    export_from: "From",
    export_to: "To",
    export_stores: "Stores",
    export_all_stores_hint: "None ticked means all stores.",
    date_hint: "YYYY-MM-DD",
    export_button: "Export CSV…",
    export_coming: "The audit CSV export comes with CSV reports.",

    site_name: "Site",
    server_id: "Server id",
    this_device: "This device",
    role: "Role",
    connection: "Connection",
    last_event: "Last event (seq)",
    stores_count: "Active stores",
    orders_today: "Orders today",
    connected_now: "Devices connected",
    connected_now_hint: "press Refresh under Devices",
    site_local: "This PC",
    site_server: "Server",
    server_version: "Server version",
    started_at: "Started",
    uptime: "Uptime",
    connections: "Connections by role",
    database_size: "Database size",
    head_seq: "Last event on the server (seq)",
    site_status_none: "No answer from the server yet: it answers when this PC is connected. Press Refresh to ask again.",
};

pub static ES: Tr = Tr {
    app_title: "packbell · oficina",
    tab_orders: "Pedidos",
    tab_admin: "Administración",
    language: "Idioma",
    theme: "Tema",
    theme_system: "Sistema",
    theme_light: "Claro",
    theme_dark: "Oscuro",

    new_order: "Nuevo pedido",
    order_number: "Número de pedido",
    store: "Tienda",
    store_hint: "escribe para buscar",
    note: "Nota (opcional)",
    note_hint: "p. ej. frágil, llamar antes",
    rush: "Urgente",
    send: "Enviar",
    keys_hint: "Intro envía · Tab siguiente campo · flechas elegir tienda · Ctrl+R urgente",
    no_store_matches: "ninguna tienda coincide",

    todays_orders: "Pedidos de hoy",
    search: "Buscar número",
    all_stores: "Todas las tiendas",
    all_statuses: "Todos los estados",
    filter_store: "Filtrar por tienda",
    filter_status: "Filtrar por estado",
    col_number: "Número",
    col_store: "Tienda",
    col_status: "Estado",
    col_entered: "Entrada",
    col_done: "Preparado / cancelado",
    col_time_to_pack: "Tiempo",
    col_note: "Nota",
    rush_mark: "URGENTE",
    cancel_order: "Cancelar…",
    cancelling: "cancelando…",
    no_orders_today: "Aún no hay pedidos hoy.",
    no_orders_match: "Ningún pedido coincide con la búsqueda y los filtros.",

    cancel_reason: "Motivo",
    cancel_reason_hint: "¿por qué se cancela?",
    cancel_reason_missing: "Hace falta un motivo.",
    cancel_confirm: "Cancelar el pedido",
    cancel_keep: "No cancelar",

    connecting: "Conectando…",
    not_paired: "Sin emparejar: introduce el código",
    stale: "mostrando el último estado conocido",

    pair_title: "Emparejar este PC",
    pair_text: "Pide un código de emparejamiento al administrador (el servidor lo muestra en su consola) y escríbelo aquí.",
    pair_code: "Código de emparejamiento",
    pair_button: "Emparejar",
    pair_checking: "Comprobando el código…",
    pair_choose_server: "Han respondido varios servidores packbell en esta red. Elige el de tu tienda:",

    admin_stores: "Tiendas",
    admin_devices: "Dispositivos",
    admin_exports: "Exportar",
    admin_site: "Sitio",
    new_store_name: "Nombre de la tienda nueva",
    add_store: "Añadir tienda",
    rename: "Renombrar",
    save: "Guardar",
    cancel: "Cancelar",
    deactivate: "Desactivar",
    active: "activa",
    inactive: "desactivada",
    working: "en curso…",
    no_stores: "Aún no hay tiendas: añade la primera arriba.",

    refresh: "Actualizar",
    col_name: "Nombre",
    col_role: "Rol",
    col_last_seen: "Última vez",
    col_connected: "Conectado ahora",
    yes: "sí",
    no: "no",
    never: "nunca",
    revoked: "revocado",
    revoke: "Revocar",
    devices_hint: "Pulsa Actualizar para pedir al servidor la última conexión y quién está conectado.",
    roles_hint: "Al cambiar el rol, ese dispositivo se desconecta un momento y se vuelve a conectar solo con el rol nuevo.",
    this_pc_mark: "(este PC)",
    confirm_this_pc: "Sí, cambiar este PC ✔",
    only_admin: "Este PC es el único dispositivo administrador: empareja otro administrador antes de cambiar su rol.",
    new_code_for: "Código de emparejamiento nuevo para un dispositivo con rol",
    create_code: "Crear código",

    export_from: "Desde",
    export_to: "Hasta",
    export_stores: "Tiendas",
    export_all_stores_hint: "Sin marcar ninguna, todas las tiendas.",
    date_hint: "AAAA-MM-DD",
    export_button: "Exportar CSV…",
    export_coming: "La exportación CSV de auditoría llegará con los informes CSV.",

    site_name: "Sitio",
    server_id: "Id del servidor",
    this_device: "Este dispositivo",
    role: "Rol",
    connection: "Conexión",
    last_event: "Último evento (seq)",
    stores_count: "Tiendas activas",
    orders_today: "Pedidos de hoy",
    connected_now: "Dispositivos conectados",
    connected_now_hint: "pulsa Actualizar en Dispositivos",
    site_local: "Este PC",
    site_server: "Servidor",
    server_version: "Versión del servidor",
    started_at: "En marcha desde",
    uptime: "Tiempo en marcha",
    connections: "Conexiones por rol",
    database_size: "Tamaño de la base de datos",
    head_seq: "Último evento en el servidor (seq)",
    site_status_none: "El servidor aún no ha respondido: responde cuando este PC está conectado. Pulsa Actualizar para preguntar otra vez.",
};

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
            (Lang::Es, RowStatus::Packed) => "preparado",
            (Lang::Es, RowStatus::Cancelled) => "cancelado",
            (Lang::Es, RowStatus::Refused) => "rechazado",
        }
    }

    /// "3 pending", "3 pendientes": a count of orders in a status.
    pub fn status_count(self, status: RowStatus, count: usize) -> String {
        let word = match (self, status, count) {
            (Lang::Es, RowStatus::Pending, n) if n != 1 => "pendientes",
            (Lang::Es, RowStatus::Packed, n) if n != 1 => "preparados",
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

    pub fn duplicate(self, dup: &Duplicate) -> String {
        let at = time(dup.entered_at);
        let Duplicate {
            order_number,
            store,
            queued,
            ..
        } = dup;
        match (self, queued) {
            (Lang::En, false) => format!(
                "⚠ {order_number} is already pending for {store} (entered at {at}). Enter sends it again anyway."
            ),
            (Lang::En, true) => format!(
                "⚠ {order_number} for {store} is already queued on this PC (entered at {at}). Enter sends it again anyway."
            ),
            (Lang::Es, false) => format!(
                "⚠ {order_number} ya está pendiente para {store} (entrado a las {at}). Intro lo envía otra vez de todos modos."
            ),
            (Lang::Es, true) => format!(
                "⚠ {order_number} para {store} ya está en cola en este PC (entrado a las {at}). Intro lo envía otra vez de todos modos."
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
                    order_number,
                    message,
                },
            ) => format!("✖ {order_number} was refused by the server: {message}"),
            (
                Lang::Es,
                Feedback::OrderRefused {
                    order_number,
                    message,
                },
            ) => format!("✖ El servidor rechazó {order_number}: {message}"),
            (_, Feedback::OperationDone(op)) => format!("✔ {}", self.operation_done(op)),
            (Lang::En, Feedback::OperationRefused(op, message)) => {
                format!("✖ {} refused: {message}", self.operation(op))
            }
            (Lang::Es, Feedback::OperationRefused(op, message)) => {
                format!("✖ {} rechazado: {message}", self.operation(op))
            }
            (Lang::En, Feedback::NotSent(message)) => format!("✖ Not sent: {message}"),
            (Lang::Es, Feedback::NotSent(message)) => format!("✖ No enviado: {message}"),
        }
    }

    /// What an operation does, as a noun phrase.
    pub fn operation(self, op: &Operation) -> String {
        match (self, op) {
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

    pub fn reconnecting(self, since: DateTime<Utc>, attempt: u32, reason: &str) -> String {
        let since = time(since);
        match self {
            Lang::En => format!("Offline since {since} · retrying (attempt {attempt}) · {reason}"),
            Lang::Es => format!(
                "Sin conexión desde las {since} · reintentando (intento {attempt}) · {reason}"
            ),
        }
    }

    pub fn refused(self, reason: &str) -> String {
        match self {
            Lang::En => format!("Refused by the server: {reason}"),
            Lang::Es => format!("Rechazado por el servidor: {reason}"),
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
    pub fn by_at(self, who: &str, at: DateTime<Utc>) -> String {
        let at = time(at);
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

    pub fn issued_code(self, code: &str, role: Role, expires: DateTime<Utc>) -> String {
        let role = self.role(role);
        let until = time(expires);
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
    pub fn reported_at(self, at: DateTime<Utc>) -> String {
        let at = at.with_timezone(&Local).format("%H:%M:%S");
        match self {
            Lang::En => format!("Reported at {at}."),
            Lang::Es => format!("Datos de las {at}."),
        }
    }

    /// A local date and time: "2025-03-14 09:05".
    pub fn date_time(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M")
            .to_string()
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

    pub fn listed_at(self, at: DateTime<Utc>) -> String {
        let at = time(at);
        match self {
            Lang::En => format!("Listed at {at}."),
            Lang::Es => format!("Lista de las {at}."),
        }
    }

    pub fn note_count(self, len: usize, max: usize) -> String {
        format!("{len}/{max}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_locales_pick_spanish_and_anything_else_english() {
        assert_eq!(Lang::from_locale(Some("es-ES")), Lang::Es);
        assert_eq!(Lang::from_locale(Some("es_MX.UTF-8")), Lang::Es);
        assert_eq!(Lang::from_locale(Some("en-GB")), Lang::En);
        assert_eq!(Lang::from_locale(Some("fr-FR")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(
            Lang::Es.status_count(RowStatus::Pending, 10),
            "10 pendientes"
        );
        assert_eq!(Lang::Es.status_count(RowStatus::Packed, 1), "1 preparado");
        assert_eq!(Lang::Es.status_count(RowStatus::Queued, 2), "2 en cola");
        assert_eq!(Lang::En.status_count(RowStatus::Packed, 4), "4 packed");
    }

    #[test]
    fn uptimes_and_sizes_read_naturally() {
        assert_eq!(Lang::En.uptime(42), "42 s");
        assert_eq!(Lang::En.uptime(12 * 60 + 5), "12 min");
        assert_eq!(Lang::En.uptime(3 * 3600 + 12 * 60 + 59), "3 h 12 min");
        assert_eq!(Lang::En.uptime(86_400 + 3 * 3600), "1 day 3 h");
        assert_eq!(Lang::Es.uptime(2 * 86_400 + 60), "2 días 0 h");
        assert_eq!(Lang::En.bytes(812), "812 B");
        assert_eq!(Lang::En.bytes(4300), "4.2 KiB");
        assert_eq!(Lang::Es.bytes(4300), "4,2 KiB");
        assert_eq!(Lang::En.bytes(13_421_773), "12.8 MiB");
        assert_eq!(Lang::En.bytes(3 << 30), "3.0 GiB");
        assert_eq!(
            Lang::En.connections(2, 3, 1),
            "office 2 · warehouse 3 · admin 1"
        );
    }

    #[test]
    fn found_servers_show_the_short_fingerprint() {
        assert_eq!(
            Lang::En.found_server("Tienda Sol", "192.168.1.10:47801", "3f2a9c1e77b0d4e5aa"),
            "Tienda Sol · 192.168.1.10:47801 · id 3f2a:9c1e:77b0:d4e5"
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(Duration::seconds(45)), "45 s");
        assert_eq!(duration(Duration::seconds(272)), "4 min 32 s");
        assert_eq!(duration(Duration::seconds(7500)), "2 h 05 min");
    }
}
