//! The three measurements: enrolment, order-to-delivery latency at a fixed rate, and
//! throughput with the sender going as fast as acknowledgements allow. Every loop is
//! bounded in count and in time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use packbell_net::transport::WsStream;
use packbell_protocol::protocol::{Role, ServerMessage};

use crate::client::{
    self, Client, Device, Endpoint, Light, Mode, auth, create_order_frame, order_index, pair,
};
use crate::floor::client::{FloorEndpoint, order_frame};
use crate::machine;
use crate::server::ServerProcess;
use crate::stats::{percentile, sorted};

/// After the last order is sent, how long acks and deliveries may still take.
const DRAIN: Duration = Duration::from_secs(15);
/// How often waiting loops look at their stop conditions.
const POLL: Duration = Duration::from_millis(100);

/// A started server with an admin device (to issue pairing codes) and an office
/// device (to send orders), both paired through the real pairing exchange.
pub struct Site {
    pub endpoint: Endpoint,
    pub admin: Device,
    pub office: Device,
    pub store_id: u64,
    pub server_pid: u32,
}

impl Site {
    pub async fn set_up(server: &ServerProcess, mode: Mode) -> anyhow::Result<Site> {
        let mut endpoint = Endpoint {
            addr: server.addr.clone(),
            mode,
            fingerprint: String::new(),
        };
        let code = |role: &str| {
            server
                .codes
                .get(role)
                .cloned()
                .with_context(|| format!("the banner printed no {role} code"))
        };
        let admin = pair(&endpoint, &code("admin")?, "bench admin").await?;
        ensure!(
            admin.role == Role::Admin,
            "the admin code enrolled a {:?}",
            admin.role
        );
        if mode == Mode::Tls {
            ensure!(
                admin.fingerprint == server.server_id,
                "the certificate seen ({}) is not the server id in the banner ({})",
                admin.fingerprint,
                server.server_id
            );
            endpoint.fingerprint = admin.fingerprint.clone();
        }
        let mut socket = admin.client;
        socket
            .send(json!({"type": "subscribe", "after_seq": 0}))
            .await?;
        let ServerMessage::Snapshot(snapshot) = socket
            .recv_until(|m| matches!(m, ServerMessage::Snapshot(_)))
            .await?
        else {
            bail!("expected a snapshot");
        };
        let store_id = snapshot
            .stores
            .iter()
            .find(|s| s.active && s.name == "Centro")
            .map(|s| s.store_id)
            .context("the seeded store Centro is missing")?;
        drop(socket);
        let office = pair(&endpoint, &code("office")?, "bench sender").await?;
        ensure!(
            office.role == Role::Office,
            "the office code enrolled a {:?}",
            office.role
        );
        Ok(Site {
            endpoint,
            admin: admin.device,
            office: office.device,
            store_id,
            server_pid: server.pid,
        })
    }
}

/// What the latency and throughput measurements run against: the real server with
/// paired warehouse devices as receivers, or the floor relay with bare sockets.
pub enum Target<'a> {
    Packbell {
        site: &'a Site,
        receivers: &'a [Device],
    },
    Floor {
        floor: &'a FloorEndpoint,
        pid: u32,
        receivers: usize,
    },
}

impl Target<'_> {
    fn receivers(&self) -> usize {
        match self {
            Target::Packbell { receivers, .. } => receivers.len(),
            Target::Floor { receivers, .. } => *receivers,
        }
    }

    async fn receiver(&self, i: usize) -> anyhow::Result<Client> {
        match self {
            Target::Packbell { site, receivers } => subscribed(&site.endpoint, &receivers[i]).await,
            Target::Floor { floor, .. } => floor.receiver().await,
        }
    }

    async fn sender(&self) -> anyhow::Result<WsStream> {
        match self {
            Target::Packbell { site, .. } => Ok(auth(&site.endpoint, &site.office).await?.0.ws),
            Target::Floor { floor, .. } => floor.sender().await,
        }
    }

    fn order_frame(&self, name: &str) -> String {
        match self {
            Target::Packbell { site, .. } => create_order_frame(name, site.store_id),
            Target::Floor { .. } => order_frame(name),
        }
    }

    fn server_cpu(&self) -> Option<Duration> {
        let pid = match self {
            Target::Packbell { site, .. } => site.server_pid,
            Target::Floor { pid, .. } => *pid,
        };
        machine::process_cpu_time(&format!("/proc/{pid}/stat"))
    }
}

/// CPU used by the server and by this benchmark over a stretch of wall time.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuUse {
    /// Percent of one core.
    pub server: f64,
    pub bench: f64,
    /// Seconds of server CPU over the measurement.
    pub server_secs: f64,
}

struct CpuMeter {
    wall: Instant,
    server: Option<Duration>,
    bench: Option<Duration>,
}

impl CpuMeter {
    fn start(target: &Target<'_>) -> CpuMeter {
        CpuMeter {
            wall: Instant::now(),
            server: target.server_cpu(),
            bench: machine::own_cpu_time(),
        }
    }

    fn stop(&self, target: &Target<'_>) -> CpuUse {
        let wall = self.wall.elapsed().as_secs_f64();
        let server_now = target.server_cpu();
        let percent = |before: Option<Duration>, after: Option<Duration>| match (before, after) {
            (Some(b), Some(a)) if wall > 0.0 => a.saturating_sub(b).as_secs_f64() / wall * 100.0,
            _ => f64::NAN,
        };
        CpuUse {
            server: percent(self.server, server_now),
            bench: percent(self.bench, machine::own_cpu_time()),
            server_secs: percent(self.server, server_now) / 100.0 * wall,
        }
    }
}

pub struct EnrolmentRound {
    /// Connect + TLS + SPAKE2 pairing + welcome, one per pairing, in ms.
    pub total_ms: Vec<f64>,
    /// The TCP + TLS + WebSocket handshake part of each, in ms.
    pub connect_ms: Vec<f64>,
    /// The new warehouse devices (they receive in the other measurements).
    pub devices: Vec<Device>,
}

/// Pairs `count` new warehouse devices one after the other, with codes an admin device
/// asked for (`new_pairing_code`), and times each pairing.
pub async fn enrolment(site: &Site, count: usize, round: usize) -> anyhow::Result<EnrolmentRound> {
    let (mut admin, _) = auth(&site.endpoint, &site.admin).await?;
    for _ in 0..count {
        admin
            .send(json!({"type": "new_pairing_code", "role": "warehouse"}))
            .await?;
    }
    let mut codes = Vec::with_capacity(count);
    for _ in 0..count {
        if let ServerMessage::PairingCode { code, .. } = admin
            .recv_until(|m| matches!(m, ServerMessage::PairingCode { .. }))
            .await?
        {
            codes.push(code);
        }
    }
    drop(admin);
    let mut result = EnrolmentRound {
        total_ms: Vec::with_capacity(count),
        connect_ms: Vec::with_capacity(count),
        devices: Vec::with_capacity(count),
    };
    for (i, code) in codes.iter().enumerate() {
        let paired = pair(
            &site.endpoint,
            code,
            &format!("bench r{round} warehouse {i}"),
        )
        .await?;
        ensure!(
            paired.role == Role::Warehouse,
            "a warehouse code enrolled a {:?}",
            paired.role
        );
        result.total_ms.push(ms(paired.total_time));
        result.connect_ms.push(ms(paired.connect_time));
        result.devices.push(paired.device);
        close(paired.client).await;
    }
    Ok(result)
}

pub struct LatencyRound {
    pub sent: u64,
    pub acked: u64,
    pub errors: Vec<String>,
    pub expected_deliveries: u64,
    /// Send to `order_created` at a receiver, every delivery, sorted (ms).
    pub latencies_ms: Vec<f64>,
    /// Send to the sender's `ack`: the commit path (validate, group commit, fsync), sorted.
    pub commit_ms: Vec<f64>,
    /// Per order, send to its first delivery (anything shared by all receivers), sorted.
    pub first_ms: Vec<f64>,
    /// Per order, first to last delivery (the per-connection fan-out), sorted.
    pub spread_ms: Vec<f64>,
    /// Orders whose first delivery took more than [`STALL_MS`], and how many runs of
    /// consecutive such orders (stalls) they formed.
    pub stalled_orders: u64,
    pub stalls: u64,
    pub cpu: CpuUse,
}

/// A first delivery slower than this counts as a stall (the floor is about 1 ms).
pub const STALL_MS: f64 = 5.0;

impl LatencyRound {
    pub fn p(&self, p: f64) -> f64 {
        percentile(&self.latencies_ms, p)
    }
}

/// One sender creates orders at `rate` per second for `secs`; every receiver records,
/// for each `order_created` event, the time since the sender sent that order.
pub async fn latency(
    target: &Target<'_>,
    rate: f64,
    secs: f64,
    round: usize,
) -> anyhow::Result<LatencyRound> {
    let prefix = format!("L{round}-");
    let total = ((rate * secs).round() as usize).max(1);
    let sent_at: Arc<Vec<AtomicU64>> = Arc::new((0..total).map(|_| AtomicU64::new(0)).collect());
    let expected = Arc::new(AtomicU64::new(u64::MAX));
    let base = Instant::now();
    let give_up = base + Duration::from_secs_f64(secs * 2.0) + DRAIN;

    let mut readers: Vec<JoinHandle<anyhow::Result<Vec<Arrival>>>> = Vec::new();
    for i in 0..target.receivers() {
        let socket = target.receiver(i).await?;
        let (prefix, expected) = (prefix.clone(), expected.clone());
        readers.push(tokio::spawn(async move {
            record_arrivals(socket, &prefix, total, base, &expected, give_up).await
        }));
    }
    let sender = target.sender().await?;
    let (mut sink, stream): (SplitSink<WsStream, Message>, _) = sender.split();
    let timing = AckTiming {
        prefix: prefix.clone(),
        sent_at: sent_at.clone(),
        base,
    };
    let acks = tokio::spawn(count_acks(
        stream,
        expected.clone(),
        None,
        Some(timing),
        give_up,
    ));

    let meter = CpuMeter::start(target);
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let mut sent = 0;
    while sent < total && Instant::now() < give_up {
        tick.tick().await;
        let frame = target.order_frame(&format!("{prefix}{sent}"));
        sent_at[sent].store(nanos_since(base), Ordering::Release);
        sink.send(Message::Text(frame.into())).await?;
        sent += 1;
    }
    expected.store(sent as u64, Ordering::Release);
    let acks = acks.await.context("the ack reader panicked")??;
    let mut arrivals = Vec::with_capacity(target.receivers());
    for reader in readers {
        arrivals.push(reader.await.context("a receiver panicked")??);
    }
    let cpu = meter.stop(target);
    let _ = sink.close().await;

    let sent_nanos: Vec<u64> = sent_at.iter().map(|s| s.load(Ordering::Acquire)).collect();
    let mut latencies_ms = Vec::with_capacity(sent * target.receivers());
    let mut first = vec![u64::MAX; total];
    let mut last = vec![0; total];
    for arrival in arrivals.iter().flatten() {
        let sent_ns = sent_nanos[arrival.index];
        ensure!(
            sent_ns > 0,
            "an event for order {}, which was not sent",
            arrival.index
        );
        latencies_ms.push(arrival.nanos.saturating_sub(sent_ns) as f64 / 1e6);
        first[arrival.index] = first[arrival.index].min(arrival.nanos);
        last[arrival.index] = last[arrival.index].max(arrival.nanos);
    }
    let mut first_ms = Vec::with_capacity(sent);
    let mut spread_ms = Vec::with_capacity(sent);
    let (mut stalled_orders, mut stalls, mut in_stall) = (0, 0, false);
    for n in 0..sent {
        if first[n] == u64::MAX {
            continue;
        }
        let delay = first[n].saturating_sub(sent_nanos[n]) as f64 / 1e6;
        first_ms.push(delay);
        spread_ms.push(last[n].saturating_sub(first[n]) as f64 / 1e6);
        let stalled = delay > STALL_MS;
        stalled_orders += u64::from(stalled);
        stalls += u64::from(stalled && !in_stall);
        in_stall = stalled;
    }
    Ok(LatencyRound {
        sent: sent as u64,
        acked: acks.acked,
        errors: acks.errors,
        expected_deliveries: (sent * target.receivers()) as u64,
        latencies_ms: sorted(latencies_ms),
        commit_ms: sorted(acks.commit_ms),
        first_ms: sorted(first_ms),
        spread_ms: sorted(spread_ms),
        stalled_orders,
        stalls,
        cpu,
    })
}

/// One delivery: which order, and when it arrived (ns since the measurement's base).
struct Arrival {
    index: usize,
    nanos: u64,
}

async fn record_arrivals(
    mut socket: Client,
    prefix: &str,
    total: usize,
    base: Instant,
    expected: &AtomicU64,
    give_up: Instant,
) -> anyhow::Result<Vec<Arrival>> {
    let mut arrivals = Vec::with_capacity(total);
    while (arrivals.len() as u64) < expected.load(Ordering::Acquire) && Instant::now() < give_up {
        let Some(text) = next_text(&mut socket).await? else {
            continue;
        };
        let nanos = nanos_since(base);
        let frame = Light::parse(&text)?;
        let Some(index) = frame.created_order().and_then(|n| order_index(n, prefix)) else {
            continue;
        };
        ensure!(
            index < total,
            "an event for order {index}, which was not sent"
        );
        arrivals.push(Arrival { index, nanos });
    }
    close(socket).await;
    Ok(arrivals)
}

pub struct ThroughputRound {
    pub sent: u64,
    pub acked: u64,
    pub errors: Vec<String>,
    pub delivered: u64,
    pub expected_deliveries: u64,
    /// First send to the last event at any receiver.
    pub delivery_secs: f64,
    /// First send to the last ack.
    pub commit_secs: f64,
    /// Distinct commit times seen: one per group-commit transaction.
    pub transactions: u64,
    pub cpu: CpuUse,
}

impl ThroughputRound {
    pub fn delivered_per_sec(&self) -> f64 {
        self.delivered as f64 / self.delivery_secs
    }

    pub fn commits_per_sec(&self) -> f64 {
        self.acked as f64 / self.commit_secs
    }

    /// Unknown ("–") when the events carry no commit time (the floor's frames do not).
    pub fn transactions_per_sec(&self) -> f64 {
        if self.transactions == 0 {
            return f64::NAN;
        }
        self.transactions as f64 / self.commit_secs
    }

    /// Server CPU time per delivered message, in ns.
    pub fn server_ns_per_delivery(&self) -> f64 {
        self.cpu.server_secs * 1e9 / self.delivered as f64
    }
}

/// One sender pipelines up to `window` unacknowledged `create_order`s, for `orders`
/// orders or `secs` seconds; every receiver counts the `order_created` events.
pub async fn throughput(
    target: &Target<'_>,
    orders: u64,
    secs: f64,
    window: usize,
    round: usize,
) -> anyhow::Result<ThroughputRound> {
    // Distinct per receiver count: the order number is also the idempotency key.
    let prefix = format!("T{round}r{}-", target.receivers());
    let expected = Arc::new(AtomicU64::new(u64::MAX));
    let send_for = Duration::from_secs_f64(secs);
    let mut readers: Vec<JoinHandle<anyhow::Result<Counted>>> = Vec::new();
    let mut give_up = Instant::now() + send_for + DRAIN + DRAIN;
    for i in 0..target.receivers() {
        let socket = target.receiver(i).await?;
        let (prefix, expected) = (prefix.clone(), expected.clone());
        readers.push(tokio::spawn(async move {
            count_events(socket, &prefix, &expected, give_up, i == 0).await
        }));
    }
    let sender = target.sender().await?;
    let (mut sink, stream): (SplitSink<WsStream, Message>, _) = sender.split();
    let permits = Arc::new(Semaphore::new(window));
    give_up = give_up.max(Instant::now() + send_for + DRAIN);
    let acks = tokio::spawn(count_acks(
        stream,
        expected.clone(),
        Some(permits.clone()),
        None,
        give_up,
    ));

    let meter = CpuMeter::start(target);
    let start = Instant::now();
    let mut sent = 0;
    while sent < orders && start.elapsed() < send_for {
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                // The window is full: send what is queued, wait for an ack.
                sink.flush().await?;
                tokio::time::timeout(client::WAIT, permits.clone().acquire_owned())
                    .await
                    .context("no ack for 10 s")??
            }
        };
        permit.forget();
        let frame = target.order_frame(&format!("{prefix}{sent}"));
        sink.feed(Message::Text(frame.into())).await?;
        sent += 1;
    }
    sink.flush().await?;
    expected.store(sent, Ordering::Release);
    let acks = acks.await.context("the ack reader panicked")??;
    let mut counted = Vec::new();
    for reader in readers {
        counted.push(reader.await.context("a receiver panicked")??);
    }
    let cpu = meter.stop(target);
    let _ = sink.close().await;
    let last_event = counted.iter().filter_map(|c| c.last).max();
    let secs_to = |t: Option<Instant>| t.map_or(f64::NAN, |t| (t - start).as_secs_f64());
    Ok(ThroughputRound {
        sent,
        acked: acks.acked,
        errors: acks.errors,
        delivered: counted.iter().map(|c| c.count).sum(),
        expected_deliveries: sent * target.receivers() as u64,
        delivery_secs: secs_to(last_event),
        commit_secs: secs_to(acks.last_ack),
        transactions: counted.first().map_or(0, |c| c.transactions),
        cpu,
    })
}

struct Counted {
    count: u64,
    last: Option<Instant>,
    transactions: u64,
}

async fn count_events(
    mut socket: Client,
    prefix: &str,
    expected: &AtomicU64,
    give_up: Instant,
    count_transactions: bool,
) -> anyhow::Result<Counted> {
    let mut counted = Counted {
        count: 0,
        last: None,
        transactions: 0,
    };
    let mut last_at = String::new();
    while counted.count < expected.load(Ordering::Acquire) && Instant::now() < give_up {
        let Some(text) = next_text(&mut socket).await? else {
            continue;
        };
        let arrived = Instant::now();
        let frame = Light::parse(&text)?;
        if !frame.created_order().is_some_and(|n| n.starts_with(prefix)) {
            continue;
        }
        counted.count += 1;
        counted.last = Some(arrived);
        // Every event of one group commit carries the same commit time.
        if count_transactions && let Some(at) = frame.at.filter(|at| *at != last_at) {
            counted.transactions += 1;
            last_at.clear();
            last_at.push_str(at);
        }
    }
    close(socket).await;
    Ok(counted)
}

struct Acks {
    acked: u64,
    errors: Vec<String>,
    last_ack: Option<Instant>,
    /// Send to ack per order, when sends were timed (ms).
    commit_ms: Vec<f64>,
}

/// When each order was sent, to time its ack.
struct AckTiming {
    prefix: String,
    sent_at: Arc<Vec<AtomicU64>>,
    base: Instant,
}

/// Reads the sender's answers until every sent command is answered (or time is up);
/// each answer frees a place in the window.
async fn count_acks(
    mut stream: SplitStream<WsStream>,
    expected: Arc<AtomicU64>,
    permits: Option<Arc<Semaphore>>,
    timing: Option<AckTiming>,
    give_up: Instant,
) -> anyhow::Result<Acks> {
    let mut acks = Acks {
        acked: 0,
        errors: Vec::new(),
        last_ack: None,
        commit_ms: Vec::new(),
    };
    while acks.acked + (acks.errors.len() as u64) < expected.load(Ordering::Acquire)
        && Instant::now() < give_up
    {
        let frame = match tokio::time::timeout(POLL, stream.next()).await {
            Err(_) => continue,
            Ok(None) => bail!("the server closed the sender's socket"),
            Ok(Some(Err(e))) => return Err(e).context("reading the sender's socket"),
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => continue,
        };
        let now = Instant::now();
        let frame = Light::parse(&frame)?;
        match frame.kind {
            "ack" => {
                acks.acked += 1;
                acks.last_ack = Some(now);
                if let Some(t) = &timing {
                    let sent = frame
                        .key
                        .and_then(|k| order_index(k, &t.prefix))
                        .and_then(|n| t.sent_at.get(n))
                        .map(|s| s.load(Ordering::Acquire));
                    if let Some(sent) = sent.filter(|&s| s > 0) {
                        let acked = u64::try_from((now - t.base).as_nanos()).unwrap_or(u64::MAX);
                        acks.commit_ms.push(acked.saturating_sub(sent) as f64 / 1e6);
                    }
                }
            }
            "error" => acks.errors.push(format!(
                "{} ({})",
                frame.code.unwrap_or("?"),
                frame.key.unwrap_or("no key")
            )),
            _ => continue,
        }
        if let Some(permits) = &permits {
            permits.add_permits(1);
        }
    }
    Ok(acks)
}

/// A paired device's socket, subscribed from the current head (no replay, no snapshot).
async fn subscribed(endpoint: &Endpoint, device: &Device) -> anyhow::Result<Client> {
    let (mut socket, head_seq) = auth(endpoint, device).await?;
    socket.subscribe(head_seq).await?;
    Ok(socket)
}

/// The next text frame, or `None` after [`POLL`] without one.
async fn next_text(socket: &mut Client) -> anyhow::Result<Option<Utf8Bytes>> {
    match tokio::time::timeout(POLL, socket.ws.next()).await {
        Err(_) => Ok(None),
        Ok(None) => bail!("the server dropped a receiver"),
        Ok(Some(Err(e))) => Err(e).context("reading a receiver's socket"),
        Ok(Some(Ok(Message::Text(text)))) => Ok(Some(text)),
        Ok(Some(Ok(Message::Close(frame)))) => bail!("the server closed a receiver: {frame:?}"),
        Ok(Some(Ok(_))) => Ok(None),
    }
}

async fn close(mut socket: Client) {
    let _ = tokio::time::timeout(Duration::from_secs(2), socket.ws.close(None)).await;
}

fn nanos_since(base: Instant) -> u64 {
    u64::try_from(base.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
