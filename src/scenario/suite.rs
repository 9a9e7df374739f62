//! The feature files: the built-in suite (embedded in the binary, so an installed
//! `mfa-harness run` works from any folder) plus any vendor folders, parsed, outline rows
//! expanded, and every tag checked against the documented list before anything runs.

use std::path::{Path, PathBuf};

use cucumber::feature::Ext as _;
use cucumber::gherkin::{self, GherkinEnv};
use include_dir::{Dir, include_dir};

use super::needs;
use crate::protocol::Capability;

pub use super::tag_filter::{MAX_TAG_DEPTH, MAX_TAG_TERMS, TagFilter};

/// The built-in features, `features/**/*.feature`.
static FEATURES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/features");

/// Area tags (`@area.<name>`): what part of MFA a scenario exercises.
pub const AREAS: &[&str] = &[
    "hardware",
    "virtual",
    "sms",
    "login",
    "operation",
    "iam",
    "window",
    "drift",
    "replay",
    "lockout",
    "rfc",
    "record",
];

/// Tags with a meaning to the runner: `@concurrent` scenarios send parallel requests;
/// `@serial` ones must not share a target with any other scenario.
pub const RUNNER_TAGS: &[&str] = &["concurrent", "serial"];

/// Why the suite could not be loaded or filtered. Every variant names the file (and line).
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// A feature file or folder could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A `@needs.*` (or other step-derived) tag written in a feature file: those follow from
    /// the steps (`features/STEPS.md`, `capabilities` block), so a hand-written one could only
    /// disagree with them.
    #[error(
        "{file}:{line}: @{tag} is derived from the scenario's steps (features/STEPS.md, capabilities block): remove it"
    )]
    DerivedTag {
        /// The feature file.
        file: String,
        /// The line of the tag.
        line: usize,
        /// The tag, without `@`.
        tag: String,
    },
    /// Gherkin syntax error.
    #[error("{file}: {message}")]
    Syntax {
        /// The feature file.
        file: String,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A scenario with no steps, or with text that is not a step: gherkin reads a misspelled
    /// keyword (`Givn ...`) as description, which would leave a scenario that checks nothing.
    #[error("{file}:{line}: {message}")]
    NotAStep {
        /// The feature file.
        file: String,
        /// Line of the scenario.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A feature or scenario that could check nothing: a feature with no scenarios, or a
    /// scenario with no `Then` step (it would pass whatever the target did).
    #[error("{file}:{line}: {message}")]
    Vacuous {
        /// The feature file.
        file: String,
        /// Line of the feature or scenario.
        line: usize,
        /// What is missing.
        message: String,
    },
    /// A `--features` folder holding no `.feature` file (a wrong path would add nothing).
    #[error("{}: no .feature files in this folder or below it", path.display())]
    NoFeatures {
        /// The folder.
        path: PathBuf,
    },
    /// A tag outside the documented list.
    #[error(
        "{file}:{line}: unknown tag @{tag} (known: @needs.<capability>, @area.<area>, @concurrent, @serial, @x.<vendor tag>)"
    )]
    UnknownTag {
        /// The feature file.
        file: String,
        /// Line of the tagged element.
        line: usize,
        /// The tag, without `@`.
        tag: String,
    },
    /// A `--tags` expression that does not parse, names an unknown tag, nests too deep or
    /// selects no scenario. Long expressions are shortened in the message.
    #[error("--tags {}: {message}", quoted_start(expression))]
    TagExpression {
        /// The expression.
        expression: String,
        /// What is wrong.
        message: String,
    },
    /// Two features at the same path (a vendor folder shadowing a built-in file).
    #[error("{file}: defined twice")]
    Duplicate {
        /// The path.
        file: String,
    },
}

/// A scenario ready to run: an outline row is one scenario.
#[derive(Clone, Debug)]
pub struct SuiteScenario {
    /// `<feature path>:<line>`.
    pub id: String,
    /// Every tag that applies (feature, rule, scenario, examples), without `@`.
    pub tags: Vec<String>,
    /// The capabilities its steps need (its derived `@needs.*` tags).
    pub needs: Vec<Capability>,
}

/// The parsed suite.
#[derive(Clone, Debug)]
pub struct Suite {
    /// Features with outline rows expanded, sorted by path.
    pub features: Vec<gherkin::Feature>,
}

impl Suite {
    /// The built-in features plus every `*.feature` below each of `extra_dirs`.
    ///
    /// # Errors
    /// [`SuiteError`] naming the file and line of the first problem.
    pub fn load(extra_dirs: &[PathBuf]) -> Result<Suite, SuiteError> {
        let mut sources: Vec<(String, String)> = Vec::new();
        collect_embedded(&FEATURES, &mut sources);
        for dir in extra_dirs {
            let before = sources.len();
            collect_dir(dir, &mut sources)?;
            if sources.len() == before {
                return Err(SuiteError::NoFeatures { path: dir.clone() });
            }
        }
        Suite::from_sources(sources)
    }

    /// A suite of the given `(path, text)` feature files alone, checked as [`Suite::load`]
    /// checks files (for tests and fuzzing: no embedded features, no file system).
    ///
    /// # Errors
    /// [`SuiteError`] naming the file and line of the first problem.
    pub fn from_sources(mut sources: Vec<(String, String)>) -> Result<Suite, SuiteError> {
        sources.sort();
        if let Some(w) = sources.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(SuiteError::Duplicate { file: w[0].0.clone() });
        }
        let features = sources.iter().map(|(name, text)| parse(name, text)).collect::<Result<Vec<_>, _>>()?;
        Ok(Suite { features })
    }

    /// Every scenario with its id, tags and needs, in file order.
    pub fn scenarios(&self) -> Vec<SuiteScenario> {
        self.features
            .iter()
            .flat_map(|f| {
                let path = feature_path(f);
                f.scenarios.iter().map(move |s| (path.clone(), f.tags.iter().chain(&s.tags), s)).chain(
                    f.rules.iter().flat_map(move |r| {
                        let path = feature_path(f);
                        r.scenarios.iter().map(move |s| (path.clone(), f.tags.iter().chain(&s.tags), s))
                    }),
                )
            })
            .map(|(path, tags, s)| {
                let tags: Vec<String> = tags.cloned().collect();
                let needs = tags.iter().filter_map(|t| t.strip_prefix("needs.")?.parse().ok()).collect();
                SuiteScenario { id: format!("{path}:{}", s.position.line), tags, needs }
            })
            .collect()
    }

    /// The scenarios `tags` selects (all of them without a filter).
    ///
    /// # Errors
    /// [`SuiteError::TagExpression`] when the expression selects no scenario: a run of
    /// nothing would otherwise pass.
    pub fn select(&self, tags: Option<&TagFilter>) -> Result<Vec<SuiteScenario>, SuiteError> {
        let selected: Vec<SuiteScenario> =
            self.scenarios().into_iter().filter(|s| tags.is_none_or(|f| f.matches(&s.tags))).collect();
        match tags {
            Some(filter) if selected.is_empty() => Err(SuiteError::TagExpression {
                expression: filter.expression().to_owned(),
                message: "selects no scenario".into(),
            }),
            _ => Ok(selected),
        }
    }
}

/// The path a feature reports (`features/…` for built-in ones).
pub fn feature_path(feature: &gherkin::Feature) -> String {
    feature.path.as_deref().map(|p| p.display().to_string()).unwrap_or_else(|| feature.name.clone())
}

fn parse(name: &str, text: &str) -> Result<gherkin::Feature, SuiteError> {
    let mut feature = gherkin::Feature::parse(text, GherkinEnv::default())
        .map_err(|e| SuiteError::Syntax { file: name.to_owned(), message: e.to_string() })?;
    feature.path = Some(PathBuf::from(name));
    let tagged = std::iter::once((feature.position.line, &feature.tags))
        .chain(feature.rules.iter().map(|r| (r.position.line, &r.tags)))
        .chain(feature.scenarios.iter().chain(feature.rules.iter().flat_map(|r| &r.scenarios)).flat_map(
            |s| {
                std::iter::once((s.position.line, &s.tags))
                    .chain(s.examples.iter().map(|e| (e.position.line, &e.tags)))
            },
        ));
    let vacuous = |line: usize, message: String| SuiteError::Vacuous { file: name.to_owned(), line, message };
    if feature.scenarios.is_empty() && feature.rules.iter().all(|r| r.scenarios.is_empty()) {
        return Err(vacuous(feature.position.line, format!("feature {:?} has no scenarios", feature.name)));
    }
    let feature_background = feature.background.iter().flat_map(|b| &b.steps);
    let mut scenarios: Vec<(&gherkin::Scenario, Vec<&gherkin::Step>)> =
        feature.scenarios.iter().map(|s| (s, feature_background.clone().collect())).collect();
    for rule in &feature.rules {
        let background: Vec<&gherkin::Step> =
            feature_background.clone().chain(rule.background.iter().flat_map(|b| &b.steps)).collect();
        scenarios.extend(rule.scenarios.iter().map(|s| (s, background.clone())));
    }
    for (s, background) in &scenarios {
        let not_a_step =
            |message: String| SuiteError::NotAStep { file: name.to_owned(), line: s.position.line, message };
        if let Some(text) = &s.description {
            let first = text.lines().next().unwrap_or_default().trim();
            return Err(not_a_step(format!(
                "{first:?} is not a step (misspelled keyword?); use # for comments"
            )));
        }
        if s.steps.is_empty() {
            return Err(not_a_step(format!("scenario {:?} has no steps", s.name)));
        }
        if !background.iter().copied().chain(&s.steps).any(|step| step.ty == gherkin::StepType::Then) {
            return Err(vacuous(
                s.position.line,
                format!("scenario {:?} has no Then step: it asserts nothing", s.name),
            ));
        }
        if let Some(e) = s.examples.iter().find(|e| e.table.as_ref().is_none_or(|t| t.rows.len() < 2)) {
            return Err(SuiteError::NotAStep {
                file: name.to_owned(),
                line: e.position.line,
                message: format!("Examples of {:?} have no rows: the outline would run zero times", s.name),
            });
        }
    }
    for (line, tags) in tagged {
        if let Some(tag) = tags.iter().find(|t| !known_tag(t)) {
            let line = tag_line(text, line, tag);
            return Err(SuiteError::UnknownTag { file: name.to_owned(), line, tag: tag.clone() });
        }
        if let Some(tag) = tags.iter().find(|t| needs::is_derived(t)) {
            return Err(needs::refuse_written(name, tag_line(text, line, tag), tag));
        }
    }
    let mut feature = feature
        .expand_examples()
        .map_err(|e| SuiteError::Syntax { file: name.to_owned(), message: e.to_string() })?;
    derive_needs(&mut feature);
    Ok(feature)
}

/// Adds to every scenario the tags its steps need (Background included), so tag filters and
/// the runner see them like written tags.
fn derive_needs(feature: &mut gherkin::Feature) {
    let background: Vec<String> =
        feature.background.iter().flat_map(|b| &b.steps).map(|s| s.value.clone()).collect();
    let with = |background: &[String], scenario: &mut gherkin::Scenario| {
        let texts =
            background.iter().map(String::as_str).chain(scenario.steps.iter().map(|s| s.value.as_str()));
        scenario.tags.extend(needs::derive(texts.collect::<Vec<_>>()));
    };
    for scenario in &mut feature.scenarios {
        with(&background, scenario);
    }
    for rule in &mut feature.rules {
        let mut rule_background = background.clone();
        rule_background.extend(rule.background.iter().flat_map(|b| &b.steps).map(|s| s.value.clone()));
        for scenario in &mut rule.scenarios {
            with(&rule_background, scenario);
        }
    }
}

/// The line holding `@tag` among the tag lines just above `element_line` (gherkin positions
/// an element at its keyword, its tags sit above it).
fn tag_line(text: &str, element_line: usize, tag: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let needle = format!("@{tag}");
    (1..element_line)
        .rev()
        .map_while(|n| {
            let l = lines.get(n - 1)?.trim();
            (l.is_empty() || l.starts_with('@') || l.starts_with('#')).then_some((n, l))
        })
        .find(|(_, l)| l.split_whitespace().any(|w| w == needle))
        .map_or(element_line, |(n, _)| n)
}

/// The start of a long expression, quoted, so an error message stays readable.
pub(super) fn quoted_start(expression: &str) -> String {
    const SHOWN: usize = 60;
    match expression.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{:?}… ({} characters)", &expression[..at], expression.chars().count()),
        None => format!("{expression:?}"),
    }
}

/// Whether `tag` (without `@`) is in the documented list.
pub(super) fn known_tag(tag: &str) -> bool {
    if let Some(cap) = tag.strip_prefix("needs.") {
        return cap.parse::<Capability>().is_ok();
    }
    if let Some(area) = tag.strip_prefix("area.") {
        return AREAS.contains(&area);
    }
    RUNNER_TAGS.contains(&tag) || tag.strip_prefix("x.").is_some_and(|t| !t.is_empty())
}

fn collect_embedded(dir: &Dir<'static>, out: &mut Vec<(String, String)>) {
    for file in dir.files() {
        if file.path().extension().is_some_and(|e| e == "feature") {
            // The suite's own files are UTF-8 (a test checks every built-in feature parses).
            let text = file.contents_utf8().unwrap_or_default();
            out.push((format!("features/{}", file.path().display()), text.to_owned()));
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

fn collect_dir(dir: &Path, out: &mut Vec<(String, String)>) -> Result<(), SuiteError> {
    let entries =
        std::fs::read_dir(dir).map_err(|source| SuiteError::Read { path: dir.to_owned(), source })?;
    for entry in entries {
        let path = entry.map_err(|source| SuiteError::Read { path: dir.to_owned(), source })?.path();
        if path.is_dir() {
            collect_dir(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "feature") {
            let text = std::fs::read_to_string(&path)
                .map_err(|source| SuiteError::Read { path: path.clone(), source })?;
            out.push((path.display().to_string(), text));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTLINE: &str = "@area.window
Feature: Window
  @serial
  Scenario Outline: a phone <n> seconds fast
    Given the server clock reads Unix time <n>
    Then the code is <outcome>

    Examples:
      | n  | outcome  |
      | 20 | accepted |
      | 90 | rejected |
";

    #[test]
    fn outline_rows_become_scenarios_with_row_lines_and_needs() {
        let suite = Suite { features: vec![parse("features/window/x.feature", OUTLINE).unwrap()] };
        let scenarios = suite.scenarios();
        assert_eq!(
            scenarios.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["features/window/x.feature:10", "features/window/x.feature:11"]
        );
        assert_eq!(scenarios[0].needs, [Capability::ClockControl]);
        assert!(scenarios[1].tags.contains(&"area.window".to_owned()));
        assert_eq!(suite.features[0].scenarios[1].name, "a phone 90 seconds fast");
    }

    #[test]
    fn the_built_in_suite_loads_and_every_scenario_has_an_area() {
        let suite = Suite::load(&[]).unwrap();
        let scenarios = suite.scenarios();
        assert!(scenarios.len() >= 150, "{} scenarios", scenarios.len());
        for s in &scenarios {
            assert!(s.tags.iter().any(|t| t.starts_with("area.")), "{} has no @area tag", s.id);
        }
        let mut ids: Vec<&str> = scenarios.iter().map(|s| s.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), scenarios.len(), "scenario ids must be unique");
    }

    #[test]
    fn unknown_tags_are_located_errors() {
        let text = OUTLINE.replace("@serial", "@needs.time-travel");
        let err = parse("features/window/x.feature", &text).unwrap_err();
        assert_eq!(
            err.to_string().split(" (known").next().unwrap(),
            "features/window/x.feature:3: unknown tag @needs.time-travel"
        );
    }

    #[test]
    fn a_written_needs_tag_is_refused_where_it_stands() {
        let text = OUTLINE.replace("@serial", "@serial @needs.sms");
        let err = parse("features/window/x.feature", &text).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("features/window/x.feature:3: @needs.sms is derived from the scenario's steps"),
            "{err}"
        );
    }

    #[test]
    fn syntax_errors_name_the_file() {
        let err = parse("features/bad.feature", "Scenario: y\n    Given a\n").unwrap_err();
        assert!(err.to_string().starts_with("features/bad.feature: "), "{err}");
        // An outline whose Examples have no rows would silently run zero times.
        let text = "Feature: x\n  Scenario Outline: y\n    Given a <n>\n    Then b\n  Examples:\n";
        let err = parse("features/bad.feature", text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "features/bad.feature:5: Examples of \"y\" have no rows: the outline would run zero times"
        );
    }

    #[test]
    fn a_misspelled_keyword_is_not_silently_a_description() {
        let err = parse("features/bad.feature", "Feature: x\n  Scenario: y\n    Givn a step\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "features/bad.feature:2: \"Givn a step\" is not a step (misspelled keyword?); use # for comments"
        );
        let err = parse("features/bad.feature", "Feature: x\n  Scenario: y\n").unwrap_err();
        assert_eq!(err.to_string(), "features/bad.feature:2: scenario \"y\" has no steps");
    }

    #[test]
    fn a_scenario_must_assert_something() {
        let err = parse("f.feature", "Feature: x\n  Scenario: y\n    Given a\n    When b\n    And c\n")
            .unwrap_err();
        assert_eq!(err.to_string(), "f.feature:2: scenario \"y\" has no Then step: it asserts nothing");
        // `And` after `Then` is a Then; a Then in the Background asserts in every scenario.
        assert!(
            parse("f.feature", "Feature: x\n  Scenario: y\n    Given a\n    Then b\n    And c\n").is_ok()
        );
        let background = "Feature: x\n  Background:\n    Then a\n  Scenario: y\n    Given b\n";
        assert!(parse("f.feature", background).is_ok());
        let err = parse("f.feature", "@area.rfc\nFeature: x\n  A description only.\n").unwrap_err();
        assert_eq!(err.to_string(), "f.feature:2: feature \"x\" has no scenarios");
    }
}
