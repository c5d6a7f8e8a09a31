//! Report ranges: whole local days, `to` included, as a span of commit times.

use chrono::{DateTime, Local, NaiveDate, NaiveTime, TimeZone, Utc};

use super::ExportError;
use crate::db::export::Span;

/// How dates are typed on the command line.
pub const DATE_FORMAT: &str = "%Y-%m-%d";

/// A `YYYY-MM-DD` date, or an error saying what was expected.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), DATE_FORMAT)
        .map_err(|e| format!("{text:?} is not a date as YYYY-MM-DD (e.g. 2026-03-31): {e}"))
}

/// From the start of local day `from` to the end of local day `to`.
pub fn local_days(from: NaiveDate, to: NaiveDate) -> Result<Span, ExportError> {
    if from > to {
        return Err(ExportError::InvertedRange { from, to });
    }
    let after_to = to.succ_opt().ok_or(ExportError::DateOutOfRange(to))?;
    Ok(Span {
        start: local_midnight(&Local, from)?,
        end: local_midnight(&Local, after_to)?,
    })
}

/// When `day` starts in `zone`: its first existing instant (a daylight saving change
/// at midnight skips or repeats part of the first hour).
fn local_midnight<Z: TimeZone>(zone: &Z, day: NaiveDate) -> Result<DateTime<Utc>, ExportError> {
    let mut time = day.and_time(NaiveTime::MIN);
    // Daylight saving gaps last at most an hour; probe a few minutes at a time.
    for _ in 0..=12 {
        if let Some(start) = zone.from_local_datetime(&time).earliest() {
            return Ok(start.with_timezone(&Utc));
        }
        time += chrono::Duration::minutes(5);
    }
    Err(ExportError::DateOutOfRange(day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn dates_must_be_year_month_day() {
        assert_eq!(
            parse_date("2026-03-31"),
            Ok(NaiveDate::from_ymd_opt(2026, 3, 31).expect("date"))
        );
        for bad in ["31/03/2026", "2026-02-30", "2026-3", "yesterday", ""] {
            let error = parse_date(bad).expect_err(bad);
            assert!(error.contains("YYYY-MM-DD"), "{error}");
        }
    }

    #[test]
    fn an_inverted_range_is_refused_and_a_single_day_covers_all_of_it() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 31).expect("date");
        let before = day.pred_opt().expect("date");
        match local_days(day, before) {
            Err(ExportError::InvertedRange { from, to }) => assert_eq!((from, to), (day, before)),
            other => panic!("expected an inverted range error, got {other:?}"),
        }
        let span = local_days(day, day).expect("one day");
        assert_eq!(span.end - span.start, chrono::Duration::hours(24));
    }

    #[test]
    fn midnight_is_taken_in_the_given_zone() {
        let madrid_winter = FixedOffset::east_opt(3600).expect("offset");
        let day = NaiveDate::from_ymd_opt(2026, 1, 10).expect("date");
        let start = local_midnight(&madrid_winter, day).expect("midnight");
        assert_eq!(start.to_rfc3339(), "2026-01-09T23:00:00+00:00");
    }
}
