//! Sends orders as an office device through the real client link, and waits until the
//! server committed each. Used by `scripts/e2e-warehouse.sh`.
//!
//! ```text
//! cargo run -p packbell-warehouse --example send_order -- \
//!     --server 127.0.0.1:47801 --data-dir /tmp/office --pairing-code CODE \
//!     --store Centro 10423 'R:10427:Recoge a las 12:00' 10428
//! ```
//! Each order is `NUMBER`, `NUMBER:NOTE`, or `R:NUMBER[:NOTE]` for a rush order.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use packbell_shared::link::{LinkConfig, LinkEvent, LinkHandle, LinkStatus};
use packbell_shared::protocol::{Command, Priority, StoreId};
use packbell_shared::state::SiteState;

/// Longest the whole run may take.
const DEADLINE: Duration = Duration::from_secs(30);

#[derive(Debug, Parser)]
struct Args {
    #[arg(long)]
    server: String,
    #[arg(long)]
    data_dir: PathBuf,
    #[arg(long)]
    pairing_code: Option<String>,
    /// Store name the orders are for.
    #[arg(long)]
    store: String,
    /// Orders: NUMBER, NUMBER:NOTE or R:NUMBER[:NOTE].
    orders: Vec<String>,
    /// After sending, cancel the pending order with this number (repeatable).
    #[arg(long)]
    cancel: Vec<String>,
}

fn parse(order: &str) -> (String, String, Priority) {
    let (priority, rest) = match order.strip_prefix("R:") {
        Some(rest) => (Priority::Rush, rest),
        None => (Priority::Normal, order),
    };
    let (number, note) = rest.split_once(':').unwrap_or((rest, ""));
    (number.to_owned(), note.to_owned(), priority)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = LinkConfig {
        insecure_plaintext: false,
        data_dir: args.data_dir,
        server: Some(args.server),
        discovery_targets: Vec::new(),
        site: None,
        device_name: "e2e office".to_owned(),
        pairing_code: args.pairing_code,
    };
    let (handle, events) = LinkHandle::spawn(config, Arc::new(|| {}))?;
    let deadline = Instant::now() + DEADLINE;
    let next = |what: &str| -> anyhow::Result<LinkEvent> {
        let left = deadline.saturating_duration_since(Instant::now());
        events
            .recv_timeout(left)
            .with_context(|| format!("waiting for {what}"))
    };

    // Learn the stores: connected, then caught up.
    let mut state = SiteState::default();
    loop {
        match next("the server's state")? {
            LinkEvent::Reset { snapshot, .. } => state.load_snapshot(snapshot),
            LinkEvent::Event { event, .. } => {
                state.apply(&event);
            }
            LinkEvent::CaughtUp { .. } => break,
            LinkEvent::Status(LinkStatus::Refused { reason }) => bail!("refused: {reason}"),
            LinkEvent::Status(LinkStatus::NeedsPairing { reason }) => {
                bail!("needs a pairing code: {reason:?}")
            }
            _ => {}
        }
    }
    let store_id: StoreId = state
        .stores
        .values()
        .find(|s| s.active && s.name.eq_ignore_ascii_case(&args.store))
        .map(|s| s.store_id)
        .with_context(|| format!("no store named {:?}", args.store))?;

    for order in &args.orders {
        let (order_number, note, priority) = parse(order);
        let key = handle.submit(Command::CreateOrder {
            order_number: order_number.clone(),
            store_id,
            note,
            priority,
            lines: Vec::new(),
        })?;
        loop {
            match next("the server's ack")? {
                LinkEvent::Acked { key: acked, .. } if acked == key => break,
                LinkEvent::Rejected {
                    key: rejected,
                    message,
                    ..
                } if rejected == key => bail!("order {order_number} refused: {message}"),
                LinkEvent::Event { event, .. } => {
                    state.apply(&event);
                }
                _ => {}
            }
        }
        println!("sent order {order_number}");
    }
    for number in &args.cancel {
        let order_id = state
            .pending_orders()
            .find(|o| &o.order_number == number)
            .map(|o| o.order_id)
            .with_context(|| format!("no pending order {number}"))?;
        let key = handle.submit(Command::CancelOrder {
            order_id,
            reason: "customer called".to_owned(),
        })?;
        loop {
            match next("the server's ack")? {
                LinkEvent::Acked { key: acked, .. } if acked == key => break,
                LinkEvent::Rejected {
                    key: rejected,
                    message,
                    ..
                } if rejected == key => bail!("cancel of {number} refused: {message}"),
                _ => {}
            }
        }
        println!("cancelled order {number}");
    }
    handle.shutdown();
    Ok(())
}
