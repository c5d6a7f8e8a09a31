//! The benchmark's side of the floor: starts `packbell-bench floor-server` as a child
//! process, and opens sender and receiver sockets to it over the same transport the
//! real clients use (`packbell_net::transport`).

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use packbell_net::tls::Trust;
use packbell_net::transport::{Security, WsStream};

use crate::client::{Client, Mode, WAIT};

/// Every order frame a floor sender sends is padded to this size (a real
/// `order_created` event is about as long).
pub const FRAME_BYTES: usize = 200;
/// How long the floor server may take to say where it listens.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running floor server; killed when dropped (it has nothing to finish).
pub struct FloorProcess {
    child: Child,
    pub pid: u32,
    pub endpoint: FloorEndpoint,
    _dir: tempfile::TempDir,
}

#[derive(Debug, Clone)]
pub struct FloorEndpoint {
    pub addr: String,
    pub mode: Mode,
}

impl FloorProcess {
    pub fn start(bench_bin: &Path, mode: Mode, data_root: &Path) -> anyhow::Result<FloorProcess> {
        let dir = tempfile::Builder::new()
            .prefix("packbell-floor-")
            .tempdir_in(data_root)
            .with_context(|| format!("making a temp dir in {}", data_root.display()))?;
        let mut command = Command::new(bench_bin);
        command
            .arg("floor-server")
            .arg("--data-dir")
            .arg(dir.path().join("data"));
        if mode == Mode::Plaintext {
            command.arg("--plaintext");
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {} floor-server", bench_bin.display()))?;
        let stdout = child
            .stdout
            .take()
            .context("the floor's stdout is not piped")?;
        let (lines, first) = mpsc::channel();
        std::thread::Builder::new()
            .name("floor-stdout".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    let _ = lines.send(line);
                }
            })?;
        let pid = child.id();
        let mut floor = FloorProcess {
            child,
            pid,
            endpoint: FloorEndpoint {
                addr: String::new(),
                mode,
            },
            _dir: dir,
        };
        let line = first
            .recv_timeout(START_TIMEOUT)
            .context("the floor server did not say where it listens")?;
        let Some(addr) = line.strip_prefix("listening ") else {
            bail!("the floor server printed {line:?}");
        };
        floor.endpoint.addr = addr.trim().to_owned();
        Ok(floor)
    }
}

impl Drop for FloorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl FloorEndpoint {
    async fn connect(&self, role: &str) -> anyhow::Result<WsStream> {
        let security = match self.mode {
            Mode::Tls => Security::Tls(Trust::Learn),
            Mode::Plaintext => Security::Plaintext,
        };
        let (mut client, _) = Client::connect(&self.addr, &security).await?;
        client.ws.send(Message::Text(role.into())).await?;
        Ok(client.ws)
    }

    /// A receiving socket, once the floor has subscribed it to the commits.
    pub async fn receiver(&self) -> anyhow::Result<Client> {
        let mut ws = self.connect("receive").await?;
        match tokio::time::timeout(WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Text(_)))) => Ok(Client { ws }),
            other => bail!("the floor did not confirm a receiver: {other:?}"),
        }
    }

    pub async fn sender(&self) -> anyhow::Result<WsStream> {
        self.connect("send").await
    }
}

/// An event-shaped frame the floor relays unchanged, so the benchmark reads it exactly
/// as it reads the real server's `order_created` (`name` is key and order number).
pub fn order_frame(name: &str) -> String {
    let mut frame = format!(
        r#"{{"type":"event","key":"{name}","body":{{"kind":"order_created","order_number":"{name}"}},"pad":""#
    );
    let pad = FRAME_BYTES.saturating_sub(frame.len() + 2);
    frame.extend(std::iter::repeat_n(' ', pad));
    frame.push_str(r#""}"#);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Light;

    #[test]
    fn floor_frames_are_200_bytes_and_read_as_order_created() {
        let frame = order_frame("T3-1234");
        assert_eq!(frame.len(), FRAME_BYTES);
        let light = Light::parse(&frame).expect("parses");
        assert_eq!(light.created_order(), Some("T3-1234"));
        assert_eq!(light.key, Some("T3-1234"));
    }
}
