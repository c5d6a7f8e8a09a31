//! Cells as a spreadsheet will see them: text made inert, numbers left as numbers,
//! quoting by the `csv` crate, UTF-8 with a byte order mark.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, Local, Offset, Timelike};
use std::fmt::Write as _;
use std::io::Write;

/// Written first, so spreadsheet programs read the file as UTF-8 (accents survive).
pub const BYTE_ORDER_MARK: &[u8] = "\u{FEFF}".as_bytes();

/// What a text cell must not start with: a spreadsheet would run it as a formula or
/// split it (OWASP's CSV injection guidance).
/// All ASCII, so the first byte of a cell decides.
const FORMULA_TRIGGERS: &[u8] = b"=+-@\t\r\n";

/// `text` as a cell no spreadsheet runs: a leading trigger character gets a single
/// quote in front, which spreadsheets show as text.
pub fn inert(text: &str) -> Cow<'_, str> {
    if text
        .as_bytes()
        .first()
        .is_some_and(|first| FORMULA_TRIGGERS.contains(first))
    {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Bytes gathered before each write to the output: a report of a million rows then
/// takes about 1 300 writes instead of 10 000. A longer row is written in several.
const OUTPUT_BUFFER_BYTES: usize = 64 * 1024;

/// The local time cell's form, as [`Sheet::local_time`] writes it.
const LOCAL_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// The offset cell's form.
const UTC_OFFSET_FORMAT: &str = "UTC%:z";

/// Field separator of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delimiter {
    #[default]
    Comma,
    /// What Excel expects in locales whose decimal mark is a comma; decimals then use
    /// a comma too.
    Semicolon,
}

impl Delimiter {
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
        }
    }

    pub fn decimal_mark(self) -> char {
        match self {
            Delimiter::Comma => '.',
            Delimiter::Semicolon => ',',
        }
    }
}

/// A CSV file being written, one cell at a time.
pub struct Sheet<W: Write> {
    csv: csv::Writer<W>,
    decimal_mark: char,
    /// Reused for every number and time, so writing a row allocates nothing.
    number: String,
    /// The last offset written and its cell: it changes only twice a year.
    offset: Option<(i32, String)>,
    rows: u64,
}

impl<W: Write> Sheet<W> {
    /// Writes the byte order mark and `header`.
    pub fn start(mut out: W, delimiter: Delimiter, header: &[&str]) -> csv::Result<Self> {
        out.write_all(BYTE_ORDER_MARK)?;
        let csv = csv::WriterBuilder::new()
            .delimiter(delimiter.byte())
            .buffer_capacity(OUTPUT_BUFFER_BYTES)
            .from_writer(out);
        let mut sheet = Sheet {
            csv,
            decimal_mark: delimiter.decimal_mark(),
            number: String::new(),
            offset: None,
            rows: 0,
        };
        for name in header {
            sheet.text(name)?;
        }
        sheet.csv.write_record(None::<&[u8]>)?;
        Ok(sheet)
    }

    pub fn text(&mut self, text: &str) -> csv::Result<()> {
        self.csv.write_field(inert(text).as_bytes())
    }

    /// A text cell, empty when absent.
    pub fn maybe_text(&mut self, text: Option<&str>) -> csv::Result<()> {
        self.text(text.unwrap_or_default())
    }

    pub fn integer(&mut self, value: i64) -> csv::Result<()> {
        self.number.clear();
        let _ = write!(self.number, "{value}");
        self.csv.write_field(self.number.as_bytes())
    }

    /// Local wall-clock time, ISO 8601 without an offset (`2026-03-31T09:15:02`):
    /// spreadsheets read that as a date. [`Sheet::utc_offset`] gives the offset.
    pub fn local_time(&mut self, at: &DateTime<Local>) -> csv::Result<()> {
        self.number.clear();
        if (0..=9999).contains(&at.year()) {
            // `%S` shows a leap second as 60; chrono keeps it in the nanoseconds.
            let second = at.second() + at.nanosecond() / 1_000_000_000;
            let _ = write!(
                self.number,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                at.year(),
                at.month(),
                at.day(),
                at.hour(),
                at.minute(),
                second
            );
        } else {
            let _ = write!(self.number, "{}", at.format(LOCAL_TIME_FORMAT));
        }
        self.csv.write_field(inert(&self.number).as_bytes())
    }

    /// The offset from UTC of a local time, as `UTC+02:00` (a bare `+02:00` would
    /// start like a formula and be made inert).
    pub fn utc_offset(&mut self, at: &DateTime<Local>) -> csv::Result<()> {
        let seconds = at.offset().fix().local_minus_utc();
        let cell = match &self.offset {
            Some((cached, cell)) if *cached == seconds => cell,
            _ => {
                let cell = at.format(UTC_OFFSET_FORMAT).to_string();
                &self.offset.insert((seconds, cell)).1
            }
        };
        self.csv.write_field(inert(cell).as_bytes())
    }

    /// Milliseconds as seconds with one decimal (`12.3`, or `12,3` with `;`); empty
    /// when absent.
    pub fn seconds(&mut self, millis: Option<f64>) -> csv::Result<()> {
        self.number.clear();
        if let Some(millis) = millis {
            let tenths = (millis / 100.0).round() as i64;
            let _ = write!(
                self.number,
                "{}{}{}",
                tenths / 10,
                self.decimal_mark,
                tenths % 10
            );
        }
        self.csv.write_field(self.number.as_bytes())
    }

    pub fn end_row(&mut self) -> csv::Result<()> {
        self.rows += 1;
        self.csv.write_record(None::<&[u8]>)
    }

    /// Data rows written so far (the header not counted).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and hands back the output.
    pub fn finish(self) -> Result<W, csv::Error> {
        self.csv
            .into_inner()
            .map_err(|e| csv::Error::from(std::io::Error::other(e.error().to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cells of one row holding the local time and offset of `at`, as written.
    fn time_cells(at: &DateTime<Local>) -> String {
        let mut sheet = Sheet::start(Vec::new(), Delimiter::Comma, &["a", "b"]).expect("sheet");
        sheet.local_time(at).expect("cell");
        sheet.utc_offset(at).expect("cell");
        sheet.end_row().expect("row");
        let bytes = sheet.finish().expect("flushed");
        String::from_utf8(bytes).expect("utf-8")
    }

    #[test]
    fn time_cells_match_the_documented_formats() {
        use chrono::{NaiveDate, TimeZone};
        let start = Local::now();
        let mut samples: Vec<DateTime<Local>> = (0..1500)
            .map(|n| start + chrono::Duration::seconds(n * 7 * 3600 + n * 61))
            .collect();
        let leap_second = NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .expect("leap second");
        samples.push(leap_second.and_utc().with_timezone(&Local));
        for (year, month, day) in [(1, 1, 1), (9999, 12, 31), (10_000, 6, 1)] {
            let naive = NaiveDate::from_ymd_opt(year, month, day)
                .and_then(|d| d.and_hms_opt(12, 0, 0))
                .expect("date");
            samples.push(Local.from_utc_datetime(&naive));
        }
        for at in &samples {
            let expected = format!(
                "\u{FEFF}a,b\n{},{}\n",
                inert(&at.format(LOCAL_TIME_FORMAT).to_string()),
                at.format(UTC_OFFSET_FORMAT)
            );
            assert_eq!(time_cells(at), expected, "{at:?}");
        }
    }

    #[test]
    fn every_trigger_is_made_inert_and_other_text_is_left_alone() {
        for cell in ["=1+2", "+x", "-x", "@SUM(A1)", "\tx", "\rx", "\nx", "-5"] {
            let inert = inert(cell);
            assert_eq!(inert, format!("'{cell}"), "{cell:?}");
        }
        for cell in ["a;=1+2", "Ñandú", "café", "4711", "", "'quoted"] {
            assert_eq!(inert(cell), cell);
        }
    }

    #[test]
    fn decimals_follow_the_delimiter_and_numbers_are_not_quoted() {
        let mut comma = Sheet::start(Vec::new(), Delimiter::Comma, &["a", "b"]).expect("sheet");
        comma.seconds(Some(12_345.0)).expect("cell");
        comma.integer(-7).expect("cell");
        comma.end_row().expect("row");
        let bytes = comma.finish().expect("flushed");
        assert_eq!(bytes, "\u{FEFF}a,b\n12.3,-7\n".as_bytes());

        let mut semicolon =
            Sheet::start(Vec::new(), Delimiter::Semicolon, &["a", "b"]).expect("sheet");
        semicolon.seconds(Some(12_345.0)).expect("cell");
        semicolon.text("a;=1+2").expect("cell");
        semicolon.end_row().expect("row");
        let bytes = semicolon.finish().expect("flushed");
        assert_eq!(bytes, "\u{FEFF}a;b\n12,3;\"a;=1+2\"\n".as_bytes());
    }
}
