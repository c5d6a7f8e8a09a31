//! Faults around restarts, with real link clients: a server that comes back on
//! another WebSocket port is found again by discovery over 127.255.255.255, and many
//! clients that lost the same server come back spread out by their backoff's jitter.
//! The reconnect spread is printed (`--nocapture`); no timing is asserted beyond the
//! bounded waits.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

mod link_support;

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use packbell_server::ServerConfig;
use packbell_shared::link::{BACKOFF_CAP, BACKOFF_JITTER};
use packbell_shared::link::{LinkEvent, LinkStatus};
use packbell_shared::protocol::Role;

use link_support::*;

/// Clients that reconnect at once after the restart.
const CLIENTS: usize = 50;
/// How long the server stays down: long enough for every client to fail a few times,
/// so their backoff has grown past the first retries and jitter shows.
const DOWN_FOR: Duration = Duration::from_secs(3);
/// Longest wait for all clients to be connected, offline, or back: the backoff cap
/// with its jitter, plus room for 50 pairings or TLS handshakes on a busy machine
/// running other tests. Reached, the test fails.
const ALL_BACK_WAIT: Duration = Duration::from_secs(90);
/// How often the test looks at the clients' events while waiting.
const POLL: Duration = Duration::from_millis(5);

/// A UDP port free right now on loopback, for a discovery port that must stay the
/// same across the restart.
fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn is_connected(event: &LinkEvent) -> bool {
    matches!(event, LinkEvent::Status(LinkStatus::Connected { .. }))
}

fn is_offline(event: &LinkEvent) -> bool {
    matches!(
        event,
        LinkEvent::Status(LinkStatus::Reconnecting { .. } | LinkStatus::Connecting)
    )
}

#[test]
fn a_server_restarted_on_another_port_is_found_again_by_discovery() {
    let dir = tempfile::tempdir().unwrap();
    let discovery_port = free_udp_port();
    let mut config = ServerConfig::for_tests(dir.path().join("server"));
    config.discovery_port = Some(discovery_port);
    let mut site = Site::start_with(config, 0);
    let store = site.add_store("Centro");
    let first_port = site.port;

    let mut link = site.link_config(
        &dir.path().join("office"),
        "office",
        Some(site.code(Role::Office)),
    );
    link.server = None;
    link.site = Some("test".into());
    link.discovery_targets = vec![SocketAddr::from(([127, 255, 255, 255], discovery_port))];
    let mut office = Client::start(link);
    office.wait_connected();
    let keys = submit_keys(&mut office, "P", 5, store);
    wait_acked(&mut office, &keys);

    site.stop();
    site.port = 0;
    site.restart();
    site.port = site.server().ws_addr().port();
    assert_ne!(
        site.port, first_port,
        "the server came back on another port"
    );

    office.wait_for("offline", |e| is_offline(e).then_some(()));
    office.wait_connected();
    let keys = submit_keys(&mut office, "Q", 5, store);
    assert_eq!(wait_acked(&mut office, &keys).len(), 5);
    office.shutdown();
    eprintln!(
        "restart moved the WebSocket port {first_port} -> {}; the office re-discovered it \
         over 127.255.255.255:{discovery_port} and its orders were acknowledged there",
        site.port
    );
}

fn submit_keys(office: &mut Client, prefix: &str, count: usize, store: u64) -> Vec<String> {
    numbers(prefix, count)
        .iter()
        .map(|n| office.handle().submit(order(n, store)).unwrap())
        .collect()
}

/// Waits until every client has sent an event that `wanted` accepts; returns, per
/// client, how long after `since` that came. Bounded by `ALL_BACK_WAIT`.
fn wait_all(
    clients: &mut [Client],
    what: &str,
    wanted: fn(&LinkEvent) -> bool,
    since: Instant,
) -> Vec<Duration> {
    let mut seen_at: Vec<Option<Duration>> = vec![None; clients.len()];
    let deadline = Instant::now() + ALL_BACK_WAIT;
    while seen_at.iter().any(Option::is_none) {
        if Instant::now() >= deadline {
            let missing: Vec<usize> = (0..clients.len())
                .filter(|&i| seen_at[i].is_none())
                .collect();
            let last = clients[missing[0]].seen.last().cloned();
            panic!(
                "{} of {} clients not {what} within {ALL_BACK_WAIT:?}: {missing:?}; the \
                 first one's last event: {last:?}",
                missing.len(),
                clients.len()
            );
        }
        for (client, seen) in clients.iter_mut().zip(&mut seen_at) {
            for event in client.events.try_iter() {
                if seen.is_none() && wanted(&event) {
                    *seen = Some(since.elapsed());
                }
                client.seen.push(event);
            }
        }
        std::thread::sleep(POLL);
    }
    seen_at.into_iter().flatten().collect()
}

#[test]
#[ignore = "50 links at once: once failed to see all back within 90 s on a machine at load 13 \
            (unexplained); scripts/faults.sh runs it"]
fn many_clients_come_back_after_a_restart_spread_by_jitter() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = Site::start(&dir.path().join("server"));
    let mut clients: Vec<Client> = (0..CLIENTS)
        .map(|i| {
            let config = site.link_config(
                &dir.path().join(format!("warehouse-{i}")),
                &format!("packing {i}"),
                Some(site.code(Role::Warehouse)),
            );
            Client::start(config)
        })
        .collect();
    wait_all(&mut clients, "connected", is_connected, Instant::now());

    site.stop();
    wait_all(&mut clients, "offline", is_offline, Instant::now());
    // Down on purpose: every client keeps failing and backing off meanwhile.
    std::thread::sleep(DOWN_FOR);
    site.restart();
    let restarted = Instant::now();
    let back_after = wait_all(&mut clients, "back", is_connected, restarted);
    for client in &mut clients {
        client.shutdown();
    }

    let mut times = back_after;
    times.sort();
    let cap = BACKOFF_CAP.mul_f64(1.0 + BACKOFF_JITTER);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    // Distinct 100 ms slots the reconnects fell into: 1 would mean a thundering herd.
    let mut slots: Vec<u128> = times.iter().map(|t| t.as_millis() / 100).collect();
    slots.dedup();
    eprintln!(
        "{CLIENTS} clients back after a restart ({DOWN_FOR:?} down): first {:.0} ms, \
         median {:.0} ms, last {:.0} ms, spread {:.0} ms over {} distinct 100 ms slots; \
         backoff cap with jitter {:.0} ms; all back within it: {}",
        ms(times[0]),
        ms(times[CLIENTS / 2]),
        ms(times[CLIENTS - 1]),
        ms(times[CLIENTS - 1] - times[0]),
        slots.len(),
        ms(cap),
        if times[CLIENTS - 1] <= cap {
            "yes"
        } else {
            "no"
        },
    );
    assert!(
        slots.len() > 1,
        "jitter spreads the reconnects: {:?}",
        times
    );
}
