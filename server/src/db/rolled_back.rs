//! Seqs a restore took back: events PCs may have seen that the restored database
//! never had. Kept in `meta` as JSON, so a PC that last saw one of them is sent a
//! snapshot rather than a replay that would skip what it must forget.

use rusqlite::{Connection, OptionalExtension};

use packbell_shared::protocol::Seq;

use super::{DbError, reader};

const KEY: &str = "rolled_back_seqs";

/// Ranges kept at most; at the limit the two lowest ranges become one covering both
/// and the seqs between, so a few more PCs get a snapshot they did not need.
const MAX_RANGES: usize = 64;

/// Inclusive seq ranges, sorted, none overlapping or touching.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolledBack {
    ranges: Vec<(Seq, Seq)>,
}

impl RolledBack {
    /// True when `seq` was given out and then taken back by a restore.
    pub fn contains(&self, seq: Seq) -> bool {
        self.ranges
            .iter()
            .any(|&(first, last)| first <= seq && seq <= last)
    }

    pub fn ranges(&self) -> &[(Seq, Seq)] {
        &self.ranges
    }

    /// Adds `first..=last`, merging it with the ranges it overlaps or touches.
    pub fn add(&mut self, first: Seq, last: Seq) {
        if first > last {
            return;
        }
        self.ranges.push((first, last));
        self.ranges.sort_unstable();
        let mut merged: Vec<(Seq, Seq)> = Vec::with_capacity(self.ranges.len());
        for &(first, last) in &self.ranges {
            match merged.last_mut() {
                Some(previous) if first <= previous.1.saturating_add(1) => {
                    previous.1 = previous.1.max(last);
                }
                _ => merged.push((first, last)),
            }
        }
        while merged.len() > MAX_RANGES {
            let (_, second_last) = merged.remove(1);
            merged[0].1 = second_last;
        }
        self.ranges = merged;
    }

    fn add_all(&mut self, other: &RolledBack) {
        for &(first, last) in &other.ranges {
            self.add(first, last);
        }
    }
}

pub fn load(conn: &Connection) -> Result<RolledBack, DbError> {
    let Some(json) = super::meta_get(conn, KEY)? else {
        return Ok(RolledBack::default());
    };
    let ranges: Vec<(Seq, Seq)> = serde_json::from_str(&json)
        .map_err(|e| DbError::Corrupt(format!("bad rolled back seqs {json:?}: {e}")))?;
    let mut rolled_back = RolledBack::default();
    for (first, last) in ranges {
        rolled_back.add(first, last);
    }
    Ok(rolled_back)
}

fn store(conn: &Connection, rolled_back: &RolledBack) -> Result<(), DbError> {
    let json = serde_json::to_string(&rolled_back.ranges)
        .map_err(|e| DbError::Corrupt(format!("rolled back seqs do not serialise: {e}")))?;
    super::meta_set(conn, KEY, &json)
}

/// The highest seq the database ever gave out, even if that event is gone.
pub fn highest_given(conn: &Connection) -> Result<Seq, DbError> {
    let counter: Option<Seq> = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'events'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(counter.unwrap_or(0).max(reader::head_seq(conn)?))
}

/// What a replaced database knew about seqs, read before it is put aside.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replaced {
    pub highest_given: Seq,
    pub rolled_back: RolledBack,
}

pub fn read_replaced(conn: &Connection) -> Result<Replaced, DbError> {
    Ok(Replaced {
        highest_given: highest_given(conn)?,
        rolled_back: load(conn)?,
    })
}

/// Prepares `restored`, about to take the place of `replaced`: its next seq is above
/// any the replaced one gave out, and every seq only the replaced one had (or that
/// either had already marked) is recorded as rolled back.
pub fn mark_restored(restored: &mut Connection, replaced: &Replaced) -> Result<(), DbError> {
    let tx = restored.transaction()?;
    let head = reader::head_seq(&tx)?;
    let mut rolled_back = load(&tx)?;
    rolled_back.add_all(&replaced.rolled_back);
    rolled_back.add(head.saturating_add(1), replaced.highest_given);
    if rolled_back != RolledBack::default() {
        store(&tx, &rolled_back)?;
    }
    if replaced.highest_given > highest_given(&tx)? {
        let updated = tx.execute(
            "UPDATE sqlite_sequence SET seq = ?1 WHERE name = 'events'",
            [replaced.highest_given],
        )?;
        if updated == 0 {
            tx.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ('events', ?1)",
                [replaced.highest_given],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn database_with_events(count: usize) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        for _ in 0..count {
            conn.execute(
                "INSERT INTO events (at_utc, device, kind, body) VALUES ('t', 0, 'k', '{}')",
                [],
            )
            .unwrap();
        }
        conn
    }

    fn next_seq(conn: &Connection) -> Seq {
        conn.execute(
            "INSERT INTO events (at_utc, device, kind, body) VALUES ('t', 0, 'k', '{}')",
            [],
        )
        .unwrap();
        conn.last_insert_rowid() as Seq
    }

    #[test]
    fn ranges_merge_when_they_overlap_or_touch() {
        let mut rolled_back = RolledBack::default();
        rolled_back.add(10, 20);
        rolled_back.add(30, 40);
        rolled_back.add(21, 25);
        rolled_back.add(5, 3);
        assert_eq!(rolled_back.ranges(), &[(10, 25), (30, 40)]);
        rolled_back.add(26, 29);
        assert_eq!(rolled_back.ranges(), &[(10, 40)]);
        assert!(!rolled_back.contains(9));
        assert!(rolled_back.contains(10) && rolled_back.contains(40));
        assert!(!rolled_back.contains(41));
    }

    #[test]
    fn past_the_limit_the_lowest_ranges_join() {
        let mut rolled_back = RolledBack::default();
        for i in 0..=MAX_RANGES as Seq {
            rolled_back.add(i * 10, i * 10 + 1);
        }
        assert_eq!(rolled_back.ranges().len(), MAX_RANGES);
        assert_eq!(rolled_back.ranges()[0], (0, 11));
        assert!(rolled_back.contains(5), "the seqs between are covered too");
    }

    #[test]
    fn two_restores_keep_both_rolled_back_ranges_and_never_reuse_a_seq() {
        // First restore: a backup at seq 3 over a database that reached seq 7.
        let replaced = database_with_events(7);
        let mut restored = database_with_events(3);
        mark_restored(&mut restored, &read_replaced(&replaced).unwrap()).unwrap();
        assert_eq!(load(&restored).unwrap().ranges(), &[(4, 7)]);
        for _ in 0..5 {
            next_seq(&restored);
        }
        assert_eq!(reader::head_seq(&restored).unwrap(), 12, "8 to 12 are new");

        // Second restore: an older backup at seq 2 over that database.
        let mut older = database_with_events(2);
        mark_restored(&mut older, &read_replaced(&restored).unwrap()).unwrap();
        let rolled_back = load(&older).unwrap();
        assert_eq!(rolled_back.ranges(), &[(3, 12)]);
        assert!(!rolled_back.contains(2));
        assert_eq!(next_seq(&older), 13, "no seq any PC saw is given again");

        // A third restore: a backup taken after the first restore (head 9, its own
        // record 4..=7) keeps its record and adds what the replaced database had.
        let mut first = database_with_events(3);
        mark_restored(
            &mut first,
            &read_replaced(&database_with_events(7)).unwrap(),
        )
        .unwrap();
        for _ in 0..2 {
            next_seq(&first);
        }
        mark_restored(&mut first, &read_replaced(&older).unwrap()).unwrap();
        assert_eq!(
            load(&first).unwrap().ranges(),
            &[(3, 13)],
            "4..=7 of its own, 3..=12 of the replaced one, 10..=13 newly rolled back"
        );
    }

    #[test]
    fn restoring_a_newer_backup_records_nothing() {
        let replaced = database_with_events(3);
        let mut restored = database_with_events(5);
        mark_restored(&mut restored, &read_replaced(&replaced).unwrap()).unwrap();
        assert_eq!(load(&restored).unwrap(), RolledBack::default());
        assert_eq!(super::super::meta_get(&restored, KEY).unwrap(), None);
        assert_eq!(next_seq(&restored), 6);
    }
}
