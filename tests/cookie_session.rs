//! A small MFA server written for this test, driven through a profile as any vendor's server
//! would be: it keeps its sign-in state only in a session cookie (the password step sets a
//! cookie and redirects to the code page; the code page reads nothing else), answers with
//! redirects and form bodies, and reads its clock from a faketime-style offset file the harness
//! writes. Through the profile the suite signs in with a second factor, and its replay and
//! lockout scenarios run: all pass against the correct server, the replay ones fail against a
//! variant that accepts a used code, a refused precondition is an error (never a failure), and
//! the failures carry their HTTP exchanges as evidence.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use mfa_harness::report::{RunOutcome, RunRecord, Status};
use mfa_harness::scenario::runner::{self, RunSettings};
use mfa_harness::scenario::{Suite, TagFilter};
use mfa_harness::sut::profile::Connection;

/// Consecutive wrong codes that lock an account, and for how long (the reference's numbers,
/// which the features' words assume).
const THRESHOLD: u32 = 5;
const LOCKED_FOR_SECS: f64 = 900.0;

/// How this copy of the server behaves.
#[derive(Clone, Copy, Default)]
struct Variant {
    /// Accepts a code whose time step was already used (the replay defect).
    accept_replay: bool,
    /// Refuses changes of a user's protection (a directory manages them) from the n-th on,
    /// counting from 0.
    refuse_protection_from: Option<usize>,
}

#[derive(Default)]
struct Users {
    users: HashMap<String, User>,
    sessions: HashMap<String, SignIn>,
    next_sid: u64,
}

struct User {
    password: String,
    secret: Option<Vec<u8>>,
    protected: bool,
    last_step: Option<u64>,
    failures: u32,
    locked_until: f64,
}

/// What a session cookie stands for: whose sign-in, and whether its second factor is done.
struct SignIn {
    user: String,
    done: bool,
}

struct Server {
    variant: Variant,
    protection_changes: AtomicUsize,
    clock: PathBuf,
    users: Mutex<Users>,
}

impl Server {
    /// The real clock plus the offset in the clock file (libfaketime's `+12.5` / `-86400.0`
    /// format), as a server under libfaketime would see it.
    fn now(&self) -> f64 {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
        let offset = std::fs::read_to_string(&self.clock).ok().and_then(|t| t.trim().parse::<f64>().ok());
        real + offset.unwrap_or(0.0)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Users> {
        self.users.lock().unwrap()
    }
}

impl Users {
    fn open(&mut self, user: &str, done: bool) -> String {
        self.next_sid += 1;
        let sid = format!("s{:016x}", self.next_sid.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        self.sessions.insert(sid.clone(), SignIn { user: user.to_owned(), done });
        sid
    }
}

fn code_at(secret: &[u8], step: u64) -> String {
    totp_rs::Builder::new()
        .with_digits(6)
        .with_secret(secret.to_vec())
        .with_step_duration(30)
        .build_noncompliant()
        .generate(step * 30)
        .to_string()
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

/// A `303 See Other` to `to`, setting the session cookie.
fn redirect(to: &str, sid: &str) -> Response {
    let cookie = format!("sid={sid}; Path=/; HttpOnly; SameSite=Lax");
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned()), (header::SET_COOKIE, cookie)]).into_response()
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies.split(';').find_map(|c| c.trim().strip_prefix("sid=").map(str::to_owned))
}

#[derive(Deserialize)]
struct NewUser {
    name: String,
    password: String,
}

#[derive(Deserialize)]
struct Totp {
    name: String,
    secret_hex: String,
}

#[derive(Deserialize)]
struct Protection {
    name: String,
    scope: String,
    methods: String,
}

#[derive(Deserialize)]
struct Name {
    name: String,
}

#[derive(Deserialize)]
struct Password {
    name: String,
    password: String,
}

#[derive(Deserialize)]
struct Otp {
    otp: String,
}

async fn time(State(s): State<Arc<Server>>) -> Response {
    answer(StatusCode::OK, json!({ "time": s.now() }))
}

async fn create_user(State(s): State<Arc<Server>>, Form(u): Form<NewUser>) -> Response {
    let user = User {
        password: u.password,
        secret: None,
        protected: false,
        last_step: None,
        failures: 0,
        locked_until: 0.0,
    };
    s.state().users.insert(u.name, user);
    answer(StatusCode::OK, json!({ "ok": true }))
}

async fn set_totp(State(s): State<Arc<Server>>, Form(t): Form<Totp>) -> Response {
    let secret: Vec<u8> = (0..t.secret_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&t.secret_hex[i..i + 2], 16).unwrap())
        .collect();
    match s.state().users.get_mut(&t.name) {
        Some(user) => {
            user.secret = Some(secret);
            answer(StatusCode::OK, json!({ "ok": true }))
        }
        None => answer(StatusCode::NOT_FOUND, json!({ "error": "no such user" })),
    }
}

async fn set_protection(State(s): State<Arc<Server>>, Form(p): Form<Protection>) -> Response {
    let n = s.protection_changes.fetch_add(1, Ordering::SeqCst);
    if s.variant.refuse_protection_from.is_some_and(|from| n >= from) {
        return answer(StatusCode::FORBIDDEN, json!({ "error": "protection is managed by the directory" }));
    }
    if p.scope != "login" {
        return answer(StatusCode::BAD_REQUEST, json!({ "error": "only sign-in can be protected" }));
    }
    match s.state().users.get_mut(&p.name) {
        Some(user) => {
            user.protected = !p.methods.is_empty();
            answer(StatusCode::OK, json!({ "ok": true }))
        }
        None => answer(StatusCode::NOT_FOUND, json!({ "error": "no such user" })),
    }
}

async fn account(State(s): State<Arc<Server>>, Query(n): Query<Name>) -> Response {
    match s.state().users.get(&n.name) {
        Some(user) => answer(
            StatusCode::OK,
            json!({ "totp": user.secret.is_some(), "login": if user.protected { "virtual_mfa" } else { "" } }),
        ),
        None => answer(StatusCode::NOT_FOUND, json!({ "error": "no such user" })),
    }
}

async fn login(State(s): State<Arc<Server>>, Form(p): Form<Password>) -> Response {
    let mut state = s.state();
    let second_factor = match state.users.get(&p.name) {
        Some(user) if user.password == p.password => user.protected && user.secret.is_some(),
        _ => return answer(StatusCode::UNAUTHORIZED, json!({ "error": "wrong name or password" })),
    };
    let sid = state.open(&p.name, !second_factor);
    redirect(if second_factor { "/login/otp" } else { "/home" }, &sid)
}

/// The code page: everything it knows about the sign-in comes from the session cookie.
async fn otp(State(s): State<Arc<Server>>, headers: HeaderMap, Form(o): Form<Otp>) -> Response {
    let now = s.now();
    let mut state = s.state();
    let Some(name) = session_id(&headers)
        .and_then(|sid| state.sessions.get(&sid))
        .filter(|sign_in| !sign_in.done)
        .map(|sign_in| sign_in.user.clone())
    else {
        return answer(StatusCode::BAD_REQUEST, json!({ "error": "no sign-in in progress" }));
    };
    let user = state.users.get_mut(&name).unwrap();
    if now < user.locked_until {
        return answer(StatusCode::LOCKED, json!({ "error": "locked" }));
    }
    let current = (now / 30.0) as u64;
    let secret = user.secret.clone().unwrap();
    let matched = (current - 1..=current + 1).find(|step| code_at(&secret, *step) == o.otp);
    match matched {
        None => {
            user.failures += 1;
            if user.failures >= THRESHOLD {
                user.failures = 0;
                user.locked_until = now + LOCKED_FOR_SECS;
            }
            answer(StatusCode::UNAUTHORIZED, json!({ "error": "wrong code" }))
        }
        Some(step) if !s.variant.accept_replay && user.last_step.is_some_and(|last| step <= last) => {
            answer(StatusCode::UNAUTHORIZED, json!({ "error": "code already used" }))
        }
        Some(step) => {
            user.last_step = Some(user.last_step.map_or(step, |last| last.max(step)));
            user.failures = 0;
            let sid = state.open(&name, true);
            redirect("/home", &sid)
        }
    }
}

/// Starts the server on a free loopback port; returns its base URL and its clock file.
fn start(variant: Variant) -> (String, PathBuf) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("mfa-cookie-session-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let clock = dir.join(format!("clock-{}", N.fetch_add(1, Ordering::SeqCst)));
    std::fs::write(&clock, "+0").unwrap();
    let server = Arc::new(Server {
        variant,
        protection_changes: AtomicUsize::new(0),
        clock: clock.clone(),
        users: Mutex::default(),
    });
    let app = Router::new()
        .route("/time", get(time))
        .route("/users", post(create_user))
        .route("/totp", post(set_totp))
        .route("/protection", post(set_protection))
        .route("/account", get(account))
        .route("/login", post(login))
        .route("/login/otp", post(otp))
        .with_state(server);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    (format!("http://127.0.0.1:{port}"), clock)
}

/// The profile: written from `docs/profiles.md` for this server's own API, nothing changed
/// on the server's side. Cookies need no line: the engine keeps a jar per handle.
const PROFILE: &str = r#"
[target]
name = "cookie-session"
base_url = "${COOKIE_BASE}"

[clock]
probe = { method = "GET", path = "/time" }
time_pointer = "/time"
faketime_file = "${COOKIE_CLOCK}"

[policy]
lockout_threshold = 5
lockout_duration_secs = 900

[capabilities]
maps = ["accounts", "virtual-mfa", "login-protection", "clock-control"]

[derive]
account = "{{user}}-{{scenario}}"

[operations.create_user]
method = "POST"
path = "/users"
form = { name = "{{account}}", password = "{{password}}" }

[operations.provision_virtual]
method = "POST"
path = "/totp"
form = { name = "{{account}}", secret_hex = "{{secret_hex}}" }

[operations.provision_protection]
method = "POST"
path = "/protection"
form = { name = "{{account}}", scope = "{{scope}}", methods = "{{methods}}" }

[operations.account]
method = "GET"
path = "/account"
query = { name = "{{account}}" }
extract = { virtual_bound = "/totp", login = "/login" }

# This server enrols devices only through its administrator (provision_virtual).
[operations.start_binding]
outcome = { result = "error", message = "this server enrols devices only through its administrator" }

[operations.finish_virtual_binding]
outcome = { result = "error", message = "this server enrols devices only through its administrator" }

[operations.login]
method = "POST"
path = "/login"
form = { name = "{{account}}", password = "{{password}}" }
rules = "login"
extract = { code_page = { header = "Location" } }

[operations.answer]
method = "POST"
path = "{{challenge.code_page}}"
form = { otp = "{{response}}" }
rules = "otp"

[[rules.login]]
when = { status = 303, header = "location", equals = "/login/otp" }
result = "challenge"
methods = ["virtual_mfa"]

[[rules.login]]
when = { status = 303, header = "location", equals = "/home" }
result = "session"

[[rules.login]]
when = { status = 401 }
result = "rejected"
reason = "wrong_password"

[[rules.otp]]
when = { status = 303, header = "location", equals = "/home" }
result = "session"

[[rules.otp]]
when = { status = 401, pointer = "/error", equals = "code already used" }
result = "rejected"
reason = "replayed"

[[rules.otp]]
when = { status = 401, pointer = "/error", equals = "wrong code" }
result = "rejected"
reason = "wrong_code"

[[rules.otp]]
when = { status = 423 }
result = "rejected"
reason = "locked_out"

[[rules.otp]]
when = { status = 400 }
result = "error"
message_pointer = "/error"
"#;

/// Starts a server and writes the profile beside its clock; returns the profile's path and
/// the environment it reads.
fn server(variant: Variant, profile: &str) -> (PathBuf, Vec<(&'static str, String)>) {
    let (base, clock) = start(variant);
    let path = clock.with_extension("toml");
    std::fs::write(&path, profile).unwrap();
    (path, vec![("COOKIE_BASE", base), ("COOKIE_CLOCK", clock.display().to_string())])
}

fn connect(variant: Variant, profile: &str) -> mfa_harness::sut::Connection {
    let (path, vars) = server(variant, profile);
    let env = move |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
    let profile = Connection::open_with_env(&path, &env).unwrap();
    mfa_harness::sut::Connection {
        info: profile.info(),
        capabilities: profile.capabilities(),
        factory: profile.factory(),
    }
}

fn run(variant: Variant, tags: &str) -> RunRecord {
    run_profile(variant, PROFILE, tags)
}

fn run_profile(variant: Variant, profile: &str, tags: &str) -> RunRecord {
    let settings = RunSettings { tags: Some(TagFilter::parse(tags).unwrap()), ..RunSettings::default() };
    runner::run(suite(), &connect(variant, profile), &settings)
}

fn suite() -> &'static Suite {
    static SUITE: OnceLock<Suite> = OnceLock::new();
    SUITE.get_or_init(|| Suite::load(&[]).unwrap())
}

fn statuses(record: &RunRecord) -> String {
    record
        .scenarios
        .iter()
        .map(|s| format!("{:<16} {} {}", s.status.label(), s.id, s.reason.as_deref().unwrap_or("")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_replay_and_lockout_scenarios_run_and_pass_against_the_cookie_session_server() {
    let record = run(Variant::default(), "@area.replay or @area.lockout");
    let table = statuses(&record);
    let ran: Vec<&str> =
        record.scenarios.iter().filter(|s| s.status == Status::Passed).map(|s| s.id.as_str()).collect();
    // Sign-in with a second factor, sequential and parallel replay, lockout and its release,
    // parallel guesses: every scenario of the two areas that needs no more than an account, an
    // administrator-enrolled app and sign-in protection.
    for id in [
        "features/replay/sequential_replay.feature",
        "features/replay/concurrent_replay.feature",
        "features/lockout/lockout.feature",
        "features/lockout/success_resets.feature",
        "features/lockout/concurrent_guesses.feature",
    ] {
        assert!(ran.iter().any(|r| r.starts_with(id)), "nothing of {id} passed:\n{table}");
    }
    assert_eq!(record.summary.failed + record.summary.errors, 0, "{table}");
    assert!(ran.len() >= 10, "only {} passed:\n{table}", ran.len());
    assert_eq!(record.outcome(), RunOutcome::Conforms, "{table}");
    assert!(record.scenarios.iter().all(|s| s.exchanges.is_empty()), "passing scenarios carry no evidence");
}

#[test]
fn a_server_accepting_a_used_code_fails_the_replay_scenarios_with_its_exchanges_as_evidence() {
    let record = run(Variant { accept_replay: true, ..Variant::default() }, "@area.replay");
    let table = statuses(&record);
    let failed: Vec<_> = record.scenarios.iter().filter(|s| s.status == Status::Failed).collect();
    assert!(failed.len() >= 3, "{table}");
    assert_eq!(record.outcome(), RunOutcome::DoesNotConform, "{table}");
    let same_code = failed
        .iter()
        .find(|s| s.name == "The same code cannot sign in twice")
        .unwrap_or_else(|| panic!("{table}"));
    let failure = same_code.failure.as_ref().unwrap();
    assert_eq!(failure.actual.as_deref(), Some("accepted"), "{failure:?}");
    // The evidence: each exchange of the scenario, the code page's answers among them, with
    // the codes, the passwords and the session cookies redacted.
    let otp: Vec<_> = same_code.exchanges.iter().filter(|e| e.path == "/login/otp").collect();
    assert!(otp.len() >= 2 && otp.iter().all(|e| e.method == "POST" && e.status == Some(303)), "{otp:?}");
    assert!(otp.iter().all(|e| e.request == "otp=<redacted>"), "{otp:?}");
    let json = record.to_json();
    assert!(json.contains("\"exchanges\"") && json.contains("/login/otp"), "the JSON report carries them");
    for e in &same_code.exchanges {
        assert!(!e.request.contains("pw-") && !e.response.contains("pw-"), "a password leaked: {e:?}");
    }
}

#[test]
fn a_refused_precondition_is_an_error_naming_the_step_and_quoting_the_answer_never_a_failure() {
    let record = run(Variant { refuse_protection_from: Some(0), ..Variant::default() }, "@area.replay");
    let table = statuses(&record);
    assert_eq!(record.summary.failed, 0, "a refused Given must not become a failure:\n{table}");
    let errors: Vec<_> = record.scenarios.iter().filter(|s| s.status == Status::Error).collect();
    assert!(!errors.is_empty() && record.summary.passed == 0, "{table}");
    for e in &errors {
        let reason = e.reason.as_deref().unwrap_or_default();
        assert!(
            reason.starts_with(
                "the target refused the precondition \"And Alice has login protection by virtual MFA\""
            ) && reason.contains("protection is managed by the directory"),
            "{reason}"
        );
        assert_eq!(e.failure.as_ref().unwrap().step, "And Alice has login protection by virtual MFA");
        assert!(
            e.exchanges.iter().any(|x| x.path == "/protection" && x.status == Some(403)),
            "{:?}",
            e.exchanges
        );
    }
    // Nothing failed, and not everything could be judged: no verdict.
    assert_eq!(record.outcome(), RunOutcome::NoVerdict, "{table}");
}

/// `mfa-harness run` against a server, its exit code and what it printed.
fn exit_code(variant: Variant) -> (i32, String) {
    let (path, vars) = server(variant, PROFILE);
    let out = path.with_extension("reports");
    let output = Command::new(env!("CARGO_BIN_EXE_mfa-harness"))
        .args(["run", "--quiet", "--tags", "@area.replay", "--target"])
        .arg(format!("profile:{}", path.display()))
        .arg("--out")
        .arg(&out)
        .envs(vars)
        .output()
        .unwrap();
    let said =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), said)
}

#[test]
fn the_exit_code_is_1_whenever_a_scenario_failed_even_beside_errors_and_2_for_errors_alone() {
    // The first two scenarios run (and the replay defect fails what it reaches); every later
    // one is refused its protection: failures and errors side by side.
    let both = Variant { accept_replay: true, refuse_protection_from: Some(2) };
    let (code, said) = exit_code(both);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("DOES NOT CONFORM (and") && said.contains("could not be judged)"), "{said}");
    let (code, said) = exit_code(Variant { refuse_protection_from: Some(0), ..Variant::default() });
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("NO VERDICT"), "{said}");
    let (code, said) = exit_code(Variant::default());
    assert_eq!(code, 0, "{said}");
}

#[test]
fn without_a_policy_section_the_scenarios_needing_its_numbers_are_not_applicable_saying_which() {
    let undeclared = PROFILE.replace("[policy]\nlockout_threshold = 5\nlockout_duration_secs = 900\n", "");
    assert!(!undeclared.contains("[policy]"));
    let record = run_profile(Variant::default(), &undeclared, "@area.replay or @area.lockout");
    let table = statuses(&record);
    let lockout: Vec<_> =
        record.scenarios.iter().filter(|s| s.feature.starts_with("features/lockout/")).collect();
    assert!(!lockout.is_empty());
    for s in lockout {
        assert_eq!(s.status, Status::NotApplicable, "{table}");
        assert_eq!(
            s.reason.as_deref(),
            Some("the target declares no lockout threshold (a profile's [policy] section)"),
            "{table}"
        );
    }
    let replay = record.scenarios.iter().filter(|s| s.feature.starts_with("features/replay/"));
    assert!(replay.filter(|s| s.status == Status::Passed).count() >= 5, "the rest runs:\n{table}");
}
