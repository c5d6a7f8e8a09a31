//! A WebSocket echo over the server's own WebSocket settings (frame limits, buffer
//! sizes: `server_websocket_config`), for the Autobahn conformance cases in
//! `scripts/lib/autobahn.sh`. The packbell protocol answers text with protocol
//! messages, not echoes, so the cases drive this instead: same library, same settings,
//! no application in between. Plain `ws://` on 127.0.0.1 only; prints the port, then
//! serves until killed or until nothing connected for `IDLE_EXIT`.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;

use packbell_server::relay::connection::server_websocket_config;

/// With no new connection for this long the echo exits (the script died or is done).
const IDLE_EXIT: Duration = Duration::from_secs(120);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("echo on 127.0.0.1:{}", listener.local_addr()?.port());
    loop {
        let Ok(accepted) = tokio::time::timeout(IDLE_EXIT, listener.accept()).await else {
            return Ok(());
        };
        let (stream, _) = accepted?;
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(
                stream,
                Some(server_websocket_config()),
            )
            .await
            else {
                return;
            };
            while let Some(Ok(message)) = ws.next().await {
                if (message.is_text() || message.is_binary()) && ws.send(message).await.is_err() {
                    return;
                }
            }
        });
    }
}
