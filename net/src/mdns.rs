//! DNS-SD over multicast DNS: the fallback where broadcast is dropped but multicast
//! passes (access points that isolate broadcast, some firewalls). The server registers
//! `_packbell._tcp` with its site and id in TXT records; clients browse for it.
//!
//! Multicast leaves this PC on every card, so tests keep it off unless they run inside
//! network namespaces of their own.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use mdns_sd::{ServiceDaemon, ServiceEvent, ServiceInfo};
use packbell_protocol::discovery::WIRE_PROTOCOL_VERSION;
use tracing::debug;

use crate::discovery::FoundServer;

/// The DNS-SD service type of a packbell server.
pub const SERVICE_TYPE: &str = "_packbell._tcp.local.";

/// How long a browse collects answers. Responders answer a query within a few hundred
/// milliseconds (RFC 6762 allows up to 500 ms of random delay for shared records);
/// past this the look ends without them.
pub const BROWSE_FOR: Duration = Duration::from_millis(1000);

/// Answers kept per browse; a shop has one or two servers, more are ignored.
pub const MAX_BROWSE_ANSWERS: usize = 16;

#[derive(Debug, thiserror::Error)]
#[error("multicast DNS: {0}")]
pub struct MdnsError(#[from] mdns_sd::Error);

/// A running registration; dropping it stops answering.
pub struct Registration {
    daemon: ServiceDaemon,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration").finish_non_exhaustive()
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let _ = self.daemon.shutdown();
    }
}

/// Registers this server as `_packbell._tcp` on every card, WebSocket port `ws_port`.
pub fn register(site: &str, server_id: &str, ws_port: u16) -> Result<Registration, MdnsError> {
    let daemon = ServiceDaemon::new()?;
    let short_id: String = server_id.chars().take(8).collect();
    let instance = format!("packbell {site} {short_id}");
    let host = format!("packbell-{short_id}.local.");
    let protocol = WIRE_PROTOCOL_VERSION.to_string();
    let properties = [
        ("site", site),
        ("id", server_id),
        ("protocol", protocol.as_str()),
    ];
    let info = ServiceInfo::new(SERVICE_TYPE, &instance, &host, "", ws_port, &properties[..])?
        .enable_addr_auto();
    daemon.register(info)?;
    Ok(Registration { daemon })
}

/// Browses for packbell servers for [`BROWSE_FOR`]; of `site` only when given.
/// Failures (no multicast on this PC) are logged at debug level and give no answers.
pub async fn browse(site: Option<&str>) -> Vec<FoundServer> {
    match browse_inner(site).await {
        Ok(found) => found,
        Err(error) => {
            debug!(%error, "DNS-SD browse failed");
            Vec::new()
        }
    }
}

async fn browse_inner(site: Option<&str>) -> Result<Vec<FoundServer>, MdnsError> {
    let daemon = ServiceDaemon::new()?;
    let events = daemon.browse(SERVICE_TYPE)?;
    let deadline = tokio::time::Instant::now() + BROWSE_FOR;
    let mut found: Vec<FoundServer> = Vec::new();
    while found.len() < MAX_BROWSE_ANSWERS {
        let event = match tokio::time::timeout_at(deadline, events.recv_async()).await {
            Ok(Ok(event)) => event,
            Ok(Err(_)) | Err(_) => break,
        };
        let ServiceEvent::ServiceResolved(service) = event else {
            continue;
        };
        let (Some(server_site), Some(server_id)) = (
            service.get_property_val_str("site"),
            service.get_property_val_str("id"),
        ) else {
            continue;
        };
        let protocol = service
            .get_property_val_str("protocol")
            .and_then(|text| text.parse::<u16>().ok());
        if protocol != Some(WIRE_PROTOCOL_VERSION)
            || site.is_some_and(|site| !site.is_empty() && site != server_site)
        {
            continue;
        }
        for address in service.get_addresses_v4() {
            let server = FoundServer {
                ws_addr: SocketAddr::new(IpAddr::V4(address), service.get_port()),
                site: server_site.to_owned(),
                server_id: server_id.to_owned(),
                protocol: WIRE_PROTOCOL_VERSION,
            };
            if !found.contains(&server) {
                found.push(server);
            }
        }
    }
    let _ = daemon.shutdown();
    Ok(found)
}
