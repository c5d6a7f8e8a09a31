//! Opening a WebSocket to the server: over pinned TLS (the default) or plaintext (only
//! against a server started with `--insecure-plaintext`).

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use packbell_protocol::protocol::MAX_FRAME_BYTES;

use crate::tls::{self, PIN_MISMATCH, TLS_SERVER_NAME, Trust};

/// A byte stream a WebSocket runs over: plain TCP, or TLS over TCP.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

pub type WsStream = WebSocketStream<Box<dyn Io>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Security {
    Tls(Trust),
    /// No encryption: for servers run with `--insecure-plaintext` only.
    Plaintext,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot reach {addr}: {source}")]
    Unreachable {
        addr: String,
        source: std::io::Error,
    },
    #[error(
        "this is not the server this PC was paired with (its certificate is {seen}); \
         if the server was reinstalled, pair again"
    )]
    NotPairedServer { seen: String },
    #[error("secure connection to {addr} failed: {source}")]
    Tls {
        addr: String,
        source: std::io::Error,
    },
    #[error("WebSocket handshake with {addr} failed: {source}")]
    WebSocket {
        addr: String,
        source: Box<tokio_tungstenite::tungstenite::Error>,
    },
}

/// An open WebSocket and the fingerprint of the certificate the server showed (`None`
/// over plaintext).
pub struct Connected {
    pub ws: WsStream,
    pub fingerprint: Option<String>,
}

pub fn websocket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES))
}

/// Connects to `addr` (`HOST:PORT`). With `Trust::Pinned`, a server with another
/// certificate is refused during the TLS handshake, before any byte of ours is sent.
pub async fn connect(addr: &str, security: &Security) -> Result<Connected, ConnectError> {
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|source| ConnectError::Unreachable {
            addr: addr.to_owned(),
            source,
        })?;
    connect_over(tcp, addr, security).await
}

/// Like [`connect`], over a TCP stream the caller opened (e.g. with socket options).
pub async fn connect_over(
    tcp: TcpStream,
    addr: &str,
    security: &Security,
) -> Result<Connected, ConnectError> {
    let _ = tcp.set_nodelay(true);
    let (stream, fingerprint): (Box<dyn Io>, Option<String>) = match security {
        Security::Plaintext => (Box::new(tcp), None),
        Security::Tls(trust) => {
            let (config, seen) = tls::client_config(trust.clone());
            let connector = tokio_rustls::TlsConnector::from(config);
            let name = rustls::pki_types::ServerName::try_from(TLS_SERVER_NAME)
                .expect("a fixed valid DNS name");
            match connector.connect(name, tcp).await {
                Ok(tls) => (Box::new(tls), take(&seen)),
                Err(source) if source.to_string().contains(PIN_MISMATCH) => {
                    return Err(ConnectError::NotPairedServer {
                        seen: take(&seen).unwrap_or_default(),
                    });
                }
                Err(source) => {
                    return Err(ConnectError::Tls {
                        addr: addr.to_owned(),
                        source,
                    });
                }
            }
        }
    };
    let url = format!("ws://{addr}/");
    let (ws, _) =
        tokio_tungstenite::client_async_with_config(url, stream, Some(websocket_config()))
            .await
            .map_err(|source| ConnectError::WebSocket {
                addr: addr.to_owned(),
                source: Box::new(source),
            })?;
    Ok(Connected { ws, fingerprint })
}

fn take(seen: &Arc<Mutex<Option<String>>>) -> Option<String> {
    seen.lock().ok().and_then(|mut s| s.take())
}
