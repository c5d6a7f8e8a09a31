//! The link's client-local SQLite file: device credentials, last good server, the last
//! known site state and the outbox of commands not yet acknowledged.
//!
//! Synchronous; the link owns it on a thread of its own ([`super::worker`]).
//!
//! **Everything the link must not lose survives a crash once a call here returned:**
//! credentials and outbox entries are committed with `synchronous = FULL`.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::protocol::{Command, DeviceId};
use crate::state::SiteState;

/// The file inside `LinkConfig::data_dir`.
pub const STORE_FILE: &str = "link.sqlite3";

/// Waits this long for a lock held by another process (a second copy of the app on
/// the same data dir) before failing.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Schema version in `PRAGMA user_version`; bump and append to `MIGRATIONS`.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE kv (
        name  TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        key          TEXT NOT NULL UNIQUE,
        command_json TEXT NOT NULL
    );
",
    "
    -- RFC 3339 time the command became durable; NULL for rows from version 1.
    ALTER TABLE outbox ADD COLUMN queued_at TEXT;
",
];

mod kv {
    pub const DEVICE_ID: &str = "device_id";
    pub const TOKEN: &str = "token";
    /// Fingerprint of the server certificate pinned at pairing (absent when paired
    /// over plaintext).
    pub const SERVER_FINGERPRINT: &str = "server_fingerprint";
    pub const LAST_SERVER: &str = "last_server";
    /// The server the saved state came from; state from another server is dropped.
    pub const STATE_SERVER_ID: &str = "state_server_id";
    pub const STATE_SEQ: &str = "state_seq";
    pub const STATE_JSON: &str = "state_json";
    /// Server addresses people gave (the Connection screen, a pairing code), one per line.
    pub const SERVERS: &str = "servers";
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("local database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("local database holds unreadable data: {0}")]
    Json(#[from] serde_json::Error),
    #[error("local database schema version {0} is newer than this program")]
    TooNew(i64),
    #[error("the local database thread has stopped")]
    Stopped,
}

/// What this device proves itself with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub device_id: DeviceId,
    pub token: String,
    /// The pinned server certificate fingerprint; the token is only sent to it.
    pub server_fingerprint: Option<String>,
}

/// The site state saved at the last checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedState {
    pub server_id: String,
    pub state: SiteState,
}

/// A command waiting for the server's answer, in the order it was submitted.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub id: i64,
    pub key: String,
    pub command: Command,
    /// When it became durable; `None` for rows saved before this was recorded.
    pub queued_at: Option<DateTime<Utc>>,
}

pub struct LinkStore {
    conn: Connection,
}

impl LinkStore {
    /// Opens (creating if needed) `data_dir/link.sqlite3`.
    pub fn open(data_dir: &Path) -> Result<LinkStore, StoreError> {
        crate::private_dir::create_private_dir(data_dir).map_err(|source| {
            StoreError::CreateDir {
                path: data_dir.display().to_string(),
                source,
            }
        })?;
        let conn = Connection::open(data_dir.join(STORE_FILE))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        LinkStore::migrate(conn)
    }

    /// A throwaway store, for tests.
    #[cfg(test)]
    pub fn open_in_memory() -> Result<LinkStore, StoreError> {
        LinkStore::migrate(Connection::open_in_memory()?)
    }

    fn migrate(mut conn: Connection) -> Result<LinkStore, StoreError> {
        let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew(version));
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
            tx.commit()?;
        }
        Ok(LinkStore { conn })
    }

    fn get(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM kv WHERE name = ?1", [name], |row| {
                row.get(0)
            })
            .optional()?)
    }

    fn put(conn: &Connection, name: &str, value: &str) -> Result<(), StoreError> {
        conn.execute(
            "INSERT INTO kv (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            params![name, value],
        )?;
        Ok(())
    }

    fn delete(conn: &Connection, names: &[&str]) -> Result<(), StoreError> {
        for name in names {
            conn.execute("DELETE FROM kv WHERE name = ?1", [name])?;
        }
        Ok(())
    }

    pub fn credentials(&self) -> Result<Option<Credentials>, StoreError> {
        let (Some(device_id), Some(token)) = (self.get(kv::DEVICE_ID)?, self.get(kv::TOKEN)?)
        else {
            return Ok(None);
        };
        match device_id.parse() {
            Ok(device_id) => Ok(Some(Credentials {
                device_id,
                token,
                server_fingerprint: self.get(kv::SERVER_FINGERPRINT)?,
            })),
            Err(_) => {
                tracing::warn!(%device_id, "ignoring an unreadable stored device id");
                Ok(None)
            }
        }
    }

    pub fn set_credentials(&mut self, credentials: &Credentials) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        LinkStore::put(&tx, kv::DEVICE_ID, &credentials.device_id.to_string())?;
        LinkStore::put(&tx, kv::TOKEN, &credentials.token)?;
        match &credentials.server_fingerprint {
            Some(fingerprint) => LinkStore::put(&tx, kv::SERVER_FINGERPRINT, fingerprint)?,
            None => LinkStore::delete(&tx, &[kv::SERVER_FINGERPRINT])?,
        }
        tx.commit()?;
        Ok(())
    }

    pub fn clear_credentials(&mut self) -> Result<(), StoreError> {
        LinkStore::delete(
            &self.conn,
            &[kv::DEVICE_ID, kv::TOKEN, kv::SERVER_FINGERPRINT],
        )
    }

    /// `HOST:PORT` of the last server this device authenticated with.
    pub fn last_server(&self) -> Result<Option<String>, StoreError> {
        self.get(kv::LAST_SERVER)
    }

    pub fn set_last_server(&mut self, server: &str) -> Result<(), StoreError> {
        LinkStore::put(&self.conn, kv::LAST_SERVER, server)
    }

    /// Server addresses people gave, in the order given.
    pub fn servers(&self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .get(kv::SERVERS)?
            .map(|text| text.lines().map(str::to_owned).collect())
            .unwrap_or_default())
    }

    pub fn set_servers(&mut self, servers: &[String]) -> Result<(), StoreError> {
        LinkStore::put(&self.conn, kv::SERVERS, &servers.join("\n"))
    }

    /// The last checkpoint of site state; `None` when there is none or it is unreadable
    /// (the server sends a fresh snapshot then).
    pub fn saved_state(&self) -> Result<Option<SavedState>, StoreError> {
        let (Some(server_id), Some(json)) =
            (self.get(kv::STATE_SERVER_ID)?, self.get(kv::STATE_JSON)?)
        else {
            return Ok(None);
        };
        match serde_json::from_str::<SiteState>(&json) {
            Ok(state) => Ok(Some(SavedState { server_id, state })),
            Err(error) => {
                tracing::warn!(%error, "ignoring unreadable saved site state");
                Ok(None)
            }
        }
    }

    #[cfg(test)]
    pub fn saved_seq(&self) -> Result<Option<crate::protocol::Seq>, StoreError> {
        Ok(self.get(kv::STATE_SEQ)?.and_then(|seq| seq.parse().ok()))
    }

    /// Checkpoints `state` (as received from `server_id`).
    pub fn save_state(&mut self, server_id: &str, state: &SiteState) -> Result<(), StoreError> {
        let json = serde_json::to_string(state)?;
        let tx = self.conn.transaction()?;
        LinkStore::put(&tx, kv::STATE_SERVER_ID, server_id)?;
        LinkStore::put(&tx, kv::STATE_SEQ, &state.seq.to_string())?;
        LinkStore::put(&tx, kv::STATE_JSON, &json)?;
        tx.commit()?;
        Ok(())
    }

    /// Appends commands to the outbox in one transaction, in the given order.
    /// Returns the entries that were new; a key already in the outbox is kept as it was.
    pub fn outbox_push(
        &mut self,
        commands: &[(String, Command)],
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let queued_at = Utc::now();
        let stamp = queued_at.to_rfc3339();
        let tx = self.conn.transaction()?;
        let mut added = Vec::with_capacity(commands.len());
        {
            let mut insert = tx.prepare(
                "INSERT INTO outbox (key, command_json, queued_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO NOTHING",
            )?;
            for (key, command) in commands {
                let json = serde_json::to_string(command)?;
                if insert.execute(params![key, json, stamp])? == 1 {
                    added.push(OutboxEntry {
                        id: tx.last_insert_rowid(),
                        key: key.clone(),
                        command: command.clone(),
                        queued_at: Some(queued_at),
                    });
                }
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// Every entry, oldest first. Rows that no longer parse are logged and skipped.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut select = self
            .conn
            .prepare("SELECT id, key, command_json, queued_at FROM outbox ORDER BY id")?;
        let rows = select.query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut entries = Vec::new();
        for row in rows {
            let (id, key, json, queued_at) = row?;
            // An unreadable time is not worth losing the command over.
            let queued_at = queued_at
                .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
                .map(|time| time.with_timezone(&Utc));
            match serde_json::from_str(&json) {
                Ok(command) => entries.push(OutboxEntry {
                    id,
                    key,
                    command,
                    queued_at,
                }),
                Err(error) => {
                    tracing::error!(id, %key, %error, "skipping an unreadable outbox entry");
                }
            }
        }
        Ok(entries)
    }

    /// Removes answered commands.
    pub fn outbox_remove(&mut self, keys: &[String]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut delete = tx.prepare("DELETE FROM outbox WHERE key = ?1")?;
            for key in keys {
                delete.execute([key])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests {
    use super::*;
    use crate::protocol::{EventBody, Priority};

    fn order(number: &str) -> Command {
        Command::CreateOrder {
            order_number: number.into(),
            store_id: 1,
            note: String::new(),
            priority: Priority::Normal,
            lines: Vec::new(),
        }
    }

    #[test]
    fn credentials_round_trip_and_clear() {
        let mut store = LinkStore::open_in_memory().unwrap();
        assert_eq!(store.credentials().unwrap(), None);
        let credentials = Credentials {
            device_id: 42,
            token: "secret".into(),
            server_fingerprint: Some("ab".repeat(32)),
        };
        store.set_credentials(&credentials).unwrap();
        assert_eq!(store.credentials().unwrap(), Some(credentials));
        store.clear_credentials().unwrap();
        assert_eq!(store.credentials().unwrap(), None);
    }

    #[test]
    fn outbox_keeps_order_skips_known_keys_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut store = LinkStore::open(dir.path()).unwrap();
            let added = store
                .outbox_push(&[("a".into(), order("1")), ("b".into(), order("2"))])
                .unwrap();
            assert_eq!(added.len(), 2);
            assert!(added[0].id < added[1].id);
            let added = store
                .outbox_push(&[("a".into(), order("other")), ("c".into(), order("3"))])
                .unwrap();
            assert_eq!(added.len(), 1);
            assert_eq!(added[0].key, "c");
            store.set_last_server("10.0.0.5:7878").unwrap();
        }
        let mut store = LinkStore::open(dir.path()).unwrap();
        let keys: Vec<_> = store.outbox().unwrap().into_iter().map(|e| e.key).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(store.outbox().unwrap()[0].command, order("1"));
        store.outbox_remove(&["b".into()]).unwrap();
        let keys: Vec<_> = store.outbox().unwrap().into_iter().map(|e| e.key).collect();
        assert_eq!(keys, ["a", "c"]);
        // Ids keep growing after deletes: order is by id.
        let added = store.outbox_push(&[("d".into(), order("4"))]).unwrap();
        assert!(added[0].id > 3);
        assert_eq!(
            store.last_server().unwrap().as_deref(),
            Some("10.0.0.5:7878")
        );
    }

    #[test]
    fn outbox_entries_keep_when_they_were_queued_and_old_rows_have_none() {
        let dir = tempfile::tempdir().unwrap();
        {
            // A file written by the first schema version, with one waiting command.
            let conn = Connection::open(dir.path().join(STORE_FILE)).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            let json = serde_json::to_string(&order("1")).unwrap();
            conn.execute(
                "INSERT INTO outbox (key, command_json) VALUES ('old', ?1)",
                [json],
            )
            .unwrap();
        }
        let before = chrono::Utc::now();
        {
            let mut store = LinkStore::open(dir.path()).unwrap();
            let added = store.outbox_push(&[("new".into(), order("2"))]).unwrap();
            assert!(added[0].queued_at.is_some_and(|at| at >= before));
        }
        let store = LinkStore::open(dir.path()).unwrap();
        let entries = store.outbox().unwrap();
        assert_eq!(entries[0].key, "old");
        assert_eq!(entries[0].queued_at, None);
        assert_eq!(entries[1].key, "new");
        let queued_at = entries[1].queued_at.unwrap();
        assert!(queued_at >= before && queued_at <= chrono::Utc::now());
    }

    #[test]
    fn state_round_trip() {
        let mut store = LinkStore::open_in_memory().unwrap();
        assert_eq!(store.saved_state().unwrap(), None);
        let mut state = SiteState::default();
        let event = crate::protocol::Event {
            seq: 1,
            at: chrono::Utc::now(),
            device: 0,
            body: EventBody::StoreAdded {
                store_id: 1,
                name: "Centro".into(),
            },
        };
        state.apply(&event);
        store.save_state("srv-1", &state).unwrap();
        let saved = store.saved_state().unwrap().unwrap();
        assert_eq!(saved.server_id, "srv-1");
        assert_eq!(saved.state, state);
        assert_eq!(store.saved_seq().unwrap(), Some(1));
    }

    #[test]
    fn server_addresses_round_trip() {
        let mut store = LinkStore::open_in_memory().unwrap();
        assert!(store.servers().unwrap().is_empty());
        let servers = vec!["10.0.0.5:47801".to_owned(), "shop-pc:47801".to_owned()];
        store.set_servers(&servers).unwrap();
        assert_eq!(store.servers().unwrap(), servers);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        drop(LinkStore::open(dir.path()).unwrap());
        let conn = Connection::open(dir.path().join(STORE_FILE)).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        assert!(matches!(
            LinkStore::open(dir.path()),
            Err(StoreError::TooNew(99))
        ));
    }
}
