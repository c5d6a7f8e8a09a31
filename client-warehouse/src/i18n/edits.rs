//! Strings of an order the office corrected.

use super::Language;
use crate::model::EditMark;

impl Language {
    /// The row's tag for a recent correction, naming what changed:
    /// "EDITED: store, rush".
    pub fn edited_badge(self, mark: &EditMark) -> String {
        let (tag, store, note, rush) = match self {
            Language::Es => ("CORREGIDO", "tienda", "nota", "urgente"),
            Language::En => ("EDITED", "store", "note", "rush"),
        };
        let fields: Vec<&str> = [(mark.store, store), (mark.note, note), (mark.rush, rush)]
            .into_iter()
            .filter_map(|(changed, name)| changed.then_some(name))
            .collect();
        format!("{tag}: {}", fields.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    #[test]
    fn the_badge_names_what_changed_in_both_languages() {
        let mark = EditMark {
            store: true,
            note: false,
            rush: true,
            at: Utc::now(),
            seen_at: Utc::now(),
        };
        assert_eq!(Language::En.edited_badge(&mark), "EDITED: store, rush");
        assert_eq!(
            Language::Es.edited_badge(&mark),
            "CORREGIDO: tienda, urgente"
        );
    }
}
