//! Kill the real `packbell-server` binary with SIGKILL in the middle of a burst of
//! orders while receivers follow the log, restart it on the same data dir, and check
//! that every acknowledged order is there exactly once, the database is intact, the
//! log has no holes, and every receiver converges to the stored state. Rounds:
//! `PACKBELL_CRASH_ROUNDS` (default 3; `scripts/faults.sh --long` runs 50).

mod common;
mod crash_support;

use std::collections::HashMap;

use rand::Rng;

use common::create_order;
use crash_support::{
    BURST, Follower, Server, burst_until_killed, check_integrity, connect, short, start_server,
    store_id, stored_orders, time_a_burst,
};
use packbell_shared::protocol::ServerMessage;

/// Receivers connected to the server while it is killed.
const RECEIVERS: usize = 10;

fn check_acked_once(data_dir: &std::path::Path, round: usize, acked: &HashMap<String, u64>) {
    let stored = stored_orders(data_dir);
    for (key, order_id) in acked {
        let number = format!("R{}", key.trim_start_matches('r'));
        assert_eq!(
            stored.get(&number),
            Some(order_id),
            "round {round}: acked {number} is stored with its acked id"
        );
    }
}

/// Connects every receiver and lets each follow the log from its last seq until the
/// socket ends.
async fn follow_until_killed(
    server: &Server,
    device: &mut Option<(u64, String)>,
    followers: &[Follower],
) -> Vec<tokio::task::JoinHandle<Follower>> {
    let mut tasks = Vec::new();
    for follower in followers {
        let raw = connect(server, device).await;
        tasks.push(tokio::spawn(follower.clone().follow(raw, None)));
    }
    tasks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_burst_loses_no_acknowledged_order_and_doubles_none() {
    let rounds: usize = std::env::var("PACKBELL_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut device = None;
    let mut followers = vec![Follower::default(); RECEIVERS];
    let mut burst_time = None;
    // Learnt once: a `subscribe` in every round would put the whole (growing) snapshot
    // in front of the burst's acks on the sender's socket.
    let mut store = None;
    for round in 0..rounds {
        let mut server = start_server(dir.path());
        let mut raw = connect(&server, &mut device).await;
        let store = match store {
            Some(store) => store,
            None => *store.insert(store_id(&mut raw).await),
        };
        let tasks = follow_until_killed(&server, &mut device, &followers).await;
        let window = match burst_time {
            Some(window) => window,
            None => *burst_time.insert(time_a_burst(&mut raw, store).await),
        };
        let kill_after = window.mul_f64(rand::rng().random_range(0.0..1.0));
        let acked =
            burst_until_killed(&mut raw, ("r", "R"), round, store, &mut server, kill_after).await;
        drop(raw);
        for (follower, task) in followers.iter_mut().zip(tasks) {
            *follower = task.await.expect("receiver task");
        }
        let seen_at_kill: Vec<u64> = followers.iter().map(|f| f.last_seq).collect();

        let mut restarted = start_server(dir.path());
        check_integrity(dir.path());
        check_acked_once(dir.path(), round, &acked);

        // The client resends everything with the same keys, as its outbox would:
        // every order then exists exactly once, with the ids acked before the crash.
        let mut raw = connect(&restarted, &mut device).await;
        for i in 0..BURST {
            raw.feed(create_order(
                &format!("r{round}-{i}"),
                &format!("R{round}-{i}"),
                store,
            ))
            .await;
        }
        raw.flush().await;
        for _ in 0..BURST {
            match raw
                .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
                .await
            {
                ServerMessage::Ack { key, order_id, .. } => {
                    if let Some(before) = acked.get(&key) {
                        assert_eq!(Some(*before), order_id, "{key} keeps its order id");
                    }
                }
                other => panic!("expected ack, got {}", short(&other)),
            }
        }
        let head = check_integrity(dir.path());
        let stored = stored_orders(dir.path());
        let in_round = stored
            .keys()
            .filter(|n| n.starts_with(&format!("R{round}-")))
            .count();
        assert_eq!(in_round, BURST, "round {round}: every order exactly once");

        // Every receiver catches up from where the kill left it and holds exactly
        // what the database holds, each event once and in order.
        for follower in &mut followers {
            let raw = connect(&restarted, &mut device).await;
            *follower = follower.clone().follow(raw, Some(head)).await;
            assert_eq!(follower.last_seq, head, "round {round}: receiver caught up");
            assert!(
                follower.out_of_order.is_empty(),
                "round {round}: events out of order {:?}",
                follower.out_of_order
            );
            assert!(
                follower.doubled.is_empty(),
                "round {round}: doubled {:?}",
                follower.doubled
            );
            assert!(
                follower.orders == stored,
                "round {round}: receiver converged"
            );
        }
        restarted.kill();
        eprintln!(
            "round {round}: killed {:.1} ms into a burst that takes {:.1} ms; {} of {BURST} \
             acked before the kill; receivers had seq {}..={} of head {head} at the kill, all {RECEIVERS} \
             converged after restart",
            kill_after.as_secs_f64() * 1000.0,
            window.as_secs_f64() * 1000.0,
            acked.len(),
            seen_at_kill.iter().min().unwrap_or(&0),
            seen_at_kill.iter().max().unwrap_or(&0),
        );
    }
}
