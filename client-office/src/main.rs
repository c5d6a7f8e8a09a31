//! `packbell-office`: the office window. Parses the command line, starts the client
//! link and hands both to eframe.

use anyhow::Context as _;
use clap::Parser;
use packbell_client_core::port::spawn_link;
use packbell_client_core::start;
use packbell_client_core::window::{WindowArgs, run_window};
use packbell_office::app::OfficeApp;
use packbell_office::i18n::Lang;
use packbell_shared::link::cli::ClientArgs;

/// The window at start: fits a 1366×768 screen with a taskbar and a title bar
/// (about 1366×700 left), so nothing important starts below the fold.
const DEFAULT_WINDOW: [f32; 2] = [1280.0, 680.0];

/// packbell office client: enter ready orders, see them packed, administer the site.
#[derive(Debug, Parser)]
#[command(name = "packbell-office", version)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
    #[command(flatten)]
    window: WindowArgs,
}

fn main() -> anyhow::Result<()> {
    start::init_logging();
    let args = Args::parse();
    let (data_dir, config) = start::prepare(args.client, "office")?;

    let (link, events) = spawn_link(config).context("starting the client link")?;
    let app = OfficeApp::new(link, events, Some(data_dir), Lang::system())
        .context("starting the event pump")?;
    app.set_alarm_sound(Box::new(packbell_office::alarm::RodioAlarm::open()));
    let options = || eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("packbell · office")
            .with_app_id("packbell-office")
            .with_inner_size(DEFAULT_WINDOW)
            .with_min_inner_size([820.0, 480.0]),
        ..Default::default()
    };
    run_window(
        "packbell-office",
        args.window.renderer,
        options,
        move |_cc| Box::new(app),
    )
    .map_err(|error| anyhow::anyhow!("the window failed: {error}"))
}
