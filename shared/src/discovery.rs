//! UDP discovery: how a client finds the server on the LAN without being told its address.
//!
//! A client sends a [`Probe`] to UDP port [`DEFAULT_DISCOVERY_PORT`], normally on the
//! broadcast addresses of its network interfaces ([`default_targets`]). Every server that
//! hears it and serves the site asked for answers with a [`Reply`], sent by unicast to the
//! probe's source address and port. The client then opens its WebSocket to the replier's
//! IP address on the reply's `ws_port`. [`discover`] does the client's half of this.
//!
//! **This module is the whole contract of discovery; the server's responder and any third
//! party implementation follow it.**
//!
//! # Wire format
//!
//! One packet per UDP datagram, binary. Integers are unsigned and big-endian (network byte
//! order). Both packets start with the same 7-byte header:
//!
//! | offset | size | field      | value                                                     |
//! |-------:|-----:|------------|-----------------------------------------------------------|
//! | 0      | 4    | `magic`    | ASCII `PKBL`: bytes `50 4B 42 4C` ([`MAGIC`])              |
//! | 4      | 1    | `kind`     | `1` probe ([`KIND_PROBE`]), `2` reply ([`KIND_REPLY`])     |
//! | 5      | 2    | `protocol` | WebSocket protocol version the sender speaks ([`WIRE_PROTOCOL_VERSION`]) |
//!
//! The layout of the packets does not depend on `protocol`: a peer of any version can read
//! every field. `protocol` only tells the peer whether the two can talk over WebSocket.
//!
//! ## Probe (kind 1): exactly [`PROBE_LEN`] = 256 bytes
//!
//! | offset         | size       | field      | value                                        |
//! |---------------:|-----------:|------------|----------------------------------------------|
//! | 0              | 7          | header     | as above, `kind` = 1                         |
//! | 7              | 1          | `site_len` | 0 to 64 ([`MAX_SITE_BYTES`]); 0 means any site |
//! | 8              | `site_len` | `site`     | UTF-8 site name, no terminator               |
//! | 8 + `site_len` | the rest   | padding    | zero bytes up to offset 256                  |
//!
//! ## Reply (kind 2): 11 + `site_len` + `id_len` bytes, at most [`MAX_REPLY_LEN`] = 139
//!
//! | offset          | size       | field       | value                                      |
//! |----------------:|-----------:|-------------|--------------------------------------------|
//! | 0               | 7          | header      | as above, `kind` = 2                       |
//! | 7               | 2          | `ws_port`   | 1 to 65535: TCP port of the server's WebSocket listener |
//! | 9               | 1          | `site_len`  | 1 to 64 ([`MAX_SITE_BYTES`])               |
//! | 10              | `site_len` | `site`      | UTF-8 site name of the server              |
//! | 10 + `site_len` | 1          | `id_len`    | 1 to 64 ([`MAX_SERVER_ID_BYTES`])          |
//! | 11 + `site_len` | `id_len`   | `server_id` | printable ASCII (bytes `0x20` to `0x7E`)   |
//!
//! The reply has no padding: the datagram ends with the last byte of `server_id`.
//!
//! ## Rules
//!
//! - **A packet is malformed** when its length is wrong (a probe that is not exactly 256
//!   bytes, a reply shorter or longer than its length fields say), its magic or kind is
//!   wrong, a length field is out of its range, `site` is not valid UTF-8, `server_id` is
//!   not printable ASCII, `ws_port` is 0, or a padding byte is not zero. Receivers drop
//!   malformed packets without answering; a server never replies to a malformed probe.
//! - **A reply is never larger than the probe.** The probe is padded to 256 bytes so that
//!   a spoofed source address cannot turn a server into a traffic amplifier.
//! - A server answers every well-formed probe whose `site` is empty or equal, byte for
//!   byte, to its own, whatever `protocol` the probe carries; the reply carries the
//!   server's own `protocol`. It may drop probes to limit its reply rate per source address.
//! - A client keeps only replies whose `protocol` equals its own and, when it asked for a
//!   site, whose `site` equals it; it keeps one entry per `server_id`, since one server may
//!   answer several probes (several attempts, several interfaces).
//!
//! ## Example
//!
//! A probe for site `main` from a client speaking protocol 1:
//!
//! ```text
//! 50 4B 42 4C  01  00 01  04  6D 61 69 6E  00 00 00 … 00        (256 bytes in all)
//! ```
//!
//! The reply of server `srv-1` whose WebSocket listens on port 47801 (`0xBAB9`):
//!
//! ```text
//! 50 4B 42 4C  02  00 01  BA B9  04  6D 61 69 6E  05  73 72 76 2D 31   (20 bytes)
//! ```

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::protocol::PROTOCOL_VERSION;

/// UDP port servers listen on for probes unless configured otherwise.
pub const DEFAULT_DISCOVERY_PORT: u16 = 47800;

/// First four bytes of every discovery packet, so stray traffic on the port is told apart.
pub const MAGIC: [u8; 4] = *b"PKBL";

/// `kind` byte of a [`Probe`].
pub const KIND_PROBE: u8 = 1;

/// `kind` byte of a [`Reply`].
pub const KIND_REPLY: u8 = 2;

/// Size of the header every packet starts with: magic (4), kind (1), protocol (2).
pub const HEADER_LEN: usize = 7;

/// Exact size of a probe: padded so that no reply can ever be larger (no amplification).
pub const PROBE_LEN: usize = 256;

/// Longest site name on the wire, in UTF-8 bytes; fits a one-byte length with room to spare.
pub const MAX_SITE_BYTES: usize = 64;

/// Longest server id on the wire, in bytes; a UUID (36) fits with room for a prefix.
pub const MAX_SERVER_ID_BYTES: usize = 64;

/// Largest possible reply: header, ws_port, both length bytes, longest site and id.
pub const MAX_REPLY_LEN: usize = HEADER_LEN + 2 + 1 + MAX_SITE_BYTES + 1 + MAX_SERVER_ID_BYTES;

const _: () = assert!(
    MAX_REPLY_LEN <= PROBE_LEN,
    "a reply must never be larger than a probe"
);
const _: () = assert!(
    PROTOCOL_VERSION <= u16::MAX as u32,
    "protocol version must fit the u16 field"
);

/// [`PROTOCOL_VERSION`] as carried by the two-byte `protocol` field of discovery packets.
pub const WIRE_PROTOCOL_VERSION: u16 = PROTOCOL_VERSION as u16;

/// Receive buffer size: the largest UDP payload, so an oversized datagram is read whole
/// and rejected by its length instead of failing the receive (as Windows does).
pub const MAX_DATAGRAM: usize = 65_536;

/// How many times [`discover`] sends its probe by default: UDP may drop one.
pub const DEFAULT_ATTEMPTS: u32 = 3;

/// Default pause between two probes of one [`discover`] call.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(250);

/// Default wait for replies after the last probe; a LAN answers within milliseconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// A field that cannot be put on the wire (when encoding) or was found invalid (when decoding).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// Probe sites may be 0 to 64 bytes long, reply sites 1 to 64.
    #[error(
        "site is {len} bytes long; at most {MAX_SITE_BYTES} allowed (and at least 1 in a reply)"
    )]
    SiteLength { len: usize },
    #[error("site is not valid UTF-8")]
    SiteNotUtf8,
    #[error("server id is {len} bytes long; 1 to {MAX_SERVER_ID_BYTES} allowed")]
    ServerIdLength { len: usize },
    #[error("server id is not printable ASCII")]
    ServerIdNotPrintable,
    #[error("ws_port is 0")]
    ZeroWsPort,
}

/// Why bytes are not a valid packet of the kind asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("probe is {len} bytes long; exactly {PROBE_LEN} required")]
    ProbeLength { len: usize },
    #[error("packet ends before its last field")]
    Truncated,
    #[error("{extra} byte(s) after the last field")]
    TrailingBytes { extra: usize },
    #[error("magic is not \"PKBL\"")]
    BadMagic,
    #[error("kind is {found}, expected {expected}")]
    WrongKind { expected: u8, found: u8 },
    #[error("padding byte at offset {offset} is not zero")]
    NonZeroPadding { offset: usize },
    #[error(transparent)]
    Field(#[from] FieldError),
}

/// A client's question: "which servers of this site are there?"
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Probe {
    /// WebSocket protocol version the client speaks.
    pub protocol: u16,
    /// Only servers of this site should answer; `None` (or an empty name) asks every server.
    pub site: Option<String>,
}

impl Probe {
    /// The probe of a client of this build.
    pub fn new(site: Option<&str>) -> Probe {
        Probe {
            protocol: WIRE_PROTOCOL_VERSION,
            site: site.filter(|site| !site.is_empty()).map(str::to_owned),
        }
    }

    /// The 256 bytes on the wire. `Some("")` encodes like `None`: any site.
    pub fn encode(&self) -> Result<[u8; PROBE_LEN], FieldError> {
        let site = self.site.as_deref().unwrap_or_default();
        let site_len = site_len_byte(site, 0)?;
        let mut packet = Vec::with_capacity(PROBE_LEN);
        put_header(&mut packet, KIND_PROBE, self.protocol);
        packet.push(site_len);
        packet.extend_from_slice(site.as_bytes());
        let mut out = [0u8; PROBE_LEN];
        out[..packet.len()].copy_from_slice(&packet);
        Ok(out)
    }

    /// Reads a probe; any deviation from the format is an error (see the module docs).
    pub fn decode(bytes: &[u8]) -> Result<Probe, DecodeError> {
        if bytes.len() != PROBE_LEN {
            return Err(DecodeError::ProbeLength { len: bytes.len() });
        }
        let mut reader = Reader { rest: bytes };
        let protocol = reader.header(KIND_PROBE)?;
        let site = reader.site(0)?;
        if let Some(index) = reader.rest.iter().position(|&byte| byte != 0) {
            let offset = PROBE_LEN - reader.rest.len() + index;
            return Err(DecodeError::NonZeroPadding { offset });
        }
        let site = (!site.is_empty()).then(|| site.to_owned());
        Ok(Probe { protocol, site })
    }
}

/// A server's answer to a probe.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reply {
    /// WebSocket protocol version the server speaks.
    pub protocol: u16,
    /// TCP port of the server's WebSocket listener, on the address the reply came from.
    pub ws_port: u16,
    /// The server's site name, 1 to 64 UTF-8 bytes.
    pub site: String,
    /// Stable id of the server, 1 to 64 printable ASCII bytes.
    pub server_id: String,
}

impl Reply {
    /// The bytes on the wire, never more than [`MAX_REPLY_LEN`].
    pub fn encode(&self) -> Result<Vec<u8>, FieldError> {
        if self.ws_port == 0 {
            return Err(FieldError::ZeroWsPort);
        }
        let site_len = site_len_byte(&self.site, 1)?;
        let id_len = server_id_len_byte(self.server_id.as_bytes())?;
        let mut packet = Vec::with_capacity(MAX_REPLY_LEN);
        put_header(&mut packet, KIND_REPLY, self.protocol);
        packet.extend_from_slice(&self.ws_port.to_be_bytes());
        packet.push(site_len);
        packet.extend_from_slice(self.site.as_bytes());
        packet.push(id_len);
        packet.extend_from_slice(self.server_id.as_bytes());
        Ok(packet)
    }

    /// Reads a reply; any deviation from the format is an error (see the module docs).
    pub fn decode(bytes: &[u8]) -> Result<Reply, DecodeError> {
        let mut reader = Reader { rest: bytes };
        let protocol = reader.header(KIND_REPLY)?;
        let ws_port = u16::from_be_bytes(reader.array()?);
        if ws_port == 0 {
            return Err(FieldError::ZeroWsPort.into());
        }
        let site = reader.site(1)?.to_owned();
        let server_id = reader.server_id()?.to_owned();
        if !reader.rest.is_empty() {
            return Err(DecodeError::TrailingBytes {
                extra: reader.rest.len(),
            });
        }
        Ok(Reply {
            protocol,
            ws_port,
            site,
            server_id,
        })
    }
}

fn put_header(packet: &mut Vec<u8>, kind: u8, protocol: u16) {
    packet.extend_from_slice(&MAGIC);
    packet.push(kind);
    packet.extend_from_slice(&protocol.to_be_bytes());
}

/// Checks a site's length (`min_len` is 0 for probes, 1 for replies) and returns it as the
/// one-byte length field.
fn site_len_byte(site: &str, min_len: usize) -> Result<u8, FieldError> {
    let len = site.len();
    if !(min_len..=MAX_SITE_BYTES).contains(&len) {
        return Err(FieldError::SiteLength { len });
    }
    u8::try_from(len).map_err(|_| FieldError::SiteLength { len })
}

fn server_id_len_byte(id: &[u8]) -> Result<u8, FieldError> {
    let len = id.len();
    if !(1..=MAX_SERVER_ID_BYTES).contains(&len) {
        return Err(FieldError::ServerIdLength { len });
    }
    if !id.iter().all(|&byte| (0x20..=0x7E).contains(&byte)) {
        return Err(FieldError::ServerIdNotPrintable);
    }
    u8::try_from(len).map_err(|_| FieldError::ServerIdLength { len })
}

/// Reads fields front to back; every read checks that the bytes are there.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let (head, tail) = self
            .rest
            .split_at_checked(len)
            .ok_or(DecodeError::Truncated)?;
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let (head, tail) = self
            .rest
            .split_first_chunk::<N>()
            .ok_or(DecodeError::Truncated)?;
        self.rest = tail;
        Ok(*head)
    }

    /// Checks magic and kind; returns the protocol version.
    fn header(&mut self, kind: u8) -> Result<u16, DecodeError> {
        if self.array::<4>()? != MAGIC {
            return Err(DecodeError::BadMagic);
        }
        let [found] = self.array::<1>()?;
        if found != kind {
            return Err(DecodeError::WrongKind {
                expected: kind,
                found,
            });
        }
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// A length byte in `min_len..=MAX_SITE_BYTES`, then that many bytes of UTF-8.
    fn site(&mut self, min_len: usize) -> Result<&'a str, DecodeError> {
        let [len] = self.array::<1>()?;
        let len = usize::from(len);
        if !(min_len..=MAX_SITE_BYTES).contains(&len) {
            return Err(FieldError::SiteLength { len }.into());
        }
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map_err(|_| FieldError::SiteNotUtf8.into())
    }

    /// A length byte in `1..=MAX_SERVER_ID_BYTES`, then that many printable ASCII bytes.
    fn server_id(&mut self) -> Result<&'a str, DecodeError> {
        let [len] = self.array::<1>()?;
        let len = usize::from(len);
        if !(1..=MAX_SERVER_ID_BYTES).contains(&len) {
            return Err(FieldError::ServerIdLength { len }.into());
        }
        let bytes = self.take(len)?;
        server_id_len_byte(bytes)?;
        std::str::from_utf8(bytes).map_err(|_| FieldError::ServerIdNotPrintable.into())
    }
}

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
/// [`MAX_SITE_BYTES`]; the socket's error if it cannot be opened; the last send error
/// when not a single probe could be sent (no network, for instance). A send that fails
/// for some targets only is logged at debug level and otherwise ignored.
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
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn reply() -> Reply {
        Reply {
            protocol: 1,
            ws_port: 47801,
            site: "main".to_owned(),
            server_id: "srv-1".to_owned(),
        }
    }

    fn probe_for(site: &str) -> [u8; PROBE_LEN] {
        Probe {
            protocol: 1,
            site: Some(site.to_owned()),
        }
        .encode()
        .unwrap()
    }

    #[test]
    fn probe_matches_the_documented_example() {
        let bytes = probe_for("main");
        let head = [
            0x50, 0x4B, 0x42, 0x4C, 0x01, 0x00, 0x01, 0x04, 0x6D, 0x61, 0x69, 0x6E,
        ];
        assert_eq!(&bytes[..head.len()], &head);
        assert!(bytes[head.len()..].iter().all(|&byte| byte == 0));
    }

    #[test]
    fn reply_matches_the_documented_example() {
        let expected = [
            0x50, 0x4B, 0x42, 0x4C, 0x02, 0x00, 0x01, 0xBA, 0xB9, 0x04, 0x6D, 0x61, 0x69, 0x6E,
            0x05, 0x73, 0x72, 0x76, 0x2D, 0x31,
        ];
        assert_eq!(reply().encode().unwrap(), expected);
        assert_eq!(Reply::decode(&expected).unwrap(), reply());
    }

    #[test]
    fn probe_round_trips_with_and_without_site() {
        for probe in [Probe::new(None), Probe::new(Some("Zürich depot"))] {
            assert_eq!(Probe::decode(&probe.encode().unwrap()).unwrap(), probe);
        }
    }

    #[test]
    fn empty_site_means_any_site() {
        let empty = Probe {
            protocol: 1,
            site: Some(String::new()),
        };
        assert_eq!(Probe::decode(&empty.encode().unwrap()).unwrap().site, None);
        assert_eq!(Probe::new(Some("")).site, None);
    }

    #[test]
    fn longest_reply_is_no_larger_than_a_probe() {
        let longest = Reply {
            site: "s".repeat(MAX_SITE_BYTES),
            server_id: "i".repeat(MAX_SERVER_ID_BYTES),
            ..reply()
        };
        let bytes = longest.encode().unwrap();
        assert_eq!(bytes.len(), MAX_REPLY_LEN);
        assert!(bytes.len() <= PROBE_LEN);
    }

    #[test]
    fn encode_refuses_what_cannot_be_sent() {
        let long_site = Probe {
            protocol: 1,
            site: Some("s".repeat(MAX_SITE_BYTES + 1)),
        };
        assert_eq!(long_site.encode(), Err(FieldError::SiteLength { len: 65 }));
        let cases = [
            (
                Reply {
                    ws_port: 0,
                    ..reply()
                },
                FieldError::ZeroWsPort,
            ),
            (
                Reply {
                    site: String::new(),
                    ..reply()
                },
                FieldError::SiteLength { len: 0 },
            ),
            (
                Reply {
                    server_id: String::new(),
                    ..reply()
                },
                FieldError::ServerIdLength { len: 0 },
            ),
            (
                Reply {
                    server_id: "x".repeat(65),
                    ..reply()
                },
                FieldError::ServerIdLength { len: 65 },
            ),
            (
                Reply {
                    server_id: "tab\there".to_owned(),
                    ..reply()
                },
                FieldError::ServerIdNotPrintable,
            ),
            (
                Reply {
                    server_id: "é".to_owned(),
                    ..reply()
                },
                FieldError::ServerIdNotPrintable,
            ),
        ];
        for (reply, error) in cases {
            assert_eq!(reply.encode(), Err(error), "{reply:?}");
        }
    }

    #[test]
    fn malformed_probes_are_rejected() {
        let good = probe_for("main");
        let with = |edit: &dyn Fn(&mut Vec<u8>)| {
            let mut bytes = good.to_vec();
            edit(&mut bytes);
            Probe::decode(&bytes)
        };
        assert_eq!(
            with(&|b| b.truncate(255)),
            Err(DecodeError::ProbeLength { len: 255 })
        );
        assert_eq!(
            with(&|b| b.push(0)),
            Err(DecodeError::ProbeLength { len: 257 })
        );
        assert_eq!(with(&|b| b[0] = b'X'), Err(DecodeError::BadMagic));
        assert_eq!(
            with(&|b| b[4] = KIND_REPLY),
            Err(DecodeError::WrongKind {
                expected: 1,
                found: 2
            })
        );
        assert_eq!(
            with(&|b| b[7] = 65),
            Err(DecodeError::Field(FieldError::SiteLength { len: 65 }))
        );
        assert_eq!(
            with(&|b| b[8] = 0xFF),
            Err(DecodeError::Field(FieldError::SiteNotUtf8))
        );
        assert_eq!(
            with(&|b| b[255] = 1),
            Err(DecodeError::NonZeroPadding { offset: 255 })
        );
        assert_eq!(
            with(&|b| b[12] = 1),
            Err(DecodeError::NonZeroPadding { offset: 12 })
        );
    }

    #[test]
    fn malformed_replies_are_rejected() {
        let good = reply().encode().unwrap();
        let with = |edit: &dyn Fn(&mut Vec<u8>)| {
            let mut bytes = good.clone();
            edit(&mut bytes);
            Reply::decode(&bytes)
        };
        assert_eq!(with(&|b| b.truncate(19)), Err(DecodeError::Truncated));
        assert_eq!(with(&|b| b.truncate(3)), Err(DecodeError::Truncated));
        assert_eq!(
            with(&|b| b.push(0)),
            Err(DecodeError::TrailingBytes { extra: 1 })
        );
        assert_eq!(with(&|b| b[3] = b'X'), Err(DecodeError::BadMagic));
        assert_eq!(
            with(&|b| b[4] = KIND_PROBE),
            Err(DecodeError::WrongKind {
                expected: 2,
                found: 1
            })
        );
        assert_eq!(
            with(&|b| b[7..9].copy_from_slice(&[0, 0])),
            Err(DecodeError::Field(FieldError::ZeroWsPort))
        );
        assert_eq!(
            with(&|b| b[9] = 0),
            Err(DecodeError::Field(FieldError::SiteLength { len: 0 }))
        );
        assert_eq!(
            with(&|b| b[9] = 65),
            Err(DecodeError::Field(FieldError::SiteLength { len: 65 }))
        );
        assert_eq!(
            with(&|b| b[10] = 0xC3),
            Err(DecodeError::Field(FieldError::SiteNotUtf8))
        );
        assert_eq!(
            with(&|b| b[14] = 0),
            Err(DecodeError::Field(FieldError::ServerIdLength { len: 0 }))
        );
        assert_eq!(
            with(&|b| b[15] = 0x7F),
            Err(DecodeError::Field(FieldError::ServerIdNotPrintable))
        );
        assert_eq!(
            Reply::decode(&probe_for("main")),
            Err(DecodeError::WrongKind {
                expected: 2,
                found: 1
            })
        );
    }

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
    fn default_targets_end_with_the_limited_broadcast() {
        let targets = default_targets(DEFAULT_DISCOVERY_PORT);
        let limited = SocketAddr::from((Ipv4Addr::BROADCAST, DEFAULT_DISCOVERY_PORT));
        assert_eq!(targets.last(), Some(&limited));
        assert!(targets.iter().all(|target| !target.ip().is_loopback()));
    }

    fn any_site(min_chars: usize) -> impl Strategy<Value = String> {
        // Up to 16 chars of up to 4 bytes each: at most 64 bytes.
        proptest::string::string_regex(&format!("\\PC{{{min_chars},16}}")).unwrap()
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = Probe::decode(&bytes);
            let _ = Reply::decode(&bytes);
        }

        #[test]
        fn decoding_bytes_with_a_valid_header_never_panics(
            kind in prop_oneof![Just(KIND_PROBE), Just(KIND_REPLY), any::<u8>()],
            rest in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut bytes = MAGIC.to_vec();
            bytes.push(kind);
            bytes.extend(rest);
            let _ = Reply::decode(&bytes);
            bytes.resize(PROBE_LEN, 0);
            let _ = Probe::decode(&bytes);
        }

        #[test]
        fn one_byte_off_a_valid_packet_is_rejected_or_re_encodes_identically(
            site in any_site(1),
            server_id in "[ -~]{1,64}",
            index in any::<prop::sample::Index>(),
            value in any::<u8>(),
        ) {
            // One encoding per value: whatever decode accepts is exactly what encode makes.
            let probe = Probe { protocol: 1, site: Some(site.clone()) }.encode().unwrap();
            let reply = Reply { site, server_id, ..reply() }.encode().unwrap();
            for packet in [probe.to_vec(), reply] {
                let mut bytes = packet;
                let at = index.index(bytes.len());
                bytes[at] = value;
                if let Ok(probe) = Probe::decode(&bytes) {
                    prop_assert_eq!(probe.encode().unwrap().to_vec(), bytes.clone());
                }
                if let Ok(reply) = Reply::decode(&bytes) {
                    prop_assert_eq!(reply.encode().unwrap(), bytes);
                }
            }
        }

        #[test]
        fn probe_round_trips(protocol in any::<u16>(), site in proptest::option::of(any_site(1))) {
            let probe = Probe { protocol, site };
            prop_assert_eq!(Probe::decode(&probe.encode().unwrap()).unwrap(), probe);
        }

        #[test]
        fn reply_round_trips(
            protocol in any::<u16>(),
            ws_port in 1..=u16::MAX,
            site in any_site(1),
            server_id in "[ -~]{1,64}",
        ) {
            let reply = Reply { protocol, ws_port, site, server_id };
            let bytes = reply.encode().unwrap();
            prop_assert!(bytes.len() <= PROBE_LEN);
            prop_assert_eq!(Reply::decode(&bytes).unwrap(), reply);
        }
    }
}
