//! Undoing mistakes: confirming a duplicate before it is sent, reopening a packed
//! order with a reason, correcting a pending order's store, note or rush.

use packbell_shared::protocol::{
    Command, ErrorCode, MAX_NOTE_CHARS, MAX_REASON_CHARS, OrderId, OrderStatus, Priority, StoreId,
};

use super::form::{Duplicate, ReadyOrder};
use super::{Feedback, Model, Operation};

/// The dialogs of this module; at most one of each is open.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UndoDialogs {
    /// A valid order held back because the same number is pending for the same store.
    pub duplicate: Option<DuplicateConfirm>,
    pub reopen: Option<ReopenDialog>,
    pub edit: Option<EditDialog>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateConfirm {
    pub order: ReadyOrder,
    pub duplicate: Duplicate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReopenDialog {
    pub order_id: OrderId,
    pub order_number: String,
    pub reason: String,
    pub reason_missing: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EditDialog {
    pub order_id: OrderId,
    pub order_number: String,
    pub store_id: StoreId,
    pub note: String,
    pub rush: bool,
    pub problem: Option<EditProblem>,
}

/// Why the edit form cannot be saved as it stands.
#[derive(Debug, Clone, PartialEq)]
pub enum EditProblem {
    NothingChanged,
    NoteTooLong { len: usize, max: usize },
    StoreInactive { name: String },
}

/// A command that undoes or corrects, waiting for the server.
#[derive(Debug, Clone, PartialEq)]
pub enum UndoOperation {
    Reopen {
        order_id: OrderId,
        order_number: String,
    },
    Edit {
        order_id: OrderId,
        order_number: String,
    },
}

impl UndoOperation {
    pub fn order_id(&self) -> OrderId {
        match self {
            UndoOperation::Reopen { order_id, .. } | UndoOperation::Edit { order_id, .. } => {
                *order_id
            }
        }
    }
}

/// What pressing Send leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum SendStep {
    /// Valid and no duplicate: hand it to the link.
    Send(ReadyOrder),
    /// Valid, but a duplicate: the confirmation dialog is open.
    Confirm,
    /// The form shows what is wrong.
    Invalid,
}

impl Model {
    /// Validates the form; a duplicate of a pending order is held for confirmation.
    pub fn prepare_send(&mut self) -> SendStep {
        let Some(order) = self.ready_order() else {
            return SendStep::Invalid;
        };
        match self.duplicate_warning() {
            Some(duplicate) => {
                self.undo.duplicate = Some(DuplicateConfirm { order, duplicate });
                SendStep::Confirm
            }
            None => SendStep::Send(order),
        }
    }

    /// "Send anyway": the held order, to hand to the link.
    pub fn send_anyway(&mut self) -> Option<ReadyOrder> {
        self.undo.duplicate.take().map(|confirm| confirm.order)
    }

    /// "Cancel": nothing is sent; the form keeps what was typed.
    pub fn keep_duplicate_back(&mut self) {
        self.undo.duplicate = None;
    }

    /// Opens the reopen dialog for a packed order.
    pub fn open_reopen(&mut self, order_id: OrderId) {
        if let Some(order) = self.site.orders.get(&order_id)
            && order.status == OrderStatus::Packed
        {
            self.undo.reopen = Some(ReopenDialog {
                order_id,
                order_number: order.order_number.clone(),
                reason: String::new(),
                reason_missing: false,
            });
        }
    }

    /// The recall to send when a reason is there.
    pub fn confirm_reopen(&mut self) -> Option<(Command, Operation)> {
        let dialog = self.undo.reopen.as_mut()?;
        let reason = dialog.reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            dialog.reason_missing = true;
            return None;
        }
        let command = Command::RecallOrder {
            order_id: dialog.order_id,
            reason: reason.to_owned(),
        };
        let operation = Operation::Undo(UndoOperation::Reopen {
            order_id: dialog.order_id,
            order_number: dialog.order_number.clone(),
        });
        self.undo.reopen = None;
        Some((command, operation))
    }

    /// Opens the edit form for a pending order, filled with what it has now.
    pub fn open_edit(&mut self, order_id: OrderId) {
        if let Some(order) = self.site.orders.get(&order_id)
            && order.status == OrderStatus::Pending
        {
            self.undo.edit = Some(EditDialog {
                order_id,
                order_number: order.order_number.clone(),
                store_id: order.store_id,
                note: order.note.clone(),
                rush: order.priority == Priority::Rush,
                problem: None,
            });
        }
    }

    /// The edit to send, unless nothing changed or a field is wrong.
    pub fn confirm_edit(&mut self) -> Option<(Command, Operation)> {
        let dialog = self.undo.edit.as_ref()?;
        let note = dialog.note.trim().to_owned();
        let priority = if dialog.rush {
            Priority::Rush
        } else {
            Priority::Normal
        };
        let unchanged = self.site.orders.get(&dialog.order_id).is_some_and(|o| {
            o.store_id == dialog.store_id && o.note == note && o.priority == priority
        });
        let len = note.chars().count();
        let problem = match self.site.stores.get(&dialog.store_id) {
            Some(store) if !store.active => Some(EditProblem::StoreInactive {
                name: store.name.clone(),
            }),
            _ if len > MAX_NOTE_CHARS => Some(EditProblem::NoteTooLong {
                len,
                max: MAX_NOTE_CHARS,
            }),
            _ if unchanged => Some(EditProblem::NothingChanged),
            _ => None,
        };
        if let Some(problem) = problem {
            if let Some(dialog) = self.undo.edit.as_mut() {
                dialog.problem = Some(problem);
            }
            return None;
        }
        let command = Command::EditOrder {
            order_id: dialog.order_id,
            store_id: dialog.store_id,
            note,
            priority,
        };
        let operation = Operation::Undo(UndoOperation::Edit {
            order_id: dialog.order_id,
            order_number: dialog.order_number.clone(),
        });
        self.undo.edit = None;
        Some((command, operation))
    }

    /// Orders with a reopen or an edit waiting for the server.
    pub(super) fn undoing(&self) -> impl Iterator<Item = OrderId> + '_ {
        self.operations.values().filter_map(|op| match op {
            Operation::Undo(undo) => Some(undo.order_id()),
            _ => None,
        })
    }

    /// The server refused a reopen or an edit: say why in the worker's words.
    pub(super) fn undo_refused(&mut self, operation: UndoOperation, code: ErrorCode) {
        self.feedback = Some(Feedback::UndoRefused(operation, code));
    }
}
