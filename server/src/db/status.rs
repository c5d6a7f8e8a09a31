//! What `packbell-server status` reports about the database: counts, and whether it
//! can still be written.

use rusqlite::{Connection, TransactionBehavior};

use super::DbError;

/// Bytes a headroom check writes (and frees again in the same transaction). Pairing
/// goes ahead only when this much fits, so the enrolment after a right guess (a few
/// pages) fits too; when it does not, pairing is refused with `storage_full`.
pub const HEADROOM_BYTES: i64 = 64 * 1024;

/// Proves, inside the caller's transaction, that the database can grow by
/// [`HEADROOM_BYTES`]: writes that many bytes and deletes them again. Fails with
/// `SQLITE_FULL` when the disk (or a size limit) has no room; the commit then writes
/// the change to disk, so a disk that cannot take a commit fails it too.
pub fn prove_headroom(conn: &Connection) -> Result<(), DbError> {
    conn.prepare_cached("INSERT OR REPLACE INTO meta (k, v) VALUES ('headroom', zeroblob(?1))")?
        .execute([HEADROOM_BYTES])?;
    conn.prepare_cached("DELETE FROM meta WHERE k = 'headroom'")?
        .execute([])?;
    Ok(())
}

/// Whether a write of [`HEADROOM_BYTES`] commits now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Writable,
    /// `SQLITE_FULL`: orders, pairings and new codes are refused with `storage_full`.
    Full,
}

impl Storage {
    /// One line for an operator: what state the database is in and what to do.
    pub fn describe(self, data_dir: &std::path::Path) -> String {
        match self {
            Storage::Writable => "ok (a test write committed)".to_owned(),
            Storage::Full => format!(
                "DISK FULL: the disk holding {} has no room. New orders, pairings and pairing \
                 codes are refused (storage_full) until space is freed there; clients keep \
                 their orders and send them again",
                data_dir.display()
            ),
        }
    }
}

/// Tries a headroom write and commits it (it leaves nothing behind).
pub fn check_storage(conn: &mut Connection) -> Result<Storage, DbError> {
    let attempt = (|| -> Result<(), DbError> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        prove_headroom(&tx)?;
        tx.commit()?;
        Ok(())
    })();
    match attempt {
        Ok(()) => Ok(Storage::Writable),
        Err(e) if e.is_disk_full() => Ok(Storage::Full),
        Err(e) => Err(e),
    }
}

/// How much the site holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteCounts {
    pub events: u64,
    pub pending_orders: u64,
    /// Enrolled and not revoked.
    pub devices: u64,
}

pub fn site_counts(conn: &Connection) -> Result<SiteCounts, DbError> {
    let count = |sql: &str| -> Result<u64, DbError> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    Ok(SiteCounts {
        events: count("SELECT COUNT(*) FROM events")?,
        pending_orders: count("SELECT COUNT(*) FROM orders WHERE status = 'pending'")?,
        devices: count("SELECT COUNT(*) FROM devices WHERE revoked = 0")?,
    })
}

/// Caps `conn` at its current size plus `extra_pages` pages (`PRAGMA max_page_count`):
/// writes that need more pages then fail with `SQLITE_FULL`, as on a full disk.
/// Returns the new cap.
pub fn limit_pages(conn: &Connection, extra_pages: u32) -> Result<u64, DbError> {
    let pages: u64 = conn.pragma_query_value(None, "page_count", |r| r.get(0))?;
    let cap = pages + u64::from(extra_pages);
    Ok(conn.pragma_update_and_check(None, "max_page_count", cap, |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_come_from_the_projections() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = crate::db::open(dir.path()).expect("db");
        conn.execute_batch(
            "INSERT INTO events (at_utc, device, kind, body) VALUES ('t', 0, 'k', '{}');
             INSERT INTO devices (name, role, token_hash, enrolled_at, revoked)
                 VALUES ('a', 'office', 'h', 't', 0), ('b', 'office', 'h', 't', 1);",
        )
        .expect("rows");
        let counts = site_counts(&conn).expect("counts");
        assert_eq!(
            counts,
            SiteCounts {
                events: 1,
                pending_orders: 0,
                devices: 1
            }
        );
    }

    #[test]
    fn a_database_that_cannot_grow_is_reported_full_and_writable_again_once_it_can() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = crate::db::open(dir.path()).expect("db");
        assert_eq!(check_storage(&mut conn).expect("check"), Storage::Writable);
        // The first check left its pages free; a cap of what is there now leaves no
        // room for more than those.
        conn.execute_batch("VACUUM").expect("vacuum");
        limit_pages(&conn, 0).expect("cap");
        assert_eq!(check_storage(&mut conn).expect("check"), Storage::Full);
        let line = Storage::Full.describe(dir.path());
        assert!(line.contains("DISK FULL"), "{line}");
        assert!(line.contains(&dir.path().display().to_string()), "{line}");
        limit_pages(&conn, 1000).expect("cap lifted");
        assert_eq!(check_storage(&mut conn).expect("check"), Storage::Writable);
    }
}
