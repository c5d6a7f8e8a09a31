//! The time zone a window shows times in. Clients keep every instant in UTC and turn
//! it into wall-clock text or "today" only through a [`Zone`], so tests and screenshots
//! can pin one and give the same result on any machine, whatever its `TZ`.

use chrono::{DateTime, FixedOffset, Local, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// The machine's own zone (what the windows use), or a fixed offset from UTC.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Zone {
    #[default]
    Local,
    Fixed(FixedOffset),
}

impl Zone {
    /// UTC itself, as a fixed zone.
    pub fn utc() -> Zone {
        Zone::Fixed(FixedOffset::east_opt(0).expect("zero is a valid offset"))
    }

    /// A fixed zone `hours` east of UTC (negative: west); `None` beyond ±23 h.
    pub fn hours_east(hours: i32) -> Option<Zone> {
        FixedOffset::east_opt(hours.checked_mul(3600)?).map(Zone::Fixed)
    }

    /// The wall-clock date and time of `at` in this zone.
    pub fn wall_clock(self, at: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Local => at.with_timezone(&Local).naive_local(),
            Zone::Fixed(offset) => at.with_timezone(&offset).naive_local(),
        }
    }

    /// `at` in this zone, formatted with a chrono format string ("%H:%M").
    pub fn format(self, at: DateTime<Utc>, format: &str) -> String {
        self.wall_clock(at).format(format).to_string()
    }

    /// The start of the day `now` falls in, as UTC: see [`day_start_in`].
    pub fn day_start(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Zone::Local => day_start_in(&Local, now),
            Zone::Fixed(offset) => day_start_in(&offset, now),
        }
    }
}

/// The longest run of local times a zone may skip at once. Samoa skipped a whole day
/// in 2011; no zone has skipped more. Past it the day is taken to start at `now`.
const MAX_SKIPPED_MINUTES: i64 = 24 * 60;

/// The first instant of the local calendar day that `now` falls in, in `zone`.
///
/// Usually local midnight. When midnight happens twice (clocks put back across it),
/// the first one. When midnight does not exist (clocks put forward across it, as in
/// Chile or Cuba), the first local minute that does: the day starts when the clocks
/// jump, neither a day early nor at `now`.
pub fn day_start_in<Tz: TimeZone>(zone: &Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now.with_timezone(zone).date_naive();
    let midnight = today.and_time(NaiveTime::MIN);
    let first_existing = (0..=MAX_SKIPPED_MINUTES).find_map(|minutes| {
        match zone.from_local_datetime(&(midnight + chrono::Duration::minutes(minutes))) {
            LocalResult::Single(start) | LocalResult::Ambiguous(start, _) => Some(start),
            LocalResult::None => None,
        }
    });
    first_existing.map_or(now, |start| start.with_timezone(&Utc).min(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, minute, 0)
            .single()
            .expect("a valid instant")
    }

    #[test]
    fn fixed_zones_show_their_own_wall_clock() {
        let bogota = Zone::hours_east(-5).expect("offset");
        let madrid = Zone::hours_east(1).expect("offset");
        assert_eq!(bogota.format(at(8, 57), "%H:%M"), "03:57");
        assert_eq!(madrid.format(at(8, 57), "%H:%M"), "09:57");
        assert_eq!(Zone::utc().format(at(8, 57), "%H:%M"), "08:57");
        assert_eq!(madrid.format(at(23, 30), "%Y-%m-%d"), "2026-03-03");
    }

    #[test]
    fn the_day_starts_at_the_zones_midnight() {
        let bogota = Zone::hours_east(-5).expect("offset");
        let madrid = Zone::hours_east(1).expect("offset");
        // 02:00 UTC is still the evening before in Bogotá.
        assert_eq!(
            bogota.day_start(at(2, 0)),
            at(5, 0) - chrono::Duration::days(1)
        );
        assert_eq!(bogota.day_start(at(9, 0)), at(5, 0));
        assert_eq!(
            madrid.day_start(at(9, 0)),
            at(0, 0) - chrono::Duration::hours(1)
        );
        assert_eq!(madrid.day_start(at(23, 30)), at(23, 0));
        assert_eq!(Zone::utc().day_start(at(9, 0)), at(0, 0));
    }

    #[test]
    fn offsets_beyond_a_day_are_refused() {
        assert_eq!(Zone::hours_east(24), None);
        assert_eq!(Zone::hours_east(i32::MAX), None);
        assert!(Zone::hours_east(-23).is_some());
    }
}
