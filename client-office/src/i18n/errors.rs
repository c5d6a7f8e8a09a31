//! Friendly words for everything that can go wrong: each server error code, the
//! link's notices, the offline banner. Each says what happened and what to do; the
//! technical cause goes behind Details and into the log, never in these texts.

use chrono::{DateTime, Utc};
use packbell_shared::link::cause::OfflineCause;
use packbell_shared::protocol::ErrorCode;
use packbell_shared::zone::Zone;

use super::{Lang, time};
use crate::model::{NoticeKind, Trouble, Waiting};

/// The banner's two lines: what is wrong, and what to check.
#[derive(Debug, Clone, PartialEq)]
pub struct TroubleText {
    pub headline: String,
    pub check: &'static str,
}

impl Lang {
    /// What a server error code means for the person at this PC.
    pub fn error_code(self, code: ErrorCode) -> &'static str {
        use ErrorCode::*;
        match (self, code) {
            (Lang::En, MalformedMessage) => {
                "The server did not understand this PC. Update packbell on this PC to the server's version."
            }
            (Lang::Es, MalformedMessage) => {
                "El servidor no entendió a este PC. Actualiza packbell en este PC a la versión del servidor."
            }
            (Lang::En, UnknownType) => {
                "The server does not know this request: this PC and the server run different packbell versions."
            }
            (Lang::Es, UnknownType) => {
                "El servidor no conoce esta petición: este PC y el servidor usan versiones distintas de packbell."
            }
            (Lang::En, VersionMismatch) => {
                "This PC and the server run different packbell versions. Update packbell so that both match."
            }
            (Lang::Es, VersionMismatch) => {
                "Este PC y el servidor usan versiones distintas de packbell. Actualízalo para que coincidan."
            }
            (Lang::En, NotAuthenticated) => {
                "The server has not recognised this PC yet. Wait a moment; if it goes on, restart packbell."
            }
            (Lang::Es, NotAuthenticated) => {
                "El servidor aún no reconoce este PC. Espera un momento; si sigue, reinicia packbell."
            }
            (Lang::En, AuthFailed) => {
                "The pairing code is wrong, used or expired. Ask the administrator for a new code."
            }
            (Lang::Es, AuthFailed) => {
                "El código de emparejamiento es incorrecto, ya se usó o caducó. Pide un código nuevo al administrador."
            }
            (Lang::En, Revoked) => {
                "This PC was removed from the shop's devices. Ask the administrator to pair it again."
            }
            (Lang::Es, Revoked) => {
                "Este PC se quitó de los dispositivos de la tienda. Pide al administrador que lo empareje de nuevo."
            }
            (Lang::En, Forbidden) => "This PC's role may not do that. Ask the administrator.",
            (Lang::Es, Forbidden) => {
                "El rol de este PC no permite hacer eso. Pregunta al administrador."
            }
            (Lang::En, InvalidField) => {
                "Something typed was not accepted (empty, too long or with unusual characters). Check it and try again."
            }
            (Lang::Es, InvalidField) => {
                "Algo escrito no se aceptó (vacío, demasiado largo o con caracteres raros). Revísalo y prueba otra vez."
            }
            (Lang::En, UnknownStore) => {
                "That store does not exist on the server any more. Pick another store."
            }
            (Lang::Es, UnknownStore) => {
                "Esa tienda ya no existe en el servidor. Elige otra tienda."
            }
            (Lang::En, UnknownOrder) => {
                "That order is not on the server (it may be from another day)."
            }
            (Lang::Es, UnknownOrder) => "Ese pedido no está en el servidor (quizá es de otro día).",
            (Lang::En, UnknownDevice) => {
                "That device is not on the server any more. Press Refresh."
            }
            (Lang::Es, UnknownDevice) => {
                "Ese dispositivo ya no está en el servidor. Pulsa Actualizar."
            }
            (Lang::En, InvalidState) => {
                "The order changed meanwhile (already packed or cancelled). Its row shows what it is now."
            }
            (Lang::Es, InvalidState) => {
                "El pedido cambió mientras tanto (ya empaquetado o cancelado). Su fila muestra cómo está ahora."
            }
            (Lang::En, KeyReused) => {
                "This PC sent two different things under one reference. Enter it again."
            }
            (Lang::Es, KeyReused) => {
                "Este PC envió dos cosas distintas con la misma referencia. Introdúcelo otra vez."
            }
            (Lang::En, RateLimited) => {
                "Too many requests at once. Wait a few seconds and try again."
            }
            (Lang::Es, RateLimited) => {
                "Demasiadas peticiones a la vez. Espera unos segundos y prueba otra vez."
            }
            (Lang::En, FrameTooLarge) => {
                "That was too much to send at once. Make it shorter and try again."
            }
            (Lang::Es, FrameTooLarge) => {
                "Era demasiado para enviar de una vez. Acórtalo y prueba otra vez."
            }
            (Lang::En, Unavailable) => {
                "The server is busy or restarting. This PC tries again by itself."
            }
            (Lang::Es, Unavailable) => {
                "El servidor está ocupado o reiniciándose. Este PC lo vuelve a intentar solo."
            }
            (Lang::En, TooSlow) => "This PC fell behind the server and reconnects by itself.",
            (Lang::Es, TooSlow) => "Este PC se quedó atrás y se vuelve a conectar solo.",
            (Lang::En, LimitReached) => {
                "The shop has as many stores or devices as the server allows. Deactivate or revoke one first."
            }
            (Lang::Es, LimitReached) => {
                "Ya hay tantas tiendas o dispositivos como permite el servidor. Desactiva o revoca uno antes."
            }
            (Lang::En, Internal) => {
                "Something went wrong and nothing was changed. Try again; if it goes on, tell the administrator."
            }
            (Lang::Es, Internal) => {
                "Algo falló y no se cambió nada. Prueba otra vez; si sigue, avisa al administrador."
            }
            (Lang::En, StorageFull) => {
                "The server's disk is full, so nothing was stored. Tell the administrator to free space, then try again."
            }
            (Lang::Es, StorageFull) => {
                "El disco del servidor está lleno y no se guardó nada. Avisa al administrador para que libere espacio y prueba otra vez."
            }
        }
    }

    /// A problem the link reported outside any command.
    pub fn notice(self, kind: NoticeKind) -> &'static str {
        match (self, kind) {
            (_, NoticeKind::Server(code)) => self.error_code(code),
            (Lang::En, NoticeKind::NotConnected) => {
                "Not connected to the server: try again once this PC is connected."
            }
            (Lang::Es, NoticeKind::NotConnected) => {
                "Sin conexión con el servidor: prueba otra vez cuando este PC esté conectado."
            }
            (Lang::En, NoticeKind::SavedDataUnreadable) => {
                "This PC could not read its saved data: orders queued before the restart may be missing. Tell the administrator."
            }
            (Lang::Es, NoticeKind::SavedDataUnreadable) => {
                "Este PC no pudo leer sus datos guardados: pueden faltar pedidos en cola de antes del reinicio. Avisa al administrador."
            }
            (Lang::En, NoticeKind::PairingNotSaved) => {
                "This PC could not save its pairing: after a restart it will need a new pairing code. Check the free disk space."
            }
            (Lang::Es, NoticeKind::PairingNotSaved) => {
                "Este PC no pudo guardar su emparejamiento: tras reiniciar necesitará un código nuevo. Revisa el espacio libre en disco."
            }
            (Lang::En, NoticeKind::SettingsNotSaved) => {
                "The window settings (language, theme, text size) could not be saved on this PC; they hold until packbell closes."
            }
            (Lang::Es, NoticeKind::SettingsNotSaved) => {
                "No se pudieron guardar los ajustes de la ventana (idioma, tema, tamaño del texto) en este PC; valen hasta cerrar packbell."
            }
            (Lang::En, NoticeKind::Other) => "The server reported a problem.",
            (Lang::Es, NoticeKind::Other) => "El servidor informó de un problema.",
        }
    }

    /// The banner across the top while something is wrong with the link.
    pub fn trouble(self, zone: Zone, trouble: &Trouble) -> TroubleText {
        match trouble {
            Trouble::Offline {
                since,
                cause,
                waiting,
                ..
            } => TroubleText {
                headline: format!(
                    "{} — {}",
                    self.offline_since(zone, *since, *cause),
                    self.waiting(*waiting)
                ),
                check: self.what_to_check(*cause),
            },
            Trouble::Refused { .. } => match self {
                Lang::En => TroubleText {
                    headline: "The server refused this PC.".into(),
                    check: "It may have been removed from the shop's devices, or the server runs another packbell version. Ask the administrator.",
                },
                Lang::Es => TroubleText {
                    headline: "El servidor ha rechazado este PC.".into(),
                    check: "Puede que se haya quitado de los dispositivos de la tienda o que el servidor use otra versión de packbell. Pregunta al administrador.",
                },
            },
        }
    }

    fn offline_since(self, zone: Zone, since: DateTime<Utc>, cause: OfflineCause) -> String {
        let at = time(zone, since);
        match (self, cause) {
            (Lang::En, OfflineCause::Unreachable) => format!("Offline since {at}"),
            (Lang::Es, OfflineCause::Unreachable) => format!("Sin conexión desde las {at}"),
            (Lang::En, OfflineCause::NoServerFound) => {
                format!("No packbell server found since {at}")
            }
            (Lang::Es, OfflineCause::NoServerFound) => {
                format!("No se encuentra el servidor packbell desde las {at}")
            }
            (Lang::En, OfflineCause::OtherServer) => {
                format!("Another packbell server answered, not this shop's (since {at})")
            }
            (Lang::Es, OfflineCause::OtherServer) => {
                format!(
                    "Ha respondido otro servidor packbell, no el de esta tienda (desde las {at})"
                )
            }
        }
    }

    /// "3 orders waiting to be sent.", or what happens to new ones when none wait.
    fn waiting(self, waiting: Waiting) -> String {
        let Waiting { orders, other } = waiting;
        match (self, orders, other) {
            (Lang::En, 0, 0) => "new orders are kept on this PC and sent later.".into(),
            (Lang::Es, 0, 0) => {
                "los pedidos nuevos se guardan en este PC y se envían después.".into()
            }
            (Lang::En, 0, n) => {
                format!("{n} {} waiting to be sent.", plural(n, "change", "changes"))
            }
            (Lang::Es, 0, n) => format!("{n} {} por enviar.", plural(n, "cambio", "cambios")),
            (Lang::En, n, 0) => format!("{n} {} waiting to be sent.", plural(n, "order", "orders")),
            (Lang::Es, n, 0) => format!("{n} {} por enviar.", plural(n, "pedido", "pedidos")),
            (Lang::En, n, m) => format!(
                "{n} {} and {m} {} waiting to be sent.",
                plural(n, "order", "orders"),
                plural(m, "other change", "other changes")
            ),
            (Lang::Es, n, m) => format!(
                "{n} {} y {m} {} por enviar.",
                plural(n, "pedido", "pedidos"),
                plural(m, "cambio", "cambios")
            ),
        }
    }

    fn what_to_check(self, cause: OfflineCause) -> &'static str {
        match (self, cause) {
            (Lang::En, OfflineCause::Unreachable) => {
                "Check that the server PC is on and that this PC's network cable or Wi-Fi is connected."
            }
            (Lang::Es, OfflineCause::Unreachable) => {
                "Comprueba que el PC servidor está encendido y que el cable de red o el Wi-Fi de este PC está conectado."
            }
            (Lang::En, OfflineCause::NoServerFound) => {
                "Check that the server PC is on with packbell running, and that this PC is on the shop's network (cable or Wi-Fi)."
            }
            (Lang::Es, OfflineCause::NoServerFound) => {
                "Comprueba que el PC servidor está encendido con packbell en marcha y que este PC está en la red de la tienda (cable o Wi-Fi)."
            }
            (Lang::En, OfflineCause::OtherServer) => {
                "If the shop's server was reinstalled, pair this PC again with a new code from the administrator; otherwise check that this PC is on the shop's network."
            }
            (Lang::Es, OfflineCause::OtherServer) => {
                "Si el servidor de la tienda se reinstaló, vuelve a emparejar este PC con un código nuevo del administrador; si no, comprueba que este PC está en la red de la tienda."
            }
        }
    }

    /// The status bar's short line while offline (the banner says the rest).
    pub fn offline_short(self, zone: Zone, since: DateTime<Utc>, attempt: u32) -> String {
        let since = time(zone, since);
        match self {
            Lang::En => format!("Offline since {since} · retrying (attempt {attempt})"),
            Lang::Es => {
                format!("Sin conexión desde las {since} · reintentando (intento {attempt})")
            }
        }
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Feedback, Operation};

    /// Every code the protocol crate defines, read from its wire names (not a list
    /// kept here, so a new code fails this test until it has words).
    fn all_codes() -> Vec<ErrorCode> {
        ErrorCode::wire_codes()
            .iter()
            .map(|name| {
                serde_json::from_value(serde_json::Value::String((*name).to_owned()))
                    .expect("a wire name parses as an ErrorCode")
            })
            .collect()
    }

    /// What gives a technical text away: paths, OS and bus errors, wire names.
    const TECHNICAL_MARKERS: [&str; 10] = [
        "os error", "D-Bus", "dbus", "/", "\\", "::", "_", "Error:", "errno", ".rs",
    ];

    fn assert_friendly(text: &str) {
        assert!(!text.trim().is_empty(), "an empty text");
        for marker in TECHNICAL_MARKERS {
            assert!(
                !text.contains(marker),
                "{text:?} contains the technical marker {marker:?}"
            );
        }
    }

    #[test]
    fn every_error_code_has_friendly_words_in_both_languages() {
        let codes = all_codes();
        assert_eq!(codes.len(), ErrorCode::wire_codes().len());
        assert!(codes.len() >= 20);
        for code in codes {
            let (en, es) = (Lang::En.error_code(code), Lang::Es.error_code(code));
            assert_friendly(en);
            assert_friendly(es);
            assert_ne!(en, es, "{code} is not translated");
            assert!(!en.contains(code.as_str()) && !es.contains(code.as_str()));
        }
    }

    #[test]
    fn refusals_and_notices_keep_the_technical_cause_out_of_the_main_text() {
        let cause = "/home/ana/.local/share/packbell/link.sqlite3: disk I/O error (os error 5); D-Bus socket /run/user/1000/bus";
        let mut feedbacks = vec![
            Feedback::NotSent(cause.into()),
            Feedback::OperationRefused(
                Operation::AddStore {
                    name: "Oeste".into(),
                },
                ErrorCode::LimitReached,
                cause.into(),
            ),
        ];
        for code in all_codes() {
            feedbacks.push(Feedback::OrderRefused {
                order_number: "A-1".into(),
                code,
                message: cause.into(),
            });
            feedbacks.push(Feedback::Notice(NoticeKind::Server(code), cause.into()));
        }
        for kind in [
            NoticeKind::NotConnected,
            NoticeKind::SavedDataUnreadable,
            NoticeKind::PairingNotSaved,
            NoticeKind::SettingsNotSaved,
            NoticeKind::Other,
        ] {
            feedbacks.push(Feedback::Notice(kind, cause.into()));
        }
        for feedback in &feedbacks {
            assert_eq!(
                feedback.detail(),
                Some(cause),
                "the cause is kept for Details"
            );
            for lang in Lang::ALL {
                assert_friendly(&lang.feedback(feedback));
            }
        }
    }

    #[test]
    fn every_banner_says_what_to_check_without_the_cause() {
        let since = DateTime::from_timestamp(1_772_447_520, 0).expect("an instant");
        let detail = "cannot reach 192.168.1.10:47801: Connection refused (os error 111)";
        let mut troubles = vec![Trouble::Refused {
            detail: detail.into(),
        }];
        for cause in [
            OfflineCause::Unreachable,
            OfflineCause::NoServerFound,
            OfflineCause::OtherServer,
        ] {
            troubles.push(Trouble::Offline {
                since,
                cause,
                waiting: Waiting {
                    orders: 3,
                    other: 0,
                },
                detail: detail.into(),
            });
        }
        for trouble in &troubles {
            let en = Lang::En.trouble(Zone::utc(), trouble);
            let es = Lang::Es.trouble(Zone::utc(), trouble);
            for text in [&en.headline, en.check, &es.headline, es.check] {
                assert!(!text.contains("os error") && !text.contains("192.168"));
            }
            assert_ne!(en, es);
        }
        assert_eq!(
            Lang::En.trouble(Zone::utc(), &troubles[1]).headline,
            "Offline since 10:32 — 3 orders waiting to be sent."
        );
        assert_eq!(
            Lang::Es.trouble(Zone::utc(), &troubles[1]).headline,
            "Sin conexión desde las 10:32 — 3 pedidos por enviar."
        );
    }
}
