//! `packbell-office`: the office window. Parses the command line, starts the client
//! link and hands both to eframe.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use packbell_office::app::OfficeApp;
use packbell_office::i18n::Lang;
use packbell_office::link::{link_config, spawn_link};

/// packbell office client: enter ready orders, see them packed, administer the site.
#[derive(Debug, Parser)]
#[command(name = "packbell-office", version)]
struct Args {
    /// HOST:PORT of the server's WebSocket; without it the server is found on the LAN.
    #[arg(long, env = "PACKBELL_SERVER")]
    server: Option<String>,
    /// Where discovery probes go (repeatable); default: every LAN broadcast address.
    #[arg(
        long = "discovery-addr",
        env = "PACKBELL_DISCOVERY_ADDR",
        value_delimiter = ','
    )]
    discovery_addr: Vec<SocketAddr>,
    /// This PC's office client state: device token, outbox, last known state, settings.
    #[arg(long, env = "PACKBELL_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Only connect to the server of this site.
    #[arg(long, env = "PACKBELL_SITE")]
    site: Option<String>,
    /// Pairing code for the first start (otherwise the window asks for it).
    #[arg(long, env = "PACKBELL_PAIRING_CODE")]
    pairing_code: Option<String>,
    /// Talk plain ws:// to a server started with --insecure-plaintext (debugging only:
    /// anyone on the network can then read orders and this PC's token).
    #[arg(long)]
    insecure_plaintext: bool,
    /// Name of this PC in the admin's device list.
    #[arg(long, env = "PACKBELL_NAME")]
    name: Option<String>,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let data_dir = match args.data_dir {
        Some(dir) => dir,
        None => directories::ProjectDirs::from("", "packbell", "packbell-office")
            .context("no home directory to keep the office client's data in; pass --data-dir")?
            .data_dir()
            .to_path_buf(),
    };
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating the data dir {}", data_dir.display()))?;
    let mut config = link_config(data_dir.clone(), args.name.unwrap_or_else(default_name));
    config.server = args.server;
    config.discovery_targets = args.discovery_addr;
    config.site = args.site;
    config.pairing_code = args.pairing_code;
    config.insecure_plaintext = args.insecure_plaintext;
    if args.insecure_plaintext {
        tracing::warn!("--insecure-plaintext: talking to the server without TLS");
    }
    tracing::info!(data_dir = %data_dir.display(), "starting the office client");

    let (link, events) = spawn_link(config).context("starting the client link")?;
    let app = OfficeApp::new(link, events, Some(data_dir), Lang::system())
        .context("starting the event pump")?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("packbell · office")
            .with_app_id("packbell-office")
            .with_inner_size([1180.0, 760.0])
            .with_min_inner_size([820.0, 520.0]),
        ..Default::default()
    };
    eframe::run_native(
        "packbell-office",
        options,
        Box::new(move |_cc| Ok(Box::new(app))),
    )
    .map_err(|error| anyhow::anyhow!("the window failed: {error}"))
}

/// "Office <host name>", or plain "Office" when the host name is unknown.
fn default_name() -> String {
    let host = std::env::var("COMPUTERNAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|s| s.trim().to_owned())
        })
        .filter(|h| !h.is_empty());
    match host {
        Some(host) => format!("Office {host}"),
        None => "Office".to_owned(),
    }
}
