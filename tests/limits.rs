//! Limits: inputs big enough to crash or hang the harness (20 000 browsers at once, tag
//! expressions nested 20 000 deep) are located errors, and a run has a real-time deadline after
//! which the scenarios not yet run are errors and the reports are still written.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mfa_harness::report::{RunOutcome, RunRecord, Status};
use mfa_harness::scenario::runner::{self, RunSettings};
use mfa_harness::scenario::suite::{MAX_TAG_DEPTH, MAX_TAG_TERMS};
use mfa_harness::scenario::{Suite, TagFilter};
use mfa_harness::sut::TargetSpec;

/// Runs the binary, killing it after `limit`: (exit code, or -1 for a signal; stdout; stderr).
fn harness_within(limit: Duration, args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mfa-harness"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("mfa-harness {args:?} hung for more than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mfa-harness-limits-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---- item 5: a crowd too big to start --------------------------------------------------------

const CROWD: &str = "@area.replay @x.limits
Feature: A vendor feature asking for far too many browsers
  Source: a careless vendor's own feature file.

  Scenario: Twenty thousand browsers at once
    Given Rita has a root account
    And Alice is an IAM user under Rita
    And Alice has bound a virtual MFA device
    And Alice has login protection by virtual MFA
    When Alice signs in from 20000 browsers at once, entering the code her virtual MFA device shows in each
    Then exactly 1 of them is accepted
";

#[test]
fn twenty_thousand_browsers_at_once_are_a_located_error_not_an_abort() {
    let features = temp_dir("crowd-features");
    std::fs::write(features.join("crowd.feature"), CROWD).unwrap();
    let out = temp_dir("crowd-out");
    let (code, stdout, stderr) = harness_within(
        Duration::from_secs(60),
        &[
            "run",
            "--quiet",
            "--features",
            features.to_str().unwrap(),
            "--tags",
            "@x.limits",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{stdout}{stderr}");
    let record: RunRecord =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let [scenario] = &record.scenarios[..] else { panic!("{:?}", record.scenarios) };
    assert_eq!(scenario.status, Status::Error);
    assert_eq!(scenario.reason.as_deref(), Some("20000 browsers at once: this step opens 1 to 1000"));
    assert_eq!(scenario.failure.as_ref().unwrap().line, 10, "the error names the step's line");
}

// ---- item 6: tag expressions nested past any use ----------------------------------------------

#[test]
fn deeply_nested_tag_expressions_are_located_errors() {
    let nots = format!("{}@area.replay", "not ".repeat(20_000));
    let err = TagFilter::parse(&nots).unwrap_err().to_string();
    assert!(err.ends_with(&format!("nested more than {MAX_TAG_DEPTH} deep at column 132")), "{err}");
    assert!(err.len() < 200, "the expression is shortened in the message: {err}");

    let parens = format!("{}@area.replay{}", "(".repeat(50_000), ")".repeat(50_000));
    let err = TagFilter::parse(&parens).unwrap_err().to_string();
    assert!(err.ends_with(&format!("nested more than {MAX_TAG_DEPTH} deep at column 33")), "{err}");

    let many = vec!["@area.replay"; MAX_TAG_TERMS + 1].join(" or ");
    let err = TagFilter::parse(&many).unwrap_err().to_string();
    assert!(err.contains(&format!("more than {MAX_TAG_TERMS} tags")), "{err}");

    for expression in [nots, parens] {
        let (code, _, stderr) = harness_within(Duration::from_secs(60), &["run", "--tags", &expression]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("nested more than"), "{stderr}");
    }
}

#[test]
fn tag_expressions_up_to_the_limits_still_work_on_a_small_stack() {
    // Test threads have 2 MiB stacks: the limits leave the recursive parser and every walk of
    // the tree far from overflowing.
    let depth = MAX_TAG_DEPTH / 2;
    let nested = format!("{}@area.replay{}", "(not (".repeat(depth / 2), "))".repeat(depth / 2));
    let filter = TagFilter::parse(&nested).unwrap();
    assert!(filter.matches(&["area.replay".to_owned()]));
    let deepest = format!("{}@area.replay{}", "(".repeat(MAX_TAG_DEPTH), ")".repeat(MAX_TAG_DEPTH));
    assert!(TagFilter::parse(&deepest).unwrap().matches(&["area.replay".to_owned()]));
    let widest = vec!["@area.window"; MAX_TAG_TERMS - 1].join(" or ") + " or @area.replay";
    assert!(TagFilter::parse(&widest).unwrap().matches(&["area.replay".to_owned()]));
}

// ---- item 8: the deadline ----------------------------------------------------------------------

#[test]
fn after_the_deadline_the_rest_are_errors_and_the_reports_are_written() {
    let suite = Suite::load(&[]).unwrap();
    let connection = TargetSpec::parse("reference").unwrap().connect().unwrap();
    let settings = RunSettings {
        tags: Some(TagFilter::parse("@area.sms").unwrap()),
        deadline: Some(Duration::ZERO),
        ..RunSettings::default()
    };
    let record = runner::run(&suite, &connection, &settings);
    assert!(record.summary.total >= 10);
    for s in &record.scenarios {
        assert_eq!(s.status, Status::Error, "{}", s.id);
        assert_eq!(s.reason.as_deref(), Some("not run: the run's deadline (0 s) passed"), "{}", s.id);
    }
    assert_eq!(record.outcome(), RunOutcome::NoVerdict);

    let out = temp_dir("deadline");
    let (code, stdout, stderr) = harness_within(
        Duration::from_secs(60),
        &["run", "--quiet", "--tags", "@area.sms", "--deadline", "0s", "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("no verdict: "), "{stderr}");
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.starts_with("# mfa-harness conformance report: NO VERDICT: "), "{summary}");
    assert!(summary.contains("not run: the run's deadline (0 s) passed"), "{summary}");
    for file in ["results.json", "report.html", "junit.xml"] {
        assert!(out.join(file).is_file(), "{file} was not written");
    }
}

#[test]
fn a_generous_deadline_changes_nothing() {
    let suite = Suite::load(&[]).unwrap();
    let connection = TargetSpec::parse("reference").unwrap().connect().unwrap();
    let tags = Some(TagFilter::parse("@area.lockout").unwrap());
    let plain =
        runner::run(&suite, &connection, &RunSettings { tags: tags.clone(), ..RunSettings::default() });
    let settings = RunSettings { tags, deadline: Some(Duration::from_secs(3600)), ..RunSettings::default() };
    let with_deadline = runner::run(&suite, &connection, &settings);
    assert_eq!(plain.to_json(), with_deadline.to_json());
    assert_eq!(plain.outcome(), RunOutcome::Conforms);
}

#[test]
fn bad_deadlines_are_usage_errors() {
    for bad in ["soon", "10", "5 fortnights", "99999999999999999999h"] {
        let (code, _, stderr) = harness_within(Duration::from_secs(30), &["run", "--deadline", bad]);
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(stderr.contains("--deadline"), "{bad}: {stderr}");
    }
}
