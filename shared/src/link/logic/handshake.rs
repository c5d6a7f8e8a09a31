//! From connect to `welcome`: what to say first, how to pair, what a refusal means.

use crate::pairing::{self, ClientPairing, PairingCode};
use crate::protocol::{ClientMessage, ErrorCode, PROTOCOL_VERSION, ServerMessage};
use crate::tls::Trust;
use crate::transport::Security;

use super::super::api::LinkStatus;
use super::super::store::Credentials;
use super::{Action, LinkLogic, SessionEnd, StoreWrite, lost};

/// What this device says first.
#[derive(Debug, Clone, PartialEq)]
pub enum Hello {
    Auth(Credentials),
    Pair(PairingCode),
}

/// One handshake in progress.
pub struct Handshake {
    /// `HOST:PORT` connected to.
    address: String,
    /// Pairing with a code (rather than authenticating with a token).
    enrolling: bool,
    /// The certificate the server showed (`None` over plaintext).
    fingerprint: Option<String>,
    /// Our SPAKE2 half, until the server's challenge arrives.
    pairing: Option<ClientPairing>,
    /// The confirmation only a server that knows the code can send.
    expected_server_mac: Option<[u8; 32]>,
}

/// Whether the handshake goes on.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Wait for the next message.
    Continue,
    /// The server welcomed this device: the session is live.
    Welcomed,
}

impl LinkLogic {
    /// What to say first and how to connect, or why there is no point in connecting.
    pub fn hello(&mut self) -> Result<(Hello, Security), SessionEnd> {
        let hello = match (&self.credentials, &self.pairing_code) {
            // A code the owner gave pairs again even when paired (the server was
            // reinstalled); the stored token stays until the new pairing succeeds.
            (_, Some(code)) => match PairingCode::parse(code) {
                Ok(code) => Hello::Pair(code),
                Err(error) => {
                    self.pairing_code = None;
                    return Err(SessionEnd::NeedsPairing {
                        reason: Some(error.to_string()),
                    });
                }
            },
            (Some(credentials), None) => Hello::Auth(credentials.clone()),
            (None, None) => return Err(SessionEnd::NeedsPairing { reason: None }),
        };
        let security = match (&hello, self.insecure_plaintext) {
            (_, true) => Security::Plaintext,
            (Hello::Pair(_), false) => Security::Tls(Trust::Learn),
            (Hello::Auth(credentials), false) => match &credentials.server_fingerprint {
                Some(fingerprint) => Security::Tls(Trust::Pinned(fingerprint.clone())),
                // Paired over plaintext: the token must not go to an unpinned server.
                // Forgotten for this run, so the link asks for a code instead of retrying.
                None => {
                    self.credentials = None;
                    return Err(SessionEnd::NeedsPairing {
                        reason: Some(
                            "this PC was paired without encryption; pair it again".to_owned(),
                        ),
                    });
                }
            },
        };
        Ok((hello, security))
    }

    /// Connected to `address`, which showed `fingerprint`: sends `auth` or starts
    /// pairing.
    pub fn start_handshake(
        &mut self,
        hello: Hello,
        address: &str,
        fingerprint: Option<String>,
        out: &mut Vec<Action>,
    ) -> Handshake {
        let mut handshake = Handshake {
            address: address.to_owned(),
            enrolling: matches!(hello, Hello::Pair(_)),
            fingerprint,
            pairing: None,
            expected_server_mac: None,
        };
        let message = match hello {
            Hello::Auth(credentials) => ClientMessage::Auth {
                protocol: PROTOCOL_VERSION,
                device_id: credentials.device_id,
                token: credentials.token,
            },
            Hello::Pair(code) => {
                let (state, spake2) = ClientPairing::start(&code);
                handshake.pairing = Some(state);
                ClientMessage::PairStart {
                    protocol: PROTOCOL_VERSION,
                    code_slot: code.slot().to_owned(),
                    device_name: self.device_name.clone(),
                    spake2: hex::encode(spake2),
                }
            }
        };
        out.push(Action::Send(message));
        handshake
    }

    /// A message before `welcome`.
    pub fn on_handshake_message(
        &mut self,
        handshake: &mut Handshake,
        message: ServerMessage,
        out: &mut Vec<Action>,
    ) -> Result<Step, SessionEnd> {
        match message {
            ServerMessage::PairChallenge { spake2 } => {
                let Some(state) = handshake.pairing.take() else {
                    return Err(lost("the server sent an unexpected pairing challenge"));
                };
                let binding = handshake.fingerprint.clone().unwrap_or_default();
                let confirmations = hex::decode(&spake2)
                    .map_err(|_| pairing::PairingError::BadMessage)
                    .and_then(|message| state.finish(&message, &binding))
                    .map_err(|error| lost(format!("pairing failed: {error}")))?;
                out.push(Action::Send(ClientMessage::PairConfirm {
                    mac: hex::encode(confirmations.client),
                }));
                handshake.expected_server_mac = Some(confirmations.server);
            }
            ServerMessage::Enrolled {
                device_id,
                token,
                role,
                mac,
            } => {
                // Only a server that knows the code and showed us this very certificate
                // can produce this value; anything else is not our server.
                let confirmed = handshake
                    .expected_server_mac
                    .as_ref()
                    .is_some_and(|expected| pairing::confirmation_matches(expected, &mac));
                if !confirmed {
                    self.pairing_code = None;
                    return Err(SessionEnd::NeedsPairing {
                        reason: Some(
                            "the server could not prove it knows the pairing code; \
                             pairing stopped"
                                .to_owned(),
                        ),
                    });
                }
                tracing::info!(device_id, ?role, "paired");
                let credentials = Credentials {
                    device_id,
                    token,
                    server_fingerprint: handshake.fingerprint.clone(),
                };
                out.push(Action::SaveCredentials(credentials.clone()));
                self.credentials = Some(credentials);
                self.pairing_code = None;
            }
            ServerMessage::Welcome {
                protocol,
                server_id,
                site,
                server_version,
                device_id,
                role,
                head_seq,
            } => {
                let address = &handshake.address;
                tracing::info!(%address, %server_id, %site, %server_version, protocol, head_seq, "welcomed");
                let other_server = self.server_id.as_deref() != Some(server_id.as_str());
                if self.sync.state.seq > 0 && (other_server || head_seq < self.sync.state.seq) {
                    tracing::warn!(
                        have = self.sync.state.seq,
                        head_seq,
                        other_server,
                        "the server does not know our state; starting from a snapshot"
                    );
                    self.sync.forget();
                }
                self.server_id = Some(server_id.clone());
                self.set_status(
                    LinkStatus::Connected {
                        site,
                        server_id,
                        device_id,
                        role,
                    },
                    out,
                );
                out.push(Action::Write(StoreWrite::LastServer(address.clone())));
                return Ok(Step::Welcomed);
            }
            ServerMessage::Error { code, message, .. } => {
                return Err(self.refusal(handshake.enrolling, code, message, out));
            }
            other => tracing::debug!(?other, "ignoring a message before welcome"),
        }
        Ok(Step::Continue)
    }

    /// What an error during the handshake (or a revocation later) means.
    pub(super) fn refusal(
        &mut self,
        enrolling: bool,
        code: ErrorCode,
        message: String,
        out: &mut Vec<Action>,
    ) -> SessionEnd {
        match code {
            ErrorCode::AuthFailed if enrolling => {
                self.pairing_code = None;
                SessionEnd::NeedsPairing {
                    reason: Some(message),
                }
            }
            ErrorCode::AuthFailed | ErrorCode::Revoked => {
                self.credentials = None;
                self.pairing_code = None;
                out.push(Action::Write(StoreWrite::ClearCredentials));
                if code == ErrorCode::Revoked {
                    SessionEnd::Refused {
                        reason: message,
                        retry: false,
                    }
                } else {
                    SessionEnd::NeedsPairing {
                        reason: Some(message),
                    }
                }
            }
            ErrorCode::VersionMismatch => SessionEnd::Refused {
                reason: message,
                retry: true,
            },
            other => lost(format!(
                "the server refused the connection ({other}): {message}"
            )),
        }
    }
}
