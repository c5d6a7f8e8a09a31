//! Accepts TCP connections and hands each to its own task, up to the connection cap.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

use super::connection;
use crate::Context;

/// Pause after a failed accept (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

pub async fn run(listener: TcpListener, ctx: Arc<Context>, tasks: TaskTracker) {
    let slots = Arc::new(Semaphore::new(ctx.limits.max_connections));
    loop {
        let accepted = tokio::select! {
            _ = ctx.shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        // Small frames, sent as soon as they are ready.
        let _ = stream.set_nodelay(true);
        match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                let ctx = ctx.clone();
                tasks.spawn(async move {
                    connection::serve(stream, peer, ctx).await;
                    drop(slot);
                });
            }
            Err(_) => {
                tracing::warn!(%peer, "connection cap reached, refusing");
                tasks.spawn(connection::refuse_full(stream));
            }
        }
    }
    tracing::debug!("listener stopped");
}
