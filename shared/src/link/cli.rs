//! The command-line options both desktop clients share: how to find the server, where
//! to keep local state, how to pair. Each is also an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::api::LinkConfig;

#[derive(Debug, Clone, clap::Args)]
pub struct ClientArgs {
    /// HOST:PORT of the server's WebSocket (repeatable: tried in turn); without it the
    /// server is found on the LAN.
    #[arg(long, env = "PACKBELL_SERVER", value_delimiter = ',')]
    pub server: Vec<String>,
    /// Where discovery probes go (repeatable); default: every LAN broadcast address.
    #[arg(
        long = "discovery-addr",
        env = "PACKBELL_DISCOVERY_ADDR",
        value_delimiter = ','
    )]
    pub discovery_addr: Vec<SocketAddr>,
    /// This PC's client state: device token, pinned server, outbox, last known state,
    /// settings (default: the platform's data directory).
    #[arg(long, env = "PACKBELL_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Only connect to the server of this site.
    #[arg(long, env = "PACKBELL_SITE")]
    pub site: Option<String>,
    /// Pairing code for the first start (otherwise the window asks for it).
    #[arg(long, env = "PACKBELL_PAIRING_CODE")]
    pub pairing_code: Option<String>,
    /// Talk plain ws:// to a server started with --insecure-plaintext (debugging only:
    /// anyone on the network can then read orders and this PC's token).
    #[arg(long, env = "PACKBELL_INSECURE_PLAINTEXT")]
    pub insecure_plaintext: bool,
    /// Name of this PC in the admin's device list (default: from the host name).
    #[arg(long, env = "PACKBELL_NAME")]
    pub name: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("no home directory to keep the {app} client's data in; pass --data-dir")]
pub struct NoDataDir {
    app: String,
}

impl ClientArgs {
    /// The data dir and link configuration for the client `app` ("office",
    /// "warehouse"): its data goes to `default_client_data_dir(app)` by default.
    pub fn resolve(self, app: &str) -> Result<(PathBuf, LinkConfig), NoDataDir> {
        let data_dir = match self.data_dir {
            Some(dir) => dir,
            None => default_client_data_dir(app).ok_or_else(|| NoDataDir {
                app: app.to_owned(),
            })?,
        };
        let config = LinkConfig {
            insecure_plaintext: self.insecure_plaintext,
            data_dir: data_dir.clone(),
            server: (!self.server.is_empty()).then(|| self.server.join(",")),
            discovery_targets: self.discovery_addr,
            site: self.site,
            device_name: self.name.unwrap_or_else(|| default_device_name(app)),
            pairing_code: self.pairing_code,
        };
        Ok((data_dir, config))
    }
}

/// `<platform local data dir>/packbell/<app>`: on Windows `%LOCALAPPDATA%`, not the
/// roaming `%APPDATA%`, because the device token and outbox belong to this PC and must
/// not follow a roaming profile to another one. Elsewhere it is the usual data dir
/// (`~/.local/share/packbell/<app>` on Linux). None without a home directory.
pub fn default_client_data_dir(app: &str) -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "packbell").map(|dirs| dirs.data_local_dir().join(app))
}

/// "<host> (<app>)", or just the app when the host name is unknown.
pub fn default_device_name(app: &str) -> String {
    std::env::var("COMPUTERNAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|name| name.trim().to_owned())
        })
        .filter(|name| !name.is_empty())
        .map_or_else(|| app.to_owned(), |host| format!("{host} ({app})"))
}

/// Only on Windows: on Linux and macOS the local and the roaming data dir are the same.
#[cfg(all(test, windows))]
mod tests {
    use super::*;

    /// The device token must stay on this PC: `%LOCALAPPDATA%`, not the roaming
    /// `%APPDATA%`.
    #[test]
    fn windows_clients_keep_their_data_in_local_app_data() {
        let local = PathBuf::from(std::env::var_os("LOCALAPPDATA").expect("LOCALAPPDATA"));
        let dir = default_client_data_dir("office").expect("a home directory");
        assert!(
            dir.starts_with(&local),
            "{} is not under {}",
            dir.display(),
            local.display()
        );
    }
}
