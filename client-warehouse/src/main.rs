//! `packbell-warehouse`: the warehouse PC's window.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser;
use packbell_shared::link::LinkConfig;
use packbell_warehouse::alert::{
    DesktopNotifier, Executor, RodioSound, UiWaker, ViewportAttention,
};
use packbell_warehouse::app::{WarehouseApp, new_model};
use packbell_warehouse::i18n::Language;
use packbell_warehouse::link_bridge::RealLink;
use packbell_warehouse::model::Hint;
use packbell_warehouse::settings;

/// The warehouse's pending order list: rings for new orders, marks them packed.
#[derive(Debug, Parser)]
#[command(name = "packbell-warehouse", version)]
struct Cli {
    /// Server WebSocket address (HOST:PORT); skips discovery.
    #[arg(long, env = "PACKBELL_SERVER")]
    server: Option<String>,
    /// Where discovery probes go (repeatable); default: every LAN broadcast address.
    #[arg(
        long = "discovery-addr",
        env = "PACKBELL_DISCOVERY_ADDR",
        value_delimiter = ','
    )]
    discovery_addr: Vec<SocketAddr>,
    /// Local state: device token, last known list, settings.
    #[arg(long, env = "PACKBELL_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Only use a server of this site.
    #[arg(long, env = "PACKBELL_SITE")]
    site: Option<String>,
    /// Pairing code for the first run (otherwise the window asks for it).
    #[arg(long, env = "PACKBELL_PAIRING_CODE")]
    pairing_code: Option<String>,
    /// This PC's name in the server's device list (default: the host name).
    #[arg(long, env = "PACKBELL_NAME")]
    name: Option<String>,
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "packbell")
        .map(|dirs| dirs.data_dir().join("warehouse"))
        .context("no home directory to keep local state in; pass --data-dir")
}

fn default_name() -> String {
    std::env::var("HOSTNAME")
        .or_else(|_| std::env::var("COMPUTERNAME"))
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|name| name.trim().to_owned())
        })
        .filter(|name| !name.is_empty())
        .map_or_else(
            || "warehouse".to_owned(),
            |name| format!("{name} (warehouse)"),
        )
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,wgpu=warn,naga=warn,eframe=warn,zbus=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let data_dir = match cli.data_dir {
        Some(dir) => dir,
        None => default_data_dir()?,
    };
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create data dir {}", data_dir.display()))?;
    tracing::info!("data dir {}", data_dir.display());

    let settings = settings::load(&data_dir);
    let language = settings.language.unwrap_or_else(Language::system);
    let (model, hints) = new_model(settings);

    // The audio device is opened first, so the very first order's chime plays.
    let sound = RodioSound::open();
    if let Some(err) = sound.error() {
        hints(Hint::NoSound(err.to_owned()));
    }
    let notifier = DesktopNotifier::spawn(
        language.strings().window_title.to_owned(),
        Arc::clone(&hints),
    )
    .context("cannot start the notification thread")?;
    let waker = UiWaker::default();
    let executor = Executor::new(
        Box::new(sound),
        Box::new(notifier),
        Box::new(ViewportAttention::new(waker.clone())),
        hints,
    );

    let config = LinkConfig {
        insecure_plaintext: false,
        data_dir: data_dir.clone(),
        server: cli.server,
        discovery_targets: cli.discovery_addr,
        site: cli.site,
        device_name: cli.name.unwrap_or_else(default_name),
        pairing_code: cli.pairing_code,
    };
    let wake_waker = waker.clone();
    let (link, events) = RealLink::spawn(config, Arc::new(move || wake_waker.repaint()))
        .context("cannot start the link to the server")?;
    let app = WarehouseApp::start(
        model,
        Box::new(link),
        events,
        executor,
        waker,
        Some(data_dir),
    )
    .context("cannot start the alert service")?;

    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(language.strings().window_title)
            .with_app_id("packbell-warehouse")
            .with_inner_size([1100.0, 760.0])
            .with_min_inner_size([640.0, 400.0]),
        persist_window: true,
        ..Default::default()
    };
    eframe::run_native(
        language.strings().window_title,
        options,
        Box::new(move |cc| {
            app.waker().set(cc.egui_ctx.clone());
            Ok(Box::new(app))
        }),
    )
    .map_err(|err| anyhow::anyhow!("window failed: {err}"))
}
