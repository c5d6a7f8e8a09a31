//! Pairing with a code, without the code crossing the wire: SPAKE2 (Ed25519 group)
//! followed by key confirmation that binds the TLS certificate fingerprint each side
//! saw. A machine in the middle that does not know the code cannot finish the
//! exchange, and what it sees gives it nothing to brute-force offline.
//!
//! Roles: the client is SPAKE2 side A with identity `packbell-client`, the server
//! side B with identity `packbell-server`; the password is the code's 8 digits.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use spake2::{Ed25519Group, Identity, Password, Spake2};

pub const CLIENT_IDENTITY: &[u8] = b"packbell-client";
pub const SERVER_IDENTITY: &[u8] = b"packbell-server";
/// Digits in a pairing code; the first [`SLOT_DIGITS`] name it, publicly.
pub const CODE_DIGITS: usize = 8;
pub const SLOT_DIGITS: usize = 2;
const CLIENT_CONFIRM_LABEL: &[u8] = b"packbell pairing client confirm";
const SERVER_CONFIRM_LABEL: &[u8] = b"packbell pairing server confirm";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PairingError {
    #[error("a pairing code has {CODE_DIGITS} digits, like 1234-5678")]
    BadCode,
    #[error("the pairing message is malformed")]
    BadMessage,
    #[error("the other side does not know the same pairing code, or someone is in between")]
    Mismatch,
}

/// A pairing code as typed: only its digits count ("1234-5678", "1234 5678").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingCode {
    digits: String,
}

impl PairingCode {
    pub fn parse(text: &str) -> Result<PairingCode, PairingError> {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let others = text
            .chars()
            .any(|c| !(c.is_ascii_digit() || c == '-' || c.is_whitespace()));
        if digits.len() != CODE_DIGITS || others {
            return Err(PairingError::BadCode);
        }
        Ok(PairingCode { digits })
    }

    /// The public part that tells the server which of its open codes is meant.
    pub fn slot(&self) -> &str {
        &self.digits[..SLOT_DIGITS]
    }

    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// `1234-5678`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.digits[..4], &self.digits[4..])
    }
}

/// The client's half of an exchange in progress.
pub struct ClientPairing {
    spake: Spake2<Ed25519Group>,
}

/// Both confirmation values, once the shared key is known.
pub struct Confirmations {
    pub client: [u8; 32],
    pub server: [u8; 32],
}

impl ClientPairing {
    /// Starts the exchange; send the returned message (33 bytes) to the server.
    pub fn start(code: &PairingCode) -> (ClientPairing, Vec<u8>) {
        let (spake, message) = Spake2::<Ed25519Group>::start_a(
            &Password::new(code.digits.as_bytes()),
            &Identity::new(CLIENT_IDENTITY),
            &Identity::new(SERVER_IDENTITY),
        );
        (ClientPairing { spake }, message)
    }

    /// Finishes with the server's message and the fingerprint of the certificate this
    /// client saw ("" over plaintext).
    pub fn finish(
        self,
        server_message: &[u8],
        fingerprint: &str,
    ) -> Result<Confirmations, PairingError> {
        let key = self
            .spake
            .finish(server_message)
            .map_err(|_| PairingError::BadMessage)?;
        Ok(confirmations(&key, fingerprint))
    }
}

/// The server's side: answers the client's message, returns its own message and the
/// confirmations computed with the server's own certificate fingerprint.
pub fn server_respond(
    code: &PairingCode,
    client_message: &[u8],
    fingerprint: &str,
) -> Result<(Vec<u8>, Confirmations), PairingError> {
    let (spake, message) = Spake2::<Ed25519Group>::start_b(
        &Password::new(code.digits.as_bytes()),
        &Identity::new(CLIENT_IDENTITY),
        &Identity::new(SERVER_IDENTITY),
    );
    let key = spake
        .finish(client_message)
        .map_err(|_| PairingError::BadMessage)?;
    Ok((message, confirmations(&key, fingerprint)))
}

/// HMAC-SHA256(key, label || fingerprint) for each side.
fn confirmations(key: &[u8], fingerprint: &str) -> Confirmations {
    let mac = |label: &[u8]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
        mac.update(label);
        mac.update(fingerprint.as_bytes());
        let out: [u8; 32] = mac.finalize().into_bytes().into();
        out
    };
    Confirmations {
        client: mac(CLIENT_CONFIRM_LABEL),
        server: mac(SERVER_CONFIRM_LABEL),
    }
}

/// Compares two confirmation values in constant time.
pub fn confirmation_matches(expected: &[u8; 32], received_hex: &str) -> bool {
    let Ok(received) = hex::decode(received_hex) else {
        return false;
    };
    if received.len() != expected.len() {
        return false;
    }
    expected
        .iter()
        .zip(&received)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_code_same_fingerprint_confirms() {
        let code = PairingCode::parse("1234-5678").expect("valid");
        assert_eq!(code.slot(), "12");
        let (client, a) = ClientPairing::start(&code);
        let (b, server) = server_respond(&code, &a, "fp").expect("server side");
        let client = client.finish(&b, "fp").expect("client side");
        assert!(confirmation_matches(
            &server.client,
            &hex::encode(client.client)
        ));
        assert!(confirmation_matches(
            &client.server,
            &hex::encode(server.server)
        ));
    }

    #[test]
    fn other_code_or_other_fingerprint_does_not_confirm() {
        let code = PairingCode::parse("1234-5678").expect("valid");
        let wrong = PairingCode::parse("1234-5679").expect("valid");
        let (client, a) = ClientPairing::start(&wrong);
        let (b, server) = server_respond(&code, &a, "fp").expect("server side");
        let client = client.finish(&b, "fp").expect("client side");
        assert!(!confirmation_matches(
            &server.client,
            &hex::encode(client.client)
        ));

        let (client, a) = ClientPairing::start(&code);
        let (b, server) = server_respond(&code, &a, "server-fp").expect("server side");
        let client = client.finish(&b, "impostor-fp").expect("client side");
        assert!(!confirmation_matches(
            &server.client,
            &hex::encode(client.client)
        ));
    }

    #[test]
    fn codes_are_eight_digits() {
        assert!(PairingCode::parse("1234 5678").is_ok());
        assert_eq!(PairingCode::parse("1234-567"), Err(PairingError::BadCode));
        assert_eq!(PairingCode::parse("12a4-5678"), Err(PairingError::BadCode));
    }
}
