//! The Connection screen's words, in this window's language (the tables are shared
//! with the other window in `packbell_client_core::connection_words`).

use packbell_shared::link::diagnosis::{Cause, Via};

pub use packbell_client_core::connection_words::ConnectionTr;

use super::Language;

impl Language {
    pub fn connection(self) -> &'static ConnectionTr {
        ConnectionTr::of(matches!(self, Language::Es))
    }

    /// How an answer was found, in words.
    pub fn via(self, via: Via) -> &'static str {
        self.connection().via(via)
    }

    /// The cause in one line, and what to do about it (empty when nothing is to do).
    pub fn cause(self, cause: &Cause) -> (String, &'static str) {
        self.connection().cause(cause)
    }
}
