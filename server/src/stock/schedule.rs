//! The scheduled stock check: once at start (what expired while the server was off
//! is raised before clients connect), then every interval; and the import folder's
//! polls.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::watch::Watcher;
use crate::db::writer::WriterHandle;

/// Runs the stock check every `interval` until `stop`.
pub async fn run_checks(writer: WriterHandle, interval: Duration, stop: CancellationToken) {
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
        if let Err(e) = writer.stock_tick().await {
            tracing::warn!("stock check failed: {e}");
        }
    }
}

/// Polls the import folder every `poll` until `stop`.
pub async fn run_watcher(
    watcher: Arc<tokio::sync::Mutex<Watcher>>,
    writer: WriterHandle,
    poll: Duration,
    stop: CancellationToken,
) {
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(poll) => {}
        }
        watcher.lock().await.poll(&writer).await;
    }
}
