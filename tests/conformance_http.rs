//! The conformance suite over HTTP: `serve --test-clock` on loopback passes every scenario
//! exactly as the in-process reference does, and a misbehaving server (refused connections,
//! slow answers, 500s, garbage, cut-off JSON, reset connections) gives harness errors that
//! quote the request and the start of the body, never a pass.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use mfa_harness::clock::DEFAULT_EPOCH;
use mfa_harness::reference::Policy;
use mfa_harness::report::{RunOutcome, RunRecord, Status};
use mfa_harness::scenario::runner::{self, RunSettings};
use mfa_harness::scenario::{Suite, TagFilter};
use mfa_harness::server::{self, ServerConfig};
use mfa_harness::sut::{Http, HttpSettings, Target, TargetError, TargetSpec};

/// `serve --test-clock` on an ephemeral loopback port, on its own thread and runtime.
fn serve_test_clock() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            server::serve_on(listener, ServerConfig::test(Policy::for_tests(), 1)).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

fn settings(tags: Option<&str>, seed: u64) -> RunSettings {
    RunSettings { seed, tags: tags.map(|t| TagFilter::parse(t).unwrap()), ..RunSettings::default() }
}

fn run(spec: &TargetSpec, tags: Option<&str>, seed: u64) -> RunRecord {
    let suite = Suite::load(&[]).unwrap();
    runner::run(&suite, &spec.connect().unwrap(), &settings(tags, seed))
}

fn statuses(record: &RunRecord) -> Vec<(String, Status)> {
    record.scenarios.iter().map(|s| (s.id.clone(), s.status)).collect()
}

#[test]
fn the_whole_suite_passes_over_http_exactly_as_in_process() {
    let base = serve_test_clock();
    let spec = TargetSpec::parse(&base).unwrap();
    assert!(matches!(spec, TargetSpec::Http(_)));
    let started = Instant::now();
    let http = run(&spec, None, 7);
    eprintln!("{} scenarios over HTTP in {:?}", http.scenarios.len(), started.elapsed());
    let in_process = run(&TargetSpec::parse("reference").unwrap(), None, 7);
    let failures: Vec<String> = http
        .scenarios
        .iter()
        .filter(|s| s.status != Status::Passed)
        .map(|s| format!("{} {:?}: {:?} {:?}", s.id, s.status, s.reason, s.failure))
        .collect();
    assert!(failures.is_empty(), "{} not passed over HTTP:\n{}", failures.len(), failures.join("\n"));
    assert!(http.scenarios.len() >= 150, "only {} scenarios", http.scenarios.len());
    assert_eq!(statuses(&http), statuses(&in_process));
    assert_eq!(http.outcome(), RunOutcome::Conforms);
    assert_eq!(http.target.kind, "http");
    assert_eq!(http.target.name, base);
}

#[test]
fn the_http_target_reads_capabilities_and_policy_facts_from_the_server() {
    let base = serve_test_clock();
    let target = Http::connect(HttpSettings::parse(&base).unwrap()).unwrap();
    let reference = mfa_harness::sut::InProcess::new("reference", Policy::for_tests(), 0);
    assert_eq!(target.capabilities(), reference.capabilities());
    assert_eq!(target.policy_facts(), reference.policy_facts());
}

/// How the hostile server answers everything but the plumbing (`/v1/info`, reset, clock, SMS).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Misbehaviour {
    /// Stops listening once `/v1/info` has been read: later connections are refused.
    Refuse,
    /// Answers after 1 s, past the client's 300 ms limit.
    Slow,
    /// `500` with a body quoting a password.
    ServerError,
    /// `200` with text that is not JSON.
    Garbage,
    /// `200` promising 400 bytes and sending a cut-off JSON verdict, then closing.
    Truncated,
    /// Closes the connection without reading the request: the kernel answers with a reset.
    Reset,
}

const ALL: [Misbehaviour; 6] = [
    Misbehaviour::Refuse,
    Misbehaviour::Slow,
    Misbehaviour::ServerError,
    Misbehaviour::Garbage,
    Misbehaviour::Truncated,
    Misbehaviour::Reset,
];

const INFO: &str = r#"{"protocol_version":"1.0.0","test_clock":true,"policy":{"lockout_threshold":10,"lockout_duration":900,"sms_max_attempts":3},"capabilities":["clock-control","exact-clock","accounts","iam","admin-protection","own-protection","virtual-mfa","hardware-mfa","beta-list","sms","login-protection","operation-protection","resync","support-reset","authenticator-record"]}"#;

/// A raw HTTP/1.1 server on loopback that misbehaves as told; returns its address.
fn hostile(mode: Misbehaviour) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if mode == Misbehaviour::Refuse {
            // The one connection is the client's `/v1/info`. The listener closes before that
            // answer is written: closed after it, a connection the client opened at once could
            // sit in the accept queue and be reset rather than refused.
            let Ok((stream, _)) = listener.accept() else { return };
            drop(listener);
            serve(stream, mode);
            return;
        }
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || serve(stream, mode));
        }
    });
    addr
}

/// Serves one connection.
fn serve(mut stream: TcpStream, mode: Misbehaviour) {
    if mode == Misbehaviour::Reset {
        // Let the request arrive, then close with it unread: Linux sends RST.
        std::thread::sleep(Duration::from_millis(20));
        if !request_is_plumbing(&stream) {
            return;
        }
    }
    let Some((method, path)) = read_request(&mut stream) else { return };
    let plumbing = match (method.as_str(), path.as_str()) {
        ("GET", "/v1/info") => Some(INFO),
        ("POST", "/v1/admin/reset") => Some(r#"{"ok":true}"#),
        ("PUT", "/v1/test/clock") => Some(r#"{"unix_millis":0}"#),
        ("GET", "/v1/test/sms") => Some("[]"),
        _ => None,
    };
    if let Some(body) = plumbing {
        respond(&mut stream, "200 OK", body, body.len());
        return;
    }
    match mode {
        Misbehaviour::Refuse | Misbehaviour::Reset => {}
        Misbehaviour::Slow => {
            std::thread::sleep(Duration::from_secs(1));
            respond(&mut stream, "200 OK", r#"{"verdict":"sms_sent"}"#, 22);
        }
        Misbehaviour::ServerError => {
            let body = r#"{"error":"database down","password":"hunter2"}"#;
            respond(&mut stream, "500 Internal Server Error", body, body.len());
        }
        Misbehaviour::Garbage => respond(&mut stream, "200 OK", "<html>oops, not JSON</html>", 27),
        Misbehaviour::Truncated => {
            respond(&mut stream, "200 OK", r#"{"verdict":"accepted","code":"123456","sess"#, 400)
        }
    }
}

/// Whether the pending request (not yet read) is one of the plumbing routes.
fn request_is_plumbing(stream: &TcpStream) -> bool {
    let mut head = [0u8; 64];
    let n = stream.peek(&mut head).unwrap_or(0);
    let line = String::from_utf8_lossy(&head[..n]);
    ["GET /v1/info ", "POST /v1/admin/reset ", "PUT /v1/test/clock ", "GET /v1/test/sms "]
        .iter()
        .any(|p| line.starts_with(p))
}

/// Reads a request (head and a Content-Length body); the method and path.
fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let mut words = head.split_whitespace();
    Some((words.next()?.to_owned(), words.next()?.to_owned()))
}

/// Writes a response claiming `length` bytes of body, then closes.
fn respond(stream: &mut TcpStream, status: &str, body: &str, length: usize) {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n"
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

fn impatient(addr: SocketAddr) -> HttpSettings {
    HttpSettings {
        base_url: format!("http://{addr}"),
        connect_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_millis(300),
        admin_token: None,
    }
}

#[test]
fn each_misbehaviour_is_no_answer_quoting_the_request_and_body_start() {
    for mode in ALL {
        let target = Http::connect(impatient(hostile(mode))).unwrap();
        if mode != Misbehaviour::Refuse {
            target.reset().unwrap();
        }
        let answer = target.login("alice", "correct horse battery", "office", DEFAULT_EPOCH);
        let Err(TargetError::NoAnswer { request, message }) = answer else {
            panic!("{mode:?}: expected no answer, got {answer:?}")
        };
        // Refused from the start, the first request (setting the clock) already fails.
        let first = if mode == Misbehaviour::Refuse { "PUT /v1/test/clock" } else { "POST /v1/login" };
        assert_eq!(request, first, "{mode:?}");
        let expected = match mode {
            Misbehaviour::Refuse => "cannot connect",
            Misbehaviour::Slow => "no answer within 300 ms",
            Misbehaviour::ServerError => {
                "unexpected status 500 Internal Server Error; body starts: {\"error\":\"database down\""
            }
            Misbehaviour::Garbage => "body starts: <html>oops, not JSON</html>",
            Misbehaviour::Truncated => "200 OK, then the body was cut off after 43 bytes",
            Misbehaviour::Reset => "no answer",
        };
        assert!(message.contains(expected), "{mode:?}: {message}");
        if mode == Misbehaviour::Truncated {
            assert!(message.contains(r#"body starts: {"verdict":"accepted","code""#), "{message}");
        }
        for secret in ["correct horse", "hunter2", "123456"] {
            assert!(!message.contains(secret), "{mode:?} leaked {secret}: {message}");
        }
    }
}

#[test]
fn a_refused_connection_at_connect_is_no_answer() {
    let addr = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let Err(TargetError::NoAnswer { request, message }) = Http::connect(impatient(addr)) else {
        panic!("connected to a closed port")
    };
    assert_eq!(request, "GET /v1/info");
    assert!(message.contains("cannot connect"), "{message}");
}

#[test]
fn a_misbehaving_server_errors_every_scenario_and_the_run_continues() {
    for mode in ALL {
        let spec = TargetSpec::Http(impatient(hostile(mode)));
        let record = run(&spec, Some("@concurrent or @needs.resync"), 3);
        assert!(record.scenarios.len() >= 3, "{mode:?}: {} scenarios", record.scenarios.len());
        for s in &record.scenarios {
            assert_eq!(s.status, Status::Error, "{mode:?} {}: {:?}", s.id, s.reason);
            let why = format!("{:?} {:?}", s.reason, s.failure);
            assert!(why.contains("/v1/"), "{mode:?} {}: the request is not quoted: {why}", s.id);
        }
        assert_eq!(record.outcome(), RunOutcome::NoVerdict, "{mode:?}");
    }
}

#[test]
fn the_binary_exits_2_when_the_server_misbehaves() {
    let addr = hostile(Misbehaviour::ServerError);
    let out_dir = std::env::temp_dir().join(format!("mfa-harness-hostile-{}", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_mfa-harness"))
        .args(["run", "--quiet", "--tags", "@concurrent", "--target", &format!("http://{addr}"), "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&out_dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn the_binary_exits_2_when_nothing_listens() {
    let addr = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_mfa-harness"))
        .args(["run", "--quiet", "--target", &format!("http://{addr}")])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/v1/info"), "{stderr}");
}
