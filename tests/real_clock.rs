//! Targets on a clock the harness cannot set: `mfa-harness serve` without `--test-clock`,
//! spawned as a binary on loopback. Scenarios start at the server's clock; time a scenario
//! lets pass is real waiting, within the run's budget and reported; a scenario needing more
//! is not applicable with the seconds it would need, never a pass; and a real-clock server
//! that cannot tell its time is a harness error naming it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mfa_harness::protocol::AdminToken;
use mfa_harness::report::{RunRecord, Status};
use mfa_harness::scenario::runner::{self, RunSettings};
use mfa_harness::scenario::{Suite, TagFilter};
use mfa_harness::sut::TargetSpec;

/// A spawned `serve`, killed when dropped.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The admin token the live servers here are started with, and the target sends.
const ADMIN_TOKEN: &str = "real-clock-test-admin-token-0123";

/// `mfa-harness serve` on its real clock (live mode, behind [`ADMIN_TOKEN`]), on a free
/// loopback port, once it accepts connections.
fn serve_real_clock() -> Served {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let token_file = std::env::temp_dir().join(format!("mfa-harness-real-clock-token-{port}"));
    std::fs::write(&token_file, ADMIN_TOKEN).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_mfa-harness"))
        .args(["serve", "--addr", &addr, "--admin-token-file", token_file.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let served = Served { child, base: format!("http://{addr}") };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "serve did not start on {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }
    served
}

fn run(base: &str, tags: &str, max_real_wait: Duration) -> RunRecord {
    let suite = Suite::load(&[]).unwrap();
    let mut spec = TargetSpec::parse(base).unwrap();
    if let TargetSpec::Http(settings) = &mut spec {
        settings.admin_token = Some(AdminToken::parse(ADMIN_TOKEN).unwrap());
    }
    let connection = spec.connect().unwrap();
    let settings = RunSettings {
        seed: 3,
        tags: Some(TagFilter::parse(tags).unwrap()),
        max_real_wait,
        ..RunSettings::default()
    };
    runner::run(&suite, &connection, &settings)
}

fn table(record: &RunRecord) -> String {
    let rows: Vec<String> = record
        .scenarios
        .iter()
        .map(|s| {
            format!("{} {:?} {:?} {:?}", s.id, s.status, s.reason, s.failure.as_ref().map(|f| &f.message))
        })
        .collect();
    rows.join("\n")
}

/// Why a scenario was not applicable: the target lacks something, or the real waiting it
/// needs is over the budget (with the seconds).
fn reasons_are_capabilities_or_seconds(record: &RunRecord) {
    for s in record.scenarios.iter().filter(|s| s.status == Status::NotApplicable) {
        let reason = s.reason.as_deref().unwrap_or_default();
        let seconds = reason.starts_with("needs ") && reason.contains(" s of real waiting");
        assert!(reason.starts_with("target lacks") || seconds, "{}: {reason}", s.id);
    }
}

#[test]
fn a_real_clock_server_passes_what_it_can_with_real_waiting_inside_the_budget() {
    let served = serve_real_clock();
    let budget = Duration::from_secs(35);
    let started = Instant::now();
    let record = run(&served.base, "@area.virtual", budget);
    let wall = started.elapsed();
    eprintln!("{}\nreal waiting {} ms, wall {wall:?}", table(&record), record.real_wait_ms);
    assert_eq!((record.summary.failed, record.summary.errors), (0, 0), "{}", table(&record));
    assert!(record.summary.passed > 0, "{}", table(&record));
    // Binding an app takes two consecutive codes: the harness waits for the next one, for real.
    assert!(record.real_wait_ms > 0, "no real waiting reported");
    assert!(record.real_wait_ms <= budget.as_millis() as u64, "over the budget: {} ms", record.real_wait_ms);
    assert!(wall >= Duration::from_millis(record.real_wait_ms), "reported waiting that did not happen");
    reasons_are_capabilities_or_seconds(&record);
}

#[test]
fn without_a_budget_a_scenario_that_must_wait_is_not_applicable_with_the_seconds_it_needs() {
    let served = serve_real_clock();
    let record = run(&served.base, "@area.virtual", Duration::ZERO);
    eprintln!("{}", table(&record));
    assert_eq!((record.summary.failed, record.summary.errors), (0, 0), "{}", table(&record));
    assert_eq!(record.real_wait_ms, 0);
    let waiting: Vec<_> = record
        .scenarios
        .iter()
        .filter(|s| s.reason.as_deref().is_some_and(|r| r.contains(" s of real waiting")))
        .collect();
    assert!(!waiting.is_empty(), "a binding needs the next code, so some scenario must need waiting");
    assert!(waiting.iter().all(|s| s.status == Status::NotApplicable));
    reasons_are_capabilities_or_seconds(&record);
}

/// A server on its own clock whose `/v1/info` does not say what time it is.
fn timeless_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let body = if request.starts_with(b"GET /v1/info ") {
                r#"{"protocol_version":"1.0.0","test_clock":false,"policy":{"lockout_threshold":10,"lockout_duration":900,"sms_max_attempts":3},"capabilities":["accounts","iam","admin-protection","own-protection","virtual-mfa","login-protection","operation-protection"]}"#
            } else {
                r#"{"ok":true}"#
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    format!("http://{addr}")
}

#[test]
fn a_real_clock_target_whose_time_cannot_be_read_is_a_harness_error_naming_it() {
    let base = timeless_server();
    let record = run(&base, "@area.virtual", Duration::from_secs(1));
    let errors: Vec<_> = record.scenarios.iter().filter(|s| s.status == Status::Error).collect();
    assert!(!errors.is_empty(), "{}", table(&record));
    assert_eq!(record.summary.passed + record.summary.failed, 0, "{}", table(&record));
    for s in errors {
        let reason = s.reason.as_deref().unwrap_or_default();
        // The first ones name the target; after three in a row the run calls it down, quoting
        // the last of them.
        let named = reason.contains(&format!("reading the clock of {base}"));
        assert!(named || reason.contains("target down"), "{}: {reason}", s.id);
        assert!(reason.contains("does not report now_unix_millis"), "{}: {reason}", s.id);
    }
}
