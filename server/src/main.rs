//! `packbell-server`: the command line around [`packbell_server::RunningServer`].

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use chrono::{NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};

use packbell_server::config::DEFAULT_WS_PORT;
use packbell_server::identity::Identity;
use packbell_server::{Limits, RunningServer, ServerConfig, db, export, stock};
use packbell_shared::discovery::DEFAULT_DISCOVERY_PORT;
use packbell_shared::protocol::Role;

#[derive(Parser, Debug)]
#[command(
    name = "packbell-server",
    version,
    about = "Relays ready orders from office PCs to warehouse PCs on the LAN, and stores them durably."
)]
struct Cli {
    /// Where the database lives (default: the platform's data directory).
    #[arg(long, env = "PACKBELL_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,

    #[command(flatten)]
    serve: ServeArgs,

    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Address the WebSocket listener binds. Discovery always listens on all addresses.
    #[arg(long, env = "PACKBELL_BIND", default_value = "0.0.0.0")]
    bind: IpAddr,
    #[arg(long, env = "PACKBELL_WS_PORT", default_value_t = DEFAULT_WS_PORT)]
    ws_port: u16,
    #[arg(long, env = "PACKBELL_DISCOVERY_PORT", default_value_t = DEFAULT_DISCOVERY_PORT)]
    discovery_port: u16,
    /// Do not answer discovery probes (clients then need --server).
    #[arg(long, env = "PACKBELL_NO_DISCOVERY")]
    no_discovery: bool,
    /// Do not announce this server over DNS-SD (`_packbell._tcp`, multicast DNS).
    #[arg(long, env = "PACKBELL_NO_MDNS")]
    no_mdns: bool,
    /// Site name shown to clients; clients configured with a site only find this one.
    #[arg(long, env = "PACKBELL_SITE", default_value = "packbell")]
    site: String,
    /// Create this store at start-up unless it exists (repeatable).
    #[arg(
        long = "seed-store",
        env = "PACKBELL_SEED_STORES",
        value_delimiter = ','
    )]
    seed_stores: Vec<String>,
    /// Serve plain ws:// instead of TLS. Debugging only: anyone on the network can read
    /// orders and device tokens.
    #[arg(long, env = "PACKBELL_INSECURE_PLAINTEXT")]
    insecure_plaintext: bool,
    /// Sustained requests per second allowed per device (over all its connections).
    #[arg(long, env = "PACKBELL_MAX_COMMANDS_PER_SECOND", default_value_t = Limits::default().commands_per_second)]
    max_commands_per_second: f64,
    /// Folder of the daily CSV reports (default: `reports` in the data dir).
    #[arg(long, env = "PACKBELL_REPORTS_DIR")]
    reports_dir: Option<PathBuf>,
    /// Local time the previous day's reports are written, HH:MM.
    #[arg(long, env = "PACKBELL_DAILY_REPORT_AT", default_value = "06:00", value_parser = parse_time_of_day)]
    daily_report_at: chrono::NaiveTime,
    /// Days daily report files are kept.
    #[arg(long, env = "PACKBELL_REPORT_RETENTION_DAYS", default_value_t = export::daily::DEFAULT_RETENTION_DAYS)]
    report_retention_days: u32,
    /// Delimiter of the daily reports (`semicolon` for Spanish-locale spreadsheets).
    #[arg(long, env = "PACKBELL_REPORT_DELIMITER", value_enum, default_value_t = DelimiterArg::Comma)]
    report_delimiter: DelimiterArg,
    /// Do not write daily reports.
    #[arg(long, env = "PACKBELL_NO_DAILY_REPORTS")]
    no_daily_reports: bool,
    /// Daily database backups kept in the data dir's `backups` folder.
    #[arg(
        long,
        env = "PACKBELL_BACKUP_RETENTION",
        default_value_t = db::backup::files::DEFAULT_DAILY_KEPT,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    backup_retention: u32,
    /// Do not back the database up every day.
    #[arg(long, env = "PACKBELL_NO_DAILY_BACKUPS")]
    no_daily_backups: bool,
    #[command(flatten)]
    stock: StockArgs,
}

#[derive(clap::Args, Debug)]
struct StockArgs {
    /// A lot with stock raises an `expiring` alert this many days before its expiry.
    #[arg(long, env = "PACKBELL_STOCK_EXPIRING_DAYS", default_value_t = stock::alerts::DEFAULT_EXPIRING_DAYS)]
    stock_expiring_days: u32,
    /// Minutes after which an unacknowledged stock alert reaches level 2.
    #[arg(long, env = "PACKBELL_STOCK_LEVEL_2_MINUTES", default_value_t = 60)]
    stock_level_2_minutes: u32,
    /// Minutes after which an unacknowledged stock alert reaches level 3 (admins too).
    #[arg(long, env = "PACKBELL_STOCK_LEVEL_3_MINUTES", default_value_t = 240)]
    stock_level_3_minutes: u32,
    /// Seconds between the scheduled stock checks (expiry, escalation).
    #[arg(long, env = "PACKBELL_STOCK_CHECK_SECONDS", default_value_t = stock::DEFAULT_CHECK_INTERVAL.as_secs())]
    stock_check_seconds: u64,
    /// The watched stock import folder (default: `import` in the data dir).
    #[arg(long, env = "PACKBELL_IMPORT_DIR")]
    import_dir: Option<PathBuf>,
    /// Do not watch an import folder.
    #[arg(long, env = "PACKBELL_NO_IMPORT_FOLDER")]
    no_import_folder: bool,
    /// Days of packed-order history a restock suggestion looks at.
    #[arg(long, env = "PACKBELL_RESTOCK_WINDOW_DAYS", default_value_t = stock::restock::DEFAULT_WINDOW_DAYS)]
    restock_window_days: u32,
    /// z of the restock service level (1.645 is 95 %, 2.326 is 99 %).
    #[arg(long, env = "PACKBELL_RESTOCK_Z", default_value_t = stock::restock::Z_95)]
    restock_z: f64,
}

impl StockArgs {
    fn config(&self, data_dir: &std::path::Path) -> anyhow::Result<stock::StockConfig> {
        if self.stock_level_2_minutes >= self.stock_level_3_minutes {
            anyhow::bail!("--stock-level-2-minutes must be below --stock-level-3-minutes");
        }
        let mut config =
            stock::StockConfig::with_import_folder((!self.no_import_folder).then(|| {
                self.import_dir
                    .clone()
                    .unwrap_or_else(|| data_dir.join("import"))
            }));
        config.rules.alerts.expiring_days = self.stock_expiring_days;
        config.rules.escalation = stock::escalation::Escalation {
            level_2_after: chrono::TimeDelta::minutes(i64::from(self.stock_level_2_minutes)),
            level_3_after: chrono::TimeDelta::minutes(i64::from(self.stock_level_3_minutes)),
        };
        config.check_interval = std::time::Duration::from_secs(self.stock_check_seconds.max(1));
        config.restock = stock::restock::RestockSettings {
            window_days: self.restock_window_days.max(1),
            z: self.restock_z,
        };
        Ok(config)
    }
}

fn parse_time_of_day(text: &str) -> Result<chrono::NaiveTime, String> {
    chrono::NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|e| format!("{text:?} is not a time of day as HH:MM (e.g. 06:00): {e}"))
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Print a new single-use pairing code for a device (works while the server runs).
    PairingCode {
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Minutes until the code expires.
        #[arg(long, default_value_t = 10)]
        minutes: u32,
    },
    /// Print the server id (certificate fingerprint) and what the data dir holds.
    Status,
    /// Move the server to another PC without pairing every client again.
    #[command(subcommand)]
    Identity(IdentityCmd),
    /// Write a CSV report (works while the server runs; reads only).
    Export(ExportArgs),
    /// Write a checked backup of the database to FILE (works while the server runs).
    Backup {
        /// The backup file to write; it must not exist yet.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace the database with a backup; the server must be stopped. The replaced
    /// database is kept beside it as `packbell.sqlite3.replaced-<time>`.
    Restore { file: PathBuf },
    /// Import data from a file.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Write every item's restock suggestion as CSV (docs/stock.md; reads only).
    Restock {
        /// Days of packed-order history looked at.
        #[arg(long, default_value_t = stock::restock::DEFAULT_WINDOW_DAYS)]
        window_days: u32,
        /// z of the service level (1.645 is 95 %).
        #[arg(long, default_value_t = stock::restock::Z_95)]
        z: f64,
        #[arg(long, value_enum, default_value = "comma")]
        delimiter: DelimiterArg,
        /// File to write ("-" for stdout). It appears only once complete.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum ImportCmd {
    /// Import stock items from a CSV file (docs/stock.md): every row or none; bad rows
    /// are listed by line number and the command fails.
    Stock { file: PathBuf },
}

#[derive(clap::Args, Debug)]
struct ExportArgs {
    #[arg(long, value_enum)]
    kind: KindArg,
    /// First local day, YYYY-MM-DD.
    #[arg(long, value_parser = export::range::parse_date)]
    from: NaiveDate,
    /// Last local day (included), YYYY-MM-DD.
    #[arg(long, value_parser = export::range::parse_date)]
    to: NaiveDate,
    /// Only this store (repeatable; default: every store).
    #[arg(long = "store")]
    stores: Vec<String>,
    #[arg(long, value_enum, default_value = "comma")]
    delimiter: DelimiterArg,
    /// File to write ("-" for stdout). It appears only once complete.
    #[arg(long)]
    out: PathBuf,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum KindArg {
    /// One row per event.
    Audit,
    /// One row per order created in the range.
    Orders,
    /// Orders and waits per store and in total.
    Summary,
    /// Orders and waits per local hour of day and in total.
    Hourly,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum DelimiterArg {
    Comma,
    /// For spreadsheets in locales with a decimal comma (decimals then use a comma).
    Semicolon,
}

impl From<DelimiterArg> for export::Delimiter {
    fn from(arg: DelimiterArg) -> Self {
        match arg {
            DelimiterArg::Comma => export::Delimiter::Comma,
            DelimiterArg::Semicolon => export::Delimiter::Semicolon,
        }
    }
}

#[derive(Subcommand, Debug)]
enum IdentityCmd {
    /// Write the server's certificate and private key to FILE.
    Export { file: PathBuf },
    /// Replace this data dir's identity with one exported from another server.
    Import { file: PathBuf },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum RoleArg {
    Office,
    Warehouse,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Role {
        match role {
            RoleArg::Office => Role::Office,
            RoleArg::Warehouse => Role::Warehouse,
            RoleArg::Admin => Role::Admin,
        }
    }
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PACKBELL_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let data_dir = match cli.data_dir {
        Some(dir) => dir,
        None => default_data_dir()?,
    };
    match cli.command {
        Some(Cmd::PairingCode { role, minutes }) => {
            print_pairing_code(&data_dir, role.into(), minutes)
        }
        Some(Cmd::Status) => print_status(&data_dir, &cli.serve),
        Some(Cmd::Identity(IdentityCmd::Export { file })) => {
            let id = Identity::export(&data_dir, &file)?;
            eprintln!(
                "Exported server identity {id} to {} (it holds the private key: keep it safe).",
                file.display()
            );
            Ok(())
        }
        Some(Cmd::Identity(IdentityCmd::Import { file })) => {
            let id = Identity::import(&data_dir, &file)?;
            eprintln!("This data dir now has server identity {id}; paired clients will accept it.");
            Ok(())
        }
        Some(Cmd::Export(args)) => write_export(&data_dir, args),
        Some(Cmd::Backup { out }) => write_backup(&data_dir, &out),
        Some(Cmd::Restore { file }) => restore_backup(&data_dir, &file),
        Some(Cmd::Import(ImportCmd::Stock { file })) => import_stock(&data_dir, &file),
        Some(Cmd::Restock {
            window_days,
            z,
            delimiter,
            out,
        }) => {
            let settings = stock::restock::RestockSettings {
                window_days: window_days.max(1),
                z,
            };
            write_restock(&data_dir, &settings, delimiter.into(), &out)
        }
        None => serve(data_dir, cli.serve),
    }
}

/// Where a server started by hand keeps its data: the local (never roaming, on Windows
/// `%LOCALAPPDATA%`) data dir. The installed server gets `--data-dir` from its unit or
/// boot task (`/var/lib/packbell`, `%ProgramData%\packbell\server`).
fn default_data_dir() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "packbell")
        .context("no home directory; pass --data-dir")?;
    Ok(dirs.data_local_dir().join("server"))
}

fn print_pairing_code(data_dir: &std::path::Path, role: Role, minutes: u32) -> anyhow::Result<()> {
    let conn = db::open(data_dir)?;
    let now = Utc::now();
    let expires_at = now + chrono::Duration::minutes(i64::from(minutes));
    let code = match db::pairing::new_pairing_code(&conn, role, now, expires_at) {
        Ok(code) => code,
        Err(db::apply::ApplyError::Refused(refusal)) => anyhow::bail!("{}", refusal.message),
        Err(db::apply::ApplyError::Db(e)) if e.is_disk_full() => anyhow::bail!(
            "the disk holding {} is full: no pairing code can be stored until space is freed",
            data_dir.display()
        ),
        Err(e) => return Err(e.into()),
    };
    let identity = Identity::load_or_create(data_dir)?;
    eprintln!(
        "Pairing code for one {} device, valid {minutes} minutes (server {}):",
        role.as_str(),
        packbell_shared::tls::short_fingerprint(&identity.fingerprint)
    );
    println!("{code}");
    Ok(())
}

fn print_status(data_dir: &std::path::Path, serve: &ServeArgs) -> anyhow::Result<()> {
    let identity = Identity::load_or_create(data_dir)?;
    let mut conn = db::open(data_dir)?;
    let counts = db::status::site_counts(&conn)?;
    println!("server id:      {}", identity.fingerprint);
    println!("data dir:       {}", data_dir.display());
    println!("events:         {}", counts.events);
    println!("pending orders: {}", counts.pending_orders);
    println!("devices:        {}", counts.devices);
    let storage = db::status::check_storage(&mut conn)?;
    println!("storage:        {}", storage.describe(data_dir));
    for address in packbell_server::discovery::listen_addresses(serve.bind, serve.ws_port) {
        println!("listens on:     {address}");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let answer = runtime.block_on(packbell_server::discovery::answers_on_loopback(
        serve.discovery_port,
    ));
    match answer {
        Some(found) => println!(
            "discovery:      answering on UDP port {} (site {:?}, server id {})",
            serve.discovery_port,
            found.site,
            packbell_shared::tls::short_fingerprint(&found.server_id)
        ),
        None => println!(
            "discovery:      no answer on UDP port {} of this PC: is the server running?",
            serve.discovery_port
        ),
    }
    Ok(())
}

fn write_export(data_dir: &std::path::Path, args: ExportArgs) -> anyhow::Result<()> {
    let request = export::Request {
        kind: match args.kind {
            KindArg::Audit => export::Kind::Audit,
            KindArg::Orders => export::Kind::Orders,
            KindArg::Summary => export::Kind::Summary,
            KindArg::Hourly => export::Kind::Hourly,
        },
        from: args.from,
        to: args.to,
        stores: args.stores,
        delimiter: args.delimiter.into(),
    };
    let conn = db::export::open_reader(data_dir)?;
    let checked = export::check(&conn, &request)?;
    let (rows, destination) = if args.out.as_os_str() == "-" {
        let (mut stdout, rows) =
            export::write(&conn, &request, &checked, std::io::stdout().lock())?;
        std::io::Write::flush(&mut stdout)?;
        (rows, "standard output".to_owned())
    } else {
        let rows = export::output::write_whole_file(&args.out, |file| {
            Ok(export::write(&conn, &request, &checked, file)?.1)
        })?;
        eprintln!("Wrote {rows} rows to {}", args.out.display());
        (rows, args.out.display().to_string())
    };
    // Recorded after the file is whole: the log never names an export that failed.
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown user".to_owned());
    let record = db::export_log::ExportRecord {
        at: Utc::now(),
        by: format!("command line ({user})"),
        details: request.describe(rows, &destination),
    };
    db::export_log::record(&db::open(data_dir)?, &record)
        .context("the export was written but could not be recorded in the export log")?;
    Ok(())
}

fn write_backup(data_dir: &std::path::Path, out: &std::path::Path) -> anyhow::Result<()> {
    let bytes = packbell_server::backup::backup_to_file(data_dir, out)
        .with_context(|| format!("no backup was written to {}", out.display()))?;
    eprintln!(
        "Wrote a backup of {} to {} ({bytes} bytes, integrity checked).",
        data_dir.display(),
        out.display()
    );
    Ok(())
}

fn restore_backup(data_dir: &std::path::Path, file: &std::path::Path) -> anyhow::Result<()> {
    let restored = packbell_server::backup::restore::restore(data_dir, file)
        .with_context(|| format!("nothing was restored from {}", file.display()))?;
    eprintln!("Restored {} into {}.", file.display(), data_dir.display());
    match restored.replaced {
        Some(aside) => eprintln!("The database it replaced is kept as {}.", aside.display()),
        None => eprintln!("There was no database there before."),
    }
    eprintln!(
        "Start the server again. Paired PCs reconnect only if this data dir holds the same \
         server identity (see 'packbell-server identity')."
    );
    Ok(())
}

fn import_stock(data_dir: &std::path::Path, file: &std::path::Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let items = match stock::import::parse(&bytes) {
        Ok(items) => items,
        Err(e) => anyhow::bail!("{}: {}", file.display(), e.report().trim_end()),
    };
    let mut conn = db::open(data_dir)?;
    let tx = conn.transaction()?;
    let rules = stock::StockRules::default();
    match db::stock::import(&tx, &items, None, Utc::now(), &rules) {
        Ok((imported, _)) => {
            tx.commit()?;
            eprintln!(
                "Imported {} items from {}. A running server's windows show them after \
                 their next reconnect; the watched import folder shows them at once.",
                imported.items,
                file.display()
            );
            Ok(())
        }
        Err(db::apply::ApplyError::Refused(refusal)) => {
            anyhow::bail!("{}: {}", file.display(), refusal.message.trim_end())
        }
        Err(db::apply::ApplyError::Db(e)) => Err(e.into()),
    }
}

fn write_restock(
    data_dir: &std::path::Path,
    settings: &stock::restock::RestockSettings,
    delimiter: export::Delimiter,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let conn = db::export::open_reader(data_dir)?;
    let today = chrono::Local::now().date_naive();
    if out.as_os_str() == "-" {
        let (mut stdout, _) = stock::restock_list::write(
            &conn,
            settings,
            today,
            delimiter,
            std::io::stdout().lock(),
        )?;
        std::io::Write::flush(&mut stdout)?;
    } else {
        let rows = export::output::write_whole_file(out, |file| {
            Ok(stock::restock_list::write(&conn, settings, today, delimiter, file)?.1)
        })?;
        eprintln!("Wrote {rows} items to {}", out.display());
    }
    Ok(())
}

fn serve(data_dir: PathBuf, args: ServeArgs) -> anyhow::Result<()> {
    let daily_reports = (!args.no_daily_reports).then(|| export::daily::DailyReports {
        folder: args
            .reports_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("reports")),
        at: args.daily_report_at,
        retention_days: args.report_retention_days,
        delimiter: args.report_delimiter.into(),
    });
    let stock_config = args.stock.config(&data_dir)?;
    let config = ServerConfig {
        data_dir,
        bind: args.bind,
        ws_port: args.ws_port,
        discovery_port: (!args.no_discovery).then_some(args.discovery_port),
        site: args.site,
        seed_stores: args
            .seed_stores
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        insecure_plaintext: args.insecure_plaintext,
        limits: Limits {
            commands_per_second: args.max_commands_per_second,
            command_burst: args.max_commands_per_second * 2.0,
            ..Limits::default()
        },
        daily_reports,
        daily_backups: (!args.no_daily_backups).then_some(
            packbell_server::backup::daily::DailyBackups {
                keep: args.backup_retention,
            },
        ),
        stock: stock_config,
    };
    if config.insecure_plaintext {
        tracing::warn!(
            "--insecure-plaintext: serving ws:// without TLS. Anyone on this network can read \
             orders and device tokens, and paired clients will not connect. Debugging only."
        );
    }
    let args_no_mdns = args.no_mdns;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("packbell-server")
        .build()?;
    runtime.block_on(async move {
        let server = RunningServer::start(config.clone()).await?;
        print_banner(&server, &config).await;
        // Kept until the server stops: dropping it stops the announcement.
        let _announcement = announce(&server, &config, args_no_mdns);
        wait_for_stop_signal().await;
        tracing::info!("stopping: finishing in-flight commits");
        server.shutdown().await;
        tracing::info!("stopped");
        Ok(())
    })
}

async fn print_banner(server: &RunningServer, config: &ServerConfig) {
    println!(
        "packbell-server {} — site {:?}, server id {}",
        env!("CARGO_PKG_VERSION"),
        config.site,
        server.server_id()
    );
    println!("Data: {}", config.data_dir.display());
    let scheme = if config.insecure_plaintext {
        "ws"
    } else {
        "wss"
    };
    println!("Clients connect to {scheme}://{}", server.ws_addr());
    let addresses =
        packbell_server::discovery::listen_addresses(config.bind, server.ws_addr().port());
    for address in addresses {
        println!("  listening on {address}");
    }
    match server.discovery_addr() {
        Some(addr) => println!("Answering discovery on UDP port {}", addr.port()),
        None => println!("Discovery is off: clients need --server"),
    }
    let minutes = config.limits.pairing_code_ttl.as_secs() / 60;
    // No code must keep the server from starting: it still serves paired devices.
    match server.startup_pairing_codes().await {
        Ok(codes) => {
            println!("Pairing codes (one device each, valid {minutes} minutes):");
            for (role, code) in codes {
                match code {
                    Some(code) => println!("  {:<10} {code}", role.as_str()),
                    None => println!(
                        "  {:<10} none: every pairing code slot is taken by an open code",
                        role.as_str()
                    ),
                }
            }
        }
        Err(e) => println!(
            "No pairing codes were made ({e}). The server serves paired devices meanwhile; \
             make codes later with 'packbell-server pairing-code --role ROLE'."
        ),
    }
    println!("More codes: packbell-server pairing-code --role warehouse");
}

/// Announces the server over DNS-SD when discovery is on and it is not turned off; a
/// failure is printed and the server runs on (broadcast discovery still answers).
fn announce(
    server: &RunningServer,
    config: &ServerConfig,
    no_mdns: bool,
) -> Option<packbell_shared::mdns::Registration> {
    if no_mdns || server.discovery_addr().is_none() {
        return None;
    }
    match packbell_shared::mdns::register(&config.site, server.server_id(), server.ws_addr().port())
    {
        Ok(registration) => {
            println!(
                "Announced over DNS-SD as {}",
                packbell_shared::mdns::SERVICE_TYPE
            );
            Some(registration)
        }
        Err(error) => {
            println!("Not announced over DNS-SD ({error}); broadcast discovery still answers");
            None
        }
    }
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    // A second signal during shutdown exits at once.
    tokio::spawn(async {
        let _ = tokio::signal::ctrl_c().await;
        std::process::exit(130);
    });
}
