//! Cells as a spreadsheet will see them: text made inert, numbers left as numbers,
//! quoting by the `csv` crate, UTF-8 with a byte order mark.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;

/// Written first, so spreadsheet programs read the file as UTF-8 (accents survive).
pub const BYTE_ORDER_MARK: &[u8] = "\u{FEFF}".as_bytes();

/// What a text cell must not start with: a spreadsheet would run it as a formula or
/// split it (OWASP's CSV injection guidance).
const FORMULA_TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r', '\n'];

/// `text` as a cell no spreadsheet runs: a leading trigger character gets a single
/// quote in front, which spreadsheets show as text.
pub fn inert(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_TRIGGERS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

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
    /// Reused for every number, so writing a row allocates nothing.
    number: String,
    rows: u64,
}

impl<W: Write> Sheet<W> {
    /// Writes the byte order mark and `header`.
    pub fn start(mut out: W, delimiter: Delimiter, header: &[&str]) -> csv::Result<Self> {
        out.write_all(BYTE_ORDER_MARK)?;
        let csv = csv::WriterBuilder::new()
            .delimiter(delimiter.byte())
            .from_writer(out);
        let mut sheet = Sheet {
            csv,
            decimal_mark: delimiter.decimal_mark(),
            number: String::new(),
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
