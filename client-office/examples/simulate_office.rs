//! A simulated office PC for the demo: pairs like a real client (discovery, pairing
//! code), then enters orders now and then (mixed stores, some rush) through the real
//! client link, so the warehouse rings without anyone typing.
//!
//! ```text
//! cargo run -p packbell-office --example simulate_office -- \
//!     --discovery-addr 127.255.255.255:47800 --data-dir .demo/simulator \
//!     --pairing-code CODE --orders-per-minute 6 [--count 5]
//! ```
//! With `--count N` it stops after N orders are committed (exit 0), or fails after a
//! bounded wait; without, it runs until interrupted.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use rand::Rng;
use rand::seq::IndexedRandom;

use packbell_shared::link::{LinkConfig, LinkEvent, LinkHandle, LinkStatus};
use packbell_shared::protocol::{Command, Priority, StoreId};
use packbell_shared::state::SiteState;

/// Longest wait for the server (connecting, pairing, catching up, each ack).
const WAIT: Duration = Duration::from_secs(60);
/// One order in this many is a rush order.
const RUSH_ONE_IN: u32 = 5;
const NOTES: &[&str] = &[
    "",
    "",
    "",
    "frágil",
    "recoge el cliente a las 13:00",
    "dos bultos",
    "call before delivery",
];

#[derive(Debug, Parser)]
struct Args {
    /// `HOST:PORT` of the server; without it, discovery finds it.
    #[arg(long)]
    server: Option<String>,
    /// Where discovery probes go (repeatable).
    #[arg(long)]
    discovery_addr: Vec<SocketAddr>,
    #[arg(long)]
    data_dir: PathBuf,
    #[arg(long)]
    pairing_code: Option<String>,
    #[arg(long, default_value_t = 6.0)]
    orders_per_minute: f64,
    /// Stop after this many orders are committed.
    #[arg(long)]
    count: Option<u32>,
    #[arg(long, default_value = "Simulated office")]
    name: String,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.orders_per_minute <= 0.0 {
        bail!("--orders-per-minute must be above 0");
    }
    let config = LinkConfig {
        insecure_plaintext: false,
        data_dir: args.data_dir.clone(),
        server: args.server.clone(),
        discovery_targets: args.discovery_addr.clone(),
        site: None,
        device_name: args.name.clone(),
        pairing_code: args.pairing_code.clone(),
    };
    let (link, events) = LinkHandle::spawn(config, Arc::new(|| {}))?;
    let mut state = SiteState::default();
    let next = |what: &str| -> anyhow::Result<LinkEvent> {
        events
            .recv_timeout(WAIT)
            .with_context(|| format!("waiting for {what}"))
    };
    loop {
        match next("the server's state")? {
            LinkEvent::Reset { snapshot, .. } => state.load_snapshot(snapshot),
            LinkEvent::Event { event, .. } => {
                state.apply(&event);
            }
            LinkEvent::CaughtUp { .. } => break,
            LinkEvent::Status(LinkStatus::Refused { reason }) => bail!("refused: {reason}"),
            LinkEvent::Status(LinkStatus::NeedsPairing { reason }) => {
                bail!("needs a pairing code ({})", reason.unwrap_or_default())
            }
            _ => {}
        }
    }
    let stores: Vec<StoreId> = state
        .stores
        .values()
        .filter(|s| s.active)
        .map(|s| s.store_id)
        .collect();
    if stores.is_empty() {
        bail!("the site has no stores yet");
    }
    let interval = Duration::from_secs_f64(60.0 / args.orders_per_minute);
    let mut rng = rand::rng();
    let mut number: u32 = rng.random_range(10_000..90_000);
    let mut committed = 0;
    let mut next_at = Instant::now();
    while args.count.is_none_or(|count| committed < count) {
        std::thread::sleep(next_at.saturating_duration_since(Instant::now()));
        next_at += interval;
        number += rng.random_range(1..7);
        let store_id = *stores.choose(&mut rng).context("a store")?;
        let priority = if rng.random_ratio(1, RUSH_ONE_IN) {
            Priority::Rush
        } else {
            Priority::Normal
        };
        let note = NOTES.choose(&mut rng).copied().unwrap_or_default();
        let key = link.submit(Command::CreateOrder {
            order_number: number.to_string(),
            store_id,
            note: note.to_owned(),
            priority,
            lines: Vec::new(),
        })?;
        loop {
            match next("the server's answer")? {
                LinkEvent::Acked { key: acked, .. } if acked == key => break,
                LinkEvent::Rejected {
                    key: refused,
                    message,
                    ..
                } if refused == key => bail!("order {number} refused: {message}"),
                _ => {}
            }
        }
        committed += 1;
        println!(
            "sent order {number} to {}{}",
            state.store_name(store_id).unwrap_or("?"),
            if priority == Priority::Rush {
                " (rush)"
            } else {
                ""
            }
        );
    }
    link.shutdown();
    Ok(())
}
