//! Which server address to try next: the configured ones, the last good one, or a
//! fresh look. Also reads the addresses people type. Pure.

/// Failed attempts at a remembered address before discovery runs again, once the link
/// has been connected in this run. Before that (the address comes from an earlier run
/// and may be stale) a single failure is enough.
pub const REDISCOVER_AFTER_FAILURES: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    Connect(String),
    Discover,
}

/// The server's WebSocket port when an address is given without one (the server's
/// default `--ws-port`).
pub const DEFAULT_SERVER_PORT: u16 = 47801;

/// Addresses people may give (`--server`, the settings, pairing codes); more are
/// ignored, with a log line.
pub const MAX_CONFIGURED_SERVERS: usize = 8;

#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// `--server` (`LinkConfig::server`): only these, in turn; no look ever runs.
    only: Vec<String>,
    /// Addresses kept on this PC (the Connection screen, a pairing code): each is tried
    /// in turn before a look for the server.
    configured: Vec<String>,
    /// Last good (or last discovered) address.
    remembered: Option<String>,
    /// Consecutive failures at `remembered`, or of the configured addresses.
    failures: u32,
    /// Whether a connection succeeded in this run.
    connected_once: bool,
}

/// `HOST:PORT` from what people typed: spaces trimmed, the default port added when
/// none is given. `None` for an empty text or a bad port.
pub fn normalize_address(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.contains(char::is_whitespace) {
        return None;
    }
    if text.parse::<std::net::SocketAddr>().is_ok() {
        return Some(text.to_owned());
    }
    if text.parse::<std::net::IpAddr>().is_ok() && !text.contains(':') {
        return Some(format!("{text}:{DEFAULT_SERVER_PORT}"));
    }
    match text.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && !host.contains(':') => {
            port.parse::<u16>().ok().filter(|port| *port != 0)?;
            Some(text.to_owned())
        }
        Some(_) => None,
        None => Some(format!("{text}:{DEFAULT_SERVER_PORT}")),
    }
}

/// The addresses in a comma-separated list (`--server a,b`), normalised, each once.
pub fn address_list(text: &str) -> Vec<String> {
    let mut addresses: Vec<String> = Vec::new();
    for address in text.split(',').filter_map(normalize_address) {
        if !addresses.contains(&address) && addresses.len() < MAX_CONFIGURED_SERVERS {
            addresses.push(address);
        }
    }
    addresses
}

/// A pairing code with an optional server address after `@` (`1234-5678@10.0.0.5:47801`):
/// the code, and the address when one is given. An address that cannot be read is an
/// error, so a typo is not silently ignored.
pub fn split_pairing_code(text: &str) -> Result<(String, Option<String>), String> {
    match text.split_once('@') {
        None => Ok((text.trim().to_owned(), None)),
        Some((code, address)) => match normalize_address(address) {
            Some(address) => Ok((code.trim().to_owned(), Some(address))),
            None => Err(format!(
                "the server address after @ in the pairing code ({}) is not HOST or HOST:PORT",
                address.trim()
            )),
        },
    }
}

impl Targets {
    pub fn new(only: Vec<String>, remembered: Option<String>) -> Targets {
        Targets {
            only,
            configured: Vec::new(),
            remembered,
            failures: 0,
            connected_once: false,
        }
    }

    /// Replaces the addresses people gave (the settings changed, a pairing code named one).
    pub fn set_configured(&mut self, configured: Vec<String>) {
        self.configured = configured;
        self.failures = 0;
    }

    pub fn pick(&self) -> Pick {
        if !self.only.is_empty() {
            let index = self.failures as usize % self.only.len();
            return Pick::Connect(self.only[index].clone());
        }
        if !self.configured.is_empty() {
            // Each given address in turn, then one look (broadcast, DNS-SD, and the given
            // addresses again): a server that moved is found by its fingerprint.
            let round = u32::try_from(self.configured.len())
                .unwrap_or(u32::MAX)
                .saturating_add(1);
            let index = self.failures % round;
            return match self.configured.get(index as usize) {
                Some(address) => Pick::Connect(address.clone()),
                None => Pick::Discover,
            };
        }
        let limit = if self.connected_once {
            REDISCOVER_AFTER_FAILURES
        } else {
            1
        };
        match &self.remembered {
            Some(address) if self.failures < limit => Pick::Connect(address.clone()),
            _ => Pick::Discover,
        }
    }

    /// The addresses people gave, in the order tried.
    pub fn configured(&self) -> &[String] {
        &self.configured
    }

    /// The last good address, for a look to ask directly.
    pub fn remembered(&self) -> Option<&str> {
        self.remembered.as_deref()
    }

    /// Discovery found a server at `address`.
    pub fn discovered(&mut self, address: String) {
        self.remembered = Some(address);
        if self.configured.is_empty() {
            self.failures = 0;
        }
    }

    /// The attempt at the picked address failed before authentication.
    pub fn failed(&mut self) {
        self.failures = self.failures.saturating_add(1);
    }

    /// Authenticated at `address`: it becomes the last good server.
    pub fn succeeded(&mut self, address: &str) {
        self.remembered = Some(address.to_owned());
        self.failures = 0;
        self.connected_once = true;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests {
    use super::*;

    #[test]
    fn command_line_addresses_are_always_used_in_turn() {
        let mut targets = Targets::new(vec!["h:1".into(), "g:2".into()], Some("old:2".into()));
        let mut picks = Vec::new();
        for _ in 0..3 {
            picks.push(targets.pick());
            targets.failed();
        }
        assert_eq!(
            picks,
            vec![
                Pick::Connect("h:1".into()),
                Pick::Connect("g:2".into()),
                Pick::Connect("h:1".into()),
            ]
        );
    }

    #[test]
    fn kept_addresses_are_tried_in_turn_then_a_look() {
        let mut targets = Targets::new(Vec::new(), Some("old:2".into()));
        targets.set_configured(vec!["h:1".into(), "g:2".into()]);
        let mut picks = Vec::new();
        for _ in 0..4 {
            picks.push(targets.pick());
            targets.failed();
        }
        assert_eq!(
            picks,
            vec![
                Pick::Connect("h:1".into()),
                Pick::Connect("g:2".into()),
                Pick::Discover,
                Pick::Connect("h:1".into()),
            ]
        );
        targets.succeeded("h:1");
        assert_eq!(targets.pick(), Pick::Connect("h:1".into()));
    }

    #[test]
    fn addresses_people_type_get_the_default_port() {
        assert_eq!(
            normalize_address(" 10.0.0.5 "),
            Some("10.0.0.5:47801".into())
        );
        assert_eq!(
            normalize_address("10.0.0.5:9000"),
            Some("10.0.0.5:9000".into())
        );
        assert_eq!(normalize_address("shop-pc"), Some("shop-pc:47801".into()));
        assert_eq!(normalize_address("shop-pc:0"), None);
        assert_eq!(normalize_address("shop-pc:http"), None);
        assert_eq!(normalize_address(""), None);
        assert_eq!(
            address_list("10.0.0.5, 10.0.0.5:47801,,b:2"),
            vec!["10.0.0.5:47801".to_owned(), "b:2".to_owned()]
        );
    }

    #[test]
    fn a_pairing_code_may_carry_the_server_address() {
        assert_eq!(
            split_pairing_code("1234-5678@10.0.0.5:47801"),
            Ok(("1234-5678".into(), Some("10.0.0.5:47801".into())))
        );
        assert_eq!(
            split_pairing_code("1234 5678 @ 10.0.0.5"),
            Ok(("1234 5678".into(), Some("10.0.0.5:47801".into())))
        );
        assert_eq!(
            split_pairing_code("12345678"),
            Ok(("12345678".into(), None))
        );
        assert!(split_pairing_code("12345678@10.0.0.5:x").is_err());
    }

    #[test]
    fn remembered_address_then_discovery() {
        let mut targets = Targets::new(Vec::new(), None);
        assert_eq!(targets.pick(), Pick::Discover);
        targets.discovered("a:1".into());
        assert_eq!(targets.pick(), Pick::Connect("a:1".into()));
        targets.failed();
        // A discovered address from before any success gets one try.
        assert_eq!(targets.pick(), Pick::Discover);
        targets.discovered("a:1".into());
        targets.succeeded("a:1");
        targets.failed();
        assert_eq!(targets.pick(), Pick::Connect("a:1".into()));
        targets.failed();
        assert_eq!(targets.pick(), Pick::Discover);
        targets.discovered("b:2".into());
        assert_eq!(targets.pick(), Pick::Connect("b:2".into()));
    }

    #[test]
    fn blank_configured_address_means_none() {
        let targets = Targets::new(address_list("  "), Some("a:1".into()));
        assert_eq!(targets.pick(), Pick::Connect("a:1".into()));
    }
}
