//! Every string a person sees, in Spanish and English.
//!
//! **No user-visible string is written anywhere else.** Plain strings are fields of
//! [`Strings`]; strings with values in them are methods of [`Language`] (in
//! `messages`), so the compiler checks every argument and every language: the same
//! pattern as the office client's.

use packbell_client_core::locale;
use serde::{Deserialize, Serialize};

mod connection;
pub use connection::ConnectionTr;
mod edits;
mod messages;
mod stock;
mod strings;
#[cfg(test)]
mod tests;
mod views;

pub use strings::{EN, ES, Strings};
pub use views::{VIEWS_EN, VIEWS_ES, ViewStrings};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Es,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Es, Language::En];

    /// The language's own name, the same in every UI language.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::Es => "Español",
            Language::En => "English",
        }
    }

    /// Spanish for any `es*` locale (`es-ES`, `es_MX.UTF-8`…), English otherwise.
    pub fn from_locale(tag: &str) -> Language {
        if locale::is_spanish(tag) {
            Language::Es
        } else {
            Language::En
        }
    }

    /// The system's language (checks `LC_ALL`, `LANG`, … on Unix; the user locale elsewhere).
    pub fn system() -> Language {
        if locale::system_is_spanish() {
            Language::Es
        } else {
            Language::En
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Language::Es => &ES,
            Language::En => &EN,
        }
    }
}
