//! Every string the office client shows, in English and Spanish.
//!
//! Plain strings are fields of [`Tr`]; strings with values in them are methods of
//! [`Lang`]. The ui never spells a user-visible word itself.

use chrono::{DateTime, Duration, Utc};
use packbell_client_core::locale;
use packbell_shared::zone::Zone;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// The language of a locale tag such as `es-ES` or `en_US.UTF-8`; English
    /// unless it is Spanish.
    pub fn from_locale(locale: Option<&str>) -> Lang {
        if locale.is_some_and(locale::is_spanish) {
            Lang::Es
        } else {
            Lang::En
        }
    }

    /// The system's language, as far as we speak it.
    pub fn system() -> Lang {
        if locale::system_is_spanish() {
            Lang::Es
        } else {
            Lang::En
        }
    }

    /// The language's own name, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }

    pub fn tr(self) -> &'static Tr {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }
}

/// Wall-clock time of a UTC instant in the window's zone, as the office reads it.
pub fn time(zone: Zone, at: DateTime<Utc>) -> String {
    zone.format(at, "%H:%M")
}

/// A short duration: "45 s", "4 min 32 s", "2 h 05 min".
pub fn duration(d: Duration) -> String {
    let secs = d.num_seconds().max(0);
    if secs < 60 {
        format!("{secs} s")
    } else if secs < 3600 {
        format!("{} min {:02} s", secs / 60, secs % 60)
    } else {
        format!("{} h {:02} min", secs / 3600, (secs % 3600) / 60)
    }
}

mod ageing;
mod connection;
pub use connection::ConnectionTr;
mod errors;
mod exports;
mod messages;
mod receipts;
mod stock;
mod strings;
#[cfg(test)]
mod tests;
mod today;
mod undo;

pub use ageing::AgeingTr;
pub use errors::TroubleText;
pub use exports::ExportsTr;
pub use stock::StockTr;
pub use strings::{EN, ES, Tr};
pub use today::TodayTr;
pub use undo::UndoTr;
