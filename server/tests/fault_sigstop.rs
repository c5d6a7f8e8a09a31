//! A receiver process frozen with SIGSTOP while orders keep coming, then thawed with
//! SIGCONT: the server drops it within its keepalive bound (ping interval + idle
//! timeout), keeps serving the sender, and the receiver reconnects and catches up
//! with nothing lost or doubled. The receiver is this test binary run again as a
//! child (`receiver_process`), so that it can be stopped as a whole process.
//!
//! Short form (default): keepalive shortened in the server's `Limits` (1 s ping,
//! 3 s idle), 6 s pause. `PACKBELL_FAULTS_LONG=1`: the default keepalive (15 s +
//! 45 s) and a 70 s pause, as in `scripts/faults.sh --long`.

mod common;
mod crash_support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use packbell_server::Limits;
use packbell_shared::protocol::{Role, ServerMessage};

use common::{Raw, create_order, enrol, start_site};
use crash_support::Follower;

const RECEIVER_ADDR: &str = "PACKBELL_TEST_RECEIVER_ADDR";
const RECEIVER_DEVICE: &str = "PACKBELL_TEST_RECEIVER_DEVICE";
const RECEIVER_TOKEN: &str = "PACKBELL_TEST_RECEIVER_TOKEN";
/// Sessions the child receiver opens at most (it needs two: before and after the pause).
const MAX_SESSIONS: usize = 5;
/// Time between two orders of the sender.
const ORDER_EVERY: Duration = Duration::from_millis(50);
/// How much longer than the planned pause the receiver stays frozen when the server
/// has not dropped it yet (a busy machine); after that the test fails.
const DROP_MARGIN: Duration = Duration::from_secs(30);
/// Longest wait for the child to connect, and to finish after the thaw.
const CHILD_WAIT: Duration = Duration::from_secs(60);

struct Form {
    limits: Limits,
    pause: Duration,
}

fn form() -> Form {
    if std::env::var_os("PACKBELL_FAULTS_LONG").is_some() {
        Form {
            limits: Limits::default(),
            pause: Duration::from_secs(70),
        }
    } else {
        Form {
            limits: Limits {
                ping_interval: Duration::from_secs(1),
                idle_timeout: Duration::from_secs(3),
                ..Limits::default()
            },
            pause: Duration::from_secs(6),
        }
    }
}

/// The order the sender sends last: the child stops once it has it.
const LAST_ORDER: &str = "S-last";

/// The child: follows the log, reconnecting when dropped, and prints one line per
/// session; exits once it has the sender's last order.
#[tokio::test]
#[ignore = "run only as the child of frozen_receiver_is_dropped_then_catches_up"]
async fn receiver_process() {
    let (Ok(addr), Ok(device), Ok(token)) = (
        std::env::var(RECEIVER_ADDR),
        std::env::var(RECEIVER_DEVICE),
        std::env::var(RECEIVER_TOKEN),
    ) else {
        return;
    };
    let mut device = Some((device.parse().expect("device id"), token));
    let port: u16 = addr.parse().expect("port");
    let mut follower = Follower::default();
    for session in 0..MAX_SESSIONS {
        let raw = crash_support::connect_to(port, "", &mut device).await;
        println!("CONNECTED {session}");
        follower = follower
            .follow_until(raw, |f| f.orders.contains_key(LAST_ORDER))
            .await;
        let complete = follower.orders.contains_key(LAST_ORDER);
        println!(
            "SESSION {session} last_seq={} orders={} doubled={} out_of_order={} complete={complete}",
            follower.last_seq,
            follower.orders.len(),
            follower.doubled.len(),
            follower.out_of_order.len(),
        );
        // Not complete: dropped, or silent (after a long freeze the read's deadline
        // has passed before the socket is even looked at); connect again.
        if complete {
            return;
        }
    }
}

/// A failing test must not leave the receiver behind, frozen or not.
struct ChildGuard(std::process::Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn send_one(office: &mut Raw, n: usize, store: u64) {
    send_numbered(office, &format!("S-{n}"), store).await;
}

async fn send_numbered(office: &mut Raw, number: &str, store: u64) {
    office.send(create_order(number, number, store)).await;
    match office
        .recv_until(|m| !matches!(m, ServerMessage::Event(_)))
        .await
    {
        ServerMessage::Ack { .. } => {}
        other => panic!("expected ack, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frozen_receiver_is_dropped_then_catches_up() {
    let form = form();
    let keepalive_bound = form.limits.ping_interval + form.limits.idle_timeout;
    let site = start_site(form.limits.clone()).await;
    let (mut office, _, _) = enrol(&site.server, Role::Office, "sender").await;
    let (_reader, device, token) = enrol(&site.server, Role::Warehouse, "frozen").await;
    drop(_reader);

    let mut child = ChildGuard(
        Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", "receiver_process", "--ignored", "--nocapture"])
            .env(RECEIVER_ADDR, site.server.ws_addr().port().to_string())
            .env(RECEIVER_DEVICE, device.to_string())
            .env(RECEIVER_TOKEN, &token)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("receiver process starts"),
    );
    let pid = child.0.id().to_string();
    let (lines_tx, lines) = std::sync::mpsc::channel();
    let stdout = child.0.stdout.take().expect("piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let wait_line = |prefix: &str| loop {
        match lines.recv_timeout(CHILD_WAIT) {
            Ok(line) if line.starts_with(prefix) => return line,
            Ok(_) => continue,
            Err(e) => panic!("receiver never printed {prefix}: {e}"),
        }
    };
    wait_line("CONNECTED 0");

    let mut sent = 0;
    for _ in 0..20 {
        send_one(&mut office, sent, site.store).await;
        sent += 1;
    }
    assert!(
        Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let frozen_at = Instant::now();
    let mut dropped_after = None;
    // The full pause, and longer (bounded) if the server has not dropped it yet.
    while frozen_at.elapsed() < form.pause
        || (dropped_after.is_none() && frozen_at.elapsed() < form.pause + DROP_MARGIN)
    {
        send_one(&mut office, sent, site.store).await;
        sent += 1;
        // Sender + receiver open; the receiver gone leaves the sender alone.
        if dropped_after.is_none() && site.server.relay_stats().open_connections <= 1 {
            dropped_after = Some(frozen_at.elapsed());
        }
        tokio::time::sleep(ORDER_EVERY).await;
    }
    assert!(
        Command::new("kill")
            .args(["-CONT", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let dropped_after =
        dropped_after.expect("the server dropped the frozen receiver during the pause");
    for _ in 0..20 {
        send_one(&mut office, sent, site.store).await;
        sent += 1;
    }
    send_numbered(&mut office, LAST_ORDER, site.store).await;
    sent += 1;

    let after_thaw = wait_line("SESSION 0");
    eprintln!("after the thaw: {after_thaw}");
    wait_line("CONNECTED 1");
    let last = loop {
        let line = wait_line("SESSION");
        if line.contains("complete=true") {
            break line;
        }
    };
    let status = child.0.wait().expect("receiver exits");
    assert!(status.success(), "receiver process failed: {status}");
    let field = |name: &str| -> u64 {
        last.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {last}"))
    };
    assert_eq!(
        field("orders"),
        sent as u64,
        "every order reached the receiver: {last}"
    );
    assert_eq!(field("doubled"), 0, "{last}");
    assert_eq!(field("out_of_order"), 0, "{last}");
    eprintln!(
        "receiver frozen {:?} while {sent} orders flowed: dropped by the server after \
         {:.1} s (keepalive bound {:?}); after the thaw it reconnected and caught up: \
         {last} (first session: {after_thaw})",
        form.pause,
        dropped_after.as_secs_f64(),
        keepalive_bound,
    );
}
