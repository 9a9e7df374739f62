//! The profile engine against a scripted loopback server: verdicts come from the profile's rules,
//! bad profiles name file, line and key, unmapped operations make capabilities not applicable,
//! and garbage, timeouts and refusals are errors quoting the request, with secrets redacted.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use mfa_harness::clock::SimTime;
use mfa_harness::protocol::{Capabilities, Capability};
use mfa_harness::protocol::{Method, MethodSet, NewUser, Role, Verdict};
use mfa_harness::report::Status;
use mfa_harness::scenario::runner::{self, RunSettings};
use mfa_harness::scenario::{Suite, TagFilter};
use mfa_harness::sut::profile::{Connection, ProfileError};
use mfa_harness::sut::{Target, TargetError};

/// A server answering each request with `answer(method_and_path, body)`; records the bodies.
struct Scripted {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

fn serve(answer: fn(&str, &str) -> (u16, String)) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let log = log.clone();
            std::thread::spawn(move || handle(stream, answer, &log));
        }
    });
    Scripted { port, seen }
}

fn handle(mut stream: TcpStream, answer: fn(&str, &str) -> (u16, String), log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut length = 0;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        if h.trim().is_empty() {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let body = String::from_utf8_lossy(&body).to_string();
    let request: Vec<&str> = line.split_whitespace().take(2).collect();
    let request = request.join(" ");
    log.lock().unwrap().push(format!("{request} {body}"));
    let (status, reply) = answer(&request, &body);
    if status == 0 {
        std::thread::sleep(Duration::from_secs(3));
        return;
    }
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nDate: Sun, 22 Nov 2026 09:00:00 GMT\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    );
}

fn write_profile(text: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("mfa-profiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("p{}.toml", N.fetch_add(1, Ordering::SeqCst)));
    std::fs::write(&path, text).unwrap();
    path
}

const ADMIN_PASSWORD: &str = "s3cret-admin-pw";

fn env(port: u16) -> impl Fn(&str) -> Option<String> {
    move |name| match name {
        "BASE" => Some(format!("http://127.0.0.1:{port}")),
        "ADMIN_PW" => Some(ADMIN_PASSWORD.to_owned()),
        _ => None,
    }
}

/// How the fixture reads the server's clock: the time in `/healthz`'s answer.
const CLOCK: &str = "probe = { method = \"GET\", path = \"/healthz\" }\ntime_pointer = \"/time\"";

/// A small but complete profile: admin login, a user, login with a challenge, answers.
fn profile(extra: &str) -> String {
    profile_with_clock(CLOCK, extra)
}

/// [`profile`] with another `[clock]` section body.
fn profile_with_clock(clock: &str, extra: &str) -> String {
    format!(
        r#"
[target]
name = "scripted"
base_url = "${{BASE}}"
request_timeout_ms = 1000

[secrets.admin]
env = "ADMIN_PW"

[admin]
login = {{ method = "POST", path = "/auth", form = {{ password = "{{{{secret.admin}}}}" }} }}
token = "/token"
header = "Authorization"
value = "Bearer {{{{admin_token}}}}"

[clock]
{clock}

[policy]
lockout_threshold = 3
lockout_duration_secs = 60
sms_max_attempts = 3

[capabilities]
maps = ["accounts", "login-protection"]

[capabilities.not_applicable]
sms = "no SMS here"

[operations.create_user]
auth = "admin"
method = "POST"
path = "/users"
json = {{ name = "{{{{user}}}}", password = "{{{{password}}}}" }}
rules = "ok"

[operations.login]
method = "POST"
path = "/login"
form = {{ user = "{{{{user}}}}", password = "{{{{password}}}}" }}
rules = "login"
extract = {{ tx = "/tx" }}

[operations.answer]
method = "POST"
path = "/answer"
form = {{ tx = "{{{{challenge.tx}}}}", code = "{{{{response}}}}" }}
rules = "login"

[[rules.ok]]
when = {{ status = 200 }}
result = "ok"

[[rules.login]]
when = {{ status = 200, pointer = "/state", equals = "ok" }}
result = "session"

[[rules.login]]
when = {{ status = 200, pointer = "/state", equals = "challenge" }}
result = "challenge"
methods_from = {{ each = "/offers", field = "/type", map = {{ totp = "virtual_mfa", sms = "sms" }} }}

[[rules.login]]
when = {{ status = 200, pointer = "/state", equals = "wrong" }}
result = "rejected"
reason = "wrong_code"
{extra}
"#
    )
}

fn scripted(request: &str, body: &str) -> (u16, String) {
    match request {
        "POST /auth" => (200, r#"{"token":"admin-jwt-123456","time":1795337762.5}"#.into()),
        "GET /healthz" => (200, r#"{"time":1795337762.5}"#.into()),
        "POST /users" => (200, r#"{"time":1795337763}"#.into()),
        "POST /login" if body.contains("garbage") => {
            (200, "<html>Internal trouble, password=".to_owned() + body)
        }
        "POST /login" if body.contains("slow") => (0, String::new()),
        "POST /login" => {
            (200, r#"{"state":"challenge","tx":"T1","offers":[{"type":"totp"},{"type":"push"}]}"#.into())
        }
        "POST /answer" if body.contains("code=123456") => (200, r#"{"state":"ok"}"#.into()),
        "POST /answer" => (200, r#"{"state":"wrong"}"#.into()),
        _ => (404, "{}".into()),
    }
}

fn user(name: &str, password: &str) -> NewUser {
    NewUser { name: name.into(), password: password.into(), role: Role::Root }
}

fn now() -> SimTime {
    SimTime::from_unix_secs(1_767_225_600)
}

#[test]
fn a_challenge_answered_right_opens_a_session_and_wrong_is_rejected() {
    let server = serve(scripted);
    let path = write_profile(&profile(""));
    let connection = Connection::open_with_env(&path, &env(server.port)).unwrap();
    assert_eq!(connection.server_time(), Some(1_795_337_762.5), "read through the probe at connect");
    let target = connection.target(1);
    target.create_user(&user("alice", "pw-alice"), now()).unwrap();
    let Verdict::ChallengeRequired { challenge, methods } =
        target.login("alice", "pw-alice", "home", now()).unwrap()
    else {
        panic!("expected a challenge")
    };
    assert_eq!(methods, MethodSet::of(&[Method::VirtualMfa]), "unmapped words are ignored");
    let wrong = target.answer(challenge, Method::VirtualMfa, "000000", now()).unwrap();
    assert_eq!(wrong, Verdict::rejected(mfa_harness::protocol::RejectReason::WrongCode));
    let right = target.answer(challenge, Method::VirtualMfa, "123456", now()).unwrap();
    assert!(matches!(right, Verdict::Accepted { session: Some(_) }), "{right:?}");
    let seen = server.seen.lock().unwrap().join("\n");
    assert!(seen.contains("POST /answer code=123456&tx=T1"), "the challenge's extract is sent back:\n{seen}");
    assert!(seen.contains(r#"POST /users {"name":"alice","password":"pw-alice"}"#), "{seen}");
}

#[test]
fn garbage_is_no_answer_quoting_the_request_with_secrets_redacted() {
    let server = serve(scripted);
    let path = write_profile(&profile(""));
    let target = Connection::open_with_env(&path, &env(server.port)).unwrap().target(2);
    let err = target.login("alice", "garbage-pw-XYZ", "home", now()).unwrap_err();
    let TargetError::NoAnswer { request, message } = &err else { panic!("{err:?}") };
    assert_eq!(request, "POST /login");
    assert!(message.contains("<html>Internal trouble"), "{message}");
    assert!(!message.contains("garbage-pw-XYZ"), "the password leaked: {message}");
    assert!(message.contains("<redacted>"), "{message}");
}

#[test]
fn a_slow_server_times_out_as_no_answer() {
    let server = serve(scripted);
    let path = write_profile(&profile(""));
    let target = Connection::open_with_env(&path, &env(server.port)).unwrap().target(3);
    let err = target.login("alice", "slow", "home", now()).unwrap_err();
    let TargetError::NoAnswer { request, message } = &err else { panic!("{err:?}") };
    assert_eq!(request, "POST /login");
    assert!(message.contains("no answer within 1000 ms"), "{message}");
}

#[test]
fn a_refused_connection_is_no_answer_at_connect() {
    let free = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let path = write_profile(&profile(""));
    let err = Connection::open_with_env(&path, &env(free)).err().unwrap();
    let text = err.to_string();
    assert!(text.contains("GET /healthz") && text.contains("cannot connect"), "{text}");
}

#[test]
fn a_capability_missing_an_operation_is_not_applicable_and_the_call_an_error() {
    let server = serve(scripted);
    let path = write_profile(&profile(""));
    let connection = Connection::open_with_env(&path, &env(server.port)).unwrap();
    let caps = connection.capabilities();
    assert!(caps.has(Capability::Accounts));
    assert!(!caps.has(Capability::LoginProtection), "provision_protection and set_protection are not mapped");
    let reason = &connection.not_applicable()[&Capability::LoginProtection];
    assert!(reason.contains("provision_protection"), "{reason}");
    assert_eq!(connection.not_applicable()[&Capability::Sms], "no SMS here");
    assert!(connection.not_applicable()[&Capability::ClockControl].contains("clock control"));
    let err = connection.target(4).set_phone("alice", "+1555", now()).unwrap_err();
    assert!(
        matches!(err, TargetError::Refused { .. }) && err.to_string().contains("maps no operation set_phone")
    );
}

#[test]
fn bad_profiles_name_file_line_and_key() {
    let cases = [
        ("[operations.logn]\nmethod = \"POST\"\npath = \"/x\"\n", "operations.logn", "unknown operation"),
        (
            "[operations.confirm]\nmethod = \"POST\"\npath = \"/x/{{nope}}\"\n",
            "operations.confirm.path",
            "unknown variable",
        ),
        (
            "[operations.confirm]\nmethod = \"FETCH\"\npath = \"/x\"\n",
            "operations.confirm.method",
            "unknown method",
        ),
        (
            "[operations.confirm]\nmethod = \"POST\"\npath = \"/x\"\nrules = \"none\"\n",
            "operations.confirm.rules",
            "no rule set",
        ),
        ("[[rules.extra]]\nresult = \"rejected\"\n", "rules.extra[0]", "needs a `reason`"),
        (
            "[operations.authenticator_record]\nmethod = \"GET\"\npath = \"/log\"\n",
            "operations.authenticator_record",
            "needs a `record`",
        ),
        (
            "[operations.confirm]\nmethod = \"GET\"\npath = \"/x\"\nrecord = { each = \"/l\", at = \"/t\", \
             kind = { field = \"/s\", map = { \"V*\" = \"virtual\" } }, \
             event = { field = \"/a\", map = { \"init\" = \"bound\" } } }\n",
            "operations.confirm",
            "belongs to operations.authenticator_record only",
        ),
    ];
    for (extra, key, message) in cases {
        let text = profile(extra);
        let path = write_profile(&text);
        let err = Connection::open_with_env(&path, &env(1)).err().unwrap();
        let ProfileError::Invalid { file, line, key: got, message: said, .. } = &err else { panic!("{err}") };
        assert_eq!(file, &path);
        assert_eq!(got, key, "{err}");
        assert!(said.contains(message), "{err}");
        let first = extra.lines().next().unwrap();
        let expected_line = text.lines().position(|l| l == first).unwrap() + 1;
        assert!(*line >= expected_line && *line <= expected_line + 3, "line {line} for {key}: {err}");
        assert!(err.to_string().contains(&format!("{}:{line}:", path.display())), "{err}");
    }
    let text = profile("").replace("lockout_threshold", "lockout_treshold");
    let line = text.lines().position(|l| l.starts_with("lockout_treshold")).unwrap() + 1;
    let typo = write_profile(&text);
    let err = Connection::open_with_env(&typo, &env(1)).err().unwrap().to_string();
    assert!(err.contains("lockout_treshold") && err.contains(&format!(":{line}:")), "{err}");
}

#[test]
fn no_profile_has_an_exact_clock() {
    let server = serve(scripted);
    let path = write_profile(&profile(""));
    let connection = Connection::open_with_env(&path, &env(server.port)).unwrap();
    assert!(!connection.capabilities().has(Capability::ExactClock));
    assert!(connection.not_applicable()[&Capability::ExactClock].contains("libfaketime"));
    let text = profile("").replace(r#"maps = ["accounts""#, r#"maps = ["exact-clock", "accounts""#);
    let err = Connection::open_with_env(&write_profile(&text), &env(server.port)).err().unwrap().to_string();
    assert!(err.contains("capabilities.maps") && err.contains("cannot act at an exact instant"), "{err}");
}

#[test]
fn a_missing_secret_is_named_without_any_value() {
    let path = write_profile(&profile(""));
    let no_pw = |name: &str| (name == "BASE").then(|| "http://127.0.0.1:1".to_owned());
    let err = Connection::open_with_env(&path, &no_pw).err().unwrap().to_string();
    assert!(err.contains("secret admin") && err.contains("ADMIN_PW"), "{err}");
}

#[test]
fn the_profile_and_its_target_never_show_secrets_in_debug() {
    let server = serve(scripted);
    let path = write_profile(&profile(""));
    let connection = Connection::open_with_env(&path, &env(server.port)).unwrap();
    let target = connection.target(5);
    target.create_user(&user("bob", "pw-bob"), now()).unwrap();
    let shown = format!("{target:?} {:?}", target.info());
    assert!(!shown.contains(ADMIN_PASSWORD) && !shown.contains("admin-jwt-123456"), "{shown}");
}

/// `Connection::open` on another thread, given up on after 20 s (it used to wait forever).
fn open_within_20_s(path: PathBuf, port: u16) -> Result<Connection, ProfileError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(Connection::open_with_env(&path, &env(port)));
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("connecting hung: the admin sign-in failure never returned")
}

/// A connect step with admin auth, as the privacyIDEA profile's SMS gateway steps.
const ADMIN_CONNECT_STEP: &str = "[[connect]]\nauth = \"admin\"\nmethod = \"POST\"\npath = \"/gateway\"\n";

#[test]
fn a_failing_admin_sign_in_at_connect_is_an_error_not_a_hang() {
    fn sign_in_fails(request: &str, body: &str) -> (u16, String) {
        match request {
            "POST /auth" => (500, format!(r#"{{"error":"database down","echo":"{body}"}}"#)),
            _ => (200, "{}".into()),
        }
    }
    let server = serve(sign_in_fails);
    let path = write_profile(&profile(ADMIN_CONNECT_STEP));
    let err = open_within_20_s(path, server.port).err().expect("a sign-in answered 500 cannot connect");
    let text = err.to_string();
    assert!(matches!(err, ProfileError::Connect { .. }), "{text}");
    assert!(text.contains("POST /auth") && text.contains("HTTP 500"), "{text}");
    assert!(!text.contains(ADMIN_PASSWORD), "the admin password leaked: {text}");
}

#[test]
fn an_admin_sign_in_to_a_server_that_is_down_is_an_error_not_a_hang() {
    let free = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let path = write_profile(&profile(ADMIN_CONNECT_STEP));
    let err = open_within_20_s(path, free).err().expect("nothing listens");
    let text = err.to_string();
    assert!(text.contains("POST /auth") && text.contains("cannot connect"), "{text}");
}

#[test]
fn a_real_clock_target_starts_scenarios_at_the_server_clock() {
    let server = serve(scripted);
    let path = write_profile(&profile(""));
    let connection = Connection::open_with_env(&path, &env(server.port)).unwrap();
    assert!(!connection.capabilities().has(Capability::ClockControl));
    let reason = &connection.not_applicable()[&Capability::ClockControl];
    assert!(reason.contains("real clock") && reason.contains("faketime_file"), "{reason}");
    let start = connection.target(6).server_time().unwrap().expect("a real clock is read, never assumed");
    // The probe's /time plus half the round trip (loopback: well under a second).
    let said = SimTime::from_unix_millis(1_795_337_762_500);
    let ahead = start.saturating_since(said);
    assert!(start >= said && ahead < Duration::from_secs(1), "{start:?} for {said:?}");
}

/// A server whose clock probe answers with its time once (at connect), then without it.
fn time_once(request: &str, body: &str) -> (u16, String) {
    static PROBES: AtomicUsize = AtomicUsize::new(0);
    match request {
        "GET /healthz" if PROBES.fetch_add(1, Ordering::SeqCst) == 0 => {
            (200, r#"{"time":1795337762.5}"#.into())
        }
        "GET /healthz" => (200, r#"{"status":"ok"}"#.into()),
        _ => scripted(request, body),
    }
}

#[test]
fn a_real_clock_target_whose_time_cannot_be_read_is_a_harness_error_naming_it() {
    let server = serve(time_once);
    let path = write_profile(&profile(""));
    let connection = Connection::open_with_env(&path, &env(server.port)).unwrap();
    let err = connection.target(7).server_time().unwrap_err().to_string();
    let name = format!("scripted (http://127.0.0.1:{})", server.port);
    assert!(err.contains(&name) && err.contains("no time") && err.contains("/time"), "{err}");

    // In a run, every scenario it would start is a harness error saying so, never a pass at a
    // guessed time. (All capabilities claimed, so that the scenarios reach the clock.)
    let connected = mfa_harness::sut::Connection {
        info: connection.info(),
        capabilities: Capabilities::all(),
        factory: connection.factory(),
    };
    let settings = RunSettings {
        seed: 3,
        tags: Some(TagFilter::parse("@area.replay").unwrap()),
        ..RunSettings::default()
    };
    let record = runner::run(&Suite::load(&[]).unwrap(), &connected, &settings);
    assert!(!record.scenarios.is_empty());
    for s in &record.scenarios {
        let why = format!("{:?} {:?}", s.reason, s.failure);
        assert_eq!(s.status, Status::Error, "{}: {why}", s.id);
        // The first ones name the target; after three in a row the run calls it down, quoting
        // the last of them, which names it too.
        let reading = why.contains("reading the clock of") || why.contains("target down");
        assert!(reading && why.contains(&name), "{}: {why}", s.id);
    }
}

#[test]
fn a_profile_must_say_how_to_read_the_server_clock() {
    for (clock, key, message) in [
        ("time_pointer = \"/time\"", "clock.probe", "missing"),
        ("probe = { method = \"GET\", path = \"/healthz\" }", "clock", "time_pointer, date_header"),
    ] {
        let path = write_profile(&profile_with_clock(clock, ""));
        let err = Connection::open_with_env(&path, &env(1)).err().unwrap();
        let ProfileError::Invalid { key: got, message: said, line, .. } = &err else { panic!("{err}") };
        assert_eq!(got, key, "{err}");
        assert!(said.contains(message), "{err}");
        assert!(*line > 0, "the [clock] section is located: {err}");
    }
}

/// The faketime file the scripted faketime server reads its clock from.
static FAKETIME: OnceLock<PathBuf> = OnceLock::new();
/// What the scripted faketime server's clock said, per request.
static SEEN_TIMES: Mutex<Vec<(String, f64)>> = Mutex::new(Vec::new());

/// The real clock, in Unix seconds.
fn real_now() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64()
}

/// A server that takes its clock from [`FAKETIME`] as libfaketime does (the real clock plus the
/// offset in seconds the file holds), and otherwise answers as [`scripted`].
fn follows_faketime(request: &str, body: &str) -> (u16, String) {
    let text = std::fs::read_to_string(FAKETIME.get().unwrap()).unwrap();
    let time = real_now() + text.trim().parse::<f64>().unwrap();
    SEEN_TIMES.lock().unwrap().push((request.to_owned(), time));
    let (status, reply) = scripted(request, body);
    let with_time = match serde_json::from_str::<serde_json::Value>(&reply) {
        Ok(serde_json::Value::Object(mut fields)) => {
            fields.insert("time".into(), time.into());
            serde_json::Value::Object(fields).to_string()
        }
        _ => reply,
    };
    (status, with_time)
}

/// [`profile`] with a faketime clock in the file named by `${CLOCK_FILE}`.
fn faketime_profile(maps_clock_control: bool) -> String {
    let text = profile_with_clock(&format!("{CLOCK}\nfaketime_file = \"${{CLOCK_FILE:-}}\""), "");
    if maps_clock_control {
        text.replace(r#"maps = ["accounts""#, r#"maps = ["clock-control", "accounts""#)
    } else {
        text
    }
}

#[test]
fn a_faketime_clock_maps_clock_control_and_is_written_before_each_operation() {
    let dir = std::env::temp_dir().join(format!("mfa-profiles-faketime-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = FAKETIME.get_or_init(|| dir.join("clock")).clone();
    std::fs::write(&file, "+0").unwrap();
    let server = serve(follows_faketime);
    let port = server.port;
    let clock_file = file.display().to_string();
    let env = move |name: &str| match name {
        "CLOCK_FILE" => Some(clock_file.clone()),
        other => env(port)(other),
    };

    // Declared but not listed in maps: an error, not a clock set behind the profile's back.
    let unlisted = write_profile(&faketime_profile(false));
    let err = Connection::open_with_env(&unlisted, &env).err().unwrap();
    assert!(matches!(&err, ProfileError::Invalid { key, .. } if key == "clock.faketime_file"), "{err}");

    let path = write_profile(&faketime_profile(true));
    let connection = Connection::open_with_env(&path, &env).unwrap();
    assert!(connection.capabilities().has(Capability::ClockControl));
    // Checked at connect: the server showed the time set (the real clock a day ago).
    let at_connect = connection.server_time().unwrap();
    let a_day_ago = real_now() - 86_400.0;
    assert!((a_day_ago - 5.0..=a_day_ago).contains(&at_connect), "{at_connect} for {a_day_ago}");
    let target = connection.target(8);
    assert_eq!(target.server_time().unwrap(), None, "the harness sets the clock; scenarios keep their start");

    SEEN_TIMES.lock().unwrap().clear();
    let at = SimTime::from_unix_millis(1_767_225_659_250);
    target.create_user(&user("carol", "pw-carol"), at).unwrap();
    target.login("carol", "pw-carol", "home", SimTime::from_unix_secs(59)).unwrap();
    let seen = SEEN_TIMES.lock().unwrap().clone();
    let seen: Vec<&(String, f64)> = seen.iter().filter(|(r, _)| r != "POST /auth").collect();
    let expected = [("POST /users", 1_767_225_659.25), ("POST /login", 59.0)];
    assert_eq!(seen.len(), expected.len(), "{seen:?}");
    for ((request, time), (wanted, at)) in seen.iter().zip(expected) {
        // The simulated time, never earlier, plus the real moments the exchange took; backwards too.
        assert_eq!(request, wanted);
        assert!((at..at + 1.0).contains(time), "{request} at {time}, expected {at}");
    }
}

#[test]
fn a_server_not_following_its_faketime_file_is_refused_at_connect() {
    let dir = std::env::temp_dir().join(format!("mfa-profiles-realclock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let server = serve(scripted);
    let port = server.port;
    let clock_file = dir.join("clock").display().to_string();
    let env = move |name: &str| match name {
        "CLOCK_FILE" => Some(clock_file.clone()),
        other => env(port)(other),
    };
    let path = write_profile(&faketime_profile(true));
    let err = Connection::open_with_env(&path, &env).err().unwrap();
    let text = err.to_string();
    assert!(matches!(err, ProfileError::Clock { .. }), "{text}");
    assert!(
        text.contains("does not take its clock from this file") && text.contains("FAKETIME_NO_CACHE=1"),
        "{text}"
    );
}
