//! `mfa-harness serve` under hostile and careless use: issue 14's items 10-13 and its smaller
//! `serve` items, each a test that failed before its fix.
//!
//! | file | claim |
//! |---|---|
//! | `memory.rs` | resident memory stays bounded under concurrent standard-cost logins (item 10) |
//! | `limits.rs` | half-sent requests are closed, a connection limit holds, and held connections cannot lock other clients out (item 11) |
//! | `admin.rs` | outside test mode secrets and ids are unpredictable and admin routes need a token; test mode stays seeded and says so (item 12) |
//! | `wrk.rs` | the wrk load is all 2xx and fails loudly when it is not (item 13) |
//! | `start.rs` | a bad webhook URL or a port in use stops `serve` before it claims to serve (smaller items) |
//!
//! Servers run as child processes of the real binary where the claim is about the process
//! (its memory, its descriptor limit, what it prints), and in process otherwise.

mod admin;
mod limits;
mod memory;
mod start;
mod wrk;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use mfa_harness::server::{self, ServerConfig};

/// A `mfa-harness serve` child process on an ephemeral loopback port, killed on drop.
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// What it printed to stderr up to and including the "serving" line.
    pub banner: Vec<String>,
}

impl Served {
    /// Starts `serve` with `args` (plus `--addr 127.0.0.1:0`) and waits for its "serving" line.
    pub fn start(args: &[&str]) -> Served {
        Served::start_command(harness(args))
    }

    /// Starts `serve` under `ulimit -n open_files`.
    pub fn start_with_open_files(open_files: u32, args: &[&str]) -> Served {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -n {open_files} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_mfa-harness"))
            .args(serve_args(args));
        Served::start_command(command)
    }

    fn start_command(mut command: Command) -> Served {
        let mut child = command.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
        let lines = stderr_lines(&mut child);
        let mut banner = Vec::new();
        loop {
            let Ok(line) = lines.recv_timeout(Duration::from_secs(60)) else {
                let _ = child.kill();
                panic!("serve did not start; it printed: {banner:?}");
            };
            banner.push(line.clone());
            if let Some(rest) = line.split_once(" on http://").map(|(_, r)| r) {
                let base = format!("http://{}", rest.trim_end_matches("/v1/"));
                return Served { child, base, banner };
            }
        }
    }

    /// The process's resident set in MiB (Linux `/proc`).
    pub fn resident_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        kib / 1024.0
    }

    /// The admin token it printed at start.
    pub fn printed_token(&self) -> String {
        let line = self.banner.iter().find(|l| l.starts_with("admin token")).expect("a printed admin token");
        line.rsplit(' ').next().unwrap().to_owned()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `mfa-harness serve ARGS --addr 127.0.0.1:0`.
pub fn harness(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mfa-harness"));
    command.args(serve_args(args));
    command
}

fn serve_args(args: &[&str]) -> Vec<String> {
    let mut all = vec!["serve".to_owned(), "--addr".to_owned(), "127.0.0.1:0".to_owned()];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    all
}

/// The child's stderr, line by line, read on a thread so the child never blocks on it.
fn stderr_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// Starts `serve` with `args` and `--admin-token-file` holding `token` (the file is removed
/// once the server has read it).
pub fn serve_with_token(token: &str, args: &[&str]) -> Served {
    static FILES: AtomicU64 = AtomicU64::new(0);
    let n = FILES.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("mfa-harness-serve-token-{}-{n}", std::process::id()));
    std::fs::write(&path, format!("{token}\n")).unwrap();
    let mut all = vec!["--admin-token-file", path.to_str().unwrap()];
    all.extend_from_slice(args);
    let served = Served::start(&all);
    std::fs::remove_file(&path).unwrap();
    served
}

/// Serves `config` in this process on its own thread and runtime; returns the address.
pub fn in_process(config: ServerConfig) -> std::net::SocketAddr {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            server::serve_on(listener, config).await.unwrap();
        });
    });
    rx.recv().unwrap()
}
