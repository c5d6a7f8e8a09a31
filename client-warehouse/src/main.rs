//! `packbell-warehouse`: the warehouse PC's window.

use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser;
use packbell_client_core::port::spawn_link;
use packbell_client_core::start;
use packbell_client_core::waker::Waker;
use packbell_client_core::window::{WindowArgs, run_window};
use packbell_shared::link::cli::ClientArgs;
use packbell_warehouse::alert::{
    ContextSlot, DesktopNotifier, Executor, RodioSound, ViewportAttention,
};
use packbell_warehouse::app::{WarehouseApp, new_model};
use packbell_warehouse::i18n::Language;
use packbell_warehouse::model::Hint;
use packbell_warehouse::settings;

/// The warehouse's pending order list: rings for new orders, marks them packed.
#[derive(Debug, Parser)]
#[command(name = "packbell-warehouse", version)]
struct Cli {
    #[command(flatten)]
    client: ClientArgs,
    #[command(flatten)]
    window: WindowArgs,
}

fn main() -> anyhow::Result<()> {
    start::init_logging();
    let cli = Cli::parse();
    let (data_dir, config) = start::prepare(cli.client, "warehouse")?;

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
    let window_ctx = ContextSlot::default();
    let executor = Executor::new(
        Box::new(sound),
        Box::new(notifier),
        Box::new(ViewportAttention::new(Arc::clone(&window_ctx))),
        hints,
    );

    let (link, events) = spawn_link(config).context("cannot start the link to the server")?;
    let app = WarehouseApp::start(
        model,
        link,
        events,
        executor,
        Waker::default(),
        Some(data_dir),
    )
    .context("cannot start the alert service")?;

    let title = language.strings().window_title;
    let options = || eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(title)
            .with_app_id("packbell-warehouse")
            .with_inner_size([1100.0, 760.0])
            .with_min_inner_size([640.0, 400.0]),
        persist_window: true,
        ..Default::default()
    };
    run_window(title, cli.window.renderer, options, move |cc| {
        let _ = window_ctx.set(cc.egui_ctx.clone());
        let ctx = cc.egui_ctx.clone();
        app.waker().install(move || move || ctx.request_repaint());
        Box::new(app)
    })
    .map_err(|err| anyhow::anyhow!("window failed: {err}"))
}
