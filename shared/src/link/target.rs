//! Which server address to try next: the configured one, the last good one, or a
//! fresh discovery. Pure.

/// Failed attempts at a remembered address before discovery runs again, once the link
/// has been connected in this run. Before that (the address comes from an earlier run
/// and may be stale) a single failure is enough.
pub const REDISCOVER_AFTER_FAILURES: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    Connect(String),
    Discover,
}

#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// `LinkConfig::server`: always used, discovery never runs.
    configured: Option<String>,
    /// Last good (or last discovered) address.
    remembered: Option<String>,
    /// Consecutive failures at `remembered`.
    failures: u32,
    /// Whether a connection succeeded in this run.
    connected_once: bool,
}

impl Targets {
    pub fn new(configured: Option<String>, remembered: Option<String>) -> Targets {
        Targets {
            configured: configured.filter(|s| !s.trim().is_empty()),
            remembered,
            failures: 0,
            connected_once: false,
        }
    }

    pub fn pick(&self) -> Pick {
        if let Some(configured) = &self.configured {
            return Pick::Connect(configured.clone());
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

    /// Discovery found a server at `address`.
    pub fn discovered(&mut self, address: String) {
        self.remembered = Some(address);
        self.failures = 0;
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
    fn configured_address_is_always_used() {
        let mut targets = Targets::new(Some("h:1".into()), Some("old:2".into()));
        for _ in 0..5 {
            targets.failed();
        }
        assert_eq!(targets.pick(), Pick::Connect("h:1".into()));
    }

    #[test]
    fn remembered_address_then_discovery() {
        let mut targets = Targets::new(None, None);
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
        let targets = Targets::new(Some("  ".into()), Some("a:1".into()));
        assert_eq!(targets.pick(), Pick::Connect("a:1".into()));
    }
}
