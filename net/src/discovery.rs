//! The client's half of discovery: where probes go, [`discover`] and what it returns.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::time::Instant;
use tracing::{debug, warn};

use packbell_protocol::discovery::{
    DecodeError, MAX_DATAGRAM, Probe, Reply, WIRE_PROTOCOL_VERSION,
};

/// How many times [`discover`] sends its probe by default: UDP may drop one.
pub const DEFAULT_ATTEMPTS: u32 = 3;

/// Default pause between two probes of one [`discover`] call.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(250);

/// Default wait for replies after the last probe; a LAN answers within milliseconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// Where probes go when nothing else is configured: the directed broadcast address of
/// every up, non-loopback, non-point-to-point IPv4 interface, then the limited broadcast
/// address 255.255.255.255 (which some systems send on one interface only), all on `port`.
///
/// If the interfaces cannot be listed, the failure is logged and only 255.255.255.255 is
/// returned.
pub fn default_targets(port: u16) -> Vec<SocketAddr> {
    let mut addresses: Vec<Ipv4Addr> = match if_addrs::get_if_addrs() {
        Ok(interfaces) => interfaces.iter().filter_map(directed_broadcast).collect(),
        Err(error) => {
            warn!(%error, "cannot list network interfaces; probing 255.255.255.255 only");
            Vec::new()
        }
    };
    addresses.push(Ipv4Addr::BROADCAST);
    let mut targets: Vec<SocketAddr> = Vec::with_capacity(addresses.len());
    for address in addresses {
        let target = SocketAddr::from((address, port));
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    targets
}

/// One network this PC probes: an interface's name, its own IPv4 address and prefix,
/// and where the probe for that network goes (its directed broadcast address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbedNetwork {
    pub interface: String,
    pub local: Ipv4Addr,
    pub prefix_len: u8,
    pub target: SocketAddr,
}

impl ProbedNetwork {
    /// Whether `address` lies on this network (same prefix as the interface's address).
    pub fn contains(&self, address: IpAddr) -> bool {
        let IpAddr::V4(address) = address else {
            return false;
        };
        let mask = u32::MAX
            .checked_shl(32 - u32::from(self.prefix_len.min(32)))
            .unwrap_or(0);
        u32::from(address) & mask == u32::from(self.local) & mask
    }
}

/// The networks [`default_targets`] probes, one per interface that has a usable
/// broadcast address, so a window can show which cards were asked. Empty when the
/// interfaces cannot be listed (the failure is logged).
pub fn probed_networks(port: u16) -> Vec<ProbedNetwork> {
    let interfaces = match if_addrs::get_if_addrs() {
        Ok(interfaces) => interfaces,
        Err(error) => {
            warn!(%error, "cannot list network interfaces");
            return Vec::new();
        }
    };
    interfaces
        .iter()
        .filter_map(|interface| {
            let broadcast = directed_broadcast(interface)?;
            let if_addrs::IfAddr::V4(v4) = &interface.addr else {
                return None;
            };
            Some(ProbedNetwork {
                interface: interface.name.clone(),
                local: v4.ip,
                prefix_len: v4.prefixlen,
                target: SocketAddr::from((broadcast, port)),
            })
        })
        .collect()
}

/// The broadcast address of an interface that has a usable one.
fn directed_broadcast(interface: &if_addrs::Interface) -> Option<Ipv4Addr> {
    if interface.is_loopback() || !interface.is_oper_up() || interface.is_p2p() {
        return None;
    }
    match &interface.addr {
        if_addrs::IfAddr::V4(v4) => usable_broadcast(v4),
        if_addrs::IfAddr::V6(_) => None,
    }
}

/// `None` for a /31 or /32 (no broadcast address: the broadcast would be a host).
fn usable_broadcast(v4: &if_addrs::Ifv4Addr) -> Option<Ipv4Addr> {
    v4.broadcast
        .filter(|broadcast| v4.prefixlen < 31 && *broadcast != v4.ip && !broadcast.is_loopback())
}

/// How hard [`discover`] tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscoverOptions {
    /// Probes sent to each target; 0 counts as 1.
    pub attempts: u32,
    /// Pause between two probes.
    pub interval: Duration,
    /// How long replies are still collected after the last probe.
    pub timeout: Duration,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions {
            attempts: DEFAULT_ATTEMPTS,
            interval: DEFAULT_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// A server that answered, speaking our protocol.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FoundServer {
    /// Where its WebSocket listens: the address the reply came from, port `ws_port`.
    pub ws_addr: SocketAddr,
    pub site: String,
    pub server_id: String,
    /// Its protocol version: always [`WIRE_PROTOCOL_VERSION`], since others are ignored.
    pub protocol: u16,
}

/// Probes `targets` and returns the servers that answered, sorted by site then address.
///
/// With `site` set (and not empty), only servers of that site are returned. One UDP socket
/// (IPv4, broadcast allowed, bound to `0.0.0.0:0`) sends the probe to every target
/// `options.attempts` times, `options.interval` apart, then waits `options.timeout` more.
/// Malformed replies, replies of another protocol version and of another site are ignored;
/// a server that answers several times is listed once, at the address of its first reply.
/// Runs on the caller's tokio runtime; returns after about
/// `interval * (attempts - 1) + timeout`.
///
/// Errors: `InvalidInput` when `targets` is empty or `site` is longer than
/// [`MAX_SITE_BYTES`](packbell_protocol::discovery::MAX_SITE_BYTES); the socket's error if it cannot be
/// opened; the last send error when not a single probe could be sent (no network, for
/// instance). A send that fails for some targets only is logged at debug level and
/// otherwise ignored.
pub async fn discover(
    targets: &[SocketAddr],
    site: Option<&str>,
    options: DiscoverOptions,
) -> io::Result<Vec<FoundServer>> {
    let probe = Probe::new(site);
    let packet = probe
        .encode()
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
    if targets.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "no discovery targets",
        ));
    }
    let socket = probe_socket()?;
    let mut collector = Collector {
        site: probe.site.as_deref(),
        found: HashMap::new(),
    };
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let attempts = options.attempts.max(1);
    let mut sent_any = false;
    for attempt in 1..=attempts {
        let round_start = Instant::now();
        let sent = send_to_all(&socket, &packet, targets).await;
        let last_round = attempt == attempts;
        match sent {
            Ok(()) => sent_any = true,
            Err(error) if last_round && !sent_any => return Err(error),
            Err(_) => {}
        }
        let wait = if last_round {
            options.timeout
        } else {
            options.interval
        };
        collect_until(&socket, &mut buf, round_start + wait, &mut collector).await;
    }
    Ok(collector.into_sorted())
}

/// An IPv4 UDP socket that may send to broadcast addresses, on an ephemeral port.
fn probe_socket() -> io::Result<UdpSocket> {
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_broadcast(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)).into())?;
    UdpSocket::from_std(socket.into())
}

/// Sends `packet` to every target; succeeds when at least one send did.
async fn send_to_all(socket: &UdpSocket, packet: &[u8], targets: &[SocketAddr]) -> io::Result<()> {
    let mut last_error = None;
    let mut sent_any = false;
    for target in targets {
        match socket.send_to(packet, target).await {
            Ok(_) => sent_any = true,
            Err(error) => {
                debug!(%target, %error, "discovery probe not sent");
                last_error = Some(error);
            }
        }
    }
    match last_error {
        Some(error) if !sent_any => Err(error),
        _ => Ok(()),
    }
}

/// Receives replies until `until`.
async fn collect_until(
    socket: &UdpSocket,
    buf: &mut [u8],
    until: Instant,
    collector: &mut Collector<'_>,
) {
    loop {
        match tokio::time::timeout_at(until, socket.recv_from(buf)).await {
            Err(_elapsed) => return,
            Ok(Ok((len, from))) => collector.offer(&buf[..len], from),
            // Windows reports an ICMP "port unreachable" from an earlier send this way;
            // the socket stays usable.
            Ok(Err(error)) => debug!(%error, "discovery receive failed"),
        }
    }
}

/// The servers found so far, by server id.
struct Collector<'a> {
    /// The site asked for; `None` accepts every site.
    site: Option<&'a str>,
    found: HashMap<String, FoundServer>,
}

/// Why a received datagram was not taken as a server.
#[derive(Debug, thiserror::Error)]
enum Ignored {
    #[error("malformed reply: {0}")]
    Malformed(#[from] DecodeError),
    #[error("server speaks protocol {0}")]
    OtherProtocol(u16),
    #[error("server is of site {0:?}")]
    OtherSite(String),
}

impl Collector<'_> {
    fn offer(&mut self, bytes: &[u8], from: SocketAddr) {
        match self.accept(bytes, from.ip()) {
            Ok(server) => {
                self.found.entry(server.server_id.clone()).or_insert(server);
            }
            Err(reason) => debug!(%from, %reason, "discovery reply ignored"),
        }
    }

    fn accept(&self, bytes: &[u8], from: IpAddr) -> Result<FoundServer, Ignored> {
        let reply = Reply::decode(bytes)?;
        if reply.protocol != WIRE_PROTOCOL_VERSION {
            return Err(Ignored::OtherProtocol(reply.protocol));
        }
        if self.site.is_some_and(|site| site != reply.site) {
            return Err(Ignored::OtherSite(reply.site));
        }
        Ok(FoundServer {
            ws_addr: SocketAddr::new(from, reply.ws_port),
            site: reply.site,
            server_id: reply.server_id,
            protocol: reply.protocol,
        })
    }

    fn into_sorted(self) -> Vec<FoundServer> {
        let mut servers: Vec<FoundServer> = self.found.into_values().collect();
        servers.sort_by(|a, b| {
            (&a.site, a.ws_addr, &a.server_id).cmp(&(&b.site, b.ws_addr, &b.server_id))
        });
        servers
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddr};

    use packbell_protocol::discovery::DEFAULT_DISCOVERY_PORT;

    use super::*;

    #[test]
    fn usable_broadcast_skips_host_routes() {
        let v4 = |ip: [u8; 4], prefixlen: u8, broadcast: Option<[u8; 4]>| if_addrs::Ifv4Addr {
            ip: ip.into(),
            netmask: Ipv4Addr::from(u32::MAX.checked_shl(32 - u32::from(prefixlen)).unwrap_or(0)),
            prefixlen,
            broadcast: broadcast.map(Ipv4Addr::from),
        };
        let lan = v4([192, 168, 1, 20], 24, Some([192, 168, 1, 255]));
        assert_eq!(
            usable_broadcast(&lan),
            Some(Ipv4Addr::new(192, 168, 1, 255))
        );
        assert_eq!(usable_broadcast(&v4([10, 0, 0, 1], 24, None)), None);
        assert_eq!(
            usable_broadcast(&v4([10, 0, 0, 1], 32, Some([10, 0, 0, 1]))),
            None
        );
        assert_eq!(
            usable_broadcast(&v4([10, 0, 0, 0], 31, Some([10, 0, 0, 1]))),
            None
        );
    }

    #[test]
    fn a_network_contains_the_addresses_of_its_prefix_only() {
        let network = ProbedNetwork {
            interface: "eth1".into(),
            local: Ipv4Addr::new(10, 77, 2, 3),
            prefix_len: 24,
            target: SocketAddr::from(([10, 77, 2, 255], DEFAULT_DISCOVERY_PORT)),
        };
        assert!(network.contains(IpAddr::from([10, 77, 2, 200])));
        assert!(!network.contains(IpAddr::from([10, 77, 1, 2])));
        assert!(!network.contains(IpAddr::from(std::net::Ipv6Addr::LOCALHOST)));
    }

    #[test]
    fn default_targets_end_with_the_limited_broadcast() {
        let targets = default_targets(DEFAULT_DISCOVERY_PORT);
        let limited = SocketAddr::from((Ipv4Addr::BROADCAST, DEFAULT_DISCOVERY_PORT));
        assert_eq!(targets.last(), Some(&limited));
        assert!(targets.iter().all(|target| !target.ip().is_loopback()));
    }
}
