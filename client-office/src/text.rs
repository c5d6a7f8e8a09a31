//! Text matching for people typing fast: case- and accent-insensitive.

/// Lower-cases `text` and strips the accents of Latin letters, so that "cen", "CÉN"
/// and "cén" all match "Centro". Letters without a plain form are kept as they are.
pub fn fold(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(strip_accent)
        .collect()
}

fn strip_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// How well a folded name matches a folded query; lower is better, `None` is no match.
pub fn match_rank(name_folded: &str, query_folded: &str) -> Option<u8> {
    if query_folded.is_empty() {
        return Some(3);
    }
    if name_folded == query_folded {
        Some(0)
    } else if name_folded.starts_with(query_folded) {
        Some(1)
    } else if name_folded
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| word.starts_with(query_folded))
    {
        Some(2)
    } else if name_folded.contains(query_folded) {
        Some(3)
    } else {
        None
    }
}

/// Same text for an office worker: ignores case, accents and surrounding spaces.
pub fn same(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("  Peñón Cáceres "), "penon caceres");
        assert_eq!(fold("ÁVILA"), "avila");
        assert!(same("Logroño", "LOGRONO"));
    }

    #[test]
    fn ranks_exact_then_prefix_then_word_then_substring() {
        assert_eq!(match_rank("centro", "centro"), Some(0));
        assert_eq!(match_rank("centro", "cen"), Some(1));
        assert_eq!(match_rank("calle mayor", "may"), Some(2));
        assert_eq!(match_rank("centro", "ntr"), Some(3));
        assert_eq!(match_rank("centro", "norte"), None);
    }
}
