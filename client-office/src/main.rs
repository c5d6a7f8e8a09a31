//! `packbell-office`: the office window. Parses the command line, starts the client
//! link and hands both to eframe.

use anyhow::Context as _;
use clap::Parser;
use packbell_client_core::port::spawn_link;
use packbell_client_core::start;
use packbell_office::app::OfficeApp;
use packbell_office::i18n::Lang;
use packbell_shared::link::cli::ClientArgs;

/// packbell office client: enter ready orders, see them packed, administer the site.
#[derive(Debug, Parser)]
#[command(name = "packbell-office", version)]
struct Args {
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> anyhow::Result<()> {
    start::init_logging();
    let args = Args::parse();
    let (data_dir, config) = start::prepare(args.client, "office")?;

    let (link, events) = spawn_link(config).context("starting the client link")?;
    let app = OfficeApp::new(link, events, Some(data_dir), Lang::system())
        .context("starting the event pump")?;
    app.set_alarm_sound(Box::new(packbell_office::alarm::RodioAlarm::open()));
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
