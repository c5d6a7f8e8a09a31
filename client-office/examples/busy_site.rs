//! A busy shop for looking at the office window: an in-process server with stores,
//! another office PC entering orders and two warehouse PCs packing them over a few
//! minutes. Prints `ADMIN_CODE=<code>` (a pairing code for an admin window) and
//! `SERVER=<addr>`, then runs until its standard input closes.
//!
//! ```text
//! cargo run -p packbell-office --example busy_site -- /tmp/busy 47990
//! packbell-office --server 127.0.0.1:47990 --pairing-code <code> --data-dir /tmp/office
//! ```

use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use packbell_server::{RunningServer, ServerConfig};
use packbell_shared::link::{LinkConfig, LinkEvent, LinkHandle, LinkRequest, ReceiptNote};
use packbell_shared::protocol::{Command, NotRungWhy, OrderId, Priority, ReceiptStage, Role};

const STORES: [&str; 6] = [
    "Centro",
    "Centro Comercial",
    "Norte",
    "Ávila",
    "Online",
    "Logroño",
];

const NOTES: [&str; 6] = [
    "",
    "frágil",
    "",
    "recoge el cliente a las 13:00",
    "",
    "dos bultos",
];

struct Pc {
    handle: LinkHandle,
    events: Receiver<LinkEvent>,
}

impl Pc {
    fn start(dir: &Path, server: &str, name: &str, code: String) -> anyhow::Result<Pc> {
        let config = LinkConfig {
            data_dir: dir.join(name),
            server: Some(server.to_owned()),
            discovery_targets: Vec::new(),
            site: None,
            device_name: name.to_owned(),
            pairing_code: Some(code),
            ..packbell_client_core::port::link_config(PathBuf::new(), String::new())
        };
        let (handle, events) = LinkHandle::spawn(config, Arc::new(|| {}))?;
        let mut pc = Pc { handle, events };
        pc.wait(|e| matches!(e, LinkEvent::CaughtUp { .. }))?;
        Ok(pc)
    }

    fn wait(&mut self, done: impl Fn(&LinkEvent) -> bool) -> anyhow::Result<LinkEvent> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = self.events.recv_timeout(left).context("link went quiet")?;
            if done(&event) {
                return Ok(event);
            }
        }
    }

    fn send(&mut self, command: Command) -> anyhow::Result<Option<OrderId>> {
        let key = self
            .handle
            .submit(command)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        match self.wait(|e| {
            matches!(e, LinkEvent::Acked { key: k, .. } | LinkEvent::Rejected { key: k, .. } if *k == key)
        })? {
            LinkEvent::Acked { order_id, .. } => Ok(order_id),
            other => bail!("refused: {other:?}"),
        }
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().context("usage: busy_site DATA_DIR [PORT]")?);
    let port: u16 = args.next().map_or(Ok(0), |p| p.parse())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut config = ServerConfig::for_tests(dir.join("server"));
    config.site = "Tienda Sol".into();
    config.ws_port = port;
    let server = runtime.block_on(RunningServer::start(config))?;
    let addr = server.ws_addr().to_string();
    let mut store_ids = Vec::new();
    for name in STORES {
        store_ids.push(runtime.block_on(server.add_store(name))?);
    }
    let code = |role| runtime.block_on(server.new_pairing_code(role));
    let mut admin = Pc::start(&dir, &addr, "Oficina principal", code(Role::Admin)?)?;
    let gone = runtime.block_on(server.add_store("Sur (cerrada)"))?;
    admin.send(Command::DeactivateStore { store_id: gone })?;
    let mut office = Pc::start(&dir, &addr, "Oficina 2", code(Role::Office)?)?;
    let mut packers = vec![
        Pc::start(&dir, &addr, "Almacén 1", code(Role::Warehouse)?)?,
        Pc::start(&dir, &addr, "Almacén 2", code(Role::Warehouse)?)?,
    ];
    let window_code = code(Role::Admin)?;
    println!("SERVER={addr}");
    println!("ADMIN_CODE={window_code}");
    std::io::stdout().flush()?;

    // Orders come in through the day; the warehouse packs the older ones.
    std::thread::spawn(move || {
        let mut pending: Vec<OrderId> = Vec::new();
        for n in 0..34u32 {
            let store = store_ids[(n as usize * 7 + n as usize / 3) % store_ids.len()];
            let order = Command::CreateOrder {
                order_number: format!("{}-{}", ["F", "A", "W"][n as usize % 3], 1040 + n * 3),
                store_id: store,
                note: NOTES[n as usize % NOTES.len()].to_owned(),
                priority: if n % 7 == 3 {
                    Priority::Rush
                } else {
                    Priority::Normal
                },
                lines: Vec::new(),
            };
            match office.send(order) {
                Ok(Some(id)) => {
                    pending.push(id);
                    // Both warehouse PCs get it; the second is muted now and then.
                    for (index, packer) in packers.iter().enumerate() {
                        let rung = if index == 1 && n % 5 == 2 {
                            (ReceiptStage::NotRung, Some(NotRungWhy::SoundOff))
                        } else {
                            (ReceiptStage::Rang, None)
                        };
                        let notes = vec![ReceiptNote {
                            order_id: id,
                            stage: rung.0,
                            why: rung.1,
                        }];
                        if let Err(e) = packer.handle.request(LinkRequest::Receipts(notes)) {
                            eprintln!("receipt not sent: {e}");
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => eprintln!("order not entered: {e}"),
            }
            if n == 9 && !pending.is_empty() {
                let id = pending.remove(1);
                let _ = office.send(Command::CancelOrder {
                    order_id: id,
                    reason: "el cliente llamó para anular".into(),
                });
            }
            if n % 2 == 1 && pending.len() > 6 {
                let id = pending.remove(0);
                let packer = &mut packers[n as usize % 2];
                if let Err(e) = packer.send(Command::PackOrder { order_id: id }) {
                    eprintln!("not packed: {e}");
                }
            }
            std::thread::sleep(Duration::from_millis(2500));
        }
        // Keep the links (and so the devices) connected.
        loop {
            std::thread::sleep(Duration::from_secs(60));
            let _ = (&office, &packers);
        }
    });

    // Run until stdin closes (the caller ends the demo).
    for line in std::io::stdin().lock().lines() {
        if line.is_err() {
            break;
        }
    }
    runtime.block_on(server.shutdown());
    Ok(())
}
