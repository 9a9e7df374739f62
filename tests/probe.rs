//! `mfa-harness probe`: the observed policy of the reference is exactly its configured policy,
//! every mutant that weakens a policy shows the weakened figure (and only it), the same seed
//! gives the same bytes, `serve --test-clock` reports what the in-process reference reports,
//! a server on its own clock gets every figure measurable at one instant and "needs clock
//! control" for the rest, a wrong declaration is a failure, and `docs/grading.md` shows the
//! grading table the code reads.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use mfa_harness::clock::SimTime;
use mfa_harness::probe::figure::read;
use mfa_harness::probe::{
    self, ClockMode, Grade, GradingTable, Measured, ProbeOutcome, ProbeReport, render_markdown,
};
use mfa_harness::protocol::AdminToken;
use mfa_harness::protocol::{
    AccountView, AuthenticatorEvent, BindingId, Capabilities, Capability, ChallengeId, DeviceKind, Method,
    MethodSet, NewUser, Operation, PolicyFacts, Scope, SessionId, SetupDevice, SmsMessage,
};
use mfa_harness::provision::TokenSeed;
use mfa_harness::reference::{Policy, mutant};
use mfa_harness::server::{self, ServerConfig};
use mfa_harness::sut::{
    Answer, Connection, HttpSettings, InProcess, Target, TargetError, TargetFactory, TargetInfo, TargetSpec,
};

fn probe_spec(spec: &TargetSpec, seed: u64) -> ProbeReport {
    probe::probe(&spec.connect().unwrap(), seed).unwrap()
}

fn reference() -> ProbeReport {
    probe_spec(&TargetSpec::parse("reference").unwrap(), 1)
}

/// Every figure's value (the number the rules compare), or its "not measured" reason.
fn values(report: &ProbeReport) -> BTreeMap<String, String> {
    let table = GradingTable::builtin().unwrap();
    table
        .figure
        .iter()
        .map(|f| {
            let shown = match read(report, &f.id).unwrap() {
                Measured::Measured { value } => value.value.to_string(),
                other => other.missing().unwrap(),
            };
            (f.id.clone(), shown)
        })
        .collect()
}

fn value(report: &ProbeReport, id: &str) -> f64 {
    match read(report, id).unwrap() {
        Measured::Measured { value } => value.value,
        other => panic!("{id}: {other:?}"),
    }
}

fn missing(report: &ProbeReport, id: &str) -> String {
    read(report, id).unwrap().missing().unwrap_or_else(|| panic!("{id} was measured"))
}

#[test]
fn the_reference_policy_is_reported_exactly() {
    let p = Policy::for_tests();
    let r = reference();
    assert_eq!(r.clock, ClockMode::Simulated);
    let expect = [
        ("window.current", 1.0),
        ("window.behind", p.window.behind as f64),
        ("window.ahead", p.window.ahead as f64),
        ("window.width", (p.window.behind + p.window.ahead + 1) as f64),
        // Bounded drift learning: one success moves the window one step (its own offset).
        ("drift.shift", 1.0),
        ("drift.chain", 10.0),
        ("replay.sequential", 0.0),
        ("replay.parallel", 1.0),
        ("lockout.threshold", f64::from(p.lockout_threshold)),
        ("lockout.visible", 1.0),
        ("lockout.leak", 0.0),
        ("lockout.release", p.lockout_duration.as_secs() as f64),
        ("lockout.guesses_per_hour", 40.0),
        ("lockout.success_resets", 1.0),
        ("lockout.parallel_past", 0.0),
        ("sms.lifetime", p.sms_validity.as_secs() as f64),
        ("sms.attempts", f64::from(p.sms_max_attempts)),
        ("sms.single_use", 0.0),
        ("sms.tied", 0.0),
        ("sms.resend_at_once", 1.0),
        ("sms.resend_interval", p.sms_resend_interval.as_secs() as f64),
        ("resync.ahead", p.resync_steps as f64),
        ("resync.behind", p.resync_steps as f64),
        ("resync.non_consecutive", 0.0),
        ("resync.pair_reusable", 0.0),
        ("resync.burns_next", 0.0),
    ];
    let measured: Vec<(&str, f64)> = expect.iter().map(|(id, _)| (*id, value(&r, id))).collect();
    assert_eq!(measured, expect);
    assert_eq!(values(&r).len(), expect.len(), "every figure is checked above");
    let parallel = r.replay.parallel.value().unwrap();
    assert!(
        parallel
            .rounds
            .iter()
            .all(|round| round.sent as usize == probe::PARALLEL_REPLAY && round.accepted == 1)
    );
    assert!(r.declared_checks.iter().all(|c| c.agrees == Some(true)), "{:?}", r.declared_checks);
    assert_eq!(r.outcome(), ProbeOutcome::Agrees);
    assert!(r.grades.areas.iter().all(|a| a.grade == Some(Grade::A)), "{:?}", r.grades);
    assert_eq!((r.grades.overall, r.grades.complete), (Some(Grade::A), true));
}

/// Per mutant: the figures whose value differs from the reference's, and the overall grade.
/// Mutants whose fault lies outside verification policy (binding, protection settings, token
/// algorithms, 2038) show no difference: the probe never mistakes them for a policy change.
const MUTANTS: &[(&str, &[&str], Grade)] = &[
    ("no-replay-guard", &["replay.parallel", "replay.sequential", "resync.pair_reusable"], Grade::F),
    // The racy guard also opens the lock: the failure count is checked outside its lock too.
    ("racy-replay-guard", &["lockout.parallel_past", "replay.parallel"], Grade::F),
    ("window-plus-minus-10", &["drift.shift", "window.ahead", "window.behind", "window.width"], Grade::D),
    (
        "exact-step-only",
        &["drift.chain", "drift.shift", "resync.burns_next", "window.ahead", "window.behind", "window.width"],
        Grade::B,
    ),
    ("forward-only-window", &["window.behind", "window.width"], Grade::B),
    ("binding-accepts-repeated-code", &[], Grade::A),
    ("binding-accepts-non-consecutive", &[], Grade::A),
    ("unbind-without-code", &[], Grade::A),
    ("sms-never-expires", &["sms.lifetime"], Grade::A),
    ("sms-reusable", &["sms.attempts"], Grade::A),
    (
        "no-lockout",
        &[
            "lockout.guesses_per_hour",
            "lockout.leak",
            "lockout.parallel_past",
            "lockout.release",
            "lockout.success_resets",
            "lockout.threshold",
            "lockout.visible",
        ],
        Grade::F,
    ),
    ("lockout-never-resets", &["lockout.success_resets"], Grade::C),
    ("both-methods-required", &[], Grade::A),
    ("iam-user-weakens-own-protection", &[], Grade::A),
    ("no-redirect-to-binding", &[], Grade::A),
    (
        "truncation-offset-bug",
        &[
            "drift.chain",
            "drift.shift",
            "lockout.guesses_per_hour",
            "lockout.leak",
            "lockout.parallel_past",
            "lockout.release",
            "lockout.success_resets",
            "lockout.threshold",
            "lockout.visible",
            "replay.parallel",
            "replay.sequential",
            "resync.ahead",
            "resync.behind",
            "resync.burns_next",
            "resync.non_consecutive",
            "resync.pair_reusable",
            "window.ahead",
            "window.behind",
            "window.current",
            "window.width",
        ],
        Grade::F,
    ),
    ("32-bit-time", &[], Grade::A),
    ("sha256-token-verified-as-sha1", &[], Grade::A),
    ("learned-drift-not-kept", &["drift.chain", "drift.shift", "resync.burns_next"], Grade::B),
    ("resync-accepts-non-consecutive", &["resync.non_consecutive"], Grade::C),
    ("hardware-without-beta-check", &[], Grade::A),
    ("serial-bound-twice", &[], Grade::A),
    ("racy-failure-count", &["lockout.parallel_past"], Grade::D),
    ("sms-code-not-tied-to-challenge", &["sms.tied"], Grade::D),
    ("no-sms-throttle", &["sms.resend_at_once", "sms.resend_interval"], Grade::B),
    ("locked-codes-still-checked", &["lockout.leak", "lockout.parallel_past", "lockout.visible"], Grade::F),
    ("resync-burns-next-code", &["resync.burns_next"], Grade::A),
    // Not a policy figure: the suite's inventory scenario catches it.
    ("reimport-replaces-seed", &[], Grade::A),
];

#[test]
fn every_mutant_that_weakens_a_policy_shows_the_weakened_figure() {
    let mutants = mutant::catalogue().unwrap();
    let listed: Vec<&str> = MUTANTS.iter().map(|(name, _, _)| *name).collect();
    let catalogued: Vec<&str> = mutants.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(listed, catalogued, "every mutant needs an expectation here");
    let baseline = values(&reference());
    let mut wrong = Vec::new();
    for (m, (name, expected, grade)) in mutants.iter().zip(MUTANTS) {
        let spec = TargetSpec::mutant(m);
        let report = probe_spec(&spec, 1);
        let differ: Vec<String> = values(&report)
            .into_iter()
            .filter(|(id, v)| baseline[id] != *v)
            .map(|(id, v)| format!("{id}={v}"))
            .collect();
        let ids: Vec<&str> = differ.iter().map(|d| d.split('=').next().unwrap()).collect();
        if ids != *expected || report.grades.overall != Some(*grade) {
            wrong.push(format!("{name}: differ {differ:?}, overall {:?}", report.grades.overall));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_mutant_that_breaks_its_declared_policy_fails_the_probe() {
    let m = mutant::catalogue().unwrap().into_iter().find(|m| m.name == "no-lockout").unwrap();
    let report = probe_spec(&TargetSpec::mutant(&m), 1);
    assert_eq!(report.outcome(), ProbeOutcome::Disagrees);
    let check = report.declared_checks.iter().find(|c| c.figure == "lockout.threshold").unwrap();
    assert_eq!((check.declared.as_str(), check.measured.as_str(), check.agrees), ("10", "none", Some(false)));
    assert!(render_markdown(&report).contains("10 (MISMATCH: measured none)"));
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_the_figures_do_not_depend_on_it() {
    let spec = TargetSpec::parse("reference").unwrap();
    let dir = |n: &str| std::env::temp_dir().join(format!("mfa-probe-{}-{n}", std::process::id()));
    let (a, b) = (probe_spec(&spec, 7), probe_spec(&spec, 7));
    a.write_all(&dir("a")).unwrap();
    b.write_all(&dir("b")).unwrap();
    for file in ["probe.json", "probe.md"] {
        let read = |d: &str| std::fs::read(dir(d).join(file)).unwrap();
        assert_eq!(read("a"), read("b"), "{file}");
    }
    let json = std::fs::read_to_string(dir("a").join("probe.json")).unwrap();
    assert_eq!(serde_json::from_str::<ProbeReport>(&json).unwrap(), a);
    assert_eq!(values(&probe_spec(&spec, 8)), values(&a), "figures do not depend on the seed");
}

/// `serve --test-clock` (or, `live`, a server on the wall clock, whose admin routes need a
/// token the target then sends) on an ephemeral port, as a `--target` value.
fn serve(live: bool) -> TargetSpec {
    let token = AdminToken::parse("probe-test-admin-token-0123").unwrap();
    let config = if live {
        ServerConfig::live(Policy::for_tests(), token.clone())
    } else {
        ServerConfig::test(Policy::for_tests(), 1)
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            server::serve_on(listener, config).await.unwrap();
        });
    });
    let mut settings = HttpSettings::parse(&format!("http://{}", rx.recv().unwrap())).unwrap();
    if live {
        settings.admin_token = Some(token);
    }
    TargetSpec::Http(settings)
}

#[test]
fn serve_with_a_test_clock_reports_what_the_in_process_reference_reports() {
    let over_http = probe_spec(&serve(false), 1);
    assert_eq!(over_http.clock, ClockMode::Simulated);
    assert_eq!(values(&over_http), values(&reference()));
    assert_eq!(over_http.grades.overall, Some(Grade::A));
}

#[test]
fn a_server_on_its_own_clock_gets_every_figure_one_instant_allows() {
    let report = probe_spec(&serve(true), 1);
    assert_eq!(report.clock, ClockMode::ServerClock);
    for (id, v) in [
        ("window.width", 3.0),
        ("drift.shift", 1.0),
        ("replay.parallel", 1.0),
        ("lockout.threshold", 10.0),
        ("lockout.leak", 0.0),
        // Without clock control the next right code is the window's newer step.
        ("lockout.success_resets", 1.0),
        ("lockout.parallel_past", 0.0),
        ("resync.ahead", 240.0),
        ("resync.burns_next", 0.0),
    ] {
        assert_eq!(value(&report, id), v, "{id}");
    }
    assert_eq!(missing(&report, "lockout.release"), "not measured: needs clock control");
    // A wall-clock server sends no SMS the harness can read.
    assert_eq!(missing(&report, "sms.lifetime"), "not measured: needs sms");
    let lockout = report.grades.areas.iter().find(|a| a.area == "lockout").unwrap();
    assert_eq!(lockout.grade, Some(Grade::A));
    assert!(!lockout.complete(), "the lockout grade is only an upper bound without the release time");
    assert!(!report.grades.complete);
    let card = render_markdown(&report);
    let at_best = "| Lockout | A at best (not measured: needs clock control: lockout.release, lockout.guesses_per_hour) |";
    assert!(card.contains(at_best), "{card}");
}

#[test]
fn the_grading_document_shows_the_table_the_code_reads() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/grading.md")).unwrap();
    let start = "<!-- grading-table:start (generated from src/probe/grading.toml) -->\n";
    let end = "<!-- grading-table:end -->";
    let from = doc.find(start).expect("start marker") + start.len();
    let to = doc.find(end).expect("end marker");
    let table = GradingTable::builtin().unwrap().markdown();
    assert_eq!(
        &doc[from..to],
        table,
        "docs/grading.md is out of date: paste GradingTable::markdown() between the markers"
    );
}

/// The reference behind a stub: without login and operation protection when `apps_only` (as
/// a server that only has authenticator apps looks: privacyIDEA through its profile, for
/// one), and on its own clock when `own_clock` is set (no clock control; every reading of
/// its clock finds it a second later, as a real server's clock moves while the probe works).
struct Stub {
    inner: InProcess,
    apps_only: bool,
    own_clock: Option<OwnClock>,
}

/// A server clock that moves a second per reading (and `answer_secs` per answered prompt, as a
/// real server's clock moves while it works), and what each device binding claimed.
struct OwnClock {
    unix_secs: AtomicU64,
    answer_secs: u64,
    /// (the device time the binding claimed, the server's time at the last reading before it)
    bindings: Mutex<Vec<(SimTime, SimTime)>>,
}

impl Stub {
    fn apps_only() -> Stub {
        Stub { inner: InProcess::new("reference", Policy::for_tests(), 1), apps_only: true, own_clock: None }
    }

    fn own_clock(answer_secs: u64) -> Stub {
        let clock = OwnClock {
            unix_secs: AtomicU64::new(1_767_225_615),
            answer_secs,
            bindings: Mutex::new(Vec::new()),
        };
        Stub {
            inner: InProcess::new("reference", Policy::for_tests(), 1),
            apps_only: false,
            own_clock: Some(clock),
        }
    }

    fn connection(self) -> (Connection, Arc<Stub>) {
        let (info, capabilities) = (self.info(), self.capabilities());
        let stub = Arc::new(self);
        let shared: Arc<dyn Target> = stub.clone();
        let factory: TargetFactory = Arc::new(move |_| Ok(shared.clone()));
        (Connection { info, capabilities, factory }, stub)
    }
}

impl Target for Stub {
    fn info(&self) -> TargetInfo {
        TargetInfo { name: "stub".into(), ..self.inner.info() }
    }
    fn capabilities(&self) -> Capabilities {
        let mut capabilities = self.inner.capabilities();
        if self.apps_only {
            capabilities =
                capabilities.without(Capability::LoginProtection).without(Capability::OperationProtection);
        }
        if self.own_clock.is_some() {
            capabilities = capabilities.without(Capability::ClockControl);
        }
        capabilities
    }
    fn server_time(&self) -> Answer<Option<SimTime>> {
        Ok(self
            .own_clock
            .as_ref()
            .map(|c| SimTime::from_unix_secs(c.unix_secs.fetch_add(1, Ordering::SeqCst) + 1)))
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
        self.inner.import_seeds(seeds, now)
    }
    fn provision_device(&self, user: &str, device: &SetupDevice, now: SimTime) -> Answer<()> {
        if let Some(clock) = &self.own_clock {
            let server = SimTime::from_unix_secs(clock.unix_secs.load(Ordering::SeqCst));
            clock.bindings.lock().unwrap().push((now, server));
        }
        self.inner.provision_device(user, device, now)
    }
    fn provision_protection(&self, user: &str, scope: Scope, methods: MethodSet, now: SimTime) -> Answer<()> {
        if self.apps_only {
            return Err(TargetError::Refused {
                request: "provision protection".into(),
                message: "no protections".into(),
            });
        }
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
        if let Some(clock) = &self.own_clock {
            clock.unix_secs.fetch_add(clock.answer_secs, Ordering::SeqCst);
        }
        self.inner.answer(challenge, method, response, now)
    }
    fn confirm(&self, challenge: ChallengeId, now: SimTime) -> Answer {
        self.inner.confirm(challenge, now)
    }
    fn perform(&self, session: SessionId, operation: Operation, now: SimTime) -> Answer {
        self.inner.perform(session, operation, now)
    }
    fn set_protection(&self, s: SessionId, user: &str, scope: Scope, m: MethodSet, now: SimTime) -> Answer {
        self.inner.set_protection(s, user, scope, m, now)
    }
    fn start_binding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer {
        self.inner.start_binding(session, kind, now)
    }
    fn finish_virtual_binding(&self, binding: BindingId, first: &str, second: &str, now: SimTime) -> Answer {
        self.inner.finish_virtual_binding(binding, first, second, now)
    }
    fn finish_hardware_binding(&self, binding: BindingId, serial: &str, code: &str, now: SimTime) -> Answer {
        self.inner.finish_hardware_binding(binding, serial, code, now)
    }
    fn start_unbinding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer {
        self.inner.start_unbinding(session, kind, now)
    }
    fn resync(
        &self,
        user: &str,
        pw: &str,
        kind: DeviceKind,
        first: &str,
        second: &str,
        now: SimTime,
    ) -> Answer {
        self.inner.resync(user, pw, kind, first, second, now)
    }
    fn support_reset(&self, user: &str, kind: DeviceKind, now: SimTime) -> Answer {
        self.inner.support_reset(user, kind, now)
    }
}

#[test]
fn a_server_with_only_apps_is_probed_through_unbinding() {
    let (connection, _) = Stub::apps_only().connection();
    let report = probe::probe(&connection, 1).unwrap();
    for (id, v) in [
        ("window.width", 3.0),
        ("replay.parallel", 1.0),
        ("lockout.threshold", 10.0),
        ("lockout.leak", 0.0),
        ("lockout.release", 900.0),
        ("lockout.parallel_past", 0.0),
        ("resync.ahead", 240.0),
        ("resync.burns_next", 0.0),
        ("resync.pair_reusable", 0.0),
    ] {
        assert_eq!(value(&report, id), v, "{id}");
    }
    let removes =
        "not measured: the only prompt is unbinding, which removes the device once a code is accepted";
    for id in ["drift.shift", "replay.sequential", "lockout.success_resets"] {
        assert_eq!(missing(&report, id), removes, "{id}");
    }
    assert_eq!(
        missing(&report, "sms.lifetime"),
        "not measured: needs login or operation protection (a prompt to answer)"
    );
    assert_eq!(report.outcome(), ProbeOutcome::Agrees);
}

#[test]
fn on_a_server_clock_that_moves_each_device_is_bound_at_the_servers_now() {
    // A device bound at a time the server has left behind looks that far behind to a server
    // that maps device time onto its own (a profile's time shift): eduMFA's window read
    // -7..+4 while it is -6..+5, when every device claimed the probe's start time.
    let (connection, stub) = Stub::own_clock(0).connection();
    let report = probe::probe(&connection, 1).unwrap();
    assert_eq!(report.clock, ClockMode::ServerClock);
    let clock = stub.own_clock.as_ref().unwrap();
    let bindings = clock.bindings.lock().unwrap();
    assert!(bindings.len() >= 21, "the window alone binds 21 devices: {}", bindings.len());
    let behind: Vec<String> = bindings
        .iter()
        .filter(|(claimed, server)| claimed != server)
        .map(|(claimed, server)| format!("claimed {claimed}, server at {server}"))
        .collect();
    assert!(
        behind.is_empty(),
        "{} of {} bindings claimed another time: {behind:?}",
        behind.len(),
        bindings.len()
    );
    assert_eq!(value(&report, "window.width"), 3.0);
}

#[test]
fn on_a_server_clock_that_moves_while_it_works_only_the_code_sending_part_must_fit_in_a_step() {
    // eduMFA takes seconds per account: the threshold search (a hundred wrong codes and a few
    // fresh accounts) or ten drift devices never fitted in one 30-second step, and both figures
    // were errors. Each answer here costs the server's clock a second.
    let (connection, _) = Stub::own_clock(1).connection();
    let report = probe::probe(&connection, 1).unwrap();
    assert_eq!(report.clock, ClockMode::ServerClock);
    for (id, v) in [
        ("window.width", 3.0),
        ("drift.shift", 1.0),
        ("drift.chain", 10.0),
        ("lockout.threshold", 10.0),
        ("lockout.visible", 1.0),
        ("lockout.leak", 0.0),
        ("lockout.success_resets", 1.0),
    ] {
        assert_eq!(value(&report, id), v, "{id}");
    }
}
