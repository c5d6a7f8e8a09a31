//! Tests of the language choice, the tables and the formatted messages. That every
//! message exists in both languages with the right arguments is the compiler's job
//! (struct literals and exhaustive matches); these check what it cannot.

use super::*;

#[test]
fn locale_picks_language() {
    assert_eq!(Language::from_locale("es-ES"), Language::Es);
    assert_eq!(Language::from_locale("es_MX.UTF-8"), Language::Es);
    assert_eq!(Language::from_locale("en-US"), Language::En);
    assert_eq!(Language::from_locale("de-DE"), Language::En);
}

/// `(field, text)` of every plain string in a table, read from its Debug output.
fn fields(table: &Strings) -> Vec<(String, String)> {
    let debug = format!("{table:#?}");
    debug
        .lines()
        .filter_map(|line| {
            let (name, text) = line.trim().split_once(": ")?;
            Some((name.to_owned(), text.trim_end_matches(',').to_owned()))
        })
        .collect()
}

#[test]
fn both_tables_are_complete_and_hold_no_templates() {
    let es = fields(&ES);
    let en = fields(&EN);
    assert!(es.len() >= 30, "the Debug output lists every field: {es:?}");
    for (name, text) in es.iter().chain(&en) {
        assert_ne!(text, "\"\"", "{name} is empty");
        assert!(
            !text.contains('{'),
            "{name} looks like a template; make it a method of Language: {text}"
        );
    }
    let translated = es.iter().zip(&en).filter(|(e, n)| e.1 != n.1).count();
    assert!(
        translated + 2 >= es.len(),
        "only a couple of strings read the same in both"
    );
}

#[test]
fn messages_put_the_values_in_place() {
    assert_eq!(
        Language::En.notify_order("A-17", "Centro"),
        "Order A-17 — Centro"
    );
    assert_eq!(
        Language::Es.notify_rush("A-17", "Centro"),
        "URGENTE: pedido A-17 — Centro"
    );
    assert_eq!(Language::Es.age_hours(1, 5), "1 h 05");
    assert_eq!(Language::En.age_minutes(7), "7 min");
    assert_eq!(
        Language::Es.notify_summary_rush(12, 3),
        "12 pedidos nuevos mientras estaba desconectado (3 urgentes)"
    );
    assert_eq!(
        Language::En.found_server("Tienda Sol", "192.168.1.10:47801", "3f2a:9c1e"),
        "Tienda Sol · 192.168.1.10:47801 · id 3f2a:9c1e"
    );
    assert_eq!(Language::En.store_chip("Norte", 1), "Norte  1");
    assert_eq!(Language::Es.unknown_store(4), "Tienda 4");
}

#[test]
fn every_message_differs_by_language_where_words_are_used() {
    for (es, en) in [
        (
            Language::Es.packed_order("A"),
            Language::En.packed_order("A"),
        ),
        (Language::Es.connected("S"), Language::En.connected("S")),
        (
            Language::Es.offline_since("09:00"),
            Language::En.offline_since("09:00"),
        ),
        (Language::Es.more_below(2), Language::En.more_below(2)),
        (
            Language::Es.hint_no_sound().to_owned(),
            Language::En.hint_no_sound().to_owned(),
        ),
        (
            Language::Es.hint_no_notifications().to_owned(),
            Language::En.hint_no_notifications().to_owned(),
        ),
    ] {
        assert_ne!(es, en);
    }
}
