//! Accepts TCP connections and hands each to its own task, up to the connection cap.
//!
//! The connection permit is taken at accept, before any handshake, so a socket above
//! the cap costs no TLS or WebSocket work unless one of the few refusal slots is free
//! to tell it politely (1013); otherwise it is closed at once.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

use super::connection::{self, Io};
use super::failure_log::Failure;
use crate::Context;
use crate::config::REFUSAL_GRACE;

/// Pause after a failed accept (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

pub async fn run(listener: TcpListener, ctx: Arc<Context>, tasks: TaskTracker) {
    let slots = Arc::new(Semaphore::new(ctx.limits.max_connections));
    let refusals = Arc::new(Semaphore::new(ctx.limits.max_refusals));
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
        if let Ok(slot) = slots.clone().try_acquire_owned() {
            let ctx = ctx.clone();
            let open = ctx.stats.connection_opened();
            tasks.spawn(async move {
                if let Some(stream) = secure(stream, &ctx, ctx.limits.auth_timeout).await {
                    connection::serve(stream, peer, ctx).await;
                }
                drop(open);
                drop(slot);
            });
        } else if let Ok(refusal) = refusals.clone().try_acquire_owned() {
            ctx.failures.record(Failure::RefusedFull);
            let ctx = ctx.clone();
            tasks.spawn(async move {
                let refuse = async {
                    if let Some(stream) = secure(stream, &ctx, REFUSAL_GRACE).await {
                        connection::refuse_full(stream).await;
                    }
                };
                let _ = tokio::time::timeout(REFUSAL_GRACE, refuse).await;
                drop(refusal);
            });
        } else {
            ctx.failures.record(Failure::ClosedUnanswered);
            ctx.stats.closed_unanswered();
            drop(stream);
        }
    }
    tracing::debug!("listener stopped");
}

/// Runs the TLS handshake (bounded by `limit`), unless plaintext was asked for.
async fn secure(stream: TcpStream, ctx: &Context, limit: Duration) -> Option<Box<dyn Io>> {
    let Some(acceptor) = &ctx.tls else {
        return Some(Box::new(stream));
    };
    match tokio::time::timeout(limit, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => Some(Box::new(tls)),
        Ok(Err(e)) => {
            tracing::debug!("TLS handshake failed: {e}");
            ctx.failures.record(Failure::Handshake);
            None
        }
        Err(_) => {
            tracing::debug!("TLS handshake timed out");
            ctx.failures.record(Failure::Handshake);
            None
        }
    }
}
