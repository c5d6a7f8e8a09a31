//! The real `packbell-server` binary, started on loopback in a temporary data dir and
//! stopped again: gracefully by [`ServerProcess::stop`], or killed when dropped (also
//! when the benchmark fails or panics).

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::client::Mode;

/// How long the server may take to print its banner.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a graceful stop may take before the process is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

pub struct ServerProcess {
    child: Option<Child>,
    pub pid: u32,
    /// `127.0.0.1:PORT` of the WebSocket listener.
    pub addr: String,
    /// The server id printed in the banner (certificate fingerprint).
    pub server_id: String,
    /// Pairing codes printed in the banner, by role name.
    pub codes: HashMap<String, String>,
    pub log: PathBuf,
    dir: tempfile::TempDir,
}

impl ServerProcess {
    pub fn start(
        bin: &Path,
        mode: Mode,
        data_root: &Path,
        max_commands_per_second: f64,
    ) -> anyhow::Result<ServerProcess> {
        let dir = tempfile::Builder::new()
            .prefix("packbell-bench-")
            .tempdir_in(data_root)
            .with_context(|| format!("making a temp dir in {}", data_root.display()))?;
        let log = dir.path().join("server.log");
        let log_file = std::fs::File::create(&log).context("creating the server log")?;
        let mut command = Command::new(bin);
        command
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["--bind", "127.0.0.1", "--ws-port", "0", "--no-discovery"])
            .args(["--seed-store", "Centro"])
            .arg("--max-commands-per-second")
            .arg(max_commands_per_second.to_string());
        if mode == Mode::Plaintext {
            command.arg("--insecure-plaintext");
        }
        // Settings from the environment must not change what is measured.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("PACKBELL_") {
                command.env_remove(name);
            }
        }
        command
            .env("PACKBELL_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file);
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take();
        let mut server = ServerProcess {
            pid: child.id(),
            child: Some(child),
            addr: String::new(),
            server_id: String::new(),
            codes: HashMap::new(),
            log,
            dir,
        };
        let stdout = stdout.context("the server's stdout is not piped")?;
        // Reads the banner, then keeps draining stdout so the server never blocks on it.
        let (lines, banner) = mpsc::channel();
        std::thread::Builder::new()
            .name("server-stdout".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    let _ = lines.send(line);
                }
            })
            .context("starting the stdout reader")?;
        if let Err(e) = server.read_banner(&banner) {
            server.keep_files();
            return Err(e.context(format!(
                "the {} server did not start (log: {})",
                mode.name(),
                server.log.display()
            )));
        }
        Ok(server)
    }

    /// Leaves the data dir and the log in place (after a failure, to read them).
    pub fn keep_files(&mut self) {
        self.dir.disable_cleanup(true);
    }

    fn read_banner(&mut self, banner: &mpsc::Receiver<String>) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match banner.recv_timeout(left) {
                Ok(line) => line,
                Err(mpsc::RecvTimeoutError::Timeout) => bail!("no banner within 60 s"),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    bail!("the server exited: {}", self.log_tail())
                }
            };
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(id) = line.split("server id ").nth(1) {
                self.server_id = id.trim().to_owned();
            } else if let Some(url) = line.strip_prefix("Clients connect to ") {
                let addr = url.trim().split("://").nth(1).unwrap_or_default();
                self.addr = addr.trim_end_matches('/').to_owned();
            } else if let [role @ ("office" | "warehouse" | "admin"), code] = words.as_slice() {
                self.codes.insert((*role).to_owned(), (*code).to_owned());
            } else if line.starts_with("More codes") {
                break;
            }
        }
        if self.addr.is_empty() || !self.codes.contains_key("admin") {
            bail!("the banner named no address or no admin code");
        }
        Ok(())
    }

    /// The last lines of the server's log, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Asks the server to stop (SIGTERM: it finishes in-flight commits) and waits;
    /// kills it if it takes too long.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let asked = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        let deadline = Instant::now() + STOP_TIMEOUT;
        while asked && Instant::now() < deadline {
            if let Some(status) = child.try_wait()? {
                if !status.success() {
                    bail!("the server exited with {status}: {}", self.log_tail());
                }
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        bail!("the server did not stop within 10 s of SIGTERM; killed it")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
