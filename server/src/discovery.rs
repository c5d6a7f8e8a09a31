//! UDP discovery responder: answers clients' probes so they find this server's WebSocket.
//!
//! The packets and the rules both sides follow are in [`packbell_shared::discovery`].
//! This side adds:
//! - the socket binds the wildcard address whatever the WebSocket's bind address, because
//!   a socket bound to one address (127.0.0.1, a LAN address) does not receive broadcasts;
//! - replies are rate-limited per source IP address (token bucket, bounded table);
//! - nothing received ends the loop: every bad packet or socket error is logged (at most
//!   one line per [`LOG_EVERY`] and kind of problem) and the next datagram is read.
//!
//! **Malformed probes never get a reply, and never take a place in the rate-limit table.**

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use packbell_shared::discovery::{
    DecodeError, FieldError, MAX_DATAGRAM, Probe, Reply, WIRE_PROTOCOL_VERSION,
};
use tokio::net::UdpSocket;
use tracing::{debug, info, instrument, warn};

/// Replies one source IP may get at once, after being quiet: a client's probe attempts
/// (3 by default) several times over. Probes beyond it get no reply.
pub const REPLY_BURST_PER_SOURCE: u32 = 10;

/// Sustained replies per second per source IP once its burst is spent.
pub const REPLIES_PER_SECOND_PER_SOURCE: u32 = 10;

/// Source IPs tracked by the rate limiter. When full, sources idle long enough to have a
/// full bucket are forgotten (at most once per [`SWEEP_EVERY`]); if none is, probes from
/// new sources get no reply until room is made.
pub const MAX_TRACKED_SOURCES: usize = 4096;

/// Shortest time between two sweeps of a full table, so a flood of new sources costs a
/// sweep per second, not one per packet.
pub const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// Shortest time between two log lines about the same kind of problem; lines in between
/// are counted and the count is reported with the next line.
pub const LOG_EVERY: Duration = Duration::from_secs(5);

/// Pause after a failed receive (other than the benign ones), so a socket stuck in error
/// does not spin a core.
const RECV_ERROR_PAUSE: Duration = Duration::from_millis(50);

/// What the responder announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryInfo {
    /// This server's site name, 1 to 64 UTF-8 bytes; probes for other sites get no reply.
    pub site: String,
    /// Stable id of this server, 1 to 64 printable ASCII bytes.
    pub server_id: String,
    /// Port the WebSocket listener is actually bound to (never 0).
    pub ws_port: u16,
}

impl DiscoveryInfo {
    /// Checks that this can be announced, as [`serve`] does before anything else; lets the
    /// caller refuse to start instead of losing the error of a spawned task.
    pub fn validate(&self) -> Result<(), FieldError> {
        self.reply().encode().map(drop)
    }

    fn reply(&self) -> Reply {
        Reply {
            protocol: WIRE_PROTOCOL_VERSION,
            ws_port: self.ws_port,
            site: self.site.clone(),
            server_id: self.server_id.clone(),
        }
    }
}

/// Binds the discovery socket to `0.0.0.0:port` (`port` 0 picks a free one, for tests).
///
/// Always the wildcard address: a socket bound to 127.0.0.1 or to a LAN address does not
/// receive broadcasts sent to 127.255.255.255 or to the LAN's broadcast address.
/// Must be called within a tokio runtime.
pub fn bind_responder(port: u16) -> io::Result<UdpSocket> {
    let socket = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, port))?;
    socket.set_nonblocking(true)?;
    UdpSocket::from_std(socket)
}

/// Answers probes on `socket` until `shutdown` resolves, then returns `Ok(())`.
///
/// A well-formed probe for any site or for `info.site` gets `info` back by unicast to the
/// probe's source, unless that source has used up its replies
/// ([`REPLY_BURST_PER_SOURCE`], [`REPLIES_PER_SECOND_PER_SOURCE`]).
///
/// Fails at once, before reading anything, if `info` cannot be put in a reply (see
/// [`DiscoveryInfo`]'s fields); after that nothing ends the loop but `shutdown`.
#[instrument(name = "discovery", skip_all, fields(site = %info.site, server_id = %info.server_id))]
pub async fn serve(
    socket: UdpSocket,
    info: DiscoveryInfo,
    shutdown: impl Future<Output = ()>,
) -> Result<(), FieldError> {
    let mut responder = Responder::new(info)?;
    match socket.local_addr() {
        Ok(addr) => info!(%addr, "discovery responder listening"),
        Err(error) => warn!(%error, "discovery responder listening on an unknown address"),
    }
    let mut shutdown = std::pin::pin!(shutdown);
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            received = socket.recv_from(&mut buf) => match received {
                Ok((len, from)) => responder.answer(&socket, &buf[..len], from).await,
                Err(error) => responder.receive_failed(error).await,
            },
        }
    }
    info!("discovery responder stopped");
    Ok(())
}

/// The addresses clients can reach the WebSocket at: `bind` itself, or, when it is the
/// wildcard address, every IPv4 address of this PC's cards that are up (loopback last).
pub fn listen_addresses(bind: IpAddr, ws_port: u16) -> Vec<SocketAddr> {
    if !bind.is_unspecified() {
        return vec![SocketAddr::new(bind, ws_port)];
    }
    let mut addresses: Vec<SocketAddr> = match packbell_shared::discovery::probed_networks(0) {
        networks if !networks.is_empty() => networks
            .iter()
            .map(|network| SocketAddr::new(IpAddr::V4(network.local), ws_port))
            .collect(),
        _ => Vec::new(),
    };
    addresses.push(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), ws_port));
    addresses
}

/// Whether a responder answers on `port` of this PC: one probe to 127.0.0.1, the answer
/// (site and id) or `None`. Loopback only, so it says nothing of firewalls on the cards.
pub async fn answers_on_loopback(port: u16) -> Option<packbell_shared::discovery::FoundServer> {
    let target = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    packbell_shared::discovery::discover(
        &[target],
        None,
        packbell_shared::discovery::DiscoverOptions {
            attempts: 2,
            interval: Duration::from_millis(200),
            timeout: Duration::from_millis(500),
        },
    )
    .await
    .ok()
    .and_then(|found| found.into_iter().next())
}

/// State of the responder loop; everything but the socket.
struct Responder {
    /// Probes for another (non-empty) site get no reply.
    site: String,
    /// The reply, encoded once: it is the same for every probe.
    reply: Vec<u8>,
    limiter: RateLimiter,
    /// Throttles the debug lines about probes that got no reply.
    dropped_log: LogThrottle,
    /// Throttles the warnings about failed sends and receives.
    error_log: LogThrottle,
}

/// What to do with one datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Reply,
    Malformed(DecodeError),
    OtherSite,
    RateLimited,
    TooManySources,
}

impl Responder {
    fn new(info: DiscoveryInfo) -> Result<Responder, FieldError> {
        Ok(Responder {
            reply: info.reply().encode()?,
            site: info.site,
            limiter: RateLimiter::default(),
            dropped_log: LogThrottle::default(),
            error_log: LogThrottle::default(),
        })
    }

    async fn answer(&mut self, socket: &UdpSocket, datagram: &[u8], from: SocketAddr) {
        let now = Instant::now();
        match self.judge(datagram, from.ip(), now) {
            Verdict::Reply => {
                if let Err(error) = socket.send_to(&self.reply, from).await
                    && let Some(suppressed) = self.error_log.allow(now)
                {
                    warn!(%from, %error, suppressed, "discovery reply not sent");
                }
            }
            verdict => {
                if let Some(suppressed) = self.dropped_log.allow(now) {
                    debug!(%from, ?verdict, suppressed, "discovery probe not answered");
                }
            }
        }
    }

    /// Decides, without I/O, whether `datagram` from `source` deserves a reply.
    fn judge(&mut self, datagram: &[u8], source: IpAddr, now: Instant) -> Verdict {
        let probe = match Probe::decode(datagram) {
            Ok(probe) => probe,
            Err(error) => return Verdict::Malformed(error),
        };
        if probe.site.is_some_and(|site| site != self.site) {
            return Verdict::OtherSite;
        }
        self.limiter.check(source, now)
    }

    async fn receive_failed(&mut self, error: io::Error) {
        // Windows reports an ICMP "port unreachable" caused by an earlier reply as a
        // failed receive; the socket is fine and the next datagram is waiting.
        let benign = matches!(
            error.kind(),
            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionRefused
        );
        if let Some(suppressed) = self.error_log.allow(Instant::now()) {
            warn!(%error, suppressed, "discovery receive failed");
        }
        if !benign {
            tokio::time::sleep(RECV_ERROR_PAUSE).await;
        }
    }
}

/// Token buckets per source IP, in a table of at most [`MAX_TRACKED_SOURCES`] entries.
#[derive(Debug, Default)]
struct RateLimiter {
    buckets: HashMap<IpAddr, Bucket>,
    /// When the full table was last swept; `None` before the first sweep.
    last_sweep: Option<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Replies this source may still get now; refills at the sustained rate up to the burst.
    tokens: f64,
    /// When `tokens` was last brought up to date.
    updated: Instant,
}

const BURST: f64 = REPLY_BURST_PER_SOURCE as f64;
const RATE: f64 = REPLIES_PER_SECOND_PER_SOURCE as f64;

impl Bucket {
    fn tokens_at(&self, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        (self.tokens + elapsed * RATE).min(BURST)
    }
}

impl RateLimiter {
    /// Takes one reply from `source`'s bucket: [`Verdict::Reply`] if there was one.
    fn check(&mut self, source: IpAddr, now: Instant) -> Verdict {
        if !self.buckets.contains_key(&source)
            && self.buckets.len() >= MAX_TRACKED_SOURCES
            && !self.make_room(now)
        {
            return Verdict::TooManySources;
        }
        let bucket = self.buckets.entry(source).or_insert(Bucket {
            tokens: BURST,
            updated: now,
        });
        let tokens = bucket.tokens_at(now);
        let verdict = if tokens >= 1.0 {
            Verdict::Reply
        } else {
            Verdict::RateLimited
        };
        bucket.tokens = if verdict == Verdict::Reply {
            tokens - 1.0
        } else {
            tokens
        };
        bucket.updated = now;
        verdict
    }

    /// Forgets the sources whose bucket is full again (forgetting them changes nothing),
    /// unless the table was swept less than [`SWEEP_EVERY`] ago. True if there is room now.
    fn make_room(&mut self, now: Instant) -> bool {
        if self
            .last_sweep
            .is_some_and(|last| now.saturating_duration_since(last) < SWEEP_EVERY)
        {
            return false;
        }
        self.last_sweep = Some(now);
        self.buckets
            .retain(|_, bucket| bucket.tokens_at(now) < BURST);
        self.buckets.len() < MAX_TRACKED_SOURCES
    }
}

/// Lets one log line through per [`LOG_EVERY`] and counts the ones held back.
#[derive(Debug, Default)]
struct LogThrottle {
    /// Lines are held back until then; `None` before the first line.
    quiet_until: Option<Instant>,
    suppressed: u64,
}

impl LogThrottle {
    /// `Some(lines held back since the last one)` if a line may be logged now.
    fn allow(&mut self, now: Instant) -> Option<u64> {
        if self.quiet_until.is_some_and(|until| now < until) {
            self.suppressed += 1;
            return None;
        }
        self.quiet_until = Some(now + LOG_EVERY);
        Some(std::mem::take(&mut self.suppressed))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests {
    use super::*;

    fn ip(last: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(0x0A00_0000 + last))
    }

    fn replies(limiter: &mut RateLimiter, source: IpAddr, probes: u32, now: Instant) -> u32 {
        (0..probes)
            .map(|_| limiter.check(source, now))
            .filter(|verdict| *verdict == Verdict::Reply)
            .count()
            .try_into()
            .unwrap()
    }

    #[test]
    fn a_source_gets_its_burst_then_the_sustained_rate() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        assert_eq!(
            replies(&mut limiter, ip(1), 50, start),
            REPLY_BURST_PER_SOURCE
        );
        assert_eq!(
            replies(&mut limiter, ip(2), 1, start),
            1,
            "sources are independent"
        );
        let one_second = start + Duration::from_secs(1);
        assert_eq!(
            replies(&mut limiter, ip(1), 50, one_second),
            REPLIES_PER_SECOND_PER_SOURCE
        );
        let later = one_second + Duration::from_secs(60);
        assert_eq!(
            replies(&mut limiter, ip(1), 50, later),
            REPLY_BURST_PER_SOURCE
        );
    }

    #[test]
    fn the_table_is_bounded_and_forgets_idle_sources() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        let sources = u32::try_from(MAX_TRACKED_SOURCES).unwrap();
        for n in 0..sources {
            assert_eq!(limiter.check(ip(n), start), Verdict::Reply);
        }
        assert_eq!(limiter.check(ip(sources), start), Verdict::TooManySources);
        assert_eq!(
            limiter.check(ip(0), start),
            Verdict::Reply,
            "known sources still served"
        );

        // Once the buckets are full again the sweep forgets them; one sweep per SWEEP_EVERY.
        let refilled = start + Duration::from_secs(2);
        assert_eq!(limiter.check(ip(sources), refilled), Verdict::Reply);
        assert!(limiter.buckets.len() <= 2);
    }

    #[test]
    fn a_full_table_of_busy_sources_is_swept_at_most_once_per_interval() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        let sources = u32::try_from(MAX_TRACKED_SOURCES).unwrap();
        for n in 0..sources {
            limiter.check(ip(n), start);
        }
        let soon = start + Duration::from_millis(10);
        assert_eq!(limiter.check(ip(sources), soon), Verdict::TooManySources);
        assert_eq!(limiter.last_sweep, Some(soon));
        assert_eq!(
            limiter.check(ip(sources + 1), soon + SWEEP_EVERY / 2),
            Verdict::TooManySources
        );
        assert_eq!(
            limiter.last_sweep,
            Some(soon),
            "no second sweep within SWEEP_EVERY"
        );
        assert_eq!(limiter.buckets.len(), MAX_TRACKED_SOURCES);
    }

    #[test]
    fn judge_replies_only_to_well_formed_probes_for_our_site() {
        let mut responder = Responder::new(DiscoveryInfo {
            site: "main".to_owned(),
            server_id: "srv-1".to_owned(),
            ws_port: 47801,
        })
        .unwrap();
        let now = Instant::now();
        let probe = |site: Option<&str>| Probe::new(site).encode().unwrap();
        assert_eq!(responder.judge(&probe(None), ip(1), now), Verdict::Reply);
        assert_eq!(
            responder.judge(&probe(Some("main")), ip(1), now),
            Verdict::Reply
        );
        assert_eq!(
            responder.judge(&probe(Some("Main")), ip(1), now),
            Verdict::OtherSite
        );
        assert!(matches!(
            responder.judge(&probe(None)[..255], ip(1), now),
            Verdict::Malformed(DecodeError::ProbeLength { len: 255 })
        ));
        assert!(
            responder.limiter.buckets.len() == 1,
            "only answered sources take a place"
        );
    }

    #[test]
    fn info_that_cannot_be_sent_is_refused() {
        let info = DiscoveryInfo {
            site: "main".to_owned(),
            server_id: "srv-1".to_owned(),
            ws_port: 0,
        };
        assert_eq!(info.validate(), Err(FieldError::ZeroWsPort));
        assert_eq!(Responder::new(info).err(), Some(FieldError::ZeroWsPort));
    }

    #[test]
    fn log_throttle_lets_one_line_through_per_interval() {
        let mut throttle = LogThrottle::default();
        let start = Instant::now();
        assert_eq!(throttle.allow(start), Some(0));
        assert_eq!(throttle.allow(start + Duration::from_secs(1)), None);
        assert_eq!(throttle.allow(start + Duration::from_secs(2)), None);
        assert_eq!(throttle.allow(start + LOG_EVERY), Some(2));
    }
}
