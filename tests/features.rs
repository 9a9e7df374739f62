//! The feature files against the step library and the seed documents: every step line has
//! exactly one definition (checked statically, so scenarios a target skips are covered too),
//! and every procedure step of both seed documents traces to scenarios that exist.

use std::collections::BTreeSet;
use std::path::Path;

use cucumber::World as _;
use mfa_harness::scenario::Suite;
use mfa_harness::scenario::world::MfaWorld;
use serde::Deserialize;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_step_line_matches_exactly_one_definition() {
    let suite = Suite::load(&[]).unwrap();
    let steps = MfaWorld::collection();
    let mut problems = Vec::new();
    let mut checked = 0;
    for feature in &suite.features {
        let path = feature.path.as_ref().unwrap().display().to_string();
        let backgrounds =
            feature.background.iter().chain(feature.rules.iter().filter_map(|r| r.background.as_ref()));
        let scenarios = feature.scenarios.iter().chain(feature.rules.iter().flat_map(|r| &r.scenarios));
        for step in backgrounds.flat_map(|b| &b.steps).chain(scenarios.flat_map(|s| &s.steps)) {
            checked += 1;
            match steps.find(step) {
                Ok(Some(_)) => {}
                Ok(None) => problems
                    .push(format!("{path}:{}: no definition for {:?}", step.position.line, step.value)),
                Err(e) => {
                    problems.push(format!("{path}:{}: ambiguous {:?}: {e}", step.position.line, step.value))
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} steps checked");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Traceability {
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // `section` and `note` are for readers; the test checks the rest.
struct Entry {
    seed: String,
    line: Option<usize>,
    section: Option<String>,
    sentence: String,
    scenarios: Vec<String>,
    note: Option<String>,
}

/// Lines of a seed document that are procedure steps: numbered steps, `- ` bullets, and the
/// line after a bare `-` (the Baidu document's layout).
fn procedure_lines(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let numbered = line
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if numbered || line.starts_with("- ") {
            out.push((i + 1, line.to_string()));
        } else if line.trim() == "-" && i + 1 < lines.len() {
            out.push((i + 2, lines[i + 1].to_string()));
        }
    }
    out
}

/// `feature:line` references that name a scenario: a Scenario/Outline/Example line, or an
/// Examples row (an expanded outline row's id).
fn scenario_references() -> BTreeSet<String> {
    let suite = Suite::load(&[]).unwrap();
    let mut refs: BTreeSet<String> = suite.scenarios().into_iter().map(|s| s.id).collect();
    for feature in &suite.features {
        let path = feature.path.as_ref().unwrap().display().to_string();
        let text = std::fs::read_to_string(root().join(&path)).unwrap();
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("Scenario:") || t.starts_with("Scenario Outline:") || t.starts_with("Example:") {
                refs.insert(format!("{path}:{}", i + 1));
            }
        }
    }
    refs
}

#[test]
fn every_seed_procedure_step_traces_to_existing_scenarios() {
    let table: Traceability =
        toml::from_str(&std::fs::read_to_string(root().join("features/traceability.toml")).unwrap()).unwrap();
    let refs = scenario_references();
    let mut problems = Vec::new();
    let mut covered: BTreeSet<(String, usize)> = BTreeSet::new();
    for e in &table.entry {
        let text = std::fs::read_to_string(root().join("docs/seeds").join(&e.seed))
            .unwrap_or_else(|_| panic!("unknown seed file {}", e.seed));
        let lines: Vec<&str> = text.lines().collect();
        match e.line {
            Some(n) if lines.get(n - 1).is_some_and(|l| l.contains(&e.sentence)) => {
                covered.insert((e.seed.clone(), n));
            }
            Some(n) => problems.push(format!("{}:{n} does not contain {:?}", e.seed, e.sentence)),
            None if text.contains(&e.sentence) => {
                for (i, l) in lines.iter().enumerate() {
                    if l.contains(&e.sentence) {
                        covered.insert((e.seed.clone(), i + 1));
                    }
                }
            }
            None => problems.push(format!("{} does not contain {:?}", e.seed, e.sentence)),
        }
        if e.scenarios.is_empty() {
            problems.push(format!("{:?} maps to no scenario", e.sentence));
        }
        for r in &e.scenarios {
            if !refs.contains(r) {
                problems.push(format!("{r} (for {:?}) is not a scenario line", e.sentence));
            }
        }
    }
    for seed in ["tencent-mfa.txt", "baidu-2fa.txt"] {
        let text = std::fs::read_to_string(root().join("docs/seeds").join(seed)).unwrap();
        for (n, step) in procedure_lines(&text) {
            if !covered.contains(&(seed.to_owned(), n)) {
                problems.push(format!("{seed}:{n}: procedure step has no traceability entry: {step:?}"));
            }
        }
    }
    assert!(table.entry.len() >= 40, "only {} entries", table.entry.len());
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
