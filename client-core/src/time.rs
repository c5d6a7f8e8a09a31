//! Where "today" starts, and local wall-clock times, in a time zone given by the
//! caller: the windows pass [`chrono::Local`], tests pass zones with DST changes.

use chrono::{DateTime, Local, LocalResult, NaiveTime, TimeZone, Utc};

/// The longest run of local times a zone may skip at once. Samoa skipped a whole day
/// in 2011; no zone has skipped more. Past it the day is taken to start at `now`.
const MAX_SKIPPED_MINUTES: i64 = 24 * 60;

/// The first instant of the local calendar day that `now` falls in, in `zone`.
///
/// Usually local midnight. When midnight happens twice (clocks put back across it),
/// the first one. When midnight does not exist (clocks put forward across it, as in
/// Chile or Cuba), the first local minute that does: the day starts when the clocks
/// jump, neither a day early nor at `now`.
pub fn day_start<Tz: TimeZone>(now: DateTime<Utc>, zone: &Tz) -> DateTime<Utc> {
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

/// [`day_start`] in this computer's time zone.
pub fn local_day_start(now: DateTime<Utc>) -> DateTime<Utc> {
    day_start(now, &Local)
}

/// "14:05": the wall-clock time of `at` in `zone`.
pub fn clock_time<Tz: TimeZone>(at: DateTime<Utc>, zone: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    at.with_timezone(zone).format("%H:%M").to_string()
}

/// [`clock_time`] in this computer's time zone.
pub fn local_clock_time(at: DateTime<Utc>) -> String {
    clock_time(at, &Local)
}

#[cfg(test)]
mod tests;
