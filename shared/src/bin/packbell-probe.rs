//! packbell-probe: one look for the server from the command line, without a window.
//! Runs the same look the clients' link runs (broadcast on every card, configured and
//! last good addresses over TCP, DNS-SD when asked) and prints what it saw and the
//! likely cause as one JSON object, so scripts and support can read it.

use std::net::SocketAddr;
use std::time::Instant;

use clap::Parser;
use packbell_shared::link::diagnosis::{Paired, diagnose};
use packbell_shared::link::locate::{LookPlan, look};

#[derive(Debug, Parser)]
#[command(
    name = "packbell-probe",
    version,
    about = "Looks for the packbell server and says why it is not found."
)]
struct Args {
    /// HOST:PORT of a server to ask directly (repeatable).
    #[arg(long = "server")]
    servers: Vec<String>,
    /// The address this PC last reached its server at.
    #[arg(long)]
    last_good: Option<String>,
    /// Where discovery probes go (repeatable); default: every card's broadcast address.
    #[arg(long = "discovery-addr")]
    discovery_addr: Vec<SocketAddr>,
    /// Only servers of this site.
    #[arg(long)]
    site: Option<String>,
    /// Fingerprint of the server this PC is paired with.
    #[arg(long)]
    paired: Option<String>,
    /// Browse DNS-SD (`_packbell._tcp`) as well.
    #[arg(long)]
    mdns: bool,
    /// The server serves plain ws:// (debugging only).
    #[arg(long)]
    insecure_plaintext: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let plan = LookPlan {
        discovery_targets: args.discovery_addr,
        configured: args.servers,
        last_good: args.last_good,
        site: args.site,
        paired: args.paired.map(|fingerprint| Paired {
            fingerprint,
            site: None,
        }),
        insecure_plaintext: args.insecure_plaintext,
        mdns: args.mdns,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    let seen = runtime.block_on(look(&plan));
    let elapsed_ms = started.elapsed().as_millis();
    let cause = diagnose(&seen);
    let report = serde_json::json!({
        "result": cause.name(),
        "elapsed_ms": elapsed_ms,
        "cause": cause,
        "look": seen,
    });
    println!("{report}");
    Ok(())
}
