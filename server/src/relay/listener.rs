//! Accepts TCP connections and hands each to its own task, up to the connection cap.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

use super::connection::{self, Io};
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
        let slot = slots.clone().try_acquire_owned().ok();
        if slot.is_none() {
            tracing::warn!(%peer, "connection cap reached, refusing");
        }
        let ctx = ctx.clone();
        tasks.spawn(async move {
            let Some(stream) = secure(stream, &ctx).await else {
                return;
            };
            match slot {
                Some(slot) => {
                    connection::serve(stream, peer, ctx).await;
                    drop(slot);
                }
                None => connection::refuse_full(stream).await,
            }
        });
    }
    tracing::debug!("listener stopped");
}

/// Runs the TLS handshake (bounded by the auth timeout), unless plaintext was asked for.
async fn secure(stream: TcpStream, ctx: &Context) -> Option<Box<dyn Io>> {
    let Some(acceptor) = &ctx.tls else {
        return Some(Box::new(stream));
    };
    match tokio::time::timeout(ctx.limits.auth_timeout, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => Some(Box::new(tls)),
        Ok(Err(e)) => {
            tracing::debug!("TLS handshake failed: {e}");
            None
        }
        Err(_) => {
            tracing::debug!("TLS handshake timed out");
            None
        }
    }
}
