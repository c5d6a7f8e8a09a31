//! What the figures were measured on, and CPU time of processes (Linux `/proc`).

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub kernel: String,
    pub rustc: String,
    pub date: String,
    pub data_fs: String,
    pub load: String,
}

impl Machine {
    pub fn describe(data_root: &Path) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map_or_else(|| "unknown".to_owned(), |m| m.trim().to_owned());
        Machine {
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model,
            kernel: first_line("/proc/sys/kernel/osrelease"),
            rustc: command_output("rustc", &["--version"]),
            date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            data_fs: filesystem_of(data_root),
            load: load_average(),
        }
    }

    pub fn print(&self) {
        println!("machine:  {} CPUs, {}", self.cpus, self.cpu_model);
        println!("kernel:   {}", self.kernel);
        println!("rustc:    {}", self.rustc);
        println!("date:     {}", self.date);
        println!("data dir: {}", self.data_fs);
        println!("load avg: {} (at start)", self.load);
    }
}

pub fn load_average() -> String {
    let text = first_line("/proc/loadavg");
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn first_line(path: &str) -> String {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

fn command_output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The mount holding `path`, and its filesystem type: fsync costs depend on it.
fn filesystem_of(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let best = mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let device = fields.next()?;
            let point = fields.next()?;
            let kind = fields.next()?;
            path.starts_with(point).then(|| {
                (
                    point.len(),
                    format!("{} ({kind} on {device})", path.display()),
                )
            })
        })
        .max_by_key(|(len, _)| *len);
    best.map_or_else(|| path.display().to_string(), |(_, text)| text)
}

fn clock_ticks_per_second() -> u64 {
    static TICKS: OnceLock<u64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        command_output("getconf", &["CLK_TCK"])
            .parse()
            .ok()
            .filter(|&t| t > 0)
            .unwrap_or(100)
    })
}

/// User + system CPU time of the process whose `stat` file is at `stat_path`.
pub fn process_cpu_time(stat_path: &str) -> Option<Duration> {
    let text = std::fs::read_to_string(stat_path).ok()?;
    // Fields after the command name (which may hold spaces) start with field 3.
    let rest = text.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let ticks = clock_ticks_per_second();
    Some(Duration::from_millis((utime + stime) * 1000 / ticks))
}

/// CPU time this benchmark process has used so far.
pub fn own_cpu_time() -> Option<Duration> {
    process_cpu_time("/proc/self/stat")
}
