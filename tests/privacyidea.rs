//! The conformance suite against a live privacyIDEA 3.14 through `servers/privacyidea/profile.toml`.
//! Runs only when `PI_BASE_URL` is set (CI sets it after `servers/privacyidea/setup.sh`).
//! With `PI_FAKETIME_FILE` set too (privacyIDEA started under libfaketime, as CI does), the suite
//! runs twice: with the harness setting privacyIDEA's clock (the verdict table, scenario ->
//! status and reason, is an insta snapshot, so a change in what privacyIDEA does or in what the
//! profile maps shows up as a diff), and with the harness treating that clock as a real one it
//! cannot set (scenarios start at privacyIDEA's time, which is then far from the harness's own).
//! Under faketime the probe follows the suite, as in `mfa-harness run`: its figures are a
//! snapshot too, and the run's HTML report is opened in headless Chromium.
//! Findings (scenarios privacyIDEA fails) are listed in `docs/privacyidea-findings.md`, never
//! hidden here.

mod browser;
mod observed;

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use mfa_harness::clock::SimTime;
use mfa_harness::protocol::Capability;
use mfa_harness::protocol::{NewUser, Role};
use mfa_harness::report::{RunRecord, Status};
use mfa_harness::scenario::Suite;
use mfa_harness::scenario::runner::{self, RunSettings};
use mfa_harness::sut::profile::Connection;
use mfa_harness::sut::{Target, TargetSpec};

fn profile() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("servers/privacyidea/profile.toml")
}

/// One test at a time: each opens its own connection, and privacyIDEA has one SMS gateway
/// configuration (a second connection points it at another sink, and two connecting at once make
/// its SQLite database answer HTTP 500, docs/privacyidea-findings.md).
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A connection that sets privacyIDEA's clock through its faketime file (`faketime`), or
/// treats it as a real clock (the profile sees no `PI_FAKETIME_FILE`).
fn connect(faketime: bool) -> Connection {
    let env = |name: &str| match name {
        "PI_FAKETIME_FILE" if !faketime => None,
        _ => std::env::var(name).ok(),
    };
    Connection::open_with_env(&profile(), &env).expect("privacyIDEA answers the profile's connect steps")
}

/// Whether privacyIDEA runs under libfaketime.
fn faketime() -> bool {
    std::env::var_os("PI_FAKETIME_FILE").is_some_and(|f| !f.is_empty())
}

/// These tests are `#[ignore]`d, so a plain `cargo test` reports them as ignored rather than
/// passed; run with `--include-ignored` they need the server.
fn require_live() {
    assert!(
        std::env::var_os("PI_BASE_URL").is_some(),
        "PI_BASE_URL is not set (start privacyIDEA with servers/privacyidea/setup.sh and export \
         PI_BASE_URL=http://127.0.0.1:5001)"
    );
}

/// One line per scenario: id, status, and the reason or the failing step (no times, no codes).
fn verdict_table(record: &RunRecord) -> String {
    let mut out = String::new();
    for s in &record.scenarios {
        if is_racy(&s.id, s.status) {
            out.push_str(&format!("{} | raced | the run's report says how (not snapshotted)\n", s.id));
            continue;
        }
        let why = match (&s.reason, &s.failure) {
            (Some(reason), _) => reason.clone(),
            (None, Some(f)) => format!("{} (line {}): {}", f.step, f.line, f.message),
            (None, None) => String::new(),
        };
        out.push_str(&format!("{} | {} | {}\n", s.id, s.status.label(), why));
    }
    let count = |status: Status| {
        record.scenarios.iter().filter(|s| s.status == status && !is_racy(&s.id, s.status)).count()
    };
    let raced = record.scenarios.iter().filter(|s| is_racy(&s.id, s.status)).count();
    out.push_str(&format!(
        "total {}: {} passed, {} failed, {} not applicable, {} errors, {} raced\n",
        record.summary.total,
        count(Status::Passed),
        count(Status::Failed),
        count(Status::NotApplicable),
        count(Status::Error),
        raced
    ));
    out
}

/// Runs the whole suite (seed 7) against `connection`.
fn run_suite(connection: &Connection) -> RunRecord {
    let suite = Suite::load(&[]).unwrap();
    // No real-wait budget. Under faketime nothing waits anyway; on the real clock every
    // scenario that asks for real waiting is not applicable, in every run alike (a budget that
    // ran out part-way would make the applicable set depend on where in a time step each
    // scenario started).
    let settings =
        RunSettings { seed: 7, max_real_wait: std::time::Duration::ZERO, ..RunSettings::default() };
    let connected = mfa_harness::sut::Connection {
        info: connection.info(),
        capabilities: connection.capabilities(),
        factory: connection.factory(),
    };
    let started = std::time::Instant::now();
    let record = runner::run(&suite, &connected, &settings);
    eprintln!("the suite against privacyIDEA took {:.1} s", started.elapsed().as_secs_f64());
    record
}

/// The scenarios privacyIDEA cannot answer at all: the RFC 6238 rows at Unix 20000000000 (year
/// 2603), past CPython's clock (`time.time()` raises `OverflowError` after 2262-04-11 and
/// privacyIDEA drops the connection; docs/profiles.md, servers/privacyidea/API.md). Listed here so
/// that any other error fails the test, and so that these rows are seen again if they change.
const UNANSWERABLE: [&str; 3] = [
    "features/rfc/rfc6238_vectors.feature:42",
    "features/rfc/rfc6238_vectors.feature:43",
    "features/rfc/rfc6238_vectors.feature:44",
];

/// Races whose outcome privacyIDEA leaves to chance (API.md, finding 2): one valid code sent from
/// 32 browsers at once is accepted 1 to 4 times, and when two acceptances collide writing the
/// token's first success counters one of them ends in HTTP 500 (finding 10). Each run's report
/// shows what happened; the snapshot says only that it raced.
const RACY: [&str; 1] = ["features/replay/concurrent_replay.feature:17"];

/// Whether a scenario's status is left to a race (a racy row that ran).
fn is_racy(id: &str, status: Status) -> bool {
    RACY.contains(&id) && status != Status::NotApplicable
}

/// What every run must show: privacyIDEA reached, no harness error but the unanswerable rows
/// (and a racy row's HTTP 500), a reason for each scenario not applicable.
fn assert_sound(record: &RunRecord, table: &str) {
    assert!(record.summary.passed > 0, "no scenario passed: is the profile reaching privacyIDEA?\n{table}");
    for s in &record.scenarios {
        if RACY.contains(&s.id.as_str())
            && s.reason.as_deref().is_some_and(|r| r.contains("500 Internal Server Error"))
        {
            continue;
        }
        assert_eq!(
            s.status == Status::Error,
            UNANSWERABLE.contains(&s.id.as_str()) && s.status != Status::NotApplicable,
            "{} is {}:\n{table}",
            s.id,
            s.status.label()
        );
    }
    for s in &record.scenarios {
        if s.status == Status::NotApplicable {
            assert!(s.reason.as_deref().is_some_and(|r| !r.is_empty()), "{} has no reason", s.id);
        }
    }
}

#[test]
#[ignore = "needs a privacyIDEA server: PI_BASE_URL, and headless Chromium (see .ci/run)"]
fn the_suite_against_privacyidea_under_faketime_matches_the_snapshots() {
    require_live();
    if !faketime() {
        eprintln!(
            "skipped: privacyIDEA runs on its real clock (start it with PI_FAKETIME_FILE set, \
             docs/profiles.md)"
        );
        return;
    }
    let _alone = one_at_a_time();
    let spec = TargetSpec::parse(&format!("profile:{}", profile().display())).unwrap();
    assert_eq!(spec, TargetSpec::Profile { path: profile() });
    let connection = connect(true);
    // Read at connect, after setting it to the real clock a day ago (and checked against that).
    let server = connection.server_time().expect("privacyIDEA reports its time in every answer");
    assert!(server > 1_700_000_000.0, "implausible server time {server}");
    eprintln!("privacyIDEA's clock at connect: Unix {server:.3}");
    let mut lines = String::new();
    for (capability, reason) in connection.not_applicable() {
        lines.push_str(&format!("{capability}: {reason}\n"));
    }
    let capabilities = connection.capabilities();
    let mapped: Vec<String> =
        Capability::ALL.iter().filter(|c| capabilities.has(**c)).map(|c| c.to_string()).collect();
    lines.push_str(&format!("mapped: {}\n", mapped.join(", ")));
    insta::assert_snapshot!("privacyidea_capabilities", lines);

    assert!(capabilities.has(Capability::ClockControl), "a faketime clock is clock control");
    assert_eq!(connection.info().kind, "profile");
    let mut record = run_suite(&connection);
    let table = verdict_table(&record);
    eprintln!("{table}");
    assert_sound(&record, &table);
    let target = mfa_harness::sut::Connection {
        info: connection.info(),
        capabilities: connection.capabilities(),
        factory: connection.factory(),
    };
    let figures = observed::probe_after_suite(&target, &mut record, &PROBE_RACES);
    open_in_chromium(&record);
    insta::assert_snapshot!("privacyidea_verdicts", table);
    insta::assert_snapshot!("privacyidea_probe", figures);
}

/// The probe's figures that a race decides (API.md, findings 2 and 10): how many copies of one
/// code, and how many guesses past the threshold, get through when sent at once.
const PROBE_RACES: [&str; 2] = ["replay.parallel", "lockout.parallel_past"];

/// The run's HTML report in headless Chromium: its script runs cleanly, the grade card comes
/// first and the failures right after it, every row is shown. The page and its screenshot stay
/// in `target/tmp/privacyidea-report/` (CI keeps them as artifacts).
fn open_in_chromium(record: &RunRecord) {
    let report = browser::Report::write(record, "privacyidea-report");
    let page = report.open_with_failures_first();
    assert!(page.contains("<strong>overall</strong>"), "the card has no overall grade");
    let total = record.scenarios.len();
    assert!(page.contains(&format!("{total} of {total} shown")), "the filter's count is missing");
    assert!(browser::rows(&page).iter().all(|(_, hidden)| !hidden), "no filter: every row shown");
    report.screenshot("report.png", 2600);
}

/// On a clock the harness cannot set, every scenario starts at privacyIDEA's time: with the
/// server under libfaketime that is far from the harness's own clock, so a scenario starting
/// anywhere else would show codes privacyIDEA rejects (or accepts by accident).
#[test]
#[ignore = "needs a privacyIDEA server: PI_BASE_URL (see .ci/run)"]
fn the_suite_against_privacyidea_on_a_clock_the_harness_cannot_set_starts_at_its_time() {
    require_live();
    let _alone = one_at_a_time();
    let connection = connect(false);
    assert!(!connection.capabilities().has(Capability::ClockControl));
    let server = connection.server_time().expect("privacyIDEA reports its time in every answer");
    let record = run_suite(&connection);
    let table = verdict_table(&record);
    eprintln!("{table}");
    assert_sound(&record, &table);
    for s in record.scenarios.iter().filter(|s| s.status == Status::Failed) {
        let message = &s.failure.as_ref().unwrap().message;
        let at: f64 = message
            .split("at unix:")
            .nth(1)
            .and_then(|rest| rest.split([';', ',', ' ']).next())
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| panic!("{}: no simulated time in {message:?}", s.id));
        assert!((at - server).abs() < 600.0, "{} ran at {at}, privacyIDEA's clock said {server}", s.id);
    }
    // The statuses are privacyIDEA's behaviour, whichever clock: the same as under faketime,
    // apart from what needs clock control.
    let statuses: String = record
        .scenarios
        .iter()
        .filter(|s| s.status != Status::NotApplicable)
        .map(|s| {
            format!("{} | {}\n", s.id, if is_racy(&s.id, s.status) { "raced" } else { s.status.label() })
        })
        .collect();
    insta::assert_snapshot!("privacyidea_real_clock_statuses", statuses);
}

/// privacyIDEA's HTTP SMS gateway, pointed at the harness's sink by the profile's connect steps,
/// delivers a real SMS challenge's code, and that code answers the challenge.
#[test]
#[ignore = "needs a privacyIDEA server: PI_BASE_URL (see .ci/run)"]
fn an_sms_privacyidea_sends_reaches_the_sink_and_its_code_is_accepted() {
    require_live();
    let _alone = one_at_a_time();
    let connection = connect(faketime());
    let target = connection.target(0x5e5);
    let now = SimTime::from_unix_secs(1_767_225_600);
    let user = NewUser { name: "Sam".into(), password: "pw-sam-0001".into(), role: Role::Root };
    target.create_user(&user, now).unwrap();
    target.set_phone("Sam", "+15550009999", now).unwrap();
    let account = format!("Sam-{}-{:08x}", connection.run_id(), 0x5e5);

    let home = std::env::var("PI_HOME").unwrap_or_else(|_| "target/privacyidea".into());
    let password = std::fs::read_to_string(Path::new(&home).join("admin-password")).unwrap();
    let api = Api::new();
    let auth = api.post("/auth", None, &[("username", "admin"), ("password", password.trim())]);
    let jwt = auth["result"]["value"]["token"].as_str().unwrap().to_owned();
    let serial = format!("SMS{}", &account);
    let init = api.post(
        "/token/init",
        Some(&jwt),
        &[
            ("type", "sms"),
            ("serial", serial.as_str()),
            ("user", account.as_str()),
            ("realm", "scenarios"),
            ("phone", "+15550009999"),
            ("pin", ""),
        ],
    );
    assert_eq!(init["result"]["value"], true, "{init}");
    let check = |pass: &str, tx: Option<&str>| -> serde_json::Value {
        let mut form = vec![("user", account.as_str()), ("realm", "scenarios"), ("pass", pass)];
        form.extend(tx.map(|t| ("transaction_id", t)));
        api.post("/validate/check", None, &form)
    };
    // The PIN is the user's password (policy otppin=userstore, set by setup.sh).
    let challenge = check("pw-sam-0001", None);
    assert_eq!(challenge["result"]["authentication"], "CHALLENGE", "{challenge}");
    let tx = challenge["detail"]["transaction_id"].as_str().unwrap().to_owned();

    let sms = target.take_sms(now).unwrap();
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert_eq!(sms[0].phone, "+15550009999");
    assert_eq!(sms[0].code.len(), 6, "zero-padded to six digits");
    assert!(sms[0].code.bytes().all(|b| b.is_ascii_digit()));
    let answer = check(&sms[0].code, Some(&tx));
    assert_eq!(answer["result"]["authentication"], "ACCEPT", "{answer}");
}

/// privacyIDEA's own API, for what the profile does not map (an SMS token).
struct Api {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    base: String,
}

impl Api {
    fn new() -> Api {
        Api {
            runtime: tokio::runtime::Runtime::new().unwrap(),
            client: reqwest::Client::new(),
            base: std::env::var("PI_BASE_URL").unwrap(),
        }
    }

    /// A form `POST`, with the admin JWT if given; the JSON answer.
    fn post(&self, path: &str, jwt: Option<&str>, form: &[(&str, &str)]) -> serde_json::Value {
        let mut request = self.client.post(format!("{}{path}", self.base)).form(form);
        if let Some(jwt) = jwt {
            request = request.header("Authorization", jwt);
        }
        self.runtime.block_on(async { request.send().await.unwrap().json().await.unwrap() })
    }
}
