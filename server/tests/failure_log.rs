//! Failures of unauthenticated peers reach the log as summaries, not a line each.
//! A test binary of its own: it installs the process-wide log subscriber.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use common::{Raw, WAIT, start_site};
use packbell_server::Limits;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<String> {
        let bytes = self.0.lock().expect("log buffer").clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn clear(&self) {
        self.0.lock().expect("log buffer").clear();
    }
}

/// Sum of the `name=count` figures of every summary line.
fn summarised(lines: &[String]) -> u64 {
    lines
        .iter()
        .filter(|line| line.contains("unauthenticated failures"))
        .flat_map(|line| line.split_whitespace())
        .filter_map(|word| word.trim_end_matches(';').split_once('='))
        .filter_map(|(_, count)| count.parse::<u64>().ok())
        .sum()
}

#[tokio::test]
async fn unauthenticated_failures_are_logged_as_summaries() {
    const SOCKETS: u64 = 12;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("first subscriber");

    let limits = Limits {
        failure_log_interval: Duration::from_millis(500),
        ..Limits::default()
    };
    let site = start_site(limits).await;
    captured.clear();
    // Per socket: a wrong token, an id the database cannot hold, and junk.
    for _ in 0..SOCKETS {
        let mut raw = Raw::connect(site.server.ws_addr()).await;
        raw.send(json!({"type": "auth", "protocol": 1, "device_id": 7, "token": "00"}))
            .await;
        raw.expect_error("auth_failed").await;
        raw.send_text("not json").await;
        raw.expect_error("malformed_message").await;
        raw.send(json!({"type": "auth", "protocol": 1,
                        "device_id": 9_223_372_036_854_775_808u64, "token": "00"}))
            .await;
        let _ = raw.drain_to_end(WAIT).await;
    }
    let give_up = tokio::time::Instant::now() + WAIT;
    while summarised(&captured.lines()) < 3 * SOCKETS {
        assert!(
            tokio::time::Instant::now() < give_up,
            "no summary counted them all: {:#?}",
            captured.lines()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let lines = captured.lines();
    let single: Vec<_> = lines
        .iter()
        .filter(|line| !line.contains("unauthenticated failures"))
        .collect();
    assert!(single.is_empty(), "lines of their own: {single:#?}");
    site.server.shutdown().await;
}
