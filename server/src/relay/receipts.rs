//! Warehouse receipts on the relay: taking them from warehouse PCs, and passing them
//! (with how many warehouse PCs are connected) to office and admin devices.
//!
//! A receipt is not a command: it changes no state anyone acts on, so it has no key,
//! no event and no answer unless it is refused. The writer stores the latest per
//! (order, device) ([`crate::db::receipts`]); once committed it goes out through the
//! [`ReceiptHub`], a broadcast of pre-serialised frames that only office and admin
//! sockets listen to, after their `subscribe`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use packbell_shared::protocol::{
    ErrorCode, NotRungWhy, OrderId, Receipt, ReceiptStage, Role, ServerMessage,
};

use super::connection::{End, Session};
use super::outgoing::Outgoing;
use super::presence::Presence;
use crate::db::reader::Authenticated;
use crate::db::receipts::{self, MAX_RECEIPTS_ON_SUBSCRIBE, NewReceipt};
use crate::fanout::message_text;

/// Receipt frames held for office sockets that are momentarily busy; one that falls
/// further behind is sent the stored receipts again.
pub const RECEIPT_HUB_CAPACITY: usize = 4096;

/// Receipts and warehouse counts on their way to office and admin sockets.
#[derive(Clone)]
pub struct ReceiptHub {
    sender: broadcast::Sender<Utf8Bytes>,
    /// The warehouse count last announced, so only changes are sent.
    warehouses: Arc<AtomicU32>,
}

impl Default for ReceiptHub {
    fn default() -> Self {
        ReceiptHub {
            sender: broadcast::channel(RECEIPT_HUB_CAPACITY).0,
            warehouses: Arc::default(),
        }
    }
}

impl ReceiptHub {
    pub fn subscribe(&self) -> broadcast::Receiver<Utf8Bytes> {
        self.sender.subscribe()
    }

    /// A committed receipt, to every subscribed office and admin socket.
    pub fn publish(&self, receipt: Receipt) {
        // No receivers is fine: no office is connected.
        let _ = self
            .sender
            .send(message_text(&ServerMessage::Receipt(receipt)));
    }

    /// Announces the number of connected warehouse PCs when it changed.
    pub fn warehouses_changed(&self, presence: &Presence) {
        let count = presence.devices_with_role(Role::Warehouse);
        if self.warehouses.swap(count, Ordering::Relaxed) != count {
            let _ = self
                .sender
                .send(message_text(&ServerMessage::WarehousesOnline { count }));
        }
    }
}

/// Checks a receipt's fields: `why` comes with `not_rung` and only with it.
fn check(stage: ReceiptStage, why: Option<NotRungWhy>) -> Result<(), String> {
    match (stage, why) {
        (ReceiptStage::NotRung, None) => Err("a not_rung receipt needs a \"why\"".into()),
        (ReceiptStage::Applied | ReceiptStage::Rang, Some(_)) => Err(format!(
            "only a not_rung receipt has a \"why\", not {}",
            stage.as_str()
        )),
        _ => Ok(()),
    }
}

impl Session {
    /// A warehouse PC's receipt: checked, handed to the writer, published once stored.
    /// Refusals come back as `error` frames without a key, possibly after later answers.
    pub(super) async fn receipt(
        &mut self,
        device: &Authenticated,
        order_id: OrderId,
        stage: ReceiptStage,
        why: Option<NotRungWhy>,
    ) -> Result<(), End> {
        if device.role != Role::Warehouse {
            return self.answer_in_order(
                ErrorCode::Forbidden,
                format!(
                    "only warehouse devices send receipts, not the {} role",
                    device.role.as_str()
                ),
                None,
            );
        }
        if let Err(message) = check(stage, why) {
            return self.answer_in_order(ErrorCode::InvalidField, message, None);
        }
        let receipt = NewReceipt {
            device_id: device.device_id,
            order_id,
            stage,
            why,
        };
        let stored = match self.ctx.writer.receipt(receipt).await {
            Ok(stored) => stored,
            Err(refusal) => return self.answer_in_order(refusal.code, refusal.message, None),
        };
        let hub = self.ctx.receipts.clone();
        let out = self.out.clone();
        // The writer answers after its commit; the session does not wait for it.
        tokio::spawn(async move {
            match stored.await {
                Ok(Ok(Some(receipt))) => hub.publish(receipt),
                Ok(Ok(None)) => {}
                Ok(Err(refusal)) => {
                    let error = ServerMessage::Error {
                        code: refusal.code,
                        message: refusal.message,
                        key: None,
                        export_id: None,
                    };
                    // A full queue means the peer is behind; the error is not worth waiting for.
                    let _ = out.try_send(Outgoing::Text(message_text(&error)));
                }
                Err(_) => tracing::debug!("the writer stopped before storing a receipt"),
            }
        });
        Ok(())
    }

    /// `watch_receipts` (office and admin): listen for receipts from now on, then
    /// queue the stored ones of pending and recent orders and the warehouse count,
    /// behind any catch-up.
    pub(super) async fn watch_receipts(&mut self, device: &Authenticated) -> Result<(), End> {
        if !matches!(device.role, Role::Office | Role::Admin) {
            return self.answer_in_order(
                ErrorCode::Forbidden,
                "only office and admin devices watch receipts",
                None,
            );
        }
        if self.receipts.is_none() {
            self.receipts = Some(self.ctx.receipts.subscribe());
        }
        self.queue_stored_receipts().await
    }

    /// Queues the stored receipts (newest first, at most [`MAX_RECEIPTS_ON_SUBSCRIBE`])
    /// and the warehouse count as answers; they go out once any catch-up is sent.
    async fn queue_stored_receipts(&mut self) -> Result<(), End> {
        let now = chrono::Utc::now();
        let stored = self
            .read(move |conn| receipts::recent(conn, now, MAX_RECEIPTS_ON_SUBSCRIBE))
            .await?;
        for receipt in stored.into_iter().rev() {
            self.answers
                .push_back(Box::pin(std::future::ready(ServerMessage::Receipt(
                    receipt,
                ))));
        }
        let presence = self.ctx.presence.clone();
        self.answers.push_back(Box::pin(async move {
            ServerMessage::WarehousesOnline {
                count: presence.devices_with_role(Role::Warehouse),
            }
        }));
        Ok(())
    }

    /// Forwards one frame of the receipt hub; a socket that fell behind it gets the
    /// stored receipts again.
    pub(super) async fn forward_receipt(
        &mut self,
        frame: Result<Utf8Bytes, broadcast::error::RecvError>,
    ) -> Result<(), End> {
        match frame {
            Ok(frame) => {
                // Busy or stalled: wait a bounded time, then give up on it.
                let grace = self.ctx.limits.stalled_client_timeout;
                match tokio::time::timeout(grace, self.out.send(Outgoing::Text(frame))).await {
                    Ok(Ok(())) => Ok(()),
                    _ => Err(End::Drop),
                }
            }
            Err(broadcast::error::RecvError::Lagged(skipped)) => {
                tracing::debug!(
                    skipped,
                    "office fell behind the receipts; sending them again"
                );
                self.queue_stored_receipts().await
            }
            Err(broadcast::error::RecvError::Closed) => {
                self.receipts = None;
                Ok(())
            }
        }
    }
}

/// Waits for the next receipt frame, or forever when not listening.
pub(super) async fn recv_receipt(
    receipts: &mut Option<broadcast::Receiver<Utf8Bytes>>,
) -> Result<Utf8Bytes, broadcast::error::RecvError> {
    match receipts {
        Some(receiver) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn why_comes_with_not_rung_only() {
        assert!(check(ReceiptStage::Applied, None).is_ok());
        assert!(check(ReceiptStage::Rang, None).is_ok());
        assert!(check(ReceiptStage::NotRung, Some(NotRungWhy::SoundOff)).is_ok());
        assert!(check(ReceiptStage::NotRung, None).is_err());
        assert!(check(ReceiptStage::Rang, Some(NotRungWhy::NoAudio)).is_err());
    }
}
