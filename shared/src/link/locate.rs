//! One look for the server, every way at once: the UDP broadcast on every card, the
//! configured addresses and the last good one (asked directly over TCP, so a network
//! that drops UDP still works), and DNS-SD when allowed. Fills a [`Look`] for
//! [`diagnose`](super::diagnosis::diagnose).

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::future::join_all;
use tokio::net::TcpStream;

use crate::discovery::{self, DEFAULT_DISCOVERY_PORT, DiscoverOptions, FoundServer, ProbedNetwork};
use crate::tls::Trust;
use crate::transport::{self, Security};

use super::diagnosis::{Answer, Look, Paired, ProbedCard, Silent, Via};

/// How long a configured or last good address gets to show its certificate. A LAN
/// answers in milliseconds; past this the address counts as silent for this look.
pub const DIRECT_TIMEOUT: Duration = Duration::from_millis(1200);

/// How long a TCP connection to an address that answered discovery may take before the
/// address counts as unreachable (the "other network card" diagnosis).
pub const REACH_TIMEOUT: Duration = Duration::from_millis(400);

/// Broadcast probing of one look: three probes 200 ms apart, replies awaited 600 ms
/// after the last; with the reachability check (at most [`REACH_TIMEOUT`]) a look ends
/// within about 1.4 s, under the 2 s a person waits for.
pub const LOOK_DISCOVERY: DiscoverOptions = DiscoverOptions {
    attempts: 3,
    interval: Duration::from_millis(200),
    timeout: Duration::from_millis(600),
};

/// What one look asks.
#[derive(Debug, Clone, Default)]
pub struct LookPlan {
    /// Where broadcast probes go; empty means every card's broadcast address.
    pub discovery_targets: Vec<SocketAddr>,
    /// `HOST:PORT` addresses given by people (`--server`, the settings, the pairing code).
    pub configured: Vec<String>,
    pub last_good: Option<String>,
    pub site: Option<String>,
    pub paired: Option<Paired>,
    /// Plain `ws://` server: addresses asked directly cannot show a certificate.
    pub insecure_plaintext: bool,
    /// Browse DNS-SD (`_packbell._tcp`) too.
    pub mdns: bool,
}

/// Looks for servers every way the plan allows, at once.
pub async fn look(plan: &LookPlan) -> Look {
    let networks = discovery::probed_networks(DEFAULT_DISCOVERY_PORT);
    let targets = if plan.discovery_targets.is_empty() {
        discovery::default_targets(DEFAULT_DISCOVERY_PORT)
    } else {
        plan.discovery_targets.clone()
    };
    let direct: Vec<(String, Via)> = plan
        .configured
        .iter()
        .map(|address| (address.clone(), Via::Configured))
        .chain(
            plan.last_good
                .iter()
                .filter(|address| !plan.configured.contains(address))
                .map(|address| (address.clone(), Via::LastGood)),
        )
        .collect();
    // Each way checks its own answers' reachability as soon as it has them, so the
    // slowest way alone sets the length of the look.
    let broadcast_side = async {
        let mut answers: Vec<Answer> =
            match discovery::discover(&targets, plan.site.as_deref(), LOOK_DISCOVERY).await {
                Ok(found) => found
                    .into_iter()
                    .map(|server| answer(server, Via::Broadcast))
                    .collect(),
                Err(error) => {
                    tracing::debug!(%error, "broadcast discovery failed");
                    Vec::new()
                }
            };
        check_reach(&mut answers, plan).await;
        answers
    };
    let mdns_side = async {
        let mut answers = browse(plan).await;
        check_reach(&mut answers, plan).await;
        answers
    };
    let direct_side = join_all(
        direct
            .iter()
            .map(|(address, via)| identify(address, *via, plan.insecure_plaintext)),
    );
    let (broadcast, mdns, direct) = tokio::join!(broadcast_side, mdns_side, direct_side);
    let mut answers = broadcast;
    answers.extend(mdns);
    let mut silent = Vec::new();
    for result in direct {
        match result {
            Ok(answer) => answers.push(answer),
            Err(missing) => silent.push(missing),
        }
    }
    let mut unique: Vec<Answer> = Vec::new();
    for answer in answers {
        let known = unique
            .iter()
            .any(|seen| seen.fingerprint == answer.fingerprint && seen.address == answer.address);
        if !known {
            unique.push(answer);
        }
    }
    for answer in &mut unique {
        answer.on_card = networks
            .iter()
            .find(|network| network.contains(answer.address.ip()))
            .map(|network| network.interface.clone());
    }
    Look {
        probed: networks.iter().map(card).collect(),
        answers: unique,
        silent,
        paired: plan.paired.clone(),
        mdns: plan.mdns,
    }
}

fn answer(server: FoundServer, via: Via) -> Answer {
    Answer {
        site: server.site,
        address: server.ws_addr,
        fingerprint: server.server_id,
        via,
        reachable: None,
        on_card: None,
    }
}

fn card(network: &ProbedNetwork) -> ProbedCard {
    ProbedCard {
        interface: network.interface.clone(),
        local: format!("{}/{}", network.local, network.prefix_len),
        target: network.target,
    }
}

/// Asks `address` for its certificate (a TLS handshake that accepts any, as pairing does).
async fn identify(address: &str, via: Via, plaintext: bool) -> Result<Answer, Silent> {
    let silent = |error: String| Silent {
        address: address.to_owned(),
        via,
        error,
    };
    let security = if plaintext {
        Security::Plaintext
    } else {
        Security::Tls(Trust::Learn)
    };
    let connected = tokio::time::timeout(DIRECT_TIMEOUT, transport::connect(address, &security))
        .await
        .map_err(|_| silent("no answer in time".to_owned()))?
        .map_err(|error| silent(error.to_string()))?;
    let socket_addr = tokio::net::lookup_host(address)
        .await
        .ok()
        .and_then(|mut addresses| addresses.next())
        .ok_or_else(|| silent("the address does not resolve".to_owned()))?;
    Ok(Answer {
        site: String::new(),
        address: socket_addr,
        fingerprint: connected.fingerprint.unwrap_or_default(),
        via,
        reachable: Some(true),
        on_card: None,
    })
}

/// Tries a TCP connection to every answer not asked directly, at once.
async fn check_reach(answers: &mut [Answer], plan: &LookPlan) {
    let wanted = |answer: &Answer| {
        answer.reachable.is_none()
            && plan
                .paired
                .as_ref()
                .is_none_or(|paired| paired.fingerprint == answer.fingerprint)
    };
    let checks = answers.iter().map(|answer| {
        let check = wanted(answer);
        let address = answer.address;
        async move {
            if !check {
                return None;
            }
            let connected = tokio::time::timeout(REACH_TIMEOUT, TcpStream::connect(address)).await;
            Some(matches!(connected, Ok(Ok(_))))
        }
    });
    let results = join_all(checks).await;
    for (answer, reachable) in answers.iter_mut().zip(results) {
        if reachable.is_some() {
            answer.reachable = reachable;
        }
    }
}

/// DNS-SD answers, when the plan allows multicast.
async fn browse(plan: &LookPlan) -> Vec<Answer> {
    if !plan.mdns {
        return Vec::new();
    }
    packbell_net::mdns::browse(plan.site.as_deref())
        .await
        .into_iter()
        .map(|server| answer(server, Via::Mdns))
        .collect()
}
