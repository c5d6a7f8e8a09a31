//! What both windows do before they open: logging, the data dir, the link's
//! configuration from the shared command-line options.

use std::path::PathBuf;

use packbell_shared::link::LinkConfig;
use packbell_shared::link::cli::{ClientArgs, NoDataDir};
use packbell_shared::private_dir::create_private_dir;

/// Log filter when `RUST_LOG` is unset: our own info lines, only warnings from the
/// graphics and desktop-bus crates (they are chatty at info).
pub const DEFAULT_LOG_FILTER: &str = "info,wgpu=warn,naga=warn,eframe=warn,zbus=warn";

/// Logs to stderr, filtered by `RUST_LOG` or [`DEFAULT_LOG_FILTER`].
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER)),
        )
        .init();
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    NoDataDir(#[from] NoDataDir),
    #[error("cannot create the data dir {}: {source}", path.display())]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The data dir and link configuration of the client `app` ("office", "warehouse").
/// The data dir is created owner-only when missing (it will hold the device token).
pub fn prepare(args: ClientArgs, app: &str) -> Result<(PathBuf, LinkConfig), StartError> {
    let (data_dir, config) = args.resolve(app)?;
    create_private_dir(&data_dir).map_err(|source| StartError::DataDir {
        path: data_dir.clone(),
        source,
    })?;
    if config.insecure_plaintext {
        tracing::warn!("--insecure-plaintext: talking to the server without TLS");
    }
    tracing::info!(data_dir = %data_dir.display(), "starting the {app} client");
    Ok((data_dir, config))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        client: ClientArgs,
    }

    #[test]
    fn a_new_data_dir_is_created_owner_only() {
        let base = tempfile::tempdir().expect("temp dir");
        let dir = base.path().join("packbell").join("office");
        let args = Cli::parse_from(["packbell-office", "--data-dir", &dir.to_string_lossy()]);
        let (data_dir, config) = prepare(args.client, "office").expect("prepared");
        assert_eq!(data_dir, dir);
        assert_eq!(config.data_dir, dir);
        assert!(dir.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{mode:o}");
        }
    }
}
