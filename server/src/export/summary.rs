//! The speed-of-service summary: per store and for all of them, how many orders came
//! in and how long packing took. Waits arrive sorted, so the median and p90 are read
//! off by rank without holding them.

use std::io::Write;

use rusqlite::Connection;

use packbell_shared::protocol::StoreId;

use super::ExportError;
use super::cell::Sheet;
use crate::db::export::{Span, StoreFilter, WaitRow, packed_waits, waits_by_hour, waits_by_store};

pub const HEADER: &[&str] = &[
    "store",
    "orders",
    "packed",
    "cancelled",
    "pending",
    "wait_mean_seconds",
    "wait_median_seconds",
    "wait_p90_seconds",
    "wait_max_seconds",
];

/// The name of the last row, which covers every store of the report.
pub const ALL_STORES: &str = "All stores";

/// The per-hour report: the same figures by local hour of creation.
pub const HOURLY_HEADER: &[&str] = &[
    "hour",
    "orders",
    "packed",
    "cancelled",
    "pending",
    "wait_mean_seconds",
    "wait_median_seconds",
    "wait_p90_seconds",
    "wait_max_seconds",
];

/// The name of the per-hour report's last row.
pub const ALL_HOURS: &str = "All hours";

/// Streams the summary of orders created in `span` into `sheet`: one row per store
/// with orders, then [`ALL_STORES`].
pub fn write<W: Write>(
    conn: &Connection,
    span: Span,
    stores: StoreFilter<'_>,
    sheet: &mut Sheet<W>,
) -> Result<(), ExportError> {
    let groups = write_groups(sheet, |each| waits_by_store(conn, span, stores, each))?;
    write_total(conn, span, stores, sheet, ALL_STORES, groups)
}

/// Streams the summary by local hour of day (`09:00` is orders created from 9:00 to
/// 9:59 on any day of the span), then [`ALL_HOURS`].
pub fn write_hourly<W: Write>(
    conn: &Connection,
    span: Span,
    stores: StoreFilter<'_>,
    sheet: &mut Sheet<W>,
) -> Result<(), ExportError> {
    let groups = write_groups(sheet, |each| waits_by_hour(conn, span, stores, each))?;
    write_total(conn, span, stores, sheet, ALL_HOURS, groups)
}

/// What the groups of a report add up to.
struct Groups {
    total: Counts,
    /// The waits of the only group, when there was one group: they are then the
    /// waits of every order, and the total needs no second sorted query.
    only_group: Option<WaitStats>,
}

/// Writes one row per group of `rows` (consecutive rows with the same group id, each
/// group's waits ascending) and returns the counts of them all.
fn write_groups<W: Write>(
    sheet: &mut Sheet<W>,
    rows: impl FnOnce(
        &mut dyn FnMut(&WaitRow<'_>) -> Result<(), ExportError>,
    ) -> Result<(), ExportError>,
) -> Result<Groups, ExportError> {
    let mut total = Counts::default();
    let mut groups = 0_u64;
    let mut current: Option<(StoreId, String, Counts, WaitStats)> = None;
    rows(&mut |row: &WaitRow<'_>| {
        let same_group = matches!(&current, Some((id, ..)) if *id == row.store_id);
        if !same_group {
            if let Some((_, name, counts, stats)) = current.take() {
                write_row(sheet, &name, &counts, &stats)?;
                total.add(&counts);
            }
            groups += 1;
            current = Some((
                row.store_id,
                row.store.to_owned(),
                Counts::default(),
                WaitStats::expecting(row.packed_in_group),
            ));
        }
        if let Some((_, _, counts, stats)) = current.as_mut() {
            counts.count(row.status);
            if let Some(wait) = row.wait_ms {
                stats.push(wait);
            }
        }
        Ok(())
    })?;
    let mut only_group = None;
    if let Some((_, name, counts, stats)) = current.take() {
        write_row(sheet, &name, &counts, &stats)?;
        total.add(&counts);
        if groups == 1 {
            only_group = Some(stats);
        }
    }
    Ok(Groups { total, only_group })
}

/// The last row: the groups' total counts with the waits of every packed order of
/// the span.
fn write_total<W: Write>(
    conn: &Connection,
    span: Span,
    stores: StoreFilter<'_>,
    sheet: &mut Sheet<W>,
    name: &str,
    groups: Groups,
) -> Result<(), ExportError> {
    let total = &groups.total;
    if let Some(only) = groups.only_group {
        return write_row(sheet, name, total, &only);
    }
    let mut all = WaitStats::expecting(total.packed);
    packed_waits(conn, span, stores, |row: &WaitRow<'_>| {
        if let Some(wait) = row.wait_ms {
            all.push(wait);
        }
        Ok::<(), ExportError>(())
    })?;
    write_row(sheet, name, total, &all)
}

fn write_row<W: Write>(
    sheet: &mut Sheet<W>,
    name: &str,
    counts: &Counts,
    stats: &WaitStats,
) -> Result<(), ExportError> {
    sheet.text(name)?;
    for count in [
        counts.orders,
        counts.packed,
        counts.cancelled,
        counts.pending,
    ] {
        sheet.integer(count as i64)?;
    }
    sheet.seconds(stats.mean())?;
    sheet.seconds(stats.median())?;
    sheet.seconds(stats.p90.map(|ms| ms as f64))?;
    sheet.seconds(stats.max.map(|ms| ms as f64))?;
    sheet.end_row()?;
    Ok(())
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Counts {
    orders: u64,
    packed: u64,
    cancelled: u64,
    pending: u64,
}

impl Counts {
    fn count(&mut self, status: &str) {
        self.orders += 1;
        match status {
            "packed" => self.packed += 1,
            "cancelled" => self.cancelled += 1,
            _ => self.pending += 1,
        }
    }

    fn add(&mut self, other: &Counts) {
        self.orders += other.orders;
        self.packed += other.packed;
        self.cancelled += other.cancelled;
        self.pending += other.pending;
    }
}

/// Mean, median, p90 (nearest rank) and maximum of `expected` waits pushed in
/// ascending order.
#[derive(Debug, Default)]
struct WaitStats {
    expected: u64,
    seen: u64,
    sum_ms: i64,
    /// The one or two middle values (two when `expected` is even).
    middle: (Option<i64>, Option<i64>),
    p90: Option<i64>,
    max: Option<i64>,
}

impl WaitStats {
    fn expecting(expected: u64) -> Self {
        WaitStats {
            expected,
            ..WaitStats::default()
        }
    }

    fn push(&mut self, wait_ms: i64) {
        self.seen += 1;
        self.sum_ms += wait_ms;
        let n = self.expected;
        let rank = self.seen;
        if rank == n.div_ceil(2) {
            self.middle.0 = Some(wait_ms);
        }
        if rank == n / 2 + 1 {
            self.middle.1 = Some(wait_ms);
        }
        if rank == (9 * n).div_ceil(10) {
            self.p90 = Some(wait_ms);
        }
        self.max = Some(wait_ms);
    }

    fn mean(&self) -> Option<f64> {
        (self.seen > 0).then(|| self.sum_ms as f64 / self.seen as f64)
    }

    fn median(&self) -> Option<f64> {
        match self.middle {
            (Some(low), Some(high)) => Some((low + high) as f64 / 2.0),
            (one, None) | (None, one) => one.map(|ms| ms as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WaitStats;

    fn stats(waits: &[i64]) -> WaitStats {
        let mut stats = WaitStats::expecting(waits.len() as u64);
        for &wait in waits {
            stats.push(wait);
        }
        stats
    }

    #[test]
    fn median_and_p90_are_read_by_rank() {
        let odd = stats(&[1_000, 2_000, 9_000]);
        assert_eq!(odd.median(), Some(2_000.0));
        assert_eq!(odd.mean(), Some(4_000.0));
        assert_eq!(odd.max, Some(9_000));
        let even = stats(&[1_000, 2_000, 3_000, 10_000]);
        assert_eq!(even.median(), Some(2_500.0));
        let ten: Vec<i64> = (1..=10).map(|s| s * 1_000).collect();
        assert_eq!(stats(&ten).p90, Some(9_000));
        let one = stats(&[4_000]);
        assert_eq!((one.median(), one.p90), (Some(4_000.0), Some(4_000)));
        let none = stats(&[]);
        assert_eq!((none.mean(), none.median(), none.max), (None, None, None));
    }
}
