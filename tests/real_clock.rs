//! Targets on a clock the harness cannot set: `mfa-harness serve` without `--test-clock`,
//! spawned as a binary on loopback. Scenarios start at the server's clock; years of a token's
//! drift are a code offset, not waiting, while the server holds nothing they would change;
//! time the server must see pass is real waiting, within the run's budget and reported; a
//! scenario needing more is not applicable with the seconds it would need, never a pass; the
//! same run catches a server that accepts replays; and a real-clock server that cannot tell
//! its time is a harness error naming it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mfa_harness::protocol::AdminToken;
use mfa_harness::report::{RunRecord, Status};
use mfa_harness::scenario::runner::{self, RunSettings};
use mfa_harness::scenario::suite::feature_path;
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
    serve_real_clock_with_policy(None)
}

/// [`serve_real_clock`] with `policy` (TOML) as its `--policy` file.
fn serve_real_clock_with_policy(policy: Option<&str>) -> Served {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let token_file = std::env::temp_dir().join(format!("mfa-harness-real-clock-token-{port}"));
    std::fs::write(&token_file, ADMIN_TOKEN).unwrap();
    let mut args = vec!["serve".to_owned(), "--addr".into(), addr.clone()];
    args.extend(["--admin-token-file".into(), token_file.to_str().unwrap().to_owned()]);
    if let Some(policy) = policy {
        let policy_file = std::env::temp_dir().join(format!("mfa-harness-real-clock-policy-{port}.toml"));
        std::fs::write(&policy_file, policy).unwrap();
        args.extend(["--policy".into(), policy_file.to_str().unwrap().to_owned()]);
    }
    let child = Command::new(env!("CARGO_BIN_EXE_mfa-harness"))
        .args(&args)
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
    run_suite(base, Suite::load(&[]).unwrap(), Some(tags), max_real_wait)
}

/// Runs only the scenarios `ids` names (`features/…:line`).
fn run_ids(base: &str, ids: &[&str], max_real_wait: Duration) -> RunRecord {
    let mut suite = Suite::load(&[]).unwrap();
    for feature in &mut suite.features {
        let path = feature_path(feature);
        feature.scenarios.retain(|s| ids.contains(&format!("{path}:{}", s.position.line).as_str()));
    }
    suite.features.retain(|f| !f.scenarios.is_empty());
    let record = run_suite(base, suite, None, max_real_wait);
    assert_eq!(record.scenarios.len(), ids.len(), "{}", table(&record));
    record
}

fn run_suite(base: &str, suite: Suite, tags: Option<&str>, max_real_wait: Duration) -> RunRecord {
    let mut spec = TargetSpec::parse(base).unwrap();
    if let TargetSpec::Http(settings) = &mut spec {
        settings.admin_token = Some(AdminToken::parse(ADMIN_TOKEN).unwrap());
    }
    let connection = spec.connect().unwrap();
    let settings = RunSettings {
        seed: 3,
        tags: tags.map(|t| TagFilter::parse(t).unwrap()),
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

/// Why a scenario was not applicable: the target lacks something, the real waiting it needs
/// is over the budget (with the seconds), or the position in the step it fixes is too near an
/// edge for the clock's uncertainty.
fn reasons_are_capabilities_or_seconds(record: &RunRecord) {
    for s in record.scenarios.iter().filter(|s| s.status == Status::NotApplicable) {
        let reason = s.reason.as_deref().unwrap_or_default();
        let seconds = reason.starts_with("needs ") && reason.contains(" s of real waiting");
        let edge = reason.starts_with("the position in the step lies within");
        assert!(reason.starts_with("target lacks") || seconds || edge, "{}: {reason}", s.id);
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

fn status(record: &RunRecord, id: &str) -> Status {
    record.scenarios.iter().find(|s| s.id == id).unwrap_or_else(|| panic!("{id} did not run")).status
}

#[test]
fn years_of_token_drift_are_code_offsets_against_the_server_clock_not_waiting() {
    let served = serve_real_clock();
    // A day of drift is accepted, five years are not, and after five years a resync finds the
    // token about 3,150 s ahead of the server: the years pass for the token alone, since the
    // server holds nothing they would change; only the position in the step and the token's
    // next code are waited for.
    let ids = [
        "features/drift/hardware_drift.feature:30",
        "features/drift/hardware_drift.feature:36",
        "features/drift/resync.feature:40",
    ];
    let budget = Duration::from_secs(150);
    let record = run_ids(&served.base, &ids, budget);
    eprintln!("{}\nreal waiting {} ms", table(&record), record.real_wait_ms);
    for id in ids {
        assert_eq!(status(&record, id), Status::Passed, "{}", table(&record));
    }
    // Three positions in a step and one next code: under two minutes, never years.
    assert!(record.real_wait_ms < 4 * 31_000, "{} ms of real waiting", record.real_wait_ms);
}

#[test]
fn time_the_server_must_see_is_waited_for_or_not_applicable_with_the_seconds() {
    let served = serve_real_clock();
    let ids = [
        // A success, then 30 s that the server's replay guard must see pass: real waiting.
        "features/lockout/success_resets.feature:14",
        // A lockout the server must see end: 901 s, over any budget here.
        "features/lockout/lockout.feature:33",
    ];
    let record = run_ids(&served.base, &ids, Duration::from_secs(40));
    eprintln!("{}\nreal waiting {} ms", table(&record), record.real_wait_ms);
    assert_eq!(status(&record, ids[0]), Status::Passed, "{}", table(&record));
    assert!(record.real_wait_ms >= 30_000, "the 30 s were not waited for: {} ms", record.real_wait_ms);
    let lockout = record.scenarios.iter().find(|s| s.id == ids[1]).unwrap();
    assert_eq!(lockout.status, Status::NotApplicable, "{}", table(&record));
    assert!(lockout.reason.as_deref().unwrap_or_default().starts_with("needs 901.0 s of real waiting"));
}

/// Real waiting for the replay scenarios: enough to read codes clear of step edges (a tenth
/// of a second now and then), not for the 30 s a step takes to pass.
const REPLAY_BUDGET: Duration = Duration::from_secs(5);

/// The replay guard off, through a `danger_*` policy: what a real-clock run must catch.
const REPLAY_ALLOWED: &str = "[dangers]\ndanger_allow_replay = true\n";

#[test]
fn a_real_clock_server_that_accepts_replays_fails_the_replay_scenarios() {
    let served = serve_real_clock_with_policy(Some(REPLAY_ALLOWED));
    let record = run(&served.base, "@area.replay", REPLAY_BUDGET);
    eprintln!("{}", table(&record));
    assert_eq!(record.summary.errors, 0, "{}", table(&record));
    let failed: Vec<&str> =
        record.scenarios.iter().filter(|s| s.status == Status::Failed).map(|s| s.id.as_str()).collect();
    for id in [
        "features/replay/sequential_replay.feature:18",
        "features/replay/sequential_replay.feature:26",
        "features/replay/sequential_replay.feature:36",
    ] {
        assert!(failed.contains(&id), "{id} did not fail:\n{}", table(&record));
    }
}

#[test]
fn a_correct_real_clock_server_passes_every_applicable_replay_scenario() {
    let served = serve_real_clock();
    let record = run(&served.base, "@area.replay", REPLAY_BUDGET);
    eprintln!("{}", table(&record));
    assert_eq!((record.summary.failed, record.summary.errors), (0, 0), "{}", table(&record));
    assert!(record.summary.passed >= 5, "{}", table(&record));
    reasons_are_capabilities_or_seconds(&record);
}

/// The two lockout releases: 15 minutes of waiting each, which a run reaching them with more
/// than that left would spend, starving every scenario after them.
const LOCKOUT_RELEASES: [&str; 2] =
    ["features/lockout/lockout.feature:33", "features/lockout/lockout.feature:41"];

/// The real waiting the rest of the suite needs on a real clock (measured: about 1,150 s for
/// every position in a step, next code, typing delay and span the server must see), with room.
const WHOLE_SUITE_BUDGET: Duration = Duration::from_secs(1400);

#[test]
#[ignore = "about 20 minutes of real waiting: cargo test --release --test real_clock -- --ignored"]
fn the_whole_suite_on_a_real_clock_is_at_least_half_applicable_and_all_of_that_passes() {
    let served = serve_real_clock();
    let mut suite = Suite::load(&[]).unwrap();
    let total = suite.scenarios().len();
    for feature in &mut suite.features {
        let path = feature_path(feature);
        feature
            .scenarios
            .retain(|s| !LOCKOUT_RELEASES.contains(&format!("{path}:{}", s.position.line).as_str()));
    }
    let started = Instant::now();
    let record = run_suite(&served.base, suite, None, WHOLE_SUITE_BUDGET);
    let wall = started.elapsed();
    eprintln!("{}\nreal waiting {} ms, wall {wall:?}", table(&record), record.real_wait_ms);
    assert_eq!((record.summary.failed, record.summary.errors), (0, 0), "{}", table(&record));
    // The two left out count as not applicable.
    let applicable = record.scenarios.iter().filter(|s| s.status != Status::NotApplicable).count();
    assert!(applicable * 2 >= total, "{applicable} of {total} applicable");
    assert!(record.real_wait_ms <= WHOLE_SUITE_BUDGET.as_millis() as u64);
    assert!(wall >= Duration::from_millis(record.real_wait_ms), "reported waiting that did not happen");
    reasons_are_capabilities_or_seconds(&record);
}
