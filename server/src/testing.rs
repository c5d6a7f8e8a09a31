//! A server for tests that drive clients from a plain (blocking) test thread: the
//! server runs on a runtime of its own, so the test can block on link events or step
//! a GUI harness meanwhile. Used by the tests of every packbell crate, which turn on
//! this crate's `testing` feature in their `[dev-dependencies]`; shipped builds leave
//! it out.

use std::net::SocketAddr;
use std::path::Path;

use packbell_shared::link::LinkConfig;
use packbell_shared::protocol::{Role, StoreId};

use crate::{RunningServer, ServerConfig};

pub struct TestSite {
    /// The server's runtime; tests may run their own helpers on it.
    pub runtime: tokio::runtime::Runtime,
    server: Option<RunningServer>,
    /// Used again by `restart`.
    pub config: ServerConfig,
    /// The WebSocket port, kept across restarts so clients find the server again.
    pub port: u16,
}

impl TestSite {
    /// A TLS server on 127.0.0.1 (any free port) with its data in `data_dir`.
    pub fn start(data_dir: &Path) -> TestSite {
        TestSite::start_with(ServerConfig::for_tests(data_dir.to_owned()), 0)
    }

    /// Like `start`, on a given port (0: any free port).
    pub fn start_on(data_dir: &Path, port: u16) -> TestSite {
        TestSite::start_with(ServerConfig::for_tests(data_dir.to_owned()), port)
    }

    /// A server from `config`, listening on `port` (0: any free port).
    pub fn start_with(mut config: ServerConfig, port: u16) -> TestSite {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a test runtime starts");
        config.ws_port = port;
        let server = runtime
            .block_on(RunningServer::start(config.clone()))
            .expect("the test server starts");
        let port = server.ws_addr().port();
        TestSite {
            runtime,
            server: Some(server),
            config,
            port,
        }
    }

    /// The running server (panics after `stop`).
    pub fn server(&self) -> &RunningServer {
        self.server.as_ref().expect("the test server is running")
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// A fresh pairing code for `role`.
    pub fn code(&self, role: Role) -> String {
        self.runtime
            .block_on(self.server().new_pairing_code(role))
            .expect("a pairing code")
    }

    pub fn add_store(&self, name: &str) -> StoreId {
        self.runtime
            .block_on(self.server().add_store(name))
            .expect("the store is added")
    }

    pub fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }

    /// Starts the server again on the same port and data.
    pub fn restart(&mut self) {
        self.stop();
        let mut config = self.config.clone();
        config.ws_port = self.port;
        self.server = Some(
            self.runtime
                .block_on(RunningServer::start(config))
                .expect("the test server restarts"),
        );
    }

    /// A link configuration for a client of this site, named `name`, pairing with
    /// `code` when given.
    pub fn link_config(&self, data_dir: &Path, name: &str, code: Option<String>) -> LinkConfig {
        LinkConfig {
            insecure_plaintext: self.config.insecure_plaintext,
            data_dir: data_dir.to_owned(),
            server: Some(self.addr().to_string()),
            discovery_targets: Vec::new(),
            site: None,
            device_name: name.to_owned(),
            pairing_code: code,
        }
    }
}

impl Drop for TestSite {
    fn drop(&mut self) {
        self.stop();
    }
}
