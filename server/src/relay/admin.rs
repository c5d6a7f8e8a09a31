//! Admin requests on an authenticated socket: the device list and the event log in
//! pages, site status, and new pairing codes. Each is checked for the admin role and
//! answered in order with the commands around it.

use packbell_shared::protocol::{DeviceId, ErrorCode, Role, Seq, ServerMessage};

use super::connection::{End, Session, internal_error};
use crate::config::{DEVICES_PAGE, LOG_PAGE};
use crate::db::reader::{self, Authenticated};

impl Session {
    pub(super) fn list_devices(
        &mut self,
        device: &Authenticated,
        after: DeviceId,
    ) -> Result<(), End> {
        if device.role != Role::Admin {
            return self.answer_in_order(ErrorCode::Forbidden, "admins only", None);
        }
        let reader = self.ctx.reader.clone();
        let presence = self.ctx.presence.clone();
        self.answers.push_back(Box::pin(async move {
            // One more than a page, to know whether another page follows.
            let read = reader
                .run(move |conn| reader::devices(conn, after, DEVICES_PAGE + 1))
                .await;
            match read {
                Ok(mut devices) => {
                    let beyond_page = devices.len() > DEVICES_PAGE;
                    devices.truncate(DEVICES_PAGE);
                    for d in &mut devices {
                        d.connected = presence.is_connected(d.device_id);
                    }
                    let envelope = r#"{"type":"devices","devices":[],"more":true}"#.len();
                    let (devices, cut) = super::snapshot::fitting_page(devices, envelope);
                    ServerMessage::Devices {
                        devices,
                        more: beyond_page || cut,
                    }
                }
                Err(e) => {
                    tracing::error!("listing devices failed: {e}");
                    internal_error()
                }
            }
        }));
        Ok(())
    }

    /// One page of the log after `after`, for auditors; bounded like every answer.
    pub(super) fn read_log(&mut self, device: &Authenticated, after: Seq) -> Result<(), End> {
        if device.role != Role::Admin {
            return self.answer_in_order(ErrorCode::Forbidden, "admins only", None);
        }
        let reader = self.ctx.reader.clone();
        self.answers.push_back(Box::pin(async move {
            let read = reader
                .run(move |conn| {
                    let head = reader::head_seq(conn)?;
                    Ok((reader::events_between(conn, after, head, LOG_PAGE)?, head))
                })
                .await;
            match read {
                Ok((events, head)) => {
                    let envelope = r#"{"type":"log_page","events":[],"more":true}"#.len();
                    let (events, _) = super::snapshot::fitting_page(events, envelope);
                    let more = events.last().is_some_and(|last| last.seq < head);
                    ServerMessage::LogPage { events, more }
                }
                Err(e) => {
                    tracing::error!("reading the log failed: {e}");
                    internal_error()
                }
            }
        }));
        Ok(())
    }

    pub(super) fn site_status(&mut self, device: &Authenticated) -> Result<(), End> {
        if device.role != Role::Admin {
            return self.answer_in_order(ErrorCode::Forbidden, "admins only", None);
        }
        let ctx = self.ctx.clone();
        self.answers.push_back(Box::pin(async move {
            let head_seq = match ctx.reader.run(reader::head_seq).await {
                Ok(seq) => seq,
                Err(e) => {
                    tracing::error!("reading head seq failed: {e}");
                    return internal_error();
                }
            };
            let database_bytes = crate::db::database_bytes(&ctx.data_dir).await;
            let (office, warehouse, admin) = ctx.presence.sockets_by_role();
            let now = chrono::Utc::now();
            ServerMessage::SiteStatus(packbell_shared::protocol::SiteStatus {
                server_version: env!("CARGO_PKG_VERSION").to_owned(),
                started_at: ctx.started_at,
                uptime_seconds: u64::try_from((now - ctx.started_at).num_seconds()).unwrap_or(0),
                connected_office: office,
                connected_warehouse: warehouse,
                connected_admin: admin,
                database_bytes,
                head_seq,
            })
        }));
        Ok(())
    }

    pub(super) fn new_pairing_code(
        &mut self,
        device: &Authenticated,
        role: Role,
    ) -> Result<(), End> {
        if device.role != Role::Admin {
            return self.answer_in_order(ErrorCode::Forbidden, "admins only", None);
        }
        let writer = self.ctx.writer.clone();
        let expires_at = chrono::Utc::now()
            + chrono::Duration::from_std(self.ctx.limits.pairing_code_ttl)
                .unwrap_or(chrono::Duration::minutes(10));
        self.answers.push_back(Box::pin(async move {
            match writer.new_pairing_code(role, expires_at).await {
                Ok(code) => ServerMessage::PairingCode {
                    code,
                    role,
                    expires_at,
                },
                Err(refusal) => ServerMessage::Error {
                    code: refusal.code,
                    message: refusal.message,
                    key: None,
                    export_id: None,
                },
            }
        }));
        Ok(())
    }
}
