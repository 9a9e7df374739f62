//! A cucumber [`Writer`] that turns the event stream into [`ScenarioResult`]s. Events of
//! concurrently running scenarios interleave, so everything is keyed by scenario id; the
//! record sorts the results afterwards, so the order scenarios finish in never shows.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use cucumber::event::{self, Cucumber, Feature, Rule, Scenario, Step, StepError};
use cucumber::{Event, Writer, cli, gherkin, parser};

use super::fault::Fault;
use super::needs;
use super::suite::feature_path;
use crate::protocol::{Capabilities, Capability};
use crate::report::{ScenarioResult, Status, StepFailure};

/// Collects one [`ScenarioResult`] per scenario that ran.
#[derive(Debug, Default)]
pub struct Collector {
    live: bool,
    capabilities: Capabilities,
    running: HashMap<String, Running>,
    finished: Vec<ScenarioResult>,
    parse_errors: Vec<String>,
}

#[derive(Debug)]
struct Running {
    result: ScenarioResult,
    started: SystemTime,
}

impl Collector {
    /// A collector for a target with `capabilities` (a refused precondition whose capability
    /// the target lacks is not applicable); `live` prints one line per finished scenario to
    /// standard error.
    pub fn new(live: bool, capabilities: Capabilities) -> Self {
        Collector { live, capabilities, ..Collector::default() }
    }

    /// The results, and the parser errors (none when the suite was loaded by [`super::Suite`]).
    pub fn into_results(self) -> (Vec<ScenarioResult>, Vec<String>) {
        (self.finished, self.parse_errors)
    }

    fn on_scenario(
        &mut self,
        feature: &gherkin::Feature,
        scenario: &gherkin::Scenario,
        ev: Scenario<impl Sized>,
        at: SystemTime,
    ) {
        let path = feature_path(feature);
        let id = format!("{path}:{}", scenario.position.line);
        match ev {
            Scenario::Started => {
                let tags = feature.tags.iter().chain(&scenario.tags).cloned().collect();
                let result = ScenarioResult {
                    id: id.clone(),
                    feature: path,
                    feature_name: feature.name.clone(),
                    name: scenario.name.clone(),
                    line: scenario.position.line,
                    tags,
                    status: Status::Passed,
                    reason: None,
                    failure: None,
                    simulated_ms: 0,
                    exchanges: Vec::new(),
                    wall: Duration::ZERO,
                };
                self.running.insert(id, Running { result, started: at });
            }
            Scenario::Step(step, Step::Failed(_, _, _, error))
            | Scenario::Background(step, Step::Failed(_, _, _, error)) => {
                self.fail(&id, Some(&step), error_fault(&error));
            }
            Scenario::Step(step, Step::Skipped) | Scenario::Background(step, Step::Skipped) => {
                self.fail(&id, Some(&step), Fault::Panic("no step definition matches this text".into()));
            }
            Scenario::Hook(_, event::Hook::Failed(_, info)) => self.fail(&id, None, Fault::of(info.as_ref())),
            Scenario::Finished => {
                if let Some(mut r) = self.running.remove(&id) {
                    r.result.wall = at.duration_since(r.started).unwrap_or_default();
                    if self.live {
                        eprintln!("{:<15} {} {}", r.result.status.label(), r.result.id, r.result.name);
                    }
                    self.finished.push(r.result);
                }
            }
            _ => {}
        }
    }

    /// Records the first failure of a scenario (later steps are skipped by cucumber anyway).
    fn fail(&mut self, id: &str, step: Option<&gherkin::Step>, fault: Fault) {
        let Some(r) = self.running.get_mut(id) else { return };
        if r.result.failure.is_some() || matches!(r.result.status, Status::Error | Status::NotApplicable) {
            return;
        }
        let precondition = step.filter(|s| s.ty == gherkin::StepType::Given);
        let (status, message, expected, actual) = match fault {
            Fault::Mismatch(m) => (Status::Failed, m.context, Some(m.expected), Some(m.actual)),
            Fault::NoAnswer(n) => (Status::Error, n.message, None, None),
            // A refused `Given` ends the scenario here, before a later step could fail it for
            // what it never arranged: not applicable when the target declared the step's
            // capability absent, else an error naming the step and quoting the answer.
            Fault::Refused(refused) => match precondition {
                Some(given) => {
                    let written = format!("{} {}", given.keyword.trim(), given.value);
                    let lacking = lacking(&self.capabilities, &given.value);
                    if !lacking.is_empty() {
                        r.result.status = Status::NotApplicable;
                        r.result.reason = Some(format!(
                            "target lacks {lacking}: it refused the precondition \"{written}\" ({})",
                            refused.message.lines().next().unwrap_or_default()
                        ));
                        return;
                    }
                    let message =
                        format!("the target refused the precondition \"{written}\": {}", refused.message);
                    (Status::Error, message, None, None)
                }
                None => (Status::Error, refused.message, None, None),
            },
            Fault::Panic(p) => (Status::Error, p, None, None),
            Fault::NotApplicable(n) => {
                // Not run to the end, so no failure: the reason says what it would need.
                r.result.status = Status::NotApplicable;
                r.result.reason = Some(n.reason);
                return;
            }
        };
        r.result.status = status;
        if status == Status::Error {
            r.result.reason = Some(message.lines().next().unwrap_or_default().to_owned());
        }
        r.result.failure = Some(StepFailure {
            step: step
                .map(|s| format!("{} {}", s.keyword.trim(), s.value))
                .unwrap_or_else(|| "(before the first step)".into()),
            line: step.map_or(r.result.line, |s| s.position.line),
            message,
            expected,
            actual,
        });
    }
}

/// The capabilities the step with text `step` needs (`features/STEPS.md`) that the target
/// lacks, comma-separated (empty when it has them all).
fn lacking(capabilities: &Capabilities, step: &str) -> String {
    let needed = needs::derive([step]);
    let needed = needed.iter().filter_map(|tag| tag.strip_prefix("needs.")?.parse::<Capability>().ok());
    let missing: Vec<&str> = capabilities.missing(needed).iter().map(|c| c.name()).collect();
    missing.join(", ")
}

fn error_fault(error: &StepError) -> Fault {
    match error {
        StepError::Panic(info) => Fault::of(info.as_ref()),
        StepError::NotFound => Fault::Panic("no step definition matches this text".into()),
        StepError::AmbiguousMatch(e) => Fault::Panic(format!("more than one step definition matches: {e}")),
    }
}

impl<W: 'static> Writer<W> for Collector {
    type Cli = cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<W>>>, _cli: &Self::Cli) {
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                self.parse_errors.push(e.to_string());
                return;
            }
        };
        let at = event.at;
        if let Cucumber::Feature(feature, ev) = event.value {
            match ev {
                Feature::Scenario(scenario, retryable) => {
                    self.on_scenario(&feature, &scenario, retryable.event, at)
                }
                Feature::Rule(_, Rule::Scenario(scenario, retryable)) => {
                    self.on_scenario(&feature, &scenario, retryable.event, at)
                }
                _ => {}
            }
        }
    }
}

/// The collector keys every event by scenario id and sorts nothing until the record is built,
/// so it does not depend on event order: cucumber's first case for a `Normalized` writer.
impl cucumber::writer::Normalized for Collector {}

#[cfg(test)]
mod tests {
    use cucumber::gherkin::GherkinEnv;

    use super::*;
    use crate::scenario::fault::Refused;

    fn step(keyword: &str, text: &str) -> gherkin::Step {
        let feature = format!("Feature: f\n  Scenario: s\n    Given a\n    {keyword} {text}\n    Then b\n");
        let feature = gherkin::Feature::parse(feature, GherkinEnv::default()).unwrap();
        feature.scenarios[0].steps[1].clone()
    }

    fn running(collector: &mut Collector, id: &str) {
        let result = ScenarioResult {
            id: id.into(),
            feature: "f".into(),
            feature_name: "f".into(),
            name: "s".into(),
            line: 2,
            tags: Vec::new(),
            status: Status::Passed,
            reason: None,
            failure: None,
            simulated_ms: 0,
            exchanges: Vec::new(),
            wall: Duration::ZERO,
        };
        collector.running.insert(id.into(), Running { result, started: SystemTime::UNIX_EPOCH });
    }

    fn refused() -> Fault {
        Fault::Refused(Refused {
            message: "changing protection: the target answered rejected (not allowed)".into(),
        })
    }

    #[test]
    fn a_refused_precondition_is_not_applicable_without_its_capability_else_an_error_never_a_failure() {
        let mut collector = Collector::new(false, Capabilities::all().without(Capability::AdminProtection));
        for id in ["lacking", "having", "when"] {
            running(&mut collector, id);
        }
        collector.fail(
            "lacking",
            Some(&step("And", "Adam enables login protection by SMS for Alice")),
            refused(),
        );
        collector.fail(
            "having",
            Some(&step("And", "Alice enables login protection by SMS on her own account")),
            refused(),
        );
        collector.fail(
            "when",
            Some(&step("When", "Alice enables login protection by SMS on her own account")),
            refused(),
        );
        let result = |id: &str| &collector.running[id].result;
        assert_eq!(result("lacking").status, Status::NotApplicable);
        assert_eq!(
            result("lacking").reason.as_deref(),
            Some(
                "target lacks admin-protection: it refused the precondition \"And Adam enables login protection \
                 by SMS for Alice\" (changing protection: the target answered rejected (not allowed))"
            )
        );
        assert_eq!(result("having").status, Status::Error);
        assert!(
            result("having").reason.as_deref().unwrap().starts_with(
                "the target refused the precondition \"And Alice enables login protection by SMS on her own account\": changing protection"
            ),
            "{:?}",
            result("having").reason
        );
        assert_eq!(result("having").failure.as_ref().unwrap().line, 4, "the failing step's line");
        // An action the scenario checks is no precondition: its refusal is an error as before.
        assert_eq!(result("when").status, Status::Error);
        assert!(result("when").reason.as_deref().unwrap().starts_with("changing protection"));
    }
}
