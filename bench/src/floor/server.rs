//! The floor relay, run as `packbell-bench floor-server` in its own process (so its CPU
//! is read from `/proc` exactly as the real server's is). It does what any durable
//! WebSocket fan-out must do and nothing else: senders' frames go to one writer thread
//! that stores them in SQLite (WAL, `synchronous=FULL`) in group commits; after each
//! commit the frames, unchanged, go to every receiver (feed, then one flush) and each
//! sender gets an ack. No parsing, validation, projections or idempotency rows.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc};
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use packbell_net::tls::{TLS_SERVER_NAME, crypto_provider};
use packbell_net::transport::{Io, websocket_config};
use tokio_rustls::rustls;

/// Commands waiting for the writer thread; when full, senders' sockets stop being read
/// (back-pressure, as in the real server).
const COMMAND_QUEUE: usize = 1024;
/// Most commands in one transaction; the rest wait for the next one.
const MAX_GROUP: usize = 1024;
/// Committed batches a receiver may fall behind by; a receiver further behind is
/// dropped (the benchmark then fails: every delivery is counted).
const BROADCAST_BATCHES: usize = 4096;
/// Acks queued for one sender's socket; when full, the writer waits for it.
const ACK_QUEUE: usize = 4096;

/// One sender's frame and where its ack goes.
struct Command {
    frame: Utf8Bytes,
    ack: mpsc::Sender<Utf8Bytes>,
}

/// One committed group, shared by every receiver.
type Batch = Arc<[Utf8Bytes]>;

/// `floor-server`: serves until killed. Prints `listening ADDR` once it accepts.
pub fn run(data_dir: &Path, plaintext: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let tls = if plaintext {
        None
    } else {
        Some(tls_acceptor()?)
    };
    let (commands, queue) = mpsc::channel(COMMAND_QUEUE);
    let (batches, _) = broadcast::channel::<Batch>(BROADCAST_BATCHES);
    let db = data_dir.join("floor.sqlite3");
    let committed = batches.clone();
    std::thread::Builder::new()
        .name("floor-writer".into())
        .spawn(move || {
            if let Err(e) = write_loop(&db, queue, &committed) {
                eprintln!("floor writer stopped: {e:#}");
                std::process::exit(1);
            }
        })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("floor-server")
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        println!("listening {}", listener.local_addr()?);
        std::io::stdout().flush()?;
        loop {
            let (tcp, _) = listener.accept().await?;
            let (tls, commands, batches) = (tls.clone(), commands.clone(), batches.clone());
            tokio::spawn(async move {
                if let Err(e) = serve(tcp, tls, commands, batches).await {
                    eprintln!("floor connection: {e:#}");
                }
            });
        }
    })
}

/// A fresh self-signed certificate, made and served as the real server does (rcgen,
/// rustls with the ring provider); clients accept it without pinning.
fn tls_acceptor() -> anyhow::Result<TlsAcceptor> {
    let key = rcgen::KeyPair::generate()?;
    let cert =
        rcgen::CertificateParams::new(vec![TLS_SERVER_NAME.to_owned()])?.self_signed(&key)?;
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// The writer thread: wait for a command, take every other one queued (up to
/// [`MAX_GROUP`]), store them in one transaction, commit, then broadcast and ack.
fn write_loop(
    db: &PathBuf,
    mut queue: mpsc::Receiver<Command>,
    batches: &broadcast::Sender<Batch>,
) -> anyhow::Result<()> {
    let mut conn = rusqlite::Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute(
        "CREATE TABLE IF NOT EXISTS frames (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)",
        [],
    )?;
    let mut group = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = queue.blocking_recv() {
        group.push(first);
        while group.len() < MAX_GROUP {
            let Ok(next) = queue.try_recv() else { break };
            group.push(next);
        }
        let transaction = conn.transaction()?;
        {
            let mut insert = transaction.prepare_cached("INSERT INTO frames (body) VALUES (?1)")?;
            for command in &group {
                insert.execute([command.frame.as_str()])?;
            }
        }
        transaction.commit()?;
        let batch: Batch = group.iter().map(|c| c.frame.clone()).collect();
        // No receiver connected is not an error.
        let _ = batches.send(batch);
        for command in group.drain(..) {
            // A sender that went away no longer wants its ack.
            let _ = command.ack.blocking_send(ack_for(&command.frame));
        }
    }
    Ok(())
}

/// `{"type":"ack","key":K}` for a frame holding `"key":"K"` (the bench's frames do).
fn ack_for(frame: &str) -> Utf8Bytes {
    let key = frame
        .split_once(r#""key":""#)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or("", |(key, _)| key);
    format!(r#"{{"type":"ack","key":"{key}"}}"#).into()
}

/// One connection: TLS (unless plaintext), WebSocket, then its first text frame says
/// what it is: `send` or `receive`.
async fn serve(
    tcp: TcpStream,
    tls: Option<TlsAcceptor>,
    commands: mpsc::Sender<Command>,
    batches: broadcast::Sender<Batch>,
) -> anyhow::Result<()> {
    tcp.set_nodelay(true)?;
    let stream: Box<dyn Io> = match tls {
        Some(acceptor) => Box::new(acceptor.accept(tcp).await?),
        None => Box::new(tcp),
    };
    let mut ws =
        tokio_tungstenite::accept_async_with_config(stream, Some(websocket_config())).await?;
    let role = match ws.next().await {
        Some(Ok(Message::Text(role))) => role,
        _ => return Ok(()),
    };
    match role.as_str() {
        "receive" => {
            let mut committed = batches.subscribe();
            ws.send(Message::Text(r#"{"type":"ready"}"#.into())).await?;
            loop {
                tokio::select! {
                    batch = committed.recv() => {
                        // Lagged or closed: drop the receiver (see BROADCAST_BATCHES).
                        let batch = batch?;
                        for frame in batch.iter() {
                            ws.feed(Message::Text(frame.clone())).await?;
                        }
                        ws.flush().await?;
                    }
                    incoming = ws.next() => match incoming {
                        Some(Ok(Message::Close(_)) | Err(_)) | None => return Ok(()),
                        Some(Ok(_)) => {}
                    },
                }
            }
        }
        "send" => {
            let (ack, mut acks) = mpsc::channel(ACK_QUEUE);
            let (mut sink, mut stream) = ws.split();
            let writer = tokio::spawn(async move {
                while let Some(first) = acks.recv().await {
                    sink.feed(Message::Text(first)).await?;
                    while let Ok(next) = acks.try_recv() {
                        sink.feed(Message::Text(next)).await?;
                    }
                    sink.flush().await?;
                }
                anyhow::Ok(())
            });
            while let Some(Ok(message)) = stream.next().await {
                match message {
                    Message::Text(frame) => {
                        let ack = ack.clone();
                        commands
                            .send(Command { frame, ack })
                            .await
                            .context("the writer stopped")?;
                    }
                    Message::Close(_) => break,
                    _ => {}
                }
            }
            drop(ack);
            writer.abort();
            Ok(())
        }
        other => anyhow::bail!("unknown role {other:?}"),
    }
}
