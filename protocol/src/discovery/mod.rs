//! UDP discovery: how a client finds the server on the LAN without being told its address.
//!
//! A client sends a [`Probe`] to UDP port [`DEFAULT_DISCOVERY_PORT`], normally on the
//! broadcast addresses of its network interfaces. Every server that hears it and serves
//! the site asked for answers with a [`Reply`], sent by unicast to the probe's source
//! address and port. The client then opens its WebSocket to the replier's IP address on
//! the reply's `ws_port`. The client's half (sockets, targets, `discover`) lives in
//! `packbell_net::discovery`; this module only defines the packets.
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

use crate::protocol::PROTOCOL_VERSION;

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]
mod tests;

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
