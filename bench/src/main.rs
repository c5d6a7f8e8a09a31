//! `packbell-bench`: starts the real `packbell-server` on loopback twice, with TLS (the
//! default) and with `--insecure-plaintext`, and measures on both in the same run:
//! enrolment time, order-to-delivery latency at a fixed rate, and throughput. Rounds
//! alternate between the two servers so that drift on a shared machine hits both.
//!
//! With `--floor` it also starts a bare relay with none of packbell's logic (see
//! [`floor`]) over TLS and plaintext, alternates its rounds with the real server's, and
//! prints every packbell figure beside the floor's with the ratio packbell / floor.
//!
//! It prints figures; it asserts nothing about time. `scripts/bench.sh` builds and runs
//! it; `docs/performance.md` explains the output.

mod client;
mod floor;
mod machine;
mod measure;
mod server;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, ensure};
use clap::Parser;

use client::Mode;
use floor::client::FloorProcess;
use measure::{EnrolmentRound, LatencyRound, Site, Target, ThroughputRound};
use server::ServerProcess;
use stats::{Spread, median, num, percentile, sorted};

#[derive(Parser, Debug)]
#[command(
    name = "packbell-bench",
    about = "Measures the real packbell server on loopback, over TLS and plaintext in the same run."
)]
struct Args {
    #[command(subcommand)]
    command: Option<Subcommand>,
    /// Also measure the floor (a bare relay, see docs/performance.md) in alternating
    /// rounds, and print packbell / floor ratios.
    #[arg(long)]
    floor: bool,
    /// Also measure throughput with this many receivers (at most --pairings; 0: not).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=80))]
    wide_receivers: u16,
    /// Rounds of every measurement on each server (report: median [min–max]).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=20))]
    rounds: u16,
    /// Pairings timed per round (each a new warehouse device).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=80))]
    pairings: u16,
    /// Receiving warehouse connections (at most --pairings).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=80))]
    receivers: u16,
    /// Orders per second in the latency measurement.
    #[arg(long, default_value_t = 200.0)]
    rate: f64,
    /// Seconds of the latency measurement.
    #[arg(long, default_value_t = 10.0)]
    latency_secs: f64,
    /// Orders in the throughput measurement (it also stops after --throughput-secs).
    #[arg(long, default_value_t = 50_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    orders: u64,
    /// Longest time the throughput sender keeps sending.
    #[arg(long, default_value_t = 10.0)]
    throughput_secs: f64,
    /// Unacknowledged orders the throughput sender keeps in flight (the server reads at
    /// most 256 ahead per socket).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..=1024))]
    window: u16,
    /// --max-commands-per-second given to the servers, so the rate limiter is not what
    /// the throughput measurement measures.
    #[arg(long, default_value_t = 1_000_000.0)]
    max_commands_per_second: f64,
    /// The server binary (default: packbell-server next to this binary).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Where the servers' temporary data dirs go (default: the system temp dir). Its
    /// filesystem decides what an fsync costs.
    #[arg(long)]
    data_root: Option<PathBuf>,
}

#[derive(clap::Subcommand, Debug)]
enum Subcommand {
    /// Runs the floor relay until killed (the benchmark starts it itself).
    FloorServer {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        plaintext: bool,
    },
}

/// Everything measured on one server.
#[derive(Default)]
struct Results {
    enrolment: Vec<EnrolmentRound>,
    latency: Vec<LatencyRound>,
    throughput: Vec<ThroughputRound>,
    /// Throughput with --wide-receivers receivers.
    wide: Vec<ThroughputRound>,
}

/// The floor's results next to the real server's, per transport.
struct Floors {
    tls: FloorProcess,
    plain: FloorProcess,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.command {
        Some(Subcommand::FloorServer {
            data_dir,
            plaintext,
        }) => floor::server::run(data_dir, *plaintext),
        None => run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("packbell-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    ensure!(
        args.rate > 0.0 && args.rate <= 5000.0,
        "--rate must be in (0, 5000]"
    );
    ensure!(
        args.latency_secs > 0.0 && args.latency_secs <= 120.0,
        "--latency-secs must be in (0, 120]"
    );
    ensure!(
        args.throughput_secs > 0.0 && args.throughput_secs <= 120.0,
        "--throughput-secs must be in (0, 120]"
    );
    ensure!(
        args.receivers <= args.pairings && args.wide_receivers <= args.pairings,
        "--receivers and --wide-receivers must not exceed --pairings"
    );
    ensure!(
        args.wide_receivers != args.receivers,
        "--wide-receivers must differ from --receivers"
    );
    let server_bin = match &args.server_bin {
        Some(bin) => bin.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("this binary has no directory")?
            .join("packbell-server"),
    };
    ensure!(
        server_bin.is_file(),
        "no server binary at {} (build it: cargo build --release -p packbell-server)",
        server_bin.display()
    );
    let data_root = args.data_root.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&data_root)
        .with_context(|| format!("creating {}", data_root.display()))?;

    println!("packbell-bench");
    machine::Machine::describe(&data_root).print();
    println!("server:   {}", server_bin.display());
    println!(
        "plan:     {} rounds per server; {} pairings; {} receivers; latency {} orders/s for {} s; \
         throughput {} orders (≤ {} s), window {}",
        args.rounds,
        args.pairings,
        args.receivers,
        args.rate,
        args.latency_secs,
        args.orders,
        args.throughput_secs,
        args.window
    );
    println!();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("packbell-bench")
        .build()?;
    let mut tls = ServerProcess::start(
        &server_bin,
        Mode::Tls,
        &data_root,
        args.max_commands_per_second,
    )?;
    let mut plain = ServerProcess::start(
        &server_bin,
        Mode::Plaintext,
        &data_root,
        args.max_commands_per_second,
    )?;
    let floors = if args.floor {
        let bench_bin = std::env::current_exe()?;
        Some(Floors {
            tls: FloorProcess::start(&bench_bin, Mode::Tls, &data_root)?,
            plain: FloorProcess::start(&bench_bin, Mode::Plaintext, &data_root)?,
        })
    } else {
        None
    };
    let measured = runtime.block_on(measure_both(args, &tls, &plain, floors.as_ref()));
    drop(floors);
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    let stopped = tls.stop().and(plain.stop());
    if measured.is_err() {
        tls.keep_files();
        plain.keep_files();
    }
    let (tls_results, plain_results, floor_results) = measured.map_err(|e| {
        e.context(format!(
            "server logs: {} and {}",
            tls.log.display(),
            plain.log.display()
        ))
    })?;
    stopped.context("stopping the servers")?;
    println!("load avg: {} (at end)", machine::load_average());
    println!();
    report(args, &tls_results, &plain_results)?;
    if let Some((floor_tls, floor_plain)) = floor_results {
        report_floor(args, "TLS", &tls_results, &floor_tls);
        report_floor(args, "plaintext", &plain_results, &floor_plain);
    }
    Ok(())
}

async fn measure_both(
    args: &Args,
    tls: &ServerProcess,
    plain: &ServerProcess,
    floors: Option<&Floors>,
) -> anyhow::Result<(Results, Results, Option<(Results, Results)>)> {
    let tls_site = Site::set_up(tls, Mode::Tls)
        .await
        .context("setting up the TLS server")?;
    let plain_site = Site::set_up(plain, Mode::Plaintext)
        .await
        .context("setting up the plaintext server")?;
    let mut tls_results = Results::default();
    let mut plain_results = Results::default();
    let mut floor_tls = Results::default();
    let mut floor_plain = Results::default();
    for round in 1..=usize::from(args.rounds) {
        // Alternate which server goes first, so drift on the machine hits both alike.
        let order = if round % 2 == 1 {
            [Mode::Tls, Mode::Plaintext]
        } else {
            [Mode::Plaintext, Mode::Tls]
        };
        for mode in order {
            let (site, results, floor_results) = match mode {
                Mode::Tls => (&tls_site, &mut tls_results, &mut floor_tls),
                Mode::Plaintext => (&plain_site, &mut plain_results, &mut floor_plain),
            };
            let floor = floors.map(|f| match mode {
                Mode::Tls => &f.tls,
                Mode::Plaintext => &f.plain,
            });
            // The floor goes after packbell in odd rounds and before it in even ones.
            if let Some(floor) = floor.filter(|_| round % 2 == 0) {
                one_floor_round(args, floor, round, floor_results)
                    .await
                    .with_context(|| format!("round {round}, floor {}", mode.name()))?;
            }
            one_round(args, site, round, results)
                .await
                .with_context(|| format!("round {round}, {}", mode.name()))?;
            if let Some(floor) = floor.filter(|_| round % 2 == 1) {
                one_floor_round(args, floor, round, floor_results)
                    .await
                    .with_context(|| format!("round {round}, floor {}", mode.name()))?;
            }
        }
    }
    let floor_results = floors.map(|_| (floor_tls, floor_plain));
    Ok((tls_results, plain_results, floor_results))
}

/// Latency and throughput (and wide throughput) on the floor relay.
async fn one_floor_round(
    args: &Args,
    floor: &FloorProcess,
    round: usize,
    results: &mut Results,
) -> anyhow::Result<()> {
    let name = format!("floor {}", floor.endpoint.mode.name());
    let target = |receivers: u16| Target::Floor {
        floor: &floor.endpoint,
        pid: floor.pid,
        receivers: usize::from(receivers),
    };
    let latency =
        measure::latency(&target(args.receivers), args.rate, args.latency_secs, round).await?;
    print_latency(round, &name, &latency)?;
    let throughput = run_throughput(args, &target(args.receivers), round).await?;
    print_throughput(round, &name, args.receivers, &throughput)?;
    if args.wide_receivers > 0 {
        let wide = run_throughput(args, &target(args.wide_receivers), round).await?;
        print_throughput(round, &name, args.wide_receivers, &wide)?;
        results.wide.push(wide);
    }
    results.latency.push(latency);
    results.throughput.push(throughput);
    Ok(())
}

async fn run_throughput(
    args: &Args,
    target: &Target<'_>,
    round: usize,
) -> anyhow::Result<ThroughputRound> {
    measure::throughput(
        target,
        args.orders,
        args.throughput_secs,
        usize::from(args.window),
        round,
    )
    .await
}

async fn one_round(
    args: &Args,
    site: &Site,
    round: usize,
    results: &mut Results,
) -> anyhow::Result<()> {
    let name = site.endpoint.mode.name();
    let enrolment = measure::enrolment(site, usize::from(args.pairings), round).await?;
    let total = sorted(enrolment.total_ms.clone());
    let connect = sorted(enrolment.connect_ms.clone());
    println!(
        "round {round} {name:<9} enrolment: median {} ms (p10 {}, p90 {}, max {}); connect median {} ms",
        num(median(&total), 2),
        num(percentile(&total, 10.0), 2),
        num(percentile(&total, 90.0), 2),
        num(percentile(&total, 100.0), 2),
        num(median(&connect), 2),
    );
    let receivers = &enrolment.devices[..usize::from(args.receivers)];
    let target = Target::Packbell { site, receivers };
    let latency = measure::latency(&target, args.rate, args.latency_secs, round).await?;
    print_latency(round, name, &latency)?;
    let throughput = run_throughput(args, &target, round).await?;
    print_throughput(round, name, args.receivers, &throughput)?;
    if args.wide_receivers > 0 {
        let receivers = &enrolment.devices[..usize::from(args.wide_receivers)];
        let target = Target::Packbell { site, receivers };
        let wide = run_throughput(args, &target, round).await?;
        print_throughput(round, name, args.wide_receivers, &wide)?;
        results.wide.push(wide);
    }
    results.enrolment.push(enrolment);
    results.latency.push(latency);
    results.throughput.push(throughput);
    Ok(())
}

/// A markdown table: measure, the two sides, their ratio with its per-round range.
fn print_table(headers: &[&str; 3], rows: &[Row]) {
    println!(
        "| measure | {} | {} | {} |",
        headers[0], headers[1], headers[2]
    );
    println!("|---|---:|---:|---:|");
    for row in rows {
        let (ratio, per_round) = row.ratios();
        println!(
            "| {} | {} | {} | {} {} |",
            row.label,
            Spread::of(&row.left).show(row.digits),
            Spread::of(&row.right).show(row.digits),
            num(ratio, 2),
            if ratio.is_finite() && per_round.min.is_finite() && per_round.max.is_finite() {
                format!("[{}–{}]", num(per_round.min, 2), num(per_round.max, 2))
            } else {
                String::new()
            },
        );
    }
}

fn print_latency(round: usize, name: &str, latency: &LatencyRound) -> anyhow::Result<()> {
    println!(
        "round {round} {name:<9} latency:   p50 {} ms, p99 {} ms, max {} ms over {} deliveries \
         ({} orders, {} acked); server CPU {}%, bench CPU {}%",
        num(latency.p(50.0), 3),
        num(latency.p(99.0), 3),
        num(latency.p(100.0), 3),
        latency.latencies_ms.len(),
        latency.sent,
        latency.acked,
        num(latency.cpu.server, 0),
        num(latency.cpu.bench, 0),
    );
    println!(
        "round {round} {name:<9} latency parts: ack p50 {} / p99 {} ms; first delivery p99 {} ms; \
         fan-out (first to last receiver) p50 {} / p99 {} ms; {} stalls > {} ms ({} orders)",
        num(percentile(&latency.commit_ms, 50.0), 3),
        num(percentile(&latency.commit_ms, 99.0), 3),
        num(percentile(&latency.first_ms, 99.0), 3),
        num(percentile(&latency.spread_ms, 50.0), 3),
        num(percentile(&latency.spread_ms, 99.0), 3),
        latency.stalls,
        measure::STALL_MS,
        latency.stalled_orders,
    );
    check(
        "latency",
        latency.sent,
        latency.acked,
        &latency.errors,
        latency.latencies_ms.len() as u64,
        latency.expected_deliveries,
    )
}

fn print_throughput(
    round: usize,
    name: &str,
    receivers: u16,
    throughput: &ThroughputRound,
) -> anyhow::Result<()> {
    println!(
        "round {round} {name:<9} throughput to {receivers}: {} delivered/s ({} in {} s), {} orders \
         committed/s in {} transactions/s; server CPU {}% ({} ns per delivery), bench CPU {}%",
        num(throughput.delivered_per_sec(), 0),
        throughput.delivered,
        num(throughput.delivery_secs, 2),
        num(throughput.commits_per_sec(), 0),
        num(throughput.transactions_per_sec(), 0),
        num(throughput.cpu.server, 0),
        num(throughput.server_ns_per_delivery(), 0),
        num(throughput.cpu.bench, 0),
    );
    check(
        "throughput",
        throughput.sent,
        throughput.acked,
        &throughput.errors,
        throughput.delivered,
        throughput.expected_deliveries,
    )
}

/// Figures from a run that lost or refused orders would mean nothing.
fn check(
    what: &str,
    sent: u64,
    acked: u64,
    errors: &[String],
    delivered: u64,
    expected: u64,
) -> anyhow::Result<()> {
    ensure!(
        errors.is_empty(),
        "{what}: {} orders refused, first: {}",
        errors.len(),
        errors.first().map_or("", String::as_str)
    );
    ensure!(
        acked == sent,
        "{what}: {acked} of {sent} orders acknowledged"
    );
    ensure!(
        delivered == expected,
        "{what}: {delivered} of {expected} deliveries arrived"
    );
    Ok(())
}

/// One row of the summary: a figure per round on each side (TLS and plaintext, or packbell and floor).
struct Row {
    label: &'static str,
    digits: usize,
    left: Vec<f64>,
    right: Vec<f64>,
}

impl Row {
    fn new(
        label: &'static str,
        digits: usize,
        (left, right): (&Results, &Results),
        figure: impl Fn(&Results) -> Vec<f64>,
    ) -> Row {
        Row {
            label,
            digits,
            left: figure(left),
            right: figure(right),
        }
    }

    /// left / right, of the medians and per round (rounds are paired in time).
    fn ratios(&self) -> (f64, Spread) {
        let of_medians = Spread::of(&self.left).median / Spread::of(&self.right).median;
        let per_round: Vec<f64> = self
            .left
            .iter()
            .zip(&self.right)
            .map(|(t, p)| t / p)
            .collect();
        (of_medians, Spread::of(&per_round))
    }
}

fn report(args: &Args, tls: &Results, plain: &Results) -> anyhow::Result<()> {
    let both = (tls, plain);
    let enrol_median = |r: &Results| -> Vec<f64> {
        r.enrolment
            .iter()
            .map(|e| median(&sorted(e.total_ms.clone())))
            .collect()
    };
    let enrol_p90 = |r: &Results| -> Vec<f64> {
        r.enrolment
            .iter()
            .map(|e| percentile(&sorted(e.total_ms.clone()), 90.0))
            .collect()
    };
    let connect_median = |r: &Results| -> Vec<f64> {
        r.enrolment
            .iter()
            .map(|e| median(&sorted(e.connect_ms.clone())))
            .collect()
    };
    let lat =
        |p: f64| move |r: &Results| -> Vec<f64> { r.latency.iter().map(|l| l.p(p)).collect() };
    let thr = |f: fn(&ThroughputRound) -> f64| {
        move |r: &Results| -> Vec<f64> { r.throughput.iter().map(f).collect() }
    };
    let rows = [
        Row::new("enrolment, median (ms)", 2, both, enrol_median),
        Row::new("enrolment, p90 (ms)", 2, both, enrol_p90),
        Row::new("  of which connect, median (ms)", 2, both, connect_median),
        Row::new("latency p50 (ms)", 3, both, lat(50.0)),
        Row::new("latency p99 (ms)", 3, both, lat(99.0)),
        Row::new("latency max (ms)", 3, both, lat(100.0)),
        Row::new("  send to ack (commit), p99 (ms)", 3, both, |r| {
            r.latency
                .iter()
                .map(|l| percentile(&l.commit_ms, 99.0))
                .collect()
        }),
        Row::new("  send to first receiver, p99 (ms)", 3, both, |r| {
            r.latency
                .iter()
                .map(|l| percentile(&l.first_ms, 99.0))
                .collect()
        }),
        Row::new("  first to last receiver, p99 (ms)", 3, both, |r| {
            r.latency
                .iter()
                .map(|l| percentile(&l.spread_ms, 99.0))
                .collect()
        }),
        Row::new("  stalls (first delivery > 5 ms)", 0, both, |r| {
            r.latency.iter().map(|l| l.stalls as f64).collect()
        }),
        Row::new("server CPU at 200 orders/s (% of a core)", 1, both, |r| {
            r.latency.iter().map(|l| l.cpu.server).collect()
        }),
        Row::new(
            "throughput, delivered msgs/s",
            0,
            both,
            thr(ThroughputRound::delivered_per_sec),
        ),
        Row::new(
            "throughput, orders committed/s",
            0,
            both,
            thr(ThroughputRound::commits_per_sec),
        ),
        Row::new(
            "throughput, transactions (fsyncs)/s",
            0,
            both,
            thr(ThroughputRound::transactions_per_sec),
        ),
        Row::new("throughput, server CPU (% of a core)", 0, both, |r| {
            r.throughput.iter().map(|t| t.cpu.server).collect()
        }),
        Row::new("throughput, bench CPU (% of a core)", 0, both, |r| {
            r.throughput.iter().map(|t| t.cpu.bench).collect()
        }),
    ];
    println!(
        "Summary: median [min–max] over {} rounds; {} receivers; latency at {} orders/s for {} s; \
         ratio = TLS / plaintext (of the medians; per-round range in brackets)",
        args.rounds, args.receivers, args.rate, args.latency_secs
    );
    println!();
    print_table(&["TLS", "plaintext", "TLS / plaintext"], &rows);
    println!();
    let ratio_of = |label: &str| {
        rows.iter()
            .find(|r| r.label == label)
            .map_or(f64::NAN, |r| r.ratios().0)
    };
    let p99 = ratio_of("latency p99 (ms)");
    let delivered = ratio_of("throughput, delivered msgs/s");
    println!(
        "TLS cost: p99 latency × {} (budget: at most × 2), delivered msgs/s × {} (budget: at least × 0.5): {}",
        num(p99, 2),
        num(delivered, 2),
        if p99 <= 2.0 && delivered >= 0.5 {
            "within budget"
        } else {
            "OVER BUDGET"
        }
    );
    let fan_out = ratio_of("  first to last receiver, p99 (ms)");
    let commit = ratio_of("  send to ack (commit), p99 (ms)");
    if p99 > 2.0 && fan_out <= 2.0 {
        println!(
            "  The p99 excess is in the commit path (send to ack × {}), which both servers share \
             and TLS barely touches, while the per-connection fan-out is × {}: look at the \
             stall counts. Stalls of tens of ms come from fsync and CPU contention on a busy \
             machine; rerun on a quiet one, or with --data-root on a tmpfs to take fsync out.",
            num(commit, 2),
            num(fan_out, 2)
        );
    } else if p99 > 2.0 || delivered < 0.5 {
        println!("  Profile the TLS server (e.g. perf record -g -p <pid of the TLS server>).");
    }
    Ok(())
}

/// Each packbell figure beside the floor's on the same transport, and the targets.
fn report_floor(args: &Args, transport: &str, packbell: &Results, floor: &Results) {
    let both = (packbell, floor);
    let lat =
        |p: f64| move |r: &Results| -> Vec<f64> { r.latency.iter().map(|l| l.p(p)).collect() };
    let thr = |f: fn(&ThroughputRound) -> f64| {
        move |r: &Results| -> Vec<f64> { r.throughput.iter().map(f).collect() }
    };
    let wide = |f: fn(&ThroughputRound) -> f64| {
        move |r: &Results| -> Vec<f64> { r.wide.iter().map(f).collect() }
    };
    let mut rows = vec![
        Row::new("A latency p50 (ms)", 3, both, lat(50.0)),
        Row::new("A latency p99 (ms)", 3, both, lat(99.0)),
        Row::new("A latency max (ms)", 3, both, lat(100.0)),
        Row::new("A server CPU at 200 orders/s (% of a core)", 1, both, |r| {
            r.latency.iter().map(|l| l.cpu.server).collect()
        }),
        Row::new(
            "B delivered msgs/s, narrow",
            0,
            both,
            thr(ThroughputRound::delivered_per_sec),
        ),
        Row::new(
            "B server CPU per delivered msg (ns), narrow",
            0,
            both,
            thr(ThroughputRound::server_ns_per_delivery),
        ),
        Row::new("B bench CPU (% of a core), narrow", 0, both, |r| {
            r.throughput.iter().map(|t| t.cpu.bench).collect()
        }),
    ];
    if args.wide_receivers > 0 {
        rows.push(Row::new(
            "B delivered msgs/s, wide",
            0,
            both,
            wide(ThroughputRound::delivered_per_sec),
        ));
        rows.push(Row::new(
            "B server CPU per delivered msg (ns), wide",
            0,
            both,
            wide(ThroughputRound::server_ns_per_delivery),
        ));
        rows.push(Row::new("B bench CPU (% of a core), wide", 0, both, |r| {
            r.wide.iter().map(|t| t.cpu.bench).collect()
        }));
    }
    println!();
    println!(
        "Against the floor, {transport}: median [min–max] over {} rounds; narrow = {} receivers, \
         wide = {} receivers; ratio = packbell / floor (of the medians; per-round range)",
        args.rounds, args.receivers, args.wide_receivers
    );
    println!();
    print_table(&["packbell", "floor", "packbell / floor"], &rows);
    let ratio_of = |label: &str| {
        rows.iter()
            .find(|r| r.label == label)
            .map_or(f64::NAN, |r| r.ratios().0)
    };
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    let p99 = ratio_of("A latency p99 (ms)");
    println!();
    println!(
        "{transport} targets: p99 × {} of the floor (target ≤ 1.5: {})",
        num(p99, 2),
        verdict(p99 <= 1.5)
    );
    for width in ["narrow", "wide"] {
        let msgs = ratio_of(&format!("B delivered msgs/s, {width}"));
        let cpu = ratio_of(&format!("B server CPU per delivered msg (ns), {width}"));
        if msgs.is_finite() {
            println!(
                "  {width}: msgs/s × {} of the floor (target ≥ 0.35: {}), CPU per msg × {} \
                 (target ≤ 3: {})",
                num(msgs, 2),
                verdict(msgs >= 0.35),
                num(cpu, 2),
                verdict(cpu <= 3.0)
            );
        }
    }
}
