//! What the suites against real third-party servers (`tests/privacyidea.rs`, `tests/edumfa.rs`)
//! share: connecting through a server's profile with or without its libfaketime clock, refusing
//! to run untried, running the suite, the verdict table their insta snapshots hold, the checks
//! every run must pass, and the server's own API for what a profile does not map.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use mfa_harness::clock::SimTime;
use mfa_harness::protocol::{Capability, NewUser, Role};
use mfa_harness::report::{RunRecord, Status};
use mfa_harness::scenario::Suite;
use mfa_harness::scenario::runner::{self, RunSettings};
use mfa_harness::sut::profile::Connection;
use mfa_harness::sut::{Target, TargetSpec};

/// One real server under test, as its setup script starts it.
pub struct RealServer {
    /// Its name in messages ("privacyIDEA").
    pub name: &'static str,
    /// Its profile, relative to the repository.
    pub profile: &'static str,
    /// The variable its base URL is in (`PI_BASE_URL`), with the default port in the hint.
    pub base_url_var: &'static str,
    /// The variable naming its libfaketime file (`PI_FAKETIME_FILE`).
    pub faketime_var: &'static str,
    /// How to start it and what to export, for the message of a run without it.
    pub setup_hint: &'static str,
    /// The variable its setup script's home is in (`PI_HOME`), and that home's default.
    pub home_var: &'static str,
    pub home_default: &'static str,
    /// Scenarios the server cannot answer at all (harness errors, each with its reason at the
    /// definition); any other error fails the test.
    pub unanswerable: &'static [&'static str],
    /// Scenarios whose status the server leaves to a race: each run's report shows what
    /// happened, the snapshot says only that it raced.
    pub racy: &'static [&'static str],
    /// What the server's answer says when a racy row's collision ends in HTTP 500: such a row
    /// may be an error with a reason containing it.
    pub race_error: &'static str,
}

impl RealServer {
    pub fn profile(&self) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(self.profile)
    }

    /// These tests are `#[ignore]`d, so a plain `cargo test` reports them as ignored rather than
    /// passed; run with `--include-ignored` they need the server.
    pub fn require_live(&self) {
        assert!(
            std::env::var_os(self.base_url_var).is_some(),
            "{} is not set ({})",
            self.base_url_var,
            self.setup_hint
        );
    }

    /// Whether the server runs under libfaketime.
    pub fn faketime(&self) -> bool {
        std::env::var_os(self.faketime_var).is_some_and(|f| !f.is_empty())
    }

    /// A connection that sets the server's clock through its faketime file (`faketime`), or
    /// treats it as a real clock (the profile does not see the faketime variable).
    pub fn connect(&self, faketime: bool) -> Connection {
        let env = |name: &str| {
            if name == self.faketime_var && !faketime { None } else { std::env::var(name).ok() }
        };
        Connection::open_with_env(&self.profile(), &env)
            .unwrap_or_else(|e| panic!("{} answers the profile's connect steps: {e}", self.name))
    }

    /// The connection of the suite under libfaketime, checked (the profile's path, the server's
    /// clock read back at connect, clock control mapped), with the guard that keeps the other
    /// tests of the process out; `None` when the server runs on its real clock, said on stderr.
    pub fn connect_under_faketime(&self) -> Option<(MutexGuard<'static, ()>, Connection)> {
        self.require_live();
        if !self.faketime() {
            eprintln!(
                "skipped: {} runs on its real clock (start it with {} set, docs/profiles.md)",
                self.name, self.faketime_var
            );
            return None;
        }
        let alone = one_at_a_time();
        let spec = TargetSpec::parse(&format!("profile:{}", self.profile().display())).unwrap();
        assert_eq!(spec, TargetSpec::Profile { path: self.profile() });
        let connection = self.connect(true);
        // Read at connect, after setting it to the real clock a day ago (and checked against that).
        let server = connection
            .server_time()
            .unwrap_or_else(|| panic!("{} reports its time in every answer", self.name));
        assert!(server > 1_700_000_000.0, "implausible server time {server}");
        eprintln!("{}'s clock at connect: Unix {server:.3}", self.name);
        assert!(connection.capabilities().has(Capability::ClockControl), "a faketime clock is clock control");
        assert_eq!(connection.info().kind, "profile");
        Some((alone, connection))
    }

    /// Runs the suite against `connection` and checks it is sound (`assert_sound`): the run
    /// and its verdict table, also printed.
    pub fn judged(&self, connection: &Connection) -> (RunRecord, String) {
        let record = self.run_suite(connection);
        let table = self.verdict_table(&record);
        eprintln!("{table}");
        self.assert_sound(&record, &table);
        (record, table)
    }

    /// The profile's connection as the harness's own, for the runner and the probe.
    pub fn sut(connection: &Connection) -> mfa_harness::sut::Connection {
        mfa_harness::sut::Connection {
            info: connection.info(),
            capabilities: connection.capabilities(),
            factory: connection.factory(),
        }
    }

    /// The capabilities the profile declares not applicable (with why) and those it maps.
    pub fn capability_lines(connection: &Connection) -> String {
        let mut lines = String::new();
        for (capability, reason) in connection.not_applicable() {
            lines.push_str(&format!("{capability}: {reason}\n"));
        }
        let capabilities = connection.capabilities();
        let mapped: Vec<String> =
            Capability::ALL.iter().filter(|c| capabilities.has(**c)).map(|c| c.to_string()).collect();
        lines.push_str(&format!("mapped: {}\n", mapped.join(", ")));
        lines
    }

    /// Whether a scenario's status is left to a race (a racy row that ran).
    pub fn is_racy(&self, id: &str, status: Status) -> bool {
        self.racy.contains(&id) && status != Status::NotApplicable
    }

    /// One line per scenario: id, status, and the reason or the failing step (no times, no codes).
    pub fn verdict_table(&self, record: &RunRecord) -> String {
        let mut out = String::new();
        for s in &record.scenarios {
            if self.is_racy(&s.id, s.status) {
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
            record.scenarios.iter().filter(|s| s.status == status && !self.is_racy(&s.id, s.status)).count()
        };
        let raced = record.scenarios.iter().filter(|s| self.is_racy(&s.id, s.status)).count();
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
    pub fn run_suite(&self, connection: &Connection) -> RunRecord {
        let suite = Suite::load(&[]).unwrap();
        // No real-wait budget. Under faketime nothing waits anyway; on the real clock every
        // scenario that asks for real waiting is not applicable, in every run alike (a budget
        // that ran out part-way would make the applicable set depend on where in a time step
        // each scenario started).
        let settings =
            RunSettings { seed: 7, max_real_wait: std::time::Duration::ZERO, ..RunSettings::default() };
        let started = std::time::Instant::now();
        let record = runner::run(&suite, &RealServer::sut(connection), &settings);
        eprintln!("the suite against {} took {:.1} s", self.name, started.elapsed().as_secs_f64());
        record
    }

    /// What every run must show: the server reached, no harness error but the unanswerable
    /// rows (and a racy row's HTTP 500, `race_error`), a reason for each scenario not applicable.
    pub fn assert_sound(&self, record: &RunRecord, table: &str) {
        assert!(
            record.summary.passed > 0,
            "no scenario passed: is the profile reaching {}?\n{table}",
            self.name
        );
        for s in &record.scenarios {
            if self.racy.contains(&s.id.as_str())
                && s.reason.as_deref().is_some_and(|r| r.contains(self.race_error))
            {
                continue;
            }
            assert_eq!(
                s.status == Status::Error,
                self.unanswerable.contains(&s.id.as_str()) && s.status != Status::NotApplicable,
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

    /// The server's HTTP SMS gateway, which its setup script points at the profile's sink,
    /// delivers a real SMS challenge's code, and that code answers the challenge.
    pub fn sms_reaches_the_sink_and_its_code_is_accepted(&self) {
        self.require_live();
        let _alone = one_at_a_time();
        let connection = self.connect(self.faketime());
        let target = connection.target(0x5e5);
        let now = SimTime::from_unix_secs(1_767_225_600);
        let user = NewUser { name: "Sam".into(), password: "pw-sam-0001".into(), role: Role::Root };
        target.create_user(&user, now).unwrap();
        target.set_phone("Sam", "+15550009999", now).unwrap();
        let account = format!("Sam-{}-{:08x}", connection.run_id(), 0x5e5);

        let home = std::env::var(self.home_var).unwrap_or_else(|_| self.home_default.into());
        let password = std::fs::read_to_string(Path::new(&home).join("admin-password")).unwrap();
        let api = Api::new(self.base_url_var);
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
        // The PIN is the user's password (policy otppin=userstore, set by the setup script).
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
}

/// One test at a time: each opens its own connection, and a connection holds the server's clock
/// (its faketime file) and the SMS sink's fixed port.
pub fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A real server's own API (privacyIDEA's and its fork eduMFA's are alike), for what a profile
/// does not map (an SMS token).
struct Api {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    base: String,
}

impl Api {
    /// The API at the base URL in the variable `base_url_var`.
    fn new(base_url_var: &str) -> Api {
        Api {
            runtime: tokio::runtime::Runtime::new().unwrap(),
            client: reqwest::Client::new(),
            base: std::env::var(base_url_var).unwrap(),
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
