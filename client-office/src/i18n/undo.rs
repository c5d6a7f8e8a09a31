//! Strings of the duplicate warning, the reopen dialog and the edit form.

use packbell_shared::protocol::ErrorCode;
use packbell_shared::zone::Zone;

use super::{Lang, time};
use crate::model::{Duplicate, EditProblem, UndoOperation};

/// Plain strings of one language for these dialogs.
#[derive(Debug)]
pub struct UndoTr {
    pub duplicate_title: &'static str,
    pub send_anyway: &'static str,
    pub dont_send: &'static str,
    pub reopen: &'static str,
    pub reopen_reason: &'static str,
    pub reopen_reason_hint: &'static str,
    pub reopen_reason_missing: &'static str,
    pub reopen_confirm: &'static str,
    pub edit: &'static str,
    pub edit_save: &'static str,
    pub edit_store: &'static str,
    pub edit_note: &'static str,
    pub edit_rush: &'static str,
    pub close: &'static str,
    pub working: &'static str,
}

pub static UNDO_EN: UndoTr = UndoTr {
    duplicate_title: "Already pending",
    send_anyway: "Send anyway",
    dont_send: "Cancel",
    reopen: "Reopen…",
    reopen_reason: "Why is it reopened?",
    reopen_reason_hint: "e.g. two boxes missing",
    reopen_reason_missing: "A reason is required.",
    reopen_confirm: "Reopen the order",
    edit: "Edit…",
    edit_save: "Save",
    edit_store: "Send to store",
    edit_note: "Note for the warehouse",
    edit_rush: "Rush: ring it now",
    close: "Close",
    working: "sending…",
};

pub static UNDO_ES: UndoTr = UndoTr {
    duplicate_title: "Ya está pendiente",
    send_anyway: "Enviar de todos modos",
    dont_send: "Cancelar",
    reopen: "Reabrir…",
    reopen_reason: "¿Por qué se reabre?",
    reopen_reason_hint: "p. ej. faltan dos cajas",
    reopen_reason_missing: "Hace falta un motivo.",
    reopen_confirm: "Reabrir el pedido",
    edit: "Corregir…",
    edit_save: "Guardar",
    edit_store: "Enviar a la tienda",
    edit_note: "Nota para el almacén",
    edit_rush: "Urgente: que suene ya",
    close: "Cerrar",
    working: "enviando…",
};

impl Lang {
    pub fn undo(self) -> &'static UndoTr {
        match self {
            Lang::En => &UNDO_EN,
            Lang::Es => &UNDO_ES,
        }
    }

    /// The duplicate warning of the confirmation dialog.
    pub fn duplicate_confirm(self, zone: Zone, dup: &Duplicate) -> String {
        let at = time(zone, dup.entered_at);
        let Duplicate {
            order_number,
            store,
            queued,
            ..
        } = dup;
        match (self, queued) {
            (Lang::En, false) => {
                format!("Order {order_number} for {store} is already pending, sent {at}.")
            }
            (Lang::En, true) => format!(
                "Order {order_number} for {store} is already queued on this PC, entered {at}."
            ),
            (Lang::Es, false) => {
                format!(
                    "El pedido {order_number} para {store} ya está pendiente, enviado a las {at}."
                )
            }
            (Lang::Es, true) => format!(
                "El pedido {order_number} para {store} ya está en cola en este PC, entrado a las {at}."
            ),
        }
    }

    pub fn reopen_title(self, order_number: &str) -> String {
        match self {
            Lang::En => format!("Reopen order {order_number}"),
            Lang::Es => format!("Reabrir el pedido {order_number}"),
        }
    }

    pub fn edit_title(self, order_number: &str) -> String {
        match self {
            Lang::En => format!("Correct order {order_number}"),
            Lang::Es => format!("Corregir el pedido {order_number}"),
        }
    }

    pub fn edit_problem(self, problem: &EditProblem) -> String {
        match (self, problem) {
            (Lang::En, EditProblem::NothingChanged) => "Nothing was changed.".into(),
            (Lang::Es, EditProblem::NothingChanged) => "No se ha cambiado nada.".into(),
            (Lang::En, EditProblem::NoteTooLong { len, max }) => {
                format!("The note is too long ({len}/{max} characters).")
            }
            (Lang::Es, EditProblem::NoteTooLong { len, max }) => {
                format!("La nota es demasiado larga ({len}/{max} caracteres).")
            }
            (Lang::En, EditProblem::StoreInactive { name }) => {
                format!("{name} is deactivated; choose another store.")
            }
            (Lang::Es, EditProblem::StoreInactive { name }) => {
                format!("{name} está desactivada; elige otra tienda.")
            }
        }
    }

    /// "Reopening A-1", for the feedback line.
    pub fn undo_operation(self, op: &UndoOperation) -> String {
        match (self, op) {
            (Lang::En, UndoOperation::Reopen { order_number, .. }) => {
                format!("Reopening {order_number}")
            }
            (Lang::Es, UndoOperation::Reopen { order_number, .. }) => {
                format!("Reabrir {order_number}")
            }
            (Lang::En, UndoOperation::Edit { order_number, .. }) => {
                format!("Correcting {order_number}")
            }
            (Lang::Es, UndoOperation::Edit { order_number, .. }) => {
                format!("Corregir {order_number}")
            }
        }
    }

    pub fn undo_done(self, op: &UndoOperation) -> String {
        match (self, op) {
            (Lang::En, UndoOperation::Reopen { order_number, .. }) => {
                format!("{order_number} is pending again; the warehouse sees it.")
            }
            (Lang::Es, UndoOperation::Reopen { order_number, .. }) => {
                format!("{order_number} vuelve a estar pendiente; el almacén lo ve.")
            }
            (Lang::En, UndoOperation::Edit { order_number, .. }) => {
                format!("{order_number} corrected; the warehouse sees the change.")
            }
            (Lang::Es, UndoOperation::Edit { order_number, .. }) => {
                format!("{order_number} corregido; el almacén ve el cambio.")
            }
        }
    }

    /// Why the server refused a reopen or an edit, without its technical words.
    pub fn undo_refused(self, op: &UndoOperation, code: ErrorCode) -> String {
        let (UndoOperation::Reopen { order_number, .. } | UndoOperation::Edit { order_number, .. }) =
            op;
        let reopen = matches!(op, UndoOperation::Reopen { .. });
        match (self, code) {
            (Lang::En, ErrorCode::InvalidState) if reopen => format!(
                "✖ {order_number} was not reopened: it is no longer packed (someone changed it meanwhile)."
            ),
            (Lang::Es, ErrorCode::InvalidState) if reopen => format!(
                "✖ {order_number} no se ha reabierto: ya no está preparado (alguien lo cambió mientras tanto)."
            ),
            (Lang::En, ErrorCode::InvalidState) => format!(
                "✖ {order_number} was not corrected: it is no longer pending (packed or cancelled meanwhile)."
            ),
            (Lang::Es, ErrorCode::InvalidState) => format!(
                "✖ {order_number} no se ha corregido: ya no está pendiente (preparado o cancelado mientras tanto)."
            ),
            (Lang::En, ErrorCode::UnknownStore) => format!(
                "✖ {order_number} was not corrected: that store was deactivated. Choose another one."
            ),
            (Lang::Es, ErrorCode::UnknownStore) => {
                format!("✖ {order_number} no se ha corregido: esa tienda se desactivó. Elige otra.")
            }
            (Lang::En, ErrorCode::Forbidden) => format!(
                "✖ {}: this PC may not do that. Ask whoever runs the server.",
                self.undo_operation(op)
            ),
            (Lang::Es, ErrorCode::Forbidden) => format!(
                "✖ {}: este PC no puede hacerlo. Pregunta a quien lleva el servidor.",
                self.undo_operation(op)
            ),
            (Lang::En, _) => format!(
                "✖ {}: the server did not accept it ({code}). Try again in a moment.",
                self.undo_operation(op)
            ),
            (Lang::Es, _) => format!(
                "✖ {}: el servidor no lo aceptó ({code}). Inténtalo de nuevo en un momento.",
                self.undo_operation(op)
            ),
        }
    }
}
