//! Pairing a new device on an unauthenticated socket: SPAKE2 keyed by an open pairing
//! code, key confirmation bound to our certificate, then enrolment.

use futures_util::StreamExt;
use tokio::time::timeout_at;

use packbell_shared::pairing::{self, PairingCode};
use packbell_shared::protocol::{ClientMessage, ErrorCode, ServerMessage, close_code};

use super::connection::{End, PairStart, Session, Source, close};
use super::parse;
use crate::db::guess::{PairingAttempt, PairingVerdict};
use crate::db::pairing::{NO_OPEN_CODE, Replacement};
use crate::db::reader::{self, Authenticated};

impl Session {
    /// Runs the SPAKE2 exchange for an open pairing code, then enrols the device.
    /// `Ok(None)`: this attempt failed (already answered with an error).
    pub(super) async fn pair(
        &mut self,
        source: &mut Source,
        deadline: tokio::time::Instant,
        start: PairStart,
    ) -> Result<Option<Authenticated>, End> {
        // Checked before any guess, so the answer says nothing about the code.
        if let Err(refusal) = crate::validate::device_name(&start.device_name) {
            self.send_error(refusal.code, refusal.message, None).await?;
            return Ok(None);
        }
        let now = chrono::Utc::now();
        let slot = start.code_slot.clone();
        let open = self
            .read(move |conn| reader::open_code_by_slot(conn, &slot, now))
            .await?;
        let code = match open.map(|open| PairingCode::parse(&open.code)) {
            Some(Ok(code)) => code,
            _ => {
                self.send_error(ErrorCode::AuthFailed, NO_OPEN_CODE, None)
                    .await?;
                return Ok(None);
            }
        };
        // Over TLS the exchange binds our certificate; a client that saw another one
        // (someone in between) cannot confirm.
        let binding = if self.ctx.tls.is_some() {
            self.ctx.server_id.clone()
        } else {
            String::new()
        };
        let answer = hex::decode(&start.spake2)
            .ok()
            .and_then(|message| pairing::server_respond(&code, &message, &binding).ok());
        let Some((challenge, confirmations)) = answer else {
            self.send_error(
                ErrorCode::InvalidField,
                "spake2 must be the hex of a 33-byte SPAKE2 message",
                None,
            )
            .await?;
            return Ok(None);
        };
        self.send(&ServerMessage::PairChallenge {
            spake2: hex::encode(challenge),
        })
        .await?;
        // Control frames (pings, pongs) may come in between; only text counts.
        let text = loop {
            let frame = timeout_at(deadline, source.next())
                .await
                .map_err(|_| close(close_code::POLICY, "authentication timed out"))?;
            if let Some(text) = self.read_text(frame).await? {
                break text;
            }
        };
        let mac = match parse::client_message(&text) {
            Ok(ClientMessage::PairConfirm { mac }) => mac,
            _ => {
                self.send_error(ErrorCode::NotAuthenticated, "expected pair_confirm", None)
                    .await?;
                return Ok(None);
            }
        };
        let ttl = chrono::Duration::from_std(self.ctx.limits.pairing_code_ttl)
            .unwrap_or(chrono::Duration::minutes(10));
        let device_name = start.device_name;
        let attempt = PairingAttempt {
            code: code.digits().to_owned(),
            device_name: device_name.clone(),
            expected_mac: confirmations.client,
            received_mac: mac,
            ttl,
        };
        match self.ctx.writer.check_pairing(attempt).await {
            Ok(PairingVerdict::Enrolled(enrolled)) => {
                tracing::info!(
                    device_id = enrolled.device_id,
                    role = enrolled.role.as_str(),
                    "paired device {device_name:?}"
                );
                self.send(&ServerMessage::Enrolled {
                    device_id: enrolled.device_id,
                    token: enrolled.token,
                    role: enrolled.role,
                    mac: hex::encode(confirmations.server),
                })
                .await?;
                let device = Authenticated {
                    device_id: enrolled.device_id,
                    role: enrolled.role,
                    name: device_name,
                };
                self.welcome(&device).await?;
                Ok(Some(device))
            }
            Ok(PairingVerdict::Failed { replacement }) => {
                report_voided(&code, replacement);
                self.send_error(
                    ErrorCode::AuthFailed,
                    "pairing failed: wrong code, or something between this device and the server",
                    None,
                )
                .await?;
                Ok(None)
            }
            Err(refusal) => {
                tracing::info!("pairing refused: {}", refusal.message);
                self.send_error(refusal.code, refusal.message, None).await?;
                Ok(None)
            }
        }
    }
}

/// Says on the console when a code was voided after too many failed attempts, and
/// what replaces it.
fn report_voided(code: &PairingCode, replacement: Option<Replacement>) {
    let voided = format!(
        "Pairing code {} was voided after too many failed attempts.",
        code.display()
    );
    match replacement {
        None => tracing::info!("failed pairing attempt"),
        Some(Replacement::Code(replacement)) => {
            tracing::warn!("a pairing code was voided after too many failed attempts");
            println!("{voided} New code: {replacement}");
        }
        Some(Replacement::Withheld) => {
            tracing::warn!("pairing codes are being voided too often; no automatic replacement");
            println!(
                "{voided} Codes are being guessed: no new code was made. When you are ready to \
                 pair, run 'packbell-server pairing-code --role ROLE'."
            );
        }
        Some(Replacement::NoFreeSlot) => {
            tracing::warn!("a voided pairing code was not replaced: every slot is taken");
            println!(
                "{voided} No new code was made: every pairing code slot is taken by an open code."
            );
        }
    }
}
