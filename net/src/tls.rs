//! TLS for the client side: the server's certificate is self-signed, so trust comes
//! from its pinned SHA-256 fingerprint (learned at pairing), not from a CA.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

/// Server name sent in the TLS handshake; names are not checked, the pin is.
pub const TLS_SERVER_NAME: &str = "packbell.invalid";

/// Lower-case hex SHA-256 of a certificate's DER bytes: the server id.
pub fn fingerprint(cert_der: &[u8]) -> String {
    hex::encode(Sha256::digest(cert_der))
}

/// The first 16 hex digits in groups of four, for people to compare at a glance.
pub fn short_fingerprint(fingerprint: &str) -> String {
    let head: String = fingerprint.chars().take(16).collect();
    head.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// What a client expects of the server's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Pairing: accept any certificate, remember its fingerprint (the pairing exchange
    /// then proves the server knows the code and binds this fingerprint).
    Learn,
    /// Paired: only a certificate with exactly this fingerprint.
    Pinned(String),
}

/// Checks the server certificate against the pin, and the handshake signature against
/// the certificate's key (so a copied certificate alone is useless).
#[derive(Debug)]
struct PinVerifier {
    trust: Trust,
    seen: Arc<Mutex<Option<String>>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let seen = fingerprint(end_entity.as_ref());
        if let Ok(mut slot) = self.seen.lock() {
            *slot = Some(seen.clone());
        }
        match &self.trust {
            Trust::Pinned(expected) if *expected != seen => {
                Err(rustls::Error::General(PIN_MISMATCH.to_owned()))
            }
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Marker text of the error a pinned client raises on a different certificate.
pub const PIN_MISMATCH: &str = "server certificate does not match the pinned fingerprint";

/// A client TLS configuration for `trust`, and a slot that receives the fingerprint of
/// the certificate the server presented.
pub fn client_config(trust: Trust) -> (Arc<rustls::ClientConfig>, Arc<Mutex<Option<String>>>) {
    let provider = crypto_provider();
    let seen = Arc::new(Mutex::new(None));
    let verifier = PinVerifier {
        trust,
        seen: seen.clone(),
        algorithms: provider.signature_verification_algorithms,
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports the default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    (Arc::new(config), seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_hex_sha256() {
        let f = fingerprint(b"abc");
        assert_eq!(
            f,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(short_fingerprint(&f), "ba78:16bf:8f01:cfea");
    }
}
