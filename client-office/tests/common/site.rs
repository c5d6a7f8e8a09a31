//! A real in-process server, office apps on real links, and bare warehouse links.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use packbell_client_core::port::{link_config, spawn_link};
use packbell_office::app::OfficeApp;
use packbell_office::i18n::Lang;
use packbell_server::ServerConfig;
use packbell_shared::link::{LinkEvent, LinkHandle, LinkStatus};
use packbell_shared::protocol::{Command, Role};
use packbell_shared::state::SiteState;

use super::{App, harness, step_until};

/// Cap on any wait for the network; a test that needs longer has failed.
pub const NET_WAIT: Duration = Duration::from_secs(30);

pub use packbell_server::testing::TestSite as Site;

/// The office tests' site, with a shop-like name to look for on screen.
pub fn start_site(data_dir: &Path) -> Site {
    let mut config = ServerConfig::for_tests(data_dir.to_owned());
    config.site = "Tienda Sol".into();
    Site::start_with(config, 0)
}

/// An office app on a real link to `site`, with its own data dir.
pub fn office_app(site: &Site, data_dir: &Path, code: Option<String>, name: &str) -> App<'static> {
    let mut config = link_config(data_dir.to_path_buf(), name.to_owned());
    config.server = Some(site.addr().to_string());
    config.pairing_code = code;
    let (link, events) = spawn_link(config).expect("link starts");
    let app = OfficeApp::new(link, events, Some(PathBuf::from(data_dir)), Lang::En).expect("app");
    harness(app)
}

/// Pairs a new office app as `role` and waits until it shows the site.
pub fn paired_office(site: &Site, data_dir: &Path, role: Role, name: &str) -> App<'static> {
    let mut app = office_app(site, data_dir, Some(site.code(role)), name);
    step_until(&mut app, "connected and caught up", NET_WAIT, |m| {
        matches!(m.link, LinkStatus::Connected { .. }) && !m.stale
    });
    app
}

/// A link with no window, as the warehouse (or a checker) uses it.
pub struct BareLink {
    pub handle: Option<LinkHandle>,
    pub events: Receiver<LinkEvent>,
    pub state: SiteState,
}

impl BareLink {
    pub fn start(site: &Site, data_dir: &Path, role: Role, name: &str) -> BareLink {
        let mut config = link_config(data_dir.to_path_buf(), name.to_owned());
        config.server = Some(site.addr().to_string());
        config.pairing_code = Some(site.code(role));
        let (handle, events) = LinkHandle::spawn(config, Arc::new(|| {})).expect("link starts");
        let mut link = BareLink {
            handle: Some(handle),
            events,
            state: SiteState::default(),
        };
        link.wait_for("caught up", |e| matches!(e, LinkEvent::CaughtUp { .. }));
        link
    }

    /// Applies events until one satisfies `done`.
    pub fn wait_for(&mut self, what: &str, done: impl Fn(&LinkEvent) -> bool) {
        let deadline = Instant::now() + NET_WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = self
                .events
                .recv_timeout(left)
                .unwrap_or_else(|e| panic!("waiting for {what}: {e}"));
            match &event {
                LinkEvent::Reset { snapshot, .. } => self.state.load_snapshot(snapshot.clone()),
                LinkEvent::Event { event, .. } => {
                    self.state.apply(event);
                }
                _ => {}
            }
            if done(&event) {
                return;
            }
        }
    }

    /// Submits `command` and waits for the server's ack.
    pub fn command(&mut self, command: Command) {
        let key = self
            .handle
            .as_ref()
            .expect("running")
            .submit(command)
            .expect("link takes it");
        self.wait_for(
            "ack",
            |e| matches!(e, LinkEvent::Acked { key: k, .. } if *k == key),
        );
    }
}

impl Drop for BareLink {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.shutdown();
        }
    }
}
