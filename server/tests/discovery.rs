//! The discovery responder over real UDP sockets on loopback.
//!
//! Probes go only to 127.255.255.255 (broadcast on `lo`) or 127.0.0.1, never to a LAN.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use packbell_server::discovery::{
    DiscoveryInfo, REPLIES_PER_SECOND_PER_SOURCE, REPLY_BURST_PER_SOURCE, bind_responder, serve,
};
use packbell_shared::discovery::{
    DiscoverOptions, FieldError, MAX_DATAGRAM, MAX_REPLY_LEN, MAX_SERVER_ID_BYTES, MAX_SITE_BYTES,
    PROBE_LEN, Probe, Reply, WIRE_PROTOCOL_VERSION, discover,
};
use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout};

/// Long enough for a reply on loopback to have arrived many times over (only for
/// counting a burst's replies, where no marker can tell them apart).
const SILENCE: Duration = Duration::from_millis(300);
/// Upper bound on any wait for something that should happen.
const PATIENCE: Duration = Duration::from_secs(2);

const FAST: DiscoverOptions = DiscoverOptions {
    attempts: 2,
    interval: Duration::from_millis(50),
    timeout: Duration::from_millis(300),
};

struct Responder {
    port: u16,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), FieldError>>,
}

fn info(site: &str) -> DiscoveryInfo {
    DiscoveryInfo {
        site: site.to_owned(),
        server_id: format!("srv-{site}"),
        ws_port: 47801,
    }
}

fn start(info: DiscoveryInfo) -> Responder {
    let socket = bind_responder(0).unwrap();
    let port = socket.local_addr().unwrap().port();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(socket, info, async move {
        let _ = stopped.await;
    }));
    Responder { port, stop, task }
}

fn broadcast(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::new(127, 255, 255, 255), port))
}

fn unicast(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

async fn client() -> UdpSocket {
    UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap()
}

/// The next datagram within `wait`, if any.
async fn receive(socket: &UdpSocket, wait: Duration) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let (len, _) = timeout(wait, socket.recv_from(&mut buf))
        .await
        .ok()?
        .unwrap();
    buf.truncate(len);
    Some(buf)
}

/// True when nothing waits on `socket` once a marker probe, sent afterwards from
/// another socket, has been answered. The responder handles datagrams one at a time,
/// in arrival order, so a reply to anything `socket` sent before would be queued by
/// then: this shows "no reply" without waiting through a silence.
async fn no_reply_queued(socket: &UdpSocket, port: u16) -> bool {
    let marker = client().await;
    let probe = Probe::new(None).encode().unwrap();
    marker.send_to(&probe, unicast(port)).await.unwrap();
    receive(&marker, PATIENCE)
        .await
        .expect("a reply to the marker probe");
    let mut buf = vec![0u8; MAX_DATAGRAM];
    socket.try_recv_from(&mut buf).is_err()
}

#[tokio::test]
async fn the_no_reply_check_sees_a_reply_that_came() {
    let responder = start(info("main"));
    let socket = client().await;
    let probe = Probe::new(None).encode().unwrap();
    socket
        .send_to(&probe, unicast(responder.port))
        .await
        .unwrap();
    assert!(!no_reply_queued(&socket, responder.port).await);
}

#[tokio::test]
async fn discover_finds_the_server_by_loopback_broadcast() {
    let responder = start(info("main"));
    let target = [broadcast(responder.port)];

    for site in [Some("main"), None] {
        let found = discover(&target, site, FAST).await.unwrap();
        assert_eq!(found.len(), 1, "one server, listed once: {found:?}");
        let server = &found[0];
        assert_eq!(server.site, "main");
        assert_eq!(server.server_id, "srv-main");
        assert_eq!(server.ws_addr, unicast(47801));
        assert_eq!(server.protocol, WIRE_PROTOCOL_VERSION);
    }
}

#[tokio::test]
async fn a_probe_for_another_site_gets_nothing() {
    let responder = start(info("main"));
    let found = discover(&[broadcast(responder.port)], Some("annex"), FAST)
        .await
        .unwrap();
    assert_eq!(found, []);

    // Not just filtered by the client: the server does not answer at all.
    let socket = client().await;
    let probe = Probe::new(Some("annex")).encode().unwrap();
    socket
        .send_to(&probe, unicast(responder.port))
        .await
        .unwrap();
    assert!(no_reply_queued(&socket, responder.port).await);
    let probe = Probe::new(Some("MAIN")).encode().unwrap();
    socket
        .send_to(&probe, unicast(responder.port))
        .await
        .unwrap();
    assert!(
        no_reply_queued(&socket, responder.port).await,
        "site match is exact"
    );
}

#[tokio::test]
async fn malformed_probes_get_no_reply_and_a_valid_one_right_after_does() {
    let responder = start(info("main"));
    let socket = client().await;
    let good = Probe::new(Some("main")).encode().unwrap();
    let edited = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = good.to_vec();
        edit(&mut bytes);
        bytes
    };
    let malformed = [
        edited(&|b| b.truncate(PROBE_LEN - 1)),
        edited(&|b| b.push(0)),
        edited(&|b| b[0] = b'X'),
        edited(&|b| b[4] = 2),
        edited(&|b| b[7] = 65),
        edited(&|b| b[8] = 0xFF),
        edited(&|b| b[PROBE_LEN - 1] = 1),
        Vec::new(),
        b"hello".to_vec(),
    ];
    for bytes in &malformed {
        socket
            .send_to(bytes, unicast(responder.port))
            .await
            .unwrap();
    }
    assert!(no_reply_queued(&socket, responder.port).await);

    socket
        .send_to(&good, unicast(responder.port))
        .await
        .unwrap();
    let reply = receive(&socket, PATIENCE)
        .await
        .expect("a reply to the valid probe");
    let reply = Reply::decode(&reply).unwrap();
    assert_eq!(
        reply,
        Reply {
            protocol: WIRE_PROTOCOL_VERSION,
            ws_port: 47801,
            site: "main".to_owned(),
            server_id: "srv-main".to_owned(),
        }
    );
    assert!(
        no_reply_queued(&socket, responder.port).await,
        "one reply per probe"
    );
}

#[tokio::test]
async fn the_reply_is_never_larger_than_the_probe() {
    let longest = DiscoveryInfo {
        site: "s".repeat(MAX_SITE_BYTES),
        server_id: "i".repeat(MAX_SERVER_ID_BYTES),
        ws_port: u16::MAX,
    };
    let responder = start(longest);
    let socket = client().await;
    let probe = Probe::new(None).encode().unwrap();
    socket
        .send_to(&probe, unicast(responder.port))
        .await
        .unwrap();
    let reply = receive(&socket, PATIENCE).await.expect("a reply");
    assert_eq!(reply.len(), MAX_REPLY_LEN);
    assert!(
        reply.len() <= probe.len(),
        "{} > {}",
        reply.len(),
        probe.len()
    );
}

#[tokio::test]
async fn a_probe_of_another_protocol_gets_our_version_back() {
    let responder = start(info("main"));
    let socket = client().await;
    let probe = Probe {
        protocol: WIRE_PROTOCOL_VERSION.wrapping_add(1),
        site: None,
    };
    socket
        .send_to(&probe.encode().unwrap(), unicast(responder.port))
        .await
        .unwrap();
    let reply = receive(&socket, PATIENCE).await.expect("a reply");
    assert_eq!(
        Reply::decode(&reply).unwrap().protocol,
        WIRE_PROTOCOL_VERSION
    );
}

#[tokio::test]
async fn a_burst_from_one_source_gets_at_most_the_bucket() {
    let responder = start(info("main"));
    let socket = client().await;
    let probe = Probe::new(None).encode().unwrap();
    let started = Instant::now();
    for _ in 0..50 {
        socket
            .send_to(&probe, unicast(responder.port))
            .await
            .unwrap();
    }
    let mut replies = 0u32;
    while receive(&socket, SILENCE).await.is_some() {
        replies += 1;
    }
    // Tokens that trickled in while the burst was being sent and answered.
    let elapsed = started.elapsed().as_secs_f64() - SILENCE.as_secs_f64();
    let refill = (elapsed * f64::from(REPLIES_PER_SECOND_PER_SOURCE)).ceil();
    let most = REPLY_BURST_PER_SOURCE + refill as u32;
    assert!(
        (REPLY_BURST_PER_SOURCE..=most).contains(&replies),
        "{replies} replies to 50 probes; expected {REPLY_BURST_PER_SOURCE}..={most}"
    );
}

#[tokio::test]
async fn serve_returns_when_shutdown_resolves() {
    let responder = start(info("main"));
    responder.stop.send(()).unwrap();
    let result = timeout(PATIENCE, responder.task)
        .await
        .expect("serve ended");
    assert_eq!(result.unwrap(), Ok(()));
}

#[tokio::test]
async fn serve_refuses_info_it_cannot_announce() {
    let socket = bind_responder(0).unwrap();
    let bad = DiscoveryInfo {
        site: String::new(),
        ..info("main")
    };
    let result = timeout(PATIENCE, serve(socket, bad, std::future::pending())).await;
    assert_eq!(result, Ok(Err(FieldError::SiteLength { len: 0 })));
}

/// docs/protocol.md: malformed probes and probes for another site cost a source none
/// of its reply budget, so a burst of them cannot silence the well-formed ones after.
#[tokio::test]
async fn probes_that_get_no_reply_do_not_use_up_the_budget() {
    let responder = start(info("main"));
    let socket = client().await;
    let target = unicast(responder.port);
    let good = Probe::new(Some("main")).encode().unwrap();
    let other_site = Probe::new(Some("other")).encode().unwrap();
    let mut malformed = good.to_vec();
    malformed[0] = b'X';
    for _ in 0..3 * REPLY_BURST_PER_SOURCE {
        socket.send_to(&malformed, target).await.unwrap();
        socket.send_to(&other_site, target).await.unwrap();
    }
    for _ in 0..REPLY_BURST_PER_SOURCE {
        socket.send_to(&good, target).await.unwrap();
    }
    for n in 0..REPLY_BURST_PER_SOURCE {
        assert!(
            receive(&socket, PATIENCE).await.is_some(),
            "reply {n} of a full burst is missing"
        );
    }
    let _ = responder.stop.send(());
}

#[tokio::test]
async fn the_status_self_check_sees_the_running_responder() {
    let responder = start(info("main"));
    let found = packbell_server::discovery::answers_on_loopback(responder.port)
        .await
        .expect("the responder answers on loopback");
    assert_eq!(found.site, "main");
    assert_eq!(found.server_id, "srv-main");
    responder.stop.send(()).unwrap();
    responder.task.await.unwrap().unwrap();
}

#[test]
fn listen_addresses_name_the_bind_address_or_every_card_and_loopback() {
    let bound = packbell_server::discovery::listen_addresses(
        std::net::IpAddr::from([192, 168, 1, 10]),
        47801,
    );
    assert_eq!(bound, vec![SocketAddr::from(([192, 168, 1, 10], 47801))]);
    let every = packbell_server::discovery::listen_addresses(
        std::net::IpAddr::from(Ipv4Addr::UNSPECIFIED),
        47801,
    );
    assert_eq!(every.last(), Some(&unicast(47801)));
    assert!(every.iter().all(|address| address.port() == 47801));
}
