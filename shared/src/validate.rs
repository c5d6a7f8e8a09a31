//! Checks on text people type, shared by the server and the clients' forms, so that a
//! form refuses exactly what the server would refuse, for the same reason.
//!
//! Order numbers are read aloud, matched for duplicates and printed on packing lists:
//! they may hold letters, digits, punctuation, symbols and plain spaces, and nothing
//! that is invisible, changes the direction of the text, breaks the line, or is an
//! emoji. Notes and cancel reasons are free text: the same characters are not refused
//! there but neutralised ([`neutralise_free_text`]).

use crate::protocol::MAX_ORDER_NUMBER_CHARS;

/// What is wrong with a typed text; each client words it in its own language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// Nothing left after trimming spaces at both ends.
    Empty,
    /// More characters than allowed (counted as typed, before trimming).
    TooLong { chars: usize, max: usize },
    /// A control character (U+0000–U+001F, U+007F–U+009F): tabs, line breaks.
    Control(char),
    /// A character that shows nothing or reorders what follows: line and paragraph
    /// separators, bidirectional controls, zero-width and other blank-looking
    /// characters, spaces other than the plain one.
    Invisible(char),
    /// An emoji (pictograph, flag, keycap or skin-tone part).
    Emoji(char),
}

impl std::fmt::Display for TextProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextProblem::Empty => f.write_str("must not be empty"),
            TextProblem::TooLong { chars, max } => {
                write!(f, "is {chars} characters long; the maximum is {max}")
            }
            TextProblem::Control(c) => {
                write!(
                    f,
                    "must not contain control characters (U+{:04X})",
                    u32::from(*c)
                )
            }
            TextProblem::Invisible(c) => write!(
                f,
                "must not contain invisible, line-breaking or direction-changing characters \
                 (U+{:04X})",
                u32::from(*c)
            ),
            TextProblem::Emoji(c) => {
                write!(f, "must not contain emoji (U+{:04X})", u32::from(*c))
            }
        }
    }
}

/// Checks an order number: 1–[`MAX_ORDER_NUMBER_CHARS`] characters, something visible
/// after trimming, no control, invisible or emoji character anywhere.
pub fn order_number(text: &str) -> Result<(), TextProblem> {
    let chars = text.chars().count();
    if chars > MAX_ORDER_NUMBER_CHARS {
        return Err(TextProblem::TooLong {
            chars,
            max: MAX_ORDER_NUMBER_CHARS,
        });
    }
    for c in text.chars() {
        if c.is_control() {
            return Err(TextProblem::Control(c));
        }
        if is_invisible(c) || (c.is_whitespace() && c != ' ') {
            return Err(TextProblem::Invisible(c));
        }
        if is_emoji(c) {
            return Err(TextProblem::Emoji(c));
        }
    }
    // Only plain spaces can be blank now, and trimming removes them.
    if text.trim().is_empty() {
        return Err(TextProblem::Empty);
    }
    Ok(())
}

/// Free text (notes, cancel reasons) as it is stored and shown: line and paragraph
/// separators become spaces, other invisible and direction-changing characters are
/// removed, and the result is trimmed. Control characters are left for the field
/// check to refuse.
pub fn neutralise_free_text(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .filter_map(|c| match c {
            '\u{2028}' | '\u{2029}' => Some(' '),
            c if is_invisible(c) => None,
            c => Some(c),
        })
        .collect();
    cleaned.trim().to_owned()
}

/// Characters that show nothing, or change how the text around them is ordered or
/// broken, so that what is seen differs from what is stored.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'                  // soft hyphen
        | '\u{034F}'                // combining grapheme joiner
        | '\u{061C}'                // Arabic letter mark (bidi)
        | '\u{115F}' | '\u{1160}'   // Hangul fillers
        | '\u{17B4}' | '\u{17B5}'   // Khmer inherent vowels
        | '\u{180B}'..='\u{180F}'   // Mongolian variation selectors, vowel separator
        | '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
        | '\u{2028}'..='\u{202E}'   // line/paragraph separators, bidi embeddings/overrides
        | '\u{2060}'..='\u{206F}'   // word joiner, invisible operators, bidi isolates
        | '\u{2800}'                // Braille blank
        | '\u{3164}'                // Hangul filler
        | '\u{FE00}'..='\u{FE0F}'   // variation selectors
        | '\u{FEFF}'                // zero-width no-break space
        | '\u{FFA0}'                // halfwidth Hangul filler
        | '\u{FFF0}'..='\u{FFFB}'   // interlinear annotations, unassigned specials
        | '\u{1D173}'..='\u{1D17A}' // musical formatting controls
        | '\u{E0000}'..='\u{E0FFF}' // tags and supplementary variation selectors
    )
}

/// Emoji and the pieces emoji are built from (flags, skin tones, keycaps).
pub fn is_emoji(c: char) -> bool {
    matches!(
        c,
        '\u{2600}'..='\u{27BF}'     // miscellaneous symbols, dingbats
        | '\u{2B00}'..='\u{2BFF}'   // arrows and stars drawn as emoji (⭐, ⬛)
        | '\u{20E3}'                // combining keycap
        | '\u{1F000}'..='\u{1FAFF}' // pictographs, emoticons, flags, skin tones
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordinary_order_numbers_pass() {
        for number in [
            "A-1042",
            "1042",
            "PO 77/3",
            "Ñandú-5",
            "№ 12",
            "#12.5",
            "订单 88",
        ] {
            assert_eq!(order_number(number), Ok(()), "{number}");
        }
    }

    #[test]
    fn spoofing_and_emoji_are_refused_with_their_reason() {
        let cases = [
            ("A\u{2028}1", TextProblem::Invisible('\u{2028}')),
            ("A\u{2029}1", TextProblem::Invisible('\u{2029}')),
            ("1042\u{202E}", TextProblem::Invisible('\u{202E}')),
            ("\u{2066}1042\u{2069}", TextProblem::Invisible('\u{2066}')),
            ("10\u{200B}42", TextProblem::Invisible('\u{200B}')),
            ("\u{200B}\u{200B}", TextProblem::Invisible('\u{200B}')),
            ("\u{3164}", TextProblem::Invisible('\u{3164}')),
            ("\u{2800}", TextProblem::Invisible('\u{2800}')),
            ("10\u{00A0}42", TextProblem::Invisible('\u{00A0}')),
            ("\u{3000}", TextProblem::Invisible('\u{3000}')),
            ("A\u{7}1", TextProblem::Control('\u{7}')),
            ("A\n1", TextProblem::Control('\n')),
            ("A\u{85}1", TextProblem::Control('\u{85}')),
            ("1042🍕", TextProblem::Emoji('🍕')),
            ("🇪🇸1", TextProblem::Emoji('🇪')),
            ("1\u{20E3}", TextProblem::Emoji('\u{20E3}')),
            ("   ", TextProblem::Empty),
            ("", TextProblem::Empty),
        ];
        for (number, problem) in cases {
            assert_eq!(order_number(number), Err(problem), "{number:?}");
        }
        assert_eq!(
            order_number(&"9".repeat(65)),
            Err(TextProblem::TooLong { chars: 65, max: 64 })
        );
        assert_eq!(order_number(&"ñ".repeat(64)), Ok(()));
    }

    #[test]
    fn notes_keep_their_words_and_lose_the_tricks() {
        assert_eq!(
            neutralise_free_text("Fragile, two boxes"),
            "Fragile, two boxes"
        );
        assert_eq!(neutralise_free_text("abc\u{202E}fed"), "abcfed");
        assert_eq!(neutralise_free_text("one\u{2028}two\u{2029}"), "one two");
        assert_eq!(neutralise_free_text("\u{200B}\u{FEFF} "), "");
        assert_eq!(neutralise_free_text("frágil 📦"), "frágil 📦");
    }

    proptest! {
        /// Whatever goes in, a neutralised note has no invisible character left, and
        /// neutralising twice changes nothing more.
        #[test]
        fn neutralised_text_is_clean_and_stable(text in "\\PC*|[\u{2028}-\u{202E}\u{200B}-\u{200F}a ]*") {
            let once = neutralise_free_text(&text);
            prop_assert!(!once.chars().any(is_invisible), "{once:?}");
            prop_assert_eq!(neutralise_free_text(&once), once.clone());
        }

        /// An accepted order number never holds anything a reader cannot see.
        #[test]
        fn accepted_numbers_are_visible(text in "\\PC{0,70}") {
            if order_number(&text).is_ok() {
                prop_assert!(!text.trim().is_empty());
                prop_assert!(!text.chars().any(|c| is_invisible(c) || c.is_control() || is_emoji(c)));
                prop_assert!(text.chars().all(|c| c == ' ' || !c.is_whitespace()));
            }
        }
    }
}
