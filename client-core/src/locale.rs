//! The system's language, as far as the windows speak it (Spanish or English).

/// True for any Spanish locale tag: `es`, `es-ES`, `es_MX.UTF-8`, ` ES-ar `.
pub fn is_spanish(locale: &str) -> bool {
    locale
        .trim()
        .get(..2)
        .is_some_and(|language| language.eq_ignore_ascii_case("es"))
}

/// True when the system's locale is Spanish (`LC_ALL`, `LANG`… on Unix, the user's
/// locale elsewhere); false when it is anything else or unknown.
pub fn system_is_spanish() -> bool {
    sys_locale::get_locale().is_some_and(|locale| is_spanish(&locale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_tags_in_any_spelling() {
        for tag in ["es", "es-ES", "es_MX.UTF-8", " ES-ar "] {
            assert!(is_spanish(tag), "{tag}");
        }
        for tag in ["", "e", "en-US", "de-DE", "C", "POSIX", "eu-ES"] {
            assert!(!is_spanish(tag), "{tag}");
        }
    }
}
