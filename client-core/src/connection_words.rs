//! The Connection screen's words: what the last look for the server saw and what to do.
//! Both windows show the same screen, so its words live here once.

use packbell_shared::link::diagnosis::{Cause, Via};

pub struct ConnectionTr {
    pub open: &'static str,
    pub title: &'static str,
    pub paired_with: &'static str,
    pub not_paired: &'static str,
    pub no_look_yet: &'static str,
    pub last_look: &'static str,
    pub likely_cause: &'static str,
    pub what_to_do: &'static str,
    pub cards: &'static str,
    pub no_cards: &'static str,
    pub answers: &'static str,
    pub nobody_answered: &'static str,
    pub col_site: &'static str,
    pub col_address: &'static str,
    pub col_fingerprint: &'static str,
    pub col_found_by: &'static str,
    pub ours: &'static str,
    pub unreachable: &'static str,
    pub silent: &'static str,
    pub addresses: &'static str,
    pub addresses_hint: &'static str,
    pub save_addresses: &'static str,
    pub back: &'static str,
    pub via_broadcast: &'static str,
    pub via_mdns: &'static str,
    pub via_configured: &'static str,
    pub via_last_good: &'static str,
    pub found: &'static str,
    pub choose_server: &'static str,
    pub choose_server_fix: &'static str,
    pub no_reply: &'static str,
    pub no_reply_fix: &'static str,
    pub other_card: &'static str,
    pub other_card_fix: &'static str,
    pub other_servers: &'static str,
    pub other_servers_fix: &'static str,
}

const EN: ConnectionTr = ConnectionTr {
    open: "Connection",
    title: "Connection to the server",
    paired_with: "Paired with",
    not_paired: "Not paired yet",
    no_look_yet: "The server has not been looked for yet: this PC used the address it knew.",
    last_look: "Last look",
    likely_cause: "Likely cause",
    what_to_do: "What to do",
    cards: "Network cards asked",
    no_cards: "No network card with an IPv4 address is up.",
    answers: "Servers that answered",
    nobody_answered: "No server answered.",
    col_site: "Site",
    col_address: "Address",
    col_fingerprint: "Fingerprint",
    col_found_by: "Found by",
    ours: "ours",
    unreachable: "cannot connect",
    silent: "Addresses that did not answer",
    addresses: "Server addresses",
    addresses_hint: "When the server is on another network (behind a router) or the network drops discovery, type its address here, e.g. 192.168.1.10 or 192.168.1.10:47801. Several: separate with commas.",
    save_addresses: "Save addresses",
    back: "Back",
    via_broadcast: "broadcast",
    via_mdns: "DNS-SD",
    via_configured: "address given",
    via_last_good: "last address",
    found: "The server was found.",
    choose_server: "Several servers answered.",
    choose_server_fix: "Pick this shop's server in the pairing window.",
    no_reply: "No reply on any network.",
    no_reply_fix: "Is the server PC on and packbell-server running? Is this PC's network marked Public in Windows (then replies are dropped: mark it Private)? Is the server on another network? Then type its address below.",
    other_card: "The server answered on another network card, at an address this PC cannot connect to.",
    other_card_fix: "On the server PC, allow packbell through the firewall on the card this PC's network is on, or start it with --bind set to that card's address; or type the address that works below.",
    other_servers: "Other packbell servers answered, not the one this PC is paired with.",
    other_servers_fix: "Turn on this shop's server. If it was reinstalled, pair this PC again.",
};

const ES: ConnectionTr = ConnectionTr {
    open: "Conexión",
    title: "Conexión con el servidor",
    paired_with: "Emparejado con",
    not_paired: "Aún no emparejado",
    no_look_yet: "Aún no se ha buscado el servidor: este PC usó la dirección que conocía.",
    last_look: "Última búsqueda",
    likely_cause: "Causa probable",
    what_to_do: "Qué hacer",
    cards: "Tarjetas de red consultadas",
    no_cards: "No hay ninguna tarjeta de red activa con dirección IPv4.",
    answers: "Servidores que respondieron",
    nobody_answered: "Ningún servidor respondió.",
    col_site: "Sitio",
    col_address: "Dirección",
    col_fingerprint: "Huella",
    col_found_by: "Encontrado por",
    ours: "el nuestro",
    unreachable: "no se puede conectar",
    silent: "Direcciones que no respondieron",
    addresses: "Direcciones del servidor",
    addresses_hint: "Si el servidor está en otra red (detrás de un router) o la red bloquea la búsqueda, escriba aquí su dirección, p. ej. 192.168.1.10 o 192.168.1.10:47801. Varias: sepárelas con comas.",
    save_addresses: "Guardar direcciones",
    back: "Volver",
    via_broadcast: "difusión",
    via_mdns: "DNS-SD",
    via_configured: "dirección dada",
    via_last_good: "última dirección",
    found: "Se encontró el servidor.",
    choose_server: "Respondieron varios servidores.",
    choose_server_fix: "Elija el servidor de esta tienda en la ventana de emparejado.",
    no_reply: "Ninguna respuesta en ninguna red.",
    no_reply_fix: "¿Está encendido el PC del servidor y packbell-server en marcha? ¿La red de este PC está marcada como Pública en Windows (entonces se descartan las respuestas: márquela como Privada)? ¿Está el servidor en otra red? Entonces escriba su dirección abajo.",
    other_card: "El servidor respondió por otra tarjeta de red, en una dirección a la que este PC no puede conectarse.",
    other_card_fix: "En el PC del servidor, permita packbell en el cortafuegos para la tarjeta de la red de este PC, o arránquelo con --bind en la dirección de esa tarjeta; o escriba abajo la dirección que funciona.",
    other_servers: "Respondieron otros servidores packbell, no aquel con el que este PC está emparejado.",
    other_servers_fix: "Encienda el servidor de esta tienda. Si se reinstaló, vuelva a emparejar este PC.",
};

impl ConnectionTr {
    /// The Spanish words when `spanish`, the English ones otherwise.
    pub fn of(spanish: bool) -> &'static ConnectionTr {
        if spanish { &ES } else { &EN }
    }

    /// How an answer was found, in words.
    pub fn via(&self, via: Via) -> &'static str {
        let t = self;
        match via {
            Via::Broadcast => t.via_broadcast,
            Via::Mdns => t.via_mdns,
            Via::Configured => t.via_configured,
            Via::LastGood => t.via_last_good,
        }
    }

    /// The cause in one line, and what to do about it (empty when nothing is to do).
    pub fn cause(&self, cause: &Cause) -> (String, &'static str) {
        let t = self;
        match cause {
            Cause::Found { address, via } => {
                (format!("{} {address} ({})", t.found, self.via(*via)), "")
            }
            Cause::ChooseServer { count } => (
                format!("{} ({count})", t.choose_server),
                t.choose_server_fix,
            ),
            Cause::NoReply => (t.no_reply.to_owned(), t.no_reply_fix),
            Cause::OtherCard { address, on_card } => {
                let card = on_card
                    .as_deref()
                    .map(|card| format!(", {card}"))
                    .unwrap_or_default();
                (
                    format!("{} ({address}{card})", t.other_card),
                    t.other_card_fix,
                )
            }
            Cause::OtherServers { paired_with, found } => (
                format!(
                    "{} {}: {paired_with}. {}: {}",
                    t.other_servers,
                    t.paired_with,
                    t.answers,
                    found.join("; ")
                ),
                t.other_servers_fix,
            ),
        }
    }
}
