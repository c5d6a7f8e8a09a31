//! A real packbell server on its own runtime, an office client that creates orders
//! through the real link, and the warehouse app on a real link.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::Instant;

use packbell_client_core::port::spawn_link;
use packbell_shared::link::{LinkConfig, LinkEvent, LinkHandle, LinkStatus};
use packbell_shared::protocol::{Command, OrderId, Priority, Role, StoreId};
use packbell_warehouse::alert::Recorder;
use packbell_warehouse::settings::Settings;

use super::{AppHarness, WAIT, app_harness};

pub use packbell_server::testing::TestSite as Site;

pub fn link_config(data_dir: &Path, site: &Site, name: &str, code: Option<String>) -> LinkConfig {
    site.link_config(data_dir, name, code)
}

/// An office PC: creates orders through the real link.
pub struct Office {
    handle: Option<LinkHandle>,
    events: Receiver<LinkEvent>,
}

impl Office {
    pub fn start(site: &Site, data_dir: &Path) -> Office {
        Office::start_as(site, data_dir, Role::Office)
    }

    /// A client of the site paired with `role` (an admin PC edits stock items).
    pub fn start_as(site: &Site, data_dir: &Path, role: Role) -> Office {
        let config = link_config(data_dir, site, "office", Some(site.code(role)));
        let (handle, events) = LinkHandle::spawn(config, Arc::new(|| {})).unwrap();
        let mut office = Office {
            handle: Some(handle),
            events,
        };
        office.wait("connected", |e| {
            matches!(e, LinkEvent::Status(LinkStatus::Connected { .. })).then_some(())
        });
        office
    }

    fn wait<T>(&mut self, what: &str, mut done: impl FnMut(&LinkEvent) -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) => {
                    if let Some(result) = done(&event) {
                        return result;
                    }
                }
                Err(err) => panic!("office waiting for {what}: {err}"),
            }
        }
    }

    /// Creates an order and waits until the server committed it.
    pub fn create(&mut self, number: &str, store_id: StoreId, priority: Priority) -> OrderId {
        let key = self
            .handle
            .as_ref()
            .unwrap()
            .submit(Command::CreateOrder {
                order_number: number.to_owned(),
                store_id,
                note: String::new(),
                priority,
                lines: Vec::new(),
            })
            .unwrap();
        self.wait("ack", |e| match e {
            LinkEvent::Acked {
                key: acked,
                order_id,
                ..
            } if *acked == key => Some(order_id.unwrap()),
            LinkEvent::Rejected {
                key: rejected,
                message,
                ..
            } if *rejected == key => panic!("order {number} refused: {message}"),
            _ => None,
        })
    }
}

impl Office {
    /// Sends `command` and waits until the server committed it.
    pub fn run(&mut self, command: Command) {
        let key = self.handle.as_ref().unwrap().submit(command).unwrap();
        self.wait("ack", |e| match e {
            LinkEvent::Acked { key: acked, .. } if *acked == key => Some(()),
            LinkEvent::Rejected {
                key: rejected,
                message,
                ..
            } if *rejected == key => panic!("command refused: {message}"),
            _ => None,
        })
    }
}

impl Drop for Office {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.shutdown();
        }
    }
}

/// The warehouse app on a real link to `site`, alert outputs recorded.
/// `pair` enrols with a fresh warehouse code (first run on this data dir).
pub fn warehouse_app(
    site: &Site,
    data_dir: &Path,
    name: &str,
    pair: bool,
    settings: Settings,
) -> (AppHarness, Recorder) {
    let code = pair.then(|| site.code(Role::Warehouse));
    let (link, events) = spawn_link(link_config(data_dir, site, name, code)).unwrap();
    app_harness(link, events, settings, None)
}
