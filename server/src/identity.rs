//! The server's identity: a key pair and a self-signed certificate made at first start
//! and kept in the data dir (owner-only). Its SHA-256 fingerprint is the server id
//! that clients pin at pairing.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use packbell_shared::tls::{crypto_provider, fingerprint};

const IDENTITY_FILE: &str = "identity.pem";

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} holds no usable certificate and key: {why}")]
    Invalid { path: PathBuf, why: String },
    #[error("could not make a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("TLS setup failed: {0}")]
    Tls(#[from] rustls::Error),
}

pub struct Identity {
    pub cert: CertificateDer<'static>,
    pub key: PrivateKeyDer<'static>,
    /// Hex SHA-256 of the certificate: the server id.
    pub fingerprint: String,
}

impl Identity {
    /// Loads the identity from the data dir, making one on first start.
    pub fn load_or_create(data_dir: &Path) -> Result<Identity, IdentityError> {
        packbell_shared::private_dir::create_private_dir(data_dir).map_err(|source| {
            IdentityError::Io {
                path: data_dir.to_owned(),
                source,
            }
        })?;
        let path = data_dir.join(IDENTITY_FILE);
        if path.exists() {
            return Self::read(&path);
        }
        let pem = generate_pem()?;
        write_private(&path, &pem)?;
        Self::parse(&path, &pem)
    }

    pub fn read(path: &Path) -> Result<Identity, IdentityError> {
        let pem = fs::read_to_string(path).map_err(|source| IdentityError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &pem)
    }

    fn parse(path: &Path, pem: &str) -> Result<Identity, IdentityError> {
        let invalid = |why: String| IdentityError::Invalid {
            path: path.to_owned(),
            why,
        };
        let cert = CertificateDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| invalid(format!("certificate: {e}")))?;
        let key = PrivateKeyDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| invalid(format!("private key: {e}")))?;
        let identity = Identity {
            fingerprint: fingerprint(cert.as_ref()),
            cert,
            key,
        };
        // Proves the key belongs to the certificate before anyone relies on it.
        identity.tls_config()?;
        Ok(identity)
    }

    pub fn tls_config(&self) -> Result<Arc<rustls::ServerConfig>, IdentityError> {
        let config = rustls::ServerConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![self.cert.clone()], self.key.clone_key())?;
        Ok(Arc::new(config))
    }

    /// Copies the identity to `file` (to move the server to another PC without
    /// pairing every client again). The file holds the private key: keep it safe.
    pub fn export(data_dir: &Path, file: &Path) -> Result<String, IdentityError> {
        let identity = Self::load_or_create(data_dir)?;
        let source = data_dir.join(IDENTITY_FILE);
        let pem = fs::read_to_string(&source).map_err(|e| IdentityError::Io {
            path: source,
            source: e,
        })?;
        write_private(file, &pem)?;
        Ok(identity.fingerprint)
    }

    /// Replaces this data dir's identity with the one exported to `file`.
    pub fn import(data_dir: &Path, file: &Path) -> Result<String, IdentityError> {
        let identity = Self::read(file)?;
        let pem = fs::read_to_string(file).map_err(|source| IdentityError::Io {
            path: file.to_owned(),
            source,
        })?;
        packbell_shared::private_dir::create_private_dir(data_dir).map_err(|source| {
            IdentityError::Io {
                path: data_dir.to_owned(),
                source,
            }
        })?;
        write_private(&data_dir.join(IDENTITY_FILE), &pem)?;
        Ok(identity.fingerprint)
    }
}

fn generate_pem() -> Result<String, IdentityError> {
    let key = rcgen::KeyPair::generate()?;
    let mut params = rcgen::CertificateParams::new(vec!["packbell.invalid".to_owned()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "packbell server");
    // Valid for a long time: trust comes from the pinned fingerprint, not from dates.
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2124, 1, 1);
    let cert = params.self_signed(&key)?;
    Ok(format!("{}{}", cert.pem(), key.serialize_pem()))
}

/// Writes a file readable by its owner only (it holds a private key).
fn write_private(path: &Path, contents: &str) -> Result<(), IdentityError> {
    let io = |source| IdentityError::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io)?;
    file.write_all(contents.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_then_reloaded_owner_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = Identity::load_or_create(dir.path()).expect("made");
        let again = Identity::load_or_create(dir.path()).expect("loaded");
        assert_eq!(first.fingerprint, again.fingerprint);
        assert_eq!(first.fingerprint.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(IDENTITY_FILE))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn export_then_import_keeps_the_fingerprint() {
        let a = tempfile::tempdir().expect("temp dir");
        let b = tempfile::tempdir().expect("temp dir");
        let file = a.path().join("moved.pem");
        let exported = Identity::export(a.path(), &file).expect("export");
        let imported = Identity::import(b.path(), &file).expect("import");
        assert_eq!(exported, imported);
        assert_eq!(
            Identity::load_or_create(b.path())
                .expect("load")
                .fingerprint,
            exported
        );
    }
}
