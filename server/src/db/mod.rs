//! Everything that touches SQLite. Only this module (and the CLI's offline commands
//! through it) knows SQL.
//!
//! One writer thread owns the write connection ([`writer`]); readers open their own
//! connections ([`reader`]). WAL mode lets both proceed at once.

pub mod acknowledge;
pub mod ageing;
pub mod apply;
pub mod backup;
pub mod export;
pub mod export_log;
pub mod guess;
pub mod pairing;
pub mod reader;
pub mod receipts;
pub mod rolled_back;
pub mod schema;
pub mod status;
pub mod stock;
pub mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;

/// File name of the database inside the data dir.
pub const DB_FILE: &str = "packbell.sqlite3";

/// How long a connection waits for another process's lock (e.g. the `pairing-code`
/// command run while the server is up) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("cannot create data dir {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("there is no packbell database in {0} (is --data-dir right?)")]
    NoDatabase(PathBuf),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error(
        "the database was left at its old schema because no backup could be made before \
         upgrading it: {0}"
    )]
    BackupBeforeUpgrade(String),
}

impl DbError {
    /// SQLite found no room to write (`SQLITE_FULL`): the disk, or a size limit, is full.
    pub fn is_disk_full(&self) -> bool {
        match self {
            DbError::Sqlite(e) => is_disk_full(e),
            _ => false,
        }
    }
}

pub fn is_disk_full(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _) if failure.code == rusqlite::ErrorCode::DiskFull
    )
}

/// `journal_mode` of every write connection: readers never block the writer.
pub const JOURNAL_MODE: &str = "wal";
/// `synchronous` of every write connection: FULL (2), so a commit survives power loss
/// and an acknowledged order is never lost. WAL alone survives a crash even with OFF,
/// so only reading the setting back can show it is right.
pub const SYNCHRONOUS: i64 = 2;

/// The settings a connection really runs with, read back with `PRAGMA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurabilitySettings {
    pub journal_mode: String,
    /// 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
    pub synchronous: i64,
    pub foreign_keys: bool,
    pub busy_timeout_ms: i64,
}

/// Reads the durability settings of `conn`.
pub fn durability_settings(conn: &Connection) -> Result<DurabilitySettings, DbError> {
    let read_int = |name: &str| -> Result<i64, DbError> {
        Ok(conn.pragma_query_value(None, name, |r| r.get(0))?)
    };
    Ok(DurabilitySettings {
        journal_mode: conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?,
        synchronous: read_int("synchronous")?,
        foreign_keys: read_int("foreign_keys")? == 1,
        busy_timeout_ms: read_int("busy_timeout")?,
    })
}

/// Bytes the database takes on disk: the main file plus its write-ahead log.
pub async fn database_bytes(data_dir: &Path) -> u64 {
    let main = db_path(data_dir);
    let mut wal = main.clone().into_os_string();
    wal.push("-wal");
    let mut total = 0;
    for path in [main, PathBuf::from(wal)] {
        if let Ok(meta) = tokio::fs::metadata(&path).await {
            total += meta.len();
        }
    }
    total
}

pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DB_FILE)
}

/// Opens (creating if needed) the database, migrated, with the durability pragmas.
pub fn open(data_dir: &Path) -> Result<Connection, DbError> {
    packbell_shared::private_dir::create_private_dir(data_dir).map_err(|source| {
        DbError::DataDir {
            path: data_dir.to_owned(),
            source,
        }
    })?;
    let mut conn = Connection::open(db_path(data_dir))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL: readers never block the writer. FULL: a commit survives power loss, so an
    // acknowledged order is never lost.
    conn.pragma_update(None, "journal_mode", JOURNAL_MODE)?;
    conn.pragma_update(None, "synchronous", SYNCHRONOUS)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    backup::before_migration(&conn, data_dir)
        .map_err(|e| DbError::BackupBeforeUpgrade(e.to_string()))?;
    schema::migrate(&mut conn)?;
    Ok(conn)
}

/// Timestamps are stored as fixed-width RFC 3339 UTC text, so text order is time order.
pub fn time_to_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn time_from_text(text: &str) -> Result<DateTime<Utc>, DbError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| DbError::Corrupt(format!("bad timestamp {text:?}: {e}")))
}

/// Reads a value from the `meta` table.
pub fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>, DbError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row("SELECT v FROM meta WHERE k = ?1", [key], |r| r.get(0))
        .optional()?)
}

pub fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO meta (k, v) VALUES (?1, ?2) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
        [key, value],
    )?;
    Ok(())
}
