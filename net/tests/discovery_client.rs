//! `discover` against a scripted responder on 127.0.0.1 that answers every probe with a
//! mix of good, foreign and broken replies.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use packbell_net::discovery::{DiscoverOptions, FoundServer, discover};
use packbell_protocol::discovery::{MAX_DATAGRAM, PROBE_LEN, Probe, Reply, WIRE_PROTOCOL_VERSION};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::Instant;

const FAST: DiscoverOptions = DiscoverOptions {
    attempts: 3,
    interval: Duration::from_millis(50),
    timeout: Duration::from_millis(200),
};

fn reply(site: &str, server_id: &str, ws_port: u16) -> Reply {
    Reply {
        protocol: WIRE_PROTOCOL_VERSION,
        ws_port,
        site: site.to_owned(),
        server_id: server_id.to_owned(),
    }
}

/// Everything the scripted responder sends back to each probe.
fn script() -> Vec<Vec<u8>> {
    let good = reply("main", "srv-b", 9002).encode().unwrap();
    let mut trailing = good.clone();
    trailing.push(0);
    vec![
        good.clone(),
        good,
        reply("main", "srv-a", 9001).encode().unwrap(),
        reply("annex", "srv-c", 9003).encode().unwrap(),
        Reply {
            protocol: WIRE_PROTOCOL_VERSION.wrapping_add(1),
            ..reply("main", "srv-future", 9004)
        }
        .encode()
        .unwrap(),
        trailing,
        b"PKBL garbage".to_vec(),
        Probe::new(None).encode().unwrap().to_vec(),
    ]
}

/// Answers every datagram with [`script`]; reports each datagram it received.
async fn scripted_responder() -> (SocketAddr, mpsc::UnboundedReceiver<Vec<u8>>) {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = socket.local_addr().unwrap();
    let (seen, probes) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        while let Ok((len, from)) = socket.recv_from(&mut buf).await {
            if seen.send(buf[..len].to_vec()).is_err() {
                return;
            }
            for datagram in script() {
                let _ = socket.send_to(&datagram, from).await;
            }
        }
    });
    (addr, probes)
}

fn found(site: &str, server_id: &str, ws_port: u16) -> FoundServer {
    FoundServer {
        ws_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, ws_port)),
        site: site.to_owned(),
        server_id: server_id.to_owned(),
        protocol: WIRE_PROTOCOL_VERSION,
    }
}

#[tokio::test]
async fn keeps_good_replies_of_our_site_once_each_sorted() {
    let (target, _probes) = scripted_responder().await;
    let servers = discover(&[target], Some("main"), FAST).await.unwrap();
    assert_eq!(
        servers,
        [found("main", "srv-a", 9001), found("main", "srv-b", 9002)]
    );
}

#[tokio::test]
async fn without_a_site_keeps_every_site_sorted_by_site() {
    let (target, _probes) = scripted_responder().await;
    let servers = discover(&[target], None, FAST).await.unwrap();
    assert_eq!(
        servers,
        [
            found("annex", "srv-c", 9003),
            found("main", "srv-a", 9001),
            found("main", "srv-b", 9002),
        ]
    );
}

#[tokio::test]
async fn sends_well_formed_probes_every_attempt_and_stops_on_time() {
    let (target, mut probes) = scripted_responder().await;
    let started = Instant::now();
    discover(&[target, target], Some("main"), FAST)
        .await
        .unwrap();
    let took = started.elapsed();

    let expected = FAST.interval * (FAST.attempts - 1) + FAST.timeout;
    assert!(
        took >= expected,
        "returned after {took:?}, before {expected:?}"
    );
    assert!(
        took < expected + Duration::from_millis(500),
        "took {took:?}"
    );

    let mut received = Vec::new();
    while let Ok(probe) = probes.try_recv() {
        received.push(probe);
    }
    assert_eq!(
        received.len(),
        2 * FAST.attempts as usize,
        "each target, each attempt"
    );
    for bytes in received {
        assert_eq!(bytes.len(), PROBE_LEN);
        let probe = Probe::decode(&bytes).unwrap();
        assert_eq!(probe.protocol, WIRE_PROTOCOL_VERSION);
        assert_eq!(probe.site.as_deref(), Some("main"));
    }
}

#[tokio::test]
async fn refuses_what_it_cannot_probe_for() {
    let target = SocketAddr::from((Ipv4Addr::LOCALHOST, 9));
    let error = discover(&[], None, FAST).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    let long_site = "s".repeat(65);
    let error = discover(&[target], Some(&long_site), FAST)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}
