//! Receipts: what this PC tells the office about each order it got. "applied" once
//! the order is in the list, then "rang" or "not_rung" (and why) once the alert ran.
//!
//! The model knows most of it on its own (applied, another station's store, shown at
//! start-up); whether the sound really played only the alert service knows, so the
//! orders it was asked to ring wait in `awaiting_ring` for [`Model::ring_outcome`].

use packbell_shared::link::ReceiptNote;
use packbell_shared::protocol::{NotRungWhy, OrderId, ReceiptStage};

use super::Model;

/// Receipts waiting for the pump to send; beyond this the oldest are dropped (the
/// office then shows the order as waiting, and its alarm speaks up).
pub const MAX_QUEUED_RECEIPTS: usize = 1024;

impl Model {
    fn queue_receipt(&mut self, order_id: OrderId, stage: ReceiptStage, why: Option<NotRungWhy>) {
        self.receipts.push_back(ReceiptNote {
            order_id,
            stage,
            why,
        });
        while self.receipts.len() > MAX_QUEUED_RECEIPTS {
            self.receipts.pop_front();
        }
    }

    pub(super) fn receipt_applied(&mut self, order_id: OrderId) {
        self.queue_receipt(order_id, ReceiptStage::Applied, None);
    }

    pub(super) fn receipt_not_rung(&mut self, order_id: OrderId, why: NotRungWhy) {
        self.queue_receipt(order_id, ReceiptStage::NotRung, Some(why));
    }

    /// The alert service is about to ring for these orders (alone or in a summary).
    pub(super) fn receipt_ringing(&mut self, order_ids: impl IntoIterator<Item = OrderId>) {
        self.awaiting_ring.extend(order_ids);
    }

    /// How the last ring went (`Err`: why no sound played); turns the orders waiting
    /// for it into `rang` or `not_rung` receipts.
    pub fn ring_outcome(&mut self, outcome: Result<(), NotRungWhy>) {
        for order_id in std::mem::take(&mut self.awaiting_ring) {
            match outcome {
                Ok(()) => self.queue_receipt(order_id, ReceiptStage::Rang, None),
                Err(why) => self.receipt_not_rung(order_id, why),
            }
        }
    }

    /// Whether orders are waiting for the outcome of a ring.
    pub fn awaits_ring_outcome(&self) -> bool {
        !self.awaiting_ring.is_empty()
    }

    /// The receipts to send now, oldest first.
    pub fn take_receipts(&mut self) -> Vec<ReceiptNote> {
        self.receipts.drain(..).collect()
    }
}
