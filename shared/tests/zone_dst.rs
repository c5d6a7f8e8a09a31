//! Where "today" starts across DST days, with a test zone that changes its offset
//! once (chrono's fixed offsets have no DST; the machine's zone cannot be chosen).

use chrono::{
    DateTime, FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
    Utc,
};
use packbell_shared::zone::day_start_in;

fn day_start(now: DateTime<Utc>, zone: &ShiftZone) -> DateTime<Utc> {
    day_start_in(zone, now)
}

/// A zone at `before` until the instant `change`, at `after` from then on.
#[derive(Debug, Clone, Copy)]
struct ShiftZone {
    before: FixedOffset,
    after: FixedOffset,
    change: NaiveDateTime,
}

/// The offset of a [`ShiftZone`] at some instant; carries its zone along, as chrono
/// needs to rebuild the zone from an offset.
#[derive(Debug, Clone, Copy)]
struct ShiftOffset {
    zone: ShiftZone,
    fixed: FixedOffset,
}

impl Offset for ShiftOffset {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl std::fmt::Display for ShiftOffset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.fixed.fmt(f)
    }
}

impl ShiftZone {
    fn offset(&self, fixed: FixedOffset) -> ShiftOffset {
        ShiftOffset { zone: *self, fixed }
    }
}

impl TimeZone for ShiftZone {
    type Offset = ShiftOffset;

    fn from_offset(offset: &ShiftOffset) -> ShiftZone {
        offset.zone
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<ShiftOffset> {
        self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<ShiftOffset> {
        let as_utc = |offset: FixedOffset| *local - offset;
        let early = (as_utc(self.before) < self.change).then(|| self.offset(self.before));
        let late = (as_utc(self.after) >= self.change).then(|| self.offset(self.after));
        match (early, late) {
            (Some(early), Some(late)) => {
                if as_utc(early.fixed) <= as_utc(late.fixed) {
                    MappedLocalTime::Ambiguous(early, late)
                } else {
                    MappedLocalTime::Ambiguous(late, early)
                }
            }
            (Some(one), None) | (None, Some(one)) => MappedLocalTime::Single(one),
            (None, None) => MappedLocalTime::None,
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ShiftOffset {
        self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ShiftOffset {
        if *utc < self.change {
            self.offset(self.before)
        } else {
            self.offset(self.after)
        }
    }
}

fn hours(h: i32) -> FixedOffset {
    FixedOffset::east_opt(h * 3600).expect("valid offset")
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid time")
}

fn zone(before: i32, after: i32, change: DateTime<Utc>) -> ShiftZone {
    ShiftZone {
        before: hours(before),
        after: hours(after),
        change: change.naive_utc(),
    }
}

#[test]
fn an_ordinary_day_starts_at_local_midnight() {
    let madrid_winter = zone(1, 2, utc(2026, 3, 29, 1, 0));
    assert_eq!(
        day_start(utc(2026, 3, 2, 9, 0), &madrid_winter),
        utc(2026, 3, 1, 23, 0)
    );
    // Just after local midnight the day has only begun; just before, it is yesterday.
    assert_eq!(
        day_start(utc(2026, 3, 1, 23, 0), &madrid_winter),
        utc(2026, 3, 1, 23, 0)
    );
    assert_eq!(
        day_start(utc(2026, 3, 1, 22, 59), &madrid_winter),
        utc(2026, 2, 28, 23, 0)
    );
}

#[test]
fn spring_forward_at_two_keeps_midnight_in_the_old_offset() {
    // Europe/Madrid, 29 March 2026: 02:00 (+01:00) becomes 03:00 (+02:00).
    let madrid = zone(1, 2, utc(2026, 3, 29, 1, 0));
    let after_change = utc(2026, 3, 29, 10, 0);
    assert_eq!(day_start(after_change, &madrid), utc(2026, 3, 28, 23, 0));
    // The next day starts at midnight in the new offset.
    assert_eq!(
        day_start(utc(2026, 3, 30, 10, 0), &madrid),
        utc(2026, 3, 29, 22, 0)
    );
}

#[test]
fn fall_back_at_three_keeps_midnight_in_the_summer_offset() {
    // Europe/Madrid, 25 October 2026: 03:00 (+02:00) becomes 02:00 (+01:00).
    let madrid = zone(2, 1, utc(2026, 10, 25, 1, 0));
    assert_eq!(
        day_start(utc(2026, 10, 25, 20, 0), &madrid),
        utc(2026, 10, 24, 22, 0)
    );
}

#[test]
fn a_day_whose_midnight_is_skipped_starts_when_the_clocks_jump() {
    // Chile-like: at local midnight (-04:00) the clocks jump to 01:00 (-03:00), so
    // 00:00-00:59 does not exist that day. The day starts at 01:00 local = 04:00 UTC:
    // not a day earlier (orders of yesterday would count as today) and not at `now`
    // (orders entered this morning would not count).
    let santiago = zone(-4, -3, utc(2026, 9, 6, 4, 0));
    let morning = utc(2026, 9, 6, 14, 30);
    assert_eq!(day_start(morning, &santiago), utc(2026, 9, 6, 4, 0));
    assert_eq!(
        day_start(utc(2026, 9, 6, 4, 0), &santiago),
        utc(2026, 9, 6, 4, 0)
    );
}

#[test]
fn a_day_whose_midnight_happens_twice_starts_at_the_first() {
    // Clocks put back from 01:00 (-03:00) to 00:00 (-04:00): midnight is 03:00 and
    // again 04:00 UTC. The day started at the first one.
    let santiago = zone(-3, -4, utc(2026, 4, 5, 4, 0));
    assert_eq!(
        day_start(utc(2026, 4, 5, 15, 0), &santiago),
        utc(2026, 4, 5, 3, 0)
    );
    // During the second midnight hour too.
    assert_eq!(
        day_start(utc(2026, 4, 5, 4, 30), &santiago),
        utc(2026, 4, 5, 3, 0)
    );
}

#[test]
fn the_day_never_starts_after_now() {
    let zones = [
        zone(-4, -3, utc(2026, 9, 6, 4, 0)),
        zone(-3, -4, utc(2026, 4, 5, 4, 0)),
        zone(1, 2, utc(2026, 3, 29, 1, 0)),
    ];
    let mut now = utc(2026, 3, 27, 0, 0);
    while now < utc(2026, 9, 8, 0, 0) {
        for zone in &zones {
            let start = day_start(now, zone);
            assert!(start <= now, "{now} in {zone:?} starts at {start}");
            assert!(
                now - start < chrono::Duration::hours(25),
                "{now} in {zone:?}"
            );
        }
        now += chrono::Duration::minutes(97);
    }
}
