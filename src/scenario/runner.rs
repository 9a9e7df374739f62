//! The runner behind `mfa-harness run` (and the test suite, which calls the same function):
//! select scenarios by tag, report those the target cannot run as not applicable, run the
//! rest through cucumber with a fresh world per scenario, and turn what happened into a
//! [`RunRecord`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use cucumber::gherkin;
use cucumber::{Cucumber, World as _};
use futures::FutureExt as _;

use super::collect::Collector;
use super::expected::ExpectedFailures;
use super::suite::{Suite, TagFilter, feature_path};
use super::watchdog::{Watchdog, Watched};
pub use super::world::DEFAULT_MAX_REAL_WAIT;
use super::world::{MfaWorld, RealWaitBudget, ScenarioSetup};
use crate::clock::{DEFAULT_EPOCH, SimTime};
use crate::report::{RunRecord, ScenarioResult, Status, StepFailure};
use crate::sim::{Concern, Streams};
use crate::sut::{Connection, HttpExchange, Target, TargetFactory};

/// No-answers in a row after which a run declares its target down (see [`Watchdog`]).
pub const TARGET_DOWN_AFTER: u32 = 3;

/// What to run and how.
#[derive(Clone)]
pub struct RunSettings {
    /// The run's master seed.
    pub seed: u64,
    /// Only scenarios matching this expression.
    pub tags: Option<TagFilter>,
    /// Known failures, each with a reason.
    pub expected: ExpectedFailures,
    /// Print one line per finished scenario to standard error.
    pub live: bool,
    /// Real time the run may take; scenarios not started by then are errors.
    pub deadline: Option<Duration>,
    /// No-answers in a row after which the target is down and the rest are errors (0: never).
    pub target_down_after: u32,
    /// The share of selected scenarios (percent) that must be applicable for a verdict; with
    /// none, at least one must be.
    pub min_applicable: Option<u8>,
    /// Real waiting the run may spend on a target whose clock runs on its own
    /// ([`DEFAULT_MAX_REAL_WAIT`] unless the user says).
    pub max_real_wait: Duration,
}

impl Default for RunSettings {
    /// Seed 1, every scenario, no expected failures, quiet, no deadline, the target down
    /// after [`TARGET_DOWN_AFTER`] no-answers in a row, no applicability floor, and
    /// [`DEFAULT_MAX_REAL_WAIT`] of real waiting.
    fn default() -> Self {
        RunSettings {
            seed: 1,
            tags: None,
            expected: ExpectedFailures::default(),
            live: false,
            deadline: None,
            target_down_after: TARGET_DOWN_AFTER,
            min_applicable: None,
            max_real_wait: DEFAULT_MAX_REAL_WAIT,
        }
    }
}

/// Runs `suite` against the targets `connection` makes. A tag expression that selects no
/// scenario gives an empty record, which has no verdict.
pub fn run(suite: &Suite, connection: &Connection, settings: &RunSettings) -> RunRecord {
    let Connection { info, capabilities, factory } = connection.clone();
    let mut results = Vec::new();
    let mut runnable: BTreeSet<String> = BTreeSet::new();
    for scenario in suite.select(settings.tags.as_ref()).unwrap_or_default() {
        let missing = capabilities.missing(scenario.needs.iter().copied());
        if missing.is_empty() {
            runnable.insert(scenario.id.clone());
        } else {
            let names: Vec<&str> = missing.iter().map(|c| c.name()).collect();
            results.push(not_run(
                suite,
                &scenario.id,
                Status::NotApplicable,
                format!("target lacks {}", names.join(", ")),
            ));
        }
    }

    let features = select(suite, &runnable);
    let simulated: Arc<Mutex<BTreeMap<String, Duration>>> = Arc::default();
    let evidence: Arc<Mutex<BTreeMap<String, Vec<HttpExchange>>>> = Arc::default();
    let watchdog = Arc::new(Watchdog::new(settings.deadline, settings.target_down_after));
    let real_wait = RealWaitBudget::new(settings.max_real_wait);
    let collector = execute(
        features,
        Collector::new(settings.live, capabilities),
        factory,
        settings.seed,
        Journals { simulated: simulated.clone(), evidence: evidence.clone(), running: Arc::default() },
        real_wait.clone(),
        watchdog,
    );
    let (ran, parse_errors) = collector.into_results();
    // The suite is parsed and checked before the run, so cucumber has nothing to parse; if it
    // ever reports a parse error, it is a harness error in the record, never dropped.
    for (i, message) in parse_errors.into_iter().enumerate() {
        results.push(not_run(suite, &format!("(parser error {i})"), Status::Error, message));
    }
    let simulated = simulated.lock().unwrap_or_else(PoisonError::into_inner);
    let mut evidence = evidence.lock().unwrap_or_else(PoisonError::into_inner);
    let mut seen = BTreeSet::new();
    for mut result in ran {
        seen.insert(result.id.clone());
        result.simulated_ms = simulated.get(&result.id).map_or(0, |d| d.as_millis() as u64);
        if matches!(result.status, Status::Failed | Status::Error) {
            result.exchanges = evidence.remove(&result.id).unwrap_or_default();
        }
        apply_expectation(&mut result, &settings.expected);
        results.push(result);
    }
    // A scenario that was selected but produced no result must not disappear from the verdict.
    for id in runnable.difference(&seen) {
        results.push(not_run(suite, id, Status::Error, "the scenario did not run".into()));
    }
    let mut record = RunRecord::new(
        settings.seed,
        DEFAULT_EPOCH.unix_millis(),
        info,
        settings.tags.as_ref().map(|t| t.expression().to_owned()),
        results,
        real_wait.spent().as_millis() as u64,
    );
    record.min_applicable = settings.min_applicable;
    record
}

/// The seed of one scenario: independent of which other scenarios run, and of their order.
pub fn scenario_seed(run_seed: u64, id: &str) -> u64 {
    Streams::new(run_seed).key64(id, Concern::Schedule)
}

/// What the runner's hooks keep per scenario id: its simulated time, the target it runs on
/// (while it runs) and the HTTP exchanges it made.
struct Journals {
    simulated: Arc<Mutex<BTreeMap<String, Duration>>>,
    evidence: Arc<Mutex<BTreeMap<String, Vec<HttpExchange>>>>,
    running: Arc<Mutex<BTreeMap<String, Arc<dyn Target>>>>,
}

fn execute(
    features: Vec<gherkin::Feature>,
    collector: Collector,
    factory: TargetFactory,
    run_seed: u64,
    journals: Journals,
    real_wait: RealWaitBudget,
    watchdog: Arc<Watchdog>,
) -> Collector {
    let Journals { simulated, evidence, running } = journals;
    let started = running.clone();
    let runner = cucumber::runner::Basic::default()
        .max_concurrent_scenarios(1)
        .steps(MfaWorld::collection())
        .before(move |feature, _rule, scenario, world| {
            let id = format!("{}:{}", feature_path(feature), scenario.position.line);
            let seed = scenario_seed(run_seed, &id);
            let factory = factory.clone();
            let watchdog = watchdog.clone();
            let real_wait = real_wait.clone();
            let started = started.clone();
            async move {
                // A run that has given up (deadline, target down) starts no more scenarios.
                if let Some(reason) = watchdog.stopped() {
                    super::fault::no_answer(format!("not run: {reason}"));
                }
                // Making the target is no request to it: only its failure counts.
                let target = match factory(seed) {
                    Ok(target) => target,
                    Err(e) => {
                        let message = format!("preparing the target: {e}");
                        watchdog.observe::<()>(&Err(e));
                        super::fault::no_answer(message)
                    }
                };
                // Exchanges made before this scenario (connecting, the one before) are not its
                // evidence.
                target.take_exchanges();
                let target: Arc<dyn Target> = Arc::new(Watched::new(target, watchdog));
                started.lock().unwrap_or_else(PoisonError::into_inner).insert(id, target.clone());
                world.set_up(ScenarioSetup { target, seed, start: start_time(seed), real_wait });
            }
            .boxed_local()
        })
        .after(move |feature, _rule, scenario, _finished, world| {
            let id = format!("{}:{}", feature_path(feature), scenario.position.line);
            if let Some(world) = world {
                simulated
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(id.clone(), world.simulated());
            }
            let target = running.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
            if let Some(target) = target {
                evidence.lock().unwrap_or_else(PoisonError::into_inner).insert(id, target.take_exchanges());
            }
            async {}.boxed_local()
        });
    let cucumber: Cucumber<_, _, (), _, _, cucumber::cli::Empty> =
        Cucumber::custom(FeatureList(features), runner, collector);
    let cucumber = cucumber.with_default_cli();
    quiet_step_panics();
    IN_SUITE.with(|flag| flag.set(true));
    let collector = futures::executor::block_on(cucumber.run(()));
    IN_SUITE.with(|flag| flag.set(false));
    collector
}

thread_local! {
    /// Set while this thread executes a suite (cucumber runs its steps on the calling thread).
    static IN_SUITE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Steps report failures by panicking (that is how cucumber learns of them); the panics are
/// caught and turned into results, so printing them would only be noise. The panic hook is
/// process-wide and runs may be concurrent (`mutants` runs two at once), so one hook is
/// installed once: silent on threads executing a suite, the previous hook everywhere else.
fn quiet_step_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_SUITE.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Where a scenario's simulated time starts: the default epoch plus a seed-chosen offset of up
/// to a day, so runs with different seeds meet codes at different positions in their steps.
fn start_time(seed: u64) -> SimTime {
    DEFAULT_EPOCH + Duration::from_millis(seed % 86_400_000)
}

/// The features with only the runnable scenarios left.
fn select(suite: &Suite, runnable: &BTreeSet<String>) -> Vec<gherkin::Feature> {
    suite
        .features
        .iter()
        .filter_map(|f| {
            let path = feature_path(f);
            let keep = |s: &gherkin::Scenario| runnable.contains(&format!("{path}:{}", s.position.line));
            let mut f = f.clone();
            f.scenarios.retain(keep);
            for rule in &mut f.rules {
                rule.scenarios.retain(keep);
            }
            f.rules.retain(|r| !r.scenarios.is_empty());
            (!f.scenarios.is_empty() || !f.rules.is_empty()).then_some(f)
        })
        .collect()
}

/// A result for a scenario that did not run.
fn not_run(suite: &Suite, id: &str, status: Status, reason: String) -> ScenarioResult {
    let found = suite
        .features
        .iter()
        .flat_map(|f| {
            f.scenarios.iter().chain(f.rules.iter().flat_map(|r| &r.scenarios)).map(move |s| (f, s))
        })
        .find(|(f, s)| format!("{}:{}", feature_path(f), s.position.line) == id);
    let (feature, feature_name, name, line, tags) = match found {
        Some((f, s)) => (
            feature_path(f),
            f.name.clone(),
            s.name.clone(),
            s.position.line,
            f.tags.iter().chain(&s.tags).cloned().collect(),
        ),
        None => (id.to_owned(), String::new(), String::new(), 0, Vec::new()),
    };
    ScenarioResult {
        id: id.to_owned(),
        feature,
        feature_name,
        name,
        line,
        tags,
        status,
        reason: Some(reason),
        failure: None,
        simulated_ms: 0,
        exchanges: Vec::new(),
        wall: Duration::ZERO,
    }
}

/// Strict expected failures: a listed failure is expected; a listed pass is stale.
fn apply_expectation(result: &mut ScenarioResult, expected: &ExpectedFailures) {
    let Some(reason) = expected.reason(&result.id) else { return };
    match result.status {
        Status::Failed => {
            result.status = Status::ExpectedFailure;
            result.reason = Some(reason.to_owned());
        }
        Status::Passed => {
            result.status = Status::Failed;
            result.failure = Some(StepFailure {
                step: "(whole scenario)".into(),
                line: result.line,
                message: format!(
                    "listed as an expected failure ({reason}) but it passed: remove it from the list"
                ),
                expected: Some("a failure".into()),
                actual: Some("passed".into()),
            });
        }
        _ => {}
    }
}

/// The parser cucumber runs: the suite's already parsed and checked features.
struct FeatureList(Vec<gherkin::Feature>);

impl cucumber::Parser<()> for FeatureList {
    type Cli = cucumber::cli::Empty;
    type Output = futures::stream::Iter<std::vec::IntoIter<cucumber::parser::Result<gherkin::Feature>>>;

    fn parse(self, _input: (), _cli: Self::Cli) -> Self::Output {
        futures::stream::iter(self.0.into_iter().map(Ok).collect::<Vec<_>>())
    }
}
