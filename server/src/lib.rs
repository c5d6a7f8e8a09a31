//! packbell-server: durable relay of orders from office PCs to warehouse PCs.
//!
//! [`RunningServer::start`] opens the database, starts the writer thread, the
//! WebSocket listener and the discovery responder; [`RunningServer::shutdown`] stops
//! them in order. The binary in `main.rs` is a thin CLI around this.
#![forbid(unsafe_code)]

pub mod backup;
pub mod config;
pub mod db;
pub mod discovery;
pub mod export;
pub mod fanout;
pub mod identity;
pub mod relay;
pub mod stock;
// Test helpers for the tests of every crate; never in a shipped build.
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod validate;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::Utc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use packbell_shared::protocol::{Command, Role, StoreId};

pub use config::{Limits, ServerConfig};
use db::reader::Reader;
use db::writer::{self, WriterHandle};
use fanout::Fanout;
use relay::budget::Budgets;
use relay::failure_log::FailureLog;
use relay::presence::Presence;
use relay::stats::{RelayStats, RelayStatsSnapshot};

/// Longest wait for connections, then for the writer, when stopping.
const SHUTDOWN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// What every connection task shares.
pub struct Context {
    pub writer: WriterHandle,
    pub reader: Reader,
    pub fanout: Fanout,
    pub presence: Presence,
    /// Warehouse receipts and warehouse counts, to office and admin sockets.
    pub receipts: relay::receipts::ReceiptHub,
    /// Rate budgets per device and per source address.
    pub budgets: Budgets,
    /// What the relay holds and refuses, for tests and the fault script.
    pub stats: Arc<RelayStats>,
    /// Failures of unauthenticated sockets, logged as one summary per interval.
    pub failures: Arc<FailureLog>,
    pub limits: Limits,
    /// Seqs a restore took back; a PC that last saw one is sent a snapshot.
    pub rolled_back: db::rolled_back::RolledBack,
    pub site: String,
    /// Hex SHA-256 of the TLS certificate.
    pub server_id: String,
    /// `None` when serving plaintext (`--insecure-plaintext`).
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    pub data_dir: std::path::PathBuf,
    pub started_at: chrono::DateTime<Utc>,
    /// Cancelled once on shutdown; every task watches it.
    pub shutdown: CancellationToken,
}

/// A started server. Dropping it without `shutdown` leaves tasks running until the
/// runtime ends.
pub struct RunningServer {
    ctx: Arc<Context>,
    ws_addr: SocketAddr,
    discovery_addr: Option<SocketAddr>,
    tasks: TaskTracker,
    writer_thread: std::thread::JoinHandle<()>,
    /// Held until the writer has stopped, so `restore` never replaces a database in use.
    data_dir_lock: backup::lock::DataDirLock,
    /// The watched stock import folder, when there is one.
    import_watcher: Option<Arc<tokio::sync::Mutex<stock::watch::Watcher>>>,
}

impl RunningServer {
    pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
        let data_dir = config.data_dir.clone();
        let (conn, identity, data_dir_lock, rolled_back) = tokio::task::spawn_blocking(move || {
            let data_dir_lock = backup::lock::DataDirLock::acquire(&data_dir)?;
            let conn = db::open(&data_dir)?;
            let rolled_back = db::rolled_back::load(&conn)?;
            let identity = identity::Identity::load_or_create(&data_dir)?;
            Ok::<_, anyhow::Error>((conn, identity, data_dir_lock, rolled_back))
        })
        .await?
        .with_context(|| format!("opening the data dir {}", config.data_dir.display()))?;
        let tls = if config.insecure_plaintext {
            None
        } else {
            Some(tokio_rustls::TlsAcceptor::from(identity.tls_config()?))
        };
        let server_id = identity.fingerprint;

        let fanout = Fanout::default();
        let (writer, writer_thread) = writer::spawn(
            conn,
            fanout.clone(),
            config.data_dir.clone(),
            config.stock.rules.clone(),
        )
        .context("starting the writer thread")?;
        // What expired or escalated while the server was off is in the log before any
        // client connects; a failure (a full disk) must not keep the server down.
        if let Err(e) = writer.stock_tick().await {
            tracing::warn!("the stock check at start failed: {e}");
        }
        let listener = TcpListener::bind((config.bind, config.ws_port))
            .await
            .with_context(|| format!("listening on {}:{}", config.bind, config.ws_port))?;
        let ws_addr = listener.local_addr()?;
        let shutdown = CancellationToken::new();
        let tasks = TaskTracker::new();
        let ctx = Arc::new(Context {
            writer,
            reader: Reader::new(config.data_dir.clone()),
            fanout,
            presence: Presence::default(),
            receipts: relay::receipts::ReceiptHub::default(),
            budgets: Budgets::new(&config.limits),
            stats: Arc::default(),
            failures: Arc::default(),
            limits: config.limits.clone(),
            rolled_back,
            site: config.site.clone(),
            server_id,
            tls,
            data_dir: config.data_dir.clone(),
            started_at: Utc::now(),
            shutdown: shutdown.clone(),
        });
        let import_watcher =
            config.stock.import_folder.clone().map(|folder| {
                Arc::new(tokio::sync::Mutex::new(stock::watch::Watcher::new(folder)))
            });
        let server = RunningServer {
            ctx: ctx.clone(),
            ws_addr,
            discovery_addr: None,
            tasks: tasks.clone(),
            writer_thread,
            data_dir_lock,
            import_watcher: import_watcher.clone(),
        };
        for name in &config.seed_stores {
            server.seed_store(name).await?;
        }
        let discovery_addr = match config.discovery_port {
            Some(port) => {
                let socket = discovery::bind_responder(port)
                    .with_context(|| format!("binding the discovery port {port}"))?;
                let addr = socket.local_addr()?;
                let info = discovery::DiscoveryInfo {
                    site: config.site.clone(),
                    server_id: ctx.server_id.clone(),
                    ws_port: ws_addr.port(),
                };
                info.validate()
                    .context("the site name cannot be announced by discovery")?;
                let stopped = shutdown.clone().cancelled_owned();
                tasks.spawn(async move {
                    if let Err(e) = discovery::serve(socket, info, stopped).await {
                        tracing::error!("discovery stopped: {e}");
                    }
                });
                Some(addr)
            }
            None => None,
        };
        tasks.spawn(relay::failure_log::run(
            ctx.failures.clone(),
            ctx.limits.failure_log_interval,
            shutdown.clone(),
        ));
        if let Some(daily) = config.daily_backups.clone() {
            tasks.spawn(backup::daily::schedule(
                config.data_dir.clone(),
                daily,
                shutdown.clone(),
            ));
        }
        if let Some(daily) = config.daily_reports.clone() {
            tasks.spawn(export::daily::schedule(
                config.data_dir.clone(),
                daily,
                ctx.writer.clone(),
                shutdown.clone(),
            ));
        }
        tasks.spawn(stock::schedule::run_checks(
            ctx.writer.clone(),
            config.stock.check_interval,
            shutdown.clone(),
        ));
        if let Some(watcher) = import_watcher {
            tasks.spawn(stock::schedule::run_watcher(
                watcher,
                ctx.writer.clone(),
                config.stock.import_poll,
                shutdown.clone(),
            ));
        }
        tasks.spawn(relay::listener::run(listener, ctx, tasks.clone()));
        Ok(RunningServer {
            discovery_addr,
            ..server
        })
    }

    pub fn ws_addr(&self) -> SocketAddr {
        self.ws_addr
    }

    pub fn discovery_addr(&self) -> Option<SocketAddr> {
        self.discovery_addr
    }

    /// What the relay holds for its peers and how often it refused sockets.
    pub fn relay_stats(&self) -> RelayStatsSnapshot {
        self.ctx.stats.snapshot()
    }

    pub fn server_id(&self) -> &str {
        &self.ctx.server_id
    }

    /// A fresh single-use pairing code for a device of `role`.
    pub async fn new_pairing_code(&self, role: Role) -> anyhow::Result<String> {
        let expires_at = Utc::now() + chrono::Duration::from_std(self.ctx.limits.pairing_code_ttl)?;
        Ok(self.ctx.writer.new_pairing_code(role, expires_at).await?)
    }

    /// The codes to print at start-up, one per role. They replace those of the previous
    /// start, so restarts never use up the slots; a role gets `None` when every slot is
    /// taken by codes asked for since. Fails only when nothing can be written.
    pub async fn startup_pairing_codes(&self) -> anyhow::Result<writer::StartupCodes> {
        let expires_at = Utc::now() + chrono::Duration::from_std(self.ctx.limits.pairing_code_ttl)?;
        Ok(self.ctx.writer.startup_codes(expires_at).await?)
    }

    /// The durability settings of the writer's own connection, read back from SQLite.
    pub async fn durability_settings(&self) -> anyhow::Result<db::DurabilitySettings> {
        Ok(self.ctx.writer.durability().await?)
    }

    /// Whether the last write found the disk full (orders are refused with
    /// `storage_full` until a write succeeds again).
    pub fn storage_full(&self) -> bool {
        self.ctx.writer.storage().is_full()
    }

    /// Caps the database at its current size plus `extra_pages` pages, so writes that
    /// need more fail with `SQLITE_FULL` as on a full disk. For fault tests: a full
    /// disk without filling one. A larger value lifts the cap again.
    pub async fn limit_database_pages(&self, extra_pages: u32) -> anyhow::Result<u64> {
        Ok(self.ctx.writer.limit_pages(extra_pages).await?)
    }

    /// Runs the stock check now (expiry by the stock clock, escalation); returns how
    /// many events it wrote. The schedule runs the same check every interval.
    pub async fn check_stock(&self) -> anyhow::Result<usize> {
        Ok(self.ctx.writer.stock_tick().await?)
    }

    /// Polls the watched import folder now, as its schedule does; what it finished.
    pub async fn poll_import_folder(&self) -> Vec<stock::watch::Finished> {
        match &self.import_watcher {
            Some(watcher) => watcher.lock().await.poll(&self.ctx.writer).await,
            None => Vec::new(),
        }
    }

    /// Adds a store as the server itself (device 0); used for seeding and by tests.
    pub async fn add_store(&self, name: &str) -> anyhow::Result<StoreId> {
        let key = format!("server:add-store:{}", uuid::Uuid::new_v4().simple());
        self.server_command(
            key,
            Command::AddStore {
                name: name.to_owned(),
            },
        )
        .await
    }

    /// Adds the store unless an active store of that name exists.
    async fn seed_store(&self, name: &str) -> anyhow::Result<()> {
        let wanted = name.to_owned();
        let exists = self
            .ctx
            .reader
            .run(move |conn| {
                let snapshot = db::reader::snapshot(conn, Utc::now())?;
                Ok(snapshot
                    .stores
                    .iter()
                    .any(|s| s.active && s.name.eq_ignore_ascii_case(&wanted)))
            })
            .await?;
        if !exists {
            self.add_store(name).await?;
        }
        Ok(())
    }

    async fn server_command(&self, key: String, command: Command) -> anyhow::Result<StoreId> {
        let answer = self.ctx.writer.command(0, key, command).await?;
        let done = answer.await.context("writer stopped")??;
        done.store_id.context("the command named no store")
    }

    /// Stops accepting, lets connections finish their in-flight commits and close with
    /// a reason, then lets the writer commit what is queued and stop.
    pub async fn shutdown(self) {
        let RunningServer {
            ctx,
            tasks,
            writer_thread,
            data_dir_lock,
            ..
        } = self;
        ctx.shutdown.cancel();
        tasks.close();
        // Every wait inside a connection is bounded, so this is a backstop: a stop
        // that hangs is worse than one that leaves a socket to the OS.
        if tokio::time::timeout(SHUTDOWN_TIMEOUT, tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                remaining = tasks.len(),
                "connections did not finish in time; stopping without them"
            );
        }
        drop(ctx);
        let joined = tokio::time::timeout(
            SHUTDOWN_TIMEOUT,
            tokio::task::spawn_blocking(move || writer_thread.join()),
        )
        .await;
        if joined.is_err() {
            tracing::warn!("the writer did not stop in time; everything acknowledged is committed");
        }
        drop(data_dir_lock);
    }
}
