//! After `welcome`: subscribe, send the outbox, and act on what the server says.

use std::time::Instant;

use crate::protocol::{ClientMessage, ErrorCode, ServerMessage, Snapshot};

use super::super::api::{LinkEvent, OutboxReport};
use super::super::outbox::ErrorOutcome;
use super::super::sync::SyncAction;
use super::{Action, LinkLogic, SessionEnd};

impl LinkLogic {
    /// The session is live: subscribe from the last seq held, then send the outbox.
    pub fn subscribe(&mut self, now: Instant, out: &mut Vec<Action>) {
        let after_seq = self.sync.subscribe();
        out.push(Action::Send(ClientMessage::Subscribe { after_seq }));
        if self.watch_receipts {
            out.push(Action::Send(ClientMessage::WatchReceipts {}));
        }
        self.send_held_receipts(out);
        self.pump(now, out);
    }

    /// A message from the server while live; `Err` ends the session.
    pub fn on_live_message(
        &mut self,
        message: ServerMessage,
        now: Instant,
        out: &mut Vec<Action>,
    ) -> Result<(), SessionEnd> {
        let mut synced = Vec::new();
        match message {
            ServerMessage::Snapshot(snapshot) => self.sync.on_snapshot(snapshot, &mut synced),
            ServerMessage::SnapshotPart {
                seq,
                stores,
                devices,
                orders,
                items,
                alerts,
                more,
            } => {
                let part = Snapshot {
                    ageing: None,
                    seq,
                    stores,
                    orders,
                    devices,
                    items,
                    alerts,
                    more,
                };
                self.sync.on_snapshot_part(part, &mut synced);
            }
            ServerMessage::Event(event) => self.sync.on_event(event, &mut synced),
            ServerMessage::CaughtUp { seq } => self.sync.on_caught_up(seq, &mut synced),
            ServerMessage::Ack {
                key,
                seq,
                order_id,
                store_id,
            } => {
                if self.outbox.on_ack(&key).is_some() {
                    self.answered.push(key.clone());
                    out.push(Action::Emit(LinkEvent::Acked {
                        key: key.clone(),
                        seq,
                        order_id,
                        store_id,
                    }));
                    out.push(Action::Emit(LinkEvent::Outbox(OutboxReport::Answered(
                        vec![key],
                    ))));
                    self.pump(now, out);
                } else {
                    tracing::debug!(%key, "ack for a command not in flight");
                }
            }
            ServerMessage::Error {
                code,
                message,
                key: Some(key),
                export_id: _,
            } => match self.outbox.on_error(&key, code, now) {
                ErrorOutcome::Rejected(_) => {
                    tracing::info!(%key, %code, %message, "command rejected");
                    self.answered.push(key.clone());
                    out.push(Action::Emit(LinkEvent::Rejected {
                        key: key.clone(),
                        code,
                        message,
                    }));
                    out.push(Action::Emit(LinkEvent::Outbox(OutboxReport::Answered(
                        vec![key],
                    ))));
                    self.pump(now, out);
                }
                ErrorOutcome::Retry => tracing::debug!(%key, %code, "command to be sent again"),
                ErrorOutcome::Unknown => {
                    out.push(Action::Emit(LinkEvent::Notice(format!(
                        "{code}: {message}"
                    ))));
                }
            },
            ServerMessage::Error {
                code,
                message,
                key: None,
                export_id: Some(export_id),
            } => out.push(Action::Emit(LinkEvent::ExportFailed {
                export_id,
                code,
                message,
            })),
            ServerMessage::Error {
                code,
                message,
                key: None,
                export_id: None,
            } => match code {
                ErrorCode::Revoked => return Err(self.refusal(false, code, message, out)),
                // A close follows; the reconnect loop reports it.
                ErrorCode::TooSlow | ErrorCode::Unavailable => {
                    tracing::info!(%code, %message, "the server is ending this connection");
                }
                _ => out.push(Action::Emit(LinkEvent::Notice(message))),
            },
            ServerMessage::SiteStatus(status) => {
                out.push(Action::Emit(LinkEvent::SiteStatus(status)));
            }
            ServerMessage::Devices { devices, more } => {
                let last = devices.last().map(|device| device.device_id);
                self.device_pages.extend(devices);
                match last {
                    Some(after_device_id) if more => {
                        out.push(Action::Send(ClientMessage::ListDevices { after_device_id }));
                    }
                    _ => {
                        let devices = std::mem::take(&mut self.device_pages);
                        out.push(Action::Emit(LinkEvent::Devices(devices)));
                    }
                }
            }
            ServerMessage::PairingCode {
                code,
                role,
                expires_at,
            } => {
                out.push(Action::Emit(LinkEvent::PairingCode {
                    code,
                    role,
                    expires_at,
                }));
            }
            ServerMessage::Enrolled { .. }
            | ServerMessage::Welcome { .. }
            | ServerMessage::PairChallenge { .. } => {
                tracing::debug!("ignoring a handshake message after welcome");
            }
            ServerMessage::Receipt(receipt) => out.push(Action::Emit(LinkEvent::Receipt(receipt))),
            ServerMessage::WarehousesOnline { count } => {
                out.push(Action::Emit(LinkEvent::WarehousesOnline(count)));
            }
            // The link never asks for the log (that is for auditors' tools).
            ServerMessage::LogPage { .. } => tracing::debug!("ignoring an unasked log page"),
            ServerMessage::ExportChunk {
                export_id,
                data,
                done,
                rows,
            } => out.push(Action::Emit(LinkEvent::ExportChunk {
                export_id,
                data,
                done,
                rows,
            })),
        }
        for action in synced {
            match action {
                SyncAction::Emit(event) => out.push(Action::Emit(event)),
                SyncAction::Subscribe { after_seq } => {
                    out.push(Action::Send(ClientMessage::Subscribe { after_seq }));
                }
                SyncAction::Checkpoint => self.checkpoint(out),
            }
        }
        Ok(())
    }
}
