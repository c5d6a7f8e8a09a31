//! Tests of the language choice and of the formatted messages.

use super::*;
use crate::model::RowStatus;

#[test]
fn spanish_locales_pick_spanish_and_anything_else_english() {
    assert_eq!(Lang::from_locale(Some("es-ES")), Lang::Es);
    assert_eq!(Lang::from_locale(Some("es_MX.UTF-8")), Lang::Es);
    assert_eq!(Lang::from_locale(Some("en-GB")), Lang::En);
    assert_eq!(Lang::from_locale(Some("fr-FR")), Lang::En);
    assert_eq!(Lang::from_locale(None), Lang::En);
}

#[test]
fn counts_agree_in_number() {
    assert_eq!(
        Lang::Es.status_count(RowStatus::Pending, 10),
        "10 pendientes"
    );
    // The warehouse's word for packed ("empaquetado"), so both windows say the same.
    assert_eq!(Lang::Es.status_count(RowStatus::Packed, 1), "1 empaquetado");
    assert_eq!(
        Lang::Es.status_count(RowStatus::Packed, 3),
        "3 empaquetados"
    );
    assert!(ES.col_done.starts_with("Empaquetado"));
    assert_eq!(Lang::Es.status_count(RowStatus::Queued, 2), "2 en cola");
    assert_eq!(Lang::En.status_count(RowStatus::Packed, 4), "4 packed");
}

#[test]
fn uptimes_and_sizes_read_naturally() {
    assert_eq!(Lang::En.uptime(42), "42 s");
    assert_eq!(Lang::En.uptime(12 * 60 + 5), "12 min");
    assert_eq!(Lang::En.uptime(3 * 3600 + 12 * 60 + 59), "3 h 12 min");
    assert_eq!(Lang::En.uptime(86_400 + 3 * 3600), "1 day 3 h");
    assert_eq!(Lang::Es.uptime(2 * 86_400 + 60), "2 días 0 h");
    assert_eq!(Lang::En.bytes(812), "812 B");
    assert_eq!(Lang::En.bytes(4300), "4.2 KiB");
    assert_eq!(Lang::Es.bytes(4300), "4,2 KiB");
    assert_eq!(Lang::En.bytes(13_421_773), "12.8 MiB");
    assert_eq!(Lang::En.bytes(3 << 30), "3.0 GiB");
    assert_eq!(
        Lang::En.connections(2, 3, 1),
        "office 2 · warehouse 3 · admin 1"
    );
}

#[test]
fn found_servers_show_the_short_fingerprint() {
    assert_eq!(
        Lang::En.found_server("Tienda Sol", "192.168.1.10:47801", "3f2a9c1e77b0d4e5aa"),
        "Tienda Sol · 192.168.1.10:47801 · id 3f2a:9c1e:77b0:d4e5"
    );
}

#[test]
fn durations_read_naturally() {
    assert_eq!(duration(Duration::seconds(45)), "45 s");
    assert_eq!(duration(Duration::seconds(272)), "4 min 32 s");
    assert_eq!(duration(Duration::seconds(7500)), "2 h 05 min");
}

#[test]
fn hidden_characters_and_emoji_in_order_numbers_are_explained() {
    use crate::model::FieldError;
    let hidden = FieldError::NumberHiddenCharacter {
        character: '\u{202E}',
    };
    assert_eq!(
        Lang::En.field_error(&hidden),
        "The order number has an invisible or control character (U+202E). Delete it and type the number again."
    );
    assert_eq!(
        Lang::Es.field_error(&hidden),
        "El número de pedido tiene un carácter invisible o de control (U+202E). Bórralo y escribe el número otra vez."
    );
    let emoji = FieldError::NumberEmoji { character: '🍕' };
    assert_eq!(
        Lang::En.field_error(&emoji),
        "Order numbers cannot contain emoji (🍕)."
    );
    assert_eq!(
        Lang::Es.field_error(&emoji),
        "Los números de pedido no pueden llevar emojis (🍕)."
    );
}
