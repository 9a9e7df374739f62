//! Targets that would get a verdict they do not deserve: a server declaring no capabilities, a
//! profile pointing at nothing, a server that accepts every code, a server that never answers,
//! a server speaking another protocol version. None conforms: each is no verdict (exit 2) or
//! fails, and a dead server costs a few timeouts, not one per scenario.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mfa_harness::clock::SimTime;
use mfa_harness::protocol::{
    AccountView, AuthenticatorEvent, BindingId, Capabilities, Capability, ChallengeId, DeviceKind, Method,
    MethodSet, NewUser, Operation, PolicyFacts, Scope, SessionId, SetupDevice, SmsMessage,
};
use mfa_harness::provision::TokenSeed;
use mfa_harness::reference::Policy;
use mfa_harness::report::{RunOutcome, Status};
use mfa_harness::scenario::runner::{self, RunSettings};
use mfa_harness::scenario::{Suite, TagFilter};
use mfa_harness::sut::{
    Answer, Connection, Http, HttpSettings, InProcess, Target, TargetError, TargetFactory, TargetInfo,
    TargetSpec,
};

fn harness(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mfa-harness")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mfa-harness-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const POLICY: &str = r#"{"lockout_threshold":10,"lockout_duration":900,"sms_max_attempts":3}"#;
const ALL_CAPABILITIES: &str = r#"["clock-control","exact-clock","accounts","iam","admin-protection","own-protection","virtual-mfa","hardware-mfa","beta-list","sms","login-protection","operation-protection","resync","support-reset","authenticator-record"]"#;

fn info(version: &str, capabilities: &str) -> String {
    format!(
        r#"{{"protocol_version":"{version}","test_clock":true,"policy":{POLICY},"capabilities":{capabilities}}}"#
    )
}

/// A loopback HTTP/1.1 server: `/v1/info` answers `info`; any other request gets `other`, or
/// (with `None`) is read and then never answered, the connection held open.
fn server(info: String, other: Option<&'static str>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let info = info.clone();
            std::thread::spawn(move || serve(stream, &info, other));
        }
    });
    addr
}

fn serve(mut stream: TcpStream, info: &str, other: Option<&str>) {
    let Some(path) = read_request(&stream) else { return };
    let body = if path == "/v1/info" { Some(info) } else { other };
    match body {
        Some(body) => {
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        // Accepted and read, never answered: hold the connection until the client gives up.
        None => {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
            let _ = stream.read(&mut [0u8; 1]);
        }
    }
}

/// Reads one request's head and body; its path.
fn read_request(stream: &TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        if header.trim().is_empty() {
            break;
        }
        if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    line.split_whitespace().nth(1).map(str::to_owned)
}

fn impatient(addr: SocketAddr) -> HttpSettings {
    HttpSettings {
        base_url: format!("http://{addr}"),
        connect_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_millis(300),
        admin_token: None,
    }
}

// ---- item 1: nothing applicable is no verdict -----------------------------------------------------

#[test]
fn an_always_yes_server_declaring_no_capabilities_gets_no_verdict() {
    let addr = server(info("1.0.0", "[]"), Some(r#"{"verdict":"accepted"}"#));
    let out = temp_dir("no-capabilities");
    let (code, stdout, stderr) =
        harness(&["run", "--quiet", "--target", &format!("http://{addr}"), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("no verdict: none of the"), "{stderr}");
    assert!(stdout.contains("verdict: NO VERDICT: none of the"), "{stdout}");
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.starts_with("# mfa-harness conformance report: NO VERDICT: none of the"), "{summary}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("NO VERDICT") && !html.contains("CONFORMS"), "{html}");
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(junit.contains("<error message=\"NO VERDICT: none of the"), "{junit}");
}

#[test]
fn a_profile_mapping_only_accounts_with_no_server_gets_no_verdict() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dir = temp_dir("accounts-only");
    let profile = dir.join("accounts-only.toml");
    std::fs::write(
        &profile,
        format!(
            r#"[target]
name = "accounts only"
base_url = "http://{closed}"

[clock]
probe = {{ method = "GET", path = "/health" }}
date_header = true

[policy]
lockout_threshold = 3
lockout_duration_secs = 60
sms_max_attempts = 3

[capabilities]
maps = ["accounts"]

[operations.create_user]
method = "POST"
path = "/users"
rules = "ok"

[[rules.ok]]
when = {{ status = 200 }}
result = "ok"
"#
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let target = format!("profile:{}", profile.display());
    let (code, stdout, stderr) =
        harness(&["run", "--quiet", "--target", &target, "--out", out.to_str().unwrap()]);
    // The profile reads the server's clock at connect, so a missing server is a harness error
    // there, before any scenario: exit 2, never CONFORMS.
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("cannot connect"), "{stderr}");
    assert!(!stdout.contains("CONFORMS") && !stderr.contains("CONFORMS"), "{stdout}{stderr}");
}

#[test]
fn an_applicable_share_under_the_floor_is_no_verdict() {
    // The reference, declaring no SMS: its SMS scenarios are not applicable, the rest pass.
    let factory: TargetFactory = Arc::new(|seed| {
        Ok(Arc::new(InProcess::new("reference", Policy::for_tests(), seed)) as Arc<dyn Target>)
    });
    let connection = Connection {
        info: TargetInfo { name: "reference without SMS".into(), kind: "in-process".into(), profile: None },
        capabilities: Capabilities::all().without(Capability::Sms),
        factory,
    };
    let suite = Suite::load(&[]).unwrap();
    let tags = Some(TagFilter::parse("@area.sms or @area.lockout").unwrap());
    let record =
        runner::run(&suite, &connection, &RunSettings { tags: tags.clone(), ..RunSettings::default() });
    let s = record.summary;
    assert!(s.not_applicable > 0 && s.passed > 0 && s.passed + s.not_applicable == s.total, "{s:?}");
    assert_eq!(record.outcome(), RunOutcome::Conforms);
    let share = (s.passed * 100 / s.total) as u8;
    let at_floor = RunSettings { tags: tags.clone(), min_applicable: Some(share), ..RunSettings::default() };
    assert_eq!(runner::run(&suite, &connection, &at_floor).outcome(), RunOutcome::Conforms);
    let over = RunSettings { tags, min_applicable: Some(share + 1), ..RunSettings::default() };
    let record = runner::run(&suite, &connection, &over);
    assert_eq!(record.outcome(), RunOutcome::NoVerdict);
    assert!(record.verdict().ends_with(&format!("were applicable, under the floor of {}%", share + 1)));

    let out = temp_dir("floor");
    let args = ["run", "--quiet", "--tags", "@area.sms", "--out", out.to_str().unwrap()];
    let (code, stdout, _) = harness(&[&args[..], &["--min-applicable", "100"]].concat());
    assert_eq!(code, 0, "every scenario is applicable to the reference: {stdout}");
    let (code, _, stderr) = harness(&[&args[..], &["--min-applicable", "101"]].concat());
    assert_eq!(code, 2, "a share over 100 % is a usage error: {stderr}");
}

// ---- item 4: a server that accepts every code fails every RFC row -----------------------------------

/// The reference, except that a hardware binding accepts any code: the code the token shows
/// now is submitted instead of the one given.
struct AcceptsEveryCode {
    inner: InProcess,
    seeds: Mutex<HashMap<String, TokenSeed>>,
}

impl Target for AcceptsEveryCode {
    fn info(&self) -> TargetInfo {
        TargetInfo { name: "accepts-every-code".into(), kind: "in-process".into(), profile: None }
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn policy_facts(&self) -> PolicyFacts {
        self.inner.policy_facts()
    }
    fn reset(&self) -> Answer<()> {
        self.inner.reset()
    }
    fn create_user(&self, user: &NewUser, now: SimTime) -> Answer<()> {
        self.inner.create_user(user, now)
    }
    fn set_phone(&self, user: &str, phone: &str, now: SimTime) -> Answer<()> {
        self.inner.set_phone(user, phone, now)
    }
    fn set_beta(&self, user: &str, on: bool, now: SimTime) -> Answer<()> {
        self.inner.set_beta(user, on, now)
    }
    fn import_seeds(&self, seeds: &[TokenSeed], now: SimTime) -> Answer<()> {
        let mut known = self.seeds.lock().unwrap();
        for seed in seeds {
            known.insert(seed.serial.clone(), seed.clone());
        }
        self.inner.import_seeds(seeds, now)
    }
    fn provision_device(&self, user: &str, device: &SetupDevice, now: SimTime) -> Answer<()> {
        self.inner.provision_device(user, device, now)
    }
    fn provision_protection(&self, user: &str, scope: Scope, methods: MethodSet, now: SimTime) -> Answer<()> {
        self.inner.provision_protection(user, scope, methods, now)
    }
    fn account(&self, user: &str, now: SimTime) -> Answer<AccountView> {
        self.inner.account(user, now)
    }
    fn authenticator_record(&self, user: &str, now: SimTime) -> Answer<Vec<AuthenticatorEvent>> {
        self.inner.authenticator_record(user, now)
    }
    fn take_sms(&self, now: SimTime) -> Answer<Vec<SmsMessage>> {
        self.inner.take_sms(now)
    }
    fn login(&self, user: &str, password: &str, origin: &str, now: SimTime) -> Answer {
        self.inner.login(user, password, origin, now)
    }
    fn request_sms(&self, challenge: ChallengeId, now: SimTime) -> Answer {
        self.inner.request_sms(challenge, now)
    }
    fn answer(&self, challenge: ChallengeId, method: Method, response: &str, now: SimTime) -> Answer {
        self.inner.answer(challenge, method, response, now)
    }
    fn confirm(&self, challenge: ChallengeId, now: SimTime) -> Answer {
        self.inner.confirm(challenge, now)
    }
    fn perform(&self, session: SessionId, operation: Operation, now: SimTime) -> Answer {
        self.inner.perform(session, operation, now)
    }
    fn set_protection(
        &self,
        session: SessionId,
        user: &str,
        scope: Scope,
        methods: MethodSet,
        now: SimTime,
    ) -> Answer {
        self.inner.set_protection(session, user, scope, methods, now)
    }
    fn start_binding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer {
        self.inner.start_binding(session, kind, now)
    }
    fn finish_virtual_binding(&self, binding: BindingId, first: &str, second: &str, now: SimTime) -> Answer {
        self.inner.finish_virtual_binding(binding, first, second, now)
    }
    fn finish_hardware_binding(&self, binding: BindingId, serial: &str, code: &str, now: SimTime) -> Answer {
        let shown =
            self.seeds.lock().unwrap().get(serial).map(|s| s.totp().code_at(now.unix_secs()).unwrap());
        let code = shown.map_or(code.to_owned(), |c| c.to_string());
        self.inner.finish_hardware_binding(binding, serial, &code, now)
    }
    fn start_unbinding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer {
        self.inner.start_unbinding(session, kind, now)
    }
    fn resync(
        &self,
        user: &str,
        password: &str,
        kind: DeviceKind,
        first: &str,
        second: &str,
        now: SimTime,
    ) -> Answer {
        self.inner.resync(user, password, kind, first, second, now)
    }
    fn support_reset(&self, user: &str, kind: DeviceKind, now: SimTime) -> Answer {
        self.inner.support_reset(user, kind, now)
    }
}

#[test]
fn a_server_accepting_every_code_fails_every_rfc_vector_row() {
    let factory: TargetFactory = Arc::new(|seed| {
        Ok(Arc::new(AcceptsEveryCode {
            inner: InProcess::new("accepts-every-code", Policy::for_tests(), seed),
            seeds: Mutex::default(),
        }) as Arc<dyn Target>)
    });
    let connection = Connection {
        info: TargetInfo { name: "accepts-every-code".into(), kind: "in-process".into(), profile: None },
        capabilities: Capabilities::all(),
        factory,
    };
    let suite = Suite::load(&[]).unwrap();
    let settings =
        RunSettings { tags: Some(TagFilter::parse("@area.rfc").unwrap()), ..RunSettings::default() };
    let record = runner::run(&suite, &connection, &settings);
    assert_eq!(record.summary.total, 31);
    let passed: Vec<String> = record
        .scenarios
        .iter()
        .filter(|s| s.status != Status::Failed)
        .map(|s| format!("{} {:?} {:?}", s.id, s.status, s.reason))
        .collect();
    assert!(passed.is_empty(), "{} RFC rows did not fail:\n{}", passed.len(), passed.join("\n"));
    assert_eq!(record.outcome(), RunOutcome::DoesNotConform);

    // The same rows all pass against the reference: the near misses fail only a wrong server.
    let reference = TargetSpec::parse("reference").unwrap().connect().unwrap();
    let record = runner::run(&suite, &reference, &settings);
    assert_eq!(record.summary.passed, 31, "{:#?}", record.scenarios);
}

// ---- item 8: a server that accepts and never answers ------------------------------------------------

#[test]
fn a_server_that_never_answers_is_declared_down_after_three_timeouts() {
    let addr = server(info("1.0.0", ALL_CAPABILITIES), None);
    let connection = TargetSpec::Http(impatient(addr)).connect().unwrap();
    let suite = Suite::load(&[]).unwrap();
    let started = Instant::now();
    let record = runner::run(&suite, &connection, &RunSettings::default());
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "the run took {took:?}");
    assert!(record.summary.total >= 150);
    assert_eq!(record.summary.errors, record.summary.total);
    let down: Vec<&str> = record
        .scenarios
        .iter()
        .filter_map(|s| s.reason.as_deref())
        .filter(|r| r.contains("target down: 3 requests in a row got no answer (last: "))
        .collect();
    assert!(down.len() >= record.summary.total - 3, "{:#?}", record.scenarios);
    assert!(down.iter().all(|r| r.contains("no answer within 300 ms")), "{down:?}");
    assert_eq!(record.outcome(), RunOutcome::NoVerdict);
    let out = temp_dir("never-answers");
    record.write_all(&out).unwrap();
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("target down"), "{summary}");
}

#[test]
fn the_deadline_stops_a_run_against_a_server_that_never_answers() {
    let addr = server(info("1.0.0", ALL_CAPABILITIES), None);
    let connection = TargetSpec::Http(impatient(addr)).connect().unwrap();
    let suite = Suite::load(&[]).unwrap();
    let settings = RunSettings {
        deadline: Some(Duration::from_secs(1)),
        target_down_after: 0,
        ..RunSettings::default()
    };
    let started = Instant::now();
    let record = runner::run(&suite, &connection, &settings);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "the run took {took:?}");
    assert_eq!(record.summary.errors, record.summary.total);
    let not_run = record
        .scenarios
        .iter()
        .filter(|s| s.reason.as_deref() == Some("not run: the run's deadline (1 s) passed"))
        .count();
    assert!(not_run >= record.summary.total - 4, "{not_run} of {} not run", record.summary.total);
}

// ---- item 9: the protocol version ---------------------------------------------------------------

#[test]
fn a_server_speaking_another_major_protocol_version_is_refused() {
    let addr = server(info("9.9.9", ALL_CAPABILITIES), Some(r#"{"ok":true}"#));
    let Err(TargetError::Refused { request, message }) = Http::connect(impatient(addr)) else {
        panic!("a 9.9.9 server was accepted")
    };
    assert_eq!(request, "GET /v1/info");
    assert_eq!(
        message,
        "the server speaks target protocol \"9.9.9\", this harness 1.2.0 (major versions must match)"
    );
    let (code, _, stderr) = harness(&["run", "--quiet", "--target", &format!("http://{addr}")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("speaks target protocol \"9.9.9\""), "{stderr}");

    let compatible = server(info("1.7.2", ALL_CAPABILITIES), Some(r#"{"ok":true}"#));
    assert!(Http::connect(impatient(compatible)).is_ok(), "a minor version is compatible");
}
