//! Reports of a conformance run. Everything comes from one saved [`RunRecord`] (the scenarios'
//! results and the observed policy the probe measured): the JSON file *is* the record, and the
//! Markdown, HTML and JUnit files are renderings of it, so they can never disagree. JSON,
//! Markdown and HTML hold no wall-clock readings (the same seed gives byte-identical files);
//! JUnit carries wall durations because CI dashboards expect them.

pub mod coverage;
mod exchanges;
mod html;
mod junit;
mod markdown;
mod observed;
mod picture;
pub mod plot;
mod reproduce;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use crate::sut::{HttpExchange, TargetInfo};

use crate::probe::{DeclaredCheck, Measured, ProbeReport};

pub use html::render as render_html;
pub use junit::render as render_junit;
pub use markdown::render as render_markdown;

/// The outcome of one scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every step passed.
    Passed,
    /// A step's expectation did not hold: the target does not conform.
    Failed,
    /// It failed, and the expected-failures file lists it (with a reason).
    ExpectedFailure,
    /// The target lacks a capability the scenario needs; never counted as passed.
    NotApplicable,
    /// The harness could not get an answer (target down, garbage reply, bad feature text).
    Error,
}

impl Status {
    /// Lowercase label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "FAILED",
            Status::ExpectedFailure => "expected failure",
            Status::NotApplicable => "not applicable",
            Status::Error => "ERROR",
        }
    }
}

/// Why a step failed, with the expectation and the observation when the step gave them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepFailure {
    /// The step as written (`Then Alice's code is rejected`).
    pub step: String,
    /// Its line in the feature file.
    pub line: usize,
    /// What went wrong, in words.
    pub message: String,
    /// What the scenario expected.
    pub expected: Option<String>,
    /// What the target did.
    pub actual: Option<String>,
}

/// One scenario's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// Stable id: `<feature path>:<line>` of the scenario (or of its Examples row).
    pub id: String,
    /// The feature file, relative to the suite root (`features/replay/sequential.feature`).
    pub feature: String,
    /// The feature's title.
    pub feature_name: String,
    /// The scenario's title (outline rows with their values filled in).
    pub name: String,
    /// Line of the scenario or Examples row.
    pub line: usize,
    /// Tags, feature's and scenario's, without `@`.
    pub tags: Vec<String>,
    /// The outcome.
    pub status: Status,
    /// Why: the missing capability, the expected-failure entry's reason, or the harness error.
    pub reason: Option<String>,
    /// The failing step, for failed and errored scenarios.
    pub failure: Option<StepFailure>,
    /// Simulated time the scenario covered, in milliseconds.
    pub simulated_ms: u64,
    /// The HTTP exchanges of a scenario that did not pass (failed, expected failure or
    /// error), oldest first, secrets redacted and bodies cut short: the evidence behind its
    /// verdict. Empty, and absent from the JSON, for a target without HTTP.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<HttpExchange>,
    /// Real time the scenario took; only JUnit shows it (it would break byte-identical JSON).
    #[serde(skip)]
    pub wall: Duration,
}

/// Counts per status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// All scenarios, applicable or not.
    pub total: usize,
    /// [`Status::Passed`].
    pub passed: usize,
    /// [`Status::Failed`].
    pub failed: usize,
    /// [`Status::ExpectedFailure`].
    pub expected_failures: usize,
    /// [`Status::NotApplicable`].
    pub not_applicable: usize,
    /// [`Status::Error`].
    pub errors: usize,
}

impl Summary {
    /// Counts the statuses of `scenarios`.
    pub fn of<'a>(scenarios: impl IntoIterator<Item = &'a ScenarioResult>) -> Summary {
        let mut s = Summary::default();
        for r in scenarios {
            s.total += 1;
            match r.status {
                Status::Passed => s.passed += 1,
                Status::Failed => s.failed += 1,
                Status::ExpectedFailure => s.expected_failures += 1,
                Status::NotApplicable => s.not_applicable += 1,
                Status::Error => s.errors += 1,
            }
        }
        s
    }
}

/// Everything a run found: the single source of every report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// `mfa-harness`.
    pub tool: String,
    /// The harness version.
    pub version: String,
    /// The run's master seed: the same seed reproduces the run.
    pub seed: u64,
    /// Simulated start time, Unix milliseconds.
    pub epoch_ms: u64,
    /// The target.
    pub target: TargetInfo,
    /// The tag expression that selected scenarios, if any.
    pub tags: Option<String>,
    /// Counts.
    pub summary: Summary,
    /// Every scenario, sorted by id.
    pub scenarios: Vec<ScenarioResult>,
    /// Real time waited for a real-clock target, in milliseconds (0 for simulated time).
    pub real_wait_ms: u64,
    /// The share of scenarios (percent) that had to be applicable for a verdict (`run
    /// --min-applicable`); without it, at least one had to be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_applicable: Option<u8>,
    /// The observed policy: what `mfa-harness probe` measured on a fresh target after the
    /// suite, set against the declared policy and graded. `None` when nobody asked (a run
    /// through the library alone, or a record written before reports carried it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_policy: Option<Measured<ProbeReport>>,
}

/// What a run's outcome means for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// Enough scenarios were applicable, and every one passed or is an expected failure.
    Conforms,
    /// At least one scenario failed (errors, if any, are listed beside the failures).
    DoesNotConform,
    /// Nothing failed, but the run cannot vouch for the target: a scenario could not be run
    /// (harness or target error), none was selected, or too few were applicable
    /// ([`RunRecord::no_verdict_reason`] says which).
    NoVerdict,
}

impl RunRecord {
    /// Builds a record, sorting scenarios by feature and line so the order never depends on
    /// which scenario finished first.
    pub fn new(
        seed: u64,
        epoch_ms: u64,
        target: TargetInfo,
        tags: Option<String>,
        mut scenarios: Vec<ScenarioResult>,
        real_wait_ms: u64,
    ) -> RunRecord {
        scenarios.sort_by(|a, b| (&a.feature, a.line, &a.name).cmp(&(&b.feature, b.line, &b.name)));
        RunRecord {
            tool: "mfa-harness".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            seed,
            epoch_ms,
            target,
            tags,
            summary: Summary::of(&scenarios),
            scenarios,
            real_wait_ms,
            min_applicable: None,
            observed_policy: None,
        }
    }

    /// The declared policy numbers the probe measured otherwise. Each is a failure of the
    /// run, like a failed scenario: a target that misstates its lockout misleads every
    /// scenario that trusts the statement.
    pub fn policy_mismatches(&self) -> Vec<&DeclaredCheck> {
        let Some(Measured::Measured { value: probe }) = &self.observed_policy else { return Vec::new() };
        probe.declared_checks.iter().filter(|c| c.agrees == Some(false)).collect()
    }

    /// A failure (of a scenario, or a declared policy number the probe measured otherwise) is
    /// a verdict even when other scenarios could not be judged; without one, a run that could
    /// not ask every question, or asked too few, has no verdict.
    pub fn outcome(&self) -> RunOutcome {
        if self.summary.failed > 0 || !self.policy_mismatches().is_empty() {
            RunOutcome::DoesNotConform
        } else if self.no_verdict_reason().is_some() {
            RunOutcome::NoVerdict
        } else {
            RunOutcome::Conforms
        }
    }

    /// Why the run, failures aside, cannot vouch for the target: the first of errors, an
    /// empty selection, nothing applicable, or an applicable share under the floor.
    pub fn no_verdict_reason(&self) -> Option<String> {
        let s = &self.summary;
        let applicable = s.total - s.not_applicable;
        if s.errors > 0 {
            Some(format!(
                "{} of {} scenarios could not be judged (harness or target errors)",
                s.errors, s.total
            ))
        } else if s.total == 0 {
            Some("no scenario was selected".into())
        } else if applicable == 0 {
            Some(format!("none of the {} scenarios was applicable to the target", s.total))
        } else {
            let floor = self.min_applicable.filter(|f| applicable * 100 < usize::from(*f) * s.total)?;
            Some(format!(
                "only {applicable} of {} scenarios ({}%) were applicable, under the floor of {floor}%",
                s.total,
                applicable * 100 / s.total
            ))
        }
    }

    /// The verdict in words, as every report heads it: `CONFORMS`, `DOES NOT CONFORM` (with
    /// the errors beside, if any) or `NO VERDICT: <reason>`.
    pub fn verdict(&self) -> String {
        match self.outcome() {
            RunOutcome::Conforms => "CONFORMS".into(),
            RunOutcome::DoesNotConform if self.summary.errors > 0 => {
                format!("DOES NOT CONFORM (and {} scenarios could not be judged)", self.summary.errors)
            }
            RunOutcome::DoesNotConform => "DOES NOT CONFORM".into(),
            RunOutcome::NoVerdict => {
                format!("NO VERDICT: {}", self.no_verdict_reason().unwrap_or_default())
            }
        }
    }

    /// The JSON rendering (the record itself), pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).expect("RunRecord serialises") + "\n"
    }

    /// Writes `results.json`, `summary.md`, `report.html` and `junit.xml` into `dir`
    /// (created if needed) and returns their paths.
    ///
    /// # Errors
    /// [`crate::Error::Io`] naming the file that could not be written.
    pub fn write_all(&self, dir: &Path) -> crate::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).map_err(|source| crate::Error::Io { path: dir.to_owned(), source })?;
        let files = [
            ("results.json", self.to_json()),
            ("summary.md", render_markdown(self)),
            ("report.html", render_html(self)),
            ("junit.xml", render_junit(self)),
        ];
        files
            .into_iter()
            .map(|(name, text)| {
                let path = dir.join(name);
                std::fs::write(&path, text)
                    .map_err(|source| crate::Error::Io { path: path.clone(), source })?;
                Ok(path)
            })
            .collect()
    }
}

/// Replaces characters XML 1.0 forbids (a garbage reply from a target can contain them) and
/// escapes markup, so a report is always well-formed whatever a target sent.
pub(crate) fn xml_text(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || matches!(c as u32, 0xFFFE | 0xFFFF) => '\u{FFFD}',
            c => c,
        })
        .collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> RunRecord {
        let base = ScenarioResult {
            id: String::new(),
            feature: "features/replay/sequential.feature".into(),
            feature_name: "Replay of an accepted code".into(),
            name: String::new(),
            line: 0,
            tags: vec!["area.replay".into()],
            status: Status::Passed,
            reason: None,
            failure: None,
            simulated_ms: 31_000,
            exchanges: Vec::new(),
            wall: Duration::from_millis(3),
        };
        let scenario = |line: usize, name: &str, status: Status| ScenarioResult {
            id: format!("features/replay/sequential.feature:{line}"),
            name: name.into(),
            line,
            status,
            ..base.clone()
        };
        let mut failed = scenario(12, "a code accepted once is rejected the second time", Status::Failed);
        failed.failure = Some(StepFailure {
            step: "Then the code is rejected as a replay".into(),
            line: 15,
            message: "the target accepted a replayed code <\u{0}>".into(),
            expected: Some("rejected (replayed)".into()),
            actual: Some("accepted".into()),
        });
        let mut na = scenario(20, "replay across login & operation protection", Status::NotApplicable);
        na.reason = Some("target lacks capability operation-protection".into());
        RunRecord::new(
            7,
            1_767_225_600_000,
            TargetInfo { name: "reference".into(), kind: "in-process".into(), profile: None },
            None,
            vec![na, failed, scenario(5, "a fresh code is accepted", Status::Passed)],
            0,
        )
    }

    #[test]
    fn scenarios_are_sorted_and_counted() {
        let r = sample();
        assert_eq!(r.scenarios.iter().map(|s| s.line).collect::<Vec<_>>(), [5, 12, 20]);
        assert_eq!(
            r.summary,
            Summary { total: 3, passed: 1, failed: 1, not_applicable: 1, ..Summary::default() }
        );
        assert_eq!(r.outcome(), RunOutcome::DoesNotConform);
    }

    fn with_statuses(statuses: &[Status]) -> RunRecord {
        let base = sample().scenarios[0].clone();
        let scenarios = statuses
            .iter()
            .enumerate()
            .map(|(i, status)| ScenarioResult {
                id: format!("x:{i}"),
                line: i,
                status: *status,
                ..base.clone()
            })
            .collect();
        RunRecord::new(1, 0, sample().target, None, scenarios, 0)
    }

    #[test]
    fn a_run_with_nothing_applicable_has_no_verdict() {
        let r = with_statuses(&[Status::NotApplicable, Status::NotApplicable]);
        assert_eq!(r.outcome(), RunOutcome::NoVerdict);
        assert_eq!(r.verdict(), "NO VERDICT: none of the 2 scenarios was applicable to the target");
        let r = with_statuses(&[]);
        assert_eq!(r.verdict(), "NO VERDICT: no scenario was selected");
    }

    #[test]
    fn an_applicable_share_under_the_floor_has_no_verdict() {
        let mut r = with_statuses(&[Status::Passed, Status::NotApplicable, Status::NotApplicable]);
        assert_eq!(r.outcome(), RunOutcome::Conforms);
        r.min_applicable = Some(34);
        assert_eq!(
            r.verdict(),
            "NO VERDICT: only 1 of 3 scenarios (33%) were applicable, under the floor of 34%"
        );
        r.min_applicable = Some(33);
        assert_eq!(r.outcome(), RunOutcome::Conforms);
    }

    #[test]
    fn failures_outrank_errors_and_errors_outrank_a_pass() {
        let r = with_statuses(&[Status::Failed, Status::Error]);
        assert_eq!(r.outcome(), RunOutcome::DoesNotConform);
        assert_eq!(r.verdict(), "DOES NOT CONFORM (and 1 scenarios could not be judged)");
        let r = with_statuses(&[Status::Passed, Status::Error]);
        assert_eq!(
            r.verdict(),
            "NO VERDICT: 1 of 2 scenarios could not be judged (harness or target errors)"
        );
    }

    #[test]
    fn json_round_trips_and_has_no_wall_time() {
        let r = sample();
        let json = r.to_json();
        assert!(!json.contains("wall"));
        let mut back: RunRecord = serde_json::from_str(&json).unwrap();
        for s in &mut back.scenarios {
            s.wall = Duration::from_millis(3);
        }
        assert_eq!(back, r);
    }

    #[test]
    fn xml_text_drops_forbidden_characters_and_escapes_markup() {
        assert_eq!(xml_text("a<b>&\"\u{0}\u{1b}ok\n"), "a&lt;b&gt;&amp;&quot;\u{FFFD}\u{FFFD}ok\n");
    }
}
