//! The authentication phase of a socket: pairing (`pair_start`, `pair_confirm`) or
//! `auth`, bounded in time and attempts, then `welcome`.

use futures_util::StreamExt;
use tokio::time::timeout_at;

use packbell_shared::protocol::{
    ClientMessage, ErrorCode, PROTOCOL_VERSION, ServerMessage, close_code,
};

use super::connection::{End, PairStart, Session, Source, close, is_unusable};
use super::failure_log::Failure;
use super::outgoing::Outgoing;
use super::parse;
use crate::config::ATTEMPT_COST;
use crate::db::reader::{self, AuthOutcome, Authenticated};
use crate::fanout::message_text;

impl Session {
    /// Authenticates within the auth time-out, whatever the peer sends or reads: a
    /// peer that does not read cannot hold the socket open by making answers wait.
    pub(super) async fn authenticate(&mut self, source: &mut Source) -> Result<Authenticated, End> {
        let deadline = tokio::time::Instant::now() + self.ctx.limits.auth_timeout;
        match timeout_at(deadline, self.authenticate_until(source, deadline)).await {
            Ok(outcome) => outcome,
            Err(_) => {
                self.ctx.failures.record(Failure::TimedOut);
                let _ = self
                    .out
                    .try_send(Outgoing::Text(message_text(&ServerMessage::Error {
                        code: ErrorCode::NotAuthenticated,
                        message: "authentication timed out".into(),
                        key: None,
                        export_id: None,
                    })));
                Err(close(close_code::POLICY, "authentication timed out"))
            }
        }
    }

    async fn authenticate_until(
        &mut self,
        source: &mut Source,
        deadline: tokio::time::Instant,
    ) -> Result<Authenticated, End> {
        let mut failures = 0;
        loop {
            if failures >= self.ctx.limits.max_auth_failures {
                return Err(close(close_code::POLICY, "too many failed attempts"));
            }
            let shutdown = self.ctx.shutdown.clone();
            let next = tokio::select! {
                _ = shutdown.cancelled() => {
                    return Err(close(close_code::GOING_AWAY, "server shutting down"));
                }
                next = timeout_at(deadline, source.next()) => next,
            };
            let frame = match next {
                Err(_) => {
                    self.ctx.failures.record(Failure::TimedOut);
                    self.send_error(
                        ErrorCode::NotAuthenticated,
                        "authentication timed out",
                        None,
                    )
                    .await?;
                    return Err(close(close_code::POLICY, "authentication timed out"));
                }
                Ok(frame) => frame,
            };
            let text = match self.read_text(frame).await? {
                Some(text) => text,
                None => continue,
            };
            if !self.ctx.budgets.charge_source(self.peer.ip(), ATTEMPT_COST) {
                self.ctx.failures.record(Failure::RateLimited);
                self.send_error(
                    ErrorCode::RateLimited,
                    "too many attempts from this address; wait a few seconds and reconnect",
                    None,
                )
                .await?;
                return Err(close(close_code::TRY_AGAIN_LATER, "too many attempts"));
            }
            match parse::client_message(&text) {
                Err(bad) => {
                    if is_unusable(&bad) {
                        self.count_bad_frame()?;
                    } else {
                        self.ctx.failures.record(Failure::AuthFailed);
                    }
                    self.refuse_frame(bad).await?;
                    failures += 1;
                }
                Ok(ClientMessage::PairStart {
                    code_slot,
                    device_name,
                    spake2,
                    ..
                }) => {
                    let start = PairStart {
                        code_slot,
                        device_name,
                        spake2,
                    };
                    match self.pair(source, deadline, start).await? {
                        Some(device) => return Ok(device),
                        None => {
                            self.ctx.failures.record(Failure::AuthFailed);
                            failures += 1;
                        }
                    }
                }
                Ok(ClientMessage::Auth {
                    device_id, token, ..
                }) => {
                    let outcome = self
                        .ctx
                        .reader
                        .run(move |conn| reader::authenticate(conn, device_id, &token))
                        .await;
                    match outcome {
                        Ok(AuthOutcome::Ok(device)) => {
                            self.welcome(&device).await?;
                            return Ok(device);
                        }
                        Ok(AuthOutcome::Revoked) => {
                            self.send_error(ErrorCode::Revoked, "this device was revoked", None)
                                .await?;
                            return Err(close(close_code::POLICY, "device revoked"));
                        }
                        Ok(AuthOutcome::Failed) => {
                            self.ctx.failures.record(Failure::AuthFailed);
                            self.send_error(
                                ErrorCode::AuthFailed,
                                "unknown device or wrong token",
                                None,
                            )
                            .await?;
                            failures += 1;
                        }
                        Err(e) => {
                            // Counted, not logged here: an unauthenticated peer can
                            // cause this as often as it likes.
                            self.ctx
                                .failures
                                .record_internal(format!("authentication lookup failed: {e}"));
                            self.send_error(ErrorCode::Internal, "try again later", None)
                                .await?;
                            return Err(close(close_code::TRY_AGAIN_LATER, "internal error"));
                        }
                    }
                }
                Ok(_) => {
                    self.ctx.failures.record(Failure::AuthFailed);
                    self.send_error(
                        ErrorCode::NotAuthenticated,
                        "send pair_start or auth first",
                        None,
                    )
                    .await?;
                    failures += 1;
                }
            }
        }
    }

    pub(super) async fn welcome(&mut self, device: &Authenticated) -> Result<(), End> {
        let head_seq = self.ctx.reader.run(reader::head_seq).await.map_err(|e| {
            tracing::error!("reading head seq failed: {e}");
            close(close_code::TRY_AGAIN_LATER, "internal error")
        })?;
        self.send(&ServerMessage::Welcome {
            protocol: PROTOCOL_VERSION,
            server_id: self.ctx.server_id.clone(),
            site: self.ctx.site.clone(),
            server_version: env!("CARGO_PKG_VERSION").to_owned(),
            device_id: device.device_id,
            role: device.role,
            head_seq,
        })
        .await
    }
}
